"""Opening and creating the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from exportctl import db
from exportctl.i18n import _

if TYPE_CHECKING:
    pass


def _sha256_file(path: Path) -> str:
    from exportctl.readers import sha256_file

    return sha256_file(path)


def _keyed(engine: Engine, audit_key: bytes | None) -> Engine:
    """The engine, carrying the audit key to every event it appends (and check)."""
    if audit_key is None:
        return engine
    from exportctl.store.audit import AUDIT_KEY_OPTION

    return engine.execution_options(**{AUDIT_KEY_OPTION: audit_key})


def open_database(url: str, *, create: bool = False, audit_key: bytes | None = None) -> Engine:
    """Open the database at ``url``; with ``create``, bring its schema to head first.

    Args:
        url: The database URL.
        create: Create the schema, or upgrade it to head.
        audit_key: A key kept outside the database (``EXPORTCTL_AUDIT_KEY``): every
            event written through the engine is signed with it, and ``audit verify``
            and the version checks check the signatures.

    Raises:
        SchemaOutOfDateError: Without ``create``, the schema is not at head.
        ConfigError: The URL cannot be used; without ``create``, the SQLite file
            does not exist (nothing is created).
    """
    engine = _keyed(db.create_db_engine(url, create=create), audit_key)
    try:
        if create:
            db.upgrade(engine)
        db.assert_at_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def init_database(
    url: str, *, audit_key: bytes | None = None
) -> tuple[Engine, str | None, str | None]:
    """Create or upgrade the schema; returns the (closed) engine and revisions before, after.

    An upgrade that records digests signs its event with ``audit_key``.
    """
    engine = _keyed(db.create_db_engine(url), audit_key)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        return engine, before, db.current_revision(engine)
    finally:
        engine.dispose()


def backup_database(engine: Engine, target: Path, *, actor: str) -> str:
    """Copy a SQLite database, consistent while others write, to ``target``.

    Uses SQLite's online backup API, page by page, into a temporary file beside
    ``target`` that replaces it only when complete. The copy is checked with
    ``PRAGMA integrity_check`` and recorded in the audit log with its SHA-256.

    Returns:
        The SHA-256 of the backup file.

    Raises:
        ConfigError: The database is not SQLite (PostgreSQL: use ``pg_dump``).
        InputError: The copy failed its integrity check.
    """
    import os
    import sqlite3

    from exportctl import store
    from exportctl.errors import ConfigError, InputError
    from exportctl.reports.files import publish_file, temp_beside
    from exportctl.reports.registry import new_file_mode

    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigError(
            _(
                "exportctl db backup copies SQLite databases; for {url} use pg_dump (e.g. "
                "pg_dump --format=custom --file exportctl.dump DBNAME) and pg_restore to "
                "restore it"
            ).format(url=db.safe_url(str(url)))
        )
    # As for reports: a new name is claimed exclusively before the commit, an
    # existing file (the caller allowed it) is replaced only after it.
    replaces = target.exists()
    temp = temp_beside(target)
    try:
        source = sqlite3.connect(url.database, timeout=db.sqlite_busy_timeout())
        copy = sqlite3.connect(temp)
        try:
            source.backup(copy, pages=1024)
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if verdict != "ok":
            raise InputError(
                _("the backup failed its integrity check: {verdict}").format(verdict=verdict)
            )
        os.chmod(temp, new_file_mode())
        sha = _sha256_file(temp)
        claimed = False
        try:
            with store.session_scope(engine) as session:
                store.record_event(
                    session,
                    action="backup",
                    actor=actor,
                    file=target.name,
                    sha256=sha,
                    detail={"database": db.safe_url(str(url))},
                )
                session.flush()
                if not replaces:
                    publish_file(temp, target, replace=False)
                    claimed = True
        except BaseException:
            if claimed:
                target.unlink(missing_ok=True)
            raise
        if replaces:
            publish_file(temp, target, replace=True)
    finally:
        temp.unlink(missing_ok=True)
    return sha
