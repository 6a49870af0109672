"""What the audit chain vouches for: each version's digests and status, each list's row.

Replaying the events oldest first, the last event that recorded a version's
digests is its anchor (its import, an upgrade's ``digests-computed``, a draft's
``dates``, a ``relabel``); the approve, withdraw and reinstate events after it
say what its status must be. A list's anchor is the last event that carried its
row's digest (``create-list``, ``rename-list``, ``set-profile``, each import, an
upgrade's ``digests-computed``). :func:`version_problems` and :func:`list_problems`
compare what is stored with what the anchors say, one sentence per difference.

:func:`vouching_events` reads only the events that vouch, and for one list when
asked: a command checking the versions it uses (:mod:`exportctl.store.vouch`)
reads a handful of events, not the whole log; ``audit verify``
(:mod:`exportctl.store.verify`) reads them all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session, col, or_, select

from exportctl.i18n import N_, _
from exportctl.models import AuditEvent
from exportctl.store.digests import (
    LIFECYCLE_COLUMNS,
    SCHEMES,
    Digests,
    lifecycle,
    list_digest,
    list_records,
    record_digest,
    version_digests,
    version_record,
)

VERSION_ACTIONS: tuple[str, ...] = (
    "import",
    "digests-computed",
    "approve",
    "withdraw",
    "reinstate",
    "relabel",
    "dates",
)
"""Events that record a version's digests or change its status."""
LIST_ACTIONS: tuple[str, ...] = ("create-list", "rename-list", "set-profile")
"""Events that create or change a list (each import carries its list's row too)."""


def vouching_events(session: Session, slug: str | None = None) -> list[AuditEvent]:
    """The events that vouch for versions and lists, oldest first; with ``slug``, only
    those of that list (and the upgrades', which name lists inside)."""
    query = select(AuditEvent).where(col(AuditEvent.action).in_(VERSION_ACTIONS + LIST_ACTIONS))
    if slug is not None:
        query = query.where(
            or_(col(AuditEvent.list_slug) == slug, col(AuditEvent.action) == "digests-computed")
        )
    return list(session.exec(query.order_by(col(AuditEvent.id))))


def short(digest: str | None) -> str:
    """A digest's first twelve digits, for messages."""
    return f"{digest[:12]}…" if digest else _("none")


@dataclass(slots=True)
class Anchor:
    """What the chain says a version was: from its import event or an upgrade's."""

    event: AuditEvent
    since: str
    digests: dict[str, Any]
    record: dict[str, Any] | None
    state: dict[str, Any]
    changes: list[AuditEvent] = field(default_factory=list)


@dataclass(slots=True)
class ListAnchor:
    """What the chain says a list's row was: ``{scheme, digest, record}`` and since when."""

    event: AuditEvent
    since: str
    vouch: dict[str, Any]


@dataclass(slots=True)
class ChainView:
    """The anchors of every version (by list and label) and list (by slug)."""

    versions: dict[tuple[str, str], Anchor] = field(default_factory=dict)
    imports: dict[tuple[str, str], AuditEvent] = field(default_factory=dict)
    lists: dict[str, ListAnchor] = field(default_factory=dict)


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
_LIST_SINCE = {
    "create-list": N_("its creation (event {id})"),
    "rename-list": N_("it was renamed (event {id})"),
    "set-profile": N_("its profile was set (event {id})"),
}


def chain_view(events: list[AuditEvent]) -> ChainView:
    """Replay events (oldest first): what the chain last recorded of each version and list."""
    view = ChainView()
    for event in events:
        try:
            detail = json.loads(event.detail)
        except ValueError:
            continue
        if not isinstance(detail, dict):
            continue
        key = (event.list_slug or "", event.version_label or "")
        if event.action == "digests-computed":
            _follow_upgrade(view, detail, event)
            continue
        vouch = detail.get("list")
        if event.list_slug and isinstance(vouch, dict):
            said = _LIST_SINCE.get(event.action, N_("the import of {label} (event {id})"))
            since = _(said).format(label=event.version_label, id=event.id)
            view.lists[event.list_slug] = ListAnchor(event, since, vouch)
        if event.action == "import" and event.version_label:
            view.imports[key] = event
            digests = detail.get("digests")
            if isinstance(digests, dict):
                view.versions[key] = Anchor(
                    event, _("import"), digests, detail.get("record"), dict(_DRAFT)
                )
            else:
                view.versions.pop(key, None)
        elif event.action in ("approve", "withdraw", "reinstate") and key in view.versions:
            view.versions[key].changes.append(event)
        elif event.action == "relabel" and key in view.versions:
            _follow_relabel(view, key, detail, event)
        elif event.action == "dates" and key in view.versions:
            # A draft's dates set afterwards (store.status.set_dates): its record
            # digest is now the one this event carries; items and sections stay.
            digests = detail.get("digests")
            if isinstance(digests, dict):
                anchor = view.versions[key]
                anchor.digests = digests
                anchor.record = detail.get("record")
                anchor.since = _("its dates were set (event {id})").format(id=event.id)
    return view


