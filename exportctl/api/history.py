"""One entry across every version of its list: where it appears and what changed.

An entry is followed by the key that pairs entries between versions
(:func:`exportctl.identity.item_key`: its code, or its description when it has
none, within its part), so its history agrees with ``diff``; each step says how
the entry compares with the step before it, by :func:`exportctl.diff.compare`
on the two items, so a change named here is one ``diff`` would name.

Example:
    >>> steps = entry_history(engine, "kr-russia", "847130")
    >>> [(step.version.label, step.event) for step in steps]
    [('2024-02', 'absent'), ('2024-06', 'added'), ('2024-07', 'changed')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from exportctl import store
from exportctl.errors import NotFoundError
from exportctl.i18n import _
from exportctl.identity import item_key
from exportctl.models import ItemRecord, Version

Event = Literal["first", "absent", "added", "same", "changed", "removed"]


@dataclass(frozen=True, slots=True)
class EntryStep:
    """The entry in one version of the list."""

    version: Version
    """The version."""
    item: ItemRecord | None
    """The entry as that version holds it, or None when it does not."""
    event: Event
    """``first`` (in the list's first version), ``added`` (absent in the version
    before), ``same``, ``changed`` (fields below), ``removed`` (present before,
    absent now) or ``absent``."""
    fields: tuple[str, ...] = ()
    """For ``changed``: the fields that differ from the version before, in ``diff``'s order."""


def entry_history(engine: Engine, slug: str, key: str) -> list[EntryStep]:
    """The entry with ``key`` in every version of ``slug``, oldest first.

    Args:
        engine: The database.
        slug: The list.
        key: The entry's key (:func:`exportctl.identity.item_key`): ``847130``,
            ``2:847130``, ``name:특수 장비``.

    Returns:
        One step per version, withdrawn ones included (their status says so).

    Raises:
        ListNotFoundError: No such list.
        NotFoundError: No version of the list holds the entry.
    """
    from exportctl.diff import compare

    with store.session_scope(engine) as session:
        versions = store.versions_of(session, store.get_list(session, slug))
        found = [_find(store.load_items(session, version), key) for version in versions]
    if all(item is None for item in found):
        raise NotFoundError(
            _('no version of "{slug}" holds the entry "{key}"').format(slug=slug, key=key)
        )
    steps: list[EntryStep] = []
    before: ItemRecord | None = None
    for version, item in zip(versions, found, strict=True):
        if item is None:
            event: Event = "removed" if before is not None else "absent"
            steps.append(EntryStep(version, None, event))
        elif before is None:
            steps.append(EntryStep(version, item, "added" if steps else "first"))
        else:
            changes = compare([before], [item]).changes
            fields = tuple(field for change in changes for field in change.fields)
            steps.append(EntryStep(version, item, "changed" if changes else "same", fields))
        before = item
    return steps


def _find(items: list[ItemRecord], key: str) -> ItemRecord | None:
    return next((item for item in items if item_key(item) == key), None)
