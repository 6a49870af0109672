"""Table rows written as XML straight into an xlsxwriter worksheet's row file.

In ``constant_memory`` mode xlsxwriter keeps one row of cells and appends each
finished row as ``<row>`` XML to a temporary file, which becomes the sheet's
``<sheetData>``. Going through ``write_string`` costs several microseconds a cell
in argument checks, a cell object and XML escaping; :class:`RowStream` writes the
same XML (``inlineStr`` cells, each cell's style, numbers as ``%.16G``) a row at a
time, which keeps a million-row report within seconds.

It also writes text exactly as given. xlsxwriter copies text that starts with
``<r>`` and ends with ``</r>`` into the sheet unescaped, as rich-text XML, so such a
cell could carry any markup (a formula too) into the workbook; here it is escaped
like any other text and shows literally. XLSX text cells never run as formulas, so
no apostrophe is put before ``=``, ``+``, ``-`` or ``@``: a SKU ``-A2`` stays
``-A2`` and a look-up by SKU finds it.

Example:
    >>> sheet.write_string(0, 0, "SKU", header)     # the header through xlsxwriter
    >>> rows = RowStream(sheet, [text_format, None])
    >>> rows.write(1, ["-A2", 3])
    >>> rows.close()
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from exportctl.reports import XLSX_MAX_ROWS

__all__ = ["RowStream", "Style", "row_points", "text_element", "wrap_widths", "wrapped_lines"]

_MAX_TEXT = 32_767
"""Longest text in a cell, in UTF-16 units."""
_SHORT_TEXT = _MAX_TEXT // 2
"""Text up to this many characters is within :data:`_MAX_TEXT` whatever it holds."""
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_SPECIAL_TEXT = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
"""Text that :func:`text_element` has to change (anything else is written as it is)."""


LINE_POINTS = 15.0
"""Height of one line of 11-point text, Excel's and LibreOffice's default row height."""
_MAX_ROW_POINTS = 409.0
"""Excel's tallest row."""
_WRAP_SLACK = 1.15
"""Word wrapping breaks at spaces, so a line holds less than the column's width."""


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide.

    A column's width counts digits of the default font; a Hangul, Hanja or other wide
    character takes about two. Each line break starts a new line.
    """
    capacity = max(width, 1.0)
    lines = 0
    for paragraph in text.split("\n"):
        units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in paragraph)
        lines += max(1, math.ceil(units * _WRAP_SLACK / capacity))
    return lines


def row_points(cells: Sequence[Any], widths: Sequence[float | None]) -> float | None:
    """The height in points a row needs to show its wrapped cells whole, or ``None``
    when one line is enough.

    Spreadsheets do not grow a row to fit wrapped text on opening a file: LibreOffice
    keeps the stored height, so wrapped text would run over the rows below it. Only
    columns with a width in ``widths`` wrap.
    """
    lines = 1
    for value, width in zip(cells, widths, strict=False):
        # Text of at most width / 2 characters fits one line whatever it holds.
        if (
            width is None
            or type(value) is not str
            or (len(value) * 2 <= width and "\n" not in value)
        ):
            continue
        lines = max(lines, wrapped_lines(value, width))
    return None if lines == 1 else min(lines * LINE_POINTS, _MAX_ROW_POINTS)


def wrap_widths(formats: Sequence[Any], widths: Sequence[float] | None) -> list[float | None]:
    """Each column's width where its format wraps text, else ``None`` (for :func:`row_points`)."""
    return [
        width if getattr(fmt, "text_wrap", 0) else None
        for fmt, width in zip(formats, widths or (), strict=False)
    ]


def text_element(text: str) -> str:
    """The ``<t>`` element of a text cell, escaped as xlsxwriter escapes it.

    Text longer than Excel's limit of 32,767 UTF-16 units is cut there; a literal
    ``_xHHHH_`` is escaped as ``_x005F_xHHHH_`` and control characters become
    ``_xHHHH_``; leading or trailing whitespace is kept with ``xml:space``;
    ``&``, ``<`` and ``>`` become entities. Unlike xlsxwriter, text that looks like
    rich-text XML (``<r>...</r>``) is escaped too, so it shows as written.
    """
    if len(text) > _SHORT_TEXT and len(text.encode("utf-16-le", "surrogatepass")) > 2 * _MAX_TEXT:
        units = 0
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > _MAX_TEXT:
                text = text[:index]
                break
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{space}>{text}</t>"


class Style:
    """The cell styles of one row layout: each column's format, some columns overridden."""

    __slots__ = ("formats", "number_ends", "string_ends")

    def __init__(self, formats: Sequence[Any]) -> None:
        self.formats = list(formats)
        attributes = [
            f' s="{fmt._get_xf_index()}"' if fmt is not None else "" for fmt in self.formats
        ]
        self.string_ends = [f'"{a} t="inlineStr"><is>' for a in attributes]
        self.number_ends = [f'"{a}><v>' for a in attributes]

    def but(self, column: int, fmt: Any) -> Style:
        """The same layout with column ``column`` in ``fmt``."""
        formats = list(self.formats)
        formats[column] = fmt
        return Style(formats)


