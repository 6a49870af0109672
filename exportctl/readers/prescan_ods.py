"""What an .ods holds, its repeats expanded, measured before a parser allocates for it.

python-calamine reads every table of an .ods when it opens the file, expanding
repeats as it goes: a cell written once with ``table:number-columns-repeated="16384"``
becomes 16,384 cells, each with its own copy of the value, and a row repeated a
million times becomes a million rows (a 999-byte file asked for 5.5 GB). So
``content.xml`` is parsed once (:mod:`exportctl.readers.xmlparse`, whatever the
quoting or spacing of the attributes) and what the tables hold once expanded is
checked against the caps of :mod:`exportctl.limits`, for the whole file, since the
parser holds every table at once.

A repeat counts only where it holds something: LibreOffice pads each row to the
sheet's edge with one empty cell repeated (``number-columns-repeated="16381"``) and
the sheet with empty rows repeated (``number-rows-repeated="1048570"``), which the
parser drops. Empty rows *between* rows that hold values are expanded, and count.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import Limits, over
from exportctl.readers.prescan import UsedRange
from exportctl.readers.xmlparse import local, new_parser, parse, whole_number

VALUES = frozenset(
    {"value", "string-value", "date-value", "time-value", "boolean-value", "value-type", "formula"}
)
"""Attributes (by local name) that give a cell a value or a formula: python-calamine
keeps such a cell, and copies it into every column and row it is repeated over."""

_CELLS = frozenset({"table-cell", "covered-table-cell"})


@dataclass
class _Cell:
    across: int
    valued: bool
    start: int  # byte offset of its start tag
    text: int  # bytes of its values, and spaces its <text:s> write out


@dataclass
class _Table:
    used: UsedRange
    row: int = 0  # rows before the current one
    repeat: int = 1  # the current row's repeat
    column: int = 0  # columns the current row's cells take so far
    row_used: int = 0  # columns its cells with a value reach
    row_text: int = 0  # bytes of text its cells hold, column repeats expanded
    written: int = 0  # cell elements
    cells: list[_Cell] = field(default_factory=list)  # open cells (a table may nest in one)


def _number(attrs: dict[str, str], name: str) -> int:
    """An attribute's whole number by local name: 1 when absent, 0 when not a number."""
    value = next((value for key, value in attrs.items() if local(key) == name), None)
    if value is None:
        return 1
    return whole_number(value) or 0


class _Scan:
    """The tables of ``content.xml`` as the parse meets them, refused past a cap.

    A cell's text is measured by its bytes in the file (from its start tag to its
    end tag, which holds its text and values: entities only shorten them), so no
    handler runs for character data. The handlers run for every element of a file
    that may hold millions: the paragraphs inside cells return first.
    """

    def __init__(self, limits: Limits, file: str, parser: expat.XMLParserType) -> None:
        self.limits = limits
        self.file = file
        self.parser = parser
        self.tables: list[_Table] = []
        self.cells = 0  # cells of the tables done (their used ranges)
        self.text = 0  # bytes of text of every table, repeats expanded

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "text:p" or not self.tables:
            if name != "text:p" and local(name) == "table":
                self._table(attrs)
            return
        kind = name[name.rfind(":") + 1 :]
        table = self.tables[-1]
        if kind in _CELLS:
            self._cell(table, attrs)
        elif kind == "table-row":
            table.repeat = max(_number(attrs, "number-rows-repeated"), 1)
            table.column = table.row_used = table.row_text = 0
        elif kind == "s" and table.cells:
            # <text:s text:c="N"/> is N spaces, which the parser writes out.
            spaces = _number(attrs, "c")
            for each in self.tables:  # a table nested in a cell is that cell's text too
                for cell in each.cells:
                    cell.text += spaces
        elif kind == "table":
            self._table(attrs)

    def _cell(self, table: _Table, attrs: dict[str, str]) -> None:
        across = 1
        valued = False
        text = 0
        for key, value in attrs.items():
            attribute = key[key.rfind(":") + 1 :]
            if attribute == "number-columns-repeated":
                across = max(whole_number(value) or 0, 1)
            elif attribute in VALUES:
                valued = True
                text += len(value.encode())
        table.cells.append(_Cell(across, valued, self.parser.CurrentByteIndex, text))
        table.column += across
        table.written += 1
        if table.written > self.limits.max_cells:
            table.used.write(table.written)
        if valued:
            table.row_used = table.column
            used = table.used
            if table.row + table.repeat > used.rows or table.column > used.columns:
                used.reach(table.row + table.repeat, table.row_used)
                self._check_cells(table)

    def _table(self, attrs: dict[str, str]) -> None:
        sheet = next((value for key, value in attrs.items() if local(key) == "name"), None)
        self.tables.append(_Table(UsedRange(self.limits, self.file, sheet)))

    def end(self, name: str) -> None:
        if name == "text:p" or not self.tables:
            return
        kind = name[name.rfind(":") + 1 :]
        table = self.tables[-1]
        if kind in _CELLS and table.cells:
            cell = table.cells.pop()
            if cell.valued:
                inside = self.parser.CurrentByteIndex - cell.start
                table.row_text += (cell.text + max(inside, 0)) * cell.across
        elif kind == "table-row":
            if table.row_used:
                used = table.used
                if table.row + table.repeat > used.rows:
                    used.reach(table.row + table.repeat, table.row_used)
                    self._check_cells(table)
                self.text += table.row_text * table.repeat
                if self.text > self.limits.max_text_bytes:
                    self._refuse_text(table)
            table.row += table.repeat
        elif kind == "table":
            self.cells += table.used.rows * table.used.columns
            self.tables.pop()

    def _check_cells(self, table: _Table) -> None:
        """The tables' used ranges together, against ``max_cells``: all are held at once."""
        used = table.used
        total = self.cells + used.rows * used.columns
        if total > self.limits.max_cells:
            used.refuse(
                over(
                    _(
                        "reaches {rows:,} rows by {columns:,} columns, which with the sheets "
                        "before it is {value:,} cells, more than the {cap:,} cells allowed"
                    ),
                    total,
                    "max_cells",
                    self.limits,
                    rows=used.rows,
                    columns=used.columns,
                )
            )

    def _refuse_text(self, table: _Table) -> None:
        table.used.refuse(
            over(
                _(
                    "holds more than {value:,} bytes of text once its repeated cells and "
                    "rows are written out, more than the {cap:,} bytes allowed"
                ),
                self.limits.max_text_bytes,
                "max_text_bytes",
                self.limits,
            )
        )


def check_ods(path: Path, limits: Limits) -> None:
    """Refuse an .ods whose tables, repeats expanded, pass a cap, before it is parsed.

    A row or cell repeated (``table:number-rows-repeated="1048576"``) counts as
    many rows or cells as it says when it holds a value; empty repeats (how
    LibreOffice pads a sheet to its edge) count for nothing.

    Raises:
        InputError: One sentence naming the file, the sheet, the cap, the file's
            value and how to raise it; or ``content.xml`` is not well-formed.
    """
    name = path.name
    parser = new_parser()
    scan = _Scan(limits, name, parser)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            parse(parser, stream, "content.xml", name)
    except KeyError:
        return  # the parser says the file is damaged
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise InputError(
            _("is not a readable {suffix} workbook (damaged or truncated: {reason})").format(
                suffix=".ods", reason=exc
            ),
            file=name,
        ) from exc
