"""What a list entry covers: the one home of "an entry covers a code".

Every regime writes its entries as HS codes of some level, and an entry covers
what sits under it:

* **by level**: a chapter (``88``), heading (``8471``), subheading (``8471.30``)
  or 8/10-digit line covers every code its digits prefix; ``Chapter 88`` covers
  ``8802.40.0000``;
* **by range**: ``8471 30 – 8471 50`` covers the codes from one end to the other,
  both included, compared at the range's level: ``8471.40`` and
  ``8471.49.1000`` are inside, ``8471.60`` is not;
* **with ex**: ``ex 8471.30`` covers only the goods its description names, so a
  code under it is *partial*: a person must read the entry (``review``).

* **across nomenclatures**: an entry written in one national nomenclature (EU
  CN ``8471 30 00``) and a code of another (Korean HSK ``8471.30.1000``) share
  only the HS digits, six of them (:func:`across`): a national tail of zeros
  means the whole subheading, so ``8471 30 00`` covers every HSK line under
  ``8471.30``; a tail that is not all zeros (``8471 30 10``) names part of it
  that the other nomenclature need not split the same way, so it is in doubt.

A code broader than an entry (catalogue ``8471``, entry ``8471.30``) is
*broader*: some goods under it are covered. Validation (overlapping entries),
screening and the diff all ask this module; none spells the rule itself.

Example:
    >>> covers("88", "8802400000"), covers("847130", "847140", end="847150")
    (True, True)
    >>> Span("847130", "847150").relation("8471")
    'broader'
    >>> Span("847130", ex=True).relation("8471301000")
    'partial'
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from exportctl.hscode.codes import _dotted

__all__ = ["HS_DIGITS", "CoverageIndex", "Relation", "Span", "across", "covers"]

Relation = Literal["covers", "partial", "broader"]
"""How an entry stands to a code: it ``covers`` it, covers it only as described
(``partial``, an ``ex`` entry), or the code is ``broader`` than the entry."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Span:
    """The codes one entry covers.

    Attributes:
        start: The entry's code, digits only (its level is its length).
        end: The last code of a range, same level as ``start``; ``None`` for one code.
        ex: Only the goods the entry describes are meant (``ex 8471.30``).
    """

    start: str
    end: str | None = None
    ex: bool = False

    def __post_init__(self) -> None:
        if self.end is not None and (len(self.end) != len(self.start) or self.end < self.start):
            raise ValueError(
                f"a range ends at a code of its level after its start, not {self.start!r}-"
                f"{self.end!r}"
            )

    @property
    def level(self) -> int:
        """Digits of the entry's code (and of both ends of a range)."""
        return len(self.start)

    def covers(self, code: str) -> bool:
        """True when ``code`` (digits) is under the entry, whatever ``ex`` says."""
        n = len(self.start)
        if len(code) < n:
            return False
        cut = code[:n]
        return cut == self.start if self.end is None else self.start <= cut <= self.end

    def under(self, code: str) -> bool:
        """True when ``code`` is broader than the entry: some goods under it are covered."""
        n = len(code)
        if not code or n >= len(self.start):
            return False
        return self.start[:n] <= code <= (self.end or self.start)[:n]

    def relation(self, code: str) -> Relation | None:
        """How the entry stands to ``code``; ``None`` when they do not meet."""
        if self.covers(code):
            return "partial" if self.ex else "covers"
        if self.under(code):
            return "broader"
        return None

    def __str__(self) -> str:
        text = _dotted(self.start)
        if self.end is not None:
            text += f"–{_dotted(self.end)}"
        return f"ex {text}" if self.ex else text


HS_DIGITS = 6
"""Digits every nomenclature built on the HS shares; past them each country numbers its own."""


def across(span: Span) -> tuple[Span, bool]:
    """``span`` as it meets codes of another nomenclature, and whether that is in doubt.

    The span is cut to HS-6 (a range to its ends' HS-6, one code when they meet).
    A national tail of zeros (``8471 30 00``, ``8471.30.0000``) is the whole
    subheading, so the cut span covers exactly what the entry does: not in doubt.
    Any other tail (``8471 30 10``) names a national line the other nomenclature
    may split differently: the cut span only says where to look (in doubt).

    Example:
        >>> across(Span("84713000"))
        (Span(start='847130', end=None, ex=False), False)
        >>> across(Span("84713010"))[1], across(Span("8471"))[1]
        (True, False)
    """
    if span.level <= HS_DIGITS:
        return span, False
    ends = (span.start, span.end or span.start)
    doubt = any(end[HS_DIGITS:].strip("0") for end in ends)
    start, end = (end[:HS_DIGITS] for end in ends)
    return Span(start, end if end != start else None, span.ex), doubt


