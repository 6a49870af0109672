"""Table models (SQLModel) and the value types passed between layers.

Tables hold what is stored; value types (``ItemRecord``, ``Finding``,
``ValidationReport``) are what readers, validation, diff, screening and reports
exchange. ``ItemRecord`` is a slotted dataclass rather than a pydantic model
because lists of a million of them are built and compared; it is validated where
it enters (``hscode`` and ``validate``) and stored through ``Item``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import CheckConstraint, Column, Index, MetaData, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from exportctl.hscode.coverage import Span
from exportctl.i18n import _

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

Severity = Literal["error", "warning"]


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


@dataclass(slots=True)
class ItemRecord:
    """An item as the layers above the database see it (the ``show --json`` shape)."""

    serial: str | None
    """Serial as printed (연번), normalised: ``12``, ``3의2``."""
    code: str | None
    """Digits only, or None for items defined by name/specification."""
    level: int | None
    """Length of ``code``."""
    ex: bool
    """Partial heading (``ex``)."""
    description: str
    """Main (Korean) description."""
    description_en: str | None = None
    """English description."""
    category: str | None = None
    """Category printed in the list."""
    note: str | None = None
    """Remarks."""
    sheet: str = ""
    """Sheet of origin."""
    row: int = 0
    """Row of origin (1-based)."""
    original_code: str | None = None
    """Code cell text as found."""
    section: int = 1
    """Number of the annex part the entry belongs to."""
    sub_items: tuple[SubItem, ...] = ()
    """Lettered or numbered sub-items, in order, each holding its own: part of the
    entry, never counted."""
    control_numbers: tuple[str, ...] = ()
    """Annex 2 control numbers named by the entry or its sub-items at any depth
    (``3A001.a.3``)."""
    mentioned_codes: tuple[str, ...] = ()
    """HS codes (digits) named in passing in the entry's text: candidates, never its code."""
    code_end: str | None = None
    """Digits of a range entry's last code (same level as ``code``); None for one code."""
    attributes: dict[str, str] = field(default_factory=dict)
    """Regime attributes by name (``{"tier": "3.A"}``), as the list's profile reads them."""

    def every_sub_item(self) -> Iterator[SubItem]:
        """Its sub-items at every depth, depth first, in order."""
        return walk_sub_items(self.sub_items)

    @property
    def span(self) -> Span | None:
        """What the entry covers (:class:`~exportctl.hscode.Span`); None without a code."""
        if not self.code:
            return None
        return Span(self.code, self.code_end, self.ex)

    def to_json(self, sections: Mapping[int, str] | None = None) -> dict[str, Any]:
        """The item as the JSON outputs show it (without ``original_code``).

        Args:
            sections: Section number -> title; ``section`` is then the title.
        """
        return {
            "section": (sections or {}).get(self.section, self.section),
            "serial": self.serial,
            "code": self.code,
            "level": self.level,
            "ex": self.ex,
            "description": self.description,
            "description_en": self.description_en,
            "category": self.category,
            "note": self.note,
            "sub_items": [sub.to_json() for sub in self.sub_items],
            "control_numbers": list(self.control_numbers),
            "mentioned_codes": list(self.mentioned_codes),
            "sheet": self.sheet,
            "row": self.row,
            "code_end": self.code_end,
            "attributes": dict(self.attributes),
        }


_FULL_TEXT_GLUE = " / "
_HANGUL_LETTER = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def split_full_text(text: str) -> tuple[str, str | None]:
    """``한국어 / English`` as its two halves, as :attr:`SubItem.full_text` joins them: at
    the first `` / `` with Korean before it and Latin but no Korean after it; else the
    text whole (a Korean text holding `` / `` stays one)."""
    start = 0
    while (at := text.find(_FULL_TEXT_GLUE, start)) >= 0:
        head, tail = text[:at], text[at + len(_FULL_TEXT_GLUE) :]
        if _HANGUL_LETTER.search(head) and not _HANGUL_LETTER.search(tail):
            if _LATIN_LETTER.search(tail):
                return head, tail
        start = at + 1
    return text, None


