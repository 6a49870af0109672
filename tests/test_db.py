"""Migrations on SQLite and PostgreSQL, drift between models and revisions, at-head checks."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from exportctl import db
from exportctl.config import resolve_database_url
from exportctl.errors import ConfigError, SchemaOutOfDateError
from exportctl.models import SQLModel


def test_upgrade_head_then_no_drift(db_url: str) -> None:
    engine = db.create_db_engine(db_url)
    with pytest.raises(SchemaOutOfDateError, match="not initialised"):
        db.assert_at_head(engine)
    db.upgrade(engine)
    db.assert_at_head(engine)
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    db.upgrade(engine)  # idempotent
    engine.dispose()


def test_sqlite_uses_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = db.create_db_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1
    engine.dispose()


def test_older_schema_is_refused_with_the_upgrade_hint(sqlite_url: str) -> None:
    engine = db.create_db_engine(sqlite_url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '20000101_0000'"))
    with pytest.raises(SchemaOutOfDateError, match="exportctl db upgrade"):
        db.assert_at_head(engine)
    engine.dispose()


def test_urls_resolve_flag_then_env_then_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"EXPORTCTL_DATABASE_URL": "postgresql+psycopg://u:secret@h/d"}
    assert resolve_database_url("sqlite:///x.db", env) == "sqlite:///x.db"
    assert resolve_database_url(None, env) == env["EXPORTCTL_DATABASE_URL"]
    assert resolve_database_url(None, {}).endswith("exportctl.db")
    assert resolve_database_url(str(tmp_path / "f.db"), {}) == f"sqlite:///{tmp_path / 'f.db'}"
    assert "secret" not in db.safe_url(env["EXPORTCTL_DATABASE_URL"])


def test_unusable_urls_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        db.create_db_engine("nosuchdriver://x")
    engine = create_engine("postgresql+psycopg://postgres:pw@127.0.0.1:1/none")
    with pytest.raises(ConfigError, match=r"\*\*\*"):
        db.current_revision(engine)


def test_migrations_folder_is_found() -> None:
    assert (db.migrations_dir() / "env.py").is_file()


def test_paused_gc_restores_the_collector_even_on_error() -> None:
    import gc

    from exportctl.bulk import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outermost block re-enables
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
