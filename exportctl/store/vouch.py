"""Refusing a list or version that no longer matches the audit chain, before it is used.

Screening, diff, reports, exports, conversions and imports decide with a list's
profile and a version's entries. :func:`check_vouched` checks first, cheaply,
that what they are about to use is what the chain recorded:

* only the events that vouch for the list (:func:`exportctl.store.anchors.vouching_events`),
  each against its own hash, its link to the next event and, with an audit key,
  its signature;
* the list's row, and every version of the list by its row and status (one row
  each: a date or a status changed on another version changes which one is in force);
* the entries and parts of the versions used, their digests recomputed (some
  30 ms for 1,402 entries; for 100,000 about as long as reading them, 0.8 to
  1.5 s on SQLite and PostgreSQL on a busy two-core machine).

A chain rewritten whole from the start passes here; ``audit verify --head`` and
the audit key are what catch that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session

from exportctl.errors import TamperedError
from exportctl.i18n import _, ngettext
from exportctl.models import AuditEvent, ControlList, Version
from exportctl.store.anchors import (
    chain_view,
    list_problems,
    rewritten,
    short,
    version_problems,
    vouching_events,
)
from exportctl.store.audit import HEAD_TABLE, audit_key, mac_matches

_CHECKED = "exportctl.vouched"
"""``session.info`` key: ids of the versions whose entries this session has checked."""

_events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("prev_hash", sa.String()),
    sa.column("mac", sa.String()),
)


def check_vouched(
    session: Session, versions: Iterable[Version] = (), *, lists: Iterable[str] = ()
) -> None:
    """Refuse the versions (and their lists), or the lists, that no longer match the chain.

    Args:
        session: The session the caller reads them through.
        versions: The versions about to be used: their entries and parts are
            digested again; every other version of their lists by its row and status.
        lists: Lists about to be used or changed (by slug), without a version.

    Raises:
        TamperedError: The first thing that no longer matches, in one sentence
            saying to run ``exportctl audit verify``.
    """
    wanted: dict[str, set[int]] = {slug: set() for slug in lists}
    for version in versions:
        owner = session.get(ControlList, version.list_id)
        slug = owner.slug if owner is not None else ""
        wanted.setdefault(slug, set()).add(version.id or 0)
    done: set[int] = session.info.setdefault(_CHECKED, set())
    conn = session.connection()
    problems: list[str] = []
    for slug, ids in wanted.items():
        events = vouching_events(session, slug)
        problems += _event_problems(conn, events)
        view = chain_view(events)
        problems += list_problems(conn, view, slug)
        problems += version_problems(conn, view, slug=slug, full=ids - done)
    if problems:
        more = len(problems) - 1
        raise TamperedError(
            _(
                "{problem}{more}; it no longer matches the audit trail and is not used: "
                "run exportctl audit verify to see every change"
            ).format(
                problem=problems[0],
                more=ngettext(" (and {n} more change)", " (and {n} more changes)", more).format(
                    n=more
                )
                if more
                else "",
            )
        )
    for ids in wanted.values():
        done.update(ids)


def _event_problems(conn: Connection, events: list[AuditEvent]) -> list[str]:
    """Each event's own hash, its link to the event after it, and its signature."""
    problems: list[str] = []
    for event in events:
        changed = rewritten(event)
        if changed is not None:
            problems.append(changed)
    if not events:
        return problems
    ids = [(event.id or 0) + 1 for event in events]
    rows = conn.execute(
        sa.select(_events.c.id, _events.c.prev_hash).where(_events.c.id.in_(ids))
    ).all()
    following: dict[int, Any] = {row.id: row.prev_hash for row in rows}
    head = conn.execute(
        sa.select(HEAD_TABLE.c.event_id, HEAD_TABLE.c.hash).where(HEAD_TABLE.c.id == 1)
    ).first()
    for event in events:
        after = (event.id or 0) + 1
        if after in following:
            chained = following[after]
        elif head is not None and head.event_id == event.id:
            chained = head.hash
        else:
            continue  # a gap after it: audit verify names it
        if chained != event.hash:
            problems.append(
                _(
                    "audit event {id} ({action}): changed or replaced (event {next} "
                    "chained to {chained}, it is now {now})"
                ).format(
                    id=event.id,
                    action=event.action,
                    next=after,
                    chained=short(chained),
                    now=short(event.hash),
                )
            )
    return problems + _signature_problems(conn, events)


def _signature_problems(conn: Connection, events: list[AuditEvent]) -> list[str]:
    """With an audit key: every event here signed with it, from the chain's first signed on."""
    key = audit_key(conn)
    if key is None:
        return []
    first = conn.execute(sa.select(sa.func.min(_events.c.id)).where(_events.c.mac.is_not(None)))
    since = first.scalar()
    problems: list[str] = []
    for event in events:
        if event.mac is not None and not mac_matches(key, event.hash, event.mac):
            problems.append(
                _(
                    "audit event {id} ({action}): its signature is not the audit key's "
                    "(signed with another key, or forged)"
                ).format(id=event.id, action=event.action)
            )
        elif event.mac is None and since is not None and (event.id or 0) > since:
            problems.append(
                _(
                    "audit event {id} ({action}): not signed with the audit key, so appended "
                    "without it (forged, or written by an exportctl run without the key)"
                ).format(id=event.id, action=event.action)
            )
    return problems
