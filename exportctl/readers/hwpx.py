"""HWPX documents (OWPML, KS X 6101): the annex read from the notice's Hangul attachment.

An HWPX file is a zip of XML parts: ``Contents/content.hpf`` lists the sections,
``Contents/section0.xml``… hold the body as paragraphs (``hp:p``) whose runs carry
text (``hp:t``) and tables (``hp:tbl`` > ``hp:tr`` > ``hp:tc``). Each cell says
where it sits (``hp:cellAddr``) and how far it spans (``hp:cellSpan``), so cells are
placed by address, not by the order they are written in.

This is a reader of tables written here over ``zipfile`` and expat rather than a
dependency: python-hwpx is an editing library, much larger than what reading
tables needs, and only Apache-2.0 licensed from its 2026 relicensing.

What the book gives (see :mod:`exportctl.readers.documents`):

* every top-level table, in reading order across sections, is a "sheet"
  (``table 1``, ``table 2``…); a table inside a cell is part of that cell's
  text, read flat (its paragraphs joined by spaces), never a table of its own;
* ``rows("table N")`` yields first the body paragraphs above the table (at most
  ``TITLE_PARAGRAPHS``, outside any table: the annex title and notice lines) as
  one-cell rows numbered up to 0, then the table's rows numbered 1, 2… as on paper,
  with ``place`` ``table N, row M``; a cell merged down from the row above leaves
  ``None`` in the rows it covers and marks them in ``RawRow.covered``, a cell merged
  across leaves ``None`` in the columns it covers.

Elements are matched by local name, so the 2011 Hancom namespaces and the 2024
owpml.org ones read alike. Sections are parsed once, streaming, when the book is
opened (:mod:`exportctl.readers.hwpx_sections`, under the document's budgets); only
the tables' cell texts and a few paragraphs are kept.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import deque
from collections.abc import Iterator

from exportctl.errors import InputError, location
from exportctl.i18n import N_, _
from exportctl.limits import Limits, over
from exportctl.readers.documents import table_name
from exportctl.readers.guard import Checked
from exportctl.readers.hwpx_sections import (
    Cell,
    Document,
    Table,
    encrypted,
    read_section,
    sections,
)
from exportctl.readers.rows import RawRow

TITLE_PARAGRAPHS = 10
"""Body paragraphs above a table handed on as its title rows (the last ones)."""

MAX_COLUMNS = 512
"""A cell address or span past this column is not a printed table."""

_ENCRYPTED = N_(
    "is encrypted (DRM); save an unprotected HWPX or use the PDF attachment of the same notice"
)


class HwpxBook:
    """An HWPX document read as a book whose sheets are its top-level tables.

    Attributes:
        engine: ``"hwpx"``.
        sheet_names: ``table 1``, ``table 2``…, in reading order.
    """

    engine = "hwpx"

    def __init__(self, tables: list[Table]) -> None:
        self._tables = tables
        self.sheet_names = [table_name(number) for number in range(1, len(tables) + 1)]

    def _table(self, sheet: str) -> Table:
        try:
            return self._tables[self.sheet_names.index(sheet)]
        except ValueError:
            raise KeyError(sheet) from None

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """The paragraphs above the table as one-cell rows, then the table's rows.

        Raises:
            KeyError: No such table.
        """
        table = self._table(sheet)
        first = 1 - len(table.titles)
        for offset, title in enumerate(table.titles):
            yield RawRow(first + offset, [title])
        for index, values in enumerate(table.grid):
            number = index + 1
            yield RawRow(
                number, values, place=location(None, sheet, number), covered=table.covered[index]
            )

    def height(self, sheet: str) -> int:
        """How many rows ``rows(sheet)`` yields, for progress."""
        table = self._table(sheet)
        return len(table.titles) + len(table.grid)

    def close(self) -> None:
        """Nothing to release: the file was read and closed when the book was opened."""


def open_book(checked: Checked) -> HwpxBook:
    """Read an HWPX document's tables.

    Args:
        checked: A ``.hwpx`` file that passed ``guard.check_file`` (a zip within the
            zip-bomb caps, no DOCTYPE in its XML parts, a ``mimetype`` member).

    Returns:
        The book of its top-level tables.

    Raises:
        InputError: The document is encrypted, has no section or a section listed
            but missing, a section that is not well-formed XML, or no table.
    """
    name = checked.path.name
    limits = checked.limits
    document = Document(limits, name)
    try:
        with zipfile.ZipFile(checked.path) as archive:
            if encrypted(archive, document):
                raise InputError(_(_ENCRYPTED), file=name)
            tables: list[Table] = []
            recent: deque[str] = deque(maxlen=TITLE_PARAGRAPHS)
            for part in sections(archive, document):
                tables.extend(read_section(archive, part, recent, document))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(
            _("is not a readable HWPX document (damaged or truncated: {reason})").format(
                reason=exc
            ),
            file=name,
        ) from exc
    if not tables:
        raise InputError(
            _(
                "has no table; the annex lists its items in a table, so this may be the "
                "notice's text rather than its annex (별표) attachment"
            ),
            file=name,
        )
    laid_out = 0  # grid positions of the tables laid out: all are held at once
    for number, table in enumerate(tables, 1):
        laid_out += _lay_out(table, table_name(number), name, limits, laid_out)
    return HwpxBook(tables)


def _lay_out(table: Table, sheet: str, name: str, limits: Limits, before: int) -> int:
    """Place a table's cells on a grid by their addresses, honouring spans.

    A cell without an address (not as Hangul writes them) sits in the row it is
    written in, in the first column no cell before it takes.

    Args:
        before: Grid positions the document's tables before this one take.

    Returns:
        The grid positions this table takes (rows by columns).

    Raises:
        InputError: A cell lies past ``MAX_COLUMNS`` or below the table's last row,
            or the table passes the ``max_rows`` or ``max_cells`` limit, or the
            document's tables pass ``max_document_cells``.
    """
    height = table.written_rows
    shown = location(None, sheet)  # "table 2", in the reader's language
    if height > limits.max_rows:
        raise InputError(
            over(
                _("{table} has {value:,} rows, more than the {cap:,} rows allowed"),
                height,
                "max_rows",
                limits,
                table=shown,
            ),
            file=name,
        )
    # Grid positions the cells cover, spans included (what laying them out costs),
    # for the table and with the tables before it.
    spanned = 0
    addressed = all(cell.row is not None and cell.column is not None for cell in table.cells)
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, Cell]] = []
    for cell in table.cells:
        row = cell.row if cell.row is not None and cell.row >= 0 else cell.line
        column = cell.column if cell.column is not None and cell.column >= 0 else None
        if column is None:
            column = 0
            while (row, column) in taken:
                column += 1
        if column + cell.columns > MAX_COLUMNS:
            raise InputError(
                _(
                    "{table} has a cell reaching column {column}; a table of more than {cap} "
                    "columns is not an annex"
                ).format(table=shown, column=column + cell.columns, cap=MAX_COLUMNS),
                file=name,
            )
        if not 0 <= row < height:
            raise InputError(
                _(
                    "{table} has a cell addressed to row {row} of a table of {height} rows; the "
                    "document is damaged (save it again from Hangul)"
                ).format(table=shown, row=row + 1, height=height),
                file=name,
            )
        # A span past the last row is clipped: the rows it names are not there.
        cell.rows = min(cell.rows, height - row)
        spanned += cell.rows * cell.columns
        for total, cap in ((spanned, "max_cells"), (before + spanned, "max_document_cells")):
            if total > getattr(limits, cap):
                what = _(
                    "{table} has cells spanning more than {value:,} cells, more than the "
                    "{cap:,} cells allowed"
                )
                raise InputError(
                    over(what, getattr(limits, cap), cap, limits, table=shown), file=name
                )
        if not addressed:
            taken.update(
                (row + down, column + across)
                for down in range(cell.rows)
                for across in range(cell.columns)
            )
        placed.append((row, column, cell))
    width = max((column + cell.columns for _, column, cell in placed), default=0)
    # Each row is a list even when the table has no column.
    size = height * max(width, 1)
    for total, cap in ((height * width, "max_cells"), (before + size, "max_document_cells")):
        if total > getattr(limits, cap):
            what = _(
                "{table} has {rows:,} rows by {columns:,} columns, which is {value:,} cells, "
                "more than the {cap:,} cells allowed"
            )
            raise InputError(
                over(what, total, cap, limits, table=shown, rows=height, columns=width),
                file=name,
            )
    grid: list[list[str | None]] = [[None] * width for _ in range(height)]
    covered: dict[int, set[int]] = {}
    for row, column, cell in placed:
        grid[row][column] = " ".join(cell.texts) or None
        for down in range(row + 1, row + cell.rows):
            covered.setdefault(down, set()).update(range(column, column + cell.columns))
    table.grid = grid
    # Rows nothing covers share the one empty frozenset.
    table.covered = [frozenset(covered.get(index, ())) for index in range(height)]
    table.cells = []
    return size
