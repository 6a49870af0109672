"""Writers for screening results: CSV, XLSX, PDF and JSON.

Every writer reads :attr:`ScreenReport.results` once, in file order, and
returns the completed :class:`~exportctl.screen.ScreenSummary`. Nothing holds
all rows: CSV and JSON rows are written as they come (JSON through a spool file
so the summary can come first), XLSX uses xlsxwriter's ``constant_memory``
mode, and the PDF keeps at most :data:`PDF_MAX_ROWS` non-clear rows. Text cells
go through :func:`~exportctl.reports.safe.neutralise` so no cell can start a
formula.

The catalogue's other columns (:attr:`ScreenReport.extra_columns`) follow the
verdict columns in CSV and XLSX, headed exactly as in the catalogue, so the
officer gets their own sheet back with a verdict on each row; JSON gives them
as ``extra_columns`` in the head and an aligned ``extra`` list per row.

What a run could not check (:attr:`ScreenReport.warnings`: no description
column while the version has entries defined by name; codes read with zeros
put back) heads the XLSX Summary sheet and the PDF's first page, and is in the
JSON head. A CSV report has no place for it outside the row table: a leading
or trailing line would break every program reading the table, and it is only
complete once the last row is read. So a CSV carries it row by row instead:
each clear row whose name entries went unchecked says so in ``reason`` ("the
row has no description, so the N list entries defined by name were not
checked"), and a recovered code's row says how it was read.

Example:
    >>> report = api.screen_catalogue(engine, Path("catalogue.xlsx"), "kr-russia",
    ...                               as_of=dt.date(2024, 7, 1))
    >>> summary = write_screen_report(report, "xlsx", Path("screen.xlsx"))
    >>> summary.counts["controlled"]
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from exportctl.bulk import paused_gc
from exportctl.reports import FORMATS as FORMATS
from exportctl.reports import XLSX_MAX_ROWS, sheet_title
from exportctl.reports import Format as Format
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.files import atomic_path
from exportctl.reports.safe import neutralise
from exportctl.screen import STATUSES, ScreenReport, ScreenResult, ScreenSummary

COLUMNS: tuple[str, ...] = (
    "row",
    "sku",
    "description",
    "code",
    "original_code",
    "status",
    "previous_status",
    "change",
    "entry_section",
    "entry_serial",
    "entry_code",
    "entry_ex",
    "entry_description",
    "matched_words",
    "reason",
    "version",
)
"""Column order of the CSV and the XLSX results sheet."""

STATUS_COLOURS: dict[str, str | None] = {
    "controlled": "#F8CBAD",
    "review": "#FFE699",
    "clear": None,
    "invalid": "#D9D9D9",
}
"""Background colour of each status, the same in the XLSX and the PDF (clear: none)."""

PDF_MAX_ROWS = 2_000
"""Non-clear rows listed in a PDF; the rest are counted and left to CSV/XLSX."""


def columns_of(report: ScreenReport) -> tuple[str, ...]:
    """The header of the CSV and XLSX results: :data:`COLUMNS`, then the catalogue's own."""
    return (*COLUMNS, *report.extra_columns)


def result_cells(result: ScreenResult, version: str) -> list[Any]:
    """One result as a row of :func:`columns_of`, text cells neutralised."""
    entry = result.entry
    cells = [
        result.row,
        neutralise(result.sku),
        neutralise(result.description),
        result.code,
        neutralise(result.original_code),
        result.status,
        result.previous_status,
        result.change,
        entry.section if entry is not None else None,
        entry.serial if entry is not None else None,
        entry.code if entry is not None else None,
        ("ex" if entry.ex else "") if entry is not None else None,
        neutralise(entry.description) if entry is not None else None,
        neutralise(" ".join(result.words)),
        neutralise(result.reason),
        neutralise(version),
    ]
    if result.extra:
        cells += map(neutralise, result.extra)
    return cells


