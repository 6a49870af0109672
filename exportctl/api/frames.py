"""Versions and changes as pandas DataFrames, for analysts in notebooks.

The same API the command line stands on, in the shape a notebook wants: one row per
entry (:func:`read_version`), one row per sub-item (:func:`read_sub_items`), one row
per changed field (:func:`read_changes`). Text columns are pandas' Arrow-backed
strings (``string[pyarrow]``), so codes keep their leading zeros; lists of control
numbers stay lists. A frame's ``attrs`` say which list and version it holds.

Example:
    >>> import exportctl
    >>> frame = exportctl.read_version("sqlite:///lists.db", "kr-russia", "2024-06")
    >>> frame[frame.code.str.startswith("8471")][["serial", "code", "description"]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.api.browse import resolve_version
from exportctl.models import ItemRecord, SubItem, Version, walk_sub_items
from exportctl.reports import sub_items_text

if TYPE_CHECKING:
    import pandas as pd

    from exportctl.diff import Change

__all__ = ["ENTRY_COLUMNS", "engine_for", "read_changes", "read_sub_items", "read_version"]

ENTRY_COLUMNS: tuple[str, ...] = (
    "section",
    "section_title",
    "serial",
    "code",
    "code_end",
    "level",
    "ex",
    "description",
    "description_en",
    "category",
    "note",
    "control_numbers",
    "mentioned_codes",
    "sub_items",
    "sheet",
    "row",
)
"""Columns of :func:`read_version`, in order."""

SUB_ITEM_COLUMNS: tuple[str, ...] = (
    "section",
    "serial",
    "code",
    "path",
    "depth",
    "label",
    "text",
    "text_en",
    "control_numbers",
)
"""Columns of :func:`read_sub_items`, in order."""

CHANGE_COLUMNS: tuple[str, ...] = (
    "kind",
    "section",
    "serial",
    "old_serial",
    "code",
    "old_code",
    "field",
    "old",
    "new",
)
"""Columns of :func:`read_changes`, in order."""

Database = Engine | str | Path
"""An engine, a database URL, or the path of a SQLite file."""


@contextmanager
def engine_for(db: Database) -> Iterator[Engine]:
    """The engine for ``db``; one opened here is closed after use."""
    if isinstance(db, Engine):
        yield db
        return
    from exportctl.api.database import open_database

    url = f"sqlite:///{db}" if isinstance(db, Path) or "://" not in db else db
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _version(
    engine: Engine, slug: str, version: str | None, as_of: dt.date | None, include_drafts: bool
) -> Version:
    # With neither a label nor a date, the version in force today, as ``show`` does.
    if version is None and as_of is None:
        as_of = dt.date.today()
    return resolve_version(engine, slug, label=version, as_of=as_of, include_drafts=include_drafts)


def _frame(rows: list[dict[str, Any]], columns: Sequence[str], text: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    for name in text:
        frame[name] = frame[name].astype("string[pyarrow]")
    return frame


def _attrs(frame: pd.DataFrame, slug: str, version: Version) -> pd.DataFrame:
    frame.attrs.update(
        {
            "list": slug,
            "version": version.label,
            "status": version.status,
            "effective": version.effective.isoformat() if version.effective else None,
        }
    )
    return frame


def _entry_row(item: ItemRecord, titles: dict[int, str]) -> dict[str, Any]:
    return {
        "section": item.section,
        "section_title": titles.get(item.section),
        "serial": item.serial,
        "code": item.code,
        "code_end": item.code_end,
        "level": item.level,
        "ex": item.ex,
        "description": item.description,
        "description_en": item.description_en,
        "category": item.category,
        "note": item.note,
        "control_numbers": list(item.control_numbers),
        "mentioned_codes": list(item.mentioned_codes),
        "sub_items": [_sub_item_json(sub) for sub in item.every_sub_item()],
        "sheet": item.sheet,
        "row": item.row,
    }


def _sub_item_json(sub: SubItem) -> dict[str, Any]:
    return {"path": sub.path, "depth": sub.depth, "label": sub.label, "text": sub.text}


def _load(
    db: Database, slug: str, version: str | None, as_of: dt.date | None, include_drafts: bool
) -> tuple[Version, list[ItemRecord], dict[int, str]]:
    with engine_for(db) as engine:
        chosen = _version(engine, slug, version, as_of, include_drafts)
        with store.session_scope(engine) as session:
            items = store.load_items(session, chosen)
            titles = {part.number: part.title for part in store.sections_of(session, chosen)}
    return chosen, items, titles


def read_version(
    db: Database,
    list: str,  # shadows the builtin on purpose: the CLI says --list
    version: str | None = None,
    as_of: dt.date | None = None,
    *,
    include_drafts: bool = False,
) -> pd.DataFrame:
    """A version's entries, one row each, in the list's order (:data:`ENTRY_COLUMNS`).

    ``sub_items`` holds each entry's sub-items at every depth as a list of
    ``{"path", "depth", "label", "text"}``; :func:`read_sub_items` gives them as a frame
    of their own. ``attrs`` holds the list, the version's label, status and effective date.

    Args:
        db: An engine, a database URL, or a SQLite file's path.
        list: The list's slug.
        version: A version label; with neither it nor ``as_of``, the one in force today.
        as_of: The version in force on this date (approved ones; drafts too with
            ``include_drafts``).
        include_drafts: Let ``as_of`` fall on a draft.

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version, or none in force on the date.
    """
    chosen, items, titles = _load(db, list, version, as_of, include_drafts)
    rows = [_entry_row(item, titles) for item in items]
    text = ("section_title", "serial", "code", "code_end", "description", "description_en")
    frame = _frame(rows, ENTRY_COLUMNS, (*text, "category", "note", "sheet"))
    frame["level"] = frame["level"].astype("Int64")
    frame["ex"] = frame["ex"].astype(bool)
    return _attrs(frame, list, chosen)


def read_sub_items(
    db: Database,
    list: str,
    version: str | None = None,
    as_of: dt.date | None = None,
    *,
    include_drafts: bool = False,
) -> pd.DataFrame:
    """A version's sub-items at every depth, one row each, depth first
    (:data:`SUB_ITEM_COLUMNS`): the entry's section, serial and code beside each, its
    path (``b.1.a``) and depth, so the tree is the path's prefixes.

    Arguments and errors as :func:`read_version`.
    """
    chosen, items, _titles = _load(db, list, version, as_of, include_drafts)
    rows = [
        {
            "section": item.section,
            "serial": item.serial,
            "code": item.code,
            "path": sub.path,
            "depth": sub.depth,
            "label": sub.label,
            "text": sub.text,
            "text_en": sub.text_en,
            "control_numbers": [*sub.control_numbers],
        }
        for item in items
        for sub in walk_sub_items(item.sub_items)
    ]
    text = ("serial", "code", "path", "label", "text", "text_en")
    return _attrs(_frame(rows, SUB_ITEM_COLUMNS, text), list, chosen)


def _value(item: ItemRecord | None, field: str) -> str | None:
    """A compared field's value as text (sub-items and control numbers as one cell)."""
    if item is None:
        return None
    value = getattr(item, field)
    if field == "sub_items":
        return sub_items_text(value) or None
    if isinstance(value, tuple):
        return "; ".join(value) or None
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in sorted(value.items())) or None
    if isinstance(value, bool):
        return "ex" if value else None
    return None if value is None else str(value)


