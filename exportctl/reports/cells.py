"""How a value is written into a CSV cell, in each dialect, and why codes are left as written.

**Decision (issue 21): the CSV holds every code exactly as written, with nothing added;
the XLSX is the file for Excel.** An officer's look-up is ``VLOOKUP``/``MATCH`` of a
code typed into another sheet against the report's code column. Until now the
``excel`` dialect put an invisible U+2060 WORD JOINER before every cell Excel would
read as a number or a date, so ``0101.21`` stayed text on a double-click; but the
cell then holds ``\u20600101.21``, which no typed ``0101.21`` equals, so every
look-up of a protected code failed, silently, and that is worse than a lost zero
that shows. The other tricks fail the same way or worse: ``="0101.21"`` is a formula
(and a CSV cell that runs a formula is what :func:`exportctl.reports.safe.neutralise`
guards against), and a leading apostrophe is part of the value in every spreadsheet
but Excel.

So, in the ``excel`` dialect (a byte-order mark so Hangul shows, headers and values
in words) and the ``plain`` one alike:

* codes are written as the report spells them: ``8471.30.1000`` dotted in ``code``
  (a code with two dots is text in every spreadsheet), digits in ``code_digits``;
* what a double-click still does to a dotless or one-dot code (``0101210000`` becomes
  101210000, ``8471.30`` becomes 8471.3) it does to the typed code as well, so a
  look-up still matches; to *see* the zeros, import the CSV with the code columns as
  Text (LibreOffice's Text Import, Excel's Data > From Text/CSV), or open the XLSX,
  whose code cells are text cells: it is the file to hand to people;
* a cell that would start a formula gets the leading apostrophe of
  :func:`exportctl.reports.safe.neutralise` (OWASP CSV injection), as before.

``tests/test_spreadsheet_lookup.py`` checks this in LibreOffice Calc: the codes
keep their zeros and a VLOOKUP of a typed code finds its row. exportctl's readers
still drop a leading :data:`KEEP_TEXT` from files written by older versions.

Example:
    >>> excel_cell("0101.21")
    '0101.21'
    >>> excel_cell("=1+1")
    "'=1+1"
"""

from __future__ import annotations

import re
from typing import Any

from exportctl.reports.safe import neutralise

__all__ = ["KEEP_TEXT", "csv_cell", "excel_cell", "looks_like_a_number"]

KEEP_TEXT = "\u2060"
"""WORD JOINER, which older versions put before a cell Excel would turn into a number
or a date (no longer written; readers drop it from such files)."""

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

    Numbers (``int``) are left as numbers, text as written (a formula start
    neutralised); ``None`` becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        # Codes and numbers as written: see the module's note on look-ups.
        return neutralise(value)
    return value


def csv_cell(value: Any, dialect: str) -> Any:
    """``value`` as a cell of a CSV in ``dialect`` (``excel`` or ``plain``)."""
    if dialect == "excel":
        return excel_cell(value)
    return "" if value is None else neutralise(value)
