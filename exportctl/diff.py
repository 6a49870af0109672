"""What changed between two versions of a control list, as data.

:func:`compare` is a pure function from two versions' items to a :class:`ChangeSet`;
it reads no database and writes no file. :func:`compare_stored` gives the same change
set for two stored versions while building full items only for those that may have
changed (most of a new version is its old version unchanged). The writers in
:mod:`exportctl.reports` only format a change set, and :func:`summarise` ties its
counts out against the figures the notice declares.

Items are matched by their normalised code; an item without a code by its
description and, failing that, by its serial number (연번). Each matched pair is
compared on the chosen ``fields``. Unmatched items are then looked at once more, so
that a structural change is not reported as an unrelated removal and addition.

Change kinds, and the rule for each (every old and every new item appears in at
most one change):

``added`` / ``removed``
    The item's code is only in the new / only in the old version, and none of the
    rules below explains it.
``modified``
    Same code in both, and at least one compared field other than ``serial``
    differs. When the serial number moved too, ``"serial"`` is among the fields:
    a renumbered item that also changed is *modified*, not reported twice.
``renumbered``
    Same code in both, only the serial number differs (needs ``"serial"`` in
    ``fields``, which it is by default).
``recoded``
    One removed and one added code that mean the same entry: either both cover
    exactly the same goods (``8471300000`` → ``847130``: equal once the trailing
    ``00`` pairs are dropped), or they share their four-digit heading and have the
    same description, that description occurs exactly once in the old and once in
    the new version, and it is not a generic name (``기타``, ``Other``, ``그 밖의
    것``), which real nomenclatures repeat hundreds of times. When in doubt a pair
    stays a removal and an addition.
``split``
    A removed code replaced by one or more added codes it covers (its sub-codes):
    ``2903890000`` → ``2903891000`` + ``2903899000``. One change for the removed
    code (``old`` set, ``related`` = the sub-codes) and one per sub-code (``new`` set,
    ``related`` = the removed code).
``merged``
    The reverse: an added code replacing one or more removed codes it covers.

The summary's ``added``/``removed`` count *items* whose code is only in one version,
whatever change kind explains them, so ``before + added − removed = after`` always
holds and the figures compare with the notice's (1,159 + 243 = 1,402). The per-kind
counts say how those items were classified.

Example:
    >>> changes = compare(old_items, new_items, fields=("description", "category"))
    >>> changes.counts()["added"], summarise(changes).reconciles
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from exportctl.bulk import paused_gc
from exportctl.errors import InputError
from exportctl.models import ItemRecord

__all__ = [
    "CHANGE_KINDS",
    "COMPARABLE_FIELDS",
    "DEFAULT_FIELDS",
    "Change",
    "ChangeKind",
    "ChangeSet",
    "GroupCount",
    "StoredVersion",
    "Summary",
    "VersionInfo",
    "check_fields",
    "compare",
    "compare_stored",
    "dotted",
    "parse_fields",
    "row_columns",
    "significant_prefix",
    "summarise",
]

ChangeKind = Literal["added", "removed", "modified", "renumbered", "recoded", "split", "merged"]

CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "added",
    "removed",
    "modified",
    "renumbered",
    "recoded",
    "split",
    "merged",
)
"""Every change kind, in the order reports list them."""

COMPARABLE_FIELDS: tuple[str, ...] = (
    "serial",
    "ex",
    "description",
    "description_en",
    "category",
    "note",
)
"""Item fields a modification can be about. The code is the identity, the level
follows the code, and sheet/row are provenance, so none of them is compared."""

DEFAULT_FIELDS: tuple[str, ...] = COMPARABLE_FIELDS
"""Fields compared unless ``fields`` is given."""

_KIND_RANK = {kind: rank for rank, kind in enumerate(CHANGE_KINDS)}

# Names that real nomenclatures repeat hundreds of times; never evidence of a recode.
_GENERIC_NAMES = frozenset({"기타", "기타의것", "그밖의것", "그밖의", "other", "others"})
_FOLD_RE = re.compile(r"[\s:;,.\-–—·ㆍ()]+")


def check_fields(fields: Iterable[str]) -> tuple[str, ...]:
    """Validate field names for :func:`compare`.

    Args:
        fields: Names from :data:`COMPARABLE_FIELDS`.

    Returns:
        The names as a tuple, duplicates removed, order kept.

    Raises:
        InputError: A name is not comparable, or none is given.
    """
    chosen = tuple(dict.fromkeys(f.strip() for f in fields if f.strip()))
    unknown = [f for f in chosen if f not in COMPARABLE_FIELDS]
    if unknown:
        raise InputError(
            f'--fields: unknown field "{unknown[0]}" (choose from {", ".join(COMPARABLE_FIELDS)})'
        )
    if not chosen:
        raise InputError(f"--fields: give at least one of {', '.join(COMPARABLE_FIELDS)}")
    return chosen


def parse_fields(text: str | None) -> tuple[str, ...]:
    """Parse ``--fields description,category``; ``None`` means :data:`DEFAULT_FIELDS`.

    Raises:
        InputError: As :func:`check_fields`.
    """
    if text is None:
        return DEFAULT_FIELDS
    return check_fields(text.split(","))


def significant_prefix(code: str) -> str:
    """The digits that decide what a code covers: trailing ``00`` pairs dropped.

    ``0102909000`` covers what ``01029090`` covers; ``8706000000`` what ``8706`` does.
    Never shorter than a heading (four digits) unless the code itself is.

    Example:
        >>> significant_prefix("2903890000"), significant_prefix("3824999051")
        ('290389', '3824999051')
    """
    while len(code) > 4 and code.endswith("00"):
        code = code[:-2]
    return code


def dotted(code: str | None) -> str:
    """A digits-only code as people write it: ``0101.21``, ``8471.30.1000``; ``""`` for None."""
    if not code:
        return ""
    if len(code) <= 4:
        return code
    if len(code) <= 6:
        return f"{code[:4]}.{code[4:]}"
    return f"{code[:4]}.{code[4:6]}.{code[6:]}"


def _fold(text: str) -> str:
    return _FOLD_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def _name_key(item: ItemRecord) -> str:
    # Same identity as exportctl.validate.item_key, so counts agree with imports.
    return _name_text_key(item.description)


def _name_text_key(description: str) -> str:
    return "name:" + " ".join(description.split())


def _key(item: ItemRecord) -> str:
    return item.code if item.code else _name_key(item)


@dataclass(frozen=True, slots=True)
class Change:
    """One change between two versions.

    ``old`` and ``new`` are the item in each version (``None`` on the side where it
    does not exist); ``fields`` the compared fields whose values differ, with
    ``"code"`` first for a recode; ``related`` the codes on the other side of a split
    or merge.
    """

    kind: ChangeKind
    """What happened (see the module docstring for the rules)."""
    old: ItemRecord | None
    """The item in the old version, if it is there."""
    new: ItemRecord | None
    """The item in the new version, if it is there."""
    fields: tuple[str, ...] = ()
    """Fields whose values differ, in :data:`COMPARABLE_FIELDS` order."""
    related: tuple[str, ...] = ()
    """Codes on the other side of a split or merge, sorted."""

    @property
    def item(self) -> ItemRecord:
        """The new item when there is one, else the old."""
        found = self.new if self.new is not None else self.old
        if found is None:  # pragma: no cover - constructors always set one side
            raise ValueError("a change has an old or a new item")
        return found

    @property
    def code(self) -> str | None:
        """Digits-only code (the new one for a recode)."""
        return self.item.code

    @property
    def old_code(self) -> str | None:
        """The code in the old version, if the item is there."""
        return self.old.code if self.old is not None else None

    @property
    def serial(self) -> int | None:
        """Serial number (the new one when the item is in the new version)."""
        return self.item.serial

    @property
    def chapter(self) -> str | None:
        """Two-digit chapter, or None for an item without a code."""
        code = self.code
        return code[:2] if code else None

    def diffs(self) -> list[tuple[str, Any, Any]]:
        """``(field, old value, new value)`` for each field in :attr:`fields`."""
        return [
            (
                name,
                getattr(self.old, name) if self.old is not None else None,
                getattr(self.new, name) if self.new is not None else None,
            )
            for name in self.fields
        ]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """What a report says about one side of the comparison."""

    label: str
    """Version label."""
    effective: dt.date | None = None
    """Date the version took effect."""
    source_file: str = ""
    """File the version was imported from."""
    source_sha256: str = ""
    """SHA-256 of that file."""
    source_sheet: str = ""
    """Sheet read."""
    item_count: int | None = None
    """Items stored."""
    declared_total: int | None = None
    """Item count the notice declares."""
    declared_added: int | None = None
    """Additions the notice declares."""
    declared_removed: int | None = None
    """Removals the notice declares."""
    status: str = "approved"
    """``draft``, ``approved`` or ``withdrawn``."""
    status_by: str | None = None
    """Who approved or withdrew it."""
    declared_warnings: tuple[str, ...] = ()
    """Declared-count mismatches found when it was imported."""

    @property
    def shown(self) -> str:
        """The label as reports print it, with the status unless approved."""
        return self.label if self.status == "approved" else f"{self.label} ({self.status})"


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Every change between two versions, in a deterministic order, plus counts.

    :func:`compare` fills the changes and counts; :func:`exportctl.api.diff_versions`
    also fills the list and version descriptions that reports print.
    """

    changes: tuple[Change, ...]
    """Changes sorted by code (split and merge groups kept together), then kind."""
    before: int
    """Items in the old version."""
    after: int
    """Items in the new version."""
    added: int
    """Items only in the new version (whatever kind explains them)."""
    removed: int
    """Items only in the old version (whatever kind explains them)."""
    unchanged: int
    """Items matched and equal on every compared field."""
    fields: tuple[str, ...] = DEFAULT_FIELDS
    """The fields that were compared."""
    list_slug: str = ""
    """Slug of the list, when known."""
    list_name: str = ""
    """Human name of the list, when known."""
    old_version: VersionInfo | None = None
    """The old version, when known."""
    new_version: VersionInfo | None = None
    """The new version, when known."""

    def counts(self) -> dict[ChangeKind, int]:
        """Number of changes of each kind (every kind present, zero included)."""
        found = Counter(c.kind for c in self.changes)
        return {kind: found.get(kind, 0) for kind in CHANGE_KINDS}

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        """The changes of one kind, in report order."""
        return [c for c in self.changes if c.kind == kind]

    @property
    def modified(self) -> int:
        """Number of ``modified`` changes."""
        return sum(1 for c in self.changes if c.kind == "modified")


