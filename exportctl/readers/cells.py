"""Turning one spreadsheet cell into text, on purpose (STYLE rule 8).

Blank and error cells become ``None``, dates ISO strings, integral floats lose
their ``.0`` and other numbers are rendered shortest (``8471.3``), so that the
HS code normaliser sees what Excel showed and the number format can recover the
rest.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from exportctl.hscode import CodeCell

ERROR_VALUES = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    }
)
"""Excel error values; read as blank."""

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII; the ideographic space -> space.
_FULL_WIDTH: dict[int, int | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20
# U+2060 WORD JOINER: exportctl's Excel-dialect CSVs put it before cells Excel would
# turn into numbers (exportctl.reports.cells); reading such a file back drops it.
_FULL_WIDTH[0x2060] = None
_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def clean_text(text: str) -> str | None:
    """Fold full-width ASCII, drop word joiners, collapse whitespace (line breaks too)
    and strip.

    Returns:
        The cleaned text, or ``None`` when nothing but whitespace is left.
    """
    folded = " ".join(text.translate(_FULL_WIDTH).split())
    return folded or None


def number_text(number: float | int) -> str:
    """Render a number the shortest way that reads back the same: ``1.0`` -> ``"1"``."""
    if isinstance(number, float):
        if not math.isfinite(number):
            return str(number)
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    return str(number)


def _as_number(value: object) -> float | int | None:
    """The value as a number when the cell held one (integral floats become ``int``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)
    return value


def cell_text(value: object) -> str | None:
    """Convert a cell value from openpyxl, python-calamine or csv into clean text.

    Args:
        value: The value as the engine returned it.

    Returns:
        The text, or ``None`` for blank and error cells.
    """
    if value is None:
        return None
    if isinstance(value, str):
        # Fast path, most cells: printable text (no tabs, line breaks or Unicode
        # spaces) without double spaces or full-width forms is already clean
        # once its ends are stripped.
        if (
            value.isprintable()
            and "  " not in value
            and (value.isascii() or _HAS_FULL_WIDTH.search(value) is None)
        ):
            value = value.strip(" ")
            return value if value and value not in ERROR_VALUES else None
        stripped = value.strip()
        if not stripped or stripped in ERROR_VALUES:
            return None
        return clean_text(stripped)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return clean_text(str(value))


def code_cell(value: object, number_format: str | None) -> CodeCell:
    """Keep the code cell as read: its text, and its number and format when numeric.

    The text is only stripped (full-width digits stay for the code normaliser to
    see); numbers are rendered shortest like every other cell.
    """
    number = _as_number(value)
    if number is not None:
        return CodeCell(number_text(number), number, number_format)
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped or stripped in ERROR_VALUES:
            return CodeCell(None, None, number_format)
        return CodeCell(stripped, None, number_format)
    return CodeCell(cell_text(value), None, number_format)
