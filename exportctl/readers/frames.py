"""A product catalogue's rows as Arrow columns: what the columnar screening engine reads.

:func:`read_frame` finds the table as :func:`~exportctl.readers.read_table` does, with
the same code (file checks and caps, encoding, sheet, header, column mapping, formulas,
notes), then reads the data a column at a time:

* **CSV**: pyarrow's CSV reader from the line after the header, every cell as text;
* **XLSX**: fastexcel's columns of text, read once for the header search and the data
  (:class:`~exportctl.readers.fastbook.FastexcelBook`).

The row rules are :class:`~exportctl.readers.layout.RowRules`' own: a row with a code
and a value left of it is data (decided for the whole column at once); any other row
(blank, a repeated header, a footnote, a row without a code) is asked of
``RowRules.kind`` one by one. Cells are cleaned by
:mod:`~exportctl.readers.arrowcells`, exactly as ``cell_text`` cleans them.

When the file holds anything the columns cannot be sure to read as the rows would (a
record over several lines, rows of uneven width, a blank line the parser drops, an
encoding other than UTF-8 or CP949, a cell over a cap, a workbook cell whose text a
typed value may have become), the table is read row by row instead
(:func:`frame_of_rows`): slower, and the same.

Example:
    >>> frame = read_frame(Path("catalogue.csv"))
    >>> frame.data.column("code")[0]
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.errors import ExportctlError
from exportctl.limits import DEFAULTS, Limits
from exportctl.readers import CATALOGUE_SCHEMA, Table, read_table
from exportctl.readers.arrowcells import ambiguous, clean, clean_codes, code_texts, to_bool
from exportctl.readers.csv import CsvSource
from exportctl.readers.fastbook import FastexcelBook, FastexcelError, fixed_code_cells, fixed_styles
from exportctl.readers.layout import note_skipped
from exportctl.readers.rows import Note, RawRow

__all__ = ["FIELDS", "Frame", "frame_of_rows", "read_frame", "sheet_cells"]

FIELDS = CATALOGUE_SCHEMA.fields
"""The catalogue's fields, each a column of :attr:`Frame.data` (null where unmapped)."""

_FAST_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp949", "euc_kr", "ascii"})
"""Encodings in which a newline byte is always a newline: lines can be counted in bytes."""

_FOOTNOTE_FIRST = "^[※*주(nNsSſ출]"
"""A first character a footnote may start with (see ``layout._FOOTNOTE_START``, case aside)."""

_FOOTNOTE_MIN = 15
"""``layout.FOOTNOTE_MIN_LENGTH``: a lone shorter text is never a footnote."""


@dataclass
class Frame:
    """A catalogue's data rows as Arrow columns, with what the reader found."""

    file: str
    """File name, for messages."""
    sheet: str | None
    """Sheet read (None for CSV)."""
    columns: dict[str, str]
    """Field -> header as written."""
    unmapped: list[str]
    """Headers of the columns no field maps to, in order."""
    notes: list[Note]
    """Notes about the file (encoding, skipped rows...)."""
    data: pa.Table
    """``row`` (number in the file), one text column per field (:data:`FIELDS`; ``code``
    is the code cell as a person sees it), then the unmapped columns (:attr:`extra_names`)."""
    extra_names: list[str] = field(default_factory=list)
    """The names in :attr:`data` of the unmapped columns, aligned with :attr:`unmapped`."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows under the header not handed on, by kind."""


