"""The screening report as an A4 PDF, to be filed as evidence and signed.

Page 1 is the record: what was screened (the catalogue's file, sheet and SHA-256)
against what (the list, the version with its notice, effective date, status and
approval, source file and SHA-256, the as-of date asked for, the compared
version), how the report was made (local time with its zone, operator, exportctl
version, database), whether the PDF is partial, the counts, and the sign-off
block. Then the rows that are not clear, grouped by status: with a compared
version the rows whose status changed first, then controlled, review and invalid,
each group's rows shaded in its status colour (the XLSX's,
:data:`~exportctl.reports.screening.STATUS_COLOURS`), at most ``options.pdf_rows``
rows per group; clear rows are counted, not listed. Every group is a bookmark.

Every word comes from the catalogue in the report's language (the reason column
is the screening's own explanation and stays as written).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from exportctl.diff import dotted
from exportctl.reports.evidence import Evidence, ReportOptions, version_rows
from exportctl.reports.language import Text
from exportctl.reports.pdf_banners import banner_story, screening_banners
from exportctl.reports.pdf_document import (
    Outline,
    data_table,
    frame_width,
    label_table,
    para,
    report_styles,
)
from exportctl.reports.pdf_record import (
    build_report,
    completeness,
    signoff_story,
)
from exportctl.reports.screening import STATUS_COLOURS
from exportctl.reports.tabular import attributes_text
from exportctl.screen import ScreenReport, ScreenResult, ScreenSummary

__all__ = ["GROUPS", "pdf_report", "write_pdf"]

GROUPS: tuple[str, ...] = ("controlled", "review", "invalid")
"""The status groups listed, in order (clear rows are only counted)."""


def _collect(report: ScreenReport, limit: int) -> dict[str, list[ScreenResult]]:
    """Read every result once, keeping at most ``limit`` rows of each group."""
    kept: dict[str, list[ScreenResult]] = {"changed": [], **{g: [] for g in GROUPS}}
    changed, groups = kept["changed"], {g: kept[g] for g in GROUPS}
    for result in report.results:
        group = groups.get(result.status)
        if group is not None and len(group) < limit:
            group.append(result)
        if result.changed and len(changed) < limit:
            changed.append(result)
    return kept


_SHARES = (0.17, 0.11, 0.16, 0.23, 0.28)
"""Shares of the width after the row-number column: product, code, verdict, entry, reason."""


def _column_widths(
    width: float, t: Text, shown: list[ScreenResult], styles: dict[str, Any]
) -> list[float]:
    """Column widths of the row tables: the row number's from its widest number (so it
    never wraps: "12,345" broken over two lines reads as two rows), the rest shared."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    cell, bold = styles["cell"], styles["cell_bold"]
    widest = max(
        [stringWidth(t.number(r.row), cell.fontName, cell.fontSize) for r in shown]
        + [stringWidth(t.column("row"), bold.fontName, bold.fontSize)]
    )
    first = widest + 6.5 + 2  # the table's cell padding (data_table) and a margin
    rest = width - first
    return [first, *(rest * share / sum(_SHARES) for share in _SHARES)]


def _change_name(result: ScreenResult, t: Text) -> str:
    key = "pdf.screen.change." + result.change.replace(" ", "_")
    if t.has(key):
        return t(key)
    previous = t.status(result.previous_status) if result.previous_status else ""
    return f"{previous} → {t.status(result.status)}"


def _rows(results: list[ScreenResult], t: Text, *, changed: bool) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in results:
        entry = r.entry
        if entry is None:
            decided = ""
        else:
            serial = (
                t("pdf.screen.entry_serial", serial=entry.serial) + " "
                if entry.serial is not None
                else ""
            )
            code = ("ex " if entry.ex else "") + (
                dotted(entry.code) if entry.code else t("pdf.screen.by_name")
            )
            decided = f"{serial}{code}: {entry.description}"
            if entry.attributes:
                decided += f" [{attributes_text(entry.attributes)}]"
        status = t.status(r.status)
        if changed:
            status = f"{_change_name(r, t)}\n({t.status(r.previous_status or 'clear')} → {status})"
        product = "\n".join(x for x in (r.sku, r.description) if x)
        rows.append(
            [t.number(r.row), product, r.shown_code or "", status, decided, r.reason_in(t.lang)]
        )
    return rows