def covers(entry: str, code: str, *, end: str | None = None) -> bool:
    """True when list entry ``entry`` (to ``end``, for a range) covers ``code``.

    Args:
        entry: An entry's digits, e.g. ``"8471"``; dots and spaces are ignored.
        code: A code's digits, e.g. ``"8471300000"``.
        end: The last code of a range entry, at the entry's level.

    Example:
        >>> covers("8471", "847130"), covers("847130", "8471")
        (True, False)
    """
    entry, code = _digits(entry), _digits(code)
    if not entry:
        return False
    return Span(entry, _digits(end) if end else None).covers(code)


def _digits(text: str) -> str:
    return text if text.isdigit() else "".join(ch for ch in text if ch.isdigit())


class CoverageIndex(Generic[T]):
    """Entries indexed so that those covering a code are found by a few dict lookups.

    Plain entries are looked up by each prefix of the code of an entry length;
    ranges (rare) are kept per level, sorted by start. A row costs the same with
    ten entries as with ten thousand, and nothing more when the list has no ranges.
    """

    def __init__(self, entries: Iterable[tuple[Span, T]]) -> None:
        """Index ``entries``: each entry's span and the value to hand back (in list order).

        Only the exact codes and the ranges are indexed here; what :meth:`deciding`
        and :meth:`narrower` need on top is built the first time they are asked (a
        validation asks neither, so a million-entry list is indexed once, lightly).
        """
        exact: dict[str, list[tuple[Span, T]]] = {}
        ranges: dict[int, list[tuple[str, Span, T]]] = {}
        for span, value in entries:
            if span.end is None:
                found = exact.get(span.start)
                if found is None:
                    exact[span.start] = [(span, value)]
                else:
                    found.append((span, value))
            else:
                ranges.setdefault(span.level, []).append((span.start, span, value))
        for listed in ranges.values():
            listed.sort(key=lambda r: r[0])
        self.exact = exact
        self.ranges = ranges
        self.range_starts = {level: [r[0] for r in found] for level, found in ranges.items()}
        self.lengths: tuple[int, ...] = tuple(sorted({len(c) for c in exact} | set(ranges)))

    @functools.cached_property
    def _decide(self) -> dict[str, tuple[T | None, T | None]]:
        """Per code, its last entry without ex and its last with it: all deciding() needs."""
        return {
            code: (
                next((v for s, v in reversed(found) if not s.ex), None),
                next((v for s, v in reversed(found) if s.ex), None),
            )
            for code, found in self.exact.items()
        }

    @functools.cached_property
    def prefixes(self) -> dict[str, list[T]]:
        """Per prefix shorter than an entry's code, the entries under it (list order)."""
        prefixes: dict[str, list[T]] = {}
        for code, found in self.exact.items():
            values = [value for _span, value in found]
            for cut in range(1, len(code)):
                prefixes.setdefault(code[:cut], []).extend(values)
        return prefixes

    def __bool__(self) -> bool:
        return bool(self.lengths)

    def covering(self, code: str) -> list[tuple[Span, T]]:
        """Every entry covering ``code``, shortest level first, in list order within one."""
        found: list[tuple[Span, T]] = []
        size = len(code)
        exact, ranges = self.exact, self.ranges
        for length in self.lengths:
            if length > size:
                break
            cut = code[:length]
            hits = exact.get(cut)
            if hits:
                found.extend(hits)
            if ranges and length in ranges:
                found.extend(self._in_ranges(length, cut))
        return found

    def deciding(self, code: str) -> tuple[T | None, T | None]:
        """The longest entry covering ``code`` without ``ex``, and the longest with it.

        The hot path of screening: no list is built when nothing covers the code.
        """
        best: T | None = None
        best_ex: T | None = None
        size = len(code)
        if self.ranges:
            for span, value in self.covering(code):
                if span.ex:
                    best_ex = value
                else:
                    best = value
            return best, best_ex
        decide = self._decide
        for length in self.lengths:
            if length > size:
                break
            found = decide.get(code[:length])
            if found is not None:
                plain, ex = found
                if plain is not None:
                    best = plain
                if ex is not None:
                    best_ex = ex
        return best, best_ex

    def narrower(self, code: str) -> Sequence[T]:
        """The entries under ``code`` when it is broader than them (in list order;
        ranges after single codes)."""
        below = self.prefixes.get(code, ())
        if not self.ranges:
            return below
        more = [
            value
            for level, found in self.ranges.items()
            if level > len(code)
            for _, span, value in found
            if span.under(code)
        ]
        return [*below, *more] if more else below

    def _in_ranges(self, level: int, cut: str) -> list[tuple[Span, T]]:
        found = self.ranges[level]
        stop = bisect.bisect_right(self.range_starts[level], cut)
        return [(span, value) for start, span, value in found[:stop] if cut <= (span.end or start)]
