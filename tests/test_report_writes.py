"""A report never silently loses another: exclusive creation, --force that waits for
the commit, and no temporary file left behind by a killed run (issue 22, item 4)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from click.testing import CliRunner
from conftest import BuildOnce, RunCli
from sqlalchemy.orm import Session

from exportctl import store
from exportctl.hscode import Nomenclature
from exportctl.reports import files, registry


@pytest.fixture
def small_db(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:
    """One list with one approved version ``v1`` on SQLite and PostgreSQL."""

    def build(folder: Path, db: str) -> None:
        codes = sorted(Nomenclature.load("2022").codes(6))[:12]
        book = write_list_workbook(folder / "v1.xlsx", simple_rows(codes), two_row_header=False)
        run_cli(
            "import", "--create-list", "--approve", book, "--list", "kr-test", "--version", "v1",
            "--effective", "2024-02-24", "--declared-total", "12", db=db, ok=True,
        )  # fmt: skip

    return build_once(initialised, build)


def _export(target: Path, *extra: str) -> list[str]:
    return ["export", "v1", "--list", "kr-test", "-o", str(target), *extra]


def _events(run_cli: RunCli, db: str) -> list[dict[str, Any]]:
    shown = json.loads(run_cli("audit", "--json", db=db, ok=True).stdout)
    events: list[dict[str, Any]] = shown if isinstance(shown, list) else shown["events"]
    return [e for e in events if e["action"] == "export"]


def _racer(db: str, target: str, barrier: Any, out: Any) -> None:
    """One of two runs: both have written their report before either delivers it."""
    from exportctl.cli import cli

    original = registry.Pending.__init__

    def waiting(self: registry.Pending, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        barrier.wait()

    registry.Pending.__init__ = waiting  # type: ignore[method-assign]
    result = CliRunner().invoke(cli, ["--db", db, *_export(Path(target))])
    out.put((result.exit_code, result.stderr, repr(result.exception)))


def test_two_runs_to_one_new_name_give_one_report_and_one_refusal(
    tmp_path: Path, run_cli: RunCli, small_db: str
) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2, timeout=60)
    out = context.Queue()
    target = tmp_path / "list.csv"
    runs = [
        context.Process(target=_racer, args=(small_db, str(target), barrier, out)) for _ in range(2)
    ]
    for run in runs:
        run.start()
    results = sorted(out.get(timeout=120) for _ in runs)
    for run in runs:
        run.join(30)
    assert [code for code, _, _ in results] == [0, 2], results
    refusal = results[1][1]
    assert "created by someone else" in refusal and str(target) in refusal
    assert ".part" not in refusal and len(refusal.strip().splitlines()) == 1
    # One file, one event, and the event is the file's.
    events = _events(run_cli, small_db)
    assert len(events) == 1
    import hashlib

    assert events[0]["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert not list(tmp_path.glob(".*.part"))


def _fail_the_commit_of_the_report_event(patch: pytest.MonkeyPatch) -> list[str]:
    """Make the commit that would record the report's event fail (the earlier ones pass)."""
    armed: list[str] = []
    record = store.record_event
    commit = Session.commit

    def recording(session: Session, **kwargs: Any) -> Any:
        armed.append(kwargs["action"])
        return record(session, **kwargs)

    def failing(self: Session) -> None:
        if armed:
            raise RuntimeError("commit failed")
        commit(self)

    patch.setattr(store, "record_event", recording)
    patch.setattr(Session, "commit", failing)
    return armed


