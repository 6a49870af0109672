"""How a list file was understood: its header's columns and what each row was read as.

An officer checks this before anything is stored (``import --dry-run``, ``validate``):
which header column became which field, and where every row under the header went.
Each row is exactly one of :data:`ROW_KINDS`, so the kinds add up to the rows read; a
row left out always has a finding saying why (``unplaced-row``, ``orphan-sub-item``,
``empty-item``...).

Example:
    >>> shape = Structure((3, 4), [ColumnUse("B", "HS 코드", "code")],
    ...                   dict.fromkeys(ROW_KINDS, 0) | {"entry": 2, "footnote": 1}, [])
    >>> shape.read, shape.to_json()["rows"]["entry"]
    (3, 2)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exportctl.entries import ROW_KINDS as READ_KINDS
from exportctl.entries import Part
from exportctl.readers.layout import SKIPPED
from exportctl.readers.xlsx import column_letters

__all__ = ["ROW_KINDS", "ColumnUse", "PartShape", "Structure", "structure_of"]

ROW_KINDS = (*READ_KINDS[:4], "repeated_header", "footnote", "blank", READ_KINDS[4])
"""Every kind a row under the header can be, in the order reports give them."""


@dataclass(frozen=True, slots=True)
class ColumnUse:
    """One header column and the field it was mapped to.

    Attributes:
        column: Its letter (``C``), counted from the first column of the sheet.
        header: Its header as read, parent and child joined (``품목 국문``).
        field: The field it fills; ``None`` when no field uses it.
    """

    column: str
    header: str
    field: str | None


@dataclass(frozen=True, slots=True)
class PartShape:
    """One part of the annex as read.

    Attributes:
        number: Its number as read from the file.
        title: Its title; empty for a table without part titles.
        entries: Entries read in it.
        sub_items: Sub-items kept under its entries.
        with_sub_items: Its entries that have sub-items.
    """

    number: int
    title: str
    entries: int
    sub_items: int
    with_sub_items: int


@dataclass(frozen=True, slots=True)
class Structure:
    """The header and the rows of a list file, as they were read.

    Attributes:
        header_rows: The first and last row of the header block.
        columns: Every header column, in order.
        rows: Rows under the header by kind (every kind of :data:`ROW_KINDS`).
        parts: The parts read, in file order.
    """

    header_rows: tuple[int, int]
    columns: list[ColumnUse]
    rows: dict[str, int]
    parts: list[PartShape]

    @property
    def read(self) -> int:
        """Rows under the header, all kinds together."""
        return sum(self.rows.values())

    def to_json(self) -> dict[str, Any]:
        """``{header_rows, columns, rows, read, parts}`` for ``--json``."""
        return {
            "header_rows": list(self.header_rows),
            "columns": [
                {"column": use.column, "header": use.header, "field": use.field}
                for use in self.columns
            ],
            "rows": dict(self.rows),
            "read": self.read,
            "parts": [
                {
                    "number": part.number,
                    "title": part.title or None,
                    "entries": part.entries,
                    "sub_items": part.sub_items,
                    "with_sub_items": part.with_sub_items,
                }
                for part in self.parts
            ],
        }


def structure_of(
    header_rows: tuple[int, int],
    mapping: Sequence[tuple[int, str, str | None]],
    read: Mapping[str, int],
    skipped: Mapping[str, int],
    parts: Sequence[Part],
) -> Structure:
    """Gather what the reader skipped and what the assembler read into one structure.

    Args:
        header_rows: ``Table.header_rows``.
        mapping: ``Table.mapping``.
        read: ``Assembler.rows``: rows handed on, by kind.
        skipped: ``Table.skipped``: rows the reader did not hand on, by kind
            (:data:`exportctl.readers.layout.SKIPPED`).
        parts: ``Assembler.parts``.
    """
    counts = {
        kind: read.get(kind, 0) + (skipped.get(kind, 0) if kind in SKIPPED else 0)
        for kind in ROW_KINDS
    }
    return Structure(
        header_rows,
        [ColumnUse(column_letters(index), text, name) for index, text, name in mapping],
        counts,
        [
            PartShape(part.number, part.title, part.entries, part.sub_items, part.with_sub_items)
            for part in parts
        ],
    )
