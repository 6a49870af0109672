"""Content digests of a stored version: its items, its sections and its own row.

A digest is the SHA-256 of a canonical text of what is stored, read back from
the database (not from what the import meant to write), so that recomputing it
later and comparing with the one recorded in the audit chain shows whether
anything was changed since. An import reads its own rows back for them too, though it
has just written them: what the database keeps (a value a column's type turned into
another, a row written beside the import's) is what the chain vouches for, and a
digest made from the rows meant would differ from the one ``audit verify`` recomputes
exactly where they part. Scheme 1 is frozen: the columns and their order
below never change. Scheme 2 (revision ``20261129_0005``) adds the item's range
end and regime attributes and the version's HS edition, after scheme 1's columns.
Scheme 3 (revision ``20261206_0006``) has scheme 2's columns and reads
``item.sub_items`` as stored, a tree; schemes 1 and 2 read it as the flat list
the tree was rewritten from by that revision (:func:`exportctl.store.subitems.flat_text`),
so the versions digested before it still verify and a change to their trees shows.
A version keeps the scheme it was digested with (recorded with the digests in
its audit event): versions stored before 0005 are verified under scheme 1. A
column added to ``item`` or ``version`` later needs a scheme 4, recorded alongside
(``test_tamper`` fails until it is decided).

Only a version's immutable facts are digested. Its lifecycle columns (status,
approval, withdrawal) legitimately change after import; each change is an
audit event of its own, and :func:`exportctl.store.verify.verify_audit` replays
those events to check them. The effective and notice dates stay facts: they
decide which version is in force, so a change to them behind exportctl's back
must show. Only a draft's dates may be set after import
(:func:`exportctl.store.status.set_dates`, ``exportctl dates``); its ``dates``
event carries the record digest recomputed here, and verification goes on from it.

A list's own row (its name, profile, jurisdiction...) decides verdicts and reports
of every version it holds, so it has a digest of its own (:func:`list_digest`),
carried by every event that creates or changes a list and by each import; it is
not part of a version's record, so renaming a list does not re-vouch its versions.

Every function takes a Connection so that the Alembic revision computing the
digests of versions stored before them can use them too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel.sql.sqltypes import UTCDateTime

from exportctl.store.subitems import flat_text

DIGEST_SCHEME = 3
"""The scheme of the digests computed for a version stored now (recorded with them)."""
SCHEMES: tuple[int, ...] = (1, 2, 3)
"""Every scheme :func:`version_digests` can compute."""

ITEM_DIGEST_COLUMNS: tuple[str, ...] = (
    "position",
    "section",
    "serial",
    "code",
    "level",
    "ex",
    "description",
    "description_en",
    "category",
    "note",
    "sub_items",
    "control_numbers",
    "mentioned_codes",
    "original_code",
    "sheet",
    "row",
)
"""Every stored column of an item but its surrogate id and its version (scheme 1)."""

ITEM_DIGEST_COLUMNS_2: tuple[str, ...] = (*ITEM_DIGEST_COLUMNS, "code_end", "attributes")
"""Scheme 2: scheme 1's item columns, then a range's end and the regime attributes."""

RECORD_DIGEST_COLUMNS: tuple[str, ...] = (
    "label",
    "effective",
    "published",
    "source_file",
    "source_sha256",
    "source_sheet",
    "additions_only",
    "declared_total",
    "declared_added",
    "declared_removed",
    "item_count",
    "imported_at",
    "imported_by",
    "notice_number",
    "notice_authority",
    "amendment",
    "source_columns",
    "declared_warnings",
)
"""The immutable facts of a version row (scheme 1); with them its list's slug and its
base version's label (the ids are surrogates)."""

RECORD_DIGEST_COLUMNS_2: tuple[str, ...] = (*RECORD_DIGEST_COLUMNS, "hs_edition")
"""Scheme 2: scheme 1's version facts, then the HS edition of its codes."""

_ITEM_COLUMNS = {1: ITEM_DIGEST_COLUMNS, 2: ITEM_DIGEST_COLUMNS_2, 3: ITEM_DIGEST_COLUMNS_2}
_RECORD_COLUMNS = {1: RECORD_DIGEST_COLUMNS, 2: RECORD_DIGEST_COLUMNS_2, 3: RECORD_DIGEST_COLUMNS_2}
_FLAT_SUB_ITEMS = frozenset({1, 2})
"""Schemes that digest ``item.sub_items`` as the flat list stored before the tree."""