def _follow_upgrade(view: ChainView, detail: dict[str, Any], event: AuditEvent) -> None:
    """An upgrade's ``digests-computed``: versions (0004) or lists (0007) it vouched for."""
    since = _("the upgrade of event {id}").format(id=event.id)
    for entry in detail.get("versions") or []:
        key = (str(entry.get("list")), str(entry.get("label")))
        view.versions[key] = Anchor(
            event,
            since,
            entry.get("digests") or {},
            entry.get("record"),
            dict(entry.get("lifecycle") or _DRAFT),
        )
    for entry in detail.get("lists") or []:
        view.lists[str(entry.get("list"))] = ListAnchor(event, since, entry)


def _follow_relabel(
    view: ChainView, key: tuple[str, str], detail: dict[str, Any], event: AuditEvent
) -> None:
    """A withdrawn version renamed so its label could be reused (store.labels): its
    anchor moves to the new label, and it and the versions built on it (whose record
    names their base by label) are vouched for by the digests the event carries."""
    moved = (key[0], str(detail.get("to")))
    view.versions[moved] = view.versions.pop(key)
    if key in view.imports:
        view.imports[moved] = view.imports.pop(key)
    since = _("it was renamed {label} (event {id})").format(
        label=repr(detail.get("to")), id=event.id
    )
    rebased = [(moved, detail)] + [
        ((key[0], str(entry.get("label"))), entry) for entry in detail.get("dependants") or []
    ]
    for which, entry in rebased:
        anchor = view.versions.get(which)
        digests = entry.get("digests")
        if anchor is not None and isinstance(digests, dict):
            anchor.digests = digests
            anchor.record = entry.get("record")
            anchor.since = since


def chain_digests(session: Session, slug: str, label: str) -> dict[str, Any] | None:
    """The digests the audit chain last recorded for a version (``{scheme, items,
    sections, record}``), or None when it recorded none."""
    anchor = chain_view(vouching_events(session, slug)).versions.get((slug, label))
    return dict(anchor.digests) if anchor is not None else None


def _expected_state(anchor: Anchor) -> tuple[dict[str, Any], dict[str, AuditEvent]]:
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


def list_problems(conn: Connection, view: ChainView, slug: str | None = None) -> list[str]:
    """Every list (or list ``slug``) whose row no longer matches its anchor, one sentence
    each naming the fields changed; and lists the chain holds that are gone."""
    rows = list_records(conn, slug)
    problems: list[str] = []
    for name, record in rows.items():
        anchor = view.lists.get(name)
        if anchor is None:
            problems.append(
                _(
                    "list {slug}: not in the audit chain (no event records it): added outside "
                    "exportctl"
                ).format(slug=name)
            )
            continue
        recorded = anchor.vouch.get("digest")
        now = list_digest(record)
        if now == recorded:
            continue
        said = anchor.vouch.get("record")
        said = said if isinstance(said, dict) and list_digest(said) == recorded else {}
        fields = [
            f"{key} {said.get(key)!r} → {record.get(key)!r}"
            for key in record
            if said and record.get(key) != said.get(key)
        ]
        problems.append(
            _("list {slug}: changed since {since}{what} (digest {now}≠{recorded})").format(
                slug=name,
                since=anchor.since,
                what=f": {'; '.join(fields)}" if fields else "",
                now=short(now),
                recorded=short(recorded),
            )
        )
    for name, anchor in view.lists.items():
        if (slug is None or name == slug) and name not in rows:
            problems.append(
                _("list {slug} deleted (its {action} event {id} remains)").format(
                    slug=name, action=anchor.event.action, id=anchor.event.id
                )
            )
    return problems


