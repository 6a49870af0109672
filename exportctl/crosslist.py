"""Cross-list comparison: for each entry of list A, does list B cover it?

An exporter answers to several lists at once (Korea's Annex 2-2, the EU annexes, the
US supplements, the CHPL). :func:`compare_lists` takes two versions' entries and
returns a :class:`CrossList`: per entry of A, its status and the B entries involved.

* ``covered``: a B entry at the same or a shorter level covers it (``84`` or ``8471``
  or ``8471.30`` covers ``8471.30``; a range ``8471.30 – 8471.50`` covers ``8471.41``),
  and that entry is not ``ex``;
* ``partly``: B's only covering entries are ``ex`` (part of the code), or B has only
  entries under it (longer codes: ``8471.30.1000`` under ``8471.30``);
* ``not_covered``: nothing in B touches it;
* ``no_code``: the A entry is defined by name, not by a code, and cannot be compared.

Whether one entry covers a code is asked in one place, :func:`entry_covers`, of the
coverage model (:mod:`exportctl.hscode.coverage`). An A entry is compared by its code
(a range in A by its first code). Rendering is :mod:`exportctl.reports.crosslist`'s job.

Example:
    >>> result = compare_lists(side_a, side_b)
    >>> result.counts
    {'covered': 17, 'partly': 1, 'not_covered': 32, 'no_code': 0}
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from exportctl.models import ItemRecord

__all__ = [
    "STATUSES",
    "CrossList",
    "CrossRow",
    "Side",
    "Status",
    "compare_lists",
    "entry_covers",
]

Status = Literal["covered", "partly", "not_covered", "no_code"]
"""How list B covers one entry of list A."""

STATUSES: tuple[Status, ...] = ("covered", "partly", "not_covered", "no_code")
"""Every status, in report order."""

Reach = Literal["whole", "part", "under"]
"""What a B entry does for an A code: covers all of it, part of it, or lies under it."""


def entry_covers(entry: ItemRecord, code: str) -> Reach | None:
    """What list entry ``entry`` does for the goods of ``code`` (digits).

    The one place the comparison asks about coverage, through the coverage model
    (:class:`exportctl.hscode.Span`: level, range, ``ex``): ``whole`` when the entry
    covers ``code``, ``part`` when it covers it only as described (``ex``), ``under``
    when the entry lies under ``code`` (``code`` is broader).

    Returns:
        ``whole``, ``part``, ``under``, or ``None`` when they do not meet.
    """
    span = entry.span
    if span is None:
        return None
    relation = span.relation(code)
    if relation == "covers":
        return "whole"
    if relation == "partial":
        return "part"
    if relation == "broader":
        return "under"
    return None


def _chapters(entry: ItemRecord) -> list[str]:
    """The chapters an entry reaches: its own, or every one a range spans."""
    assert entry.code is not None
    first = entry.code[:2]
    last = entry.code_end[:2] if entry.code_end else first
    if last == first or not (first.isdigit() and last.isdigit()):
        return [first]
    return [f"{n:02d}" for n in range(int(first), int(last) + 1)]


@dataclass(frozen=True, slots=True)
class Side:
    """One list's version as compared."""

    slug: str
    label: str
    list_name: str = ""
    status: str = "approved"
    effective: dt.date | None = None
    items: Sequence[ItemRecord] = ()

    def to_json(self) -> dict[str, Any]:
        """The side in the JSON report (without its items)."""
        return {
            "list": self.slug,
            "list_name": self.list_name or None,
            "version": self.label,
            "status": self.status,
            "effective": self.effective.isoformat() if self.effective else None,
            "count": len(self.items),
        }


@dataclass(frozen=True, slots=True)
class CrossRow:
    """One entry of A and what B has for it."""

    entry: ItemRecord
    status: Status
    matches: tuple[ItemRecord, ...] = ()
    """The B entries involved: covering ones first (shortest code first), then those under."""


@dataclass(slots=True)
class CrossList:
    """Every entry of A compared with B, in A's order."""

    a: Side
    b: Side
    rows: list[CrossRow]

    @property
    def counts(self) -> dict[str, int]:
        """Entries of A per status, every status present; they add up to A's entries."""
        found = Counter(row.status for row in self.rows)
        return {status: found[status] for status in STATUSES}

    def summary_json(self) -> dict[str, Any]:
        """Both sides and the counts."""
        return {"a": self.a.to_json(), "b": self.b.to_json(), "counts": self.counts}


def _status(entry: ItemRecord, candidates: Sequence[ItemRecord]) -> CrossRow:
    if entry.code is None:
        return CrossRow(entry, "no_code")
    whole: list[ItemRecord] = []
    part: list[ItemRecord] = []
    under: list[ItemRecord] = []
    for candidate in candidates:
        reach = entry_covers(candidate, entry.code)
        if reach == "whole":
            whole.append(candidate)
        elif reach == "part":
            part.append(candidate)
        elif reach == "under":
            under.append(candidate)
    covering = sorted(whole + part, key=lambda item: (len(item.code or ""), item.code or ""))
    matches = tuple(covering + sorted(under, key=lambda item: item.code or ""))
    if whole:
        return CrossRow(entry, "covered", matches)
    if matches:
        return CrossRow(entry, "partly", matches)
    return CrossRow(entry, "not_covered")


def compare_lists(a: Side, b: Side) -> CrossList:
    """For each entry of ``a``, whether ``b`` covers it (see the module's note).

    B's entries are grouped by chapter first (a range under every chapter it spans),
    since coverage never reaches past those.

    Args:
        a: The list whose entries are checked.
        b: The list checked against.

    Returns:
        One row per entry of ``a``, in order.
    """
    by_chapter: dict[str, list[ItemRecord]] = defaultdict(list)
    for item in b.items:
        if item.code is not None:
            for chapter in _chapters(item):
                by_chapter[chapter].append(item)
    rows = [
        _status(entry, by_chapter.get(entry.code[:2], []) if entry.code else [])
        for entry in a.items
    ]
    return CrossList(a, b, rows)
