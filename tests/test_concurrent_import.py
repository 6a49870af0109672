"""The same file imported twice at the same moment is stored once (issue 22, item 4).

Two real processes with exportctl loaded wait for a start file to appear, then import
the same workbook into the same list, on SQLite and PostgreSQL: one stores it,
the other is refused in one sentence (exit 2), and one version is stored.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cli_process
import pytest
from builders import simple_rows, write_list_workbook
from conftest import RunCli

from exportctl.hscode import Nomenclature

ROOT = Path(__file__).resolve().parents[1]

# Everything an import loads is loaded before the start line, so both processes
# reach the database within milliseconds of each other.
CHILD = """
import sys, time
from pathlib import Path
import openpyxl, exportctl.api.imports, exportctl.readers, exportctl.cli.imports
from exportctl.cli import cli
start = Path(sys.argv[1])
Path(sys.argv[2]).touch()
while not start.exists():
    time.sleep(0.002)
cli.main(sys.argv[3:], prog_name="exportctl")
"""


def _import_at_once(
    db: str, book: Path, labels: tuple[str, str], tmp_path: Path
) -> list[tuple[int, str]]:
    start = tmp_path / "start"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    runs = []
    for n, label in enumerate(labels):
        ready = tmp_path / f"ready-{n}"
        args = ["--db", db, "import", str(book), "--list", "kr-russia", "--version", label]
        runs.append(
            (
                ready,
                # Forked from a process that has loaded exportctl (cli_process).
                cli_process.popen(
                    [str(start), str(ready), *args], env=env, cwd=tmp_path, code=CHILD
                ),
            )
        )
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready, _ in runs):
        assert time.monotonic() < deadline, "the importers never got ready"
        time.sleep(0.01)
    start.touch()
    done = []
    for _, run in runs:
        _, err = run.communicate(timeout=300)
        done.append((run.wait(), err))
    return done


@pytest.mark.parametrize(
    "labels", [("2024-06", "2024-06-copy"), ("2024-06", "2024-06")], ids=["two-labels", "one-label"]
)
def test_one_file_imported_twice_at_once_is_stored_once(
    run_cli: RunCli, db_url: str, tmp_path: Path, labels: tuple[str, str]
) -> None:
    run_cli("init", db=db_url, ok=True)
    run_cli("lists", "create", "kr-russia", "--name", "Russia", db=db_url, ok=True)
    # Large enough that each import spends a while between its checks and its commit.
    codes = sorted(Nomenclature.load("2022").codes(6))[:800]
    book = write_list_workbook(tmp_path / "list.xlsx", simple_rows(codes), two_row_header=False)
    results = _import_at_once(db_url, book, labels, tmp_path)
    assert sorted(code for code, _ in results) == [0, 2], results
    refusal = next(err for code, err in results if code == 2)
    assert len(refusal.strip().splitlines()) == 1 and "Traceback" not in refusal, refusal
    if labels[0] != labels[1]:
        assert 'list.xlsx, sheet "별표2의2" was already imported into list "kr-russia"' in refusal
    else:
        assert 'list "kr-russia" already has a version "2024-06"' in refusal
    versions = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=db_url).stdout)
    assert len(versions) == 1 and versions[0]["count"] == 800
    assert run_cli("audit", "verify", db=db_url).exit_code == 0