def read_frame(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    limits: Limits = DEFAULTS,
    header: Callable[[Mapping[str, str]], None] | None = None,
) -> Frame:
    """Read a product catalogue's rows into columns (see the module's note).

    Args:
        path: The catalogue (any file :func:`~exportctl.readers.read_table` reads).
        sheet: The sheet to read (detected when None).
        encoding: A CSV file's encoding (detected when None).
        overrides: Field -> header (``--column``).
        progress: Called with the number of rows read.
        limits: The caps on the file.
        header: Called with the columns found (field -> header) once the header is
            known, before the rows are read (a caller can get ready for them).

    Raises:
        InputError: As :func:`~exportctl.readers.read_table` raises it.
    """
    options: dict[str, Any] = {
        "sheet": sheet,
        "encoding": encoding,
        "overrides": overrides,
        "progress": progress,
        "keep_extra": True,
        "limits": limits,
    }
    try:
        table = read_table(path, CATALOGUE_SCHEMA, reader="fastexcel", **options)
    except FastexcelError:
        return frame_of_rows(read_table(path, CATALOGUE_SCHEMA, **options), progress)
    except ExportctlError:
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise
        # The workbook's error as the row reader says it (it reads typed cells).
        return frame_of_rows(read_table(path, CATALOGUE_SCHEMA, **options), progress)
    if header is not None:
        header(table.columns)
    source = table.source
    found: tuple[list[pa.Array], np.ndarray, pa.Array | None] | None = None
    try:
        if isinstance(source, CsvSource):
            found = _csv_cells(path, table, source, limits)
        elif isinstance(source, FastexcelBook):
            found = _book_cells(path, table, source)
    except FastexcelError:
        found = None
    if found is None:
        if isinstance(source, FastexcelBook):
            _close(table)
            table = read_table(path, CATALOGUE_SCHEMA, **options)
        return frame_of_rows(table, progress)
    _close(table)
    cells, numbers, codes = found
    frame = _assemble(table, cells, numbers, codes)
    del cells, found
    # What the parser and the cleaning held is handed back before screening needs room.
    pa.default_memory_pool().release_unused()
    if progress is not None:
        progress(len(numbers))
    return frame


