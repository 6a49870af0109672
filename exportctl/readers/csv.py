"""CSV and text files: encoding detection, delimiter sniffing, streamed records.

Encodings: a BOM decides (UTF-8 or UTF-16); UTF-16 without a BOM is told by its
NUL bytes (every other byte of Latin text); otherwise the file is checked as
UTF-8 and, failing that, as CP949 (a superset of EUC-KR, what Korean Excel
writes). The check streams the bytes once before reading, so a bad byte is
reported with its line number instead of surfacing halfway through an import.
When the bytes do not decode, the message names the encodings tried and the one
the bytes look like (:func:`looks_like`), never the one that just failed.
"""

from __future__ import annotations

import codecs
import csv
import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.limits import DEFAULTS, Limits, over
from exportctl.readers.rows import Note, RawRow
from exportctl.streams import BoundedLines

SNIFF_BYTES = 64 * 1024
"""Characters read to choose the delimiter."""

DELIMITERS = (",", ";", "\t", "|")
"""Delimiters the sniffer chooses among."""

# What Korean text looks like decoded with the wrong codec: U+FFFD, NULs (UTF-16
# read as bytes), C1 controls, or Latin-1/cp1252 letters in runs (a UTF-8 or
# CP949 syllable is two or three such characters; "für" or "café" has none).
_CP1252_EXTRAS = "ŒœŠšŸŽžƒˆ˜–—‘’‚“”„†‡•…‰‹›€™"
_GARBLED = re.compile(rf"[\ufffd\x00\x80-\x9f]|[\xa0-\xff{_CP1252_EXTRAS}]{{2}}")
_QUESTION_MARKS = re.compile(r"\?{2,}")
GARBLED_SAMPLE = 24
"""Characters of a garbled cell shown in a message."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class CsvSource:
    """An open CSV file.

    Attributes:
        encoding: The encoding used.
        delimiter: The delimiter used.
        rows: Its records, streamed.
        handle: The open text file (closed when the rows are exhausted).
        notes: Notes for the table.
        estimated_rows: Lines expected, from the file size and the first 64 KiB.
    """

    encoding: str
    delimiter: str
    rows: Iterator[RawRow]
    handle: IO[str]
    notes: list[Note] = field(default_factory=list)
    estimated_rows: int | None = None


def first_bad_line(
    path: Path, encoding: str, chunk: int = 256 * 1024, limits: Limits | None = None
) -> int | None:
    """The line of the first byte that does not decode, or ``None`` if all decode.

    With ``limits``, the same pass refuses a file with a line longer than
    ``max_line_bytes`` or more lines than ``max_rows``, before the CSV reader
    would hold such a line (or the rows) in memory.

    Raises:
        InputError: Over a cap.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line = 1
    run = 0  # bytes of the line being read
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + block[: max(exc.start, 0)].count(b"\n")
            if limits is not None:
                run = _check_lines(path, block, line, run, limits)
            line += block.count(b"\n")
            if limits is not None and line > limits.max_rows + 1:
                raise InputError(
                    over(
                        _("has more than {value:,} lines, more than the {cap:,} lines allowed"),
                        limits.max_rows,
                        "max_rows",
                        limits,
                    ),
                    file=path.name,
                )
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return line
    return None


def _check_lines(path: Path, block: bytes, line: int, run: int, limits: Limits) -> int:
    """Refuse a line longer than ``max_line_bytes``; return the bytes of the line left open.

    ``run`` is the bytes of line ``line`` read before ``block``.
    """
    if run + len(block) <= limits.max_line_bytes:
        # No line can be longer than the block and the line it goes on: none is cut up.
        last = block.rfind(b"\n")
        return run + len(block) if last < 0 else len(block) - last - 1
    pieces = block.split(b"\n")
    lengths = [run + len(pieces[0]), *map(len, pieces[1:])]
    longest = max(lengths)
    if longest > limits.max_line_bytes:
        number = line + lengths.index(longest)
        raise InputError(
            over(
                _(
                    "has a line (line {number:,}) of at least {value:,} bytes, more than the "
                    "{cap:,} bytes allowed"
                ),
                longest,
                "max_line_bytes",
                limits,
                number=number,
            ),
            file=path.name,
        )
    return lengths[-1]


