"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable) and a CLI runner.

Speed without losing isolation: ``exportctl init`` runs once per test process, and each test
gets a copy of the result (a file copy on SQLite, the recorded migration SQL replayed into a
fresh schema on PostgreSQL); ``lists_db`` is built once per process and copied the same way.
A test that depends on the database's dialect uses ``db_url`` (or ``initialised``) and runs on
both; one that does not (a CLI walk-through whose SQL the store tests already run on both)
says ``@pytest.mark.sqlite_only`` and runs once. The suite runs on every core
(pytest-xdist): everything a test writes is under its ``tmp_path`` or in its own schema.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from exportctl.api import DemoResult, ImportResult
from exportctl.cli import cli
from exportctl.hscode import Nomenclature

POSTGRES_URL = os.environ.get(
    "EXPORTCTL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("EXPORTCTL_REQUIRE_POSTGRES") == "1"
SHARED = Path(
    os.environ.get("EXPORTCTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared")
)


def _test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("EXPORTCTL_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", os.devnull + "-no-config")


@pytest.fixture(autouse=True)
def _english_reports_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read reports in English by default, whatever the machine's locale, and with
    no user config file; a test that wants Korean says --lang ko (or sets LANG itself)."""
    _test_environment(monkeypatch)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``db_url`` runs a test on SQLite and on PostgreSQL; on SQLite alone when the test or
    its module is marked ``sqlite_only``."""
    if "db_url" not in metafunc.fixturenames:
        return
    dialects: list[Any] = ["sqlite"]
    if metafunc.definition.get_closest_marker("sqlite_only") is None:
        dialects.append(pytest.param("postgres", marks=pytest.mark.postgres))
    metafunc.parametrize("db_url", dialects, indirect=True)


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


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs on SQLite and on PostgreSQL (SQLite alone if ``sqlite_only``)."""
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


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    assert database, url
    return Path(database)


def _checkpointed(path: Path) -> Path:
    """``path`` with its write-ahead log folded in, so the file alone is the database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("pragma wal_checkpoint(truncate)")
    finally:
        conn.close()
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file after ``exportctl init``, made once per test process. Copy it; never
    open it in place."""
    path = tmp_path_factory.mktemp("template") / "exportctl.db"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _test_environment(monkeypatch)
        monkeypatch.delenv("EXPORTCTL_DATABASE_URL", raising=False)
        result = CliRunner().invoke(cli, ["--db", f"sqlite:///{path}", "init"])
    assert result.exit_code == 0, result.output
    return _checkpointed(path)


Script = list[tuple[str, Any]]


@pytest.fixture(scope="session")
def postgres_init_script(postgres_base_url: str) -> Script:
    """The statements ``exportctl init`` sends to an empty PostgreSQL schema, recorded once
    per test process (reads left out) to be replayed into each test's fresh schema."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_base_url)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    sep = "&" if "?" in postgres_base_url else "?"
    script: Script = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().lower().startswith("select"):
            script.append((statement, parameters or None))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            _test_environment(monkeypatch)
            monkeypatch.delenv("EXPORTCTL_DATABASE_URL", raising=False)
            url = f"{postgres_base_url}{sep}options=-csearch_path%3D{schema}"
            result = CliRunner().invoke(cli, ["--db", url, "init"])
        assert result.exit_code == 0, result.output
    finally:
        event.remove(Engine, "before_cursor_execute", record)
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()
    return script


@pytest.fixture
def initialised(request: pytest.FixtureRequest, run_cli: RunCli, db_url: str) -> str:
    """``db_url`` after ``exportctl init`` (a copy of a database initialised once per test
    process: the same schema, made in a fraction of the time)."""
    if make_url(db_url).get_backend_name() == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), _sqlite_path(db_url))
        return db_url
    script: Script = request.getfixturevalue("postgres_init_script")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for statement, parameters in script:
                conn.exec_driver_sql(statement, parameters)
    finally:
        engine.dispose()
    return db_url


