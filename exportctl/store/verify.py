"""Checking the audit chain and every version against it (``audit verify``).

The chain is written and read by :mod:`exportctl.store.audit`; this module replays it:
each event's hash against the one before it, the chain's tail against the head row,
a head filed outside the database, and every version's row, items and sections
against the digests its events carry (:func:`verify_audit`). :func:`chain_digests`
gives a version's digests as the chain vouches for them, for the lifecycle steps that
re-vouch (withdraw, reinstate, relabel).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session

from exportctl.i18n import N_, _
from exportctl.models import AuditEvent
from exportctl.store.audit import HEAD_TABLE, Head, audit_events, hash_of
from exportctl.store.digests import (
    LIFECYCLE_COLUMNS,
    SCHEMES,
    Digests,
    lifecycle,
    record_digest,
    version_digests,
    version_record,
)


def _short(digest: str | None) -> str:
    return f"{digest[:12]}…" if digest else _("none")


def verify_audit(session: Session, head: Head | None = None) -> list[str]:
    """Check the audit chain and every version against it.

    Args:
        session: The session to read through.
        head: The head filed outside the database: the chain must hold it, at
            its id when one is given, and must not end before it.

    Returns:
        One sentence per problem, the first one first (empty when all is intact).
    """
    events = audit_events(session)
    problems = _chain_problems(events)
    problems += _tail_problems(session.connection(), events, problems)
    if head is not None:
        problems += _filed_head_problems(events, head)
    problems += _version_problems(session.connection(), events)
    return problems


def _chain_problems(events: list[AuditEvent]) -> list[str]:
    problems: list[str] = []
    previous: AuditEvent | None = None
    for event in events:
        computed = hash_of(event)
        if computed != event.hash:
            problems.append(
                _(
                    "audit event {id} ({action}): changed after it was written "
                    "(hash {computed}≠{stored})"
                ).format(
                    id=event.id,
                    action=event.action,
                    computed=_short(computed),
                    stored=_short(event.hash),
                )
            )
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
                            chained=_short(event.prev_hash),
                            now=_short(previous.hash),
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
            ).format(
                id=last.id, action=last.action, now=_short(last.hash), recorded=_short(row.hash)
            )
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
            ).format(hash=_short(head.hash))
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
            ).format(id=head.id, action=at.action, now=_short(at.hash), filed=_short(head.hash))
        ]
    return []


@dataclass(slots=True)
class _Anchor:
    """What the chain says a version was: from its import event or an upgrade's."""

    event: AuditEvent
    since: str
    digests: dict[str, Any]
    record: dict[str, Any] | None
    state: dict[str, Any]
    at_import_approval: bool = False
    changes: list[AuditEvent] = field(default_factory=list)


_DRAFT: dict[str, Any] = {
    "status": "draft",
    "approved_by": None,
    "approved_at": None,
    "approval_note": None,
    "one_person": False,
    "withdrawn_by": None,
    "withdrawn_at": None,
    "withdrawn_reason": None,
}
_CHECKED_LIFECYCLE = (
    "status",
    "approved_by",
    "approval_note",
    "one_person",
    "withdrawn_by",
    "withdrawn_reason",
)
_SLACK = dt.timedelta(minutes=10)
"""How far a status change's time may be from its event's (same transaction)."""


