"""A stored version's screening index, built once per process and kept.

``check`` and ``show --code`` ask a version's entries, indexed as screening indexes
them (:class:`exportctl.screen.ScreenIndex`, with the list's profile). A version's
entries never change once stored, so a process that answers many look-ups (the web
view) builds each version's index once: the key holds what could make two builds
differ (the database, the version and the digest of its entries, its dates, and the
profile as loaded now, so an edited profile file is seen), and a few are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.models import ItemRecord, Section, Version

if TYPE_CHECKING:
    from exportctl.screen import ScreenIndex

KEPT = 8
"""Indexes kept (each a version's entries: a few megabytes)."""

_kept: OrderedDict[tuple[Any, ...], tuple[ScreenIndex, list[ItemRecord], list[Section]]] = (
    OrderedDict()
)
_lock = threading.Lock()


def screen_index(
    engine: Engine, slug: str, version: Version
) -> tuple[ScreenIndex, list[ItemRecord], list[Section]]:
    """The version's entries indexed for screening, its entries and its parts.

    Returns the same objects to every caller asking about the same version: they are
    read, never changed.
    """
    from exportctl.profiles import default_folders, load_profile
    from exportctl.screen import ScreenIndex

    with store.session_scope(engine) as session:
        named = store.get_list(session, slug).profile
    profile = load_profile(named, default_folders())
    key = (
        str(engine.url),
        slug,
        version.id,
        version.label,
        version.items_digest,
        version.source_sha256,
        version.imported_at,
        version.effective,
        repr(profile),
    )
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    with store.session_scope(engine) as session:
        items = store.load_items(session, version)
        sections = store.sections_of(session, version)
    index = ScreenIndex.build(
        items,
        slug=slug,
        label=version.label,
        effective=version.effective.isoformat() if version.effective else None,
        sections={part.number: part.title for part in sections},
        profile=profile,
    )
    with _lock:
        _kept[key] = (index, items, sections)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return index, items, sections
