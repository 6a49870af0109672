"""The comparison of two stored versions: :func:`compare_stored`.

A stored version (:class:`StoredVersion`, implemented by
:class:`exportctl.store.StoredItems`) is read first as plain tuples of the key and
the compared values; only the items whose tuples differ are then built in full and
put through :func:`~exportctl.diff.matching.compare`'s rules, so the result is the
one :func:`~exportctl.diff.matching.compare` gives on the whole versions.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Protocol

from exportctl.bulk import paused_gc
from exportctl.diff.changeset import COMPARABLE_FIELDS, DEFAULT_FIELDS, ChangeSet, check_fields
from exportctl.diff.matching import _compare_indexed, compare
from exportctl.identity import entry_key, item_key, part_number
from exportctl.models import ItemRecord

__all__ = ["PartsRenumbered", "StoredVersion", "compare_stored", "row_columns"]


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


class PartsRenumbered:
    """A stored version read with its part numbers changed, e.g. to the newer version's.

    Entries are compared within their part; when two versions number the same part
    differently (part 1 of a one-part list, part 2 of the full annex), the older one
    is read in the newer one's numbering.
    """

    def __init__(self, stored: StoredVersion, numbers: Mapping[int, int]) -> None:
        self._stored = stored
        self._numbers = dict(numbers)

    def _number(self, section: int) -> int:
        return part_number(section, self._numbers)

    def rows(self, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """See :meth:`StoredVersion.rows`."""
        rows = self._stored.rows(columns)
        if "section" not in columns:
            return rows
        at = list(columns).index("section")
        number = self._number
        return [(*row[:at], number(row[at]), *row[at + 1 :]) for row in rows]

    def items(self, codes: Collection[str] | None, *, codeless: bool) -> list[ItemRecord]:
        """See :meth:`StoredVersion.items`."""
        return [
            dataclasses.replace(item, section=self._number(item.section))
            if item.section in self._numbers
            else item
            for item in self._stored.items(codes, codeless=codeless)
        ]


def row_columns(fields: Sequence[str]) -> tuple[str, ...]:
    """Item columns :func:`compare_stored` reads for every item when comparing ``fields``.

    The code, description and section (the key: an entry is identified within its
    part of the annex), then the compared fields and the serial when it is compared,
    in :data:`COMPARABLE_FIELDS` order. Sub-items and control numbers are compared
    as their stored text.
    """
    chosen = check_fields(fields)
    rest = (f for f in COMPARABLE_FIELDS if f in chosen and f != "description")
    return ("code", "description", "section", *rest)


def compare_stored(
    old: StoredVersion,
    new: StoredVersion,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    progress: Callable[[int], None] | None = None,
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
        progress: Called with the items read so far, once per version read.

    Returns:
        The change set, equal to ``compare(all old items, all new items, fields=fields)``.

    Raises:
        InputError: ``fields`` names something that cannot be compared.
    """
    fields = check_fields(fields)
    columns = row_columns(fields)
    with paused_gc():
        old_rows = old.rows(columns)
        if progress is not None:
            progress(len(old_rows))
        new_rows = new.rows(columns)
        if progress is not None:
            progress(len(old_rows) + len(new_rows))
        return _compare_rows(old, new, old_rows, new_rows, fields)


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
_third = operator.itemgetter(2)


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
    """``(code, description, section, ...)`` rows by item key, in row order; None when a
    key repeats."""
    if any(map((1).__ne__, map(_third, rows))):
        by_key = {
            entry_key(row[0], _text(row[1]) if not row[0] else "", row[2]): row for row in rows
        }
        return by_key if len(by_key) == len(rows) else None
    by_code = dict(zip(map(_first, rows), rows, strict=True))
    if len(by_code) == len(rows) and None not in by_code and "" not in by_code:
        return by_code
    by_key = {row[0] or entry_key(None, _text(row[1])): row for row in rows}
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
        key = item_key(item)
        if key in keys:
            found[key] = item
    return found if len(found) == len(keys) else None
