"""Hostile PDFs: each is stopped as it is read, in one sentence naming the file, page and cap.

The files are written byte by byte (``raw_pdf``): streams that decode to far more
than they store, page trees whose ``/Count`` lies, loops or nests without end,
pages of rules that would keep pdfplumber's table finder busy for days, and a page
that takes too long. Each is small, and read with caps lowered where the default
would take long to reach, so every test takes seconds.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cli_process
import pytest
import raw_pdf
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream
from pdfminer.psparser import LIT
from pdfplumber.table import edges_to_intersections

from exportctl.errors import InputError
from exportctl.i18n import using
from exportctl.limits import Limits
from exportctl.readers import box
from exportctl.readers.guard import check_file
from exportctl.readers.pdf import PdfBook, open_book
from exportctl.readers.pdfcaps import Exhausted, crossings, inflation_budget, page_tree

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 2 * 1024**3
"""Address space of each CLI run: a regression fails instead of swapping."""
SECONDS = 20.0
"""Each refusal takes a second or two; slow machines get a wide margin."""


def _read(path: Path, limits: Limits | None = None) -> PdfBook:
    return open_book(check_file(path, limits or Limits()))


def _refusal(path: Path, limits: Limits | None = None) -> str:
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        _read(path, limits)
    assert time.monotonic() - started < SECONDS
    return str(caught.value)


def _hint(cap: str) -> str:
    return f"if the file is genuine, raise it with exportctl --limit {cap}=N or {cap} in the"


# --- decoded bytes ---------------------------------------------------------------------

MiB = 1024**2


@pytest.mark.parametrize(
    ("how", "size"),
    [
        ("flate", 64 * MiB),
        ("flate twice", 64 * MiB),
        ("damaged", 64 * MiB),
        ("runlength", 16 * MiB),
        ("ascii85", 8 * MiB),
    ],
)
def test_a_stream_is_stopped_as_it_decodes_past_the_budget(
    tmp_path: Path, how: str, size: int
) -> None:
    path = raw_pdf.bomb(tmp_path / "bomb.pdf", size, how)
    assert path.stat().st_size < size // 3
    said = _refusal(path, Limits(max_inflated_bytes=MiB))
    assert said.startswith(
        "bomb.pdf: its streams decode to more than 1,048,576 bytes by page 1 "
        "(max_inflated_bytes); stopped as a possible decompression bomb: "
    ), said
    assert _hint("max_inflated_bytes") in said


def test_the_budget_counts_every_stream_of_the_document(tmp_path: Path) -> None:
    streams = [
        raw_pdf.stream(
            raw_pdf.deflated(iter([raw_pdf.text(f"{n} Text"), b" " * 600_000])), ["FlateDecode"]
        )
        for n in (1, 2)
    ]
    path = raw_pdf.pages(tmp_path / "two.pdf", 2, contents=streams)
    assert "has no table on its 2 pages" in _refusal(path, Limits(max_inflated_bytes=2 * MiB))
    said = _refusal(path, Limits(max_inflated_bytes=MiB))
    assert "more than 1,048,576 bytes by page 2 (max_inflated_bytes)" in said


def _decoded(data: bytes, cap: int = 10 * MiB) -> bytes:
    stream = PDFStream({"Filter": LIT("FlateDecode")}, data)
    with inflation_budget(cap):
        return stream.get_data()


def test_a_damaged_stream_is_read_as_pdfminer_reads_it_in_linear_time() -> None:
    text = b"BT (Kept) Tj ET " * 50_000
    whole = zlib.compress(text)
    tail = bytearray(whole)
    tail[-1] ^= 0xFF  # the checksum: pdfminer keeps the text
    assert _decoded(bytes(tail)) == text
    cut = _decoded(whole[: len(whole) // 2])  # truncated: what there is
    assert 0 < len(cut) < len(text) and text.startswith(cut)
    middle = bytearray(whole)
    middle[10] ^= 0xFF  # the data itself: pdfminer drops the stream
    assert _decoded(bytes(middle)) == b""
    # pdfminer alone inflates a damaged stream again a byte at a time, copying what it has
    # each time: 16 MiB of spaces took it 34 s. Within the budget it is read in linear time,
    # and a larger one is stopped at the cap.
    damaged = bytearray(zlib.compress(b" " * (16 * MiB)))
    damaged[-1] ^= 0xFF
    started = time.monotonic()
    assert len(_decoded(bytes(damaged), cap=32 * MiB)) == 16 * MiB
    with pytest.raises(Exhausted):
        _decoded(bytes(damaged), cap=8 * MiB)
    assert time.monotonic() - started < 5


def test_the_page_tree_is_walked_only_to_one_page_past_the_cap(tmp_path: Path) -> None:
    path = raw_pdf.pages(tmp_path / "many.pdf", 50, declared=1)
    with path.open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        assert [objid for objid, _attrs in page_tree(document, 3)] == [5, 6, 7, 8]
        assert len(page_tree(document, 100)) == 50


# --- pages -----------------------------------------------------------------------------


def test_pages_are_counted_in_the_page_tree_never_from_its_count(tmp_path: Path) -> None:
    lying = raw_pdf.pages(tmp_path / "count.pdf", 20_000, declared=1)
    said = _refusal(lying)
    assert said.startswith(
        "count.pdf: has more than 2,000 pages, the most exportctl reads (max_pages); save "
    ), said
    assert _hint("max_pages") in said
    small = raw_pdf.pages(tmp_path / "small.pdf", 5, declared=1)
    assert "has more than 3 pages" in _refusal(small, Limits(max_pages=3))
    # A /Count past the cap over a few pages is no reason to refuse them.
    boasting = raw_pdf.pages(tmp_path / "boast.pdf", 2, declared=1_000_000)
    assert _refusal(boasting) == (
        "boast.pdf: has no table on its 2 pages (no ruled table and no text set in columns)"
    )


def test_a_page_tree_that_loops_or_nests_without_end_is_bounded(tmp_path: Path) -> None:
    looping = raw_pdf.looping_tree(tmp_path / "loop.pdf")
    assert "has no table on its 2 pages" in _refusal(looping)
    assert "has no table on its 1 page " in _refusal(raw_pdf.deep_tree(tmp_path / "ok.pdf", 20))
    deep = raw_pdf.deep_tree(tmp_path / "deep.pdf", 500)
    assert _refusal(deep) == (
        "deep.pdf: cannot be read as PDF: its page tree is nested more than 64 levels deep; "
        "it may be damaged"
    )


# --- table finding ---------------------------------------------------------------------


def test_a_grid_of_a_million_crossings_is_refused_before_tables_are_looked_for(
    tmp_path: Path,
) -> None:
    grid = raw_pdf.grid(tmp_path / "grid.pdf", 1_000)
    assert grid.stat().st_size < 12_000
    said = _refusal(grid)
    assert said.startswith(
        "grid.pdf: page 1 has more than 20,000 points where ruled lines cross, the most a page "
        "may have (max_page_crossings); refused before its tables were looked for: "
    ), said
    assert _hint("max_page_crossings") in said
    # A grid within the cap is read: 10 by 10 cells.
    book = _read(raw_pdf.grid(tmp_path / "small.pdf", 10))
    assert book.sheet_names == ["table 1"] and book.height("table 1") == 11


def test_a_page_of_too_many_rules_is_refused(tmp_path: Path) -> None:
    dashes = raw_pdf.dashes(tmp_path / "dashes.pdf", 6_000)
    said = _refusal(dashes)
    assert said.startswith(
        "dashes.pdf: page 1 has 6,000 ruled lines, more than the 5,000 allowed on a page "
        "(max_page_edges); refused before its tables were looked for: "
    ), said
    assert "has no table" in _refusal(raw_pdf.dashes(tmp_path / "few.pdf", 600))


def test_crossings_are_counted_as_the_table_finder_finds_them() -> None:
    def edge(kind: str, x0: float, top: float, x1: float, bottom: float) -> dict[str, object]:
        return {"orientation": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom}

    edges = [
        edge("h", 0, 10, 100, 10),
        edge("h", 0, 20, 100, 20),
        edge("h", 200, 20, 300, 20),  # right of every vertical
        edge("v", 50, 0, 50, 30),
        edge("v", 102, 0, 102, 15),  # within 3 of the first rule's end, above the second
        edge("v", 60, 22, 60, 40),  # within 3 below the second
        edge("v", 70, 24, 70, 40),  # below both
    ]
    assert crossings(edges, 3, 3, 100) == 4 == len(edges_to_intersections(edges, 3, 3))
    assert crossings(edges, 3, 3, 2) == 3  # counting stops one past the cap


# --- time and memory -------------------------------------------------------------------


def _children() -> set[int]:
    """This process's live children (zombies are dead)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == os.getpid() and state not in "ZX":
                found.add(int(entry.name))
    return found


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise TimeoutError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_page_that_takes_too_long_is_stopped_and_its_reader_killed(tmp_path: Path) -> None:
    grid = raw_pdf.grid(tmp_path / "slow.pdf", 1_000)
    before = _children()
    started = time.monotonic()
    with _alarm(30):  # should the clock fail, the test fails instead of waiting for days
        said = _refusal(grid, Limits(max_page_crossings=10**8, max_page_seconds=2))
    assert time.monotonic() - started < 8
    assert said.startswith(
        "slow.pdf: page 1 took more than 2 seconds to read (max_page_seconds); "
        "stopped as possibly hostile: "
    ), said
    assert _children() <= before


