"""Checking the audit chain and every version and list against it (``audit verify``).

The chain is written and read by :mod:`exportctl.store.audit`; this module replays it:
each event's hash against the one before it, the chain's tail against the head row,
a head filed outside the database, each event's signature when an audit key is
given, and every list's row and version's row, items and sections against the
digests its events carry (:mod:`exportctl.store.anchors`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session

from exportctl.i18n import _
from exportctl.models import AuditEvent
from exportctl.store.anchors import (
    chain_view,
    list_problems,
    rewritten,
    short,
    version_problems,
)
from exportctl.store.audit import HEAD_TABLE, Head, audit_events, audit_key, hash_of, mac_matches


def verify_audit(session: Session, head: Head | None = None) -> list[str]:
    """Check the audit chain and every version and list against it.

    With an audit key on the session's engine (:data:`exportctl.store.audit.AUDIT_KEY_OPTION`),
    also each event's signature (:func:`signature_problems`).

    Args:
        session: The session to read through.
        head: The head filed outside the database: the chain must hold it, at
            its id when one is given, and must not end before it.

    Returns:
        One sentence per problem, the first one first (empty when all is intact).
    """
    conn = session.connection()
    events = audit_events(session)
    problems = _chain_problems(events)
    problems += _tail_problems(conn, events, problems)
    if head is not None:
        problems += _filed_head_problems(events, head)
    key = audit_key(conn)
    if key is not None:
        problems += signature_problems(events, key)
    view = chain_view(events)
    problems += list_problems(conn, view)
    problems += version_problems(conn, view)
    return problems


@dataclass(frozen=True, slots=True)
class Signing:
    """What an audit key vouches for in a chain: signed from event ``first`` to its end."""

    key: bool
    """Whether a key was given."""
    first: int | None
    """The first event signed with it (None: none, or no key)."""
    last: int | None
    """The chain's last event (None: the chain is empty)."""


def signing(session: Session) -> Signing:
    """Whether the session's engine has an audit key, and from which event it signs."""
    conn = session.connection()
    key = audit_key(conn)
    last = conn.execute(sa.select(sa.func.max(_EVENTS.c.id))).scalar()
    if key is None:
        return Signing(False, None, last)
    signed = conn.execute(
        sa.select(_EVENTS.c.id, _EVENTS.c.hash, _EVENTS.c.mac)
        .where(_EVENTS.c.mac.is_not(None))
        .order_by(_EVENTS.c.id)
    ).all()
    first = next((row.id for row in signed if mac_matches(key, row.hash, row.mac)), None)
    return Signing(True, first, last)


_EVENTS = sa.table(
    "audit_event", sa.column("id", sa.Integer()), sa.column("hash"), sa.column("mac")
)


def signature_problems(events: list[AuditEvent], key: bytes) -> list[str]:
    """Events whose signature is not the key's, and unsigned events after the first signed.

    An event's signature vouches for its hash, which chains every event before it:
    events before the first signed one predate the key and are vouched for as the
    chain held them then. From that event on, an unsigned event was appended by
    someone without the key (forged, or an exportctl run without it).
    """
    if not events:
        return []
    problems: list[str] = []
    signed = False
    for event in events:
        if mac_matches(key, event.hash, event.mac):
            signed = True
        elif event.mac is not None:
            problems.append(
                _(
                    "audit event {id} ({action}): its signature is not the audit key's "
                    "(signed with another key, or forged)"
                ).format(id=event.id, action=event.action)
            )
        elif signed:
            problems.append(
                _(
                    "audit event {id} ({action}): not signed with the audit key, so appended "
                    "without it (forged, or written by an exportctl run without the key)"
                ).format(id=event.id, action=event.action)
            )
    if not signed and not problems:
        problems.append(
            _(
                "no audit event is signed with the audit key given: the chain was written "
                "without it, or its signatures were removed"
            )
        )
    return problems