def streamable(sheet: Any) -> bool:
    """Whether :class:`RowStream` can write into this worksheet's row file."""
    return bool(getattr(sheet, "constant_memory", False)) and all(
        hasattr(sheet, name) for name in ("fh", "_write_single_row", "dim_rowmax", "previous_row")
    )


class RowStream:
    """The data rows of one ``constant_memory`` worksheet, below its header rows.

    Write the header rows through xlsxwriter first; creating the stream flushes
    them. Rows must then come in increasing order and only through :meth:`write`
    (xlsxwriter refuses later cell writes to the sheet); call :meth:`close` when
    done so the sheet's dimensions cover them. Empty cells (``None``, ``""``) are
    left out; ``int``/``float`` cells are numbers; everything else is text.

    When the worksheet is not one this can stream into (another xlsxwriter
    version), the same cells go through xlsxwriter's public methods, text of the
    ``<r>…</r>`` form as a rich string of plain fragments so it still shows
    literally.
    """

    def __init__(
        self, sheet: Any, formats: Sequence[Any], widths: Sequence[float] | None = None
    ) -> None:
        from xlsxwriter.utility import xl_col_to_name

        self.sheet = sheet
        # Columns whose format wraps text get rows tall enough for it (row_points).
        self._wraps = wrap_widths(formats, widths)
        if not any(self._wraps):
            self._wraps = []
        self.style = Style(formats)
        self.last = 0
        self._stream = streamable(sheet)
        self._starts = [f'<c r="{xl_col_to_name(c)}' for c in range(len(formats))]
        if self._stream:
            # Flush the header row and make xlsxwriter refuse any later cell write,
            # which would land out of order in the row file.
            sheet._write_single_row(XLSX_MAX_ROWS)
            self._write = sheet.fh.write

    def write(self, row: int, cells: Sequence[Any], style: Style | None = None) -> None:
        """Write ``cells`` as row ``row`` (0-based), in ``style`` (the stream's by default)."""
        style = style or self.style
        self.last = row
        points = row_points(cells, self._wraps) if self._wraps else None
        if not self._stream:
            if points is not None:
                self.sheet.set_row(row, points)
            self._write_public(row, cells, style)
            return
        n = str(row + 1)
        starts = self._starts
        string_ends = style.string_ends
        number_ends = style.number_ends
        special = _SPECIAL_TEXT.search
        if points is None:
            parts = [f'<row r="{n}">']
        else:
            # As xlsxwriter's set_row writes it: whole pixels, shown in points.
            pixels = int(points * 4.0 / 3.0 + 0.5)
            parts = [f'<row r="{n}" ht="{pixels * 0.75:.16g}" customHeight="1">']
        append = parts.append
        c = -1
        for value in cells:
            c += 1
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if len(value) > _SHORT_TEXT or special(value):
                    element = text_element(value)
                else:
                    element = "<t>" + value + "</t>"
                append(starts[c] + n + string_ends[c] + element + "</is></c>")
            elif value is None:
                continue
            elif kind is int or kind is float:
                append(f"{starts[c]}{n}{number_ends[c]}{value:.16G}</v></c>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                append(f"{starts[c]}{n}{number_ends[c]}{value:.16G}</v></c>")
            else:
                text = str(value)
                if text:
                    append(f"{starts[c]}{n}{string_ends[c]}{text_element(text)}</is></c>")
        if len(parts) > 1:
            append("</row>")
            self._write("".join(parts))

    def _write_public(self, row: int, cells: Sequence[Any], style: Style) -> None:
        sheet = self.sheet
        for c, value in enumerate(cells):
            if value is None or value == "":
                continue
            fmt = style.formats[c]
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, c, value, fmt)
                continue
            text = value if isinstance(value, str) else str(value)
            if text.startswith("<r>") and text.endswith("</r>"):
                fragments = (text[:1], text[1:-1], text[-1:])
                sheet.write_rich_string(row, c, *fragments, *([fmt] if fmt is not None else []))
            else:
                sheet.write_string(row, c, text, fmt)

    def close(self) -> None:
        """Extend the sheet's dimensions over the rows written (and every column)."""
        if self._stream and self.last:
            sheet = self.sheet
            sheet.dim_rowmax = max(sheet.dim_rowmax or 0, self.last)
            sheet.dim_colmin = min(sheet.dim_colmin or 0, 0)
            sheet.dim_colmax = max(sheet.dim_colmax or 0, len(self._starts) - 1)