UTF16_NUL_SHARE = 0.2
"""Share of two-byte units with a NUL on one side that marks UTF-16 without a BOM.

Latin letters, digits, tabs and line ends are one NUL and one byte in UTF-16; a
Korean list has them in every row (codes, serials, delimiters), and 8-bit text
has no NUL at all."""

_UTF16_UNSURE = 0.02
"""Share of NULs on the other side above which the bytes are not plain UTF-16."""


def utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when the bytes are UTF-16 with no BOM, else ``None``.

    Told by where the NULs fall: the high byte of ASCII characters comes second in
    little-endian (odd positions), first in big-endian (even positions).
    """
    units = len(head) // 2
    if units < 2:
        return None
    odd, even = head[1 : units * 2 : 2].count(0), head[0 : units * 2 : 2].count(0)
    for codec, ours, theirs in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if ours >= units * UTF16_NUL_SHARE and theirs <= units * _UTF16_UNSURE:
            try:
                head[: units * 2].decode(codec)
            except UnicodeDecodeError as exc:
                if exc.start < units * 2 - 2:  # only a surrogate pair cut at the end is fine
                    continue
            return codec
    return None


_SHOWN = {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp949": "CP949"}
"""Encodings offered when a guess fails, as messages name them."""


def _shown(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    base = "utf-16" if name.startswith("utf-16") else "utf-8" if name == "utf-8-sig" else name
    return _SHOWN.get(base, encoding)


def looks_like(path: Path, tried: Iterable[str] = ()) -> str | None:
    """The encoding the whole file decodes in, among UTF-16, UTF-8 and CP949, or ``None``.

    Those in ``tried`` (that just failed) are not offered again. UTF-16 counts only
    with a BOM or the NUL pattern of :func:`utf16_without_bom` (any even byte string
    "decodes" as UTF-16).
    """
    failed = {_shown(each) for each in tried}
    head = read_start(path)
    candidates: list[str] = []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    elif (codec := utf16_without_bom(head)) is not None:
        candidates.append(codec)
    candidates += ["utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8", "cp949"]
    for candidate in candidates:
        if _shown(candidate) not in failed and first_bad_line(path, candidate) is None:
            return _shown(candidate)
    return None


def read_start(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of a file."""
    with path.open("rb") as handle:
        return handle.read(size)


def _undecodable(path: Path, tried: list[str]) -> str:
    """Why the bytes did not decode: the encodings tried and the one they look like."""
    names = ", ".join(dict.fromkeys(_shown(each) for each in tried))
    guess = looks_like(path, tried)
    if guess is None:
        return _(
            "cannot be decoded as {tried} (first undecodable byte here), and the bytes do not "
            "look like UTF-8, UTF-16 or CP949 either; find out the file's encoding and pass it "
            "with --encoding"
        ).format(tried=names)
    return _(
        "cannot be decoded as {tried} (first undecodable byte here); the bytes look like "
        "{guess}: try --encoding {option}"
    ).format(tried=names, guess=guess, option=guess.lower())


