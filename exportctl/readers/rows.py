"""The row type every engine (openpyxl, python-calamine, csv) hands to the layout step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from exportctl.errors import location


@dataclass(frozen=True, slots=True)
class Note:
    """Something a reader met and skipped or worked around, said once per table.

    Attributes:
        rule: Stable identifier (listed in :data:`exportctl.rules.RULES`).
        message: One plain sentence.
        sheet: The sheet (or document table) it concerns; ``None`` for the file.
    """

    rule: str
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        return f"{location(None, self.sheet)}: {self.message}" if self.sheet else self.message

    def to_json(self) -> dict[str, str | None]:
        """``{rule, message, sheet}``."""
        return {"rule": self.rule, "message": self.message, "sheet": self.sheet}


@dataclass(slots=True)
class RawRow:
    """One row as an engine read it, before any header mapping.

    Attributes:
        number: 1-based row number (sheet row, or CSV line where the record starts).
        values: Cell values by 0-based column; ``None`` or ``""`` when blank.
        cells: openpyxl cells of the row when read with openpyxl, for number formats.
        place: Where the row is for a reader of the printed document, when the file
            has no sheet rows: ``page 3, table 1, row 5`` (PDF), ``table 2, row 5``
            (HWPX). ``number`` then only orders the rows.
        covered: Columns whose cell is covered by a cell merged down from the row
            above: blank here, yet not empty (the row continues that cell's entry).
    """

    number: int
    values: Sequence[object]
    cells: Sequence[Any] | None = None
    place: str | None = None
    covered: frozenset[int] = frozenset()

    def number_format(self, column: int) -> str | None:
        """The Excel number format of a cell, when the engine knows it."""
        if self.cells is None or column >= len(self.cells):
            return None
        found = self.cells[column].number_format
        return str(found) if found is not None else None

    def value(self, column: int) -> object:
        """The value in a column, ``None`` past the end of a short row."""
        return self.values[column] if column < len(self.values) else None


class CodeFormats(Protocol):
    """Number formats of the code column by sheet row, read apart from the cells."""

    def get(self, row: int) -> str | None:
        """The number format of the column's cell in ``row``, ``None`` when unknown."""
