"""The audit chain: one event per change, each hashed with the one before it.

This module owns writing events (:func:`record_event`, in the caller's
transaction, one writer at a time) and reading them back (:func:`audit_events`,
:func:`chain_head`); :mod:`exportctl.store.verify` checks that nothing was changed
or removed afterwards: neither an event, nor a version's items, sections or row,
whose digests its import event carries (a draft's ``dates`` event carries its row's
digest anew).

Appends are serialised: on PostgreSQL a transaction-level advisory lock, and on
both databases the ``audit_head`` row is rewritten before the last event is
read, so that a second writer waits for the first to commit (SQLite has one
writer at a time) instead of chaining to the same event and forking the chain.

With an audit key kept outside the database (``EXPORTCTL_AUDIT_KEY`` or the
config file's ``audit_key_file``, given to the engine as the execution option
:data:`AUDIT_KEY_OPTION`), each event also carries an HMAC of its hash
(:func:`event_mac`). Its hash chains every event before it, so whoever lacks the
key can neither append an event that verifies under it nor rewrite one before
a signed event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from exportctl.i18n import _
from exportctl.models import AuditEvent, utcnow

_events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("list_slug", sa.String()),
    sa.column("version_label", sa.String()),
    sa.column("file", sa.String()),
    sa.column("sha256", sa.String()),
    sa.column("detail", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
    sa.column("mac", sa.String()),
)
HEAD_TABLE = sa.table(
    "audit_head",
    sa.column("id", sa.Integer()),
    sa.column("event_id", sa.Integer()),
    sa.column("hash", sa.String()),
)


def event_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of an event's fields (``audit_event`` column names) and ``prev_hash``."""
    at: dt.datetime | str = values["at"]
    if isinstance(at, str):  # as SQLite hands it over to plain SQL
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    payload = {
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": values["actor"],
        "action": values["action"],
        "list": values["list_slug"],
        "version": values["version_label"],
        "file": values["file"],
        "sha256": values["sha256"],
        "detail": values["detail"],
        "prev": values["prev_hash"],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def hash_of(event: AuditEvent) -> str:
    """The hash an event should carry, from its stored values."""
    return event_hash(event.model_dump())


AUDIT_KEY_OPTION = "exportctl_audit_key"
"""The engine execution option that carries the audit key (bytes) to every append."""


def audit_key(conn: Connection) -> bytes | None:
    """The audit key the connection's engine was given (None: events are not signed)."""
    key = conn.get_execution_options().get(AUDIT_KEY_OPTION)
    return bytes(key) if isinstance(key, bytes | bytearray) and key else None


def event_mac(key: bytes, event_hash: str) -> str:
    """HMAC-SHA-256 of an event's hash under the audit key (hex)."""
    message = f"exportctl audit event/1\n{event_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def mac_matches(key: bytes, event_hash: str, mac: str | None) -> bool:
    """Whether ``mac`` is the event's signature under ``key`` (compared in constant time)."""
    return mac is not None and hmac.compare_digest(event_mac(key, event_hash), mac)


def lock_chain(conn: Connection) -> None:
    """Make this transaction the chain's only writer until it ends.

    PostgreSQL: an advisory lock for the transaction, keyed by the schema so
    that databases sharing a server do not wait for each other. Both: the
    ``audit_head`` row is written first, so on SQLite the transaction holds
    the database's write lock (waiting for another writer to commit) before
    the last event is read; on PostgreSQL the row lock does the same again.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "select pg_advisory_xact_lock(hashtext('exportctl.audit_event'), "
                "hashtext(current_schema()))"
            )
        )
    touched = conn.execute(
        sa.update(HEAD_TABLE).where(HEAD_TABLE.c.id == 1).values(event_id=HEAD_TABLE.c.event_id)
    )
    if touched.rowcount == 0:
        conn.execute(sa.insert(HEAD_TABLE).values(id=1, event_id=None, hash=""))


def append_event(
    conn: Connection,
    *,
    action: str,
    actor: str,
    list_slug: str | None = None,
    version_label: str | None = None,
    file: str | None = None,
    sha256: str | None = None,
    detail: dict[str, Any] | None = None,
    signed: bool = True,
) -> tuple[int, str]:
    """Append an event through ``conn`` (its transaction); returns its id and hash.

    Takes the chain's lock (:func:`lock_chain`) before reading the last event.
    With ``signed`` (and an audit key on the connection) the event carries its
    :func:`event_mac`; revisions older than the ``mac`` column pass False.
    """
    lock_chain(conn)
    last = conn.execute(
        sa.select(_events.c.id, _events.c.hash).order_by(_events.c.id.desc()).limit(1)
    ).first()
    values: dict[str, Any] = {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "list_slug": list_slug,
        "version_label": version_label,
        "file": file,
        "sha256": sha256,
        "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
        "prev_hash": last.hash if last is not None else "",
    }
    values["hash"] = event_hash(values)
    key = audit_key(conn) if signed else None
    if key is not None:
        values["mac"] = event_mac(key, values["hash"])
    new_id = conn.execute(sa.insert(_events).values(**values).returning(_events.c.id)).scalar_one()
    conn.execute(
        sa.update(HEAD_TABLE)
        .where(HEAD_TABLE.c.id == 1)
        .values(event_id=new_id, hash=values["hash"])
    )
    return int(new_id), str(values["hash"])


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
    session.flush()
    new_id, _ = append_event(
        session.connection(),
        action=action,
        actor=actor,
        list_slug=list_slug,
        version_label=version_label,
        file=file,
        sha256=sha256,
        detail=detail,
    )
    event = session.get(AuditEvent, new_id)
    assert event is not None
    return event


def audit_events(session: Session) -> list[AuditEvent]:
    """The whole audit log, oldest first."""
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


@dataclass(frozen=True, slots=True)
class Head:
    """An event of the chain as filed outside the database: its id and hash."""

    id: int | None
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}" if self.id is not None else self.hash


_HEAD = re.compile(r"^(?:(\d+):)?([0-9a-fA-F]{64})$")


def parse_head(text: str) -> Head:
    """``ID:HASH`` or ``HASH`` (the full 64 hex digits) as a :class:`Head`.

    Raises:
        ValueError: Not in either form.
    """
    found = _HEAD.match(text.strip())
    if found is None:
        raise ValueError(
            _(
                "{text} is not a head: give ID:HASH (or HASH) as `exportctl audit head` printed it"
            ).format(text=repr(text))
        )
    return Head(int(found.group(1)) if found.group(1) else None, found.group(2).lower())


def chain_head(session: Session) -> AuditEvent | None:
    """The last event of the chain (None when it is empty)."""
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
