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

from exportctl.errors import InputError
from exportctl.readers.xlsx import ColumnFormats
from exportctl.readers.xmlparse import Stop, local, new_parser, parse, whole_number

__all__ = ["ods_column_formats"]

_CELLS = frozenset({"table-cell", "covered-table-cell"})
_NUMBER_TYPES = frozenset({"float", "percentage", "currency"})
_SHOWN_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_DIGIT = re.compile(r"\d", re.ASCII)


def ods_column_formats(path: Path, sheet: str, column: int) -> ColumnFormats | None:
    """The number formats of one column of an .ods sheet, as the text of its numbers shows.

    A number shown as plain digits, or digits with one decimal point, gets the format
    of zeros that shows it so (``010121`` → ``000000``); any other number (``8,471``,
    ``1.2E+09``, or text that is not the value) is ``General``. The sheet is parsed
    once, streaming, and only when a numeric code cell asks; nothing is kept of a row
    but the column's cell, so a row of millions of cells costs no memory.

    Args:
        path: The .ods file.
        sheet: The sheet (``table:name``).
        column: 0-based column, counted from the sheet's first column.

    Returns:
        The formats by 1-based row, or ``None`` when the file cannot be searched.
    """
    reader = _ColumnReader(sheet, column)
    parser = new_parser()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            parse(parser, stream, "content.xml", path.name)
    except (KeyError, zipfile.BadZipFile, OSError, InputError, ValueError):
        return None
    return ColumnFormats("General", reader.by_row)


class _ColumnReader:
    """Parse events of ``content.xml`` -> the formats of one column of one sheet.

    Rows count wherever they sit in the table (in a group, among the header rows),
    as python-calamine counts them, except inside a cell (a table nested there).
    """

    def __init__(self, sheet: str, column: int) -> None:
        self.sheet = sheet
        self.column = column
        self.by_row: dict[int, str] = {}
        self.depth = 0
        self.table = 0  # depth of the sheet's table element, 0 outside it
        self.row_depth = 0  # depth of the open row, 0 outside one
        self.row = 0  # rows of the sheet before the current one
        self.repeat = 1
        self.at = 0  # columns the current row's cells take so far
        self.cell = 0  # depth of the open cell of the row, 0 outside one
        self.wanted = False  # whether the open cell is the column's
        self.number: tuple[str, str] | None = None  # its value type and value
        self.shown: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.cell:
            return
        kind = local(name)
        if not self.table:
            if kind == "table" and _attribute(attrs, "name") == self.sheet:
                self.table = self.depth
        elif kind == "table-row":
            self.row_depth = self.depth
            self.repeat = max(_whole(_attribute(attrs, "number-rows-repeated")) or 1, 1)
            self.at = 0
        elif kind in _CELLS and self.row_depth and self.depth == self.row_depth + 1:
            self.cell = self.depth
            across = max(_whole(_attribute(attrs, "number-columns-repeated")) or 1, 1)
            self.wanted = self.at <= self.column < self.at + across
            if self.wanted:
                value_type = _attribute(attrs, "value-type")
                value = _attribute(attrs, "value")
                self.number = (value_type, value) if value_type and value else None
                self.shown = []
            self.at += across

    def characters(self, data: str) -> None:
        if self.wanted:
            self.shown.append(data)

    def end(self, _name: str) -> None:
        if self.cell == self.depth:
            self.cell = 0
            if self.wanted:
                self.wanted = False
                found = _format_shown(self.number, "".join(self.shown).strip())
                if found is not None:
                    first = self.row + 1
                    self.by_row.update(dict.fromkeys(range(first, first + self.repeat), found))
                self.shown = []
        elif self.row_depth == self.depth:
            self.row_depth = 0
            self.row += self.repeat
        elif self.table == self.depth:
            raise Stop
        self.depth -= 1


def _attribute(attrs: dict[str, str], name: str) -> str | None:
    """An attribute by its local name, whatever its prefix."""
    return next((value for key, value in attrs.items() if local(key) == name), None)


def _whole(value: str | None) -> int | None:
    return whole_number(value) if value is not None else None


def _format_shown(number: tuple[str, str] | None, shown: str) -> str | None:
    """The format of zeros that shows a numeric cell's value as its text does."""
    if number is None or number[0] not in _NUMBER_TYPES:
        return None
    if _SHOWN_NUMBER.fullmatch(shown) is None:
        return None
    try:
        if float(shown) != float(number[1]):
            return None
    except ValueError:
        return None
    return _DIGIT.sub("0", shown)
