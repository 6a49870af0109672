"""Which rows' words the name matcher must read: a keyword pre-filter over columns.

Analysing a description (:mod:`~exportctl.screen.nouns`) is the costly step of
screening. Most descriptions hold none of the words an entry defined by name could be
found by, so they need no analysis: :func:`could_name` asks one regular expression of
the matcher's needles (:meth:`~exportctl.screen.evidence.NameMatcher.needles`) over a
column of distinct descriptions at once. It finds a superset of what the matcher
itself would look at, so the matcher still decides every row it could name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.screen.prefixes import NONE

__all__ = ["Distinct", "bools", "could_name"]


def bools(mask: pa.Array) -> np.ndarray:
    """An Arrow boolean array as NumPy (nulls are False)."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct values and, per row, the place of its own among them."""

    at: np.ndarray
    """Per row, the place of its value in :attr:`values` (``-1`` for null)."""
    values: pa.Array
    """The distinct values."""

    @classmethod
    def of(cls, column: pa.Array) -> Distinct:
        """The distinct values of ``column``."""
        cells = pc.dictionary_encode(column)
        at = pc.fill_null(cells.indices, NONE).to_numpy(zero_copy_only=False)
        return cls(np.asarray(at, dtype=np.int64), cells.dictionary)

    def take(self, places: np.ndarray) -> pa.Array:
        """The values at ``places`` (null where a place is ``-1``)."""
        return pc.take(self.values, pa.array(places, mask=places < 0))


# Characters a case-blind search can take for an ASCII letter (long s, Kelvin sign,
# dotless i and dotted I): where they occur, the matcher itself decides.
_ODD_CASES = "[\u017f\u212a\u0131\u0130]"
_RE2_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


def could_name(matcher: Any, described: pa.Array, cas_cells: pa.Array) -> list[bool]:
    """Per description, whether the matcher can find evidence in it: it holds one of the
    matcher's needles (case aside), or a CAS number may be there. A superset of what the
    matcher itself looks at, so no description it would match is left out."""
    needles = matcher.needles()
    could = np.zeros(len(described), dtype=bool)
    filled = pc.fill_null(described, "")
    if needles:
        pattern = "|".join(_RE2_SPECIAL.sub(r"\\\1", needle) for needle in needles)
        could |= bools(pc.match_substring_regex(filled, pattern, ignore_case=True))
        could |= bools(pc.match_substring_regex(filled, _ODD_CASES))
    if matcher.has_cas:
        could |= bools(pc.or_(pc.match_substring(filled, "-"), pc.is_valid(cas_cells)))
    return could.tolist()
