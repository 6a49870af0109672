"""A reader's worker never outlives its parent, however the parent dies.

An import killed with SIGKILL mid-read used to leave its forked reader blocked
forever, adopted by init, holding the caller's pipes and the database files. Here
the parent is killed while its worker is busy on a page that would take days, and
the worker must be gone within seconds; each of the two ties (the kernel's
parent-death signal, the pipe the worker watches) is tried alone too.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
import raw_pdf
from test_pdf_caps import MEMORY_LIMIT, ROOT, run

from exportctl.readers import box

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds processes through /proc"
)

GONE_WITHIN = 5.0
"""Seconds a worker may outlive its parent (it is killed at once; this is for slow CI)."""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def exportctl(*args: str, folder: Path) -> subprocess.Popen[str]:
    """``python -m exportctl --db folder/exportctl.db ARGS`` in a fresh interpreter with 2 GB
    of address space, its pipes this test's own: what a killed CLI leaves behind is the
    question here."""
    config = folder / "config.toml"
    config.touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXPORTCTL_CONFIG": str(config)}
    env["EXPORTCTL_ACTOR"] = "tester"
    env.pop("EXPORTCTL_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "exportctl", "--db", str(folder / "exportctl.db"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_cap_memory,
    )


def _children(pid: int) -> list[int]:
    """The live children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            except (OSError, ValueError):
                continue
            if int(ppid) == pid and state not in "ZX":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it holds nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in "ZX"


def _wait_for(check: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_a_killed_import_leaves_no_reader_behind(tmp_path: Path) -> None:
    code, _out, err = run("init", folder=tmp_path)
    assert code == 0, err
    code, _out, err = run("lists", "create", "x", "--name", "X", folder=tmp_path)
    assert code == 0, err
    grid = raw_pdf.grid(tmp_path / "grid.pdf", 1_000)
    # With the crossings cap lifted, the table finder would work on this page for days.
    parent = exportctl(
        "--limit",
        "max_page_crossings=100000000",
        *("import", str(grid), "--list", "x", "--version", "v1"),
        folder=tmp_path,
    )
    worker = 0
    try:
        assert _wait_for(lambda: _children(parent.pid), 60), parent.communicate()
        (worker,) = _children(parent.pid)
        time.sleep(1.0)  # well into the page
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)
        # The caller's pipes close: no one else holds them.
        out, _err = parent.communicate(timeout=GONE_WITHIN)
        assert parent.returncode == -signal.SIGKILL
        assert _wait_for(lambda: not _alive(worker), GONE_WITHIN)
    finally:
        _end(parent, worker)
    assert out == ""
    # No temporary file, no rollback journal of a write cut short (the import had not
    # begun writing), and no lock: the next command writes at once.
    leftovers = [p.name for p in tmp_path.iterdir() if p.suffix in {".part", ".lock"}]
    assert leftovers == [] and not list(tmp_path.glob("*-journal")), list(tmp_path.iterdir())
    with sqlite3.connect(tmp_path / "exportctl.db", timeout=0) as db:
        db.execute("begin immediate")  # no one holds a lock on it
        assert db.execute("select count(*) from version").fetchone() == (0,)


def echo(channel: Connection) -> None:
    """A worker that answers each message with itself until its channel closes."""
    while True:
        try:
            channel.send(channel.recv())
        except EOFError:
            return


def test_a_worker_ends_by_itself_once_its_channel_closes() -> None:
    """Not killed: a forked worker closes the copies it holds of every parent's end."""
    first = box.Worker(echo, memory=2**30)
    second = box.Worker(echo, memory=2**30)
    for worker in (first, second):
        worker.send("ping")
        assert worker.receive(10) == "ping"
    started = time.monotonic()
    first.stop(wait=10)
    second.stop(wait=10)
    assert (first.exitcode, second.exitcode) == (0, 0)
    assert time.monotonic() - started < 3


_PARENT = """
import sys, time
sys.path.insert(0, {root!r})
from exportctl.readers import box

def hang(channel):
    time.sleep(3600)

if {tie!r} == "pipe":
    box._PR_SET_PDEATHSIG = 0  # not an option prctl knows: the kernel tie is off
else:
    box._end_with = lambda sentinel: None  # no watching thread: the pipe tie is off
worker = box.Worker(hang, memory=2**30)
print(worker.process.pid, flush=True)
time.sleep(3600)
"""


@pytest.mark.parametrize("tie", ["kernel", "pipe"])
def test_either_tie_alone_ends_the_worker_with_its_parent(tie: str) -> None:
    script = textwrap.dedent(_PARENT.format(root=str(ROOT), tie=tie))
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    worker = 0
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        assert _wait_for(lambda: _alive(worker), 10)
        time.sleep(0.5)  # the worker is tied by now
        assert _alive(worker)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=GONE_WITHIN)
        assert _wait_for(lambda: not _alive(worker), GONE_WITHIN), f"{worker} outlived its parent"
    finally:
        _end(parent, worker)


def _end(parent: subprocess.Popen[str], worker: int) -> None:
    """Leave nothing running, whatever the test found."""
    if parent.poll() is None:
        parent.kill()
    parent.communicate()
    if worker and _alive(worker):
        os.kill(worker, signal.SIGKILL)
