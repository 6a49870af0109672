"""Opening and creating the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from exportctl import db

if TYPE_CHECKING:
    pass


def _sha256_file(path: Path) -> str:
    from exportctl.readers import sha256_file

    return sha256_file(path)


def open_database(url: str, *, create: bool = False) -> Engine:
    """Open the database at ``url``; with ``create``, bring its schema to head first.

    Raises:
        SchemaOutOfDateError: Without ``create``, the schema is not at head.
        ConfigError: The URL cannot be used.
    """
    engine = db.create_db_engine(url)
    try:
        if create:
            db.upgrade(engine)
        db.assert_at_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def init_database(url: str) -> tuple[Engine, str | None, str | None]:
    """Create or upgrade the schema; returns the (closed) engine and revisions before, after."""
    engine = db.create_db_engine(url)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        return engine, before, db.current_revision(engine)
    finally:
        engine.dispose()
