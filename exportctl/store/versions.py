"""Versions of a list: writing an import, and finding a version by label or date.

This module owns the ``version`` rows as imported: :func:`store_version` (or
:func:`begin_version`, the items, then :func:`finish_version`) writes one with
its audit events, refusing a taken label or a file already imported; the
readers find a version by label (:func:`get_version`) or the one in force on a
day (:func:`version_as_of`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from exportctl.errors import (
    DuplicateSourceError,
    StatusError,
    VersionExistsError,
    VersionNotFoundError,
)
from exportctl.i18n import _, ngettext
from exportctl.models import ControlList, ItemRecord, Section, Version
from exportctl.store.audit import HEAD_TABLE, record_event
from exportctl.store.digests import list_vouch, version_digests, version_record
from exportctl.store.items import insert_items
from exportctl.store.labels import STATUS_WORDS, retire_label
from exportctl.store.lists import ensure_list, get_list
from exportctl.store.vouch import check_vouched


def versions_of(session: Session, control_list: ControlList) -> list[Version]:
    """Versions of a list ordered by effective date (undated last), then label."""
    rows = session.exec(select(Version).where(Version.list_id == control_list.id))
    return sorted(rows, key=lambda v: (v.effective or dt.date.max, v.label))


def get_version(session: Session, slug: str, label: str) -> Version:
    """The version ``label`` of list ``slug``.

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version.
    """
    control_list = get_list(session, slug)
    found = session.exec(
        select(Version).where(Version.list_id == control_list.id, Version.label == label)
    ).first()
    if found is None:
        labels = ", ".join(v.label for v in versions_of(session, control_list)) or _("none yet")
        raise VersionNotFoundError(
            _('list "{slug}" has no version "{label}" (versions: {labels})').format(
                slug=slug, label=label, labels=labels
            )
        )
    return found


def version_as_of(
    session: Session, slug: str, day: dt.date, *, include_drafts: bool = True
) -> Version:
    """The version in force on ``day``: the latest effective date on or before it.

    Withdrawn versions are never in force.

    Args:
        session: The session to read through.
        slug: The list.
        day: The day asked about.
        include_drafts: Count drafts (versions not yet approved) as in force.

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No version was in force on that day; the message
            names the drafts or withdrawn versions passed over.
    """
    control_list = get_list(session, slug)
    dated = [v for v in versions_of(session, control_list) if v.effective is not None]
    usable = [v for v in dated if _counts(v, include_drafts)]
    in_force = [v for v in usable if v.effective is not None and v.effective <= day]
    if in_force:
        return in_force[-1]
    when = day.isoformat()
    passed_over = [v for v in dated if v.effective is not None and v.effective <= day]
    if passed_over:
        raise VersionNotFoundError(
            _('list "{slug}" had no approved version in force on {day}: {why}').format(
                slug=slug, day=when, why="; ".join(_why_not_in_force(passed_over))
            )
        )
    if usable:
        first = usable[0]
        raise VersionNotFoundError(
            _(
                'list "{slug}" had no version in force on {day}; the first, "{label}", took '
                "effect on {effective}"
            ).format(slug=slug, day=when, label=first.label, effective=first.effective)
        )
    if dated:
        first = dated[0]
        raise VersionNotFoundError(
            _(
                'list "{slug}" had no version in force on {day}; the first dated one, '
                '"{label}" (effective {effective}), is {status}'
            ).format(
                slug=slug,
                day=when,
                label=first.label,
                effective=first.effective,
                status=_(STATUS_WORDS.get(first.status, first.status)),
            )
        )
    undated = undated_versions(session, control_list, include_drafts=True)
    if undated:
        raise VersionNotFoundError(
            _(
                'list "{slug}" has no version with an effective date, so none was in force '
                "on {day}: {why}"
            ).format(slug=slug, day=when, why="; ".join(undated_reason(slug, v) for v in undated))
        )
    raise VersionNotFoundError(
        _('list "{slug}" has no version with an effective date; import with --effective').format(
            slug=slug
        )
    )


def undated_versions(
    session: Session, control_list: ControlList, *, include_drafts: bool = False
) -> list[Version]:
    """The approved versions (and drafts too with ``include_drafts``) without an
    effective date: no by-date question can choose them.

    ``approve`` (and ``import --approve``) refuse a version without a date, but a
    database may hold some approved before they did.
    """
    return [
        v
        for v in versions_of(session, control_list)
        if v.effective is None and _counts(v, include_drafts)
    ]


def dating_hint(slug: str, label: str) -> str:
    """The command that gives a draft its effective date."""
    return f"exportctl dates {label} --list {slug} --effective YYYY-MM-DD"


def undated_reason(slug: str, version: Version) -> str:
    """Why an undated version is never chosen by date, and the command that mends it."""
    if version.status == "draft":
        return _('"{label}" is a draft without an effective date; give it one: {hint}').format(
            label=version.label, hint=dating_hint(slug, version.label)
        )
    return _(
        '"{label}" is approved but has no effective date, so it is never chosen by '
        "date; withdraw it (exportctl withdraw {label} --list {slug} --reason "
        '"no effective date") and import its file again with --effective DATE'
    ).format(label=version.label, slug=slug)


def _counts(version: Version, include_drafts: bool) -> bool:
    return version.status == "approved" or (include_drafts and version.status == "draft")


def _why_not_in_force(versions: Sequence[Version]) -> list[str]:
    """One clause for the drafts and one per withdrawn version among ``versions``."""
    clauses: list[str] = []
    drafts = [v for v in versions if v.status == "draft"]
    if drafts:
        names = ", ".join(
            _('"{label}" (effective {effective})').format(label=v.label, effective=v.effective)
            for v in drafts
        )
        clauses.append(
            ngettext(
                "{names} is a draft awaiting approval (approve with `exportctl approve`, "
                "or use --include-drafts to count drafts)",
                "{names} are drafts awaiting approval (approve with `exportctl approve`, "
                "or use --include-drafts to count drafts)",
                len(drafts),
            ).format(names=names)
        )
    for v in versions:
        if v.status == "withdrawn":
            clauses.append(
                _('"{label}" (effective {effective}) was withdrawn by {actor}: {reason}').format(
                    label=v.label,
                    effective=v.effective,
                    actor=v.withdrawn_by,
                    reason=v.withdrawn_reason,
                )
            )
    return clauses


def find_source(session: Session, list_id: int, sha256: str, sheet: str) -> Version | None:
    """The live (not withdrawn) version of this list imported from the same bytes and sheet."""
    return session.exec(
        select(Version).where(
            Version.list_id == list_id,
            Version.source_sha256 == sha256,
            Version.source_sheet == sheet,
            Version.status != "withdrawn",
        )
    ).first()


@dataclass(slots=True)
class NewVersion:
    """What :func:`store_version` needs to write a version."""

    slug: str
    label: str
    source_file: str
    source_sha256: str
    source_sheet: str
    actor: str
    effective: dt.date | None = None
    published: dt.date | None = None
    base: Version | None = None
    additions_only: bool = False
    declared_total: int | None = None
    declared_added: int | None = None
    declared_removed: int | None = None
    list_name: str | None = None
    create_list: bool = True
    """Create the list when it does not exist; when False a missing list is an error."""
    approve: bool = False
    """Store the version approved by its importer (a one-person sign-off)."""
    source_columns: dict[str, str] = field(default_factory=dict)
    """Field name to the column header as written in the source file."""
    declared_warnings: list[str] = field(default_factory=list)
    """Where the counts the notice declares do not match the file."""
    notice_number: str | None = None
    """The notice's number, e.g. ``제2024-123호``."""
    notice_authority: str | None = None
    """Who issued the notice."""
    amendment: str | None = None
    """The annex's amendment marker as printed."""
    sections: list[NewSection] = field(default_factory=list)
    """The annex parts the version holds; none means one part without a title."""
    hs_edition: str | None = None
    """The HS edition of the version's codes (``HS2022``)."""
    profile: str | None = None
    """The regime profile of a list this import creates."""