def compare(
    old: Sequence[ItemRecord],
    new: Sequence[ItemRecord],
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
) -> ChangeSet:
    """The changes from ``old`` to ``new``.

    Pure and deterministic: the same items give the same change set in the same
    order. Runs in O(n log n); two versions of a million items take a few seconds.

    Args:
        old: Items of the old version.
        new: Items of the new version.
        fields: Fields compared for ``modified`` (``serial`` for ``renumbered``);
            a subset of :data:`COMPARABLE_FIELDS`.

    Returns:
        The change set, without list or version descriptions.

    Raises:
        InputError: ``fields`` names something that cannot be compared.

    Example:
        >>> a = ItemRecord(1, "847130", 6, False, "노트북")
        >>> b = ItemRecord(1, "847130", 6, False, "휴대용 컴퓨터")
        >>> [c.kind for c in compare([a], [b]).changes]
        ['modified']
    """
    fields = check_fields(fields)
    description = operator.attrgetter("description")

    def name_counts(_names: AbstractSet[str]) -> tuple[Mapping[str, int], Mapping[str, int]]:
        return Counter(map(description, old)), Counter(map(description, new))

    return _compare_indexed(
        _index(old),
        _index(new),
        fields,
        before=len(old),
        after=len(new),
        unchanged=0,
        name_counts=name_counts,
    )


