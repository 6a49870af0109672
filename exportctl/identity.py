"""What identifies an entry across versions, and how two versions' counts tie out.

The import's checks against a base version (:mod:`exportctl.validate`,
:mod:`exportctl.parts`) and ``diff`` (:mod:`exportctl.diff`) both pair entries with
:func:`match` over the keys of :func:`entry_key` and check their counts with
:func:`tie_out`, so that for the same two versions they always give the same added
and removed counts and the same verdict on the notice's declared figures (issue 20).

An entry is identified within its part of the annex by:

* its code, or the first code of a range: the end of a range and the ``ex`` mark
  are what the entry covers, compared as fields, so a changed range end or ``ex``
  is a *modification* of the entry, not a removal and an addition;
* for an entry without a code, its description (whitespace collapsed) and, when no
  entry of the other version has that description, its serial number (연번): the
  entry printed under the same number with new wording is the same entry reworded.

The columns that make the identity (:data:`CODE_KEY`, :data:`NO_CODE`) are named here
too, so that a database comparing two stored versions (:mod:`exportctl.store.paired`)
joins their entries on exactly what :func:`entry_key` keys them by.

Nothing here reads a database or a file.

Example:
    >>> old = Keys()
    >>> _ = old.add(entry_key("847130", "ADP"))
    >>> new = Keys()
    >>> _ = new.add(entry_key("847130", "ADP"))  # the range end moved: same key
    >>> match(old.fallbacks, new.fallbacks, fallback=lambda f: f).counts
    (0, 0)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeGuard, TypeVar

from exportctl.models import ItemRecord

__all__ = [
    "CODE_KEY",
    "NAME_PREFIX",
    "NO_CODE",
    "Check",
    "Declared",
    "Keys",
    "Matching",
    "entry_key",
    "fold_title",
    "has_code",
    "index",
    "item_key",
    "match",
    "named",
    "pair_parts",
    "part_number",
    "serial_key",
    "tie_out",
]

NAME_PREFIX = "name:"
"""Starts the key of an entry defined by name (within its part)."""

CODE_KEY: tuple[str, str] = ("section", "code")
"""The item columns whose values identify an entry that has a code (:func:`has_code`):
its part of the annex and its code. :func:`entry_key` is made of them, and a database
pairs two stored versions' entries by joining on them. An entry without a code is
keyed by its description with its whitespace collapsed, which only Python compares."""

NO_CODE: tuple[None, str] = (None, "")
"""The values of ``code`` that mean an entry has none: it is defined by name."""

T = TypeVar("T")


def has_code(code: str | None) -> TypeGuard[str]:
    """Whether an entry with this code is identified by it (not by its description)."""
    return code not in NO_CODE


def entry_key(code: str | None, description: str, section: int = 1) -> str:
    """The key that identifies an entry across versions.

    Args:
        code: Its code (digits; a range's first code), or ``None``/``""``.
        description: Its description, for an entry without a code.
        section: Its part of the annex; part 1 is left out of the key, so a list of
            one part keys its entries by code alone. Give 1 to key an entry within
            its part whatever its number.

    Returns:
        ``847130``, ``2:847130``, ``name:특수 장비``, ``2:name:특수 장비``.
    """
    # A range is keyed by its first code only: 8471.30–8471.50 widened to
    # 8471.30–8471.60 is the same line of the annex covering more, as a reworded
    # description is; notices count it as changed, not as one removed and one added.
    key = code if has_code(code) else NAME_PREFIX + " ".join(description.split())
    return key if section == 1 else f"{section}:{key}"


def item_key(item: ItemRecord, *, in_part: bool = False) -> str:
    """:func:`entry_key` of an item: across a whole version, or within its part.

    Args:
        item: The entry.
        in_part: Leave its part out of the key, to compare one part with the
            matching part of another version (which may number it differently).
    """
    return entry_key(item.code, item.description, 1 if in_part else item.section)


def serial_key(item: ItemRecord, *, in_part: bool = False) -> str | None:
    """What pairs an entry without a code when its description changed: its serial.

    ``None`` for an entry with a code (its code identifies it) or without a serial.
    """
    if has_code(item.code) or item.serial is None:
        return None
    return item.serial if in_part or item.section == 1 else f"{item.section}:{item.serial}"


def named(key: str) -> bool:
    """Whether a key made within a part is that of an entry without a code."""
    return key.startswith(NAME_PREFIX)


@dataclass(slots=True)
class Keys:
    """The keys of one version's entries, in order, each unique.

    A key met again (stored versions have none; a file may list an entry twice)
    is numbered ``#2``, ``#3``… in the order met, so that every entry counts.
    """

    fallbacks: dict[str, str | None] = field(default_factory=dict)
    """Each key with its entry's :func:`serial_key`."""

    @classmethod
    def of(cls, items: Iterable[ItemRecord], *, in_part: bool = False) -> Keys:
        """The keys of ``items`` (see :func:`item_key` for ``in_part``)."""
        keys = cls()
        for item in items:
            keys.add(item_key(item, in_part=in_part), serial_key(item, in_part=in_part))
        return keys

    def add(self, key: str, fallback: str | None = None) -> str:
        """Record an entry's key and serial key; return the key it is known by."""
        if key in self.fallbacks:
            n = 2
            while f"{key}#{n}" in self.fallbacks:
                n += 1
            key = f"{key}#{n}"
        self.fallbacks[key] = fallback
        return key


def index(items: Iterable[ItemRecord]) -> dict[str, ItemRecord]:
    """Items by :func:`item_key`, numbered as :class:`Keys` numbers a repeated key."""
    listed = list(items)
    fast = {item_key(item): item for item in listed}
    if len(fast) == len(listed):
        return fast
    keys = Keys()
    return {keys.add(item_key(item)): item for item in listed}


@dataclass(frozen=True, slots=True)
class Matching:
    """Which entries of two versions are the same, and which are on one side only, by key."""

    gone: list[str]
    """Keys of the entries of the old version only (old order)."""
    came: list[str]
    """Keys of the entries of the new version only (new order)."""
    by_serial: list[tuple[str, str]]
    """Old and new keys of entries without a code paired by serial number after their
    description changed (old order)."""

    @property
    def counts(self) -> tuple[int, int]:
        """``(added, removed)``: what the import and ``diff`` both report."""
        return len(self.came), len(self.gone)


def match(
    old: Mapping[str, T], new: Mapping[str, T], *, fallback: Callable[[T], str | None]
) -> Matching:
    """Pair the entries of two versions: by key, then entries without a code by serial.

    Args:
        old: The old version's entries (or anything kept for them) by key
            (:class:`Keys`, :func:`index`). May leave out entries known to be paired
            with an equal key in ``new``.
        new: The new version's, likewise.
        fallback: An entry's :func:`serial_key` (``None`` when it has none).

    Returns:
        The keys of the entries only on one side, and of those paired by serial.
    """
    gone = [key for key in old if key not in new]
    came = [key for key in new if key not in old]
    old_by = _unique_by_serial(gone, old, fallback)
    new_by = _unique_by_serial(came, new, fallback)
    paired = [(key, new_by[serial]) for serial, key in old_by.items() if serial in new_by]
    if not paired:
        return Matching(gone, came, [])
    used_old = {a for a, _ in paired}
    used_new = {b for _, b in paired}
    return Matching(
        [key for key in gone if key not in used_old],
        [key for key in came if key not in used_new],
        paired,
    )


def _unique_by_serial(
    keys: Iterable[str], values: Mapping[str, T], fallback: Callable[[T], str | None]
) -> dict[str, str]:
    """Serial key -> key, for the serials used once among ``keys``: a repeated one
    proves nothing, so its entries stay unpaired."""
    found: dict[str, str] = {}
    repeated: set[str] = set()
    for key in keys:
        serial = fallback(values[key])
        if serial is None:
            continue
        if serial in found:
            repeated.add(serial)
        found[serial] = key
    return {s: k for s, k in found.items() if s not in repeated}


def fold_title(text: str) -> str:
    """A title or a word of one folded for matching: NFKC, case-folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class PartSide:
    """What pairs a part of one version with a part of another: its title and entries."""

    title: str = ""
    """The part's title without its number ("" when the file gives none)."""
    keys: frozenset[str] = frozenset()
    """Its entries' keys within the part (:func:`item_key` with ``in_part=True``);
    empty when they are not known yet (an import pairing as it reads)."""


def pair_parts(old: Mapping[int, PartSide], new: Mapping[int, PartSide]) -> dict[int, int]:
    """Which part of an older version each part of a newer one revises: old -> new number.

    The one rule for the import's counts against its base and for ``diff``, so the
    two always compare the same parts. Parts pair, each at most once:

    1. one part on each side, whatever their titles (a one-part list revised by
       the Russia / Belarus part of the full annex);
    2. by title (folded), since notices renumber parts but keep their titles;
    3. by the entries they share, most first: an untitled one-part list revised
       by a full annex pairs with the part that holds its entries, not part 1;
    4. by number.

    A part that pairs with nothing is all added (new) or all removed (old).

    Example:
        >>> pair_parts({1: PartSide("", frozenset({"8802.40"}))},
        ...            {1: PartSide("이란"), 2: PartSide("러시아", frozenset({"8802.40"}))})
        {1: 2}
    """
    if len(old) == 1 and len(new) == 1:
        return {next(iter(old)): next(iter(new))}
    pairs: dict[int, int] = {}
    by_title: dict[str, int] = {}
    for number, side in old.items():
        if side.title:
            by_title.setdefault(fold_title(side.title), number)
    for number, side in new.items():
        found = by_title.get(fold_title(side.title)) if side.title else None
        if found is not None and found not in pairs:
            pairs[found] = number
    shared = sorted(
        (
            (-len(o.keys & n.keys), a, b)
            for a, o in old.items()
            if a not in pairs
            for b, n in new.items()
            if o.keys & n.keys
        ),
    )
    for _, a, b in shared:
        if a not in pairs and b not in pairs.values():
            pairs[a] = b
    taken = set(pairs.values())
    for number in new:
        if number not in taken and number in old and number not in pairs:
            pairs[number] = number
    return pairs


def part_number(section: int, pairs: Mapping[int, int]) -> int:
    """An older version's part number in the numbering of the newer one it is compared with.

    Args:
        section: The part's number in the older version.
        pairs: :func:`pair_parts` of the two versions.

    Returns:
        The number of the part it pairs with, or its own when it pairs with none.

    Example:
        >>> part_number(1, {1: 2}), part_number(3, {1: 2})
        (2, 3)
    """
    return pairs.get(section, section)


@dataclass(frozen=True, slots=True)
class Declared:
    """Counts the notice declares, all optional."""

    total: int | None = None
    added: int | None = None
    removed: int | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """One tie-out check as data, so each caller can say it in its own words."""

    name: str
    """``sum``, ``declared_total``, ``declared_added``, ``declared_removed`` or
    ``declared_sum``."""
    ok: bool
    """Whether it holds."""
    figures: dict[str, int]
    """The numbers the sentence names (``before``, ``added``, ``after``…)."""


def tie_out(before: int, after: int, added: int, removed: int, declared: Declared) -> list[Check]:
    """Check that the counts add up and agree with the figures the notice declares.

    ``before + added − removed = after`` always, then each declared figure given:
    the total against ``after``, the additions and removals against ``added`` and
    ``removed``, and the declared figures among themselves against ``before``.

    Args:
        before: Entries of the old (base) version.
        after: Entries of the new version.
        added: Entries only in the new version (:attr:`Matching.counts`).
        removed: Entries only in the old version.
        declared: What the notice declares.

    Returns:
        The checks, in that order; those whose declared figure is not given are left out.

    Example:
        >>> [c.ok for c in tie_out(1159, 1402, 243, 0, Declared(1402, 243))]
        [True, True, True, True]
    """
    computed = before + added - removed
    checks = [
        Check(
            "sum",
            computed == after,
            {
                "before": before,
                "added": added,
                "removed": removed,
                "computed": computed,
                "after": after,
            },
        )
    ]
    # Each declared figure against the count it declares, in this order.
    for name, given, figure, value in (
        ("declared_total", declared.total, "after", after),
        ("declared_added", declared.added, "added", added),
        ("declared_removed", declared.removed, "removed", removed),
    ):
        if given is not None:
            checks.append(Check(name, given == value, {"declared": given, figure: value}))
    if declared.total is not None and (declared.added is not None or declared.removed is not None):
        d_added, d_removed = declared.added or 0, declared.removed or 0
        d_sum = before + d_added - d_removed
        checks.append(
            Check(
                "declared_sum",
                d_sum == declared.total,
                {
                    "before": before,
                    "added": d_added,
                    "removed": d_removed,
                    "computed": d_sum,
                    "declared": declared.total,
                },
            )
        )
    return checks