def choose_encoding(
    path: Path, encoding: str | None, limits: Limits | None = None
) -> tuple[str, list[Note]]:
    """Pick and check the encoding of a text file.

    Args:
        path: The file.
        encoding: The encoding the user named, or ``None`` to detect.

    Returns:
        The encoding and any notes about it.

    Raises:
        InputError: Unknown encoding, or bytes that do not decode (with the line).
    """
    name = path.name
    head = read_start(path)
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(
                _('unknown encoding "{encoding}"').format(encoding=encoding), file=name
            ) from exc
        if info.name == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        bad = first_bad_line(path, encoding, limits=limits)
        if bad is not None:
            raise InputError(_undecodable(path, [encoding]), file=name, row=bad)
        return encoding, []
    for bom, bom_encoding in _BOMS:
        if head.startswith(bom):
            bad = first_bad_line(path, bom_encoding, limits=limits)
            if bad is not None:
                raise InputError(
                    _(
                        "starts with a {encoding} byte-order mark but does not decode as such; "
                        "pass its encoding with --encoding"
                    ).format(encoding=bom_encoding),
                    file=name,
                    row=bad,
                )
            return bom_encoding, []
    utf16 = utf16_without_bom(head)
    if utf16 is not None:
        bad = first_bad_line(path, utf16, limits=limits)
        if bad is None:
            note = _("{encoding} text without a byte-order mark (NUL bytes between letters)")
            return utf16, [Note("csv-encoding", note.format(encoding=utf16.upper()))]
    bad = first_bad_line(path, "utf-8", limits=limits)
    if bad is None:
        return "utf-8", []
    if first_bad_line(path, "cp949") is None:
        return "cp949", [Note("csv-encoding", _("not UTF-8; decoded as CP949 (Korean Windows)"))]
    raise InputError(_undecodable(path, ["utf-8", "cp949"]), file=name, row=bad)


def garbled_row(rows: Iterable[RawRow]) -> tuple[int, str, bool] | None:
    """The first cell whose text looks garbled by decoding, or ``None``.

    Args:
        rows: The rows searched (the top of a file, where the header should be).

    Returns:
        The row number, the cell's start with unprintable characters escaped
        (``"ì\\x97°ë²\\x88"``), and whether the garbling is question marks in
        place of letters (the file was saved that way; no encoding reads it back).
    """
    for row in rows:
        for value in row.values:
            if not isinstance(value, str):
                continue
            mojibake = _GARBLED.search(value) is not None
            if mojibake or _QUESTION_MARKS.search(value):
                shown = "".join(
                    char if char.isprintable() else f"\\x{ord(char):02x}"
                    for char in value.strip()[:GARBLED_SAMPLE]
                )
                return row.number, shown, not mojibake
    return None


def sniff_delimiter(sample: str) -> str:
    """Choose the delimiter that splits the most lines into the same number of fields.

    Title lines above the header have one field whatever the delimiter, so the
    choice rests on the lines that do split.
    """
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    best = (0, 0, ",")
    for delimiter in DELIMITERS:
        widths = Counter(len(record) for record in csv.reader(lines, delimiter=delimiter))
        widths.pop(1, None)
        widths.pop(0, None)
        if not widths:
            continue
        width, frequency = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (frequency, width) > best[:2]:
            best = (frequency, width, delimiter)
    return best[2]


TEXT_XLS = N_(
    "is not an Excel workbook but tab-separated text ({encoding}) saved with an .xls name, "
    "as SAP and other ERP systems export; read as tab-separated text"
)
"""The note on a text file named .xls."""

_DELIMITER_NAMES = {"\t": N_("tab"), ";": N_("semicolon"), "|": N_("vertical bar")}


