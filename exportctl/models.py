"""Table models (SQLModel): what is stored.

The value types passed between layers (``ItemRecord``, ``SubItem``, ``Finding``,
``ValidationReport``) live in :mod:`exportctl.records` and are named here too, as
the layers have always imported them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, MetaData, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from exportctl.i18n import _
from exportctl.records import (
    ITEM_FIELDS,
    ITEM_JSON_FIELDS,
    Finding,
    ItemRecord,
    Severity,
    SubItem,
    ValidationReport,
    label_key,
    path_parts,
    split_full_text,
    walk_sub_items,
)

__all__ = [
    "AuditEvent",
    "AuditHead",
    "ControlList",
    "Finding",
    "ITEM_FIELDS",
    "ITEM_JSON_FIELDS",
    "Item",
    "ItemRecord",
    "NAMING_CONVENTION",
    "Section",
    "Severity",
    "SubItem",
    "VERSION_STATUSES",
    "ValidationReport",
    "Version",
    "label_key",
    "notice_text",
    "path_parts",
    "split_full_text",
    "utcnow",
    "walk_sub_items",
]

# Constraint names are set so that Alembic revisions are identical on SQLite and
# PostgreSQL and can be dropped by name later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)


def notice_text(
    number: str | None,
    date: dt.date | str | None,
    amendment: str | None = None,
    authority: str | None = None,
) -> str:
    """How a notice is spelt for people, in every output that names one.

    ``notice 제2024-123호 (산업통상자원부) of 2024-06-28, <개정 2024. 6. 28.>``, leaving out
    the parts not known; ``""`` when nothing is.
    """
    parts: list[str] = []
    if number or date:
        said = f" {number}" if number else ""
        by = f" ({authority})" if authority else ""
        day = date if isinstance(date, str) else date.isoformat() if date else ""
        when = _(" of {date}").format(date=day) if day else ""
        parts.append(
            _("notice{number}{authority}{date}").format(number=said, authority=by, date=when)
        )
    if amendment:
        parts.append(amendment)
    return ", ".join(parts)


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class ControlList(SQLModel, table=True):
    """A control list kept by an authority, e.g. ``kr-russia``."""

    __tablename__ = "control_list"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=100)
    """Short stable name used on the command line."""
    name: str = ""
    """Human name of the list."""
    jurisdiction: str | None = None
    """Country or bloc that issues the list, e.g. ``KR``."""
    authority: str | None = None
    """Issuing authority, e.g. ``MOTIE``."""
    targets: str | None = None
    """Comma-separated destination countries the list controls."""
    profile: str | None = None
    """Name of the regime profile the list follows (``eu-833``); ``None`` means the
    default, ``kr-annex-2-2`` (see :mod:`exportctl.profiles`)."""
    created_at: dt.datetime = Field(default_factory=utcnow)
    """When the list was first created in this database."""


VERSION_STATUSES: tuple[str, ...] = ("draft", "approved", "withdrawn")
"""Every status a version can have: stored as ``draft``, then approved or withdrawn."""


class Version(SQLModel, table=True):
    """One revision of a control list: its items never change, only its status does."""

    __tablename__ = "version"
    __table_args__ = (
        UniqueConstraint("list_id", "label", name="uq_version_list_id_label"),
        # Not unique: a withdrawn version's source file may be imported again.
        Index("ix_version_list_id_source_sha256", "list_id", "source_sha256"),
        CheckConstraint(
            f"status in ({', '.join(repr(status) for status in VERSION_STATUSES)})",
            name="status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="control_list.id", index=True)
    """The list this version belongs to."""
    label: str = Field(max_length=100)
    """Version label, e.g. ``2024-06``; sorts as a string."""
    effective: dt.date | None = None
    """Date the revision takes effect (used by as-of lookups)."""
    published: dt.date | None = None
    """Date the notice was published."""
    source_file: str
    """File name (not path) the version was imported from."""
    source_sha256: str = Field(max_length=64)
    """SHA-256 of the source file's bytes."""
    source_sheet: str = ""
    """Sheet the rows came from (empty for CSV)."""
    additions_only: bool = False
    """True when the file held only additions and the base was carried over."""
    base_version_id: int | None = Field(default=None, foreign_key="version.id")
    """The version this one revises, if given."""
    declared_total: int | None = None
    """Item count the notice declares."""
    declared_added: int | None = None
    """Number of additions the notice declares."""
    declared_removed: int | None = None
    """Number of removals the notice declares."""
    item_count: int = 0
    """Number of items stored."""
    imported_at: dt.datetime = Field(default_factory=utcnow)
    """When the version was stored."""
    imported_by: str = ""
    """Who stored it (the operating-system user unless given)."""
    notice_number: str | None = None
    """Number of the notice the revision comes from, e.g. ``제2024-123호``."""
    notice_authority: str | None = None
    """Who issued the notice, e.g. ``산업통상자원부`` (since renamed ``산업통상부``)."""
    amendment: str | None = None
    """The annex's amendment marker as printed, e.g. ``<개정 2024. 6. 28.>``."""
    status: str = Field(default="draft", sa_column_kwargs={"server_default": "draft"})
    """``draft`` until approved; ``approved`` versions are in force; ``withdrawn`` never are."""
    approved_by: str | None = None
    """Who approved the version."""
    approved_at: dt.datetime | None = None
    """When it was approved (UTC)."""
    approval_note: str | None = Field(default=None, sa_column=Column(Text))
    """What the approver wrote when approving."""
    one_person: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """The importer approved alone: a one-person sign-off, recorded as such."""
    withdrawn_by: str | None = None
    """Who withdrew the version."""
    withdrawn_at: dt.datetime | None = None
    """When it was withdrawn (UTC)."""
    withdrawn_reason: str | None = Field(default=None, sa_column=Column(Text))
    """Why it was withdrawn."""
    source_columns: str = Field(
        default="{}", sa_column=Column(Text, nullable=False, server_default="{}")
    )
    """JSON object: field name to the column header as written in the source file."""
    declared_warnings: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, server_default="[]")
    )
    """JSON list of sentences: where the counts the notice declares did not match."""
    items_digest: str | None = Field(default=None, max_length=64)
    """SHA-256 over the items as stored (see :mod:`exportctl.store.digests`)."""
    sections_digest: str | None = Field(default=None, max_length=64)
    """SHA-256 over the sections as stored."""
    record_digest: str | None = Field(default=None, max_length=64)
    """SHA-256 over this row's immutable facts (not its status)."""
    digest_origin: str | None = None
    """``import`` when the digests were computed as the version was stored;
    ``upgrade <revision>`` when computed for an older version by that upgrade."""
    hs_edition: str | None = None
    """HS edition its codes are written in (``HS2022``): ``--hs-edition`` or the list
    profile's default at import; ``None`` for versions stored before it was recorded."""

    def columns(self) -> dict[str, str]:
        """The source file's column headers by field name (``source_columns`` decoded)."""
        decoded = json.loads(self.source_columns or "{}")
        return {str(key): str(value) for key, value in decoded.items()}

    def status_json(self) -> dict[str, Any]:
        """The status fields as the ``--json`` outputs show them."""
        return {
            "status": self.status,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "one_person": self.one_person,
            "approval_note": self.approval_note,
            "withdrawn_by": self.withdrawn_by,
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
            "withdrawn_reason": self.withdrawn_reason,
        }

    def status_text(self) -> str:
        """The status for people: ``approved by lee 2024-06-30``, ``DRAFT (not approved)``."""
        if self.status == "approved":
            when = f" {self.approved_at:%Y-%m-%d}" if self.approved_at else ""
            text = _("approved by {who}{when}").format(who=self.approved_by, when=when)
            return text + _(" (one-person sign-off)") if self.one_person else text
        if self.status == "withdrawn":
            return _("WITHDRAWN by {who}: {reason}").format(
                who=self.withdrawn_by, reason=self.withdrawn_reason
            )
        return _("DRAFT (not approved)")

    def warnings(self) -> list[str]:
        """The declared-count mismatches found at import (``declared_warnings`` decoded)."""
        return [str(text) for text in json.loads(self.declared_warnings or "[]")]


