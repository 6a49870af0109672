"""What a version covers, asked for a whole column of codes at once.

:class:`~exportctl.hscode.CoverageIndex` answers for one code with a few dict look-ups.
:class:`PrefixTable` gives the same answers for a column of codes: each code is cut to
every entry length (2, 4, 6, 8, 10 digits) and the cuts are joined against the entries
of that length, sorted by code (a merge join by binary search); ranges, rare, are
compared level by level with their ends. Codes travel as numbers with their length
(:class:`Codes`): ``0101.21`` is 10121 of length 6, and its heading is 101 of length 4,
so a cut is one integer division and a join one :func:`numpy.searchsorted`.

The rules are the index's own, so the answers cannot differ:

* :meth:`PrefixTable.deciding` is :meth:`CoverageIndex.deciding`: the longest entry
  without ``ex`` that covers the code and the longest with it; at one level the
  last in list order, a range after the single codes of its level;
* :meth:`PrefixTable.narrower` is :meth:`CoverageIndex.narrower`: the entries under
  a code broader than them, in list order, ranges after (their first and how many);
* :meth:`PrefixTable.longest_first` is what
  :meth:`~exportctl.screen.references.References.by_code` asks: the first entry of
  the longest level that covers the code.

Entries are handed back as positions (``int32``, ``-1`` for none) into whatever list
the caller numbers them by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from exportctl.hscode import CoverageIndex

__all__ = ["NONE", "Codes", "PrefixTable"]

T = TypeVar("T")

NONE = -1
"""The position standing for "no entry"."""

_POWERS = np.array([10**k for k in range(19)], dtype=np.int64)


@dataclass(frozen=True)
class Codes:
    """Codes as numbers with their length: ``"0101"`` is 101 of length 4.

    :attr:`padded` holds each code as a ten-digit number (``0101`` is 101000000), so a
    code's first ``n`` digits are one division by a power of ten for the whole column.
    """

    padded: np.ndarray
    """The digits followed by zeros up to ten, read as a number (``int64``)."""
    sizes: np.ndarray
    """How many digits (``int64``)."""

    @classmethod
    def of(cls, values: np.ndarray, sizes: np.ndarray) -> Codes:
        """Codes from their digits read as numbers and their lengths."""
        sizes = np.asarray(sizes, dtype=np.int64)
        return cls(np.asarray(values, dtype=np.int64) * _POWERS[10 - sizes], sizes)

    def __len__(self) -> int:
        return len(self.padded)

    def take(self, rows: np.ndarray) -> Codes:
        """The codes at ``rows`` (positions or a mask)."""
        return Codes(self.padded[rows], self.sizes[rows])

    def cut(self, length: int) -> np.ndarray:
        """Each code's first ``length`` digits as a number (meaningless where the code is
        shorter: callers mask those)."""
        cut: np.ndarray = self.padded // int(_POWERS[10 - length])
        return cut

    def values(self) -> np.ndarray:
        """Each code's own digits as a number."""
        values: np.ndarray = self.padded // _POWERS[10 - self.sizes]
        return values

    def keys(self) -> np.ndarray:
        """One number per code and length (``"01"`` and ``"0001"`` differ)."""
        keys: np.ndarray = self.values() * 32 + self.sizes
        return keys

    def text(self, at: int) -> str:
        """One code as digits."""
        return str(int(self.padded[at])).zfill(10)[: int(self.sizes[at])]


def _key(code: str) -> int:
    return int(code) * 32 + len(code)


DENSE = 6
"""Levels up to this many digits are looked up in a table with a slot per code (a
million slots at six); longer ones by binary search, among codes whose first six
digits an entry of that level has."""


