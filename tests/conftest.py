"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable) and a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from exportctl.cli import cli
from exportctl.hscode import Nomenclature

POSTGRES_URL = os.environ.get(
    "EXPORTCTL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("EXPORTCTL_REQUIRE_POSTGRES") == "1"
SHARED = Path(
    os.environ.get("EXPORTCTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared")
)


@pytest.fixture(autouse=True)
def _english_reports_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read reports in English by default, whatever the machine's locale, and with
    no user config file; a test that wants Korean says --lang ko (or sets LANG itself)."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("EXPORTCTL_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", os.devnull + "-no-config")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not reachable" here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


@pytest.fixture(scope="session")
def postgres_base_url() -> str:
    """The PostgreSQL URL, or a skip with the reason (a failure when CI requires it)."""
    problem = _postgres_reachable()
    if problem:
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_base_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_base_url)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    sep = "&" if "?" in postgres_base_url else "?"
    yield f"{postgres_base_url}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'drop schema "{schema}" cascade'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's folder (not initialised)."""
    return f"sqlite:///{tmp_path / 'exportctl.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'exportctl.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Invoke the real CLI group; ``run_cli(*args, db=url, ok=True)``."""
    monkeypatch.delenv("EXPORTCTL_DATABASE_URL", raising=False)

    def run(*args: Any, db: str | None = None, ok: bool | None = None, **kwargs: Any) -> Result:
        argv = [str(a) for a in args]
        if db is not None:
            argv = ["--db", db, *argv]
        result = CliRunner().invoke(cli, argv, catch_exceptions=False, **kwargs)
        if ok is True:
            assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def initialised(run_cli: RunCli, db_url: str) -> str:
    """``db_url`` after ``exportctl init``."""
    run_cli("init", db=db_url, ok=True)
    return db_url


@pytest.fixture
def lists_db(tmp_path: Path, run_cli: RunCli, sqlite_url: str) -> str:
    """kr-russia in SQLite: 2024-02 (1,159), 2024-06 (+243 by --additions), 2024-07 (edited,
    effective only in 2099)."""
    run_cli("init", db=sqlite_url, ok=True)
    codes = sorted(Nomenclature.load("2022").codes(6))[:1402]
    base = write_list_workbook(
        tmp_path / "base.xlsx", simple_rows(codes[:1159]), two_row_header=False
    )
    adds = write_list_workbook(
        tmp_path / "adds.xlsx", simple_rows(codes[1159:], start=1160), two_row_header=False
    )
    edited_rows = simple_rows(codes[1:1402])
    edited_rows[0] = (1, codes[1], "-2+3 기타 <b>", "Other & more", "첨단소재", None)
    edited = write_list_workbook(tmp_path / "edited.xlsx", edited_rows, two_row_header=False)
    run_cli(
        "import",
        "--create-list",
        "--approve",
        base,
        "--list",
        "kr-russia",
        "--version",
        "2024-02",
        "--effective",
        "2024-02-24",
        "--declared-total",
        "1159",
        db=sqlite_url,
        ok=True,
    )
    run_cli(
        "import",
        "--create-list",
        "--approve",
        adds,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "--base",
        "2024-02",
        "--additions",
        "--effective",
        "2024-08-30",
        "--declared-added",
        "243",
        "--declared-total",
        "1402",
        db=sqlite_url,
        ok=True,
    )
    run_cli(
        "import",
        "--create-list",
        "--approve",
        edited,
        "--list",
        "kr-russia",
        "--version",
        "2024-07",
        # Approval needs a date; a far one keeps 2024-06 the version in force today.
        "--effective",
        "2099-12-31",
        db=sqlite_url,
        ok=True,
    )
    return sqlite_url