def test_force_keeps_the_earlier_report_when_the_commit_fails(
    tmp_path: Path, run_cli: RunCli, small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "list.csv"
    target.write_bytes(b"the earlier report\n")
    before = len(_events(run_cli, small_db))

    with monkeypatch.context() as patch:
        _fail_the_commit_of_the_report_event(patch)
        failed = run_cli(*_export(target, "--force"), db=small_db)
    assert failed.exit_code != 0 and "Traceback" not in failed.output
    assert isinstance(failed.exception, RuntimeError) or "commit failed" in failed.output
    assert target.read_bytes() == b"the earlier report\n"
    assert not list(tmp_path.glob(".*.part"))
    assert len(_events(run_cli, small_db)) == before
    # With the commit working, --force replaces it.
    run_cli(*_export(target, "--force"), db=small_db, ok=True)
    assert target.read_bytes() != b"the earlier report\n"


def test_a_new_report_whose_commit_fails_is_taken_back(
    tmp_path: Path, run_cli: RunCli, small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "list.csv"

    with monkeypatch.context() as patch:
        _fail_the_commit_of_the_report_event(patch)
        failed = run_cli(*_export(target), db=small_db)
    assert failed.exit_code != 0
    assert not target.exists() and not list(tmp_path.glob(".*.part"))


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(
    tmp_path: Path, run_cli: RunCli, small_db: str
) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    host = files._host()
    stale = tmp_path / f".old.csv.exportctl-{host}-{dead.stdout.strip()}-x1y2.part"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".old.csv.exportctl-{host}-{os.getpid()}-a1b2.part"
    live.write_bytes(b"still being written")
    # Another machine's (a shared folder): its process id means nothing here.
    elsewhere = tmp_path / f".old.csv.exportctl-0000abcd-{dead.stdout.strip()}-x1y2.part"
    elsewhere.write_bytes(b"another machine's")
    other = tmp_path / ".notes.part"
    other.write_bytes(b"not ours")
    run_cli(*_export(tmp_path / "list.csv"), db=small_db, ok=True)
    assert not stale.exists()
    assert live.exists() and other.exists() and elsewhere.exists()


def test_a_temporary_file_is_named_after_its_target_and_process(tmp_path: Path) -> None:
    temp = registry.temp_beside(tmp_path / "r.pdf")
    assert temp.parent == tmp_path
    assert temp.name.startswith(
        f".r.pdf.exportctl-{files._host()}-{os.getpid()}-"
    ) and temp.name.endswith(".part")


def test_db_backup_force_keeps_the_earlier_backup_when_the_commit_fails(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    target = tmp_path / "backup.db"
    target.write_bytes(b"the earlier backup")
    with monkeypatch.context() as patch:
        _fail_the_commit_of_the_report_event(patch)
        failed = run_cli("db", "backup", target, "--force", db=sqlite_url)
    assert failed.exit_code != 0
    assert target.read_bytes() == b"the earlier backup"
    assert not list(tmp_path.glob(".*.part"))
    run_cli("db", "backup", target, "--force", db=sqlite_url, ok=True)
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


def test_db_backup_to_a_name_taken_meanwhile_is_refused(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    target = tmp_path / "backup.db"
    record = store.record_event

    def someone_else_writes_first(session: Session, **kwargs: Any) -> Any:
        target.write_bytes(b"someone else's file")
        return record(session, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(store, "record_event", someone_else_writes_first)
        refused = run_cli("db", "backup", target, db=sqlite_url)
    assert refused.exit_code == 2 and "created by someone else" in refused.stderr
    assert ".part" not in refused.stderr
    assert target.read_bytes() == b"someone else's file"
    assert not list(tmp_path.glob(".*.part"))


def _full_disk_writer(data: Any, path: Path, options: Any) -> None:
    raise OSError(28, "No space left on device", str(path))


def test_a_failed_write_names_the_report_never_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.reports.evidence import ReportOptions

    monkeypatch.setitem(
        registry.REPORTS,
        ("changes", "csv"),
        registry.Entry(f"{__name__}:_full_disk_writer", stream=True),
    )
    target = tmp_path / "changes.csv"
    with pytest.raises(OSError) as raised:
        registry.write_report("changes", "csv", None, target, ReportOptions())
    assert raised.value.filename == str(target) and ".part" not in str(raised.value)
    assert not list(tmp_path.iterdir())


def test_the_refusal_is_said_in_korean(
    tmp_path: Path, run_cli: RunCli, small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from english import english_sentences

    target = tmp_path / "list.csv"
    record = store.record_event

    def someone_else_writes_first(session: Session, **kwargs: Any) -> Any:
        target.write_bytes(b"someone else's file")
        return record(session, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(store, "record_event", someone_else_writes_first)
        refused = run_cli("--lang", "ko", *_export(target), db=small_db)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert english_sentences(refused.stderr) == []
    assert target.read_bytes() == b"someone else's file"
    assert _events(run_cli, small_db) == []


def test_a_killed_runs_stdout_temporary_file_is_removed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import tempfile

    from exportctl.reports.evidence import ReportOptions

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".stdout.exportctl-{files._host()}-{dead.stdout.strip()}-q1.part"
    stale.write_bytes(b"half a report")
    monkeypatch.setitem(
        registry.REPORTS, ("changes", "csv"), registry.Entry(f"{__name__}:_tiny_writer", True)
    )
    out = io.StringIO()
    registry.write_report("changes", "csv", None, out, ReportOptions())
    assert out.getvalue() == "a,b\n"
    assert list(tmp_path.iterdir()) == []


def _tiny_writer(data: Any, path: Path, options: Any) -> None:
    path.write_text("a,b\n", encoding="utf-8")
