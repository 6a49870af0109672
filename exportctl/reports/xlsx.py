"""The change report as an XLSX workbook for colleagues.

A ``Summary`` sheet (list, versions, sources with SHA-256, the tie-out, counts
by kind and by HS section) and one sheet per change kind with the columns of the
CSV report; a kind longer than Excel's 1,048,575 rows goes on in ``Added (2)``...
Change sheets have the header row frozen, filters on and column widths set. Codes
are stored as text (number format ``@``) so no zero is lost, and every text cell
is neutralised as :func:`exportctl.reports.safe.neutralise` does.

xlsxwriter runs in ``constant_memory`` mode (each row is flushed as it is
written), so a report of a million changes does not need a million rows in memory.
The rows of the change sheets are written as XML straight into xlsxwriter's row
file (:func:`_stream_rows`), several times faster than a ``write_string`` call a
cell; they are the same XML those calls would write.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import IO, Any

from exportctl.diff import CHANGE_KINDS, Change, ChangeSet, Summary, VersionInfo, summarise
from exportctl.reports import XLSX_MAX_ROWS, sheet_title
from exportctl.reports.csv import CHANGE_COLUMNS, change_values
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.safe import needs_quote, neutralise

__all__ = ["SHEET_NAMES", "write_xlsx"]

SHEET_NAMES: dict[str, str] = {
    "added": "Added",
    "removed": "Removed",
    "modified": "Modified",
    "renumbered": "Renumbered",
    "recoded": "Recoded",
    "split": "Split",
    "merged": "Merged",
}
"""Sheet name of each change kind (after the ``Summary`` sheet)."""

_MAX_TEXT = 32_767
"""Longest text in a cell, in UTF-16 units."""
_SHORT_TEXT = _MAX_TEXT // 2
"""Text up to this many characters is within :data:`_MAX_TEXT` whatever it holds."""
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_SPECIAL_TEXT = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
"""Text that :func:`_text_element` has to change (anything else is written as it is)."""

_TEXT_COLUMNS = frozenset({"code", "code_digits", "old_code", "chapter", "related_codes"})
_WIDTHS: dict[str, float] = {
    "change": 11,
    "code": 15,
    "code_digits": 13,
    "old_code": 15,
    "ex": 4,
    "chapter": 8,
    "section": 8,
    "serial": 7,
    "old_serial": 9,
    "old_description": 40,
    "new_description": 40,
    "old_description_en": 36,
    "new_description_en": 36,
    "old_category": 14,
    "new_category": 14,
    "old_note": 20,
    "new_note": 20,
    "old_sub_items": 40,
    "new_sub_items": 40,
    "old_control_numbers": 20,
    "new_control_numbers": 20,
    "fields_changed": 22,
    "related_codes": 28,
}


def write_xlsx(
    changes: ChangeSet,
    target: Path | IO[bytes],
    *,
    summary: Summary | None = None,
    generated_at: dt.datetime | None = None,
) -> None:
    """Write the XLSX report.

    Args:
        changes: The change set.
        target: A path or a binary stream.
        summary: Its summary (computed when not given).
        generated_at: Time printed on the summary sheet (now, UTC, when not given).
    """
    import xlsxwriter

    summary = summary or summarise(changes)
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    options = {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, options)
    try:
        formats = {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "bold": book.add_format({"bold": True}),
            "header": book.add_format(
                {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True}
            ),
            "text": book.add_format({"num_format": "@"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "int": book.add_format({"num_format": "#,##0"}),
            "bad": book.add_format({"bold": True, "font_color": "#B00020"}),
            "good": book.add_format({"bold": True, "font_color": "#1B5E20"}),
        }
        _summary_sheet(book, formats, changes, summary, generated_at)
        _kind_sheets(book, formats, changes)
    finally:
        book.close()


def _text(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool | str):
        sheet.write_string(row, col, neutralise(str(value)), fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _version_rows(label: str, info: VersionInfo | None) -> list[tuple[str, Any]]:
    if info is None:
        return [(label, "")]
    effective = info.effective.isoformat() if info.effective else "undated"
    sheet = f" [{info.source_sheet}]" if info.source_sheet else ""
    by = f" by {info.status_by}" if info.status_by else ""
    rows: list[tuple[str, Any]] = [
        (label, f"{info.label} (effective {effective})"),
        (f"{label} status", f"{info.status}{by}"),
    ]
    if info.notice:
        rows.append((f"{label} notice", info.notice))
    rows += [
        (f"{label} source", f"{info.source_file}{sheet}"),
        (f"{label} SHA-256", info.source_sha256),
    ]
    if len(info.sections) > 1:
        rows += [
            (f"{label} {part.shown}", f"{part.item_count:,} entries") for part in info.sections
        ]
    rows += [(f"{label} declared counts", warning) for warning in info.declared_warnings]
    return rows


def _summary_sheet(
    book: Any,
    formats: dict[str, Any],
    changes: ChangeSet,
    summary: Summary,
    generated_at: dt.datetime,
) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 10, 12)
    old = changes.old_version.label if changes.old_version else "old"
    new = changes.new_version.label if changes.new_version else "new"
    name = changes.list_name or changes.list_slug
    _text(sheet, 0, 0, f"Changes to {name}: {old} → {new}", formats["title"])
    rows: list[tuple[str, Any]] = [
        ("List", changes.list_slug),
        *_version_rows("From", changes.old_version),
        *_version_rows("To", changes.new_version),
        ("Fields compared", ", ".join(changes.fields)),
        ("Generated", generated_at.isoformat(timespec="seconds")),
    ]
    r = 2
    for key, value in rows:
        _text(sheet, r, 0, key, formats["bold"])
        _text(sheet, r, 1, value)
        r += 1
    r += 1
    _text(sheet, r, 0, "Tie-out", formats["title"])
    r += 1
    counts: list[tuple[str, int | None]] = [
        ("Items before", summary.before),
        ("Items after", summary.after),
        ("Added (all new codes)", summary.added),
        ("Removed (all codes gone)", summary.removed),
        ("Modified", summary.modified),
        ("Unchanged", summary.unchanged),
        ("Declared total", summary.declared_total),
        ("Declared added", summary.declared_added),
        ("Declared removed", summary.declared_removed),
    ]
    for key, number in counts:
        _text(sheet, r, 0, key, formats["bold"])
        if number is not None:
            sheet.write_number(r, 1, number, formats["int"])
        else:
            _text(sheet, r, 1, "not declared")
        r += 1
    verdict = "Reconciles" if summary.reconciles else "DOES NOT RECONCILE"
    _text(sheet, r, 0, "Verdict", formats["bold"])
    _text(sheet, r, 1, verdict, formats["good" if summary.reconciles else "bad"])
    r += 1
    for statement in summary.statements:
        _text(sheet, r, 1, statement)
        r += 1
    r += 1
    _text(sheet, r, 0, "Changes by kind", formats["title"])
    r += 1
    for kind in CHANGE_KINDS:
        _text(sheet, r, 0, SHEET_NAMES[kind], formats["bold"])
        sheet.write_number(r, 1, summary.kinds.get(kind, 0), formats["int"])
        r += 1
    r += 1
    _text(sheet, r, 0, "Changes by HS section", formats["title"])
    r += 1
    header = ["Section", "Name", *[SHEET_NAMES[k] for k in CHANGE_KINDS], "Total"]
    for c, title in enumerate(header):
        _text(sheet, r, c, title, formats["header"])
    r += 1
    for group in summary.by_section:
        _text(sheet, r, 0, group.key, formats["text"])
        _text(sheet, r, 1, group.name)
        for c, kind in enumerate(CHANGE_KINDS, start=2):
            sheet.write_number(r, c, group.counts[kind], formats["int"])
        sheet.write_number(r, 2 + len(CHANGE_KINDS), group.total, formats["int"])
        r += 1


def _kind_sheets(book: Any, formats: dict[str, Any], changes: ChangeSet) -> None:
    by_kind: dict[str, list[Change]] = {kind: [] for kind in CHANGE_KINDS}
    for change in changes.changes:
        bucket = by_kind.get(change.kind)
        if bucket is not None:
            bucket.append(change)
    per_sheet = XLSX_MAX_ROWS - 1  # below the header row
    for kind in CHANGE_KINDS:
        found = by_kind[kind]
        # A kind too long for one sheet goes on in "Added (2)", "Added (3)"...
        for part, start in enumerate(range(0, max(len(found), 1), per_sheet), start=1):
            title = sheet_title(SHEET_NAMES[kind], part)
            _kind_sheet(book, formats, title, found[start : start + per_sheet])


def _kind_sheet(book: Any, formats: dict[str, Any], title: str, changes: list[Change]) -> None:
    sheet = book.add_worksheet(title)
    column_formats = [formats["text"] if c in _TEXT_COLUMNS else None for c in CHANGE_COLUMNS]
    for c, column in enumerate(CHANGE_COLUMNS):
        sheet.set_column(c, c, _WIDTHS.get(column, 14), column_formats[c])
        sheet.write_string(0, c, column, formats["header"])
    sheet.freeze_panes(1, 0)
    if changes and _streamable(sheet):
        _stream_rows(sheet, column_formats, changes)
    else:
        _write_rows(sheet, column_formats, changes)
    sheet.autofilter(0, 0, max(len(changes), 1), len(CHANGE_COLUMNS) - 1)


def _write_rows(sheet: Any, column_formats: list[Any], changes: list[Change]) -> None:
    """Write the data rows cell by cell through xlsxwriter's public methods."""
    columns = list(enumerate(column_formats))
    for r, change in enumerate(changes, start=1):
        for (c, fmt), value in zip(columns, change_values(change), strict=True):
            _text(sheet, r, c, value, fmt)


