"""Transactions and the driver's own cursor.

This module owns how the rest of :mod:`exportctl.store` talks to the database:
:func:`session_scope`, the transaction an import or a status change runs in,
and the helpers that read rows through the driver's cursor instead of
SQLAlchemy's result rows where a million rows make the difference.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine
from sqlmodel import Session


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


def _streamed_rows(
    connection: Connection, sql: str, params: Any, size: int
) -> Iterator[Sequence[Any]]:
    """The rows of ``sql`` through psycopg's cursor as PostgreSQL produces them,
    ``size`` at a time (with libpq 17 or later; one at a time before), so that the
    client works on the first rows while the server computes the next.

    Not a server-side cursor (SQLAlchemy's ``yield_per``): PostgreSQL never runs a
    cursor's query in parallel, which doubles the time of large joins on two cores.
    """
    chunk = size if _libpq_version() >= 170000 else 1
    with _cursor(connection) as cursor:
        yield from cursor.stream(sql, params, size=chunk)


def _libpq_version() -> int:
    from psycopg import pq

    return pq.version()
