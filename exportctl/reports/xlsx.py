"""The change report as an XLSX workbook for colleagues.

A summary sheet (the report's record: local time with zone, operator, exportctl
version, database; the list and both versions with notice, effective date, status
with approver and time, source file and SHA-256; the tie-out; counts by kind and by
HS section) and one sheet per change kind with the columns of the CSV report, headed
in words in the report's language; a kind longer than Excel's 1,048,575 rows goes on
in ``Added (2)``... Change sheets have the header row frozen and repeated on every
printed page, filters on, column widths set, landscape A4 fit to width
(:func:`exportctl.reports.workbook.print_setup`); the workbook carries document
properties (title, author = operator).

Cells: codes (``code`` dotted, ``code_digits``) are text cells (number format
``@``) so no zero is lost; a serial of plain digits is a number, ``3의2`` text
(:func:`exportctl.reports.tabular.serial_value`); kinds and flags are words; counts
are formatted ``#,##0``. Text is written as it is, without an apostrophe: an XLSX
text cell cannot run as a formula. Text shaped like rich-text XML (``<r>…</r>``) is
escaped so it stays literal.

xlsxwriter runs in ``constant_memory`` mode (each row is flushed as it is
written), so a report of a million changes does not need a million rows in memory.
The rows of the change sheets are written as XML straight into xlsxwriter's row
file (:class:`~exportctl.reports.sheet_rows.RowStream`), several times faster than a
``write_string`` call a cell; they are the same XML those calls would write. Rows
whose narrowed text wraps are made tall enough to show it whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from exportctl.diff import CHANGE_KINDS, Change, ChangeSet, Summary, VersionInfo, summarise
from exportctl.reports import XLSX_MAX_ROWS, sheet_title
from exportctl.reports.csv import CHANGE_COLUMNS, ChangeWords, change_values
from exportctl.reports.evidence import Evidence, ReportOptions, info_rows
from exportctl.reports.language import Text, tie_out_sentences
from exportctl.reports.sheet_rows import RowStream
from exportctl.reports.tabular import write_text
from exportctl.reports.workbook import open_workbook, print_setup, readable_widths

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
"""Sheet name of each change kind in English (after the summary sheet); other
languages name them with ``kind.*`` of the word catalogue."""

_TEXT_COLUMNS = frozenset({"code", "code_digits", "old_code", "chapter", "related_codes"})
_WIDTHS: dict[str, float] = {
    "change": 11,
    "code": 15,
    "code_digits": 13,
    "old_code": 15,
    "ex": 6,
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


def _print_widths() -> list[float]:
    """Column widths of a change sheet, narrowed to print at a readable scale."""
    widths = [_WIDTHS.get(column, 14) for column in CHANGE_COLUMNS]
    keep = frozenset(i for i, c in enumerate(CHANGE_COLUMNS) if c in _KEEP_WIDTH)
    return readable_widths(widths, keep=keep)


_KEEP_WIDTH = frozenset({"change", "code", "code_digits", "old_code", "serial", "old_serial"})
"""Columns never narrowed: a cut code or serial misleads."""


def write_xlsx(
    changes: ChangeSet,
    target: Path | IO[bytes],
    *,
    summary: Summary | None = None,
    generated_at: dt.datetime | None = None,
    options: ReportOptions | None = None,
) -> None:
    """Write the XLSX report.

    Args:
        changes: The change set.
        target: A path or a binary stream.
        summary: Its summary (computed when not given).
        generated_at: Time of the report when no ``options`` are given (now when None).
        options: Language and the report's record (English, the current user, when None).
    """
    if options is None:
        from exportctl.config import current_actor

        options = ReportOptions(evidence=Evidence.now(operator=current_actor(), at=generated_at))
    summary = summary or summarise(changes)
    text = options.text
    old = changes.old_version.label if changes.old_version else "old"
    new = changes.new_version.label if changes.new_version else "new"
    name = changes.list_name or changes.list_slug
    title = text("tables.changes_title", list=name, old=old, new=new)
    book = open_workbook(target, options, title=title, subject=text("tables.changes_subject"))
    try:
        formats = {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "bold": book.add_format({"bold": True}),
            "header": book.add_format(
                {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True}
            ),
            "text": book.add_format({"num_format": "@", "valign": "top"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "int": book.add_format({"num_format": "#,##0"}),
            "bad": book.add_format({"bold": True, "font_color": "#B00020"}),
            "good": book.add_format({"bold": True, "font_color": "#1B5E20"}),
        }
        _summary_sheet(book, formats, changes, summary, options, title)
        _kind_sheets(book, formats, changes, text, title)
    finally:
        book.close()


def _text(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        write_text(sheet, row, col, value, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _notice(info: VersionInfo) -> str:
    parts = [info.notice_number, info.notice_date.isoformat() if info.notice_date else None]
    return ", ".join(p for p in (*parts, info.amendment) if p)


def _version_rows(text: Text, info: VersionInfo, zone: dt.tzinfo | None) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = list(info_rows(text, info, zone=zone, notice=_notice(info)))
    if len(info.sections) > 1:
        rows += [
            (
                text("tables.part", number=part.number),
                text(
                    "tables.part_entries",
                    title=part.title or text("tables.untitled"),
                    count=text.number(part.item_count),
                ),
            )
            for part in info.sections
        ]
    rows += [(text("tables.declared_counts"), warning) for warning in info.declared_warnings]
    return rows


def _summary_sheet(
    book: Any,
    formats: dict[str, Any],
    changes: ChangeSet,
    summary: Summary,
    options: ReportOptions,
    title: str,
) -> None:
    text = options.text
    sheet = book.add_worksheet(text("tables.summary_sheet"))
    # Landscape: the counts by section beside the sentences are eleven columns wide,
    # which portrait would print at 44 %.
    print_setup(sheet, title=title, header_rows=0)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 10, 12)
    _text(sheet, 0, 0, title, formats["title"])
    zone = options.evidence.generated_at.tzinfo
    r = 2

    def block(heading: str, rows: list[tuple[str, Any]]) -> None:
        nonlocal r
        _text(sheet, r, 0, heading, formats["title"])
        r += 1
        for key, value in rows:
            _text(sheet, r, 0, key, formats["bold"])
            _text(sheet, r, 1, value, formats["int"] if isinstance(value, int) else None)
            r += 1
        r += 1

    block(text("evidence.heading"), list(options.evidence.rows(text)))
    block(
        text("evidence.list"),
        [
            (text("evidence.list"), changes.list_slug),
            (text("tables.list_name"), changes.list_name or changes.list_slug),
            (
                text("tables.fields_compared"),
                ", ".join(text.column(field) for field in changes.fields),
            ),
        ],
    )
    for key, info in (
        ("tables.old_side", changes.old_version),
        ("tables.new_side", changes.new_version),
    ):
        if info is not None:
            block(text(key), _version_rows(text, info, zone))
    _text(sheet, r, 0, text("tables.tie_out"), formats["title"])
    r += 1
    counts: list[tuple[str, int | None]] = [
        ("tables.before", summary.before),
        ("tables.after", summary.after),
        ("tables.added_all", summary.added),
        ("tables.removed_all", summary.removed),
        ("kind.modified", summary.modified),
        ("tables.unchanged", summary.unchanged),
        ("tables.declared_total", summary.declared_total),
        ("tables.declared_added", summary.declared_added),
        ("tables.declared_removed", summary.declared_removed),
    ]
    for key, number in counts:
        _text(sheet, r, 0, text(key), formats["bold"])
        if number is not None:
            sheet.write_number(r, 1, number, formats["int"])
        else:
            _text(sheet, r, 1, text("value.not_declared"))
        r += 1
    verdict = text("tables.reconciles" if summary.reconciles else "tables.does_not_reconcile")
    _text(sheet, r, 0, text("tables.verdict"), formats["bold"])
    _text(sheet, r, 1, verdict, formats["good" if summary.reconciles else "bad"])
    r += 1
    for statement in tie_out_sentences(summary.checks, text):
        _text(sheet, r, 1, statement)
        r += 1
    r += 1
    _text(sheet, r, 0, text("tables.by_kind"), formats["title"])
    r += 1
    for kind in CHANGE_KINDS:
        _text(sheet, r, 0, text.kind(kind), formats["bold"])
        sheet.write_number(r, 1, summary.kinds.get(kind, 0), formats["int"])
        r += 1
    r += 1
    _text(sheet, r, 0, text("tables.by_section"), formats["title"])
    r += 1
    header = [
        text("tables.section"),
        text("tables.section_name"),
        *[text.kind(k) for k in CHANGE_KINDS],
        text("tables.total"),
    ]
    for c, heading in enumerate(header):
        _text(sheet, r, c, heading, formats["header"])
    r += 1
    for group in summary.by_section:
        _text(sheet, r, 0, group.key, formats["text"])
        _text(sheet, r, 1, text.section_name(group.key, group.name))
        for c, kind in enumerate(CHANGE_KINDS, start=2):
            sheet.write_number(r, c, group.counts[kind], formats["int"])
        sheet.write_number(r, 2 + len(CHANGE_KINDS), group.total, formats["int"])
        r += 1


def _kind_sheets(
    book: Any, formats: dict[str, Any], changes: ChangeSet, text: Text, title: str
) -> None:
    by_kind: dict[str, list[Change]] = {kind: [] for kind in CHANGE_KINDS}
    for change in changes.changes:
        bucket = by_kind.get(change.kind)
        if bucket is not None:
            bucket.append(change)
    per_sheet = XLSX_MAX_ROWS - 1  # below the header row
    words = ChangeWords(text)
    header = [text.column(column) for column in CHANGE_COLUMNS]
    for kind in CHANGE_KINDS:
        found = by_kind[kind]
        # A kind too long for one sheet goes on in "Added (2)", "Added (3)"...
        for part, start in enumerate(range(0, max(len(found), 1), per_sheet), start=1):
            name = sheet_title(text.kind(kind), part)
            sheet = _kind_sheet(
                book, formats, name, header, found[start : start + per_sheet], words
            )
            print_setup(sheet, title=f"{title} — {name}", header_rows=1)


def _kind_sheet(
    book: Any,
    formats: dict[str, Any],
    title: str,
    header: list[str],
    changes: list[Change],
    words: ChangeWords,
) -> Any:
    sheet = book.add_worksheet(title)
    # Text columns narrowed to print at a readable scale wrap in their cells.
    column_formats = [
        formats["text"] if c in _TEXT_COLUMNS else formats["wrap"] for c in CHANGE_COLUMNS
    ]
    widths = _print_widths()
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width, column_formats[c])
        sheet.write_string(0, c, header[c], formats["header"])
    sheet.freeze_panes(1, 0)
    if changes:
        rows = RowStream(sheet, column_formats, widths)
        for r, change in enumerate(changes, start=1):
            rows.write(r, change_values(change, words))
        rows.close()
    sheet.autofilter(0, 0, max(len(changes), 1), len(CHANGE_COLUMNS) - 1)
    return sheet


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_xlsx(changes, path, options=options)
