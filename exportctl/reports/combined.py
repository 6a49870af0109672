"""Reports of a catalogue screened against several lists at once: CSV, XLSX and JSON.

One row per catalogue row: its SKU, description and code (dotted, and digits), the
overall verdict, then for each list its status, deciding entry and reason, then the
catalogue's own other columns. Rows stream from :class:`CombinedReport`; nothing holds
the catalogue. Every report carries the record of the run and, for each list, the
version screened against (see :mod:`exportctl.reports.evidence`).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from exportctl.diff import dotted
from exportctl.reports.cells import csv_cell
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.language import Text
from exportctl.reports.screening import summary_rows
from exportctl.reports.tabular import report_json, write_text
from exportctl.reports.workbook import open_workbook, print_setup, readable_widths
from exportctl.screen.combined import CombinedReport, CombinedRow
from exportctl.screen.results import ScreenResult

__all__ = ["csv_report", "header", "json_report", "row_values", "xlsx_report"]


def header(report: CombinedReport, text: Text | None) -> list[str]:
    """Column headers: in words (``text``), or machine names (None)."""
    extra = report.reports[0].extra_columns
    if text is None:
        shared = ["row", "sku", "description", "code", "code_digits", "overall"]
        per_list = [
            f"{kind}_{slug}" for slug in report.slugs for kind in ("status", "entry", "reason")
        ]
        return [*shared, *per_list, *extra]
    words = [text.column(name) for name in ("row", "sku", "description", "code", "code_digits")]
    words.append(text.column("overall"))
    for slug in report.slugs:
        words += [text(f"combined.{kind}", list=slug) for kind in ("status", "entry", "reason")]
    return [*words, *extra]


def _entry(result: ScreenResult) -> str:
    entry = result.entry
    if entry is None:
        return ""
    serial = f"No. {entry.serial} " if entry.serial is not None else ""
    code = ("ex " if entry.ex else "") + dotted(entry.code) if entry.code else ""
    return f"{serial}{code}".strip() or entry.description[:80]


def row_values(row: CombinedRow, text: Text | None) -> list[Any]:
    """One row's values in :func:`header` order; statuses in words with ``text``."""
    first = row.first
    word = (lambda status: text.status(status)) if text is not None else (lambda s: s)
    values: list[Any] = [
        first.row,
        first.sku,
        first.description,
        dotted(first.code) if first.code else None,
        first.code,
        word(row.overall),
    ]
    for result in row.results:
        reason = result.reason_in(text.lang) if text is not None else result.reason
        values += [word(result.status), _entry(result), reason]
    return [*values, *first.extra]


def csv_report(report: CombinedReport, path: Path, options: ReportOptions) -> CombinedReport:
    """The ``combined``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    excel = options.csv_dialect == "excel"
    text = options.text if excel else None
    with path.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header(report, text))
        for row in report.rows:
            writer.writerow([csv_cell(v, options.csv_dialect) for v in row_values(row, text)])
    return report


def json_report(report: CombinedReport, path: Path, options: ReportOptions) -> CombinedReport:
    """The ``combined``/``json`` entry: the record, each list's run, every row."""
    slugs = report.slugs
    rows = [row.to_json(slugs) for row in report.rows]
    data = {
        "report": report_json(options),
        "lists": [
            {**run.header_json(), "summary": run.summary.to_json()} for run in report.reports
        ],
        "overall": report.overall_json(),
        "rows": rows,
    }
    with path.open("w", encoding="utf-8", newline="\n") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
    return report


def xlsx_report(report: CombinedReport, path: Path, options: ReportOptions) -> CombinedReport:
    """The ``combined``/``xlsx`` entry: a Rows sheet (statuses coloured), then a Summary
    sheet with the record, the overall counts and each list's version and counts."""
    from exportctl.reports.screening import STATUS_COLOURS

    t = options.text
    title = t("combined.title", count=len(report.reports))
    book = open_workbook(path, options, title=title, subject="exportctl screen")
    try:
        bold = book.add_format({"bold": True})
        head = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        colours = {
            t.status(s): book.add_format({"bg_color": c}) for s, c in STATUS_COLOURS.items() if c
        }
        rows_sheet = book.add_worksheet(t("combined.rows_sheet"))
        names = header(report, t)
        widths = readable_widths(
            [40 if "reason" in name or col == 2 else 16 for col, name in enumerate(names)]
        )
        for col, name in enumerate(names):
            rows_sheet.set_column(col, col, widths[col])
            write_text(rows_sheet, 0, col, name, head)
        rows_sheet.freeze_panes(1, 0)
        print_setup(rows_sheet, title=title)
        line = 0
        for row in report.rows:
            line += 1
            for col, value in enumerate(row_values(row, t)):
                if value is None or value == "":
                    continue
                if isinstance(value, int):
                    rows_sheet.write_number(line, col, value)
                else:
                    write_text(rows_sheet, line, col, str(value), colours.get(str(value)))
        rows_sheet.autofilter(0, 0, max(line, 1), len(names) - 1)
        summary = book.add_worksheet(t("combined.summary_sheet"))
        summary.set_column(0, 0, 30)
        summary.set_column(1, 1, 80)
        print_setup(summary, title=title, header_rows=0, landscape=False)
        write_text(summary, 0, 0, title, bold)
        zone = options.evidence.generated_at.tzinfo
        lines: list[tuple[str, Any]] = list(options.evidence.rows(t))
        lines.append((t("combined.rows"), report.total))
        lines += [
            (f"{t('combined.overall')}: {t.status(s)}", report.overall[s])
            for s in ("controlled", "review", "invalid", "clear")
        ]
        for run in report.reports:
            lines.append(("", ""))
            lines.append((t("combined.list_heading", list=run.slug), ""))
            lines += summary_rows(run, t, zone=zone)
        for offset, (label, value) in enumerate(lines, start=2):
            if label:
                write_text(summary, offset, 0, label, bold)
            if isinstance(value, int):
                summary.write_number(offset, 1, value)
            elif value:
                write_text(summary, offset, 1, str(value))
    finally:
        book.close()
    return report
