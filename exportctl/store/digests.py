"""Content digests of a stored version: its items, its sections and its own row.

A digest is the SHA-256 of a canonical text of what is stored, read back from
the database (not from what the import meant to write), so that recomputing it
later and comparing with the one recorded in the audit chain shows whether
anything was changed since. Scheme 1 is frozen: the columns and their order
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel.sql.sqltypes import UTCDateTime

from exportctl.store.session import _streamed_rows
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
    ``sub_items`` as its flat text (see the module docstring).

    Under scheme 3 SQLite writes each item's array itself (``json_array``,
    :func:`_row_text`), a text per row instead of a value per column: half the time
    on a large version. It does so only once it has written a probe of every
    character JSON escapes as Python's encoder does (:func:`_writes_alike`), and a
    value JSON cannot hold (a blob written by hand) sends the version to Python's
    encoder, so the digest is always the one Python's encoder gives. PostgreSQL's
    ``to_json`` writes them alike too, but takes four times as long as reading the
    columns (PostgreSQL 15): there Python encodes.
    """
    scheme = _scheme(scheme)
    if scheme not in _FLAT_SUB_ITEMS and _writes_alike(conn):
        try:
            return _digest_rows(conn, _row_sql(conn, scheme), version_id, scheme, None)
        except conn.dialect.dbapi.Error:  # type: ignore[union-attr]
            pass  # a value json_array refuses: Python's encoder says what it holds
    return _digest_rows(conn, _column_sql(conn, scheme), version_id, scheme, _ENCODER.encode)


def _column_sql(conn: Connection, scheme: int) -> str:
    """The items of a version, a value per column (encoded by Python)."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(
        "case when ex then 1 else 0 end" if name == "ex" else quote(name)
        for name in _ITEM_COLUMNS[scheme]
    )
    return _in_order(conn, columns)


def _row_sql(conn: Connection, scheme: int) -> str:
    """The items of a version, each as the text of its JSON array (written by the database)."""
    return _in_order(conn, _row_text(conn, _ITEM_COLUMNS[scheme]))


def _in_order(conn: Connection, columns: str) -> str:
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return f"select {columns} from item where version_id = {marker} order by position, id"


def _row_text(conn: Connection, names: Sequence[str]) -> str:
    """SQLite's SQL for the compact JSON array of the columns ``names`` (``ex`` as 0 or 1).

    No import writes a real: one written by hand into a number column (SQLite keeps it)
    is turned into a blob, which ``json_array`` refuses, so the version goes to Python's
    encoder, which may spell it otherwise (``1e+20``, not ``1.0e+20``)."""
    quote = conn.dialect.identifier_preparer.quote
    values = [
        "case when ex then 1 else 0 end"
        if name == "ex"
        else f"case when typeof({quote(name)}) = 'real' then x'00' else {quote(name)} end"
        if name in _INTEGER_COLUMNS
        else quote(name)
        for name in names
    ]
    return f"json_array({', '.join(values)})"


def _digest_rows(
    conn: Connection,
    sql: str,
    version_id: int,
    scheme: int,
    encode: Callable[[Any], str] | None,
) -> str:
    """SHA-256 of the rows of ``sql``: encoded a chunk at a time through the C
    encoder (``encode``; half the time of one call per item), or, without it, rows
    of one text each, already encoded."""
    digest = hashlib.sha256(f"items/{scheme}\n".encode())
    flat = _ITEM_COLUMNS[scheme].index("sub_items") if scheme in _FLAT_SUB_ITEMS else None
    for rows in _chunks(conn, sql, version_id):
        if encode is None:
            # "a,b" then ",": the same text however chunked.
            digest.update((",".join([text for (text,) in rows]) + ",").encode())
            continue
        if flat is not None:
            rows = [_flat_row(row, flat) for row in rows]
        # "[a,b]" without its brackets, then ",": the same text however chunked.
        digest.update((encode(rows)[1:-1] + ",").encode())
    return digest.hexdigest()


_CHUNK = 20_000


def _chunks(conn: Connection, sql: str, version_id: int) -> Iterator[Sequence[Any]]:
    """The rows of ``sql``, :data:`_CHUNK` at a time; on PostgreSQL streamed, so that
    Python encodes the first rows while the server reads the next."""
    if conn.dialect.driver == "psycopg":
        rows = _streamed_rows(conn, sql, (version_id,), 1_000)
        while streamed := list(islice(rows, _CHUNK)):
            yield streamed
        return
    with closing(conn.connection.cursor()) as cursor:
        cursor.execute(sql, (version_id,))
        while chunk := cursor.fetchmany(_CHUNK):
            yield chunk


_PROBE_TEXT = "".join(map(chr, range(128))) + "\x80\x9f\xa0\u2028\u2029\ufeff한국어\U0001f600"
"""Every ASCII character (NUL too: SQLite keeps it in text), the C1 controls, the
separators Javascript escapes and some non-ASCII text."""
_INTEGER_COLUMNS = frozenset({"position", "section", "level", "row"})
_alike: dict[tuple[str, Any], bool] = {}
"""Whether a database writes items as Python's encoder does, by dialect and server version."""


def _writes_alike(conn: Connection) -> bool:
    """Whether the database is SQLite and writes an item's array (:func:`_row_text`)
    exactly as Python's encoder does, asked once per SQLite version.

    The probe holds :data:`_PROBE_TEXT` in every text column and large and negative
    numbers in the others, then nothing but NULLs; the rows are compared whole.
    """
    dialect = conn.dialect
    known = (dialect.name, dialect.server_version_info)
    if known not in _alike:
        _alike[known] = dialect.name == "sqlite" and _probe(conn)
    return _alike[known]


def _probe(conn: Connection) -> bool:
    names = ITEM_DIGEST_COLUMNS_2
    full: list[Any] = [
        1 if name == "ex" else -(2**62) + n if name in _INTEGER_COLUMNS else _PROBE_TEXT
        for n, name in enumerate(names)
    ]
    empty: list[Any] = [0 if name == "ex" else None for name in names]
    quote = conn.dialect.identifier_preparer.quote
    values = ", ".join(f"? as {quote(name)}" for name in names)
    sql = f"select {_row_text(conn, names)} from (select {values}) as item"
    written: list[Any] = []
    try:
        with closing(conn.connection.cursor()) as cursor:
            for row in (full, empty):
                cursor.execute(sql, tuple(row))
                written += cursor.fetchone() or [None]
    except conn.dialect.dbapi.Error:  # type: ignore[union-attr]
        return False  # a SQLite without the JSON functions
    return written == [_ENCODER.encode(full), _ENCODER.encode(empty)]


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