def _chain_view(
    events: list[AuditEvent],
) -> tuple[dict[tuple[str, str], _Anchor], dict[tuple[str, str], AuditEvent]]:
    """Per version (list, label): what the chain last recorded, and its import event."""
    anchors: dict[tuple[str, str], _Anchor] = {}
    imports: dict[tuple[str, str], AuditEvent] = {}
    for event in events:
        try:
            detail = json.loads(event.detail)
        except ValueError:
            continue
        if not isinstance(detail, dict):
            continue
        key = (event.list_slug or "", event.version_label or "")
        if event.action == "import" and event.version_label:
            imports[key] = event
            digests = detail.get("digests")
            if isinstance(digests, dict):
                anchors[key] = _Anchor(
                    event, _("import"), digests, detail.get("record"), dict(_DRAFT)
                )
            else:
                anchors.pop(key, None)
        elif event.action == "digests-computed":
            for entry in detail.get("versions") or []:
                key = (str(entry.get("list")), str(entry.get("label")))
                anchors[key] = _Anchor(
                    event,
                    _("the upgrade of event {id}").format(id=event.id),
                    entry.get("digests") or {},
                    entry.get("record"),
                    dict(entry.get("lifecycle") or _DRAFT),
                )
        elif event.action in ("approve", "withdraw", "reinstate") and key in anchors:
            anchors[key].changes.append(event)
        elif event.action == "relabel" and key in anchors:
            _follow_relabel(anchors, imports, key, detail, event)
        elif event.action == "dates" and key in anchors:
            # A draft's dates set afterwards (store.status.set_dates): its record
            # digest is now the one this event carries; items and sections stay.
            digests = detail.get("digests")
            if isinstance(digests, dict):
                anchor = anchors[key]
                anchor.digests = digests
                anchor.record = detail.get("record")
                anchor.since = _("its dates were set (event {id})").format(id=event.id)
    return anchors, imports


def _follow_relabel(
    anchors: dict[tuple[str, str], _Anchor],
    imports: dict[tuple[str, str], AuditEvent],
    key: tuple[str, str],
    detail: dict[str, Any],
    event: AuditEvent,
) -> None:
    """A withdrawn version renamed so its label could be reused (store.labels): its
    anchor moves to the new label, and it and the versions built on it (whose record
    names their base by label) are vouched for by the digests the event carries."""
    moved = (key[0], str(detail.get("to")))
    anchors[moved] = anchors.pop(key)
    if key in imports:
        imports[moved] = imports.pop(key)
    since = _("it was renamed {label} (event {id})").format(
        label=repr(detail.get("to")), id=event.id
    )
    rebased = [(moved, detail)] + [
        ((key[0], str(entry.get("label"))), entry) for entry in detail.get("dependants") or []
    ]
    for which, entry in rebased:
        anchor = anchors.get(which)
        digests = entry.get("digests")
        if anchor is not None and isinstance(digests, dict):
            anchor.digests = digests
            anchor.record = entry.get("record")
            anchor.since = since


def chain_digests(session: Session, slug: str, label: str) -> dict[str, Any] | None:
    """The digests the audit chain last recorded for a version (``{scheme, items,
    sections, record}``), or None when it recorded none."""
    anchor = _chain_view(audit_events(session))[0].get((slug, label))
    return dict(anchor.digests) if anchor is not None else None


def _expected_state(anchor: _Anchor) -> tuple[dict[str, Any], dict[str, AuditEvent]]:
    """The lifecycle columns the chain says, and the event that set each time column."""
    state = dict(anchor.state)
    timed: dict[str, AuditEvent] = {}
    for event in anchor.changes:
        detail = json.loads(event.detail)
        if event.action == "approve":
            state.update(
                status="approved",
                approved_by=event.actor,
                approval_note=detail.get("note"),
                one_person=bool(detail.get("one_person")),
            )
            if detail.get("at_import") and anchor.record is not None:
                state["approved_at"] = anchor.record.get("imported_at")
                timed.pop("approved_at", None)
            else:
                timed["approved_at"] = event
        elif event.action == "reinstate":
            # Back to the status before the withdrawal; the withdrawal's columns are
            # cleared (the withdraw and reinstate events keep who, when and why).
            state.update(
                status=detail.get("status_after"),
                withdrawn_by=None,
                withdrawn_at=None,
                withdrawn_reason=None,
            )
            timed.pop("withdrawn_at", None)
        else:
            state.update(
                status="withdrawn", withdrawn_by=event.actor, withdrawn_reason=detail.get("reason")
            )
            timed["withdrawn_at"] = event
    return state, timed


