"""The value types of a comparison: change kinds, changes, change sets and fields.

:class:`Change` is one change between two versions, :class:`ChangeSet` all of them
with their counts, and :class:`VersionInfo` what a report says about each side. The
fields a comparison may look at (:data:`COMPARABLE_FIELDS`) are checked and parsed
here, and :func:`dotted` spells a code the way reports print it. Nothing here
compares anything.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.models import ItemRecord, SubItem, notice_text, walk_sub_items

__all__ = [
    "CHANGE_KINDS",
    "COMPARABLE_FIELDS",
    "DEFAULT_FIELDS",
    "Change",
    "ChangeKind",
    "ChangeSet",
    "SectionInfo",
    "VersionInfo",
    "check_fields",
    "dotted",
    "parse_fields",
    "sub_item_changes",
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
    "sub_items",
    "control_numbers",
    "code_end",
    "attributes",
)
"""Item fields a modification can be about. The code is the identity, the level
follows the code, the section is part of the identity (an entry is matched within
its part of the annex), and sheet/row are provenance, so none of them is compared.
``sub_items`` covers the sub-items' labels, texts and control numbers at every depth (a
change to ``b.1.a`` modifies its entry, and :attr:`Change.sub_item_paths` names
``b.1.a``); ``mentioned_codes``
is read from the description, so it changes only when the description does. ``code_end``
is a range's last code (a range keeps its identity by its first code, so a widened range
is modified, not replaced); ``attributes`` the regime attributes (a CHPL entry moved to
another tier is modified)."""

DEFAULT_FIELDS: tuple[str, ...] = COMPARABLE_FIELDS
"""Fields compared unless ``fields`` is given."""


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
            _('--fields: unknown field "{field}" (choose from {fields})').format(
                field=unknown[0], fields=", ".join(COMPARABLE_FIELDS)
            )
        )
    if not chosen:
        raise InputError(
            _("--fields: give at least one of {fields}").format(fields=", ".join(COMPARABLE_FIELDS))
        )
    return chosen


def parse_fields(text: str | None) -> tuple[str, ...]:
    """Parse ``--fields description,category``; ``None`` means :data:`DEFAULT_FIELDS`.

    Raises:
        InputError: As :func:`check_fields`.
    """
    if text is None:
        return DEFAULT_FIELDS
    return check_fields(text.split(","))


def dotted(code: str | None) -> str:
    """A digits-only code as people write it: ``0101.21``, ``8471.30.1000``; ``""`` for None."""
    if not code:
        return ""
    if len(code) <= 4:
        return code
    if len(code) <= 6:
        return f"{code[:4]}.{code[4:]}"
    return f"{code[:4]}.{code[4:6]}.{code[6:]}"


def _own(sub: SubItem) -> tuple[object, ...]:
    return sub.label, sub.text, sub.text_en, sub.control_numbers


def sub_item_changes(old: Iterable[SubItem], new: Iterable[SubItem]) -> tuple[str, ...]:
    """The paths of the sub-items that differ between two trees, at any depth.

    A sub-item differs when its label, text, English text or control numbers do, or
    when it is on one side only; a parent is not named for its children's changes.
    In the new tree's order, then the old tree's paths that are gone.

    Example:
        >>> before = (SubItem("b.", "둘", sub_items=(SubItem("1.", "셋", path="b.1"),)),)
        >>> after = (SubItem("b.", "둘", sub_items=(SubItem("1.", "넷", path="b.1"),)),)
        >>> sub_item_changes(before, after)
        ('b.1',)
    """
    before = {sub.path: _own(sub) for sub in walk_sub_items(old)}
    after = {sub.path: _own(sub) for sub in walk_sub_items(new)}
    changed = [path for path, own in after.items() if before.get(path) != own]
    return (*changed, *(path for path in before if path not in after))


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
    def serial(self) -> str | None:
        """Serial number (the new one when the item is in the new version)."""
        return self.item.serial

    @property
    def section(self) -> int:
        """Number of the annex part the entry is in (the new one when it is there)."""
        return self.item.section

    @property
    def chapter(self) -> str | None:
        """Two-digit chapter, or None for an item without a code."""
        code = self.code
        return code[:2] if code else None

    @property
    def sub_item_paths(self) -> tuple[str, ...]:
        """The paths of the sub-items a modification changed (``b.1.a``), at any depth;
        empty unless ``sub_items`` is among :attr:`fields`."""
        if "sub_items" not in self.fields or self.old is None or self.new is None:
            return ()
        return sub_item_changes(self.old.sub_items, self.new.sub_items)

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
class SectionInfo:
    """One part of the annex as a version holds it, for report headings."""

    number: int
    """Its number in the annex."""
    title: str = ""
    """Its title as printed (empty when the file has no parts)."""
    item_count: int = 0
    """Entries stored in it."""

    @property
    def shown(self) -> str:
        """``part 2 (러시아·벨라루스 상황허가 대상 품목)``, or ``part 2`` without a title."""
        return f"part {self.number} ({self.title})" if self.title else f"part {self.number}"


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
    status_at: dt.datetime | None = None
    """When it was approved or withdrawn (UTC)."""
    declared_warnings: tuple[str, ...] = ()
    """Declared-count mismatches found when it was imported."""
    notice_number: str | None = None
    """Number of the notice the version comes from (``제2024-123호``)."""
    notice_date: dt.date | None = None
    """Date of that notice."""
    amendment: str | None = None
    """The annex's amendment marker as printed (``<개정 2024. 6. 28.>``)."""
    sections: tuple[SectionInfo, ...] = ()
    """The annex parts the version holds, by number."""

    @property
    def notice(self) -> str:
        """``notice 제2024-123호 of 2024-06-28, <개정 2024. 6. 28.>``; ``""`` when unknown."""
        return notice_text(self.notice_number, self.notice_date, self.amendment)

    def section_title(self, number: int) -> str:
        """How reports name part ``number`` of this version (see :attr:`SectionInfo.shown`)."""
        for part in self.sections:
            if part.number == number:
                return part.shown
        return f"part {number}"

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
    """Items only in the new version (whatever kind explains them), as
    :func:`exportctl.identity.match` pairs items."""
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

    @property
    def sectioned(self) -> bool:
        """True when either version holds more than one part of the annex."""
        return any(
            info is not None and len(info.sections) > 1
            for info in (self.old_version, self.new_version)
        ) or any(c.item.section != 1 for c in self.changes)

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
