"""Transactions, version writes, reads, as-of lookups and the audit chain.

Versions are append-only: nothing here deletes a stored version or item, and
the only change a stored version sees is to its status (:func:`set_status`:
draft, approved, withdrawn). An import writes the version, its items and its
audit events in one transaction (:func:`session_scope`), so a failure leaves
the database as it was.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import itertools
import json
import operator
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, cast

from sqlalchemy import Connection, Engine, String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from exportctl.errors import (
    DuplicateSourceError,
    InputError,
    ListExistsError,
    ListNotFoundError,
    StatusError,
    VersionExistsError,
    VersionNotFoundError,
)
from exportctl.models import AuditEvent, ControlList, Item, ItemRecord, Version, utcnow

INSERT_CHUNK = 5000


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_list(session: Session, slug: str) -> ControlList:
    """The list with this slug.

    Raises:
        ListNotFoundError: No such list; the message names the closest slug,
            the lists there are, and how to create one.
    """
    found = session.exec(select(ControlList).where(ControlList.slug == slug)).first()
    if found is None:
        slugs = all_slugs(session)
        close = difflib.get_close_matches(slug, slugs, n=1)
        guess = f'; did you mean "{close[0]}"?' if close else ""
        known = f"lists: {', '.join(slugs)}" if slugs else "no lists yet"
        example = slug if SLUG_PATTERN.fullmatch(slug) else "SLUG"
        raise ListNotFoundError(
            f'no control list "{slug}"{guess} ({known}); create a list with: '
            f"exportctl lists create {example} --name TEXT"
        )
    return found


SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
"""What a list slug may be: 1 to 100 lower-case letters, digits, ``-``, ``_``, ``.``."""

_COUNTRY = re.compile(r"[A-Z]{2,3}")


def create_list(
    session: Session,
    slug: str,
    *,
    name: str,
    jurisdiction: str | None = None,
    authority: str | None = None,
    targets: str | None = None,
    actor: str,
) -> ControlList:
    """Create a control list and write its ``create-list`` audit event (the caller's transaction).

    Args:
        session: The session to write through.
        slug: Short name for the command line, e.g. ``kr-russia``.
        name: Human name of the list.
        jurisdiction: Country or bloc issuing the list, e.g. ``KR``.
        authority: Issuing authority, e.g. ``MOTIE``.
        targets: Destination countries, comma-separated (``"ru, by"`` is stored ``RU,BY``).
        actor: Who creates it.

    Raises:
        InputError: The slug, name or targets cannot be used.
        ListExistsError: The slug is taken.
    """
    if not SLUG_PATTERN.fullmatch(slug):
        raise InputError(
            f'"{slug}" cannot be a list slug: use 1 to 100 lower-case letters, digits, '
            '"-", "_" or ".", starting with a letter or digit (e.g. kr-russia)'
        )
    name = name.strip()
    if not name:
        raise InputError(f'list "{slug}" needs a name (e.g. --name "Russia/Belarus situational")')
    existing = session.exec(select(ControlList).where(ControlList.slug == slug)).first()
    if existing is not None:
        raise ListExistsError(
            f'a list "{slug}" already exists ("{existing.name}", created '
            f"{existing.created_at:%Y-%m-%d}); choose another slug or import into that list"
        )
    values = {
        "slug": slug,
        "name": name,
        "jurisdiction": (jurisdiction or "").strip() or None,
        "authority": (authority or "").strip() or None,
        "targets": _normalise_targets(targets),
    }
    control_list = ControlList.model_validate(values)
    session.add(control_list)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent create won the race
        raise ListExistsError(f'a list "{slug}" already exists') from exc
    record_event(
        session,
        action="create-list",
        actor=actor,
        list_slug=slug,
        detail={key: value for key, value in values.items() if key != "slug"},
    )
    return control_list


def _normalise_targets(targets: str | None) -> str | None:
    """``"ru, by"`` as ``"RU,BY"`` (each once, in the order given); None when empty."""
    codes: list[str] = []
    for part in (targets or "").split(","):
        code = part.strip().upper()
        if not code:
            continue
        if not _COUNTRY.fullmatch(code):
            raise InputError(
                f'"{part.strip()}" is not a country code; give targets as comma-separated '
                'ISO codes such as "RU,BY"'
            )
        if code not in codes:
            codes.append(code)
    return ",".join(codes) or None


def all_slugs(session: Session) -> list[str]:
    """Slugs of every list, sorted."""
    return list(session.exec(select(ControlList.slug).order_by(ControlList.slug)))


def all_lists(session: Session) -> list[ControlList]:
    """Every list, by slug."""
    return list(session.exec(select(ControlList).order_by(ControlList.slug)))


def ensure_list(session: Session, slug: str, name: str | None = None) -> ControlList:
    """The list with this slug, created if it does not exist yet."""
    found = session.exec(select(ControlList).where(ControlList.slug == slug)).first()
    if found is not None:
        return found
    new = ControlList.model_validate({"slug": slug, "name": name or slug})
    session.add(new)
    session.flush()
    return new


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
        labels = ", ".join(v.label for v in versions_of(session, control_list)) or "none yet"
        raise VersionNotFoundError(f'list "{slug}" has no version "{label}" (versions: {labels})')
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
            f'list "{slug}" had no approved version in force on {when}: '
            + "; ".join(_why_not_in_force(passed_over))
        )
    if usable:
        first = usable[0]
        raise VersionNotFoundError(
            f'list "{slug}" had no version in force on {when}; the first, '
            f'"{first.label}", took effect on {first.effective}'
        )
    if dated:
        first = dated[0]
        raise VersionNotFoundError(
            f'list "{slug}" had no version in force on {when}; the first dated one, '
            f'"{first.label}" (effective {first.effective}), is {first.status}'
        )
    raise VersionNotFoundError(
        f'list "{slug}" has no version with an effective date; import with --effective'
    )


def _counts(version: Version, include_drafts: bool) -> bool:
    return version.status == "approved" or (include_drafts and version.status == "draft")


def _why_not_in_force(versions: Sequence[Version]) -> list[str]:
    """One clause for the drafts and one per withdrawn version among ``versions``."""
    clauses: list[str] = []
    drafts = [v for v in versions if v.status == "draft"]
    if drafts:
        names = ", ".join(f'"{v.label}" (effective {v.effective})' for v in drafts)
        verb = "is a draft" if len(drafts) == 1 else "are drafts"
        clauses.append(
            f"{names} {verb} awaiting approval (approve with `exportctl approve`, "
            "or use --include-drafts to count drafts)"
        )
    for v in versions:
        if v.status == "withdrawn":
            clauses.append(
                f'"{v.label}" (effective {v.effective}) was withdrawn by {v.withdrawn_by}: '
                f"{v.withdrawn_reason}"
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


RECORD_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ItemRecord))
"""Item columns in ``ItemRecord`` field order: what loads select and inserts write."""
_LOAD_COLUMNS = ", ".join(RECORD_COLUMNS)
_record_values = operator.attrgetter(*RECORD_COLUMNS)


def load_items(session: Session, version: Version) -> list[ItemRecord]:
    """The items of a version in their stored order.

    Rows are fetched through the driver's own cursor: for a million items this is
    about twice as fast as going through SQLAlchemy's result rows.
    """
    return _records(
        _fetch(
            session,
            f"select {_LOAD_COLUMNS} from item where version_id = {{}} order by position",
            [version.id],
        )
    )


def _records(rows: Iterable[Sequence[Any]]) -> list[ItemRecord]:
    return [
        ItemRecord(serial, code, level, bool(ex), desc, desc_en, category, note, sheet, row, orig)
        for serial, code, level, ex, desc, desc_en, category, note, sheet, row, orig in rows
    ]


def _fetch(session: Session, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of ``sql`` as the driver's tuples; each ``{}`` in it is a parameter marker."""
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    with _cursor(connection) as cursor:
        cursor.execute(sql.format(*[marker] * len(params)), tuple(params))
        return cast(list[tuple[Any, ...]], cursor.fetchall())


def _cursor(connection: Connection) -> closing[Any]:
    """The driver's own cursor on the session's connection, closed after the block."""
    return closing(connection.connection.cursor())


_TEXT_COLUMNS = frozenset(
    column.name
    for column in Item.__table__.c  # type: ignore[attr-defined]
    # sqlmodel's AutoString wraps a String.
    if isinstance(getattr(column.type, "impl", column.type), String)
)
"""Item columns holding text."""


def _utf8_sqlite(session: Session) -> bool:
    """True on a SQLite database that keeps its text as UTF-8 (the default)."""
    if session.connection().dialect.name != "sqlite":
        return False
    return _fetch(session, "pragma encoding", []) == [("UTF-8",)]


_CODE_IN: dict[str, tuple[str, Callable[[list[str]], Any]]] = {
    "sqlite": ("code in (select value from json_each({}))", json.dumps),
    "postgresql": ("code = any({})", list),
}
"""Per database: a condition "code is one of a list" with one parameter, and that parameter.

One parameter keeps the statement small however many codes are asked for."""


@dataclass(frozen=True, slots=True)
class StoredItems:
    """A stored version read in two steps, for :func:`exportctl.diff.compare_stored`.

    :meth:`rows` reads a few columns of every item as the driver's plain tuples,
    which costs far less than an ``ItemRecord`` per item; :meth:`items` then loads
    in full only the items asked for.
    """

    session: Session
    """The session to read through."""
    version: Version
    """The version read."""

    def rows(self, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """The values of ``columns`` for every item of the version, in no set order.

        On SQLite text other than the code comes as its UTF-8 bytes, which the
        driver hands over without decoding (a quarter less time for a million rows).

        Raises:
            ValueError: A name is not one of :data:`RECORD_COLUMNS`.
        """
        unknown = [name for name in columns if name not in RECORD_COLUMNS]
        if unknown or not columns:
            raise ValueError(f"not item columns: {unknown or 'none given'}")
        if _utf8_sqlite(self.session):
            columns = [
                f"cast({name} as blob)" if name in _TEXT_COLUMNS and name != "code" else name
                for name in columns
            ]
        sql = f"select {', '.join(columns)} from item where version_id = {{}}"
        return _fetch(self.session, sql, [self.version.id])

    def items(self, codes: Collection[str] | None, *, codeless: bool) -> list[ItemRecord]:
        """Full items in stored order.

        Args:
            codes: The items whose code is one of these; ``None`` for every item.
            codeless: Also every item without a code (none or an empty one).
        """
        if codes is None:
            return load_items(self.session, self.version)
        dialect = self.session.connection().dialect.name
        wanted: list[str] = []
        params: list[Any] = [self.version.id]
        if codes:
            if dialect not in _CODE_IN:  # no list parameter known here: filter in Python
                chosen = set(codes)
                return [
                    item
                    for item in load_items(self.session, self.version)
                    if item.code in chosen or (codeless and not item.code)
                ]
            condition, as_parameter = _CODE_IN[dialect]
            wanted.append(condition)
            params.append(as_parameter(sorted(codes)))
        if codeless:
            wanted.append("code is null or code = ''")
        if not wanted:
            return []
        sql = (
            f"select {_LOAD_COLUMNS} from item "
            f"where version_id = {{}} and ({' or '.join(wanted)}) order by position"
        )
        return _records(_fetch(self.session, sql, params))


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
    finish_version(session, version, new, len(items), detail)
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
            (the file of a withdrawn version may be imported again).
    """
    if new.create_list:
        control_list = ensure_list(session, new.slug, new.list_name)
    else:
        control_list = get_list(session, new.slug)
    assert control_list.id is not None
    existing = session.exec(
        select(Version).where(Version.list_id == control_list.id, Version.label == new.label)
    ).first()
    if existing is not None:
        raise VersionExistsError(
            f'list "{new.slug}" already has a version "{new.label}" (imported '
            f"{existing.imported_at:%Y-%m-%d} from {existing.source_file}); versions are "
            "immutable, import the correction under a new label"
        )
    previous = find_source(session, control_list.id, new.source_sha256, new.source_sheet)
    if previous is not None:
        sheet = f', sheet "{new.source_sheet}"' if new.source_sheet else ""
        raise DuplicateSourceError(
            f"{new.source_file}{sheet} was already imported into list "
            f'"{new.slug}" as version "{previous.label}" (SHA-256 {new.source_sha256[:12]}…)'
        )
    version = Version.model_validate(
        {
            "list_id": control_list.id,
            "label": new.label,
            "effective": new.effective,
            "published": new.published,
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
            f'list "{new.slug}" already has version "{new.label}" or this source'
        ) from exc
    return version


def finish_version(
    session: Session,
    version: Version,
    new: NewVersion,
    item_count: int,
    detail: dict[str, Any] | None = None,
) -> None:
    """Set the version's item count and write its audit events (the caller's transaction).

    The ``import`` event, then with ``new.approve`` the ``approve`` event.
    """
    version.item_count = item_count
    # Known only once every row was read: the declared-count mismatches.
    version.declared_warnings = json.dumps(new.declared_warnings, ensure_ascii=False)
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


class ItemWriter:
    """Items of a new version written as they arrive, :data:`INSERT_CHUNK` at a time.

    For an import that validates and stores in one pass: only one chunk of items
    is held, whatever the size of the list.
    """

    def __init__(self, session: Session, version_id: int) -> None:
        self._session = session
        self._version_id = version_id
        self._chunk: list[ItemRecord] = []
        self.written = 0
        """Items written so far."""

    def add(self, item: ItemRecord) -> None:
        """Take the next item (in list order)."""
        self._chunk.append(item)
        if len(self._chunk) >= INSERT_CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write the items taken and not yet written."""
        if self._chunk:
            insert_items(self._session, self._version_id, self._chunk, start=self.written)
            self.written += len(self._chunk)
            self._chunk = []


_ITEM_COLUMNS = ("version_id", "position", *RECORD_COLUMNS)


def insert_items(
    session: Session, version_id: int, items: Iterable[ItemRecord], *, start: int = 0
) -> None:
    """Bulk-insert items in the session's transaction, a chunk at a time.

    Their positions (list order) count from ``start``.

    The rows go to the driver as plain tuples: ``executemany`` of one prepared
    ``INSERT`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3), and
    SQLAlchemy Core's ``insert`` elsewhere. SQLAlchemy's per-row parameter
    processing costs more than the insert itself; the columns are plain integers,
    text and a boolean, which the drivers store as SQLAlchemy would.
    """
    conn = session.connection()
    rows = _item_rows(version_id, items, start)
    if conn.dialect.name == "sqlite":
        _insert_sqlite(conn, rows)
    elif conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _insert_copy(conn, rows)
    else:
        _insert_core(conn, rows)


def _item_rows(
    version_id: int, items: Iterable[ItemRecord], start: int = 0
) -> Iterator[tuple[Any, ...]]:
    for position, item in enumerate(items, start):
        yield (version_id, position, *_record_values(item))


def _column_list(conn: Connection) -> str:
    quote = conn.dialect.identifier_preparer.quote
    return ", ".join(quote(name) for name in _ITEM_COLUMNS)


def _insert_sqlite(conn: Connection, rows: Iterator[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" * len(_ITEM_COLUMNS))
    statement = f"INSERT INTO item ({_column_list(conn)}) VALUES ({marks})"
    with _cursor(conn) as cursor:
        while chunk := list(itertools.islice(rows, INSERT_CHUNK)):
            cursor.executemany(statement, chunk)


def _insert_copy(conn: Connection, rows: Iterator[tuple[Any, ...]]) -> None:
    statement = f"COPY item ({_column_list(conn)}) FROM STDIN"
    with _cursor(conn) as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_core(conn: Connection, rows: Iterator[tuple[Any, ...]]) -> None:
    table = Item.__table__  # type: ignore[attr-defined]
    while chunk := list(itertools.islice(rows, INSERT_CHUNK)):
        conn.execute(insert(table), [dict(zip(_ITEM_COLUMNS, row, strict=True)) for row in chunk])


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