def open_csv(path: Path, encoding: str | None, limits: Limits = DEFAULTS) -> CsvSource:
    """Open a CSV/TXT file for streaming.

    Args:
        path: The file.
        encoding: Its encoding, or ``None`` to detect it.
        limits: The caps (lines, line length, fields and field length).

    Raises:
        InputError: Encoding problems (see ``choose_encoding``), or over a cap.
    """
    chosen, notes = choose_encoding(path, encoding, limits)
    handle = path.open(encoding=chosen, newline="")
    try:
        sample = handle.read(SNIFF_BYTES)
        handle.seek(0)
    except (UnicodeDecodeError, OSError) as exc:
        handle.close()
        raise InputError(_("cannot be read: {reason}").format(reason=exc), file=path.name) from exc
    suffix = path.suffix.lower()
    if suffix == ".xls":
        # SAP and other ERP systems "export to spreadsheet" as tab-separated text
        # named .xls (check_file tells it from a workbook by its bytes).
        delimiter = "\t"
        notes.append(Note("xls-text", _(TEXT_XLS).format(encoding=_shown(chosen))))
    elif suffix == ".tsv":
        delimiter = "\t"
    else:
        delimiter = sniff_delimiter(sample)
    if delimiter != "," and suffix != ".xls":
        shown = _(_DELIMITER_NAMES[delimiter])
        notes.append(
            Note("csv-delimiter", _("fields separated by {delimiter}").format(delimiter=shown))
        )
    lines = sample.count("\n")
    estimated = None
    if lines and len(sample) >= SNIFF_BYTES:
        size = path.stat().st_size
        estimated = int(size / len(sample.encode(chosen, "replace")) * lines)
    elif lines:
        estimated = lines
    records = _records(path, handle, delimiter, limits, notes)
    return CsvSource(chosen, delimiter, records, handle, notes, estimated)


def _records(
    path: Path, handle: IO[str], delimiter: str, limits: Limits, notes: list[Note]
) -> Iterator[RawRow]:
    # Each line, each record and the whole file are bounded as they are read: the
    # first pass (first_bad_line) measured lines, but a record may run over many of
    # them through a quoted line break, and the csv module holds a record whole.
    lines = BoundedLines(handle, path.name, limits, records=True)
    # The csv module's cap on a field is process-wide: set while this file is read.
    previous = csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(lines, delimiter=delimiter)
    quoting = _QuoteCheck(path.name, delimiter)
    start = 1
    try:
        for record in reader:
            quoting.check(lines.end_record(), record, start)
            if len(record) > limits.max_columns:
                raise InputError(
                    over(
                        _("has {value:,} fields, more than the {cap:,} fields allowed"),
                        len(record),
                        "max_columns",
                        limits,
                    ),
                    file=path.name,
                    row=start,
                )
            yield RawRow(start, record)
            start = reader.line_num + 1
        notes.extend(quoting.notes())
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(
                over(
                    _(
                        "has a field of more than {value:,} characters, more than the {cap:,} "
                        "characters allowed"
                    ),
                    limits.max_cell_chars,
                    "max_cell_chars",
                    limits,
                ),
                file=path.name,
                row=start,
            ) from exc
        raise InputError(
            _("is not valid CSV ({reason})").format(reason=exc), file=path.name, row=start
        ) from exc
    except UnicodeDecodeError as exc:
        tried = codecs.lookup(getattr(handle, "encoding", "utf-8")).name
        raise InputError(_undecodable(path, [tried]), file=path.name, row=start) from exc
    finally:
        csv.field_size_limit(previous)
        handle.close()


_QUOTED_FIELD = re.compile(r'"(?>[^"]*+(?:""[^"]*+)*+)"')
"""A quoted field as the csv module reads it (``""`` inside is one quote); atomic, so
``"abc""`` at the end of a file is a field that never closes, as the csv module says."""

_SHOWN_CHARS = 40
"""Characters of a malformed field shown in a message."""


@functools.cache
def _well_quoted(delimiter: str) -> re.Pattern[str]:
    """A record whose every field is unquoted, or quoted and closed before the delimiter.

    An unquoted field may hold a quote after its first character (``24" screen``):
    the csv module keeps it as written, so it is not a problem."""
    d = re.escape(delimiter)
    field = rf'(?:"(?>[^"]*+(?:""[^"]*+)*+)"|[^"{d}\r\n][^{d}\r\n]*+)?'
    return re.compile(rf"{field}(?:{d}{field})*(?:\r\n|\r|\n)?")


class QuoteProblem(NamedTuple):
    """A quoted CSV field the csv module would read otherwise than it is written."""

    column: int
    """0-based column of the field."""
    start: int
    """Offset of its opening quote in the record's text."""
    end: int | None
    """Offset just past its closing quote, or ``None`` when the quote never closes (the
    csv module reads the rest of the file into it); otherwise text follows the closing
    quote (``"abc"def``, read as ``abcdef``)."""


