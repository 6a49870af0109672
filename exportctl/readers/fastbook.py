"""An .xlsx workbook read by fastexcel, straight into Arrow columns of text.

fastexcel runs calamine, the reader :class:`~exportctl.readers.xlsx.CalamineBook`
runs through python-calamine, but hands a sheet over as Arrow arrays instead of a
Python object per cell. :class:`FastexcelBook` is a :class:`~exportctl.readers.xlsx.Book`
like the others, so the header is found and checked by the same code
(:func:`~exportctl.readers.read_table` with ``reader="fastexcel"``); a columnar
reader then takes the chosen sheet's columns (:meth:`FastexcelBook.columns`).

Every cell comes as text: a number as its shortest digits (what
:func:`~exportctl.readers.cells.cell_text` writes for it too), a date or a truth
value in fastexcel's words. Whether a cell was a number matters only in the code
column under a number format that fixes its digits (``0000.00``); such cells are
found in the sheet's XML (:func:`fixed_code_cells`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from exportctl.readers.rows import RawRow
from exportctl.readers.xlsx import column_letters

__all__ = ["FastexcelBook", "FastexcelError", "fixed_code_cells", "fixed_styles"]


class FastexcelError(Exception):
    """fastexcel could not read the workbook; the caller reads it the other way."""


class FastexcelBook:
    """An .xlsx workbook whose sheets are read by fastexcel, each once, as text."""

    engine = "calamine"
    """The parser underneath (what the formula scan and notes go by)."""

    def __init__(self, path: Path) -> None:
        import fastexcel

        self.path = path
        try:
            self._reader: Any = fastexcel.read_excel(str(path))
        except Exception as exc:  # fastexcel raises its own errors and plain ones
            raise FastexcelError(str(exc)) from exc
        self.sheet_names: list[str] = list(self._reader.sheet_names)
        self._sheets: dict[str, pa.Table] = {}
        self._offsets: dict[str, int] = {}

    def columns(self, sheet: str) -> tuple[pa.Table, int]:
        """A sheet's cells as text columns from its first used column, every row from the
        sheet's first (row ``n`` is at ``n - 1``), and that first column's 0-based index.

        Raises:
            FastexcelError: fastexcel could not read it.
        """
        found = self._sheets.get(sheet)
        if found is None:
            try:
                loaded = self._reader.load_sheet(
                    sheet, header_row=None, skip_rows=0, dtypes="string"
                )
                found = loaded.to_arrow()
                infos = loaded.available_columns()
            except Exception as exc:  # fastexcel raises its own errors and plain ones
                raise FastexcelError(str(exc)) from exc
            if not isinstance(found, pa.Table):
                found = pa.Table.from_batches([found])
            self._sheets[sheet] = found
            self._offsets[sheet] = int(infos[0].absolute_index) if infos else 0
        return found, self._offsets[sheet]

    def height(self, sheet: str) -> int | None:
        """Rows of a sheet already read (for progress only)."""
        found = self._sheets.get(sheet)
        return found.num_rows if found is not None else None

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """A sheet's rows as text, numbered as in the sheet (for the header search)."""
        table, offset = self.columns(sheet)
        pad: list[object] = [None] * offset
        for start in range(0, table.num_rows, 1024):
            chunk = table.slice(start, 1024)
            columns = [column.to_pylist() for column in chunk.columns]
            for n, values in enumerate(zip(*columns, strict=True)):
                yield RawRow(start + n + 1, pad + list(values) if pad else list(values))

    def close(self) -> None:
        """Release the workbook."""
        self._sheets.clear()
        self._reader = None


def fixed_styles(path: Path) -> dict[int, str] | None:
    """The workbook's cell styles whose number format fixes a code's digits (``000000``,
    ``0000.00``): style index -> format. ``None`` when the default style is one (every
    unstyled cell would then be read through it: the caller reads the file another way).
    """
    from exportctl.hscode.parsing import _fixed_format
    from exportctl.readers.xlsx import _cell_formats

    try:
        with zipfile.ZipFile(path) as archive:
            formats = _cell_formats(archive)
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    fixed = {i: fmt for i, fmt in enumerate(formats) if _fixed_format(fmt) is not None}
    return None if 0 in fixed else fixed


def fixed_code_cells(
    path: Path, part: str, column: int, styles: dict[int, str], chunk: int = 4 * 1024 * 1024
) -> dict[int, tuple[str, bool]] | None:
    """The cells of one column styled with one of ``styles`` (:func:`fixed_styles`), by
    row: the format and whether the cell is a number (not text).

    A byte search of the sheet's XML for the column's cells with those styles (cells
    whose tag names its reference, as Excel, openpyxl and xlsxwriter write them).

    Returns:
        Row -> ``(format, is_number)``; ``None`` when the sheet writes a cell without
        its reference (only a full parse could tell its column).
    """
    from exportctl.readers.xlsx import _references_first

    letters = column_letters(column).encode("ascii")
    ids = b"|".join(str(i).encode("ascii") for i in sorted(styles))
    opening = rb"<(?:[A-Za-z_][\w.-]*:)?c\s"
    reference = rb'\br="' + letters + rb'(\d+)"'
    style = rb'\ss="(' + ids + rb')"'
    tags = (
        (re.compile(opening + rb"[^>]*?" + reference + rb"[^>]*?" + style + rb"[^>]*>"), 1, 2),
        (re.compile(opening + rb"[^>]*?" + style + rb"[^>]*?" + reference + rb"[^>]*>"), 2, 1),
    )
    typed = re.compile(rb'\st="([^"]*)"')
    bare = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])(?![^>]*\sr=)")
    found: dict[int, tuple[str, bool]] = {}
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
            pending = b""
            while True:
                block = stream.read(chunk)
                data = pending + block
                if block:
                    cut = data.rfind(b"<")
                    data, pending = data[:cut], data[cut:]
                if not _references_first(data) and bare.search(data):
                    return None
                if ids:
                    for tag, row_group, style_group in tags:
                        for match in tag.finditer(data):
                            kind = typed.search(match.group(0))
                            number = kind is None or kind.group(1) == b"n"
                            fmt = styles[int(match.group(style_group))]
                            found[int(match.group(row_group))] = (fmt, number)
                if not block:
                    break
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    return found