def summary_rows(report: ScreenReport) -> list[tuple[str, Any]]:
    """Label/value pairs heading every report: what was screened, then the counts."""
    summary = report.summary
    rows: list[tuple[str, Any]] = [
        ("List", report.slug),
        ("Version", report.version),
        ("Effective", report.effective or "undated"),
    ]
    if report.notice:
        rows.append(("Notice", report.notice))
    if len(report.sections) > 1:
        rows += [
            (f"Part {number}", title or "(untitled)")
            for number, title in sorted(report.sections.items())
        ]
    if report.compare:
        rows.append(("Compared with", report.compare))
    rows += [
        ("Catalogue", report.file + (f' (sheet "{report.sheet}")' if report.sheet else "")),
        ("Catalogue SHA-256", report.sha256),
    ]
    rows += [("Warning", warning) for warning in report.warnings]
    if report.extra_columns:
        rows.append(("Columns kept", ", ".join(report.extra_columns)))
    rows.append(("Rows screened", summary.total))
    rows += [(status.capitalize(), summary.counts[status]) for status in STATUSES]
    if summary.compared:
        rows.append(("Status changed", summary.changed))
        rows += [(change.capitalize(), n) for change, n in sorted(summary.changes.items())]
    rows += [("Note", str(note)) for note in report.notes]
    return rows


# --------------------------------------------------------------------------- CSV


def write_csv(report: ScreenReport, out: IO[str]) -> ScreenSummary:
    """Write one CSV row per result to a text stream (the caller picks BOM/encoding).

    Args:
        report: The run to write; its results are consumed.
        out: A text stream opened with ``newline=""``.

    Returns:
        The completed summary.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns_of(report))
    version = report.version
    writer.writerows(result_cells(result, version) for result in report.results)
    return report.summary


# --------------------------------------------------------------------------- JSON


def write_json(report: ScreenReport, out: IO[str]) -> ScreenSummary:
    """Write the ``screen --format json`` object, streaming rows.

    Rows go to a spool file first (in memory while small, on disk beyond 16 MB)
    so that ``summary`` can precede ``rows`` without holding the rows.

    Args:
        report: The run to write; its results are consumed.
        out: A text stream.

    Returns:
        The completed summary.
    """
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with tempfile.SpooledTemporaryFile(
        max_size=16 * 1024 * 1024, mode="w+", encoding="utf-8", newline="\n"
    ) as spool:
        first = True
        for result in report.results:
            spool.write(("\n    " if first else ",\n    ") + dumps(result.to_json()))
            first = False
        head = report.header_json()
        head["notes"] = [note.to_json() for note in report.notes]
        head["summary"] = report.summary.to_json()
        text = json.dumps(head, ensure_ascii=False, indent=2)
        out.write(text[: text.rindex("}")].rstrip() + ',\n  "rows": [')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write("\n  ]\n}\n" if not first else "]\n}\n")
    return report.summary


# --------------------------------------------------------------------------- XLSX

_XLSX_WIDTHS = {
    "row": 7,
    "sku": 16,
    "description": 40,
    "code": 14,
    "original_code": 14,
    "status": 11,
    "previous_status": 11,
    "change": 18,
    "entry_section": 8,
    "entry_serial": 8,
    "entry_code": 12,
    "entry_ex": 6,
    "entry_description": 40,
    "matched_words": 18,
    "reason": 70,
    "version": 10,
}
_XLSX_EXTRA_WIDTH = 16


def write_xlsx(report: ScreenReport, path: Path) -> ScreenSummary:
    """Write an XLSX workbook: Summary sheet first, then every row, then changes.

    Written with xlsxwriter's ``constant_memory`` mode, so memory stays flat for
    a million rows; rows past Excel's 1,048,575 go on in ``Screening (2)``... Codes are
    written as text; headers are frozen and filtered.

    Args:
        report: The run to write; its results are consumed.
        path: Where to write.

    Returns:
        The completed summary.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False},
    )
    try:
        bold = book.add_format({"bold": True})
        header = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        status_formats = {
            status: book.add_format({"bg_color": colour}) if colour else None
            for status, colour in STATUS_COLOURS.items()
        }
        summary_sheet = book.add_worksheet("Summary")
        columns = columns_of(report)

        def new_sheet(title: str) -> Any:
            sheet = book.add_worksheet(title)
            for col, name in enumerate(columns):
                width = _XLSX_WIDTHS[name] if col < len(COLUMNS) else _XLSX_EXTRA_WIDTH
                sheet.set_column(col, col, width)
                sheet.write_string(0, col, name, header)
            sheet.freeze_panes(1, 0)
            return sheet

        rows_table = _SheetRun("Screening", new_sheet, len(columns))
        changes_table = _SheetRun("Changes", new_sheet, len(columns)) if report.compare else None
        status_col = COLUMNS.index("status")
        version = report.version
        for result in report.results:
            cells = result_cells(result, version)
            fmt = status_formats[result.status]
            rows_table.add(cells, status_col, fmt)
            if changes_table is not None and result.changed:
                changes_table.add(cells, status_col, fmt)
        rows_table.close()
        if changes_table is not None:
            changes_table.close()
        summary_sheet.set_column(0, 0, 22)
        summary_sheet.set_column(1, 1, 70)
        summary_sheet.write_string(0, 0, "Catalogue screening", bold)
        for offset, (label, value) in enumerate(summary_rows(report), start=2):
            summary_sheet.write_string(offset, 0, label, bold)
            if isinstance(value, int):
                summary_sheet.write_number(offset, 1, value)
            else:
                summary_sheet.write_string(offset, 1, str(neutralise(value)))
    finally:
        book.close()
    return report.summary