def quote_problem(text: str, delimiter: str) -> QuoteProblem | None:
    """Where a record's quoting is broken, as the csv module would silently mend it.

    Args:
        text: The record as written (its lines joined).
        delimiter: The field delimiter.

    Returns:
        ``None`` when every quoted field closes right before a delimiter or the end
        of the line; else the first field that does not.
    """
    if '"' not in text or _well_quoted(delimiter).fullmatch(text):
        return None
    column = position = 0
    while position < len(text):
        start = position
        if text[position] == '"':
            closed = _QUOTED_FIELD.match(text, position)
            if closed is None:
                return QuoteProblem(column, start, None)
            position = closed.end()
            if position < len(text) and text[position] not in (delimiter, "\r", "\n"):
                return QuoteProblem(column, start, position)
        else:
            found = text.find(delimiter, position)
            position = len(text) if found < 0 else found
        if position >= len(text) or text[position] != delimiter:
            break
        position += 1
        column += 1
    return None


_ONE_QUOTE = N_(
    "row {row}, column {column}: text follows a closing quote ({written}), read as {read}; "
    'check the value, and write a quote inside a quoted value as two ("")'
)
_MANY_QUOTES = N_(
    "row {row}, column {column}: text follows a closing quote ({written}), read as {read}, "
    "and so in {count:,} fields in all; check the values, and write a quote inside a quoted "
    'value as two ("")'
)


class _QuoteCheck:
    """Quoting mistakes in a CSV file, found record by record as it streams.

    A quote that never closes swallows the rest of the file into one value, and a
    quoted field that spans lines before stray text swallows the rows in between:
    both are refused (the data would be silently wrong). Text after a closing quote
    on one line (``"abc"def`` read as ``abcdef``) is said once, as a note naming
    the first such field and the count.
    """

    def __init__(self, file: str, delimiter: str) -> None:
        self.file = file
        self.delimiter = delimiter
        self.count = 0
        self.first: tuple[int, int, str, str] | None = None

    def check(self, lines: list[str], record: list[str], row: int) -> None:
        text = lines[0] if len(lines) == 1 else "".join(lines)
        if '"' not in text:
            return
        found = quote_problem(text, self.delimiter)
        if found is None:
            return
        written = _sample(text[found.start :])
        column = found.column + 1
        if found.end is None:
            raise InputError(
                _(
                    "the quote that opens column {column} ({written}) never closes, so the "
                    "rest of the file ({lines:,} lines) would be read as one value; close the "
                    'quote, or double a quote meant as a character ("")'
                ).format(column=column, written=written, lines=len(lines)),
                file=self.file,
                row=row,
            )
        spanned = text.count("\n", found.start, found.end)
        if spanned:
            raise InputError(
                _(
                    "column {column} ({written}) has text after a quoted value that runs over "
                    "{lines:,} lines, so the rows between would be read as one value; double a "
                    'quote meant as a character (""), or close the quote where the value ends'
                ).format(column=column, written=written, lines=spanned + 1),
                file=self.file,
                row=row,
            )
        self.count += 1
        if self.first is None:
            value = record[found.column] if found.column < len(record) else ""
            self.first = (row, column, written, _sample(value))

    def notes(self) -> list[Note]:
        if self.first is None:
            return []
        row, column, written, read = self.first
        return [
            Note(
                "csv-quote",
                _(_ONE_QUOTE if self.count == 1 else _MANY_QUOTES).format(
                    row=row, column=column, written=written, read=read, count=self.count
                ),
            )
        ]


def _sample(text: str) -> str:
    line = text.split("\n", 1)[0].rstrip("\r")
    cut = line[:_SHOWN_CHARS]
    return cut + ("…" if len(cut) < len(text.rstrip("\r\n")) else "")