class Item(SQLModel, table=True):
    """One entry of a version, with the cell it came from."""

    __tablename__ = "item"
    __table_args__ = (
        Index("ix_item_version_id_position", "version_id", "position"),
        # diff joins two versions on an entry's key (exportctl.identity.CODE_KEY).
        Index("ix_item_version_id_section_code", "version_id", "section", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id")
    """The version holding the item."""
    position: int
    """Order of the item within its version (0-based)."""
    serial: str | None = None
    """Serial as printed in the list (연번), normalised: ``12``, ``3의2``; sorts naturally
    through :func:`exportctl.annex.serial_sort_key`."""
    code: str | None = Field(default=None, max_length=10)
    """Normalised HS code, digits only; empty for items defined by name."""
    level: int | None = None
    """Number of digits of ``code`` (2, 4, 6, 8 or 10)."""
    ex: bool = False
    """Only part of the heading is controlled (``ex 8471``)."""
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    """Korean (or main) description."""
    description_en: str | None = Field(default=None, sa_column=Column(Text))
    """English description."""
    category: str | None = None
    """Category or group printed in the list."""
    note: str | None = Field(default=None, sa_column=Column(Text))
    """Remarks column."""
    original_code: str | None = None
    """The code cell's text as it was in the file."""
    sheet: str = ""
    """Sheet the row came from (empty for CSV)."""
    row: int = 0
    """1-based row number in the sheet or file."""
    section: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    """Number of the annex part the entry belongs to (see :class:`Section`)."""
    sub_items: str | None = Field(default=None, sa_column=Column(Text))
    """JSON list of ``{label, path, text, text_en, control_numbers, sub_items}``, nested:
    lettered or numbered sub-items (see :mod:`exportctl.store.subitems`)."""
    control_numbers: str | None = None
    """Control numbers of Annex 2 the entry and its sub-items refer to, space-separated."""
    mentioned_codes: str | None = None
    """HS codes named in the entry's text (candidates, never its code), space-separated."""
    code_end: str | None = Field(default=None, max_length=10)
    """For a range entry (``8471 30 – 8471 50``), the digits of its last code, of the
    level of ``code``; ``None`` for one code."""
    attributes: str | None = Field(default=None, sa_column=Column(Text))
    """JSON object of the entry's regime attributes (CHPL ``tier``, US
    ``price_threshold``), as the list profile maps them from the file; ``None`` without."""


class Section(SQLModel, table=True):
    """One part of an annex as a version holds it, numbered from 1 like the annex."""

    __tablename__ = "section"
    __table_args__ = (
        UniqueConstraint("version_id", "number", name="uq_section_version_id_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    """The version holding the part."""
    number: int
    """Its number in the annex (1 when the file has no parts)."""
    title: str = ""
    """Its title as printed (empty when the file has no parts)."""
    declared_total: int | None = None
    """Entries the notice declares for this part."""
    declared_added: int | None = None
    """Additions the notice declares for this part."""
    declared_removed: int | None = None
    """Removals the notice declares for this part."""
    item_count: int = 0
    """Entries stored in this part (sub-items are not entries)."""


class AuditEvent(SQLModel, table=True):
    """One entry of the tamper-evident audit log."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    """When it happened (UTC)."""
    actor: str
    """Who did it."""
    action: str
    """``import``, ``report``, ``screen``, ``export``..."""
    list_slug: str | None = None
    """List concerned, if any."""
    version_label: str | None = None
    """Version concerned, if any."""
    file: str | None = None
    """File read or written (name only)."""
    sha256: str | None = None
    """SHA-256 of that file."""
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    """JSON object with the action's particulars."""
    prev_hash: str = ""
    """Hash of the previous event ('' for the first)."""
    hash: str = Field(default="", max_length=64)
    """SHA-256 over this event's fields and ``prev_hash``."""
    mac: str | None = Field(default=None, max_length=64)
    """HMAC-SHA-256 of ``hash`` under the audit key kept outside the database
    (:func:`exportctl.store.audit.event_mac`); None when written without a key. Not
    part of ``hash``: a key proves who could write the event, not what it says."""


class AuditHead(SQLModel, table=True):
    """The last event of the audit chain, kept with every append (one row, id 1).

    Appending rewrites this row first, which serialises writers on SQLite; and
    an event removed from the end without this row following is seen by
    ``audit verify``. It is no anchor: that is the head the officer files
    outside the database (``exportctl audit head``).
    """

    __tablename__ = "audit_head"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = None
    """Id of the chain's last event (None while the chain is empty)."""
    hash: str = Field(default="", max_length=64)
    """Hash of that event."""