def version_problems(
    conn: Connection,
    view: ChainView,
    *,
    slug: str | None = None,
    full: Container[int] | None = None,
) -> list[str]:
    """Every version (of list ``slug``, or all) that no longer matches its anchor.

    Args:
        conn: The connection to read through.
        view: The chain's anchors.
        slug: Only this list's versions.
        full: Versions whose items and sections are digested again (all when None);
            the others have their row and status checked, which costs one row each.
    """
    query = (
        "select v.id, l.slug, v.label, v.items_digest, v.sections_digest, v.record_digest "
        "from version v left join control_list l on l.id = v.list_id"
    )
    params: dict[str, Any] = {}
    if slug is not None:
        query += " where l.slug = :slug"
        params["slug"] = slug
    rows = conn.execute(sa.text(query + " order by v.id"), params).all()
    problems: list[str] = []
    present: set[tuple[str, str]] = set()
    states = lifecycle(conn, [row.id for row in rows])
    for row in rows:
        key = (row.slug or "", row.label)
        present.add(key)
        name = _("version {slug} {label}").format(slug=row.slug, label=row.label)
        anchor = view.versions.get(key)
        if anchor is None:
            problems.append(
                _("{name}: no import event with its digests in the audit chain").format(name=name)
                if key in view.imports
                else _(
                    "{name}: not in the audit chain (no import event): added outside exportctl"
                ).format(name=name)
            )
            continue
        whole = full is None or row.id in full
        problems += _compare_version(conn, name, row, anchor, states.get(row.id, {}), whole)
    for key, anchor in view.versions.items():
        if (slug is None or key[0] == slug) and key not in present:
            problems.append(
                _("version {slug} {label} deleted (its {action} event {id} remains)").format(
                    slug=key[0], label=key[1], action=anchor.event.action, id=anchor.event.id
                )
            )
    return problems


def _compare_version(
    conn: Connection,
    name: str,
    row: Any,
    anchor: Anchor,
    stored_state: dict[str, Any],
    whole: bool,
) -> list[str]:
    scheme = anchor.digests.get("scheme", 1)
    if scheme not in SCHEMES:
        return [
            _("{name}: its digests use scheme {scheme}, which this exportctl cannot check").format(
                name=name, scheme=repr(scheme)
            )
        ]
    since = _("since {what}").format(what=anchor.since)
    problems: list[str] = []
    record = version_record(conn, row.id, scheme) or {}
    if whole:
        # A version is checked under the scheme its digests were recorded with.
        now: Digests = version_digests(conn, row.id, scheme)
        for part, computed in ((N_("items"), now.items), (N_("sections"), now.sections)):
            recorded = anchor.digests.get(part)
            if computed != recorded:
                problems.append(
                    _("{name}: {part} changed {since} (digest {now}≠{recorded})").format(
                        name=name,
                        part=_(part),
                        since=since,
                        now=short(computed),
                        recorded=short(recorded),
                    )
                )
    problems += _record_problems(name, record, anchor, scheme, since)
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
                    now=short(getattr(row, column)),
                    recorded=short(recorded),
                )
            )
    return problems + _lifecycle_problems(name, anchor, stored_state)


def _record_problems(
    name: str, record: dict[str, Any], anchor: Anchor, scheme: int, since: str
) -> list[str]:
    now = record_digest(record, scheme)
    if now == anchor.digests.get("record"):
        return []
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
    return [
        _("{name}: record changed {since}{what} (digest {now}≠{recorded})").format(
            name=name,
            since=since,
            what=what,
            now=short(now),
            recorded=short(anchor.digests.get("record")),
        )
    ]


def _lifecycle_problems(name: str, anchor: Anchor, stored_state: dict[str, Any]) -> list[str]:
    problems: list[str] = []
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


def rewritten(event: AuditEvent) -> str | None:
    """The sentence for an event whose hash no longer matches its fields, else ``None``
    (one wording for ``audit verify`` and for the checks before use)."""
    from exportctl.store.audit import hash_of

    computed = hash_of(event)
    if computed == event.hash:
        return None
    return _(
        "audit event {id} ({action}): changed after it was written (hash {computed}≠{stored})"
    ).format(id=event.id, action=event.action, computed=short(computed), stored=short(event.hash))
