"""Cross-list comparison reports (``compare``): CSV, JSON and XLSX.

One row per entry of list A: its part, serial, code (dotted, and digits), ``ex``,
descriptions, how list B covers it, and the B entries involved (codes, serials,
descriptions, ``; ``-separated, covering entries first).

* CSV: ``excel`` dialect (headers and statuses in words, BOM, codes kept as text) or
  ``plain`` (machine names and values), cells through :func:`csv_cell`.
* JSON: ``{"report": {...}, "a": {...}, "b": {...}, "counts": {...}, "rows": [...]}``.
* XLSX: a ``Comparison`` sheet (frozen header, filters, print setup) and a ``Summary``
  sheet with both versions, the counts, the rule and the report's record.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from exportctl.crosslist import STATUSES, CrossList, CrossRow
from exportctl.hscode import HSCode
from exportctl.reports.cells import csv_cell
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.language import Text
from exportctl.reports.sheet_rows import row_points, wrap_widths
from exportctl.reports.tabular import flag, report_json, serial_value, write_text
from exportctl.reports.workbook import open_workbook, print_setup, readable_widths

__all__ = ["COLUMNS", "csv_report", "json_report", "row_values", "xlsx_report"]

COLUMNS: tuple[str, ...] = (
    "a_section",
    "a_serial",
    "a_code",
    "a_code_digits",
    "a_ex",
    "a_description",
    "a_description_en",
    "status",
    "b_codes",
    "b_serials",
    "b_descriptions",
)
"""Columns of the CSV and of the XLSX ``Comparison`` sheet (the ``plain`` CSV headers)."""

_WIDTHS = (8, 7, 15, 13, 6, 48, 36, 18, 30, 12, 60)
_TEXT_COLUMNS = frozenset({"a_code", "a_code_digits", "b_codes"})


def _dotted(code: str | None, ex: bool = False) -> str:
    return str(HSCode(code, ex)) if code else ""


def row_values(row: CrossRow, text: Text | None = None) -> tuple[Any, ...]:
    """One row in :data:`COLUMNS` order; flags and the status in ``text``'s words
    (machine values when None)."""
    entry = row.entry
    status = text(f"crosslist.status.{row.status}") if text is not None else row.status
    return (
        entry.section,
        serial_value(entry.serial),
        _dotted(entry.code),
        entry.code or "",
        flag(entry.ex, text),
        entry.description,
        entry.description_en or "",
        status,
        "; ".join(_dotted(m.code, m.ex) for m in row.matches),
        "; ".join(m.serial or "" for m in row.matches),
        "; ".join(m.description for m in row.matches),
    )


def csv_report(result: CrossList, path: Path, options: ReportOptions) -> None:
    """The ``crosslist``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    dialect = options.csv_dialect
    text = options.text if dialect == "excel" else None
    encoding = "utf-8-sig" if dialect == "excel" else "utf-8"
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        header = [text(f"crosslist.column.{c}") for c in COLUMNS] if text else list(COLUMNS)
        writer.writerow(header)
        for row in result.rows:
            writer.writerow([csv_cell(v, dialect) for v in row_values(row, text)])


def _row_json(row: CrossRow) -> dict[str, Any]:
    entry = row.entry
    return {
        "section": entry.section,
        "serial": entry.serial,
        "code": entry.code,
        "dotted": _dotted(entry.code) or None,
        "ex": entry.ex,
        "description": entry.description,
        "description_en": entry.description_en,
        "status": row.status,
        "b_entries": [
            {
                "serial": m.serial,
                "code": m.code,
                "ex": m.ex,
                "section": m.section,
                "description": m.description,
            }
            for m in row.matches
        ],
    }


def json_report(result: CrossList, path: Path, options: ReportOptions) -> None:
    """The ``crosslist``/``json`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    document = {
        "report": report_json(options),
        **result.summary_json(),
        "rows": [_row_json(row) for row in result.rows],
    }
    with path.open("w", encoding="utf-8", newline="\n") as out:
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")


def _side_rows(text: Text, side: Any) -> list[tuple[str, str]]:
    return [
        (
            text("evidence.list"),
            f"{side.slug}" + (f" — {side.list_name}" if side.list_name else ""),
        ),
        (text("evidence.version"), side.label),
        (text("evidence.effective"), text.date(side.effective)),
        (text("evidence.status"), text.status(side.status)),
        (text("evidence.items"), text.number(len(side.items))),
    ]


def xlsx_report(result: CrossList, path: Path, options: ReportOptions) -> None:
    """The ``crosslist``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    text = options.text
    title = text(
        "crosslist.title",
        a=f"{result.a.slug} {result.a.label}",
        b=f"{result.b.slug} {result.b.label}",
    )
    book = open_workbook(path, options, title=title, subject=text("crosslist.subject"))
    try:
        header = book.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True}
        )
        text_format = book.add_format({"num_format": "@", "valign": "top"})
        bold = book.add_format({"bold": True})
        heading = book.add_format({"bold": True, "font_size": 14})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        formats = [text_format if name in _TEXT_COLUMNS else wrap for name in COLUMNS]
        keep = frozenset(i for i, name in enumerate(COLUMNS) if name in _TEXT_COLUMNS)
        widths = readable_widths(list(_WIDTHS), keep=keep)
        sheet = book.add_worksheet(text("crosslist.rows_sheet"))
        for col, name in enumerate(COLUMNS):
            sheet.set_column(col, col, widths[col], formats[col])
            sheet.write_string(0, col, text(f"crosslist.column.{name}"), header)
        sheet.freeze_panes(1, 0)
        print_setup(sheet, title=title, header_rows=1)
        wraps = wrap_widths(formats, widths)
        line = 0
        for row in result.rows:
            line += 1
            values = row_values(row, text)
            points = row_points(values, wraps)
            if points is not None:
                sheet.set_row(line, points)
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, int):
                    sheet.write_number(line, col, value, formats[col])
                else:
                    write_text(sheet, line, col, str(value), formats[col])
        sheet.autofilter(0, 0, max(line, 1), len(COLUMNS) - 1)

        meta = book.add_worksheet(text("crosslist.summary_sheet"))
        print_setup(meta, title=title, header_rows=0, landscape=False)
        meta.set_column(0, 0, 28)
        meta.set_column(1, 1, 80)
        write_text(meta, 0, 0, title, heading)
        counts = result.counts
        count_rows = [(text(f"crosslist.status.{s}"), text.number(counts[s])) for s in STATUSES]
        count_rows.append((text("crosslist.total"), text.number(len(result.rows))))
        count_rows.append(("", text("crosslist.rule")))
        blocks = [
            (text("crosslist.list_a"), _side_rows(text, result.a)),
            (text("crosslist.list_b"), _side_rows(text, result.b)),
            (text("crosslist.counts"), count_rows),
            (text("evidence.heading"), options.evidence.rows(text)),
        ]
        line = 2
        for name, rows in blocks:
            write_text(meta, line, 0, name, heading)
            line += 1
            for key, value in rows:
                if key:
                    write_text(meta, line, 0, key, bold)
                if value:
                    write_text(meta, line, 1, value)
                line += 1
            line += 1
    finally:
        book.close()
