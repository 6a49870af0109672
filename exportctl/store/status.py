"""A version's status: approval by a second person, and withdrawal.

This module owns the only change a stored version sees (:func:`set_status`):
which statuses a version can leave, who may approve it, that a withdrawal
gives its reason, and the audit event each change writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from exportctl.errors import StatusError
from exportctl.models import ControlList, Version, utcnow
from exportctl.store.audit import record_event

APPROVABLE = frozenset({"draft"})
"""Statuses a version can be approved from."""
WITHDRAWABLE = frozenset({"draft", "approved"})
"""Statuses a version can be withdrawn from."""


def set_status(
    session: Session,
    version: Version,
    *,
    status: str,
    actor: str,
    note: str | None = None,
    one_person: bool = False,
) -> Version:
    """Approve or withdraw a version and write the audit event (the caller's transaction).

    Only the status columns change; the version's content stays as imported.

    Args:
        session: The session to write through.
        version: The version to change.
        status: ``approved`` or ``withdrawn``.
        actor: Who approves or withdraws.
        note: For an approval, an optional remark; for a withdrawal, the reason (required).
        one_person: Let the importer approve their own import; the sign-off is
            recorded as one-person. Ignored when someone else approves.

    Returns:
        The version, with its new status.

    Raises:
        StatusError: The change is not allowed (see the message).
    """
    control_list = session.get(ControlList, version.list_id)
    slug = control_list.slug if control_list is not None else str(version.list_id)
    which = f'version "{version.label}" of "{slug}"'
    actor = actor.strip()
    note = (note or "").strip() or None
    if not actor:
        raise StatusError(f"{which}: say who changes its status (set EXPORTCTL_ACTOR)")
    before = version.status
    now = utcnow()
    changes: dict[str, Any]
    if status == "approved":
        _check_approvable(version, which, actor, one_person)
        same_person = _same_person(actor, version.imported_by)
        changes = {
            "status": "approved",
            "approved_by": actor,
            "approved_at": now,
            "approval_note": note,
            "one_person": same_person,
        }
        detail = {"note": note, "one_person": same_person}
    elif status == "withdrawn":
        _check_withdrawable(version, which, note)
        changes = {
            "status": "withdrawn",
            "withdrawn_by": actor,
            "withdrawn_at": now,
            "withdrawn_reason": note,
        }
        detail = {"reason": note, "one_person": version.one_person}
    else:
        raise StatusError(
            f'{which} cannot be set to "{status}": a version is approved or withdrawn'
        )
    session.add(version)
    # Guarded on the status read above, so two people changing it at once
    # cannot both succeed.
    result = session.exec(
        update(Version)
        .where(col(Version.id) == version.id, col(Version.status) == before)
        .values(**changes)
    )
    if result.rowcount != 1:
        raise StatusError(f"{which} was changed by someone else meanwhile; look at it again")
    session.refresh(version)
    record_event(
        session,
        action="approve" if status == "approved" else "withdraw",
        actor=actor,
        list_slug=slug,
        version_label=version.label,
        file=version.source_file,
        sha256=version.source_sha256,
        detail={"status_before": before, "status_after": status, **detail},
    )
    return version


def _same_person(actor: str, other: str) -> bool:
    return actor.strip().casefold() == other.strip().casefold()


def _check_approvable(version: Version, which: str, actor: str, one_person: bool) -> None:
    if version.status == "approved":
        raise StatusError(
            f"{which} was already approved by {version.approved_by} on {_when(version.approved_at)}"
        )
    if version.status == "withdrawn":
        raise StatusError(
            f"{which} was withdrawn by {version.withdrawn_by} on {_when(version.withdrawn_at)} "
            f"({version.withdrawn_reason}); a withdrawn version cannot be approved, import "
            "its file again as a new version"
        )
    if version.status not in APPROVABLE:
        raise StatusError(f'{which} is "{version.status}" and cannot be approved')
    if _same_person(actor, version.imported_by) and not one_person:
        raise StatusError(
            f"{which} was imported by {version.imported_by}; a second person approves it "
            "(set EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
            "sign-off with --self"
        )


def _check_withdrawable(version: Version, which: str, reason: str | None) -> None:
    if version.status == "withdrawn":
        raise StatusError(
            f"{which} was already withdrawn by {version.withdrawn_by} on "
            f"{_when(version.withdrawn_at)} ({version.withdrawn_reason})"
        )
    if version.status not in WITHDRAWABLE:
        raise StatusError(f'{which} is "{version.status}" and cannot be withdrawn')
    if reason is None:
        raise StatusError(f"{which}: say why it is withdrawn; a withdrawal needs a reason")


def _when(moment: dt.datetime | None) -> str:
    return (
        f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        if moment is not None
        else "an unknown date"
    )