def _scheme(scheme: int) -> int:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown digest scheme {scheme!r}")
    return scheme


LIFECYCLE_COLUMNS: tuple[str, ...] = (
    "status",
    "approved_by",
    "approved_at",
    "approval_note",
    "one_person",
    "withdrawn_by",
    "withdrawn_at",
    "withdrawn_reason",
)
"""Version columns that change after import, each change an audit event (not digested)."""

NOT_DIGESTED: frozenset[str] = frozenset(
    {"id", "list_id", "base_version_id", "items_digest", "sections_digest", "record_digest"}
    | {"digest_origin"}
)
"""Version columns outside the record digest for a reason: surrogate ids (their meaning,
the list slug and base label, is digested) and the digests themselves."""

SECTION_DIGEST_COLUMNS: tuple[str, ...] = (
    "number",
    "title",
    "declared_total",
    "declared_added",
    "declared_removed",
    "item_count",
)
"""Every stored column of a section but its id and its version (scheme 1)."""

_version = sa.table(
    "version",
    sa.column("id", sa.Integer()),
    sa.column("list_id", sa.Integer()),
    sa.column("base_version_id", sa.Integer()),
    *(
        sa.column(name, UTCDateTime())
        if name.endswith("_at")
        else sa.column(name, sa.Date())
        if name in ("effective", "published")
        else sa.column(name, sa.Boolean())
        if name in ("additions_only", "one_person")
        else sa.column(name)
        for name in (*RECORD_DIGEST_COLUMNS_2, *LIFECYCLE_COLUMNS)
    ),
)
LIST_DIGEST_COLUMNS: tuple[str, ...] = (
    "slug",
    "name",
    "jurisdiction",
    "authority",
    "targets",
    "profile",
    "created_at",
)
"""Every stored column of a list but its surrogate id (list scheme 1)."""
LIST_SCHEME = 1
"""The scheme of a list's digest (recorded with it)."""

_list = sa.table(
    "control_list",
    sa.column("id", sa.Integer()),
    *(
        sa.column(name, UTCDateTime()) if name == "created_at" else sa.column(name, sa.String())
        for name in LIST_DIGEST_COLUMNS
    ),
)