class _SheetRun:
    """One table of the screening workbook, over as many sheets as Excel's row limit needs.

    The first sheet is made at once (an empty table still has its header); when
    one is full the rows go on in ``Screening (2)``, ``Screening (3)``... Each
    sheet gets filters over its rows.
    """

    def __init__(self, title: str, new_sheet: Callable[[str], Any], width: int) -> None:
        self._title = title
        self._width = width
        self._new_sheet = new_sheet
        self._part = 1
        self._sheet = new_sheet(title)
        self._line = 0

    def add(self, cells: list[Any], status_col: int, fmt: Any) -> None:
        """Write one row, starting the next sheet when this one is full."""
        if self._line == XLSX_MAX_ROWS - 1:
            self._filter()
            self._part += 1
            self._sheet = self._new_sheet(sheet_title(self._title, self._part))
            self._line = 0
        self._line += 1
        _write_row(self._sheet, self._line, cells, status_col, fmt)

    def close(self) -> None:
        """Put filters on the last sheet."""
        self._filter()

    def _filter(self) -> None:
        self._sheet.autofilter(0, 0, max(self._line, 1), self._width - 1)


def _write_row(sheet: Any, line: int, cells: list[Any], status_col: int, fmt: Any) -> None:
    for col, value in enumerate(cells):
        if value is None or value == "":
            continue
        if isinstance(value, int):
            sheet.write_number(line, col, value)
        elif col == status_col and fmt is not None:
            sheet.write_string(line, col, value, fmt)
        else:
            sheet.write_string(line, col, value)


# --------------------------------------------------------------------------- dispatch


def format_for(path: Path | None, fmt: str | None) -> Format:
    """The format to write: ``fmt`` when given, else from the file extension, else JSON.

    Raises:
        ValueError: The extension or format is not one of :data:`FORMATS`.
    """
    chosen = fmt or (path.suffix.lower().lstrip(".") if path is not None else "json")
    for known in FORMATS:
        if chosen == known:
            return known
    raise ValueError(
        f"cannot tell the report format from {chosen!r}; use one of {', '.join(FORMATS)}"
    )


@paused_gc()
def write_screen_report(report: ScreenReport, fmt: Format, path: Path) -> ScreenSummary:
    """Write ``report`` to ``path`` in ``fmt``; the file appears only when complete.

    CSV is written in UTF-8 with a BOM (Excel then reads Hangul correctly).

    Returns:
        The completed summary.
    """
    writers: dict[str, Callable[[ScreenReport, Path], ScreenSummary]] = {
        "csv": _csv_file,
        "json": _json_file,
        "xlsx": write_xlsx,
        "pdf": _pdf_file,
    }
    with atomic_path(path) as temp:
        return writers[fmt](report, temp)


def _csv_file(report: ScreenReport, path: Path) -> ScreenSummary:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        return write_csv(report, out)


def _json_file(report: ScreenReport, path: Path) -> ScreenSummary:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        return write_json(report, out)


# --------------------------------------------------------------------------- registry


def csv_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    return _csv_file(report, path)


def json_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``json`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    return _json_file(report, path)


def xlsx_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    return write_xlsx(report, path)


def _pdf_file(report: ScreenReport, path: Path) -> ScreenSummary:
    from exportctl.reports.screening_pdf import write_pdf

    return write_pdf(report, path)
