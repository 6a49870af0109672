"""What a workbook's XML declares, measured before a parser allocates for it.

python-calamine allocates a sheet as one dense block from its first to its last
used cell (32 bytes a cell), and its shared strings as one vector as long as the
``<sst uniqueCount>`` says: a 2 KB file with cells at A1 and XFD1048576, or one
declaring four billion strings, asks for hundreds of gigabytes and the process
aborts. So before any parser opens an .xlsx or .ods, its sheets' XML is streamed
once, a chunk at a time, for the last row and column any cell reaches (and the
declared dimension), and its shared-strings header for the counts; a file over a
cap (:mod:`exportctl.limits`) is refused with one sentence.

The .xlsx scan costs little: Excel, openpyxl and xlsxwriter give every row and
cell its reference, so each chunk is searched only for the row tags and for cells
*beyond* the last row and column seen so far (a pattern that rarely matches). A
sheet whose cells carry no reference is walked tag by tag, slower but exact.
"""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

import defusedxml.ElementTree as SafeET

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import Limits, over

CHUNK = 4 * 1024 * 1024
"""Bytes of unpacked XML searched at a time."""

HEAD_BYTES = 64 * 1024
"""Bytes of a shared-strings part searched for its counts."""

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_REF = re.compile(rb"([A-Za-z]+)(\d+)")
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref="([^"]*)"')
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_ROW_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r="(\d+)"')
_BARE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])(?![^>]*\sr=)")
_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*)>")
_R_ATTR = re.compile(rb'(?<=\s)r="([^"]*)"')
_SST = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b([^>]*)>")
_COUNT = re.compile(rb'\b(count|uniqueCount)="(\d+)"')
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def column_number(letters: str) -> int:
    """``"A"`` -> 1, ``"XFD"`` -> 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def column_name(number: int) -> str:
    """1 -> ``"A"``, 16384 -> ``"XFD"``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def greater(value: str, alphabet: str) -> str:
    """A regex for strings over ``alphabet`` that exceed ``value``.

    Row numbers and column letters compare as their length, then as text: a
    longer string, or one of the same length that is greater at its first
    difference. Nested, so a reference fails on its first characters:
    ``greater("L", _UPPER)`` is ``(?:[A-Z]{2,}|[M-Z])``.
    """
    first, last = alphabet[0], alphabet[-1]
    every = f"[{first}-{last}]"
    return f"(?:{every}{{{len(value) + 1},}}|{_same_length_greater(value, alphabet)})"


def _same_length_greater(value: str, alphabet: str) -> str:
    first, last = alphabet[0], alphabet[-1]
    if not value:
        return "(?!)"
    head, rest = value[0], value[1:]
    position = alphabet.index(head)
    branches = []
    if position + 1 < len(alphabet):
        tail = f"[{first}-{last}]{{{len(rest)}}}" if rest else ""
        branches.append(f"[{alphabet[position + 1]}-{last}]{tail}")
    if rest:
        branches.append(f"{re.escape(head)}{_same_length_greater(rest, alphabet)}")
    return "(?:" + "|".join(branches) + ")" if branches else "(?!)"


@functools.lru_cache(maxsize=64)
def _beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """References past row ``rows`` or column ``columns``: cells (``r="XFD5"``), row
    tags (``r="1048576"``), and any reference in lower case (``r="xfd5"``).

    Starts with the literal ``r="`` so the search skips ahead quickly; nearly every
    cell of a sheet read in order fails it at once.
    """
    letters = greater(column_name(columns), _UPPER) if columns else "[A-Z]+"
    digits = greater(str(rows), _DIGITS) if rows else r"\d+"
    pattern = f'r="(?:{letters}\\d|[A-Z]+{digits}"|{digits}"|[a-z])'
    return re.compile(pattern.encode())


class _Used:
    """The used range found so far in one sheet, refused as soon as it passes a cap."""

    def __init__(self, limits: Limits, file: str, sheet: str | None) -> None:
        self.limits = limits
        self.file = file
        self.sheet = sheet
        self.rows = 0
        self.columns = 0

    def reach(
        self, rows: int, columns: int, ref: str | None = None, declared: bool = False
    ) -> None:
        """Extend the range to a cell's row and column, or refuse the sheet."""
        self.rows = max(self.rows, rows)
        self.columns = max(self.columns, columns)
        limits = self.limits
        if declared:
            where = _("declares its used range as {ref}:").format(ref=ref)
        elif ref:
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

    def refuse(self, message: str) -> None:
        raise InputError(message, file=self.file, sheet=self.sheet)