def test_a_reader_that_runs_out_of_memory_is_refused(tmp_path: Path) -> None:
    path = raw_pdf.bomb(tmp_path / "big.pdf", 160 * MiB)
    said = _refusal(path, Limits(max_inflated_bytes=1024 * MiB, max_reader_memory=64 * MiB))
    assert said.startswith("big.pdf: ") and f"{64 * MiB:,} bytes of memory" in said, said
    assert "(max_reader_memory)" in said and _hint("max_reader_memory") in said


def test_a_process_running_threads_spawns_its_reader(tmp_path: Path) -> None:
    """Forking beside other threads could copy a lock held mid-work: the reader is spawned."""
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    thread.start()
    try:
        assert box._context().get_start_method() == "spawn"
        book = _read(raw_pdf.grid(tmp_path / "grid.pdf", 4))
        # A spawned worker shares no memory: it is told the caller's language.
        with using("ko"):
            said = _refusal(raw_pdf.grid(tmp_path / "dense.pdf", 1_000))
    finally:
        done.set()
        thread.join()
    assert book.sheet_names == ["table 1"] and book.height("table 1") == 5
    assert said.startswith("dense.pdf: 1쪽에서 괘선이 교차하는 점이"), said


# --- the real CLI ----------------------------------------------------------------------