@dataclass(frozen=True, slots=True)
class Digests:
    """The three digests of one version (hex SHA-256), under one scheme."""

    items: str
    sections: str
    record: str
    scheme: int = DIGEST_SCHEME

    def to_json(self) -> dict[str, Any]:
        """``{scheme, items, sections, record}`` as recorded in an audit event."""
        return {
            "scheme": self.scheme,
            "items": self.items,
            "sections": self.sections,
            "record": self.record,
        }


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _moment(value: dt.datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _day(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _odd_value(value: Any) -> Any:
    """A value no column of scheme 1 holds (written by hand): still digested, never an error."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": bytes(value).hex()}
    return {type(value).__name__: str(value)}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_odd_value)


def items_digest(conn: Connection, version_id: int, scheme: int = DIGEST_SCHEME) -> str:
    """SHA-256 over every item of the version, in position order, every column.

    Each item is the JSON array of its values in :data:`ITEM_DIGEST_COLUMNS`
    (scheme 1) or :data:`ITEM_DIGEST_COLUMNS_2` order (schemes 2 and 3; ``ex`` as 0
    or 1, as both databases give it alike) followed by a comma; schemes 1 and 2 take
    ``sub_items`` as its flat text (see the module docstring). Read through the driver's own
    cursor and encoded a chunk at a time
    (one call of the C encoder per chunk: half the time of one per item).

    For scheme 3 on SQLite the database writes the arrays itself (``json_array``) when
    it writes them as this module's encoder does, which is asked of every call on
    values holding each character either may escape (:func:`_arrays`), and every value
    is an integer, a text or null (a real or a blob makes the query fail and the items
    are read again as values): the same text for half the time.
    """
    quote = conn.dialect.identifier_preparer.quote
    names = _ITEM_COLUMNS[_scheme(scheme)]
    digest = hashlib.sha256(f"items/{scheme}\n".encode())
    if scheme not in _FLAT_SUB_ITEMS:
        arrays = _arrays(conn, version_id, names, digest.copy())
        if arrays is not None:
            return arrays
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(_EX if name == "ex" else quote(name) for name in names)
    sql = f"select {columns} from item where version_id = {marker} order by position, id"
    encode = _ENCODER.encode
    flat = names.index("sub_items") if scheme in _FLAT_SUB_ITEMS else None
    with _streaming(conn) as cursor:
        cursor.execute(sql, (version_id,))
        while rows := cursor.fetchmany(20_000):
            if flat is not None:
                rows = [_flat_row(row, flat) for row in rows]
            # "[a,b]" without its brackets, then ",": the same text however chunked.
            digest.update((encode(rows)[1:-1] + ",").encode())
    return digest.hexdigest()


def _streaming(conn: Connection) -> closing[Any]:
    """A driver cursor that holds one chunk of the rows at a time. psycopg's plain cursor
    takes the whole result into memory (a million items: several hundred MB); a named
    one reads it from the server as it is fetched (inside the transaction)."""
    if conn.dialect.name == "postgresql":
        return closing(conn.connection.cursor(name="exportctl_items_digest"))
    return closing(conn.connection.cursor())


_EX = "case when ex then 1 else 0 end"
_NUMBERS = frozenset({"position", "section", "level", "row"})
"""The item's integer columns (``ex`` is read as 0 or 1)."""

_PROBE: tuple[Any, ...] = (
    "".join(map(chr, range(0x20))) + '"\\/\x7f\u2028\u2029é한😀 ,:[]{}',
    0,
    -(2**63),
    2**63 - 1,
    None,
    "",
)
"""Values holding every character a JSON writer may escape or not: the database's
arrays of them must be this module's encoder's, character for character."""


def _sqlite_array(values: Sequence[str], numbers: Sequence[bool]) -> str:
    # No import writes a real or a blob. json_array refuses a blob; a real in a number
    # column is made one (SQLite turns a number written to a text column into text).
    whole = "case when typeof({0}) = 'real' then x'00' else {0} end"
    return "json_array({})".format(
        ", ".join(
            whole.format(value) if number else value
            for value, number in zip(values, numbers, strict=True)
        )
    )


_ARRAY = {"sqlite": _sqlite_array}
"""Per database: the SQL of a JSON array of some values, written as :data:`_ENCODER`
writes it (when :func:`_arrays` finds it does). Not PostgreSQL's: ``to_json`` of each
value in the server took longer than sending the values and encoding them here."""


def _arrays(conn: Connection, version_id: int, names: Sequence[str], digest: Any) -> str | None:
    """:func:`items_digest` of arrays the database writes, or ``None`` when they could
    differ from the encoder's."""
    array = _ARRAY.get(conn.dialect.name)
    if array is None:
        return None
    quote = conn.dialect.identifier_preparer.quote
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    probe = array([marker] * len(_PROBE), [False] * len(_PROBE))
    values = [_EX if name == "ex" else quote(name) for name in names]
    sql = (
        f"select {array(values, [name in _NUMBERS for name in names])} from item "
        f"where version_id = {marker} order by position, id"
    )
    with closing(conn.connection.cursor()) as cursor:
        cursor.execute(f"select {probe}", _PROBE)
        row = cursor.fetchone()
        if row is None or row[0] != _ENCODER.encode(_PROBE):
            return None
        try:
            cursor.execute(sql, (version_id,))
            while rows := cursor.fetchmany(20_000):
                digest.update((",".join([row[0] for row in rows]) + ",").encode())
        except conn.dialect.loaded_dbapi.Error:
            return None  # SQLite's transaction goes on after a failed query
    return str(digest.hexdigest())


def _flat_row(row: Sequence[Any], index: int) -> Sequence[Any]:
    value = row[index]
    if value is None:
        return row
    values = list(row)
    values[index] = flat_text(_text(value) or "")
    return values


def sections_digest(conn: Connection, version_id: int, scheme: int = DIGEST_SCHEME) -> str:
    """SHA-256 over the version's sections, by number."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in SECTION_DIGEST_COLUMNS)
    rows = conn.execute(
        sa.text(f"select {columns} from section where version_id = :v order by number, id"),
        {"v": version_id},
    ).all()
    canonical = [
        [
            _text(value) if name == "title" else value
            for name, value in zip(SECTION_DIGEST_COLUMNS, row, strict=True)
        ]
        for row in rows
    ]
    # Sections have no new column in scheme 2: only the prefix names the scheme.
    return hashlib.sha256(
        f"sections/{_scheme(scheme)}\n{_canonical(canonical)}".encode()
    ).hexdigest()


def version_record(
    conn: Connection, version_id: int, scheme: int = DIGEST_SCHEME
) -> dict[str, Any] | None:
    """The immutable facts of a version row as canonical JSON values (None: no such row)."""
    names = _RECORD_COLUMNS[_scheme(scheme)]
    base = _version.alias("base")
    row = conn.execute(
        sa.select(
            _list.c.slug,
            base.c.label.label("base_label"),
            *(_version.c[name] for name in names),
        )
        .select_from(
            _version.outerjoin(_list, _list.c.id == _version.c.list_id).outerjoin(
                base, base.c.id == _version.c.base_version_id
            )
        )
        .where(_version.c.id == version_id)
    ).first()
    if row is None:
        return None
    facts = row._mapping
    record: dict[str, Any] = {"list": facts["slug"], "base": facts["base_label"]}
    for name in names:
        value = facts[name]
        if name == "imported_at":
            record[name] = _moment(value)
        elif name in ("effective", "published"):
            record[name] = _day(value)
        elif name == "additions_only":
            record[name] = bool(value)
        elif name.startswith("declared_") and name != "declared_warnings" or name == "item_count":
            record[name] = None if value is None else int(value)
        else:
            record[name] = _text(value)
    return record


def record_digest(record: dict[str, Any], scheme: int = DIGEST_SCHEME) -> str:
    """SHA-256 over :func:`version_record` (of the same scheme)."""
    return hashlib.sha256(f"record/{_scheme(scheme)}\n{_canonical(record)}".encode()).hexdigest()


def version_digests(conn: Connection, version_id: int, scheme: int = DIGEST_SCHEME) -> Digests:
    """The three digests of a version as stored now, under ``scheme``.

    Args:
        conn: The connection to read through.
        version_id: The version.
        scheme: The scheme its digests were recorded under (1 for versions
            digested before revision 0005; an upgrade at an older revision asks
            for 1, since the newer columns do not exist yet).

    Raises:
        LookupError: No version with that id.
        ValueError: An unknown scheme.
    """
    record = version_record(conn, version_id, scheme)
    if record is None:
        raise LookupError(f"no version with id {version_id}")
    return Digests(
        items_digest(conn, version_id, scheme),
        sections_digest(conn, version_id, scheme),
        record_digest(record, scheme),
        scheme,
    )


def lifecycle(conn: Connection, version_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The lifecycle columns of versions, as canonical JSON values, by version id."""
    wanted = list(version_ids)
    if not wanted:
        return {}
    rows = conn.execute(
        sa.select(_version.c.id, *(_version.c[name] for name in LIFECYCLE_COLUMNS)).where(
            _version.c.id.in_(wanted)
        )
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        facts = row._mapping
        out[int(facts["id"])] = {
            name: _moment(facts[name])
            if name.endswith("_at")
            else bool(facts[name])
            if name == "one_person"
            else _text(facts[name])
            for name in LIFECYCLE_COLUMNS
        }
    return out


def list_records(conn: Connection, slug: str | None = None) -> dict[str, dict[str, Any]]:
    """The rows of every list (or of list ``slug``) as canonical JSON values, by slug."""
    query = sa.select(*(_list.c[name] for name in LIST_DIGEST_COLUMNS)).order_by(_list.c.id)
    if slug is not None:
        query = query.where(_list.c.slug == slug)
    out: dict[str, dict[str, Any]] = {}
    for row in conn.execute(query):
        facts = row._mapping
        out[str(facts["slug"])] = {
            name: _moment(facts[name]) if name == "created_at" else _text(facts[name])
            for name in LIST_DIGEST_COLUMNS
        }
    return out


def list_digest(record: dict[str, Any], scheme: int = LIST_SCHEME) -> str:
    """SHA-256 over a list's record (:func:`list_records`)."""
    if scheme != LIST_SCHEME:
        raise ValueError(f"unknown list digest scheme {scheme!r}")
    return hashlib.sha256(f"list/{scheme}\n{_canonical(record)}".encode()).hexdigest()


def list_vouch(conn: Connection, slug: str) -> dict[str, Any]:
    """What an event that creates or changes list ``slug`` carries: ``{scheme, digest,
    record}`` of its row as stored now (read back, like a version's digests).

    Raises:
        LookupError: No such list.
    """
    record = list_records(conn, slug).get(slug)
    if record is None:
        raise LookupError(f"no list {slug!r}")
    return {"scheme": LIST_SCHEME, "digest": list_digest(record), "record": record}
