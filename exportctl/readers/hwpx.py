"""HWPX documents (OWPML, KS X 6101): the annex read from the notice's Hangul attachment.

An HWPX file is a zip of XML parts: ``Contents/content.hpf`` lists the sections,
``Contents/section0.xml``… hold the body as paragraphs (``hp:p``) whose runs carry
text (``hp:t``) and tables (``hp:tbl`` > ``hp:tr`` > ``hp:tc``). Each cell says
where it sits (``hp:cellAddr``) and how far it spans (``hp:cellSpan``), so cells are
placed by address, not by the order they are written in.

This is a reader of tables written here over ``zipfile`` and ``defusedxml`` rather
than a dependency: python-hwpx is an editing library, much larger than what reading
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
opened; only the tables' cell texts and a few paragraphs are kept.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET

from exportctl.errors import InputError, location
from exportctl.i18n import N_, _
from exportctl.limits import Limits, over
from exportctl.readers.documents import table_name
from exportctl.readers.guard import Checked
from exportctl.readers.rows import RawRow

TITLE_PARAGRAPHS = 10
"""Body paragraphs above a table handed on as its title rows (the last ones)."""

MAX_SECTION_BYTES = 512 * 1024**2
"""Refuse a section part that unpacks larger than this; an annex of 1,402 rows is ~3 MB."""

MAX_COLUMNS = 512
"""A cell address or span past this column is not a printed table."""

MANIFEST = "Contents/content.hpf"
ODF_MANIFEST = "META-INF/manifest.xml"

_SECTION = re.compile(r"Contents/section(\d+)\.xml")
_ENCRYPTED = N_(
    "is encrypted (DRM); save an unprotected HWPX or use the PDF attachment of the same notice"
)
# Characters an ``hp:t`` holds as child elements rather than as text.
_INLINE = {"tab": " ", "lineBreak": " ", "fwSpace": " ", "nbSpace": " ", "hyphen": "-"}


@dataclass
class _Cell:
    """A top-level table cell as written: its address, span and paragraphs.

    ``line`` is the ``hp:tr`` it is written in (0-based), for a cell without an address.
    """

    line: int
    row: int | None = None
    column: int | None = None
    rows: int = 1
    columns: int = 1
    texts: list[str] = field(default_factory=list)


@dataclass
class _Table:
    """One top-level table: the paragraphs above it and its cells by row."""

    titles: list[str]
    written_rows: int = 0
    cells: list[_Cell] = field(default_factory=list)
    grid: list[list[str | None]] = field(default_factory=list)
    covered: list[frozenset[int]] = field(default_factory=list)


class HwpxBook:
    """An HWPX document read as a book whose sheets are its top-level tables.

    Attributes:
        engine: ``"hwpx"``.
        sheet_names: ``table 1``, ``table 2``…, in reading order.
    """

    engine = "hwpx"

    def __init__(self, tables: list[_Table]) -> None:
        self._tables = tables
        self.sheet_names = [table_name(number) for number in range(1, len(tables) + 1)]

    def _table(self, sheet: str) -> _Table:
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
    try:
        with zipfile.ZipFile(checked.path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if _encrypted(archive, members):
                raise InputError(_(_ENCRYPTED), file=name)
            tables: list[_Table] = []
            recent: deque[str] = deque(maxlen=TITLE_PARAGRAPHS)
            for part in _sections(archive, members, name):
                info = members[part]
                if info.file_size > MAX_SECTION_BYTES:
                    raise InputError(
                        _(
                            'part "{part}" unpacks to {size:,.0f} MB, more than the {cap} MB a '
                            "section may take"
                        ).format(
                            part=part,
                            size=info.file_size / 1024**2,
                            cap=MAX_SECTION_BYTES // 1024**2,
                        ),
                        file=name,
                    )
                with archive.open(info) as stream:
                    tables.extend(_read_section(stream, recent, part, name))
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
    for number, table in enumerate(tables, 1):
        _lay_out(table, table_name(number), name, checked.limits)
    return HwpxBook(tables)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _encrypted(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> bool:
    """Whether the ODF manifest gives any part encryption data (Hangul's password/DRM)."""
    info = members.get(ODF_MANIFEST)
    if info is None:
        return False
    try:
        root = SafeET.fromstring(archive.read(info))
    except (SafeET.ParseError, defusedxml.DefusedXmlException):
        return False
    return any(_local(element.tag) == "encryption-data" for element in root.iter())


def _sections(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str
) -> list[str]:
    """The section parts in reading order: the manifest's spine, else their numbers.

    Raises:
        InputError: A listed section is missing, or there is none.
    """
    listed = _listed_sections(archive, members)
    if listed:
        for part in listed:
            if part not in members:
                raise InputError(
                    _(
                        'part "{part}" listed in {manifest} is missing; the document is '
                        "incomplete (save it again from Hangul)"
                    ).format(part=part, manifest=MANIFEST),
                    file=name,
                )
        return listed
    found = sorted(
        (int(match.group(1)), part)
        for part in members
        if (match := _SECTION.fullmatch(part)) is not None
    )
    if not found:
        raise InputError(
            _(
                "has no section part (Contents/section0.xml), so no body text; the document "
                "is incomplete (save it again from Hangul)"
            ),
            file=name,
        )
    return [part for _, part in found]


def _listed_sections(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> list[str]:
    """The section parts ``content.hpf`` lists, in spine order; empty when it lists none."""
    info = members.get(MANIFEST)
    if info is None:
        return []
    try:
        root = SafeET.fromstring(archive.read(info))
    except (SafeET.ParseError, defusedxml.DefusedXmlException):
        return []
    hrefs: dict[str, str] = {}
    spine: list[str] = []
    for element in root.iter():
        kind = _local(element.tag)
        if kind == "item":
            href = element.get("href", "")
            part = href if href.startswith("Contents/") else f"Contents/{href}"
            if _SECTION.fullmatch(part):
                hrefs[element.get("id", part)] = part
        elif kind == "itemref":
            spine.append(element.get("idref", ""))
    ordered = [hrefs[idref] for idref in spine if idref in hrefs]
    return ordered or list(hrefs.values())


class _SectionReader:
    """Collects a section's top-level tables and body paragraphs from parse events.

    ``recent`` carries the last body paragraphs across sections: a table at the top
    of a section is still under the title that ended the previous one.
    """

    def __init__(self, recent: deque[str]) -> None:
        self.recent = recent
        self.tables: list[_Table] = []
        self.depth = 0
        self.cells = 0  # open hp:tc elements
        self.table: _Table | None = None
        self.cell: _Cell | None = None
        self.base = 0  # open paragraphs when the current cell opened
        # Text pieces of each open paragraph, innermost last, and whether it is a
        # body paragraph (a direct child of the section).
        self.paragraphs: list[list[str]] = []
        self.body: list[bool] = []
        self.parents: list[str] = []

    def start(self, element: Element) -> None:
        kind = _local(element.tag)
        self.depth += 1
        if kind == "p":
            if self.cell is not None and len(self.paragraphs) > self.base:
                # A paragraph nested in one of the cell's (a table inside the cell):
                # what the outer one holds so far comes first.
                self._flush(self.paragraphs[-1])
            self.paragraphs.append([])
            self.body.append(self.depth == 2)
        elif kind == "tbl" and self.cells == 0:
            if self.paragraphs and self.body[-1]:
                # Text before the table in the paragraph that holds it is above it.
                self._remember(self.paragraphs[-1])
            self.table = _Table(titles=list(self.recent))
            self.tables.append(self.table)
        elif kind == "tr" and self.cells == 0 and self.table is not None:
            self.table.written_rows += 1
        elif kind == "tc":
            self.cells += 1
            if self.cells == 1 and self.table is not None:
                self.cell = _Cell(line=self.table.written_rows - 1)
                self.base = len(self.paragraphs)
        elif self.cell is not None and self.cells == 1 and self.parents[-1] == "tc":
            if kind == "cellAddr":
                self.cell.row = _number(element.get("rowAddr"))
                self.cell.column = _number(element.get("colAddr"))
            elif kind == "cellSpan":
                self.cell.rows = max(_number(element.get("rowSpan")) or 1, 1)
                self.cell.columns = max(_number(element.get("colSpan")) or 1, 1)
        self.parents.append(kind)

    def end(self, element: Element, root: Element) -> None:
        kind = self.parents.pop()
        self.depth -= 1
        if kind == "t":
            if self.paragraphs:
                self.paragraphs[-1].append(_run_text(element))
        elif kind == "p":
            pieces = self.paragraphs.pop()
            body = self.body.pop()
            if self.cell is not None and len(self.paragraphs) >= self.base:
                self._flush(pieces)
            elif body:
                self._remember(pieces)
        elif kind == "tc":
            self.cells -= 1
            if self.cells == 0 and self.cell is not None:
                if self.table is not None:
                    self.table.cells.append(self.cell)
                self.cell = None
                element.clear()
        elif kind == "tr" and self.cells == 0:
            element.clear()
        if self.depth == 1:
            # A direct child of the section is done: drop it, so memory stays flat.
            root.clear()

    def _flush(self, pieces: list[str]) -> None:
        """Move a cell paragraph's text so far into the cell."""
        assert self.cell is not None
        text = " ".join("".join(pieces).split())
        if text:
            self.cell.texts.append(text)
        pieces.clear()

    def _remember(self, pieces: list[str]) -> None:
        """Keep a body paragraph's text so far as a possible title of the next table."""
        text = " ".join("".join(pieces).split())
        if text:
            self.recent.append(text)
        pieces.clear()


def _read_section(stream: IO[bytes], recent: deque[str], part: str, name: str) -> list[_Table]:
    """The top-level tables of one section, in order; ``recent`` gains its paragraphs.

    Raises:
        InputError: The section is not well-formed XML or declares entities.
    """
    reader = _SectionReader(recent)
    root: Element | None = None
    try:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
                reader.start(element)
            else:
                assert root is not None
                reader.end(element, root)
    except SafeET.ParseError as exc:
        raise InputError(
            _(
                'part "{part}" is not well-formed XML ({reason}); the document is damaged (save '
                "it again from Hangul, or use the PDF attachment of the same notice)"
            ).format(part=part, reason=exc),
            file=name,
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise InputError(
            _('part "{part}" declares XML entities; refusing it as unsafe').format(part=part),
            file=name,
        ) from exc
    return reader.tables


def _run_text(element: Element) -> str:
    """An ``hp:t``'s text, with tabs, line breaks and special spaces as spaces."""
    pieces = [element.text or ""]
    for child in element:
        pieces.append(_INLINE.get(_local(child.tag), ""))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _lay_out(table: _Table, sheet: str, name: str, limits: Limits) -> None:
    """Place a table's cells on a grid by their addresses, honouring spans.

    A cell without an address (not as Hangul writes them) sits in the row it is
    written in, in the first column no cell before it takes.

    Raises:
        InputError: A cell lies past ``MAX_COLUMNS`` or below the table's last row,
            or the table passes the ``max_rows`` or ``max_cells`` limit.
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
    spanned = 0  # grid positions the cells without an address take
    addressed = all(cell.row is not None and cell.column is not None for cell in table.cells)
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, _Cell]] = []
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
        if not addressed:
            spanned += cell.rows * cell.columns
            if spanned > limits.max_cells:
                what = _(
                    "{table} has cells spanning more than {value:,} cells, more than the "
                    "{cap:,} cells allowed"
                )
                raise InputError(
                    over(what, limits.max_cells, "max_cells", limits, table=shown), file=name
                )
            taken.update(
                (row + down, column + across)
                for down in range(cell.rows)
                for across in range(cell.columns)
            )
        placed.append((row, column, cell))
    width = max((column + cell.columns for _, column, cell in placed), default=0)
    if height * width > limits.max_cells:
        what = _(
            "{table} has {rows:,} rows by {columns:,} columns, which is {value:,} cells, more "
            "than the {cap:,} cells allowed"
        )
        raise InputError(
            over(
                what, height * width, "max_cells", limits, table=shown, rows=height, columns=width
            ),
            file=name,
        )
    grid: list[list[str | None]] = [[None] * width for _ in range(height)]
    covered: list[set[int]] = [set() for _ in range(height)]
    for row, column, cell in placed:
        grid[row][column] = " ".join(cell.texts) or None
        for down in range(row + 1, row + cell.rows):
            covered[down].update(range(column, column + cell.columns))
    table.grid = grid
    table.covered = [frozenset(columns) for columns in covered]
    table.cells = []