def _chunks(stream: IO[bytes], limits: Limits, used: _Used) -> Iterator[bytes]:
    """The stream's bytes in chunks that end before a tag, so no tag is cut in two.

    Raises:
        InputError: A text or tag runs on past what any cell may hold.
    """
    pending = b""
    longest = 4 * limits.max_cell_chars + HEAD_BYTES  # UTF-8 takes up to 4 bytes a character
    while True:
        block = stream.read(CHUNK)
        data = pending + block
        if not block:
            if data:
                yield data
            return
        cut = data.rfind(b"<")
        if cut <= 0:
            pending = data
            if len(pending) > longest:
                used.refuse(
                    over(
                        _(
                            "has a text or XML tag of more than {value:,} bytes, more than the "
                            "{cap:,} bytes allowed"
                        ),
                        longest,
                        "max_cell_chars",
                        limits,
                    )
                )
            continue
        data, pending = data[:cut], data[cut:]
        yield data


def _parse_ref(ref: bytes) -> tuple[int, int] | None:
    match = _REF.fullmatch(ref)
    if match is None:
        return None
    return int(match.group(2)), column_number(match.group(1).decode("ascii"))


def _all_referenced(data: bytes) -> bool:
    """Whether every row and cell tag in ``data`` carries its reference (``r``).

    Excel, openpyxl, xlsxwriter and LibreOffice write ``<row r="`` and ``<c r="``,
    which ``bytes.count`` checks at memory speed; a chunk where the counts differ
    (other elements starting ``<c`` or ``<row``, a prefix, attributes in another
    order) is searched with a regex.
    """
    if (
        data.count(b"<c") == data.count(b'<c r="')
        and data.count(b"<row") == data.count(b'<row r="')
        and b":c" not in data
        and b":row" not in data
    ):
        return True
    if len(_ROW_TAG.findall(data)) != len(_ROW_REF.findall(data)):
        return False
    return _BARE_CELL.search(data) is None


def scan_sheet(stream: IO[bytes], limits: Limits, file: str, sheet: str | None) -> tuple[int, int]:
    """The last row and column a sheet's cells reach, refusing it past a cap.

    Returns:
        ``(rows, columns)``, 1-based.

    Raises:
        InputError: The declared dimension or the cells pass ``max_rows``,
            ``max_columns`` or ``max_cells``.
    """
    used = _Used(limits, file, sheet)
    walker: _Walker | None = None
    first = True
    for data in _chunks(stream, limits, used):
        if first:
            first = False
            dimension = _DIMENSION.search(data)
            if dimension is not None:
                _declared(used, dimension.group(1))
                # The declaration says nothing about the cells: they are measured anew.
                used.rows = used.columns = 0
        if walker is None and not _all_referenced(data):
            walker = _Walker(used)
        if walker is not None:
            walker.walk(data)
        else:
            _search_beyond(data, used)
    return used.rows, used.columns


def _search_beyond(data: bytes, used: _Used) -> None:
    """Extend ``used`` to every reference in ``data`` beyond it.

    The chunk's last cell is (in a sheet written in order) its furthest, so the
    search starts from it and matches almost nothing.
    """
    last = data.rfind(b'<c r="')
    if last >= 0:
        ref = data[last + 6 : data.find(b'"', last + 6)]
        parsed = _parse_ref(ref)
        if parsed is not None:
            used.reach(*parsed, ref=ref.decode("ascii").upper())
    position = 0
    while True:
        match = _beyond(used.rows, used.columns).search(data, position)
        if match is None:
            return
        start = match.start() + 3
        position = max(data.find(b'"', start), start)
        ref = data[start:position]
        if ref.isdigit():
            used.reach(int(ref), used.columns)
            continue
        parsed = _parse_ref(ref)
        if parsed is not None:
            used.reach(*parsed, ref=ref.decode("ascii").upper())


def _declared(used: _Used, ref: bytes) -> None:
    """Check a ``<dimension ref="A1:XFD1048576">`` against the caps."""
    last = ref.split(b":")[-1].replace(b"$", b"")
    parsed = _parse_ref(last)
    if parsed is not None:
        used.reach(*parsed, ref=ref.decode("ascii", "replace").upper(), declared=True)


class _Walker:
    """The exact used range of a sheet whose rows or cells lack references: tag by tag,
    as the parsers place them (a row without ``r`` follows the last; a cell without
    ``r`` takes the next column)."""

    def __init__(self, used: _Used) -> None:
        self.used = used
        self.row = 0
        self.column = 0

    def walk(self, data: bytes) -> None:
        used = self.used
        for match in _TAGS.finditer(data):
            attrs = match.group(2)
            ref = _R_ATTR.search(attrs)
            if match.group(1) == b"row":
                self.row = int(ref.group(1)) if ref and ref.group(1).isdigit() else self.row + 1
                self.column = 0
                continue
            parsed = _parse_ref(ref.group(1)) if ref else None
            if parsed is not None:
                self.row, self.column = parsed
            else:
                self.column += 1
            if self.row > used.rows or self.column > used.columns:
                used.reach(max(self.row, 1), self.column)


