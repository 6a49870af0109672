"""Builders for messy list workbooks laid out the way officers receive them."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# A row: serial, code (str, int, float or (number, number_format)), Korean name,
# English name, category, note.
Row = tuple[Any, Any, str, str | None, str | None, str | None]


def _write_code(ws: Worksheet, row: int, col: int, code: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(code, tuple):
        cell.value, cell.number_format = code
    else:
        cell.value = code


def write_list_sheet(
    ws: Worksheet,
    rows: Sequence[Row],
    *,
    title: str = "러시아·벨라루스 상황허가 대상 품목 (전략물자 수출입고시 별표 2의2)",
    date_line: str = "2024. 2. 24. 기준",
    two_row_header: bool = True,
    footnotes: Sequence[str] = ("※ HS코드는 6단위 기준임", "주: ex는 해당 세번의 일부 품목만 해당"),
) -> int:
    """Fill ``ws`` with titles, a merged header, rows and footnotes; return the first data row."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.append([date_line])
    ws.append([])
    top = 4
    if two_row_header:
        ws.cell(row=top, column=1, value="연번")
        ws.cell(row=top, column=2, value="HS코드\n(6단위)")
        ws.cell(row=top, column=3, value="품목명")
        ws.cell(row=top + 1, column=3, value="국문")
        ws.cell(row=top + 1, column=4, value="영문")
        ws.cell(row=top, column=5, value="구분")
        ws.cell(row=top, column=6, value="비고")
        ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
        ws.merge_cells(start_row=top, start_column=2, end_row=top + 1, end_column=2)
        ws.merge_cells(start_row=top, start_column=3, end_row=top, end_column=4)
        ws.merge_cells(start_row=top, start_column=5, end_row=top + 1, end_column=5)
        ws.merge_cells(start_row=top, start_column=6, end_row=top + 1, end_column=6)
        first = top + 2
    else:
        for col, header in enumerate(["연번", "HS코드", "품목명", "영문품목명", "구분", "비고"], 1):
            ws.cell(row=top, column=col, value=header)
        first = top + 1
    r = first
    for serial, code, name, name_en, category, note in rows:
        ws.cell(row=r, column=1, value=serial)
        _write_code(ws, r, 2, code)
        ws.cell(row=r, column=3, value=name)
        ws.cell(row=r, column=4, value=name_en)
        ws.cell(row=r, column=5, value=category)
        ws.cell(row=r, column=6, value=note)
        r += 1
    r += 1  # a blank row before the footnotes, as published
    for line in footnotes:
        ws.cell(row=r, column=1, value=line)
        r += 1
    return first


def write_list_workbook(
    path: Path, rows: Sequence[Row], *, sheet: str = "별표2의2", cover: bool = False, **kw: Any
) -> Path:
    """Write a one-table list workbook (optionally behind a cover sheet)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if cover:
        ws.title = "표지"
        ws["A1"] = "전략물자 수출입고시 별표"
        ws["A3"] = "이 파일은 안내용입니다."
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    write_list_sheet(ws, rows, **kw)
    wb.save(path)
    return path


def simple_rows(
    codes: Sequence[str], start: int = 1, category: str = "일반산업용 물품"
) -> list[Row]:
    """Rows with running serials and plain text codes."""
    return [
        (start + i, code, f"품목 {code}", f"Item {code}", category, None)
        for i, code in enumerate(codes)
    ]


_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def write_ods(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "Sheet1") -> Path:
    """Write a one-sheet .ods file as LibreOffice stores one.

    A cell is text, ``None``, or ``(number, shown)``: a number with the text the
    application shows for it under its format (``(10121, "010121")``).
    """

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, tuple):
            number, shown = value
            return (
                '<table:table-cell office:value-type="float" '
                f"office:value={quoteattr(str(number))}>"
                f"<text:p>{escape(shown)}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    body = "".join(
        f"<table:table-row>{''.join(cell(value) for value in row)}</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet><table:table table:name={quoteattr(sheet)}>"
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return path


# An annex row: serial, code, Korean text, English text, control number, note.
AnnexRow = tuple[Any, Any, str | None, str | None, str | None, str | None]

ANNEX_WIDTH = 6


def annex_grid(
    parts: Sequence[tuple[str, Sequence[AnnexRow]]],
    *,
    header: str = "one-row",
    lead: Sequence[str] = (
        "[별표 2의2] <개정 2024. 2. 24., 2024. 6. 28.>",
        "산업통상자원부고시 제2024-123호(2024. 6. 28.)",
    ),
    repeat_header_before: int | None = None,
    footnotes: Sequence[str] = ("※ HS 코드는 6단위 기준임",),
) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """The cells of the consolidated annex, row by row, and its merged ranges.

    The first part's title stands just above the header (as the notice prints it);
    later titles stand between parts. ``header`` is ``"one-row"`` (연번 | HS코드 |
    품목명 | 영문품목명 | 통제번호 | 비고) or ``"two-row"`` (품목 merged over 국문 | 영문,
    the other headers merged down over both rows). ``repeat_header_before`` repeats
    the header (both rows) before that 0-based row of the last part, as a page break
    does. Merges are ``(first row, first column, last row, last column)``, 1-based.
    """
    rows: list[list[Any]] = [[line] for line in lead]
    merges: list[tuple[int, int, int, int]] = []

    def title(text: str) -> None:
        if not text:  # a part without a title (a one-part list)
            return
        rows.append([text] + [None] * (ANNEX_WIDTH - 1))
        merges.append((len(rows), 1, len(rows), ANNEX_WIDTH))

    def header_rows() -> None:
        top = len(rows) + 1
        if header == "one-row":
            rows.append(["연번", "HS코드", "품목명", "영문품목명", "통제번호", "비고"])
            return
        rows.append(["연번", "HS 코드", "품목", None, "통제번호", "비고"])
        rows.append([None, None, "국문", "영문", None, None])
        merges.extend((top, col, top + 1, col) for col in (1, 2, 5, 6))
        merges.append((top, 3, top, 4))

    for index, (name, part_rows) in enumerate(parts):
        title(name)
        if index == 0:
            header_rows()
        for position, row in enumerate(part_rows):
            if index == len(parts) - 1 and position == repeat_header_before:
                header_rows()
            rows.append(list(row))
    rows.append([])
    rows.extend([line] for line in footnotes)
    return rows, merges


def write_annex_xlsx(path: Path, grid: tuple[list[list[Any]], list[tuple[int, ...]]]) -> Path:
    """Write :func:`annex_grid`'s cells and merged ranges as a workbook."""
    cells, merges = grid
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "별표2의2"
    for number, row in enumerate(cells, 1):
        for column, value in enumerate(row, 1):
            if value is not None:
                ws.cell(row=number, column=column, value=value)
    for first_row, first_col, last_row, last_col in merges:
        ws.merge_cells(
            start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col
        )
    wb.save(path)
    return path


def write_annex_csv(path: Path, grid: tuple[list[list[Any]], list[tuple[int, ...]]]) -> Path:
    """Write :func:`annex_grid`'s cells as a CSV: a merged cell is its text, then blanks."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in grid[0]:
            writer.writerow(["" if value is None else value for value in row])
    return path