def _build_lists_db(folder: Path, url: str) -> None:
    """kr-russia in the database at ``url``, from workbooks written into ``folder``."""
    runner = CliRunner()

    def run(*args: Any) -> None:
        result = runner.invoke(cli, ["--db", url, *map(str, args)], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    codes = sorted(Nomenclature.load("2022").codes(6))[:1402]
    base = write_list_workbook(
        folder / "base.xlsx", simple_rows(codes[:1159]), two_row_header=False
    )
    adds = write_list_workbook(
        folder / "adds.xlsx", simple_rows(codes[1159:], start=1160), two_row_header=False
    )
    edited_rows = simple_rows(codes[1:1402])
    edited_rows[0] = (1, codes[1], "-2+3 기타 <b>", "Other & more", "첨단소재", None)
    edited = write_list_workbook(folder / "edited.xlsx", edited_rows, two_row_header=False)
    run(
        "import", "--create-list", "--approve", base, "--list", "kr-russia",
        "--version", "2024-02", "--effective", "2024-02-24", "--declared-total", "1159",
    )  # fmt: skip
    run(
        "import", "--create-list", "--approve", adds, "--list", "kr-russia",
        "--version", "2024-06", "--base", "2024-02", "--additions", "--effective", "2024-08-30",
        "--declared-added", "243", "--declared-total", "1402",
    )  # fmt: skip
    run(
        "import", "--create-list", "--approve", edited, "--list", "kr-russia",
        "--version", "2024-07",
        # Approval needs a date; a far one keeps 2024-06 the version in force today.
        "--effective", "2099-12-31",
    )  # fmt: skip


# What a build may read besides its code: who imports, in which zone and language.
_BUILD_ENV = ("EXPORTCTL_ACTOR", "EXPORTCTL_CONFIG", "TZ", "LANG", "LC_ALL", "LC_MESSAGES")

Build = Callable[[Path, str], object]


@pytest.fixture(scope="session")
def _builds(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Path]:
    """Folders built by :func:`build_once`, by name and environment."""
    return {}


BuildOnce = Callable[..., str]


@pytest.fixture
def build_once(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    _builds: dict[Any, Path],
) -> BuildOnce:
    """``build_once(db_url, build)``: ``build(folder, url)`` fills the database at ``url``
    (initialised: a SQLite file not made yet is first made as ``initialised`` makes it) and
    writes its files into ``folder``. On SQLite it runs once per test
    process and environment, in a folder of its own holding a copy of the database; each
    test then gets a copy of that folder in its ``tmp_path``, the database at ``db_url``
    included. On PostgreSQL it runs for each test, in ``tmp_path``. Returns ``db_url``.

    Builds are told apart by their function (give ``variant=`` when one function builds
    several things). A build writes nothing outside ``folder`` and the database, and stores
    file names rather than paths (the copy lives elsewhere)."""

    def build_or_copy(db_url: str, build: Build, *, variant: object = None) -> str:
        if make_url(db_url).get_backend_name() != "sqlite":
            build(tmp_path, db_url)
            return db_url
        database = _sqlite_path(db_url)
        assert database.parent == tmp_path, db_url
        if not database.exists():
            shutil.copyfile(request.getfixturevalue("sqlite_template"), database)
        key = (build.__module__, build.__qualname__, variant)
        key += tuple(os.environ.get(name) for name in _BUILD_ENV)
        template = _builds.get(key)
        if template is None:
            template = tmp_path_factory.mktemp("built")
            shutil.copyfile(database, template / database.name)
            build(template, f"sqlite:///{template / database.name}")
            _checkpointed(template / database.name)
            _builds[key] = template
        shutil.copytree(template, tmp_path, dirs_exist_ok=True)
        return db_url

    return build_or_copy


@pytest.fixture
def lists_db(run_cli: RunCli, sqlite_url: str, build_once: BuildOnce) -> str:
    """kr-russia in SQLite: 2024-02 (1,159), 2024-06 (+243 by --additions), 2024-07 (edited,
    effective only in 2099); the workbooks imported (base.xlsx, adds.xlsx, edited.xlsx) lie
    beside it in ``tmp_path``. Built once per test process (and environment), then copied."""
    return build_once(sqlite_url, _build_lists_db)


# --- the demo, run once --------------------------------------------------------------------


@dataclass
class DemoRun:
    """One real ``exportctl demo`` run, shared by every test that reads it: never write into
    ``out`` (copy what you change; :func:`copy_demo` does)."""

    output: Result
    """The command's result (its stdout is the summary people read)."""
    out: Path
    """The folder it wrote: the database, the change and screening reports."""
    result: DemoResult
    """What ``run_demo`` returned to the command."""
    reads: dict[str, ImportResult]
    """Each sample file the demo read without storing, by file name: the notice's PDF and
    the real-layout sample. A test that reruns the demo can hand these back instead of
    reading the PDF again (see :func:`reuse_reads`)."""


_PDF_BOOKS: dict[tuple[str, object], Any] = {}


def read_pdfs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF read once per test process for its bytes and caps: a read book is a value, and
    the demo and the samples' build each read the notice's 48-page PDF (the same bytes: the
    packaged sample is what the build writes, which test_samples checks)."""
    import hashlib

    from exportctl.readers import pdf

    real = pdf.open_book

    def read(checked: Any) -> Any:
        key = (hashlib.sha256(checked.path.read_bytes()).hexdigest(), checked.limits)
        if key not in _PDF_BOOKS:
            _PDF_BOOKS[key] = real(checked)
        return _PDF_BOOKS[key]

    monkeypatch.setattr(pdf, "open_book", read)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``exportctl demo`` run once per test process (the tests using it share one worker)."""
    import exportctl.api as api
    import exportctl.api.demo as demo_module

    out = tmp_path_factory.mktemp("demo")
    returned: list[DemoResult] = []
    reads: dict[str, ImportResult] = {}
    run_demo, validate_workbook = api.run_demo, demo_module.validate_workbook

    def keep_result(*args: Any, **kwargs: Any) -> DemoResult:
        returned.append(run_demo(*args, **kwargs))
        return returned[-1]

    def keep_read(path: Path, *args: Any, **kwargs: Any) -> ImportResult:
        reads[Path(path).name] = validate_workbook(path, *args, **kwargs)
        return reads[Path(path).name]

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(api, "run_demo", keep_result)
        monkeypatch.setattr(demo_module, "validate_workbook", keep_read)
        read_pdfs_once(monkeypatch)
        output = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert output.exit_code == 0, output.output
    [result] = returned
    return DemoRun(output=output, out=out, result=result, reads=reads)


def copy_demo(demo: DemoRun, folder: Path) -> Path:
    """A copy of the demo's folder, to change or to run the demo into again."""
    shutil.copytree(demo.out, folder)
    return folder


def reuse_reads(
    monkeypatch: pytest.MonkeyPatch,
    demo: DemoRun,
    change: Callable[[ImportResult], ImportResult] | None = None,
) -> None:
    """Make the demo hand back ``demo``'s reads of the notice's PDF (through ``change`` if
    given) instead of reading it again: the seconds a rerun spends are the PDF's."""
    import exportctl.api.demo as demo_module

    real = demo_module.validate_workbook

    def read(path: Path, *args: Any, **kwargs: Any) -> ImportResult:
        if Path(path).name != demo_module.DEMO_JUNE:
            return real(path, *args, **kwargs)
        kept = demo.reads[demo_module.DEMO_JUNE]
        # A fresh list each time: a caller may change the items it is handed.
        kept = dataclasses.replace(
            kept, report=dataclasses.replace(kept.report, items=list(kept.report.items))
        )
        return change(kept) if change is not None else kept

    monkeypatch.setattr(demo_module, "validate_workbook", read)


# --- running on every core ----------------------------------------------------------------

SHARED_RUNS = {"demo_run": "demo"}
"""Session fixtures worth building once: the modules using them share one worker (the group)."""
_WIDER_FIXTURE = re.compile(r"""scope\s*=\s*["'](?:module|class|package|session)["']""")


def _unit_of(root: Path, nodeid: str, cache: dict[str, str | None]) -> str:
    """The unit of work a test is sent to a worker in: its group when its module uses one
    of :data:`SHARED_RUNS`, its module when the module declares a fixture wider than a test
    (so that it is built once), else the test alone."""
    module = nodeid.split("::")[0]
    if module not in cache:
        try:
            source = (root / module).read_text(encoding="utf-8")
        except OSError:
            source = ""
        used = [group for name, group in SHARED_RUNS.items() if re.search(rf"\b{name}\b", source)]
        cache[module] = used[0] if used else module if _WIDER_FIXTURE.search(source) else None
    return cache[module] or nodeid


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` (the default in pyproject.toml), with the groups that
    :func:`_unit_of` gives as well as ``xdist_group`` marks. Units are handed out largest
    first, so the long ones do not start last."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    root, cache = config.rootpath, dict[str, str | None]()

    class SharedFixtureScheduling(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            marked = str(super()._split_scope(nodeid))
            return marked if marked != nodeid else _unit_of(root, nodeid, cache)

    return SharedFixtureScheduling(config, log)
