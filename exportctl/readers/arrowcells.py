"""Cells cleaned a column at a time, exactly as :func:`~exportctl.readers.cells.cell_text`
cleans one.

Most cells are plain printable text: ``cell_text`` only strips their spaces and
reads an Excel error value (``#N/A``) or nothing as blank. That is done here for a
whole Arrow column at once. A cell with anything else in it (a tab, a line break,
two spaces running, a full-width form, a character outside the Basic Multilingual
Plane) goes through ``cell_text`` itself, once per distinct value, so the result is
``cell_text``'s in every case; the test of which cells are plain is built from
Python's own :meth:`str.isprintable`, not from a regular expression's idea of it.

Workbooks read by fastexcel give every cell as text (:mod:`exportctl.readers.fastbook`):
a number as its shortest digits, a date, time or truth value in fastexcel's words.
Where that text could differ from what ``cell_text`` makes of the typed value
(:data:`TYPED_TEXT`), the cell is *ambiguous* and the caller reads the file the
row-by-row way instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.arrowtext import ascii_printable, by_distinct, may_hold
from exportctl.readers.cells import ERROR_VALUES, cell_text

T = TypeVar("T")

__all__ = ["TYPED_TEXT", "ambiguous", "clean", "clean_codes", "code_texts", "to_bool"]

TYPED_TEXT = (
    # A date, time or duration, as fastexcel writes one ("2024-01-02 00:00:00").
    r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"
    # A truth value ("true"; cell_text says "TRUE").
    r"|^(?:true|false)$"
    # Numbers whose shortest digits Python writes otherwise: 1e+16 and beyond, 1e-05
    # and below, minus zero.
    r"|^-?[1-9]\d{16,}$|^-?0\.0000\d*$|^-0$"
)
"""Cell text that a typed cell (number, date, truth value) may have been turned into
by fastexcel and that :func:`~exportctl.readers.cells.cell_text` would write otherwise."""


@functools.cache
def _plain_class() -> str:
    """An RE2 character class of the characters a plain cell may hold: those Python
    calls printable in the Basic Multilingual Plane, full-width ASCII forms aside."""
    ranges: list[tuple[int, int]] = []
    start = last = -1
    for code in range(0x20, 0x10000):
        ok = not 0xD800 <= code <= 0xDFFF and not 0xFF01 <= code <= 0xFF5E
        ok = ok and chr(code).isprintable()
        if ok:
            if start < 0:
                start = code
            last = code
        elif start >= 0:
            ranges.append((start, last))
            start = -1
    if start >= 0:
        ranges.append((start, last))
    parts = [_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


def _escape(code: int) -> str:
    return f"\\x{{{code:X}}}"


def to_bool(mask: pa.Array) -> np.ndarray:
    """An Arrow boolean array as NumPy (nulls are False)."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _plain(values: pa.Array) -> pa.Array:
    """Whether each value is plain: printable, no two spaces running, no full-width form."""
    doubled = pc.invert(pc.match_substring(values, "  "))
    if ascii_printable(values):
        # Printable ASCII is printable to Python too: only two spaces running are left.
        return doubled
    pattern = "^" + _plain_class() + "*$"
    printable = by_distinct(values, lambda each: pc.match_substring_regex(each, pattern))
    return pc.and_(printable, doubled)


def _unplain(
    values: pa.Array, plain: pa.Array, each: Callable[[str], T]
) -> tuple[pa.Array, list[T]]:
    """The values that are not plain, and ``each`` of them worked out once per distinct one."""
    odd = pc.invert(pc.fill_null(plain, True))
    rest = values.filter(odd)
    found = pc.dictionary_encode(rest)
    done = [each(v) for v in found.dictionary.to_pylist()]
    return odd, [done[i] for i in found.indices.to_pylist()]


_BLANK = pa.array(["", *sorted(ERROR_VALUES)], pa.string())


def clean(values: pa.Array) -> pa.Array:
    """``cell_text`` of each value (Arrow strings in, Arrow strings out, null for blank)."""
    return _cleaned(values, code=False)[0]


def code_texts(values: pa.Array) -> pa.Array:
    """The text of each code cell as :func:`~exportctl.readers.cells.code_cell` keeps
    text (stripped), null where ``cell_text`` reads the cell as blank."""
    return _cleaned(values, code=True)[1]


def clean_codes(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """:func:`clean` and :func:`code_texts` of one column, which share their work."""
    both = _cleaned(values, code=True)
    assert both[1] is not None
    return both[0], both[1]


def _cleaned(values: pa.Array, *, code: bool) -> tuple[pa.Array, pa.Array | None]:
    values = values.cast(pa.string()) if values.type != pa.string() else values
    plain = _plain(values)
    trimmed = pc.utf8_trim(values, " ")
    blank = pc.is_in(trimmed, value_set=_BLANK)
    # A plain cell is its text without its spaces (cell_text's own fast path), and a code
    # cell the same (its other whitespace is not printable, so not in a plain cell).
    out = pc.if_else(pc.or_(blank, pc.invert(pc.fill_null(plain, True))), None, trimmed)
    odd, done = _unplain(values, plain, lambda value: (cell_text(value), _code_text(value)))
    if not done:
        return out, out if code else None
    texts = pc.replace_with_mask(out, odd, pa.array([d[0] for d in done], pa.string()))
    if not code:
        return texts, None
    codes = pc.replace_with_mask(out, odd, pa.array([d[1] for d in done], pa.string()))
    return texts, codes


def _code_text(value: str) -> str | None:
    return value.strip() if cell_text(value) is not None else None


def ambiguous(values: pa.Array) -> bool:
    """Whether a column read by fastexcel holds text a typed cell may have become
    (:data:`TYPED_TEXT`)."""
    if values.null_count == len(values):
        return False
    # Only a value holding ":" (a time), "0.0000", of 17 bytes or more, or a word of
    # its own (true, false, -0) can match: the expression reads those alone.
    may = pc.greater_equal(pc.binary_length(values), 17)
    may = pc.or_(may, pc.is_in(values, value_set=_TYPED_WORDS))
    if may_hold(values, b":"):
        may = pc.or_(may, pc.match_substring(values, ":"))
    if may_hold(values, b"."):
        may = pc.or_(may, pc.match_substring(values, "0.0000"))
    suspects = values.filter(pc.fill_null(may, False))
    if not len(suspects):
        return False
    return bool(pc.any(pc.match_substring_regex(suspects, TYPED_TEXT)).as_py())


_TYPED_WORDS = pa.array(["true", "false", "-0"], pa.string())