def _record_story(
    report: ScreenReport,
    options: ReportOptions,
    styles: dict[str, Any],
    outline: Outline,
    title: str,
    listed: int,
    total: int,
) -> list[Any]:
    t = options.text
    evidence = options.evidence
    width = frame_width()
    summary = report.summary
    story: list[Any] = [outline.heading(title, styles["title"], outline=t("pdf.record"))]
    where = options.companion or ""
    story += banner_story(
        screening_banners(report, t, listed=listed, total=total, where=where), styles
    )
    record = list(evidence.rows(t))
    story.extend(label_table(record, width, styles=styles, label_share=0.25))
    story.append(para(t("pdf.screen.against"), styles["h3"]))
    name = report.list_name or report.slug
    against: list[tuple[str, Any]] = [
        (t("evidence.list"), f"{name} ({report.slug})" if name != report.slug else name)
    ]
    effective = dt.date.fromisoformat(report.effective) if report.effective else None
    against += version_rows(
        t,
        label=report.version,
        notice=t.notice(report.notice_number, report.notice_date, report.amendment),
        effective=effective,
        status=report.status,
        status_by=report.status_by,
        status_at=report.status_at,
        source_file=report.source_file,
        source_sheet=report.source_sheet,
        source_sha256=report.source_sha256,
        item_count=report.item_count,
        zone=evidence.generated_at.tzinfo,
    )
    if len(report.sections) > 1:
        parts = "; ".join(
            t("pdf.part_titled", number=n, title=title) if title else t("pdf.part", number=n)
            for n, title in sorted(report.sections.items())
        )
        against.append((t("pdf.parts_of", version=report.version), parts))
    if report.as_of is not None:
        against.append((t("evidence.as_of"), t.date(report.as_of)))
    if report.compare:
        against.append((t("pdf.screen.compare"), report.compare))
    against.append((t("evidence.catalogue"), report.file))
    if report.sheet:
        against.append((t("evidence.catalogue_sheet"), report.sheet))
    against.append((t("evidence.catalogue_sha256"), report.sha256))
    story.extend(label_table(against, width, styles=styles, label_share=0.25))
    for warning in report.warnings_in(t):
        story.append(para(f"{t('pdf.screen.warning')}: {warning}", styles["notice"]))
    keys = ("pdf.screen.partial", "pdf.screen.complete")
    story.append(completeness(t, styles, options, listed=listed, total=total, keys=keys))
    story.append(para(t("pdf.screen.summary"), styles["h3"]))
    counts: list[tuple[str, Any]] = [(t("pdf.screen.rows"), t.number(summary.total))]
    counts += [(t.status(s), t.number(summary.counts[s])) for s in (*GROUPS, "clear")]
    if summary.compared:
        counts.append((t("pdf.screen.changed"), t.number(summary.changed)))
    story.extend(
        data_table(
            [],
            [[para(label, styles["cell_bold"]), value] for label, value in counts],
            [width * 0.25, width * 0.2],
            styles=styles,
            row_colours=[None, *(STATUS_COLOURS.get(s) for s in (*GROUPS, "clear")), None][
                : len(counts)
            ],
            right=(1,),
        )
    )
    story += signoff_story(
        t,
        operator=evidence.operator,
        prepared_on=evidence.generated_at.date(),
        version=report.version,
        status=report.status,
        approved_by=report.status_by,
        approved_at=report.status_at,
        zone=evidence.generated_at.tzinfo,
        styles=styles,
        width=width,
    )
    return story


def write_pdf(
    report: ScreenReport, path: Path, options: ReportOptions | None = None
) -> ScreenSummary:
    """Write the screening PDF (see the module's note for its parts).

    Args:
        report: The run to write; its results are consumed.
        path: Where to write.
        options: Language, rows per group, the report's record (English and the
            current operator when None).

    Returns:
        The completed summary.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, PageBreak

    from exportctl.config import current_actor

    if options is None:
        options = ReportOptions(evidence=Evidence.now(operator=current_actor()))
    t = options.text
    limit = options.pdf_rows
    kept = _collect(report, limit)
    summary = report.summary
    groups: list[tuple[str, str, int, list[ScreenResult], str | None]] = []
    if report.compare:
        heading = t(
            "pdf.screen.changed_heading",
            version=report.compare,
            count=t.number(summary.changed),
        )
        groups.append(("changed", heading, summary.changed, kept["changed"], None))
    for status in GROUPS:
        count = summary.counts[status]
        heading = t(
            "pdf.screen.group_heading",
            status=t(f"pdf.screen.group.{status}"),
            count=t.number(count),
        )
        groups.append((status, heading, count, kept[status], STATUS_COLOURS.get(status)))
    total = sum(count for _key, _heading, count, _rows, _colour in groups)
    listed = sum(len(rows) for _key, _heading, _count, rows, _colour in groups)
    styles = report_styles()
    title = t("pdf.screen.title", file=report.file)
    outline = Outline()
    story = _record_story(report, options, styles, outline, title, listed, total)
    story.append(PageBreak())
    body: list[Any] = []
    width = frame_width()
    shown = [r for _key, _heading, _count, rows, _colour in groups for r in rows]
    widths = _column_widths(width, t, shown, styles)
    header = [
        t.column("row"),
        t("pdf.screen.product"),
        t.column("code"),
        t.column("status"),
        t("pdf.screen.entry"),
        t.column("reason"),
    ]
    where = options.companion or t("report.partial_elsewhere")
    for key, heading, count, rows, colour in groups:
        body.append(CondPageBreak(30 * mm))
        body.append(outline.heading(heading, styles["h2"]))
        if not rows:
            body.append(para(t("pdf.screen.none"), styles["body"]))
            continue
        colours = [colour or STATUS_COLOURS.get(r.status) for r in rows]
        body.extend(
            data_table(
                header,
                _rows(rows, t, changed=key == "changed"),
                widths,
                styles=styles,
                row_colours=colours,
            )
        )
        if count > len(rows):
            more = t("pdf.more_rows", count=t.number(count - len(rows)), where=where)
            body.append(para(more, styles["body"]))
    body.append(
        para(
            t("pdf.screen.clear_line", count=t.number(summary.counts["clear"])), styles["statement"]
        )
    )
    notes = [(t("pdf.screen.note"), str(note)) for note in report.notes]
    if report.extra_columns:
        notes.insert(0, (t("pdf.screen.columns_kept"), ", ".join(report.extra_columns)))
    if notes:
        body.append(para(t("pdf.screen.note"), styles["h3"]))
        body.extend(label_table(notes, width, styles=styles, label_share=0.2))
    build_report(
        path,
        story,
        body,
        text=t,
        styles=styles,
        options=options,
        outline=outline,
        listed=listed,
        title=title,
        subject=t("pdf.subject_screening"),
        keywords=t("pdf.keywords", list=report.slug, versions=report.version),
    )
    return summary


def pdf_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``pdf`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    return write_pdf(report, path, options)
