"""How a value is written into a CSV cell, in each dialect.

Excel guesses the type of every CSV cell when the file is opened by a double-click,
and nothing in the file can tell it otherwise: ``0101211000`` becomes the number
101211000, ``0101.21`` becomes 101.21, ``8471.30`` becomes 8471.3 and ``3-1`` a
date. That is the very damage exportctl repairs on input, so the ``excel`` dialect
(the default) writes such cells in a form Excel keeps as text:

* a cell that Excel would read as a number or a date (digits with an optional
  sign, separators, decimal point, exponent or percent sign; ``d-m``, ``d/m``
  forms) starts with U+2060 WORD JOINER. The character is invisible and has no
  width, it is not white space (Excel does not trim it) and it is no formula
  trigger, so the cell stays text and shows exactly ``0101.21``. exportctl's
  own readers drop it when the file is read back. A program reading the file
  should ask for the ``plain`` dialect instead;
* a cell that would start a formula gets the leading apostrophe of
  :func:`exportctl.reports.safe.neutralise` (OWASP CSV injection), in both
  dialects.

``="0101"``, the other common way, is itself a formula, so it is not used; a
leading apostrophe would show in the cell. The XLSX reports store codes as text
cells and need none of this: they are the form to hand to people.

Example:
    >>> excel_cell("0101.21")
    '\\u20600101.21'
    >>> excel_cell("HS 0101")
    'HS 0101'
    >>> excel_cell("=1+1")
    "'=1+1"
"""

from __future__ import annotations

import re
from typing import Any

from exportctl.reports.safe import neutralise

__all__ = ["KEEP_TEXT", "csv_cell", "excel_cell", "looks_like_a_number"]

KEEP_TEXT = "\u2060"
"""WORD JOINER: put before a cell Excel would otherwise turn into a number or a date."""

_NUMBER_LIKE = re.compile(
    r"""^\s*(
        [+-]?[\d.,\s]*\d[\d.,\s]*(e[+-]?\d+)?%?     # 0101, 0101.21, 1,402, 1e5, 12%
      | \d{1,4}\s*[-/.]\s*\d{1,4}(\s*[-/.]\s*\d{1,4})?   # 3-1, 1/2, 2024-06-28
      | \(\d[\d.,]*\)                            # (12) reads as -12
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


_NUMBER_START = frozenset("0123456789+-.,( \t")
"""Characters a number or date Excel recognises can start with (after spaces)."""


def looks_like_a_number(text: str) -> bool:
    """Whether Excel would read ``text`` as a number or a date when opening a CSV."""
    # Most text cells (names, descriptions) start with a letter: no regex needed.
    return bool(text) and text[0] in _NUMBER_START and bool(_NUMBER_LIKE.match(text))


def excel_cell(value: Any) -> Any:
    """``value`` for a CSV meant to be opened in Excel (see the module's note).

    Numbers (``int``) are left as numbers; text that Excel would change is
    protected; ``None`` becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if looks_like_a_number(value):
            return KEEP_TEXT + value
        return neutralise(value)
    return value


def csv_cell(value: Any, dialect: str) -> Any:
    """``value`` as a cell of a CSV in ``dialect`` (``excel`` or ``plain``)."""
    if dialect == "excel":
        return excel_cell(value)
    return "" if value is None else neutralise(value)
