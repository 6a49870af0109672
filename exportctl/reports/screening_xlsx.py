"""The screening report as an XLSX workbook: the rows, coloured by status, then the
Summary sheet with the run's record (see :mod:`exportctl.reports.screening`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from exportctl.bulk import paused_gc
from exportctl.reports import XLSX_MAX_ROWS, sheet_title
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.screening import (
    PEOPLE_COLUMNS,
    STATUS_COLOURS,
    PeopleCells,
    report_zone,
    summary_rows,
)
from exportctl.reports.sheet_rows import RowStream, Style
from exportctl.screen import ScreenReport, ScreenSummary

__all__ = ["write_xlsx"]


_XLSX_WIDTHS = {
    "row": 7,
    "sku": 16,
    "description": 40,
    "code": 14,
    "code_digits": 13,
    "original_code": 14,
    "status": 11,
    "previous_status": 11,
    "change": 18,
    "entry_section": 8,
    "entry_serial": 8,
    "entry_code": 13,
    "entry_ex": 7,
    "entry_description": 40,
    "entry_attributes": 16,
    "matched_words": 18,
    "reason": 70,
    "version": 10,
}
_XLSX_EXTRA_WIDTH = 16
_XLSX_TEXT_COLUMNS = frozenset({"sku", "code", "code_digits", "original_code", "entry_code"})
"""Columns formatted as text (``@``), so a code typed into them later keeps its zeros."""


@paused_gc()
def xlsx_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    return write_xlsx(report, path, options)


def write_xlsx(
    report: ScreenReport, path: Path | IO[bytes], options: ReportOptions | None = None
) -> ScreenSummary:
    """Write an XLSX workbook: Summary sheet first, then every row, then changes.

    Rows stream into xlsxwriter's ``constant_memory`` row files, so memory stays
    flat for a million rows; rows past Excel's 1,048,575 go on in ``Screening (2)``…
    Headers, status and change words and sheet names are in the report's language;
    text is written as it is (no apostrophes); codes are text cells, dotted with the
    digits beside them; status cells are coloured (:data:`STATUS_COLOURS`); headers
    are frozen and filtered and every sheet prints on A4 landscape. The Summary sheet
    holds the report's record, what was screened and the counts
    (:func:`summary_rows`).

    Args:
        report: The run to write; its results are consumed.
        path: Where to write.
        options: Language and the report's record (English, made now, when None).

    Returns:
        The completed summary.
    """
    from exportctl.reports.workbook import open_workbook, print_setup, readable_widths

    options = options or ReportOptions()
    t = options.text
    title = t("screening.title")
    book = open_workbook(path, options, title=title, subject=t("screening.subject"))
    try:
        header_format = book.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "top"}
        )
        text_format = book.add_format({"num_format": "@", "valign": "top"})
        summary_sheet = book.add_worksheet(t("screening.sheet.summary"))
        people = PeopleCells(t, report.version)
        names = [*PEOPLE_COLUMNS, *(None for _ in report.extra_columns)]
        header = people.header(report)
        # Codes and the row number keep their width; text narrowed to print at a
        # readable scale wraps in its cell.
        wrap_format = book.add_format({"text_wrap": True, "valign": "top"})
        formats = [text_format if name in _XLSX_TEXT_COLUMNS else wrap_format for name in names]
        keep = frozenset(i for i, n in enumerate(names) if n in (*_XLSX_TEXT_COLUMNS, "row"))
        widths = readable_widths(
            [_XLSX_WIDTHS[n] if n is not None else _XLSX_EXTRA_WIDTH for n in names], keep=keep
        )

        def new_sheet(sheet_name: str) -> tuple[Any, RowStream]:
            sheet = book.add_worksheet(sheet_name)
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width, formats[col])
                sheet.write_string(0, col, header[col], header_format)
            sheet.freeze_panes(1, 0)
            print_setup(sheet, title=f"{title}: {report.file}", header_rows=1)
            return sheet, RowStream(sheet, formats, widths)

        status_col = PEOPLE_COLUMNS.index("status")
        style = Style(formats)
        styles = {
            status: style.but(status_col, book.add_format({"bg_color": colour, "valign": "top"}))
            if colour
            else style
            for status, colour in STATUS_COLOURS.items()
        }
        rows_table = _SheetRun(t("screening.sheet.rows"), new_sheet, len(names))
        changes_table = (
            _SheetRun(t("screening.sheet.changes"), new_sheet, len(names))
            if report.compare
            else None
        )
        cells_of = people.cells
        add = rows_table.add
        for result in report.results:
            cells = cells_of(result)
            row_style = styles[result.status]
            add(cells, row_style)
            if changes_table is not None and result.changed:
                changes_table.add(cells, row_style)
        rows_table.close()
        if changes_table is not None:
            changes_table.close()
        _summary_sheet(book, summary_sheet, report, options)
    finally:
        book.close()
    return report.summary


def _summary_sheet(book: Any, sheet: Any, report: ScreenReport, options: ReportOptions) -> None:
    """The record, what was screened and the counts, label beside value."""
    from exportctl.reports.workbook import print_setup

    t = options.text
    heading = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "#,##0", "align": "left"})
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 90)
    title = t("screening.title")
    print_setup(sheet, title=title, header_rows=0, landscape=False)
    blocks: list[tuple[str, list[tuple[str, Any]]]] = [
        (
            t("evidence.heading"),
            [
                *options.evidence.rows(t),
                (t("evidence.language"), t("screening.language_name")),
            ],
        ),
        (t("screening.screened"), summary_rows(report, t, zone=report_zone(options))),
    ]
    sheet.write_string(0, 0, title, heading)
    rows = RowStream(sheet, [bold, wrap], [30, 90])
    line = 1
    for name, pairs in blocks:
        line += 1
        rows.write(line, [name], Style([heading, None]))
        for label, value in pairs:
            line += 1
            if isinstance(value, int) and not isinstance(value, bool):
                rows.write(line, [label, value], Style([bold, number]))
            else:
                rows.write(line, [label, "" if value is None else str(value)])
    rows.close()


class _SheetRun:
    """One table of the screening workbook, over as many sheets as Excel's row limit needs.

    The first sheet is made at once (an empty table still has its header); when
    one is full the rows go on in ``Screening (2)``, ``Screening (3)``... Each
    sheet gets filters over its rows.
    """

    def __init__(
        self, title: str, new_sheet: Callable[[str], tuple[Any, RowStream]], width: int
    ) -> None:
        self._title = title
        self._width = width
        self._new_sheet = new_sheet
        self._part = 1
        self._sheet, self._rows = new_sheet(title)
        self._line = 0

    def add(self, cells: list[Any], style: Style) -> None:
        """Write one row, starting the next sheet when this one is full."""
        if self._line == XLSX_MAX_ROWS - 1:
            self._finish()
            self._part += 1
            self._sheet, self._rows = self._new_sheet(sheet_title(self._title, self._part))
            self._line = 0
        self._line += 1
        self._rows.write(self._line, cells, style)

    def close(self) -> None:
        """Put filters on the last sheet."""
        self._finish()

    def _finish(self) -> None:
        self._rows.close()
        self._sheet.autofilter(0, 0, max(self._line, 1), self._width - 1)