@dataclass(slots=True)
class NewSection:
    """One part of the annex a version holds, with the counts its notice declares."""

    number: int
    title: str = ""
    declared_total: int | None = None
    declared_added: int | None = None
    declared_removed: int | None = None


def _write_sections(
    session: Session, version: Version, new: NewVersion, counts: Mapping[int, int]
) -> None:
    sections = new.sections or [
        NewSection(1, "", new.declared_total, new.declared_added, new.declared_removed)
    ]
    for part in sections:
        session.add(
            Section.model_validate(
                {
                    "version_id": version.id,
                    "number": part.number,
                    "title": part.title,
                    "declared_total": part.declared_total,
                    "declared_added": part.declared_added,
                    "declared_removed": part.declared_removed,
                    "item_count": counts.get(part.number, 0),
                }
            )
        )


def sections_of(session: Session, version: Version) -> list[Section]:
    """The parts of a version, by number."""
    return list(
        session.exec(
            select(Section).where(Section.version_id == version.id).order_by(col(Section.number))
        )
    )


def store_version(
    session: Session,
    new: NewVersion,
    items: Sequence[ItemRecord],
    detail: dict[str, Any] | None = None,
) -> Version:
    """Write a version, its items and its audit events (the caller's transaction).

    Raises:
        ListNotFoundError: ``new.create_list`` is False and the list does not exist.
        VersionExistsError: The label is taken in this list.
        DuplicateSourceError: The same file and sheet is a live version of the list.
    """
    version = begin_version(session, new)
    assert version.id is not None
    insert_items(session, version.id, items)
    finish_version(
        session, version, new, len(items), detail, Counter(item.section for item in items)
    )
    return version