def _whole(column: pa.ChunkedArray) -> pa.Array:
    """A column as one array (one of a single chunk as it is, without a copy)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _close(table: Table) -> None:
    close = getattr(table.rows, "close", None)
    if callable(close):
        close()


def frame_of_rows(table: Table, progress: Callable[[int], None] | None = None) -> Frame:
    """The frame of a table read row by row (any file :func:`read_table` reads)."""
    del progress  # the rows call it as they stream
    from exportctl.hscode import shown_text

    rows: list[int] = []
    values: dict[str, list[str | None]] = {name: [] for name in FIELDS}
    extras: list[list[str | None]] = [[] for _ in table.unmapped]
    for parsed in table.rows:
        rows.append(parsed.row)
        for name in FIELDS:
            if name != "code":
                values[name].append(parsed.values.get(name))
        cell = parsed.code
        values["code"].append(shown_text(cell) if cell is not None and cell.text else None)
        for column, text in zip(extras, parsed.extra, strict=False):
            column.append(text)
    names = [f"extra:{n}" for n in range(len(extras))]
    data = pa.table(
        {
            "row": pa.array(rows, pa.int64()),
            **{name: pa.array(values[name], pa.string()) for name in FIELDS},
            **{
                name: pa.array(column, pa.string())
                for name, column in zip(names, extras, strict=True)
            },
        }
    )
    return Frame(
        table.file,
        table.sheet,
        dict(table.columns),
        list(table.unmapped),
        table.notes,
        data,
        names,
        table.skipped,
    )


# --------------------------------------------------------------------------- CSV


def _csv_cells(
    path: Path, table: Table, source: CsvSource, limits: Limits
) -> tuple[list[pa.Array], np.ndarray, None] | None:
    """A CSV file's data rows as columns of raw text, and their line numbers; None when
    the file is not one the columns can be sure to read as the rows would."""
    import pyarrow.csv as pacsv

    encoding = codecs.lookup(source.encoding).name
    if encoding not in _FAST_ENCODINGS:
        return None
    first = _first_data_line(path, source, table.header_row)
    if first is None:
        return None
    if path.stat().st_size == 0:
        return None
    whole: pa.Buffer | None = None
    try:
        whole = pa.memory_map(str(path), "r").read_buffer()
        lines, start = _lines(np.frombuffer(whole, dtype=np.uint8), first)
        expected = max(lines - (first - 1), 0)
        numbers = np.arange(first, first + expected, dtype=np.int64)
        if not expected:
            return [], numbers, None
        bad: list[object] = []

        def invalid(row: object) -> str:
            bad.append(row)
            return "skip"

        body = pacsv.read_csv(
            pa.BufferReader(whole.slice(start)),
            # One thread: its blocks go back to the system when done (a pool of
            # threads keeps theirs), and a shared machine gains little from more.
            read_options=pacsv.ReadOptions(
                use_threads=False,
                autogenerate_column_names=True,
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=source.delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(limits.max_columns + 1)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError, OSError):
        return None
    finally:
        # The parser's blocks are handed back (the file's map goes with the buffer).
        whole = None
        pa.default_memory_pool().release_unused()
    # A record over several lines, a short or long row or a dropped line: the line
    # numbers would not be the rows'; the row reader says what they are.
    if bad or body.num_rows != expected or body.num_columns > limits.max_columns:
        return None
    cells = [_whole(column) for column in body.columns]
    for column in cells:
        widest = pc.max(pc.binary_length(column)).as_py()
        if widest is None or widest <= limits.max_cell_chars:
            continue  # no more characters than bytes
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > limits.max_cell_chars:
            return None
    return cells, numbers, None


def _lines(raw: np.ndarray, first: int, chunk: int = 1 << 23) -> tuple[int, int]:
    """The lines of a file's bytes (a last one without a newline counts), and the
    offset where line ``first`` starts; searched a chunk at a time."""
    count = 0
    start = 0 if first <= 1 else len(raw)
    for at in range(0, len(raw), chunk):
        ends = raw[at : at + chunk] == 10
        found = int(np.count_nonzero(ends))
        if count < first - 1 <= count + found:
            start = at + int(np.flatnonzero(ends)[first - 2 - count]) + 1
        count += found
    return count + (1 if len(raw) and raw[-1] != 10 else 0), start


def _first_data_line(path: Path, source: CsvSource, header_row: int) -> int | None:
    """The line where the record after the header starts (the header may span lines)."""
    try:
        with path.open(encoding=source.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=source.delimiter)
            start = 1
            for _record in reader:
                if start == header_row:
                    return reader.line_num + 1
                if start > header_row:
                    return None
                start = reader.line_num + 1
    except (csv.Error, UnicodeDecodeError, OSError):
        return None
    return None


# --------------------------------------------------------------------------- XLSX


def sheet_cells(table: Table, book: FastexcelBook) -> tuple[list[pa.Array], np.ndarray] | None:
    """The rows under ``table``'s header as columns of text, one per column of the sheet
    (blank columns left of the first cell fastexcel reads included), and their row
    numbers; None when a cell's text may not be what the row reader makes of the typed
    cell (:func:`~exportctl.readers.arrowcells.ambiguous`)."""
    assert table.sheet is not None
    sheet, offset = book.columns(table.sheet)
    columns = [_whole(column) for column in sheet.columns]
    if any(ambiguous(column) for column in columns):
        return None
    start = table.header_row
    count = max(sheet.num_rows - start, 0)
    cells = [pa.nulls(count, pa.string()) for _ in range(offset)]
    cells += [column.slice(start, count) for column in columns]
    return cells, np.arange(start + 1, start + 1 + count, dtype=np.int64)


def _book_cells(
    path: Path, table: Table, book: FastexcelBook
) -> tuple[list[pa.Array], np.ndarray, pa.Array | None] | None:
    """A sheet's data rows as columns of text, their row numbers and the code column's
    text where a number format changes it; None when a cell's text may not be what the
    row reader makes of the typed cell."""
    assert table.sheet is not None
    data = sheet_cells(table, book)
    if data is None:
        return None
    cells, numbers = data
    code_index = next(index for index, _text, name in table.mapping if name == "code")
    codes: pa.Array | None = None
    styles = fixed_styles(path)
    if styles is None:
        return None
    if styles and code_index < len(cells):
        codes = _fixed_codes(path, table.sheet, code_index, styles, cells[code_index], numbers)
        if codes is None:
            return None
    return cells, numbers, codes


def _fixed_codes(
    path: Path,
    sheet: str,
    column: int,
    styles: dict[int, str],
    raw: pa.Array,
    numbers: np.ndarray,
) -> pa.Array | None:
    """The code column's texts with each number under a format that fixes its digits
    shown through it (:func:`~exportctl.hscode.shown_text`, as the row reader shows it);
    None when the sheet's cells cannot be told apart by their tags."""
    from exportctl.hscode import shown_text
    from exportctl.readers.cells import code_cell
    from exportctl.readers.xlsx import sheet_parts

    part = sheet_parts(path).get(sheet)
    if part is None:
        return None
    found = fixed_code_cells(path, part, column, styles)
    if found is None:
        return None
    texts = code_texts(raw)
    if not found:
        return texts
    first = int(numbers[0]) if len(numbers) else 0
    at: list[int] = []
    shown: list[str | None] = []
    for row, (number_format, number) in sorted(found.items()):
        place = row - first
        if not number or not 0 <= place < len(raw):
            continue
        value = raw[place].as_py()
        if value is None:
            continue
        try:
            cell = code_cell(float(value), number_format)
        except ValueError:
            return None
        at.append(place)
        shown.append(shown_text(cell) if cell.text else None)
    if not at:
        return texts
    mask = np.zeros(len(raw), dtype=bool)
    mask[at] = True
    return pc.replace_with_mask(texts, pa.array(mask), pa.array(shown, pa.string()))


