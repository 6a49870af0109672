"""Every write path fails with one sentence and exit 2, never a traceback or exit 3."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import RunCli

ROOT = Path(__file__).resolve().parents[1]


def _audit_count(url: str) -> int:
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return int(conn.execute("select count(*) from audit_event").fetchone()[0])


def _diff(*extra: object) -> tuple[str, ...]:
    return ("diff", "2024-02", "2024-06", "--list", "kr-russia", *map(str, extra))


def test_o_never_replaces_the_database(run_cli: RunCli, lists_db: str) -> None:
    database = Path(lists_db.removeprefix("sqlite:///"))
    before = database.read_bytes()[:100]
    result = run_cli(*_diff("-o", database, "--format", "csv", "--force"), db=lists_db)
    assert result.exit_code == 2
    assert "is the database" in result.stderr and "Traceback" not in result.output
    assert database.read_bytes()[:100] == before


def test_o_refuses_devices_folders_and_missing_folders(
    tmp_path: Path, run_cli: RunCli, lists_db: str
) -> None:
    events = _audit_count(lists_db)
    for target, words in (
        (Path("/dev/null"), "not a regular file"),
        (tmp_path, "is a directory"),
        (tmp_path / "missing" / "changes.csv", "does not exist"),
    ):
        result = run_cli(*_diff("-o", target, "--format", "csv", "--force"), db=lists_db)
        assert result.exit_code == 2, target
        assert words in result.stderr and "Traceback" not in result.output
    assert _audit_count(lists_db) == events


def test_o_through_a_symlink_needs_force(tmp_path: Path, run_cli: RunCli, lists_db: str) -> None:
    real = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    refused = run_cli(*_diff("-o", link), db=lists_db)
    assert refused.exit_code == 2 and "symbolic link" in refused.stderr
    assert not real.exists()
    run_cli(*_diff("-o", link, "--force"), db=lists_db)
    assert real.read_bytes().startswith(b"\xef\xbb\xbf")


def _cli(args: list[str], db: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXPORTCTL_DATABASE_URL": db}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "exportctl", *args], env=env, timeout=120, **kwargs
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_is_one_sentence_and_nothing_is_audited(lists_db: str) -> None:
    events = _audit_count(lists_db)
    with open("/dev/full", "wb") as full:
        done = _cli([*_diff("--format", "csv")], lists_db, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.decode().strip().splitlines()
    assert lines[-1] == "Error: no space left on the device; nothing was written"
    assert "Traceback" not in done.stderr.decode()
    assert _audit_count(lists_db) == events


def test_a_closed_stdout_is_one_sentence(lists_db: str) -> None:
    done = _cli(
        [*_diff("--format", "csv")],
        lists_db,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 2, done.stderr
    assert "standard output is closed" in done.stderr.decode()


def test_a_busy_sqlite_database_is_said_not_a_traceback(
    tmp_path: Path, run_cli: RunCli, lists_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = write_list_workbook(tmp_path / "x.xlsx", simple_rows(["010121"]), two_row_header=False)
    monkeypatch.setenv("EXPORTCTL_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(lists_db.removeprefix("sqlite:///"), timeout=0)
    holder.execute("begin immediate")
    try:
        args = ("import", "--create-list", book, "--list", "other", "--version", "v1")
        result = run_cli(*args, db=lists_db)
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 2, result.output
    assert "another exportctl is writing" in result.stderr
    assert "Traceback" not in result.output
    versions = run_cli("versions", "--list", "kr-russia", db=lists_db, ok=True)
    assert "v1" not in versions.stdout


def test_db_backup_copies_a_working_database_and_records_it(
    tmp_path: Path, run_cli: RunCli, lists_db: str
) -> None:
    target = tmp_path / "backup.db"
    result = run_cli("db", "backup", target, "--json", db=lists_db, ok=True)
    sha = json.loads(result.stdout)["sha256"]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == sha
    copy = f"sqlite:///{target}"
    shown = run_cli("versions", "--list", "kr-russia", db=copy, ok=True).stdout
    assert "2024-02" in shown and "2024-06" in shown
    run_cli("audit", "verify", db=copy, ok=True)
    audit = json.loads(run_cli("audit", "--json", db=lists_db, ok=True).stdout)
    events = audit["events"] if isinstance(audit, dict) else audit
    assert events[-1]["action"] == "backup" and events[-1]["sha256"] == sha
    again = run_cli("db", "backup", target, db=lists_db)
    assert again.exit_code == 2 and "already exists" in again.stderr
    onto_itself = run_cli(
        "db", "backup", lists_db.removeprefix("sqlite:///"), "--force", db=lists_db
    )
    assert onto_itself.exit_code == 2 and "is the database" in onto_itself.stderr


@pytest.mark.postgres
def test_db_backup_on_postgresql_points_to_pg_dump(
    tmp_path: Path, run_cli: RunCli, postgres_url: str
) -> None:
    run_cli("init", db=postgres_url, ok=True)
    result = run_cli("db", "backup", tmp_path / "x.db", db=postgres_url)
    assert result.exit_code == 2 and "pg_dump" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_report_is_not_delivered_when_its_audit_event_cannot_be_written(
    tmp_path: Path, run_cli: RunCli, lists_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_BUSY_TIMEOUT", "0.2")
    target = tmp_path / "changes.csv"
    holder = sqlite3.connect(lists_db.removeprefix("sqlite:///"), timeout=0)
    holder.execute("begin immediate")
    try:
        result = run_cli(*_diff("-o", target), db=lists_db)
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 2 and "another exportctl is writing" in result.stderr
    assert not target.exists()
    assert not list(tmp_path.glob(".*.part"))


def test_screen_never_replaces_its_own_catalogue(
    tmp_path: Path, run_cli: RunCli, lists_db: str
) -> None:
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("SKU,Description,HS code\nA1,pump,8413.70\n", encoding="utf-8")
    before = catalogue.read_bytes()
    args = ("screen", catalogue, "--list", "kr-russia", "-o", catalogue, "--force")
    result = run_cli(*args, db=lists_db)
    assert result.exit_code == 2 and "is an input of this command" in result.stderr
    assert catalogue.read_bytes() == before
