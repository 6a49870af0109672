"""The comparison of two versions a database has joined: :func:`compare_joined`.

The database pairs the entries of two versions on their identity and hands over
only what may have changed (:class:`JoinedVersions`, implemented by
:class:`exportctl.store.PairedVersions`). Those few entries then go through the
rules of :func:`~exportctl.diff.matching.compare`, which never needed the pairs
equal on every compared field, so the change set is the one
:func:`~exportctl.diff.matching.compare` gives on the whole versions.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Protocol

from exportctl.diff.changeset import COMPARABLE_FIELDS, DEFAULT_FIELDS, ChangeSet, check_fields
from exportctl.diff.matching import _compare_indexed, compare
from exportctl.identity import index
from exportctl.models import ItemRecord

__all__ = ["JoinedVersions", "compare_joined"]


class JoinedVersions(Protocol):
    """Two stored versions as a database joins them on the identity of their entries.

    :class:`exportctl.store.PairedVersions` is the implementation.
    """

    def sizes(self) -> tuple[int, int]:
        """The number of entries in the old and in the new version."""
        ...

    def keys_repeat(self) -> bool:
        """Whether two entries of the old version may share a key; the join then cannot
        pair them as :class:`exportctl.identity.Keys` numbers them."""
        ...

    def differing(
        self, columns: Sequence[str]
    ) -> Iterator[tuple[int | None, ItemRecord | None, int | None, ItemRecord | None]]:
        """``(old position, old entry, new position, new entry)`` for each pair that may
        differ on ``columns``, each entry without a partner (``None`` on the other side)
        and each entry without a code; entries left out are in pairs equal on every one
        of ``columns``. The old entries are in the new version's part numbering."""
        ...

    def description_counts(
        self, names: AbstractSet[str]
    ) -> tuple[Mapping[str, int], Mapping[str, int]]:
        """How often each of ``names`` is a description in the old and the new version."""
        ...

    def whole(self) -> tuple[list[ItemRecord], list[ItemRecord]]:
        """Every entry of both versions in stored order, the old in the new numbering."""
        ...


_position = operator.itemgetter(0)


def compare_joined(
    joined: JoinedVersions,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    progress: Callable[[int], None] | None = None,
) -> ChangeSet:
    """:func:`compare` for two versions a database pairs entry by entry.

    Only the entries :meth:`JoinedVersions.differing` hands over are built and go
    through :func:`compare`'s rules; descriptions are still counted over the whole
    versions. When a key repeats within the old version
    (:meth:`JoinedVersions.keys_repeat`), or the new version repeats a key that is
    paired, every entry is read and :func:`compare` decides, so the result is always
    the one :func:`compare` gives on the full versions.

    Args:
        joined: The two versions.
        fields: As for :func:`compare`.
        progress: Called with the entries read so far: once the old version is read,
            once both are.

    Returns:
        The change set, equal to ``compare(*joined.whole(), fields=fields)``.

    Raises:
        InputError: ``fields`` names something that cannot be compared.
    """
    fields = check_fields(fields)
    before, after = joined.sizes()
    pending = [before, before + after] if progress is not None else []

    def report() -> None:
        if pending and progress is not None:
            progress(pending.pop(0))

    if joined.keys_repeat():
        changes = compare(*joined.whole(), fields=fields)
    else:
        changes = _compare_leftovers(joined, fields, before, after, report)
    while pending:
        report()
    return changes


def _compare_leftovers(
    joined: JoinedVersions,
    fields: tuple[str, ...],
    before: int,
    after: int,
    old_read: Callable[[], None],
) -> ChangeSet:
    old_rows: list[tuple[int, ItemRecord]] = []
    new_rows: list[tuple[int, ItemRecord]] = []
    columns = [name for name in COMPARABLE_FIELDS if name in fields]
    reading_old = True
    for old_at, old, new_at, new in joined.differing(columns):
        if old is not None and old_at is not None:
            old_rows.append((old_at, old))
        elif reading_old:  # new entries alone follow the old version's
            old_read()
            reading_old = False
        if new is not None and new_at is not None:
            new_rows.append((new_at, new))
    # The old version's keys are unique, so an old entry in two pairs, or pairs left
    # out that do not add up (each holds one old and one new entry), mean that the new
    # version repeats a paired key: compare() numbers its copies in stored order.
    unchanged = before - len(old_rows)
    if after - len(new_rows) != unchanged or len(set(map(_position, old_rows))) < len(old_rows):
        return compare(*joined.whole(), fields=fields)
    # In stored order, as compare() indexes whole versions: ties in the change order
    # and the numbering of repeated keys (Keys) follow it.
    old_rows.sort(key=_position)
    new_rows.sort(key=_position)
    return _compare_indexed(
        index(item for _, item in old_rows),
        index(item for _, item in new_rows),
        fields,
        before=before,
        after=after,
        unchanged=unchanged,
        name_counts=joined.description_counts,
    )
