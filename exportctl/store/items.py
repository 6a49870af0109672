"""The items of a version: bulk writes and fast reads.

This module owns the ``item`` rows: writing them a chunk at a time through
each driver's fastest path (:func:`insert_items`, :class:`ItemWriter`),
loading a version's items in order (:func:`load_items`), and the two-step read
a comparison of stored versions uses (:class:`StoredItems`).
"""

from __future__ import annotations

import itertools
import json
import operator
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, String, insert
from sqlmodel import Session

from exportctl.models import Item, ItemRecord, Version
from exportctl.store.session import _cursor, _fetch
from exportctl.store.subitems import decode_sub_items, encode_sub_items

INSERT_CHUNK = 5000


_STRUCTURE = ("sub_items", "control_numbers", "mentioned_codes", "attributes")
"""Fields of ``ItemRecord`` held as tuples or a dict, stored as text (``None`` when empty)."""
_SCALARS = tuple(f.name for f in fields(ItemRecord) if f.name not in _STRUCTURE)
RECORD_COLUMNS: tuple[str, ...] = (*_SCALARS, *_STRUCTURE)
"""Item columns: ``ItemRecord``'s plain fields in field order, then the structured ones;
what loads select and inserts write."""
ITEM_COLUMNS = ("version_id", "position", *RECORD_COLUMNS)
"""The columns of an ``item`` row as inserted."""
_ITEM_COLUMNS = ITEM_COLUMNS
_LOAD_COLUMNS = ", ".join(RECORD_COLUMNS)
_scalar_values = operator.attrgetter(*_SCALARS)


def encode_attributes(attributes: dict[str, str]) -> str | None:
    """Regime attributes as the JSON text stored in ``item.attributes`` (keys sorted)."""
    if not attributes:
        return None
    return json.dumps(attributes, ensure_ascii=False, sort_keys=True)


def decode_attributes(text: str | bytes | None) -> dict[str, str]:
    """The stored JSON text back as attributes."""
    if not text:
        return {}
    return {str(key): str(value) for key, value in json.loads(text).items()}


def _words(text: str | bytes | None) -> tuple[str, ...]:
    if not text:
        return ()
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return tuple(text.split())


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
        ItemRecord(
            serial,
            code,
            level,
            bool(ex),
            desc,
            desc_en,
            category,
            note,
            sheet,
            row,
            orig,
            section,
            decode_sub_items(subs) if subs else (),
            _words(numbers),
            _words(mentioned),
            code_end,
            decode_attributes(attributes) if attributes else {},
        )
        for (
            serial,
            code,
            level,
            ex,
            desc,
            desc_en,
            category,
            note,
            sheet,
            row,
            orig,
            section,
            code_end,
            subs,
            numbers,
            mentioned,
            attributes,
        ) in rows
    ]


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
    insert_item_rows(session, _item_rows(version_id, items, start))


def insert_item_rows(
    session: Session,
    rows: Iterator[tuple[Any, ...]],
    columns: Sequence[str] = ITEM_COLUMNS,
    fixed: Mapping[str, int] | None = None,
) -> None:
    """Bulk-insert ``item`` rows already made (as :func:`insert_items` makes them from
    items; :mod:`exportctl.listcolumns` from columns).

    Args:
        session: The session whose transaction writes them.
        rows: Each a tuple of the values of ``columns``, in that order.
        columns: Item columns (:data:`ITEM_COLUMNS` by default: every one).
        fixed: Columns outside ``columns`` holding the same integer (or boolean) in
            every row: on SQLite written once into the statement rather than bound
            for each row (binding a value costs more than SQLite's own work on it).
            A column in neither is left to the table's default (``NULL`` where it
            has none).
    """
    fixed = dict(fixed or {})
    unknown = [name for name in (*columns, *fixed) if name not in ITEM_COLUMNS]
    if unknown or set(columns) & set(fixed):
        raise ValueError(f"not item columns, or given twice: {unknown or sorted(fixed)}")
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        _insert_sqlite(conn, rows, columns, fixed)
        return
    if fixed:
        tail = tuple(fixed.values())
        columns = (*columns, *fixed)
        rows = (row + tail for row in rows)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _insert_copy(conn, rows, columns)
    else:
        _insert_core(conn, rows, columns)


def _item_rows(
    version_id: int, items: Iterable[ItemRecord], start: int = 0
) -> Iterator[tuple[Any, ...]]:
    for position, item in enumerate(items, start):
        if item.sub_items or item.control_numbers or item.mentioned_codes or item.attributes:
            yield (
                version_id,
                position,
                *_scalar_values(item),
                encode_sub_items(item.sub_items),
                " ".join(item.control_numbers) or None,
                " ".join(item.mentioned_codes) or None,
                encode_attributes(item.attributes),
            )
        else:
            yield (version_id, position, *_scalar_values(item), None, None, None, None)


def _column_list(conn: Connection, columns: Sequence[str]) -> str:
    quote = conn.dialect.identifier_preparer.quote
    return ", ".join(quote(name) for name in columns)


SQLITE_ROWS_PER_INSERT = 100
"""Rows one SQLite ``INSERT`` writes (as many as its parameters allow): stepping a
statement once per row costs more than binding the row's values."""


def _insert_sqlite(
    conn: Connection,
    rows: Iterator[tuple[Any, ...]],
    columns: Sequence[str] = ITEM_COLUMNS,
    fixed: Mapping[str, int] | None = None,
) -> None:
    fixed = fixed or {}
    # int() of each fixed value: only a number is ever written into the statement.
    one = "(" + ", ".join(["?"] * len(columns) + [str(int(v)) for v in fixed.values()]) + ")"
    head = f"INSERT INTO item ({_column_list(conn, (*columns, *fixed))}) VALUES "
    limit = getattr(conn.connection.dbapi_connection, "getlimit", None)
    most = limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if limit is not None else 999
    per = max(1, min(SQLITE_ROWS_PER_INSERT, most // max(len(columns), 1)))
    many = head + ", ".join([one] * per)
    flat = itertools.chain.from_iterable
    with _cursor(conn) as cursor:
        while chunk := list(itertools.islice(rows, INSERT_CHUNK)):
            whole = len(chunk) - len(chunk) % per
            if whole:
                cursor.executemany(
                    many, [tuple(flat(chunk[at : at + per])) for at in range(0, whole, per)]
                )
            if whole < len(chunk):
                cursor.executemany(head + one, chunk[whole:])


def _insert_copy(
    conn: Connection, rows: Iterator[tuple[Any, ...]], columns: Sequence[str] = ITEM_COLUMNS
) -> None:
    statement = f"COPY item ({_column_list(conn, columns)}) FROM STDIN"
    with _cursor(conn) as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_core(
    conn: Connection, rows: Iterator[tuple[Any, ...]], columns: Sequence[str] = ITEM_COLUMNS
) -> None:
    table = Item.__table__  # type: ignore[attr-defined]
    while chunk := list(itertools.islice(rows, INSERT_CHUNK)):
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in chunk])
