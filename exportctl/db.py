"""Engines, SQLite pragmas, and running the Alembic migrations from code."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from exportctl.errors import ConfigError, SchemaOutOfDateError
from exportctl.i18n import N_, _

UPGRADE_HINT = N_("run `exportctl init` (or `exportctl db upgrade`)")


def safe_url(url: str) -> str:
    """The URL with any password replaced by ``***``, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


SQLITE_BUSY_SECONDS = 30.0
"""How long a SQLite connection waits for another writer to finish before giving up."""
ENV_BUSY_TIMEOUT = "EXPORTCTL_BUSY_TIMEOUT"


def sqlite_busy_timeout() -> float:
    """Seconds to wait on a busy SQLite database: ``EXPORTCTL_BUSY_TIMEOUT`` or 30."""
    import os

    value = os.environ.get(ENV_BUSY_TIMEOUT, "")
    try:
        return max(0.0, float(value)) if value else SQLITE_BUSY_SECONDS
    except ValueError:
        return SQLITE_BUSY_SECONDS


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str, *, create: bool = True) -> Engine:
    """Create an engine; for SQLite, turn on WAL and foreign keys.

    Args:
        url: SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://...``).
        create: For SQLite, create the file's folder (the database file follows on
            first use). Without it, a missing file is refused and nothing is created:
            a command that only reads must not leave an empty database behind.

    Raises:
        ConfigError: The URL cannot be parsed or its driver is not installed; the
            SQLite file is missing (without ``create``), not a regular file, or not
            a database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(_("database URL {url} cannot be parsed").format(url=repr(url))) from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                path = Path(parsed.database).expanduser()
                _refuse_what_is_not_a_file(path, create=create)
                _refuse_a_file_that_is_not_sqlite(path)
                if create:
                    path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": sqlite_busy_timeout()})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            _("no driver for database URL {url}; use sqlite:/// or postgresql+psycopg://").format(
                url=safe_url(url)
            )
        ) from exc


def _refuse_what_is_not_a_file(path: Path, *, create: bool) -> None:
    """Refuse a ``--db`` that is missing (unless it is to be created) or not a regular file.

    SQLite would block on a FIFO, read zeros from ``/dev/zero`` (and put its
    ``-wal`` file beside it), so such a path is refused as every input is.

    Raises:
        ConfigError: Saying which, and what to do.
    """
    from exportctl.inputs import not_regular

    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        if create:
            return
        raise ConfigError(
            _(
                "no such database {path}; run `exportctl init` to create it, or give --db the "
                "exportctl database"
            ).format(path=path)
        ) from None
    except OSError:
        return  # Unreadable: SQLite says so, as before.
    what = not_regular(mode)
    if what is not None:
        raise ConfigError(
            _("{path} is {what}, not a database file; give --db the exportctl database").format(
                path=path, what=what
            )
        )


_SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file (https://sqlite.org/fileformat.html)."""


def _refuse_a_file_that_is_not_sqlite(path: Path) -> None:
    """Refuse a ``--db`` file that exists and is not an SQLite database.

    An empty file is allowed: SQLite makes it a new database. Anything else must
    start with SQLite's header, else SQLite would say "file is not a database" on
    the first query, deep inside a command.

    Raises:
        ConfigError: It is not a database.
    """
    if not path.is_file():
        return  # Missing (created later), or a folder or pipe SQLite refuses itself.
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError:
        return  # Unreadable: SQLite says so, as before.
    if head and head != _SQLITE_MAGIC:
        raise ConfigError(
            _(
                "{path} is not an SQLite database (its first bytes are not SQLite's); "
                "give --db the exportctl database, or a new file name to create one"
            ).format(path=path)
        )


def migrations_dir() -> Path:
    """The Alembic script folder: inside the installed package, or the checkout's top level."""
    packaged = Path(__file__).resolve().parent / "migrations"
    if (packaged / "env.py").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "migrations"
    if (checkout / "env.py").is_file():
        return checkout
    raise ConfigError(
        _("the migrations folder is missing from this installation; reinstall exportctl")
    )


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


_REVISION_LINE = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_LINE = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def head_revision() -> str | None:
    """The newest revision id shipped with this installation.

    Read from the revision files' ``revision =`` / ``down_revision =`` lines so that
    every command can check the schema without importing Alembic; Alembic's own
    script directory decides when the files cannot be read that simply.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION_LINE.search(source)
        down = _DOWN_LINE.search(source)
        if found is None or down is None:
            return _alembic_head()
        revisions.add(found.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    heads = revisions - parents
    if len(heads) != 1:
        return _alembic_head()
    return heads.pop()


def _alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("select version_num from alembic_version")).scalars()
            versions = list(rows)
    except (OperationalError, DatabaseError) as exc:
        raise ConfigError(_cannot_open(engine, exc)) from exc
    return versions[0] if len(versions) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    from alembic import command

    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
    except (OperationalError, DatabaseError) as exc:
        raise ConfigError(_cannot_open(engine, exc)) from exc


def _cannot_open(engine: Engine, exc: Exception) -> str:
    return _("cannot open database {url}: {reason}").format(
        url=safe_url(str(engine.url)), reason=_first_line(exc)
    )


def assert_at_head(engine: Engine) -> None:
    """Refuse a database whose schema is not the newest.

    Raises:
        SchemaOutOfDateError: The database is empty or at an older revision.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    where = safe_url(str(engine.url))
    if current is None:
        if inspect_tables(engine):
            raise SchemaOutOfDateError(
                _("database {url} has tables but no exportctl schema version; {hint}").format(
                    url=where, hint=_(UPGRADE_HINT)
                )
            )
        raise SchemaOutOfDateError(
            _("database {url} is not initialised; {hint}").format(url=where, hint=_(UPGRADE_HINT))
        )
    raise SchemaOutOfDateError(
        _("database {url} is at schema {current}, this exportctl needs {head}; {hint}").format(
            url=where, current=current, head=head, hint=_(UPGRADE_HINT)
        )
    )


def inspect_tables(engine: Engine) -> list[str]:
    """Names of the tables present."""
    with engine.connect() as conn:
        return list(inspect(conn).get_table_names())


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return text.strip().splitlines()[0]
