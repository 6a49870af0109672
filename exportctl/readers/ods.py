"""OpenDocument spreadsheets: the code column's number formats, from the text they show.

python-calamine reads an .ods file's values but not its number formats, so a code
typed as the number ``10121`` under the format ``000000`` would read as ``10121``.
Beside each number an .ods file keeps the text the application showed
(``<text:p>010121</text:p>``); :func:`ods_column_formats` turns that text back into
the Excel format that shows it (``000000``, ``0000.00``), so the code column is read
as the person saw it, exactly as for .xlsx (issue 19).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from exportctl.readers.xlsx import ColumnFormats

__all__ = ["ods_column_formats"]

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = frozenset({f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"})
_NUMBER_TYPES = frozenset({"float", "percentage", "currency"})
_SHOWN_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_DIGIT = re.compile(r"\d", re.ASCII)


def ods_column_formats(path: Path, sheet: str, column: int) -> ColumnFormats | None:
    """The number formats of one column of an .ods sheet, as the text of its numbers shows.

    A number shown as plain digits, or digits with one decimal point, gets the format
    of zeros that shows it so (``010121`` → ``000000``); any other number (``8,471``,
    ``1.2E+09``, or text that is not the value) is ``General``. The sheet is parsed
    once, streaming, and only when a numeric code cell asks.

    Args:
        path: The .ods file.
        sheet: The sheet (``table:name``).
        column: 0-based column, counted from the sheet's first column.

    Returns:
        The formats by 1-based row, or ``None`` when the file cannot be searched.
    """
    name_attr, rows_attr = f"{_TABLE}name", f"{_TABLE}number-rows-repeated"
    table_tag, row_tag = f"{_TABLE}table", f"{_TABLE}table-row"
    by_row: dict[int, str] = {}
    open_elements: list[Any] = []
    inside = False
    row = 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            for event, element in SafeET.iterparse(stream, events=("start", "end")):
                if event == "start":
                    open_elements.append(element)
                    if element.tag == table_tag and element.get(name_attr) == sheet:
                        inside = True
                    continue
                open_elements.pop()
                if element.tag == table_tag and inside:
                    break
                if element.tag != row_tag:
                    continue
                repeat = int(element.get(rows_attr) or 1)
                if inside:
                    found = _format_shown(_cell_at(element, column))
                    if found is not None:
                        by_row.update(dict.fromkeys(range(row + 1, row + repeat + 1), found))
                    row += repeat
                # Rows read are let go, so memory stays flat whatever the sheet's size.
                open_elements[-1].clear()
    except (KeyError, zipfile.BadZipFile, OSError, SafeET.ParseError, ValueError, IndexError):
        return None
    return ColumnFormats("General", by_row)


def _cell_at(row: Any, column: int) -> Any:
    """The cell of ``row`` covering ``column``, repeats counted; ``None`` past the end."""
    repeated = f"{_TABLE}number-columns-repeated"
    at = 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        at += int(cell.get(repeated) or 1)
        if at > column:
            return cell
    return None


def _format_shown(cell: Any) -> str | None:
    """The format of zeros that shows a numeric cell's value as its text does."""
    if cell is None or cell.get(f"{_OFFICE}value-type") not in _NUMBER_TYPES:
        return None
    shown = "".join(cell.itertext()).strip()
    value = cell.get(f"{_OFFICE}value")
    if value is None or _SHOWN_NUMBER.fullmatch(shown) is None:
        return None
    if float(shown) != float(value):
        return None
    return _DIGIT.sub("0", shown)