@dataclass(frozen=True, slots=True)
class SubItem:
    """A lettered or numbered part of an entry defined by specification (``a.``, ``b.1.``).

    Sub-items nest as the annex prints them (``b.`` > ``b.1.`` > ``b.1.a.``); each
    holds its own, in order.
    """

    label: str
    """The label as printed: ``a.``, ``(1)``, ``가.``, ``b.1.a.``."""
    text: str
    """Its (Korean, or only) text, without the label."""
    control_numbers: tuple[str, ...] = ()
    """Annex 2 control numbers its own texts name (not its sub-items')."""
    text_en: str | None = None
    """Its English text, when the list gives one."""
    path: str = ""
    """The labels from the entry down to it, without their last dots: ``b.1.a``,
    ``가.(1)``. Left empty, the label's own (a sub-item directly under its entry)."""
    sub_items: tuple[SubItem, ...] = ()
    """The sub-items under it, in order."""

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", label_key(self.label))

    @property
    def depth(self) -> int:
        """1 directly under the entry, 2 under a sub-item, and so on."""
        return len(path_parts(self.path))

    @property
    def full_text(self) -> str:
        """The text and its English after `` / `` (how both read as one text)."""
        if self.text_en is None:
            return self.text
        return f"{self.text} / {self.text_en}" if self.text else self.text_en

    def walk(self) -> Iterator[SubItem]:
        """It and every sub-item under it, depth first, in order."""
        yield self
        for sub in self.sub_items:
            yield from sub.walk()

    def every_control_number(self) -> tuple[str, ...]:
        """Its control numbers and those of every sub-item under it, each once, in order."""
        return tuple(dict.fromkeys(n for sub in self.walk() for n in sub.control_numbers))

    def to_json(self) -> dict[str, Any]:
        """``{label, path, text, text_en, control_numbers, sub_items}``, nested."""
        return {
            "label": self.label,
            "path": self.path,
            "text": self.text,
            "text_en": self.text_en,
            "control_numbers": list(self.control_numbers),
            "sub_items": [sub.to_json() for sub in self.sub_items],
        }


def label_key(label: str) -> str:
    """A label as one step of a path: without spaces and its last dot (``b.1.a.`` -> ``b.1.a``)."""
    key = "".join(label.split())
    return key[:-1] if key.endswith(".") else key


def path_parts(path: str) -> list[str]:
    """The steps of a sub-item path: ``b.1.a`` -> ``[b, 1, a]``, ``가.(1)`` -> ``[가, (1)]``."""
    return [part for part in path.split(".") if part]


def walk_sub_items(sub_items: Iterable[SubItem]) -> Iterator[SubItem]:
    """Every sub-item of a tree, depth first, in order."""
    for sub in sub_items:
        yield from sub.walk()


ITEM_FIELDS: tuple[str, ...] = (
    "section",
    "serial",
    "code",
    "level",
    "ex",
    "description",
    "description_en",
    "category",
    "note",
    "sub_items",
    "control_numbers",
    "mentioned_codes",
    "sheet",
    "row",
)
"""Field order of tabular exports (and of ``ItemRecord.to_json`` but its last keys,
:data:`ITEM_JSON_FIELDS`)."""

ITEM_JSON_FIELDS: tuple[str, ...] = (*ITEM_FIELDS, "code_end", "attributes")
"""Keys of ``ItemRecord.to_json``: :data:`ITEM_FIELDS`, then a range's end and the
regime attributes (not yet tabular columns)."""


@dataclass(slots=True)
class Finding:
    """One thing validation or screening found, pointing at a cell where it can."""

    severity: Severity
    """``error`` blocks an import; ``warning`` is reported only."""
    rule: str
    """Stable identifier of the check, e.g. ``duplicate-code``."""
    message: str
    """One plain sentence."""
    file: str
    """File name."""
    sheet: str | None = None
    """Sheet, if any."""
    row: int | None = None
    """1-based row, if any."""
    column: str | None = None
    """Header of the column as written in the file, if any."""
    value: str | None = None
    """The offending value, if any."""
    place: str | None = None
    """Where the row is in a printed document (``page 3, table 1, row 5``): said in
    place of ``sheet`` and ``row`` for files without sheet rows (PDF, HWPX)."""

    def to_json(self) -> dict[str, Any]:
        """The finding in the ``--json`` shape."""
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "place": self.place,
        }


@dataclass(slots=True)
class ValidationReport:
    """Findings about one file plus the counts they were judged against."""

    file: str
    """File name."""
    sheet: str | None
    """Sheet read."""
    items: list[ItemRecord] = field(default_factory=list)
    """The items as they would be stored (the full version for ``--additions``)."""
    findings: list[Finding] = field(default_factory=list)
    """Everything found, errors first in file order."""
    added: int | None = None
    """Items added relative to the base version, if a base was given."""
    removed: int | None = None
    """Items removed relative to the base version, if a base was given."""
    rows_read: int = 0
    """Data rows read from the file (before an additions merge)."""
    item_count: int = 0
    """Items of the version (base included with ``--additions``), kept in ``items`` or not."""

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity ``error``."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity ``warning``."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when nothing blocks storing the version."""
        return not self.errors
