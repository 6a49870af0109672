"""Builders for messy list workbooks laid out the way officers receive them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
