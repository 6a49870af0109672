"""The audit chain: one event per change, each hashed with the one before it.

This module owns writing events (:func:`record_event`, in the caller's
transaction), reading them back (:func:`audit_events`) and checking that no
event was changed or removed afterwards (:func:`verify_audit`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlmodel import Session, col, select

from exportctl.models import AuditEvent, utcnow


def _event_hash(event: AuditEvent) -> str:
    payload = {
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        if event.at.tzinfo
        else event.at.replace(tzinfo=dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "list": event.list_slug,
        "version": event.version_label,
        "file": event.file,
        "sha256": event.sha256,
        "detail": event.detail,
        "prev": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def record_event(
    session: Session,
    *,
    action: str,
    actor: str,
    list_slug: str | None = None,
    version_label: str | None = None,
    file: str | None = None,
    sha256: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the audit chain (in the caller's transaction)."""
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1))
    previous = last.first()
    event = AuditEvent.model_validate(
        {
            "at": utcnow(),
            "actor": actor,
            "action": action,
            "list_slug": list_slug,
            "version_label": version_label,
            "file": file,
            "sha256": sha256,
            "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
            "prev_hash": previous.hash if previous is not None else "",
        }
    )
    event.hash = _event_hash(event)
    session.add(event)
    session.flush()
    return event


def audit_events(session: Session) -> list[AuditEvent]:
    """The whole audit log, oldest first."""
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


def verify_audit(session: Session) -> list[str]:
    """Check the audit chain; returns one sentence per broken link (empty when intact)."""
    problems: list[str] = []
    previous_hash = ""
    for event in audit_events(session):
        if event.prev_hash != previous_hash:
            problems.append(
                f"audit event {event.id} ({event.action}) does not follow the event before it"
            )
        if _event_hash(event) != event.hash:
            problems.append(
                f"audit event {event.id} ({event.action}) was changed after it was written"
            )
        previous_hash = event.hash
    return problems
