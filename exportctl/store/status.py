"""A version's status: approval, withdrawal and reinstatement by a second person; a
draft's dates.

This module owns the only changes a stored version sees: its status
(:func:`set_status`: which statuses a version can leave, who may approve it,
that a withdrawal gives its reason) and, while it is a draft, its effective
and notice dates (:func:`set_dates`); each change writes its audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from exportctl.errors import StatusError
from exportctl.i18n import _
from exportctl.models import ControlList, Version, utcnow
from exportctl.store.anchors import chain_digests
from exportctl.store.audit import record_event
from exportctl.store.digests import Digests, version_digests, version_record
from exportctl.store.versions import dating_hint

APPROVABLE = frozenset({"draft"})
"""Statuses a version can be approved from."""
WITHDRAWABLE = frozenset({"draft", "approved"})
"""Statuses a version can be withdrawn from."""
STATUS_ACTIONS = {"approved": "approve", "withdrawn": "withdraw", "reinstated": "reinstate"}
"""The audit event each status change writes (``reinstated`` restores the status
the version had before its withdrawal)."""


def set_status(
    session: Session,
    version: Version,
    *,
    status: str,
    actor: str,
    note: str | None = None,
    one_person: bool = False,
) -> Version:
    """Approve, withdraw or reinstate a version and write the audit event (the caller's
    transaction).

    Only the status columns change; the version's content stays as imported.
    Each change takes a second person: an approval or a withdrawal someone
    other than the importer, a reinstatement someone other than who withdrew
    it; ``one_person`` lets the same person act alone, recorded as such.

    Args:
        session: The session to write through.
        version: The version to change.
        status: ``approved``, ``withdrawn`` or ``reinstated`` (back to what it
            was before its withdrawal: approved if it had been, else a draft).
        actor: Who changes it.
        note: For an approval, an optional remark; for a withdrawal or a
            reinstatement, the reason (required).
        one_person: Let the same person act alone; the change is recorded as a
            one-person change. Ignored when a second person acts.

    Returns:
        The version, with its new status.

    Raises:
        StatusError: The change is not allowed (see the message).
    """
    control_list = session.get(ControlList, version.list_id)
    slug = control_list.slug if control_list is not None else str(version.list_id)
    which = _which(version, slug)
    actor = actor.strip()
    note = (note or "").strip() or None
    if not actor:
        raise StatusError(
            _("{which}: say who changes its status (set EXPORTCTL_ACTOR)").format(which=which)
        )
    if status not in STATUS_ACTIONS:
        raise StatusError(
            _(
                '{which} cannot be set to "{status}": a version is approved, withdrawn '
                "or reinstated"
            ).format(which=which, status=status)
        )
    before = version.status
    if status == "approved":
        changes, detail = _approval(version, which, actor, note, one_person, slug)
    elif status == "withdrawn":
        changes, detail = _withdrawal(version, which, actor, note, one_person)
    else:
        changes, detail = _reinstatement(version, which, actor, note, one_person)
    session.add(version)
    # Guarded on the status and the dates (the record digest) read above, so two
    # people changing it at once cannot both succeed, nor an approval pass over
    # dates set meanwhile.
    result = session.exec(
        update(Version)
        .where(
            col(Version.id) == version.id,
            col(Version.status) == before,
            col(Version.record_digest).is_not_distinct_from(version.record_digest),
        )
        .values(**changes)
    )
    if result.rowcount != 1:
        raise StatusError(
            _("{which} was changed by someone else meanwhile; look at it again").format(which=which)
        )
    session.refresh(version)
    record_event(
        session,
        action=STATUS_ACTIONS[status],
        actor=actor,
        list_slug=slug,
        version_label=version.label,
        file=version.source_file,
        sha256=version.source_sha256,
        detail={"status_before": before, "status_after": version.status, **detail},
    )
    return version


def _which(version: Version, slug: str) -> str:
    return _('version "{label}" of "{slug}"').format(label=version.label, slug=slug)


def _approval(
    version: Version, which: str, actor: str, note: str | None, one_person: bool, slug: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    _check_approvable(version, which, actor, one_person, slug)
    same_person = _same_person(actor, version.imported_by)
    changes = {
        "status": "approved",
        "approved_by": actor,
        "approved_at": utcnow(),
        "approval_note": note,
        "one_person": same_person,
    }
    return changes, {"note": note, "one_person": same_person}


def _withdrawal(
    version: Version, which: str, actor: str, reason: str | None, one_person: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    _check_withdrawable(version, which, reason)
    alone = _same_person(actor, version.imported_by)
    if alone and not one_person:
        # Taking a version out of force is as weighty as putting it in (issue 21).
        raise StatusError(
            _(
                "{which} was imported by {importer}; a second person withdraws it (set "
                "EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
                "withdrawal with --self"
            ).format(which=which, importer=version.imported_by)
        )
    changes = {
        "status": "withdrawn",
        "withdrawn_by": actor,
        "withdrawn_at": utcnow(),
        "withdrawn_reason": reason,
    }
    # ``one_person`` stays the approval's, as events before issue 21 recorded it.
    return changes, {
        "reason": reason,
        "one_person": version.one_person,
        "one_person_withdrawal": alone,
    }


def _reinstatement(
    version: Version, which: str, actor: str, reason: str | None, one_person: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    if version.status != "withdrawn":
        raise StatusError(
            _('{which} is "{status}", not withdrawn: there is nothing to reinstate').format(
                which=which, status=version.status
            )
        )
    if reason is None:
        raise StatusError(
            _("{which}: say why it is reinstated; a reinstatement needs a reason").format(
                which=which
            )
        )
    alone = _same_person(actor, version.withdrawn_by or "")
    if alone and not one_person:
        raise StatusError(
            _(
                "{which} was withdrawn by {actor}; a second person reinstates it (set "
                "EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
                "reinstatement with --self"
            ).format(which=which, actor=version.withdrawn_by)
        )
    # A withdrawal keeps the approval's columns: an approved version goes back
    # into force, a withdrawn draft is a draft again.
    restored = "approved" if version.approved_by is not None else "draft"
    changes = {
        "status": restored,
        "withdrawn_by": None,
        "withdrawn_at": None,
        "withdrawn_reason": None,
    }
    return changes, {
        "reason": reason,
        "one_person_reinstatement": alone,
        "withdrawn_by": version.withdrawn_by,
        "withdrawn_reason": version.withdrawn_reason,
    }


def _same_person(actor: str, other: str) -> bool:
    return actor.strip().casefold() == other.strip().casefold()


def _check_approvable(
    version: Version, which: str, actor: str, one_person: bool, slug: str
) -> None:
    if version.status == "approved":
        raise StatusError(
            _("{which} was already approved by {actor} on {when}").format(
                which=which, actor=version.approved_by, when=_when(version.approved_at)
            )
        )
    if version.status == "withdrawn":
        raise StatusError(
            _(
                "{which} was withdrawn by {actor} on {when} ({reason}); a withdrawn version "
                "cannot be approved: reinstate it (exportctl reinstate {label} --list {slug} "
                "--reason TEXT), or import its file again as a new version"
            ).format(
                which=which,
                actor=version.withdrawn_by,
                when=_when(version.withdrawn_at),
                reason=version.withdrawn_reason,
                label=version.label,
                slug=slug,
            )
        )
    if version.status not in APPROVABLE:
        raise StatusError(
            _('{which} is "{status}" and cannot be approved').format(
                which=which, status=version.status
            )
        )
    if version.effective is None:
        # Approved without a date, a version is never chosen by date: the one
        # before it stays in force and its additions screen clear (issue 19).
        raise StatusError(
            _(
                "{which} has no effective date, so no by-date question would choose it; "
                "give it one first: {hint}"
            ).format(which=which, hint=dating_hint(slug, version.label))
        )
    if _same_person(actor, version.imported_by) and not one_person:
        raise StatusError(
            _(
                "{which} was imported by {importer}; a second person approves it "
                "(set EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
                "sign-off with --self"
            ).format(which=which, importer=version.imported_by)
        )


def _check_withdrawable(version: Version, which: str, reason: str | None) -> None:
    if version.status == "withdrawn":
        raise StatusError(
            _("{which} was already withdrawn by {actor} on {when} ({reason})").format(
                which=which,
                actor=version.withdrawn_by,
                when=_when(version.withdrawn_at),
                reason=version.withdrawn_reason,
            )
        )
    if version.status not in WITHDRAWABLE:
        raise StatusError(
            _('{which} is "{status}" and cannot be withdrawn').format(
                which=which, status=version.status
            )
        )
    if reason is None:
        raise StatusError(
            _("{which}: say why it is withdrawn; a withdrawal needs a reason").format(which=which)
        )


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return _("an unknown date")
    # The database hands back naive UTC (SQLite): naive is UTC, never the machine's zone.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return f"{aware.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def set_dates(
    session: Session,
    version: Version,
    *,
    actor: str,
    effective: dt.date | None = None,
    published: dt.date | None = None,
) -> Version:
    """Set a draft's effective date and/or notice date, with its audit event.

    A version's dates are among its immutable facts (the record digest of
    :mod:`exportctl.store.digests` covers them): once approved they are what was
    approved. A draft is not yet vouched for, so its dates may be given late;
    the record digest is recomputed through :func:`version_digests` and the
    ``dates`` event carries it, so ``audit verify`` checks the row against the
    dates set, and still catches any other change.

    Args:
        session: The session to write through (the caller's transaction).
        version: The draft.
        actor: Who sets the dates.
        effective: The date the version takes effect; unchanged when None.
        published: The notice's date; unchanged when None.

    Returns:
        The version with its new dates.

    Raises:
        StatusError: No date given, nothing would change, the version is not a
            draft, or it no longer matches what the audit chain recorded.
    """
    control_list = session.get(ControlList, version.list_id)
    slug = control_list.slug if control_list is not None else str(version.list_id)
    which = _which(version, slug)
    actor = actor.strip()
    if not actor:
        raise StatusError(
            _("{which}: say who sets its dates (set EXPORTCTL_ACTOR)").format(which=which)
        )
    if effective is None and published is None:
        raise StatusError(
            _("{which}: give --effective DATE, --notice-date DATE or both").format(which=which)
        )
    if version.status != "draft":
        raise StatusError(
            _(
                "{which} is approved: its dates are part of what was approved and stay "
                "as they are; withdraw it and import its file again with --effective"
            ).format(which=which)
            if version.status == "approved"
            else _("{which} was withdrawn: its dates stay as they are").format(which=which)
        )
    changes: dict[str, Any] = {}
    if effective is not None and effective != version.effective:
        changes["effective"] = effective
    if published is not None and published != version.published:
        changes["published"] = published
    if not changes:
        raise StatusError(
            _(
                "{which} already has effective date {effective} and notice date "
                "{published}: nothing to change"
            ).format(which=which, effective=version.effective, published=version.published)
        )
    assert version.id is not None
    recorded = chain_digests(session, slug, version.label)
    if recorded is None:
        raise StatusError(
            _(
                "{which} has no digests in the audit chain, so its dates are not changed; "
                "run exportctl audit verify"
            ).format(which=which)
        )
    # The version keeps the scheme its digests were recorded under (scheme 1 for
    # versions digested by the 0004 upgrade).
    scheme = int(recorded.get("scheme", 1))
    conn = session.connection()
    now = version_digests(conn, version.id, scheme)
    if (now.items, now.sections, now.record) != (
        recorded.get("items"),
        recorded.get("sections"),
        recorded.get("record"),
    ):
        # Recomputing the digest would vouch for whatever was changed behind its back.
        raise StatusError(
            _(
                "{which} no longer matches the audit chain, so its dates are not changed; "
                "run exportctl audit verify"
            ).format(which=which)
        )
    before = {"effective": version.effective, "published": version.published}
    session.add(version)
    # Guarded on what was read, so that two people dating it at once cannot both succeed.
    result = session.exec(
        update(Version)
        .where(
            col(Version.id) == version.id,
            col(Version.status) == "draft",
            col(Version.record_digest).is_not_distinct_from(version.record_digest),
        )
        .values(**changes)
    )
    if result.rowcount != 1:
        raise StatusError(
            _("{which} was changed by someone else meanwhile; look at it again").format(which=which)
        )
    after: Digests = version_digests(conn, version.id, scheme)
    session.exec(
        update(Version).where(col(Version.id) == version.id).values(record_digest=after.record)
    )
    session.refresh(version)
    record_event(
        session,
        action="dates",
        actor=actor,
        list_slug=slug,
        version_label=version.label,
        file=version.source_file,
        sha256=version.source_sha256,
        detail={
            "effective_before": _day(before["effective"]),
            "effective_after": _day(version.effective),
            "published_before": _day(before["published"]),
            "published_after": _day(version.published),
            "digests": after.to_json(),
            "record": version_record(conn, version.id, scheme),
        },
    )
    return version


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