NameCounts = Callable[[AbstractSet[str]], tuple[Mapping[str, int], Mapping[str, int]]]
"""How often descriptions occur in the whole old and new version.

Called with the descriptions asked about; may count more of them than that."""


def _compare_indexed(
    old_by_key: dict[str, ItemRecord],
    new_by_key: dict[str, ItemRecord],
    fields: tuple[str, ...],
    *,
    before: int,
    after: int,
    unchanged: int,
    name_counts: NameCounts,
) -> ChangeSet:
    """:func:`compare` on items indexed by key.

    The indexes may leave out pairs already known to be unchanged (same key, equal
    on every compared field and the serial): ``unchanged`` counts those, ``before``
    and ``after`` are the sizes of the whole versions and ``name_counts`` counts
    descriptions over the whole versions.
    """
    compared = tuple(f for f in fields if f != "serial")
    with_serial = "serial" in fields
    fingerprint = _getter(compared)

    changes: list[Change] = []
    gone: list[ItemRecord] = []
    for key, old_item in old_by_key.items():
        new_item = new_by_key.get(key)
        if new_item is None:
            gone.append(old_item)
            continue
        change = _pair(old_item, new_item, compared, with_serial, fingerprint)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    came = [item for key, item in new_by_key.items() if key not in old_by_key]
    added_items, removed_items = len(came), len(gone)

    gone, came = _pair_by_serial(gone, came, compared, with_serial, fingerprint, changes)
    # Order matters: certain relations (same coverage, sub-codes) before the
    # description heuristic, so a split is never mistaken for a recode.
    gone, came = _recode_same_coverage(gone, came, compared, changes)
    gone, came = _splits(gone, came, changes)
    came, gone = _merges(came, gone, changes)
    gone, came = _recode_by_description(gone, came, name_counts, compared, changes)
    changes.extend(Change("removed", item, None) for item in gone)
    changes.extend(Change("added", None, item) for item in came)
    changes.sort(key=_sort_key)
    return ChangeSet(
        changes=tuple(changes),
        before=before,
        after=after,
        added=added_items,
        removed=removed_items,
        unchanged=unchanged,
        fields=fields,
    )