def _chain_problems(events: list[AuditEvent]) -> list[str]:
    problems: list[str] = []
    previous: AuditEvent | None = None
    for event in events:
        changed = rewritten(event)
        if changed is not None:
            problems.append(changed)
        expected = previous.hash if previous is not None else ""
        if event.prev_hash != expected:
            assert event.id is not None
            if previous is None:
                problems.append(
                    _(
                        "audit events before {id} missing (the chain starts at event "
                        "{id}, which follows an event no longer in the log)"
                    ).format(id=event.id)
                    if event.id > 1
                    else _("audit event {id}: changed (it does not start the chain)").format(
                        id=event.id
                    )
                )
            else:
                assert previous.id is not None
                if event.id - previous.id > 1:
                    gone = (
                        _("audit event {id} missing").format(id=previous.id + 1)
                        if event.id - previous.id == 2
                        else _("audit events {first}–{last} missing").format(
                            first=previous.id + 1, last=event.id - 1
                        )
                    )
                    problems.append(
                        _("{gone} (ids jump {before} → {after})").format(
                            gone=gone, before=previous.id, after=event.id
                        )
                    )
                else:
                    problems.append(
                        _(
                            "audit event {id} ({action}): changed or replaced (event {next} "
                            "chained to {chained}, it is now {now})"
                        ).format(
                            id=previous.id,
                            action=previous.action,
                            next=event.id,
                            chained=short(event.prev_hash),
                            now=short(previous.hash),
                        )
                    )
        previous = event
    return problems


def _tail_problems(conn: Connection, events: list[AuditEvent], found: list[str]) -> list[str]:
    row = conn.execute(
        sa.select(HEAD_TABLE.c.event_id, HEAD_TABLE.c.hash).where(HEAD_TABLE.c.id == 1)
    ).first()
    last = events[-1] if events else None
    if row is None:
        return [_("the audit chain's head record (table audit_head) is missing")]
    if row.event_id is None:
        if last is not None:
            return [
                _("audit events up to {id} were added without going through exportctl").format(
                    id=last.id
                )
            ]
        return []
    if last is None:
        return [
            _("audit chain is empty but its head was recorded at event {id}").format(
                id=row.event_id
            )
        ]
    assert last.id is not None
    if row.event_id > last.id:
        return [
            _(
                "audit chain ends at event {last} but its head was recorded at event "
                "{head} (events after {last} deleted)"
            ).format(last=last.id, head=row.event_id)
        ]
    if row.event_id < last.id:
        return [
            _(
                "audit events after {head} were added without going through exportctl "
                "(the chain ends at {last})"
            ).format(head=row.event_id, last=last.id)
        ]
    # A last event whose own hash no longer matches is reported once, by _chain_problems.
    if row.hash != last.hash and hash_of(last) == last.hash:
        return [
            _(
                "audit event {id} ({action}): not the head recorded "
                "(hash {now}≠{recorded}): the chain was rewritten"
            ).format(id=last.id, action=last.action, now=short(last.hash), recorded=short(row.hash))
        ]
    return []


def _filed_head_problems(events: list[AuditEvent], head: Head) -> list[str]:
    last = events[-1] if events else None
    if head.id is None:
        if any(event.hash == head.hash for event in events):
            return []
        return [
            _(
                "the head filed ({hash}) is not in the audit chain: the chain was rewritten or cut"
            ).format(hash=short(head.hash))
        ]
    at = next((event for event in events if event.id == head.id), None)
    if at is None:
        if last is None or (last.id or 0) < head.id:
            if last is not None:
                return [
                    _(
                        "audit chain ends at event {last} but the head filed is at event {id}"
                    ).format(last=last.id, id=head.id)
                ]
            return [
                _("audit chain is empty but the head filed is at event {id}").format(id=head.id)
            ]
        return [_("audit event {id} missing: it is the head filed").format(id=head.id)]
    if at.hash != head.hash:
        return [
            _(
                "audit event {id} ({action}) is not the head filed "
                "(hash {now}≠{filed} filed): the chain was rewritten"
            ).format(id=head.id, action=at.action, now=short(at.hash), filed=short(head.hash))
        ]
    return []