def _version_problems(conn: Connection, events: list[AuditEvent]) -> list[str]:
    anchors, imports = _chain_view(events)
    rows = conn.execute(
        sa.text(
            "select v.id, l.slug, v.label, v.items_digest, v.sections_digest, v.record_digest "
            "from version v left join control_list l on l.id = v.list_id order by v.id"
        )
    ).all()
    problems: list[str] = []
    present: set[tuple[str, str]] = set()
    states = lifecycle(conn, [row.id for row in rows])
    for row in rows:
        key = (row.slug or "", row.label)
        present.add(key)
        name = _("version {slug} {label}").format(slug=row.slug, label=row.label)
        anchor = anchors.get(key)
        if anchor is None:
            problems.append(
                _("{name}: no import event with its digests in the audit chain").format(name=name)
                if key in imports
                else _(
                    "{name}: not in the audit chain (no import event): added outside exportctl"
                ).format(name=name)
            )
            continue
        problems += _compare_version(conn, name, row, anchor, states.get(row.id, {}))
    for key, anchor in anchors.items():
        if key not in present:
            problems.append(
                _("version {slug} {label} deleted (its {action} event {id} remains)").format(
                    slug=key[0], label=key[1], action=anchor.event.action, id=anchor.event.id
                )
            )
    return problems


def _compare_version(
    conn: Connection, name: str, row: Any, anchor: _Anchor, stored_state: dict[str, Any]
) -> list[str]:
    problems: list[str] = []
    scheme = anchor.digests.get("scheme", 1)
    if scheme not in SCHEMES:
        return [
            _("{name}: its digests use scheme {scheme}, which this exportctl cannot check").format(
                name=name, scheme=repr(scheme)
            )
        ]
    # A version is checked under the scheme its digests were recorded with.
    now: Digests = version_digests(conn, row.id, scheme)
    since = _("since {what}").format(what=anchor.since)
    for part, computed in ((N_("items"), now.items), (N_("sections"), now.sections)):
        recorded = anchor.digests.get(part)
        if computed != recorded:
            problems.append(
                _("{name}: {part} changed {since} (digest {now}≠{recorded})").format(
                    name=name,
                    part=_(part),
                    since=since,
                    now=_short(computed),
                    recorded=_short(recorded),
                )
            )
    if now.record != anchor.digests.get("record"):
        record = version_record(conn, row.id, scheme) or {}
        said = anchor.record or {}
        fields = [
            f"{key} {said.get(key)!r} → {record.get(key)!r}"
            for key in sorted(set(record) | set(said))
            if record.get(key) != said.get(key)
        ]
        what = (
            f": {'; '.join(fields)}"
            if fields and record_digest(said, scheme) == anchor.digests.get("record")
            else ""
        )
        problems.append(
            _("{name}: record changed {since}{what} (digest {now}≠{recorded})").format(
                name=name,
                since=since,
                what=what,
                now=_short(now.record),
                recorded=_short(anchor.digests.get("record")),
            )
        )
    for column, recorded in (
        ("items_digest", anchor.digests.get("items")),
        ("sections_digest", anchor.digests.get("sections")),
        ("record_digest", anchor.digests.get("record")),
    ):
        if getattr(row, column) != recorded:
            problems.append(
                _("{name}: column {column} changed {since} ({now}≠{recorded})").format(
                    name=name,
                    column=column,
                    since=since,
                    now=_short(getattr(row, column)),
                    recorded=_short(recorded),
                )
            )
    expected, timed = _expected_state(anchor)
    for column in _CHECKED_LIFECYCLE:
        if stored_state.get(column) != expected.get(column):
            problems.append(
                _("{name}: {column} is {stored} but the audit chain says {expected}").format(
                    name=name,
                    column=column,
                    stored=repr(stored_state.get(column)),
                    expected=repr(expected.get(column)),
                )
            )
    for column in ("approved_at", "withdrawn_at"):
        stored = stored_state.get(column)
        if column in timed:
            event = timed[column]
            when = dt.datetime.fromisoformat(stored) if stored else None
            at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.UTC)
            if when is None or abs(at - when) > _SLACK:
                problems.append(
                    _("{name}: {column} is {stored} but its audit event {id} is of {at}").format(
                        name=name, column=column, stored=stored, id=event.id, at=at.isoformat()
                    )
                )
        elif stored != expected.get(column):
            problems.append(
                _("{name}: {column} is {stored} but the audit chain says {expected}").format(
                    name=name,
                    column=column,
                    stored=repr(stored),
                    expected=repr(expected.get(column)),
                )
            )
    assert set(_DRAFT) == set(LIFECYCLE_COLUMNS)
    return problems