CASES: dict[str, tuple[tuple[str, ...], str]] = {
    "flate bomb": (("--limit", "max_inflated_bytes=1000000"), "max_inflated_bytes"),
    "damaged flate": (("--limit", "max_inflated_bytes=1000000"), "max_inflated_bytes"),
    "lying count": ((), "max_pages"),
    "grid": ((), "max_page_crossings"),
    "slow page": (
        ("--limit", "max_page_crossings=100000000", "--limit", "max_page_seconds=2"),
        "max_page_seconds",
    ),
}


def _write(case: str, folder: Path) -> Path:
    if case == "flate bomb":
        return raw_pdf.bomb(folder / "bomb.pdf", 64 * MiB)
    if case == "damaged flate":
        return raw_pdf.bomb(folder / "damaged.pdf", 64 * MiB, "damaged")
    if case == "lying count":
        return raw_pdf.pages(folder / "count.pdf", 20_000, declared=1)
    return raw_pdf.grid(folder / f"{case.replace(' ', '_')}.pdf", 1_000)


def run(*args: str, folder: Path) -> tuple[int, str, str]:
    """``python -m exportctl --db folder/exportctl.db ARGS``, with 2 GB of address space, in a
    process forked for it (:mod:`cli_process`); one that hangs is killed and fails."""
    config = folder / "config.toml"
    config.touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXPORTCTL_CONFIG": str(config)}
    env["EXPORTCTL_ACTOR"] = "tester"
    env.pop("EXPORTCTL_DATABASE_URL", None)
    done = cli_process.run(
        ["--db", str(folder / "exportctl.db"), *args], env=env, memory=MEMORY_LIMIT, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


def database_state(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        names = [
            n for (n,) in connection.execute("select name from sqlite_master where type='table'")
        ]
        return {n: connection.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a database holding list x."""
    folder = tmp_path_factory.mktemp("db")
    for args in (("init",), ("lists", "create", "x", "--name", "X")):
        code, _out, err = run(*args, folder=folder)
        assert code == 0, err
    return folder


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_pdf_import_ends_in_one_sentence(
    database: Path, tmp_path: Path, case: str
) -> None:
    options, cap = CASES[case]
    path = _write(case, tmp_path)
    before = database_state(database / "exportctl.db")
    started = time.monotonic()
    args = (*options, "import", str(path), "--list", "x", "--version", "v1")
    code, out, err = run(*args, folder=database)
    assert time.monotonic() - started < SECONDS
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path.name}: "), lines
    assert f"({cap})" in lines[0] and _hint(cap) in lines[0]
    if case != "lying count":
        assert "page 1" in lines[0]
    assert database_state(database / "exportctl.db") == before
