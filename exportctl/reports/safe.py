"""Neutralising cells that a spreadsheet program would run as a formula.

OWASP's CSV-injection guidance: a cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with a single quote so Excel,
LibreOffice and Google Sheets show it as text. Numbers are left alone; only text
is touched.

Text written ``<r>…</r>`` gets the same quote: xlsxwriter copies such text into
the sheet XML unescaped, as rich text, so it could carry any cell (a formula
too) into an XLSX report.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""Leading characters that start a formula (full-width forms included: some
spreadsheet programs normalise them)."""


def needs_quote(text: str) -> bool:
    """Whether ``text`` would start a formula, or pass into an XLSX sheet as raw XML."""
    return text.startswith(FORMULA_TRIGGERS) or (text.startswith("<r>") and text.endswith("</r>"))


def neutralise(value: Any) -> Any:
    """Return ``value`` with a leading quote if it is text that would start a formula
    (or pass into an XLSX sheet as raw XML, see the module's note).

    Example:
        >>> neutralise("=HYPERLINK(\\"http://x\\")")
        "'=HYPERLINK(\\"http://x\\")"
        >>> neutralise(-3)
        -3
    """
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value
