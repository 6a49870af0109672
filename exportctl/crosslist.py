"""Cross-list comparison: for each entry of list A, does list B cover it?

An exporter answers to several lists at once (Korea's Annex 2-2, the EU annexes, the
US supplements, the CHPL). :func:`compare_lists` takes two versions' entries and
returns a :class:`CrossList`: per entry of A, its status and the B entries involved.

* ``covered``: a B entry at the same or a shorter level covers it (``84`` or ``8471``
  or ``8471.30`` covers ``8471.30``), and that entry is not ``ex``;
* ``partly``: B's only covering entries are ``ex`` (part of the code), or B has only
  entries under it (longer codes: ``8471.30.1000`` under ``8471.30``);
* ``not_covered``: nothing in B touches it;
* ``no_code``: the A entry is defined by name, not by a code, and cannot be compared.

Whether one entry covers a code is decided in one place, :func:`entry_covers`, so
that the coverage model (ranges, ``ex`` by attribute) replaces prefix coverage there
and nowhere else. Rendering is :mod:`exportctl.reports.crosslist`'s job.

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

from exportctl.hscode import covers
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

    This is the one place the comparison asks about coverage. Today it is prefix
    coverage (:func:`exportctl.hscode.covers`): ``whole`` when the entry's code is a
    prefix of ``code``, ``part`` when it is but the entry is ``ex``, ``under`` when
    the entry's code is longer and falls under ``code``.

    Returns:
        ``whole``, ``part``, ``under``, or ``None`` when they do not meet.
    """
    if entry.code is None:
        return None
    if covers(entry.code, code):
        return "part" if entry.ex else "whole"
    if covers(code, entry.code):
        return "under"
    return None


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

    B's entries are grouped by chapter first, since prefix coverage never crosses a
    chapter; a coverage model with ranges across chapters would widen this group.

    Args:
        a: The list whose entries are checked.
        b: The list checked against.

    Returns:
        One row per entry of ``a``, in order.
    """
    by_chapter: dict[str, list[ItemRecord]] = defaultdict(list)
    for item in b.items:
        if item.code is not None:
            by_chapter[item.code[:2]].append(item)
    rows = [
        _status(entry, by_chapter.get(entry.code[:2], []) if entry.code else [])
        for entry in a.items
    ]
    return CrossList(a, b, rows)