class StoredVersion(Protocol):
    """A stored version as :func:`compare_stored` reads it: columns first, full items later.

    :class:`exportctl.store.StoredItems` is the database's implementation.
    """

    def rows(self, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """The values of ``columns`` (item column names) for every item, in any order.

        ``code`` comes as text and ``description`` as text or its UTF-8 bytes. Other
        values may come in any form in which two values are equal only when the
        stored values are (text as its UTF-8 bytes, for one), the same form in both
        versions: equal rows are taken as unchanged items, while unequal rows are
        only compared again on their full items.
        """
        ...

    def items(self, codes: Collection[str] | None, *, codeless: bool) -> list[ItemRecord]:
        """Full items in stored order.

        Args:
            codes: The items whose code is one of these; ``None`` for every item.
            codeless: Also every item without a code.
        """
        ...


def row_columns(fields: Sequence[str]) -> tuple[str, ...]:
    """Item columns :func:`compare_stored` reads for every item when comparing ``fields``.

    The code and description (the key), then the compared fields and the serial
    when it is compared, in :data:`COMPARABLE_FIELDS` order.
    """
    chosen = check_fields(fields)
    rest = (f for f in COMPARABLE_FIELDS if f in chosen and f != "description")
    return ("code", "description", *rest)


def compare_stored(
    old: StoredVersion,
    new: StoredVersion,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
) -> ChangeSet:
    """:func:`compare` for stored versions, building items only where they may differ.

    Most items of two versions are the same. This reads the key and the compared
    values of every item as plain tuples (:func:`row_columns`) and sets aside each
    pair whose key and tuple are equal: :func:`compare` would count it unchanged.
    Only the other items are loaded in full and go through :func:`compare`'s rules;
    descriptions are still counted over the whole versions. When a key repeats in a
    version every item is loaded and :func:`compare` decides, so the result is
    always the one :func:`compare` gives on the full versions.

    Args:
        old: The old version.
        new: The new version.
        fields: As for :func:`compare`.

    Returns:
        The change set, equal to ``compare(all old items, all new items, fields=fields)``.

    Raises:
        InputError: ``fields`` names something that cannot be compared.
    """
    fields = check_fields(fields)
    columns = row_columns(fields)
    with paused_gc():
        return _compare_rows(old, new, old.rows(columns), new.rows(columns), fields)


def _compare_rows(
    old: StoredVersion,
    new: StoredVersion,
    old_rows: list[tuple[Any, ...]],
    new_rows: list[tuple[Any, ...]],
    fields: tuple[str, ...],
) -> ChangeSet:
    old_by_key = _rows_by_key(old_rows)
    new_by_key = _rows_by_key(new_rows)
    if old_by_key is None or new_by_key is None:
        return _compare_whole(old, new, fields)

    # A new row equal to the old row with the same key (the values include the key)
    # is an unchanged pair; everything else stays for the full comparison.
    same = list(map(operator.eq, map(old_by_key.get, new_by_key), new_by_key.values()))
    new_rest = set(itertools.compress(new_by_key, map(operator.not_, same)))
    old_rest = set(itertools.filterfalse(new_by_key.__contains__, old_by_key))
    old_rest.update(key for key in new_rest if key in old_by_key)
    old_items = _items_by_key(old, old_rest, old_by_key)
    new_items = _items_by_key(new, new_rest, new_by_key)
    if old_items is None or new_items is None:  # pragma: no cover - versions are immutable
        return _compare_whole(old, new, fields)

    def name_counts(names: AbstractSet[str]) -> tuple[Mapping[str, int], Mapping[str, int]]:
        return _count_descriptions(old_rows, names), _count_descriptions(new_rows, names)

    return _compare_indexed(
        old_items,
        new_items,
        fields,
        before=len(old_rows),
        after=len(new_rows),
        unchanged=sum(same),
        name_counts=name_counts,
    )


def _compare_whole(old: StoredVersion, new: StoredVersion, fields: tuple[str, ...]) -> ChangeSet:
    return compare(old.items(None, codeless=True), new.items(None, codeless=True), fields=fields)


_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _count_descriptions(rows: Sequence[tuple[Any, ...]], names: AbstractSet[str]) -> Counter[str]:
    """How often each of ``names`` is the description (second value, text or UTF-8) of a row."""
    wanted: dict[str | bytes, str] = {name: name for name in names}
    wanted.update({name.encode(): name for name in names})
    counts: Counter[str] = Counter()
    for value, n in Counter(filter(wanted.__contains__, map(_second, rows))).items():
        counts[wanted[value]] += n
    return counts


def _rows_by_key(rows: Sequence[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]] | None:
    """``(code, description, ...)`` rows by item key, in row order; None when a key repeats."""
    by_code = dict(zip(map(_first, rows), rows, strict=True))
    if len(by_code) == len(rows) and None not in by_code and "" not in by_code:
        return by_code
    by_key = {row[0] or _name_text_key(_text(row[1])): row for row in rows}
    return by_key if len(by_key) == len(rows) else None


def _items_by_key(
    version: StoredVersion, keys: AbstractSet[str], rows: Mapping[str, tuple[Any, ...]]
) -> dict[str, ItemRecord] | None:
    """The full items with these keys, by key in stored order; None if some are missing."""
    if not keys:
        return {}
    codes = {rows[k][0] for k in keys}
    codeless = None in codes or "" in codes
    codes -= {None, ""}
    found = {}
    for item in version.items(codes, codeless=codeless):
        key = _key(item)
        if key in keys:
            found[key] = item
    return found if len(found) == len(keys) else None


def _getter(names: tuple[str, ...]) -> Callable[[ItemRecord], tuple[Any, ...]]:
    if not names:
        return lambda _item: ()
    if len(names) == 1:
        single = operator.attrgetter(names[0])
        return lambda item: (single(item),)
    return operator.attrgetter(*names)


def _index(items: Sequence[ItemRecord]) -> dict[str, ItemRecord]:
    """Items by key; a repeated key (stored versions have none) gets ``#2``, ``#3``..."""
    fast = {item.code or _name_key(item): item for item in items}
    if len(fast) == len(items):
        return fast
    index: dict[str, ItemRecord] = {}
    for item in items:
        key = _key(item)
        if key in index:
            n = 2
            while f"{key}#{n}" in index:
                n += 1
            key = f"{key}#{n}"
        index[key] = item
    return index


def _differing(
    before: ItemRecord, after: ItemRecord, compared: tuple[str, ...], with_serial: bool
) -> tuple[str, ...]:
    names = [n for n in compared if getattr(before, n) != getattr(after, n)]
    if with_serial and before.serial != after.serial:
        names.append("serial")
    return tuple(n for n in COMPARABLE_FIELDS if n in names)


def _pair(
    before: ItemRecord,
    after: ItemRecord,
    compared: tuple[str, ...],
    with_serial: bool,
    fingerprint: Callable[[ItemRecord], tuple[Any, ...]],
) -> Change | None:
    same_fields = fingerprint(before) == fingerprint(after)
    same_serial = not with_serial or before.serial == after.serial
    if same_fields and same_serial:
        return None
    names = _differing(before, after, compared, with_serial)
    kind: ChangeKind = "renumbered" if same_fields else "modified"
    return Change(kind, before, after, names)


def _pair_by_serial(
    gone: list[ItemRecord],
    came: list[ItemRecord],
    compared: tuple[str, ...],
    with_serial: bool,
    fingerprint: Callable[[ItemRecord], tuple[Any, ...]],
    changes: list[Change],
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    """Items without a code whose description changed are matched by serial number."""
    old_named = _unique_by(i for i in gone if not i.code and i.serial is not None)
    new_named = _unique_by(i for i in came if not i.code and i.serial is not None)
    matched = old_named.keys() & new_named.keys()
    if not matched:
        return gone, came
    used_old = {id(old_named[s]) for s in matched}
    used_new = {id(new_named[s]) for s in matched}
    for serial in matched:
        change = _pair(old_named[serial], new_named[serial], compared, with_serial, fingerprint)
        # The description differs (it was the key that failed to match), so it is
        # reported even when it is not among the compared fields.
        before, after = old_named[serial], new_named[serial]
        names = change.fields if change is not None else ()
        if "description" not in names:
            names = tuple(n for n in COMPARABLE_FIELDS if n in {*names, "description"})
        changes.append(Change("modified", before, after, names))
    return (
        [i for i in gone if id(i) not in used_old],
        [i for i in came if id(i) not in used_new],
    )


def _unique_by(items: Iterable[ItemRecord]) -> dict[int, ItemRecord]:
    found: dict[int, ItemRecord] = {}
    repeated: set[int] = set()
    for item in items:
        assert item.serial is not None
        if item.serial in found:
            repeated.add(item.serial)
        found[item.serial] = item
    return {s: i for s, i in found.items() if s not in repeated}


def _recode_change(before: ItemRecord, after: ItemRecord, compared: tuple[str, ...]) -> Change:
    names = _differing(before, after, compared, with_serial=False)
    if before.serial != after.serial:
        names = tuple(n for n in COMPARABLE_FIELDS if n in {*names, "serial"})
    return Change("recoded", before, after, ("code", *names))


def _recode_same_coverage(
    gone: list[ItemRecord],
    came: list[ItemRecord],
    compared: tuple[str, ...],
    changes: list[Change],
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    """``8471300000`` removed and ``847130`` added cover the same goods: a recode."""
    old_by = _group(i for i in gone if i.code)
    new_by = _group(i for i in came if i.code)
    pairs = [
        (old_by[p][0], new_by[p][0])
        for p in sorted(old_by.keys() & new_by.keys())
        if len(old_by[p]) == 1 and len(new_by[p]) == 1
    ]
    return _apply_recodes(pairs, gone, came, compared, changes)


def _group(items: Iterable[ItemRecord]) -> dict[str, list[ItemRecord]]:
    groups: dict[str, list[ItemRecord]] = {}
    for item in items:
        assert item.code is not None
        groups.setdefault(significant_prefix(item.code), []).append(item)
    return groups


def _apply_recodes(
    pairs: list[tuple[ItemRecord, ItemRecord]],
    gone: list[ItemRecord],
    came: list[ItemRecord],
    compared: tuple[str, ...],
    changes: list[Change],
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    if not pairs:
        return gone, came
    used_old = {id(a) for a, _ in pairs}
    used_new = {id(b) for _, b in pairs}
    changes.extend(_recode_change(a, b, compared) for a, b in pairs)
    return (
        [i for i in gone if id(i) not in used_old],
        [i for i in came if id(i) not in used_new],
    )


def _covered(
    parents: list[ItemRecord], children: list[ItemRecord]
) -> list[tuple[ItemRecord, list[ItemRecord]]]:
    """Each parent (sorted by code) with the not yet taken children its code covers."""
    pool = sorted((i for i in children if i.code), key=lambda i: i.code or "")
    codes = [i.code or "" for i in pool]
    taken: set[int] = set()
    groups: list[tuple[ItemRecord, list[ItemRecord]]] = []
    for parent in sorted((i for i in parents if i.code), key=lambda i: i.code or ""):
        assert parent.code is not None
        prefix = significant_prefix(parent.code)
        start = bisect.bisect_left(codes, prefix)
        # ":" sorts right after "9", so this is the end of the codes starting with prefix.
        end = bisect.bisect_left(codes, prefix + ":", lo=start)
        picked = [
            k
            for k in range(start, end)
            if k not in taken and len(codes[k]) > len(prefix) and codes[k] != parent.code
        ]
        if picked:
            taken.update(picked)
            groups.append((parent, [pool[k] for k in picked]))
    return groups


def _splits(
    gone: list[ItemRecord], came: list[ItemRecord], changes: list[Change]
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    groups = _covered(gone, came)
    return _apply_groups("split", groups, gone, came, changes, parent_is_old=True)


def _merges(
    came: list[ItemRecord], gone: list[ItemRecord], changes: list[Change]
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    groups = _covered(came, gone)
    return _apply_groups("merged", groups, came, gone, changes, parent_is_old=False)


def _apply_groups(
    kind: ChangeKind,
    groups: list[tuple[ItemRecord, list[ItemRecord]]],
    parents: list[ItemRecord],
    children: list[ItemRecord],
    changes: list[Change],
    *,
    parent_is_old: bool,
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    if not groups:
        return parents, children
    used_parents: set[int] = set()
    used_children: set[int] = set()
    for parent, kids in groups:
        used_parents.add(id(parent))
        kid_codes = tuple(sorted(k.code or "" for k in kids))
        if parent_is_old:
            changes.append(Change(kind, parent, None, related=kid_codes))
        else:
            changes.append(Change(kind, None, parent, related=kid_codes))
        for kid in kids:
            used_children.add(id(kid))
            related = (parent.code or "",)
            if parent_is_old:
                changes.append(Change(kind, None, kid, related=related))
            else:
                changes.append(Change(kind, kid, None, related=related))
    return (
        [i for i in parents if id(i) not in used_parents],
        [i for i in children if id(i) not in used_children],
    )


def _recode_by_description(
    gone: list[ItemRecord],
    came: list[ItemRecord],
    name_counts: NameCounts,
    compared: tuple[str, ...],
    changes: list[Change],
) -> tuple[list[ItemRecord], list[ItemRecord]]:
    """Same unique, non-generic description under the same heading: a recode."""
    gone_coded = [i for i in gone if i.code and len(i.code) >= 4]
    came_coded = [i for i in came if i.code and len(i.code) >= 4]
    if not gone_coded or not came_coded:
        return gone, came
    # Exact (stored) descriptions are counted: cheap on a million items, and a
    # recode needs the very same wording anyway.
    asked = {i.description for i in gone_coded} | {i.description for i in came_coded}
    old_names, new_names = name_counts(asked)

    def candidates(items: list[ItemRecord]) -> dict[tuple[str, str], ItemRecord]:
        found: dict[tuple[str, str], ItemRecord] = {}
        for item in items:
            name = item.description
            if old_names.get(name, 0) > 1 or new_names.get(name, 0) > 1:
                continue
            folded = _fold(name)
            if not folded or folded in _GENERIC_NAMES:
                continue
            assert item.code is not None
            found[(item.code[:4], name)] = item
        return found

    old_c = candidates(gone_coded)
    new_c = candidates(came_coded)
    pairs = [(old_c[k], new_c[k]) for k in sorted(old_c.keys() & new_c.keys())]
    return _apply_recodes(pairs, gone, came, compared, changes)


def _item_order(item: ItemRecord) -> tuple[int, Any, Any]:
    if item.code:
        return (0, item.code, item.serial or 0)
    # Items defined by name keep the list's own order.
    serial = item.serial if item.serial is not None else 1 << 62
    return (1, serial, " ".join(item.description.split()))


def _sort_key(change: Change) -> tuple[Any, ...]:
    """By code (codeless items last), a split or merge group right after its parent."""
    own = _item_order(change.item)
    anchor, role = own[:2], 0
    if change.kind in ("split", "merged"):
        is_parent = (change.old is not None) == (change.kind == "split")
        if not is_parent:
            anchor, role = (0, change.related[0]), 1
    return (anchor, role, _KIND_RANK[change.kind], own)


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Changes in one HS section or chapter, by kind."""

    key: str
    """Section numeral (``XVI``), chapter (``84``), or ``—`` for items without a code."""
    name: str
    """Section or chapter name ('' when unknown)."""
    counts: dict[str, int]
    """Changes of each kind (every kind present)."""

    @property
    def total(self) -> int:
        """All changes in the group."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts that tie out, the notice's declared figures, and a verdict in words."""

    before: int
    """Items in the old version."""
    after: int
    """Items in the new version."""
    added: int
    """Items only in the new version."""
    removed: int
    """Items only in the old version."""
    modified: int
    """``modified`` changes."""
    unchanged: int
    """Matched items with no change in the compared fields."""
    kinds: dict[str, int]
    """Changes of each kind."""
    declared_total: int | None
    """Item count the notice declares for the new version."""
    declared_added: int | None
    """Additions the notice declares."""
    declared_removed: int | None
    """Removals the notice declares."""
    reconciles: bool
    """True when the counts add up and agree with every declared figure."""
    statements: tuple[str, ...]
    """One plain sentence per check, ending in whether it holds."""
    by_section: tuple[GroupCount, ...] = ()
    """Changes by HS section (in section order; items without a code last)."""
    by_chapter: tuple[GroupCount, ...] = ()
    """Changes by HS chapter."""

    def to_json(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON report."""
        return {
            "before": self.before,
            "after": self.after,
            "added": self.added,
            "removed": self.removed,
            "modified": self.modified,
            "unchanged": self.unchanged,
            "kinds": dict(self.kinds),
            "declared": {
                "total": self.declared_total,
                "added": self.declared_added,
                "removed": self.declared_removed,
            },
            "reconciles": self.reconciles,
            "statements": list(self.statements),
            "by_section": [
                {"section": g.key, "name": g.name, "total": g.total, **g.counts}
                for g in self.by_section
            ],
            "by_chapter": [
                {"chapter": g.key, "total": g.total, **g.counts} for g in self.by_chapter
            ],
        }


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for a, b in zip(numeral, [*numeral[1:], ""], strict=True):
        v = values.get(a, 0)
        total += -v if b and values.get(b, 0) > v else v
    return total


def summarise(changes: ChangeSet, *, edition: str = "2022") -> Summary:
    """Tie the change set out and group it by HS section and chapter.

    Checks that ``before + added − removed = after`` and, where the new version's
    notice declared them, that the total, additions and removals agree and that
    the declared figures add up among themselves.

    Args:
        changes: A change set; its ``new_version`` supplies the declared figures.
        edition: HS edition used to name sections and chapters.

    Returns:
        The summary.
    """
    from exportctl.hscode import Nomenclature

    nomenclature = Nomenclature.load(edition)
    new_info = changes.new_version
    declared_total = new_info.declared_total if new_info is not None else None
    declared_added = new_info.declared_added if new_info is not None else None
    declared_removed = new_info.declared_removed if new_info is not None else None
    before, after = changes.before, changes.after
    added, removed = changes.added, changes.removed

    checks: list[tuple[bool, str]] = []
    computed = before + added - removed
    checks.append(
        (
            computed == after,
            f"{before:,} before + {added:,} added − {removed:,} removed = {computed:,}; "
            f"the new version has {after:,} items",
        )
    )
    if declared_total is not None:
        checks.append(
            (
                declared_total == after,
                f"the notice declares {declared_total:,} items; the new version has {after:,}",
            )
        )
    if declared_added is not None:
        checks.append(
            (
                declared_added == added,
                f"the notice declares {declared_added:,} added; {added:,} codes are new",
            )
        )
    if declared_removed is not None:
        checks.append(
            (
                declared_removed == removed,
                f"the notice declares {declared_removed:,} removed; {removed:,} codes are gone",
            )
        )
    if declared_total is not None and (declared_added is not None or declared_removed is not None):
        d_sum = before + (declared_added or 0) - (declared_removed or 0)
        checks.append(
            (
                d_sum == declared_total,
                f"declared figures: {before:,} + {declared_added or 0:,} − "
                f"{declared_removed or 0:,} = {d_sum:,} against the declared total "
                f"{declared_total:,}",
            )
        )
    statements = tuple(
        f"{text}: {'reconciles' if ok else 'DOES NOT RECONCILE'}." for ok, text in checks
    )

    by_section: dict[str, Counter[str]] = {}
    section_names: dict[str, str] = {}
    by_chapter: dict[str, Counter[str]] = {}
    for change in changes.changes:
        code = change.code
        if code:
            found = nomenclature.section(code)
            sec, name = found if found is not None else ("?", "")
            chap = code[:2]
        else:
            sec, name, chap = "—", "", "—"
        section_names[sec] = name
        by_section.setdefault(sec, Counter())[change.kind] += 1
        by_chapter.setdefault(chap, Counter())[change.kind] += 1

    def full(counter: Counter[str]) -> dict[str, int]:
        return {kind: counter.get(kind, 0) for kind in CHANGE_KINDS}

    def section_order(key: str) -> tuple[int, int]:
        roman = _roman(key)
        return (0, roman) if roman else (1, 0 if key == "?" else 1)

    sections = tuple(
        GroupCount(key, section_names.get(key, ""), full(by_section[key]))
        for key in sorted(by_section, key=section_order)
    )
    chapters = tuple(
        GroupCount(key, nomenclature.description(key) or "" if key != "—" else "", full(counter))
        for key, counter in sorted(by_chapter.items(), key=lambda kv: (kv[0] == "—", kv[0]))
    )
    return Summary(
        before=before,
        after=after,
        added=added,
        removed=removed,
        modified=changes.modified,
        unchanged=changes.unchanged,
        kinds={str(kind): n for kind, n in changes.counts().items()},
        declared_total=declared_total,
        declared_added=declared_added,
        declared_removed=declared_removed,
        reconciles=all(ok for ok, _ in checks),
        statements=statements,
        by_section=sections,
        by_chapter=chapters,
    )
