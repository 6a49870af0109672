"""Neutralising cells that a spreadsheet program would run as a formula.

OWASP's CSV-injection guidance: a cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with a single quote so Excel,
LibreOffice and Google Sheets show it as text. Numbers are left alone; only text
is touched.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""Leading characters that start a formula (full-width forms included: some
spreadsheet programs normalise them)."""


def neutralise(value: Any) -> Any:
    """Return ``value`` with a leading quote if it is text that would start a formula.

    Example:
        >>> neutralise("=HYPERLINK(\\"http://x\\")")
        "'=HYPERLINK(\\"http://x\\")"
        >>> neutralise(-3)
        -3
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