class _Level:
    """The single-code entries of one level, and what decides each."""

    def __init__(self, length: int, rows: list[tuple[int, int, int, int]]) -> None:
        rows.sort()
        self.length = length
        self.codes = np.asarray([r[0] for r in rows], dtype=np.int64)
        self.plain = np.asarray([r[1] for r in rows], dtype=np.int32)
        self.ex = np.asarray([r[2] for r in rows], dtype=np.int32)
        self.first = np.asarray([r[3] for r in rows], dtype=np.int32)
        if length <= DENSE:
            self.slots = np.full(10**length, NONE, dtype=np.int32)
            self.slots[self.codes] = np.arange(len(self.codes), dtype=np.int32)
        else:
            self.heads = np.zeros(10**DENSE, dtype=bool)
            self.heads[self.codes // 10 ** (length - DENSE)] = True

    def find(self, codes: Codes) -> tuple[np.ndarray, np.ndarray]:
        """Per code, its row here and whether it is here (codes too short are not)."""
        room = codes.sizes >= self.length
        cut = codes.cut(self.length)
        if self.length <= DENSE:
            at = self.slots[cut]
            return np.maximum(at, 0), room & (at >= 0)
        hit = room & self.heads[codes.cut(DENSE)]
        at = np.zeros(len(codes), dtype=np.int64)
        asked = np.flatnonzero(hit)
        if asked.size:
            wanted = cut[asked]
            found = np.minimum(np.searchsorted(self.codes, wanted), len(self.codes) - 1)
            same = self.codes[found] == wanted
            at[asked] = found
            hit[asked] = same
        return at, hit


class PrefixTable(Generic[T]):
    """A :class:`CoverageIndex` as sorted tables, for columns of codes.

    Built once per version; each call costs a few vectorised searches, whatever the
    number of codes or entries.
    """

    def __init__(self, coverage: CoverageIndex[T], position: Callable[[T], int]) -> None:
        """Build the tables.

        Args:
            coverage: The index whose answers these are.
            position: An entry's number in the caller's list.
        """
        self.lengths = coverage.lengths
        grouped: dict[int, list[tuple[int, int, int, int]]] = {}
        for code, found in coverage.exact.items():
            # The last of each kind in list order decides (CoverageIndex.deciding).
            plain = next((position(v) for s, v in reversed(found) if not s.ex), NONE)
            ex = next((position(v) for s, v in reversed(found) if s.ex), NONE)
            grouped.setdefault(len(code), []).append((int(code), plain, ex, position(found[0][1])))
        self.levels = {length: _Level(length, rows) for length, rows in grouped.items()}
        self.longest = max(self.lengths, default=0)
        # Ranges in the index's order: levels as first met, by start within a level.
        self.ranges: list[tuple[int, str, str, bool, int]] = [
            (level, span.start, span.end or span.start, span.ex, position(value))
            for level, found in coverage.ranges.items()
            for _start, span, value in found
        ]
        below = sorted(
            (_key(prefix), position(values[0]), len(values))
            for prefix, values in coverage.prefixes.items()
        )
        self.below_keys = np.asarray([b[0] for b in below], dtype=np.int64)
        self.below_first = np.asarray([b[1] for b in below], dtype=np.int32)
        self.below_count = np.asarray([b[2] for b in below], dtype=np.int32)

    def __bool__(self) -> bool:
        return bool(self.lengths)

    def deciding(self, codes: Codes) -> tuple[np.ndarray, np.ndarray]:
        """Per code, the deciding entry without ``ex`` and the one with it (positions)."""
        n = len(codes)
        plain = np.full(n, NONE, dtype=np.int32)
        ex = np.full(n, NONE, dtype=np.int32)
        for length in self.lengths:
            level = self.levels.get(length)
            if level is not None:
                at, hit = level.find(codes)
                found = np.where(hit, level.plain[at], NONE)
                plain = np.where(found >= 0, found, plain)
                found = np.where(hit, level.ex[at], NONE)
                ex = np.where(found >= 0, found, ex)
            for at_level, start, end, is_ex, value in self.ranges:
                if at_level != length:
                    continue
                cut = codes.cut(length)
                inside = (codes.sizes >= length) & (cut >= int(start)) & (cut <= int(end))
                if is_ex:
                    ex[inside] = value
                else:
                    plain[inside] = value
        return plain, ex

    def narrower(self, codes: Codes) -> tuple[np.ndarray, np.ndarray]:
        """Per code, the first entry under it when it is broader than some, and how many
        (``(NONE, 0)`` when it is broader than none)."""
        n = len(codes)
        first = np.full(n, NONE, dtype=np.int32)
        count = np.zeros(n, dtype=np.int32)
        # Only a code shorter than the longest entry can be broader than one.
        short = np.flatnonzero(codes.sizes < self.longest)
        if not short.size:
            return first, count
        some = codes.take(short)
        if len(self.below_keys):
            keys = some.keys()
            at = np.minimum(np.searchsorted(self.below_keys, keys), len(self.below_keys) - 1)
            hit = self.below_keys[at] == keys
            first[short[hit]] = self.below_first[at[hit]]
            count[short[hit]] = self.below_count[at[hit]]
        values = some.values()
        for level, start, end, _ex, value in self.ranges:
            for size in range(1, level):
                same = some.sizes == size
                if not same.any():
                    continue
                under = short[same & (values >= int(start[:size])) & (values <= int(end[:size]))]
                first[under[count[under] == 0]] = value
                count[under] += 1
        return first, count

    def longest_first(self, codes: Codes) -> np.ndarray:
        """Per code, the first entry (list order) of the longest level covering it."""
        best = np.full(len(codes), NONE, dtype=np.int32)
        for length in self.lengths:
            level = self.levels.get(length)
            if level is None:
                continue
            at, hit = level.find(codes)
            best[hit] = level.first[at[hit]]
        return best