def begin_version(session: Session, new: NewVersion) -> Version:
    """Write the version row, before its items (the caller's transaction).

    Follow with the items (:class:`ItemWriter` or :func:`insert_items`) and
    :func:`finish_version`; the caller rolls back if anything fails in between.
    The version is a draft unless ``new.approve``.

    Raises:
        ListNotFoundError: ``new.create_list`` is False and the list does not exist.
        VersionExistsError: The label is taken in this list.
        DuplicateSourceError: The same file and sheet is a live version of the list
            (the file of a withdrawn version may be imported again), or is being
            imported into it at this moment (the second import waits for the first).
        StatusError: ``new.approve`` without ``new.effective``.
        TamperedError: The list no longer matches the audit chain.
    """
    if new.approve and new.effective is None:
        raise StatusError(
            _(
                'version "{label}" of "{slug}" cannot be approved without an effective '
                "date: it would never be chosen by date; give --effective DATE"
            ).format(label=new.label, slug=new.slug)
        )
    _claim_source(session, new.slug, new.source_sha256)
    if session.exec(select(ControlList.id).where(ControlList.slug == new.slug)).first() is not None:
        # An existing list: its profile decided how the file was read, and the import
        # event vouches for its row again.
        check_vouched(session, lists=[new.slug])
    if new.create_list:
        control_list = ensure_list(session, new.slug, new.list_name, profile=new.profile)
    else:
        control_list = get_list(session, new.slug)
    assert control_list.id is not None
    existing = session.exec(
        select(Version).where(Version.list_id == control_list.id, Version.label == new.label)
    ).first()
    if existing is not None and existing.status == "withdrawn":
        # The corrected import takes the label; the withdrawn version keeps its
        # history under "LABEL (withdrawn N)" (issue 21).
        retire_label(session, existing, new.slug, new.actor)
    elif existing is not None:
        raise VersionExistsError(
            _(
                'list "{slug}" already has a version "{label}" (imported {day} from {file}); '
                "versions are immutable: import the correction under a new label, or "
                "withdraw this one first (exportctl withdraw {label} --list {slug}) to reuse "
                "its label"
            ).format(
                slug=new.slug,
                label=new.label,
                day=f"{existing.imported_at:%Y-%m-%d}",
                file=existing.source_file,
            )
        )
    previous = find_source(session, control_list.id, new.source_sha256, new.source_sheet)
    if previous is not None:
        sheet = _(', sheet "{sheet}"').format(sheet=new.source_sheet) if new.source_sheet else ""
        raise DuplicateSourceError(
            _(
                '{file}{sheet} was already imported into list "{slug}" as version "{label}" '
                "(SHA-256 {sha}…)"
            ).format(
                file=new.source_file,
                sheet=sheet,
                slug=new.slug,
                label=previous.label,
                sha=new.source_sha256[:12],
            )
        )
    version = Version.model_validate(
        {
            "list_id": control_list.id,
            "label": new.label,
            "effective": new.effective,
            "published": new.published,
            "notice_number": new.notice_number,
            "notice_authority": new.notice_authority,
            "amendment": new.amendment,
            "source_file": new.source_file,
            "source_sha256": new.source_sha256,
            "source_sheet": new.source_sheet,
            "additions_only": new.additions_only,
            "base_version_id": new.base.id if new.base is not None else None,
            "declared_total": new.declared_total,
            "declared_added": new.declared_added,
            "declared_removed": new.declared_removed,
            "item_count": 0,
            "imported_by": new.actor,
            "source_columns": json.dumps(new.source_columns, ensure_ascii=False),
            "declared_warnings": json.dumps(new.declared_warnings, ensure_ascii=False),
            "hs_edition": new.hs_edition,
        }
    )
    if new.approve:
        version.status = "approved"
        version.approved_by = new.actor
        version.approved_at = version.imported_at
        version.one_person = True
    session.add(version)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent import won the race
        raise VersionExistsError(
            _('list "{slug}" already has version "{label}" or this source').format(
                slug=new.slug, label=new.label
            )
        ) from exc
    return version


