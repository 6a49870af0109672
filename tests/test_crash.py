"""Crashes and concurrency, kept true as the code grows: an import killed at any moment
leaves no partial version and no orphan rows, two writers at once never end in a
traceback, and readers keep working while an import runs (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import os
import signal
import time
from pathlib import Path

import cli_process
from conftest import RunCli
from sqlalchemy import create_engine, text

from exportctl.hscode import Nomenclature

ROOT = Path(__file__).resolve().parents[1]


def _list_csv(path: Path, count: int) -> Path:
    codes = sorted(Nomenclature.load("2022").codes(6))[:count]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["연번", "HS코드", "품목명"])
        writer.writerows([n, code, f"품목 {code}"] for n, code in enumerate(codes, start=1))
    return path


def _spawn(db: str, *args: object) -> cli_process.Captured:
    """``python -m exportctl ARGS`` on ``db``, in a process forked for it (:mod:`cli_process`)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXPORTCTL_DATABASE_URL": db}
    return cli_process.popen([str(arg) for arg in args], env=env)


def _finish(process: cli_process.Captured) -> tuple[int, str]:
    _out, err = process.communicate(timeout=300)
    return process.wait(), err


def _counts(db: str) -> tuple[int, int, int, int]:
    """Versions, orphan items, items, and the items the versions say they hold."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("select count(*) from version")).scalar_one()
            orphans = conn.execute(
                text("select count(*) from item where version_id not in (select id from version)")
            ).scalar_one()
            items = conn.execute(text("select count(*) from item")).scalar_one()
            declared = conn.execute(
                text("select coalesce(sum(item_count), 0) from version")
            ).scalar_one()
    finally:
        engine.dispose()
    return int(versions), int(orphans), int(items), int(declared)


def test_an_import_killed_at_any_moment_leaves_nothing_half_done(
    tmp_path: Path, run_cli: RunCli, db_url: str
) -> None:
    run_cli("init", db=db_url, ok=True)
    run_cli("lists", "create", "kr", "--name", "KR", db=db_url, ok=True)
    source = _list_csv(tmp_path / "list.csv", 5000)
    started = time.monotonic()
    code, err = _finish(_spawn(db_url, "import", source, "--list", "kr", "--version", "full"))
    assert code == 0, err
    took = time.monotonic() - started
    versions_before = _counts(db_url)[0]
    killed = 0
    for step, fraction in enumerate((0.1, 0.3, 0.5, 0.7, 0.9)):
        copy = tmp_path / f"list-{step}.csv"
        copy.write_bytes(source.read_bytes() + f"5001,9999.99,끝 {step}\n".encode())
        process = _spawn(db_url, "import", copy, "--list", "kr", "--version", f"k{step}")
        time.sleep(took * fraction)
        process.send_signal(signal.SIGKILL)
        code, _err = _finish(process)
        killed += code == -signal.SIGKILL
        versions, orphans, items, declared = _counts(db_url)
        assert orphans == 0, f"killed at {fraction:.0%}: orphan items"
        assert items == declared, f"killed at {fraction:.0%}: a version holds part of its items"
        assert versions in (versions_before, versions_before + 1)
        versions_before = versions
    assert killed, "every import finished before it could be killed"
    run_cli("audit", "verify", db=db_url, ok=True)
    last = _list_csv(tmp_path / "last.csv", 4000)
    code, err = _finish(_spawn(db_url, "import", last, "--list", "kr", "--version", "after"))
    assert code in (0, 1), err
    assert "Traceback" not in err


def test_two_imports_at_once_both_land_or_one_is_refused_in_words(
    tmp_path: Path, run_cli: RunCli, db_url: str
) -> None:
    run_cli("init", db=db_url, ok=True)
    sources = [_list_csv(tmp_path / f"list-{n}.csv", 3000 + n) for n in range(2)]
    processes = [
        _spawn(db_url, "import", src, "--create-list", "--list", "new", "--version", f"v{n}")
        for n, src in enumerate(sources)
    ]
    outcomes = [_finish(process) for process in processes]
    for code, err in outcomes:
        assert code in (0, 1, 2), err
        assert "Traceback" not in err and "unexpected" not in err, err
        if code != 0:
            assert err.strip().splitlines()[-1].startswith(("Error:", "warning", "  "))
    assert any(code == 0 for code, _ in outcomes)
    assert _counts(db_url)[1] == 0
    run_cli("audit", "verify", db=db_url, ok=True)


def test_readers_keep_working_during_an_import(
    tmp_path: Path, run_cli: RunCli, db_url: str
) -> None:
    run_cli("init", db=db_url, ok=True)
    small = _list_csv(tmp_path / "small.csv", 50)
    run_cli("import", small, "--create-list", "--list", "kr", "--version", "v1", db=db_url, ok=True)
    big = _list_csv(tmp_path / "big.csv", 5600)
    process = _spawn(db_url, "import", big, "--list", "kr", "--version", "v2", "-q")
    try:
        seen = 0
        while process.poll() is None and seen < 5:
            for args in (("show", "--list", "kr", "--version", "v1"), ("versions", "--list", "kr")):
                code, err = _finish(_spawn(db_url, *args))
                assert code == 0, err
            seen += 1
    finally:
        code, err = _finish(process)
    assert code in (0, 1), err