# --------------------------------------------------------------------------- rows


def _assemble(
    table: Table, cells: list[pa.Array], numbers: np.ndarray, codes: pa.Array | None
) -> Frame:
    """Apply the row rules to the raw columns and keep the data rows, cleaned."""
    rules = table.rules
    assert rules is not None
    n = len(numbers)
    mapped = {name: index for index, _text, name in table.mapping if name is not None}
    extra_at = [index for index, _text, name in table.mapping if name is None]

    def raw(index: int) -> pa.Array:
        return cells[index] if index < len(cells) else pa.nulls(n, pa.string())

    code_index = mapped["code"]
    code, code_cells = clean_codes(raw(code_index))
    texts = {name: clean(raw(index)) for name, index in mapped.items() if name != "code"}
    texts["code"] = code
    # Data for sure (RowRules.plain, vectorised): a code other than the header's, and a
    # value left of the code column, or a code that cannot start a footnote.
    sure = to_bool(pc.and_(pc.is_valid(code), pc.not_equal(code, rules.header_code)))
    leading = [name for name, index in mapped.items() if index < code_index]
    left = np.zeros(n, dtype=bool)
    for name in leading:
        left |= to_bool(pc.is_valid(texts[name]))
    plain_code = pc.and_(
        pc.less(pc.utf8_length(code), _FOOTNOTE_MIN),
        pc.invert(pc.match_substring_regex(code, _FOOTNOTE_FIRST)),
    )
    sure &= left | to_bool(plain_code)
    keep = sure.copy()
    blank = repeated = 0
    footnotes: list[int] = []
    others = np.flatnonzero(~sure)
    if others.size:
        names = [name for name in FIELDS if name in mapped]
        taking = pa.array(others)
        row_values = list(zip(*(column.take(taking).to_pylist() for column in cells), strict=True))
        row_texts = list(
            zip(*(texts[name].take(taking).to_pylist() for name in names), strict=True)
        )
        for at, values, said in zip(others.tolist(), row_values, row_texts, strict=True):
            kind, _title = rules.kind(RawRow(int(numbers[at]), list(values)), list(said))
            if kind is None:
                keep[at] = True
            elif kind == "blank":
                blank += 1
            elif kind == "footnote":
                footnotes.append(int(numbers[at]))
            else:
                repeated += 1
    table.skipped.update(blank=blank, footnote=len(footnotes), repeated_header=repeated)
    note_skipped(table.notes, footnotes, repeated, table.sheet)
    everything = bool(keep.all())
    kept = pa.array(keep)

    def kept_rows(column: pa.Array) -> pa.Array:
        return column if everything else column.filter(kept)

    if codes is not None:
        code_cells = codes
    columns: dict[str, pa.Array] = {"row": kept_rows(pa.array(numbers))}
    for name in FIELDS:
        if name == "code":
            columns[name] = kept_rows(code_cells)
        elif name in texts:
            columns[name] = kept_rows(texts[name])
        else:
            columns[name] = pa.nulls(int(np.count_nonzero(keep)), pa.string())
    extra_names = [f"extra:{i}" for i in range(len(extra_at))]
    for name, index in zip(extra_names, extra_at, strict=True):
        columns[name] = kept_rows(clean(raw(index)))
    return Frame(
        table.file,
        table.sheet,
        dict(table.columns),
        list(table.unmapped),
        table.notes,
        pa.table(columns),
        extra_names,
        table.skipped,
    )
