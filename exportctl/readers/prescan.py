"""What an .xlsx holds, measured before a parser allocates for it.

python-calamine allocates a sheet as one dense block from its first to its last used
cell (32 bytes a cell), and its shared strings as one vector as long as the
``<sst uniqueCount>`` says: a 2 KB file with cells at A1 and XFD1048576, or one
declaring four billion strings, asks for hundreds of gigabytes and the process
aborts; and it copies a shared string into every cell that uses it. So before any
parser opens an .xlsx, each part a parser could read as a sheet is streamed once for
the last row and column its cells reach, the cells it writes (in all, and in a row)
and the bytes of the shared strings they use, and the shared strings for their
declared counts (:mod:`exportctl.limits` has the caps); a file over a cap is refused
with one sentence. A cell that holds nothing (formatting: ``<c r="AMJ3" s="1"/>``)
reaches no column, since no reader keeps it; the extent found is handed on, so
openpyxl, which pads a row to its last cell, reads no further.

The sizes are what an XML parser reads, whatever the quoting (``r='XFD1'``), the
spacing (``r = "XFD1"``) or the position (the ``<sst>`` tag after a long comment):
:func:`exact_reach` parses the sheet with expat (:mod:`exportctl.readers.xmlparse`).
That costs a Python call per element, so a sheet is first searched a chunk at a time
at memory speed (:func:`fast_reach`), which answers only for chunks where the bytes
can mean nothing else than what the parser would read (no comment, CDATA or
processing instruction, every cell written ``<c r="``, every row ``<row r="``, as
Excel, LibreOffice, openpyxl and xlsxwriter write them) and gives an upper bound.
Anything else, or a bound over a cap, is decided by the parse. The ``<dimension>`` a
sheet declares is a hint: python-calamine reserves room from it only when it is
small, and the readers reset it, so it is never a reason to refuse.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import Limits, over
from exportctl.readers.cellrefs import DIGITS, UPPER, column_name, greater, parse_ref
from exportctl.readers.xlsx_parts import (
    SharedStrings,
    check_shared_strings,
    shared_strings,
    sheet_parts_in,
)
from exportctl.readers.xmlparse import (
    local,
    new_parser,
    parse,
    searchable,
    start_tags,
    tag_chunks,
    whole_number,
)

_REF = re.compile(rb"([A-Za-z]+)(\d+)")
# An element c, row or v with a prefix (<x:c>): searched from the rarer ":".
_PREFIXED = re.compile(rb":(?:c|row|v)[\s/>]")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
# A cell's whole start tag, by the grammar of XML; group 1 is "/" when it closes itself.
_CELL_TAG = re.compile(rb"""<c(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
# A reference spelled with an entity (r="&#88;FD1"), which only the parse reads.
_REFERENCE_ENTITY = re.compile(rb'r="[^"&]*&')
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """References past row ``rows`` or column ``columns``: cells (``r="XFD5"``), row
    tags (``r="1048576"``), and any reference in lower case (``r="xfd5"``).

    Starts with the literal ``r="`` so the search skips ahead quickly; nearly every
    cell of a sheet read in order fails it at once.
    """
    letters = greater(column_name(columns), UPPER) if columns else "[A-Z]+"
    digits = greater(str(rows), DIGITS) if rows else r"\d+"
    pattern = f'r="(?:{letters}\\d|[A-Z]+{digits}"|{digits}"|[a-z])'
    return re.compile(pattern.encode())


class UsedRange:
    """The used range and the cells written so far in one sheet, refused as soon as
    one passes a cap (also for .ods tables, :mod:`exportctl.readers.prescan_ods`)."""

    def __init__(self, limits: Limits, file: str, sheet: str | None) -> None:
        self.limits = limits
        self.file = file
        self.sheet = sheet
        self.rows = 0
        self.columns = 0
        self.written = 0
        self.text = 0

    def reach(self, rows: int, columns: int, ref: str | None = None) -> None:
        """Extend the range to a cell's row and column, or refuse the sheet."""
        self.rows = max(self.rows, rows)
        self.columns = max(self.columns, columns)
        limits = self.limits
        if ref:
            where = _("has a cell at {ref}, so its used range is").format(ref=ref)
        else:
            where = _("has a used range of")
        if self.columns > limits.max_columns:
            self.refuse(
                over(
                    _("{where} {value:,} columns, more than the {cap:,} columns allowed"),
                    self.columns,
                    "max_columns",
                    limits,
                    where=where,
                )
            )
        if self.rows > limits.max_rows:
            self.refuse(
                over(
                    _("{where} {value:,} rows, more than the {cap:,} rows allowed"),
                    self.rows,
                    "max_rows",
                    limits,
                    where=where,
                )
            )
        cells = self.rows * self.columns
        if cells > limits.max_cells:
            self.refuse(
                over(
                    _(
                        "{where} {rows:,} rows by {columns:,} columns, which is {value:,} cells, "
                        "more than the {cap:,} cells allowed"
                    ),
                    cells,
                    "max_cells",
                    limits,
                    where=where,
                    rows=self.rows,
                    columns=self.columns,
                )
            )

    def write(self, cells: int = 1) -> None:
        """Count cells written, or refuse the sheet past ``max_cells``."""
        self.written += cells
        if self.written > self.limits.max_cells:
            self.refuse(
                over(
                    _("writes more than {value:,} cells, more than the {cap:,} cells allowed"),
                    self.limits.max_cells,
                    "max_cells",
                    self.limits,
                )
            )

    def crowded(self) -> NoReturn:
        """Refuse a row that writes more cells than ``max_row_cells`` (the same cell again
        and again, since a sheet has 16,384 columns): a reader holds a row's cells
        until it ends."""
        self.refuse(
            over(
                _("has a row of more than {value:,} cells, more than the {cap:,} cells allowed"),
                self.limits.max_row_cells,
                "max_row_cells",
                self.limits,
            )
        )

    def hold(self, size: int) -> None:
        """Count bytes of text the cells hold, or refuse the sheet past ``max_text_bytes``."""
        self.text += size
        if self.text > self.limits.max_text_bytes:
            self.refuse(
                over(
                    _(
                        "has cells that hold more than {value:,} bytes of text once each shared "
                        "string is copied into the cells that use it, more than the {cap:,} "
                        "bytes allowed"
                    ),
                    self.limits.max_text_bytes,
                    "max_text_bytes",
                    self.limits,
                )
            )

    def refuse(self, message: str) -> NoReturn:
        raise InputError(message, file=self.file, sheet=self.sheet)


# --- the fast path: a byte search, where it reads what the parser would -------------


@dataclass
class Reach:
    """How far a sheet's cells reach: its last row and column, the cells it writes, and
    the bytes of the shared strings they hold."""

    rows: int = 0
    columns: int = 0
    written: int = 0
    text: int = 0
    in_row: int = 0  # cells written in the current row
    widest: int = 0  # cells written in the row that has most

    def within(self, limits: Limits) -> bool:
        """Whether no cap is passed."""
        return (
            self.widest <= limits.max_row_cells
            and self.rows <= limits.max_rows
            and self.columns <= limits.max_columns
            and self.rows * self.columns <= limits.max_cells
            and self.written <= limits.max_cells
            and self.text <= limits.max_text_bytes
        )


def _plain(data: bytes) -> tuple[int, int] | None:
    """The cells and rows of ``data`` when every ``<c``/``<row`` of it is a tag as the
    parser reads it, with its reference first and in double quotes; else ``None``.

    Without ``<!`` (comment, CDATA) or ``<?`` (processing instruction), every ``<``
    opens a tag, and a double-quoted value ends at the next ``"``; so when each cell
    and row tag starts ``<c r="`` / ``<row r="``, the value there is the reference an
    XML parser gives (and the first, which python-calamine takes), and no cell is
    placed by its position (unless a reference is spelled with an entity, which
    only the parse decodes). Each test is one pass at memory speed, the rarer bytes
    first; a chunk where a cheap count differs (``<cols>`` also starts ``<c``) gets
    the exact count.
    """
    if (b"!" in data and b"<!" in data) or (b"?" in data and b"<?" in data):
        return None
    cells = data.count(b'<c r="')
    if data.count(b"<c") != cells and start_tags(data, b"<c") != cells:
        return None
    rows = data.count(b'<row r="')
    if data.count(b"<row") != rows and start_tags(data, b"<row") != rows:
        return None
    if _PREFIXED.search(data) or (b"&" in data and _REFERENCE_ENTITY.search(data)):
        return None
    return cells, rows


def fast_reach(
    stream: IO[bytes], limits: Limits, used: UsedRange, strings: SharedStrings | None = None
) -> Reach | None:
    """An upper bound of how far a sheet's cells reach, by a byte search.

    The shared strings' bytes are bounded by the cells written times the longest
    string, and where that could pass ``max_text_bytes``, by the strings each
    ``<v>`` names.

    Returns:
        The bound (exact for a sheet written in order), or ``None`` when a chunk is
        not one the search reads as the parser would: then only the parse can tell.
        It stops early at a bound past a cap, which the parse then checks.
    """
    reach = Reach()
    longest = strings.longest if strings is not None else 0
    named = False  # whether the strings each <v> names are summed (from this chunk on)
    first = True
    for chunk in tag_chunks(stream, limits, used.refuse):
        data = searchable(chunk) if first else chunk
        first = False
        counted = _plain(data) if data is not None else None
        if data is None or counted is None:
            return None
        written, rows = counted
        _count_rows(data, rows, written, reach, limits.max_row_cells)
        # From half the budget on, the loose bound gives way to the strings named, so a
        # large sheet whose strings are short is still answered here.
        if not named and (reach.written + written) * longest > limits.max_text_bytes // 2:
            named = True
            reach.text = reach.written * longest  # the chunks before: the bound holds
        if named and strings is not None:
            values = _VALUE.findall(data)
            if len(values) != start_tags(data, b"<v"):
                return None
            reach.text += strings.total(values)
        reach.written += written
        _search_beyond(data, reach)
        if not reach.within(limits):
            break
    if not named:
        reach.text = reach.written * longest
    return reach


_SMALLEST_CELL = len(b'<c r="A1"/>')
"""Bytes of the shortest cell tag: a row of N bytes holds at most N / 11 cells."""


def _count_rows(data: bytes, rows: int, cells: int, reach: Reach, cap: int) -> None:
    """Extend ``reach.widest`` to the cells the rows of ``data`` write (a row may run on
    from the chunk before), as far as ``cap`` needs.

    A row of more than ``cap`` cells spans more than ``cap`` shortest cell tags: where
    every stretch of half that many bytes holds a row's start, no row does, which a
    few searches show; otherwise the rows are counted one by one.
    """
    if not rows:
        reach.in_row += cells
        reach.widest = max(reach.widest, reach.in_row)
        return
    first = data.find(b'<row r="')
    last = data.rfind(b'<row r="')
    reach.widest = max(reach.widest, reach.in_row + data.count(b'<c r="', 0, first))
    reach.in_row = data.count(b'<c r="', last)
    reach.widest = max(reach.widest, reach.in_row)
    stretch = cap * _SMALLEST_CELL // 2
    for start in range(first, last, stretch):
        if data.find(b'<row r="', start + 1, min(start + stretch, last) + 1) < 0:
            break
    else:
        return
    counts = [piece.count(b'<c r="') for piece in data[first:last].split(b'<row r="')]
    reach.widest = max(reach.widest, *counts)


def _search_beyond(data: bytes, reach: Reach) -> None:
    """Extend ``reach`` to every reference in ``data`` beyond it.

    The chunk's last cell is (in a sheet written in order) its furthest, so the
    search starts from it and matches almost nothing. Any ``r="`` counts, not only a
    cell's or a row's: the bound may only grow; except an empty cell's (``<c r="AMJ3"
    s="1"/>``, a formatted cell holding nothing), which no reader keeps.
    """
    last = data.rfind(b'<c r="')
    if last >= 0:
        ref = data[last + 6 : data.find(b'"', last + 6)]
        if _empty_cell(data, last):
            reach.rows = max(reach.rows, _row_of(ref))
        else:
            _extend(reach, ref)
    row = data.rfind(b'<row r="')
    if row >= 0:
        # Rows first: the pattern below then changes once a chunk, not once a row.
        reach.rows = max(reach.rows, _row_of(data[row + 8 : data.find(b'"', row + 8)]))
    position = 0
    while True:
        match = _beyond(reach.rows, reach.columns).search(data, position)
        if match is None:
            return
        start = match.start() + 3
        position = max(data.find(b'"', start), start)
        tag = match.start() - 3  # where a cell's tag starts, if this is its reference
        if tag >= 0 and data.startswith(b'<c r="', tag) and _empty_cell(data, tag):
            reach.rows = max(reach.rows, _row_of(data[start:position]))
            continue
        _extend(reach, data[start:position])


def _empty_cell(data: bytes, tag: int) -> bool:
    """Whether the cell tag at ``tag`` closes itself (a cell without a value)."""
    found = _CELL_TAG.match(data, tag)
    return found is not None and found.group(1) == b"/"


def _row_of(ref: bytes) -> int:
    parsed = parse_ref(ref.decode("ascii", "replace"))
    return parsed[0] if parsed is not None else 0


def _extend(reach: Reach, ref: bytes) -> None:
    if ref.isdigit():
        reach.rows = max(reach.rows, whole_number(ref.decode("ascii")) or 0)
        return
    match = _REF.fullmatch(ref)
    if match is not None:
        parsed = parse_ref(match.group(0).decode("ascii"))
        if parsed is not None:
            reach.rows = max(reach.rows, parsed[0])
            reach.columns = max(reach.columns, parsed[1])


# --- the parse: exact, for any sheet -----------------------------------------------------


def exact_reach(
    stream: IO[bytes],
    limits: Limits,
    used: UsedRange,
    part: str,
    strings: SharedStrings | None = None,
) -> Reach:
    """How far a sheet's cells reach, as an XML parser reads them, refusing it past a cap.

    Every element named ``c`` is a cell (whatever its prefix or where it sits), at
    its reference (``r``, however quoted or spaced), or else in the column after the
    row's last cell; every ``row`` starts a row, at its ``r`` or after the last one:
    as python-calamine and openpyxl place them. The shared string each cell of type
    ``s`` names is counted when the strings could pass ``max_text_bytes``.

    Raises:
        InputError: Past ``max_rows``, ``max_columns``, ``max_cells`` (cells
            written, or the range they span) or ``max_text_bytes``, or not
            well-formed XML.
    """
    row = 0
    column = 0
    written = 0
    in_row = 0  # cells written in the current row
    pending: tuple[int, int, str | None] | None = None  # the last cell, until it shows content
    kind_of_cell: str | None = None  # the current cell's type (t)
    value: list[str] | None = None  # the text of a shared-string cell's open <v>
    counted = strings is not None and strings.longest * limits.max_cells > limits.max_text_bytes
    parser = new_parser()
    # Local names by name as written: the handler runs for every element of the sheet.
    kinds: dict[str, str] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, column, written, in_row, kind_of_cell, value, pending
        kind = kinds.get(name)
        if kind is None:
            kind = local(name)
            if len(kinds) < 256:
                kinds[name] = kind
        if pending is not None:
            if kind != "c" and kind != "row":
                # An element in the cell (<v>, <is>, <f>): the cell holds something.
                if pending[0] > used.rows or pending[1] > used.columns:
                    used.reach(*pending)
            pending = None
        if kind == "c":
            ref = attrs.get("r")
            kind_of_cell = attrs.get("t")
            parsed = parse_ref(ref) if ref else None
            if parsed is not None and parsed[1]:
                row_at, column = parsed
            else:
                column += 1
                row_at, ref = max(row, 1), None
            written += 1
            if written > limits.max_cells:
                used.write(written - used.written)
            # Reached when an element inside it shows it holds something: a cell that
            # closes itself is formatting, which no reader keeps.
            pending = (row_at, column, ref.upper() if ref else None)
            in_row += 1
            if in_row > limits.max_row_cells:
                used.crowded()  # the same cells again and again
        elif kind == "row":
            ref = attrs.get("r")
            parsed = parse_ref(ref) if ref else None
            row = parsed[0] if parsed is not None else row + 1
            column = in_row = 0
            if row > used.rows:
                used.reach(row, used.columns)
        elif kind == "v" and counted and kind_of_cell == "s":
            value = []
            parser.CharacterDataHandler = value.append

    def end(name: str) -> None:
        nonlocal value
        if value is not None and local(name) == "v" and strings is not None:
            used.hold(strings.total(["".join(value).encode()]))
            value = None
            parser.CharacterDataHandler = None

    parser.StartElementHandler = start
    if counted:
        parser.EndElementHandler = end
    chunks = tag_chunks(stream, limits, used.refuse)
    parse(parser, lambda _size: next(chunks, b""), part, used.file)
    return Reach(used.rows, used.columns, written, used.text)


def scan_sheet(
    open_part: Callable[[], IO[bytes]],
    limits: Limits,
    file: str,
    sheet: str | None,
    part: str,
    strings: SharedStrings | None = None,
) -> tuple[int, int]:
    """The last row and column a sheet's cells reach, refusing it past a cap.

    Args:
        open_part: Opens the sheet's XML (called once, or twice when the parse decides).
        limits: The caps.
        file: The file's name, for the refusal.
        sheet: The sheet's name, for the refusal.
        part: The part's name, for a refusal of its XML.
        strings: The workbook's shared strings, whose copies the cells hold.

    Returns:
        ``(rows, columns)``, 1-based.

    Raises:
        InputError: The cells pass ``max_rows``, ``max_columns``, ``max_cells`` or
            ``max_text_bytes``.
    """
    with open_part() as stream:
        reach = fast_reach(stream, limits, UsedRange(limits, file, sheet), strings)
    if reach is None or not reach.within(limits):
        with open_part() as stream:
            used = UsedRange(limits, file, sheet)
            reach = exact_reach(stream, limits, used, part, strings)
    return reach.rows, reach.columns


def check_xlsx(path: Path, limits: Limits) -> dict[str, tuple[int, int]]:
    """Refuse an .xlsx whose sheets or shared strings pass a cap, before it is parsed.

    Every part the workbook names as a sheet is measured, and every
    ``xl/worksheets/*.xml`` besides (a parser may find a sheet the workbook's
    relationships do not name as this check does).

    Returns:
        Each sheet's extent by name: its last row, and the last column a cell holding
        something reaches.

    Raises:
        InputError: One sentence naming the file, the sheet, the cap, the file's
            value and how to raise the cap.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename for info in archive.infolist()}
            strings: SharedStrings | None = None
            for part in sorted(members):
                if posixpath.basename(part.replace("\\", "/")).lower() == "sharedstrings.xml":
                    check_shared_strings(archive, part, limits, name)
                    # One table is the workbook's; were there several, each is as costly.
                    found = shared_strings(archive, part, limits, name)
                    strings = found if strings is None else strings.widest(found)
            try:
                named = sheet_parts_in(archive, limits)
            except InputError as exc:
                raise InputError(exc.message, file=name) from None
            sheets = {part: sheet for sheet, part in named.items()}
            for part in sorted(members):
                if _WORKSHEET.fullmatch(part.replace("\\", "/")) and part not in sheets:
                    sheets[part] = posixpath.splitext(posixpath.basename(part))[0]
            extents: dict[str, tuple[int, int]] = {}
            for part, sheet in sheets.items():
                extents[sheet] = scan_sheet(
                    functools.partial(archive.open, part), limits, name, sheet, part, strings
                )
            return extents
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise InputError(
            _("is not a readable {suffix} workbook (damaged or truncated: {reason})").format(
                suffix=path.suffix.lower(), reason=exc
            ),
            file=name,
        ) from exc
    except zlib.error as exc:
        raise InputError(
            _("is not a readable {suffix} workbook (damaged: {reason})").format(
                suffix=path.suffix.lower(), reason=exc
            ),
            file=name,
        ) from exc