def sheet_parts_in(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet names -> their XML part, from the workbook and its relationships."""
    try:
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, zipfile.BadZipFile, OSError, SafeET.ParseError):
        return {}
    targets: dict[str, str] = {}
    for rel in rels:
        target = rel.get("Target", "")
        if target.startswith("/"):
            targets[rel.get("Id", "")] = target.lstrip("/")
        else:
            targets[rel.get("Id", "")] = str(PurePosixPath("xl") / target)
    parts: dict[str, str] = {}
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rel_id = element.get(_REL_ID) or next(
                (v for k, v in element.attrib.items() if _local(k) == "id"), ""
            )
            if rel_id in targets:
                parts[element.get("name", "")] = targets[rel_id]
    return parts


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def check_xlsx(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose sheets or shared strings pass a cap, before it is parsed.

    Raises:
        InputError: One sentence naming the file, the sheet, the cap, the file's
            value and how to raise the cap.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            for part in members:
                if PurePosixPath(part).name.lower() == "sharedstrings.xml":
                    _check_shared_strings(archive, part, limits, name)
            named = sheet_parts_in(archive)
            sheets = {part: sheet for sheet, part in named.items() if part in members}
            for part in members:
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", part) and part not in sheets:
                    sheets[part] = PurePosixPath(part).stem
            for part, sheet in sheets.items():
                with archive.open(part) as stream:
                    scan_sheet(stream, limits, name, sheet)
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


def _check_shared_strings(archive: zipfile.ZipFile, part: str, limits: Limits, name: str) -> None:
    with archive.open(part) as stream:
        head = stream.read(HEAD_BYTES)
    tag = _SST.search(head)
    if tag is None:
        return
    counts = [int(value) for _, value in _COUNT.findall(tag.group(1))]
    declared = max(counts, default=0)
    if declared > limits.max_strings:
        raise InputError(
            over(
                _(
                    "declares a shared-strings table of {value:,} strings, more than the "
                    "{cap:,} strings allowed"
                ),
                declared,
                "max_strings",
                limits,
            ),
            file=name,
        )


# --- OpenDocument -------------------------------------------------------------------

_ODS_TAGS = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table|table-row|table-cell|covered-table-cell)(?=[\s>/])"
    rb"([^>]*?)(/?)>"
)
_ODS_NAME = re.compile(rb'(?<=\s)(?:[A-Za-z_][\w.-]*:)?name="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')
_VALUE_TYPE = re.compile(rb"value-type=")


def check_ods(path: Path, limits: Limits) -> None:
    """Refuse an .ods whose tables, repeats expanded, pass a cap, before it is parsed.

    A row or cell repeated (``table:number-rows-repeated="1048576"``) counts as
    many rows or cells as it says when it holds a value; empty repeats (how
    LibreOffice pads a sheet to its edge) count for nothing.

    Raises:
        InputError: As :func:`check_xlsx`.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            _scan_ods(stream, limits, name)
    except KeyError:
        return  # the parser says the file is damaged
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise InputError(
            _("is not a readable {suffix} workbook (damaged or truncated: {reason})").format(
                suffix=".ods", reason=exc
            ),
            file=name,
        ) from exc


def _scan_ods(stream: IO[bytes], limits: Limits, name: str) -> None:
    used = _Used(limits, name, None)
    row = 0  # rows before the current one in the current table
    column = 0
    repeat = 1
    row_used = 0  # columns the current row's cells with a value reach
    for data in _chunks(stream, limits, used):
        for match in _ODS_TAGS.finditer(data):
            closing, kind, attrs, empty = match.groups()
            if kind == b"table":
                if not closing:
                    found = _ODS_NAME.search(attrs)
                    used = _Used(limits, name, found.group(1).decode() if found else None)
                    row = 0
                continue
            if kind == b"table-row":
                if closing:
                    if row_used:
                        used.reach(row + repeat, row_used)
                    row += repeat
                    continue
                found = _ROWS_REPEATED.search(attrs)
                repeat = int(found.group(1)) if found else 1
                column = row_used = 0
                if empty:
                    row += repeat
                continue
            if closing:
                continue
            found = _COLUMNS_REPEATED.search(attrs)
            across = int(found.group(1)) if found else 1
            column += across
            if not empty or _VALUE_TYPE.search(attrs):
                row_used = column
                used.reach(row + repeat, row_used)