def _claim_source(session: Session, slug: str, sha256: str) -> None:
    """Wait for any other import of the same file into the same list to end.

    The checks that follow (label taken, file already imported) then see what it
    stored, so two imports of one file started at once store it once: the second
    is refused. PostgreSQL: a transaction-level advisory lock on the schema, list
    and file. SQLite: a write, which takes the database's one write lock (waiting
    for another writer to commit) before anything is read in this transaction.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "select pg_advisory_xact_lock(hashtext('exportctl.source'), "
                "hashtext(current_schema() || '/' || :key))"
            ),
            {"key": f"{slug}/{sha256}"},
        )
        return
    conn.execute(
        sa.update(HEAD_TABLE).where(HEAD_TABLE.c.id == 1).values(event_id=HEAD_TABLE.c.event_id)
    )


def finish_version(
    session: Session,
    version: Version,
    new: NewVersion,
    item_count: int,
    detail: dict[str, Any] | None = None,
    section_counts: Mapping[int, int] | None = None,
) -> None:
    """Set the version's item count, write its sections and its audit events.

    The ``import`` event, then with ``new.approve`` the ``approve`` event, in
    the caller's transaction.

    Args:
        session: The import's session.
        version: From :func:`begin_version`.
        new: What was asked.
        item_count: Entries stored.
        detail: More for the import event.
        section_counts: Entries per section number (all in section 1 when None).
    """
    version.item_count = item_count
    # Known only once every row was read: the declared-count mismatches.
    version.declared_warnings = json.dumps(new.declared_warnings, ensure_ascii=False)
    session.add(version)
    _write_sections(session, version, new, section_counts or {1: item_count})
    # The digests are of what is stored, read back: the chain then vouches for the
    # rows themselves (``audit verify`` recomputes them).
    session.flush()
    assert version.id is not None
    digests = version_digests(session.connection(), version.id)
    version.items_digest = digests.items
    version.sections_digest = digests.sections
    version.record_digest = digests.record
    version.digest_origin = "import"
    session.add(version)
    record_event(
        session,
        action="import",
        actor=new.actor,
        list_slug=new.slug,
        version_label=new.label,
        file=new.source_file,
        sha256=new.source_sha256,
        detail={
            "sheet": new.source_sheet,
            "items": item_count,
            "declared_warnings": new.declared_warnings,
            **(detail or {}),
            "digests": digests.to_json(),
            "record": version_record(session.connection(), version.id),
            # The list's row as this import read it (created by it, or checked first).
            "list": list_vouch(session.connection(), new.slug),
        },
    )
    if new.approve:
        record_event(
            session,
            action="approve",
            actor=new.actor,
            list_slug=new.slug,
            version_label=new.label,
            file=new.source_file,
            sha256=new.source_sha256,
            detail={
                "status_before": "draft",
                "status_after": "approved",
                "note": None,
                "one_person": True,
                "at_import": True,
            },
        )
