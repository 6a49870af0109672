"""CSV and text files: encoding detection, delimiter sniffing, streamed records.

Encodings: a BOM decides (UTF-8 or UTF-16); otherwise the file is checked as
UTF-8 and, failing that, as CP949 (a superset of EUC-KR, what Korean Excel
writes). The check streams the bytes once before reading, so a bad byte is
reported with its line number instead of surfacing halfway through an import.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from exportctl.errors import InputError
from exportctl.limits import DEFAULTS, Limits, over
from exportctl.readers.rows import Note, RawRow

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
                    over("has more than", limits.max_rows, "max_rows", limits, " lines"),
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
    pieces = block.split(b"\n")
    lengths = [run + len(pieces[0]), *map(len, pieces[1:])]
    longest = max(lengths)
    if longest > limits.max_line_bytes:
        number = line + lengths.index(longest)
        raise InputError(
            over(
                f"has a line (line {number:,}) of at least",
                longest,
                "max_line_bytes",
                limits,
                " bytes",
            ),
            file=path.name,
        )
    return lengths[-1]


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
    with path.open("rb") as handle:
        head = handle.read(4)
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(f'unknown encoding "{encoding}"', file=name) from exc
        if info.name == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        bad = first_bad_line(path, encoding, limits=limits)
        if bad is not None:
            raise InputError(
                f"cannot be decoded as {encoding}; try --encoding cp949 or utf-8",
                file=name,
                row=bad,
            )
        return encoding, []
    for bom, bom_encoding in _BOMS:
        if head.startswith(bom):
            bad = first_bad_line(path, bom_encoding, limits=limits)
            if bad is not None:
                raise InputError(
                    f"starts with a {bom_encoding} byte-order mark but does not decode as "
                    "such; pass its encoding with --encoding",
                    file=name,
                    row=bad,
                )
            return bom_encoding, []
    bad = first_bad_line(path, "utf-8", limits=limits)
    if bad is None:
        return "utf-8", []
    if first_bad_line(path, "cp949") is None:
        return "cp949", [Note("csv-encoding", "not UTF-8; decoded as CP949 (Korean Windows)")]
    raise InputError(
        "is neither UTF-8 nor CP949 text (first undecodable byte here); pass its encoding, "
        "e.g. --encoding cp949",
        file=name,
        row=bad,
    )


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
        raise InputError(f"cannot be read: {exc}", file=path.name) from exc
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(sample)
    if delimiter != ",":
        shown = {"\t": "tab", ";": "semicolon", "|": "vertical bar"}[delimiter]
        notes.append(Note("csv-delimiter", f"fields separated by {shown}"))
    lines = sample.count("\n")
    estimated = None
    if lines and len(sample) >= SNIFF_BYTES:
        size = path.stat().st_size
        estimated = int(size / len(sample.encode(chosen, "replace")) * lines)
    elif lines:
        estimated = lines
    records = _records(path, handle, delimiter, limits)
    return CsvSource(chosen, delimiter, records, handle, notes, estimated)


def _records(path: Path, handle: IO[str], delimiter: str, limits: Limits) -> Iterator[RawRow]:
    # The csv module's cap on a field is process-wide: set while this file is read.
    previous = csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(handle, delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            if len(record) > limits.max_columns:
                raise InputError(
                    over("has", len(record), "max_columns", limits, " fields"),
                    file=path.name,
                    row=start,
                )
            yield RawRow(start, record)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(
                over(
                    "has a field of more than",
                    limits.max_cell_chars,
                    "max_cell_chars",
                    limits,
                    " characters",
                ),
                file=path.name,
                row=start,
            ) from exc
        raise InputError(f"is not valid CSV ({exc})", file=path.name, row=start) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            "cannot be decoded; try --encoding cp949", file=path.name, row=start
        ) from exc
    finally:
        csv.field_size_limit(previous)
        handle.close()