def _streamable(sheet: Any) -> bool:
    """Whether :func:`_stream_rows` can write into this worksheet's row file."""
    return bool(getattr(sheet, "constant_memory", False)) and all(
        hasattr(sheet, name) for name in ("fh", "_write_single_row", "dim_rowmax")
    )


def _stream_rows(sheet: Any, column_formats: list[Any], changes: list[Change]) -> None:
    """Write the data rows as XML straight into the worksheet's row file.

    In ``constant_memory`` mode xlsxwriter keeps one row of cells and appends each
    finished row as ``<row>`` XML to a temporary file, which becomes the sheet's
    ``<sheetData>``. Going through ``write_string`` costs several microseconds a
    cell in argument checks, a cell object and XML escaping; this writes the same
    XML (``inlineStr`` cells, the column's style, numbers as ``%.16G``) a row at a
    time. The header row must already be written (it is flushed first); the
    worksheet's dimensions are then extended over the rows written here, and
    xlsxwriter refuses later writes to any row up to the last of them. The caller
    hands over no more rows than a sheet holds (``XLSX_MAX_ROWS`` - 1).

    Args:
        sheet: An xlsxwriter worksheet of a ``constant_memory`` workbook.
        column_formats: The format of each column (``None`` for none).
        changes: The changes, one row each from the second row on.
    """
    from xlsxwriter.utility import xl_col_to_name

    count = len(changes)
    sheet._write_single_row(count + 1)
    styles = [f' s="{fmt._get_xf_index()}"' if fmt is not None else "" for fmt in column_formats]
    starts = [f'<c r="{xl_col_to_name(c)}' for c in range(len(CHANGE_COLUMNS))]
    string_ends = [f'"{style} t="inlineStr"><is>' for style in styles]
    number_ends = [f'"{style}><v>' for style in styles]
    special = _SPECIAL_TEXT.search
    write = sheet.fh.write
    for r in range(count):
        n = str(r + 2)
        cells = [f'<row r="{n}">']
        for c, value in enumerate(change_values(changes[r])):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                if needs_quote(value):
                    value = "'" + value
                if len(value) > _SHORT_TEXT or special(value):
                    text = _text_element(value)
                else:
                    text = f"<t>{value}</t>"
                cells.append(f"{starts[c]}{n}{string_ends[c]}{text}</is></c>")
            else:
                cells.append(f"{starts[c]}{n}{number_ends[c]}{value:.16G}</v></c>")
        if len(cells) > 1:
            cells.append("</row>")
            write("".join(cells))
    sheet.dim_rowmax = max(sheet.dim_rowmax or 0, count)


def _text_element(text: str) -> str:
    """The ``<t>`` element of a text cell, escaped as xlsxwriter escapes it.

    Text longer than Excel's limit of 32,767 UTF-16 units is cut there; a literal
    ``_xHHHH_`` is escaped as ``_x005F_xHHHH_`` and control characters become
    ``_xHHHH_``; leading or trailing whitespace is kept with ``xml:space``;
    ``&``, ``<`` and ``>`` become entities. Unlike xlsxwriter, text that looks
    like rich-text XML (``<r>...</r>``) is escaped too, not copied into the sheet.
    """
    if len(text) > _SHORT_TEXT and len(text.encode("utf-16-le", "surrogatepass")) > 2 * _MAX_TEXT:
        units = 0
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > _MAX_TEXT:
                text = text[:index]
                break
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{space}>{text}</t>"


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_xlsx(changes, path, generated_at=options.evidence.generated_at)