def _change_rows(change: Change) -> Iterator[dict[str, Any]]:
    base = {
        "kind": change.kind,
        "section": change.section,
        "serial": change.serial,
        "old_serial": change.old.serial if change.old is not None else None,
        "code": change.code,
        "old_code": change.old_code,
    }
    # A change without field differences (added, removed, split, merged) is one row with
    # the description on each side it exists; a modification is one row per field.
    fields = change.fields or ("description",)
    for field in fields:
        if field == "code":  # a recode: the identity itself changed
            old, new = change.old_code, change.code
        else:
            old, new = _value(change.old, field), _value(change.new, field)
        yield {**base, "field": field if change.fields else None, "old": old, "new": new}


def read_changes(
    db: Database,
    list: str,
    old: str,
    new: str,
    *,
    include_drafts: bool = False,
) -> pd.DataFrame:
    """The changes from version ``old`` to ``new``, one row per changed field
    (:data:`CHANGE_COLUMNS`), in the order ``exportctl diff`` reports them.

    A modified, recoded or renumbered entry has one row per field that changed
    (``field`` names it; ``old`` and ``new`` are its values as text); an added,
    removed, split or merged entry has one row with ``field`` empty and its
    description on the side it is on. ``attrs`` holds the list and both labels.

    Args:
        db: An engine, a database URL, or a SQLite file's path.
        list: The list's slug.
        old: The old version's label, or a date (the version in force then).
        new: The new version's label, or a date.
        include_drafts: A date may also fall on a draft.

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version.
    """
    from exportctl.api.changes import diff_versions

    with engine_for(db) as engine:
        changes = diff_versions(engine, list, old, new, include_drafts=include_drafts)
    rows = [row for change in changes.changes for row in _change_rows(change)]
    text = ("kind", "serial", "old_serial", "code", "old_code", "field", "old", "new")
    frame = _frame(rows, CHANGE_COLUMNS, text)
    frame.attrs.update(
        {
            "list": list,
            "old": changes.old_version.label if changes.old_version else old,
            "new": changes.new_version.label if changes.new_version else new,
        }
    )
    return frame
