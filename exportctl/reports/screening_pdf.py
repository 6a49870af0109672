"""The screening report as an A4 PDF: the summary, then the rows that are not clear.

With a compared version, the rows whose status changed come first in their own
table. At most :data:`PDF_MAX_ROWS` rows are listed per table; the rest are
counted and left to the CSV/XLSX report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exportctl.diff import dotted
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.screening import PDF_MAX_ROWS, summary_rows
from exportctl.screen import ScreenReport, ScreenResult, ScreenSummary

__all__ = ["pdf_report", "write_pdf"]


def write_pdf(report: ScreenReport, path: Path) -> ScreenSummary:
    """Write a PDF: the summary first, then the rows that are not clear.

    With a compared version, the rows whose status changed come first in their
    own table. At most :data:`PDF_MAX_ROWS` rows are listed per table; the rest
    are counted and left to the CSV/XLSX report. Korean text is set in the
    embedded Hangul font; every page's footer names the catalogue and list
    version with the catalogue's SHA-256.

    Args:
        report: The run to write; its results are consumed.
        path: Where to write.

    Returns:
        The completed summary.
    """
    from reportlab.lib.units import mm

    from exportctl.reports import pdf

    flagged: list[ScreenResult] = []
    changed: list[ScreenResult] = []
    for result in report.results:
        if result.status != "clear" and len(flagged) < PDF_MAX_ROWS:
            flagged.append(result)
        if result.changed and len(changed) < PDF_MAX_ROWS:
            changed.append(result)
    summary = report.summary
    styles = pdf.report_styles()
    title = f"Catalogue screening: {report.file}"
    story: list[Any] = [pdf.para(title, styles["title"])]
    against = f"Against {report.slug} {report.version}"
    if report.effective:
        against += f" (effective {report.effective})"
    if report.notice:
        against += f"; {report.notice}"
    if report.compare:
        against += f", compared with {report.compare}"
    story.append(pdf.para(against, styles["subtitle"]))
    story.extend(pdf.para(f"Warning: {warning}", styles["h2"]) for warning in report.warnings)
    story.append(pdf.para("Summary", styles["h2"]))
    story.extend(
        pdf.data_table(
            ["", ""],
            [
                [label, f"{value:,}" if isinstance(value, int) else value]
                for label, value in summary_rows(report)
            ],
            [45 * mm, 135 * mm],
            styles=styles,
        )
    )
    widths = [10 * mm, 32 * mm, 21 * mm, 25 * mm, 38 * mm, 54 * mm]
    header = ["Row", "SKU / product", "HS code", "Status", "Deciding entry", "Reason"]
    if report.compare:
        story.append(
            pdf.para(f"Status changed since {report.compare}: {summary.changed:,}", styles["h2"])
        )
        if changed:
            story.extend(pdf.data_table(header, _pdf_rows(changed, True), widths, styles=styles))
            if summary.changed > len(changed):
                story.append(pdf.para(_more(summary.changed - len(changed)), styles["body"]))
        else:
            story.append(pdf.para("No row changed status.", styles["body"]))
    not_clear = summary.total - summary.counts["clear"]
    story.append(pdf.para(f"Rows that are not clear: {not_clear:,}", styles["h2"]))
    if flagged:
        story.extend(pdf.data_table(header, _pdf_rows(flagged, False), widths, styles=styles))
        if not_clear > len(flagged):
            story.append(pdf.para(_more(not_clear - len(flagged)), styles["body"]))
    else:
        story.append(pdf.para("Every row is clear.", styles["body"]))
    sheet = f" [{report.sheet}]" if report.sheet else ""
    footer = [
        f"catalogue {report.file}{sheet} SHA-256 {report.sha256}",
        f"list {report.slug} version {report.version}",
    ]
    pdf.build_document(path, story, title=title, footer_lines=footer)
    return summary


def _pdf_rows(results: list[ScreenResult], with_previous: bool) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in results:
        entry = r.entry
        if entry is None:
            decided = ""
        else:
            serial = f"No. {entry.serial} " if entry.serial is not None else ""
            code = ("ex " if entry.ex else "") + (dotted(entry.code) if entry.code else "by name")
            decided = f"{serial}{code}: {entry.description}"
        status = f"{r.previous_status} → {r.status}" if with_previous else r.status
        product = "\n".join(t for t in (r.sku, r.description) if t)
        rows.append([r.row, product, r.shown_code or "", status, decided, r.reason])
    return rows


def _more(count: int) -> str:
    return f"… and {count:,} more rows (see the CSV or XLSX report)."


def pdf_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``pdf`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    return write_pdf(report, path)
