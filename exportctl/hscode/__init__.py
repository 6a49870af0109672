"""HS codes: read what people and spreadsheets write, and look codes up in the nomenclature.

Export-control lists write the same subheading as ``8471.30``, ``8471 30``,
``HS 847130``, ``ex 8471.30`` or, once Excel has had its way, as the number ``8471.3``.
:func:`normalise` turns one cell into an :class:`HSCode` (digits only), a
:class:`CodeProblem` saying why it cannot, or ``None`` for a blank cell. It never guesses:
a code that lost a zero is only restored when the cell's number format or the rest of the
column makes the missing digit certain (:class:`ColumnProfile`, for list imports), and the
restored code says so in :attr:`HSCode.recovered`.

Screening and ``check`` read every code cell through :func:`read_code`: a number as its
number format shows it, then as text; a cell that lost a zero only as codes that exist
in the list's HS edition (:class:`Readings` when several do).

Example:
    >>> normalise("ex 8471.30")
    HSCode(digits='847130', ex=True, recovered=None)
    >>> normalise(8471.3, "0000.00").digits
    '847130'
    >>> normalise(10121).kind
    'ambiguous'
    >>> read_code("10121").dotted()
    '0101.21'
    >>> Nomenclature.load("2022").section("8471")[0]
    'XVI'
"""

from __future__ import annotations

from exportctl.hscode.codes import (
    LEVELS,
    CodeCell,
    CodeProblem,
    HSCode,
    ProblemKind,
    Readings,
    Result,
    chapter,
    heading,
    hs6,
)
from exportctl.hscode.columns import (
    CACHE_SIZE,
    PROFILE_SAMPLE,
    ColumnProfile,
    learn_ahead,
    normalise_column,
)
from exportctl.hscode.coverage import HS_DIGITS, CoverageIndex, Relation, Span, across, covers
from exportctl.hscode.nomenclature import EDITIONS, Nomenclature, UnknownEditionError
from exportctl.hscode.parsing import _BODY_RE as _BODY_RE
from exportctl.hscode.parsing import _SEP_RE as _SEP_RE
from exportctl.hscode.parsing import _from_groups as _from_groups
from exportctl.hscode.parsing import normalise
from exportctl.hscode.reading import (
    TIE_BREAK_EDITION,
    CodeReading,
    read_code,
    reading_edition,
    settle_lost_zeros,
    shown_text,
)

__all__ = [
    "CACHE_SIZE",
    "EDITIONS",
    "HS_DIGITS",
    "LEVELS",
    "PROFILE_SAMPLE",
    "TIE_BREAK_EDITION",
    "CodeCell",
    "CodeProblem",
    "CodeReading",
    "ColumnProfile",
    "CoverageIndex",
    "HSCode",
    "Nomenclature",
    "ProblemKind",
    "Readings",
    "Relation",
    "Result",
    "Span",
    "UnknownEditionError",
    "across",
    "chapter",
    "covers",
    "heading",
    "hs6",
    "learn_ahead",
    "normalise",
    "normalise_column",
    "read_code",
    "reading_edition",
    "settle_lost_zeros",
    "shown_text",
]
