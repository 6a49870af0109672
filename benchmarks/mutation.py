"""Mutation check of the readers' guards and caps: does a test fail without each?

Each mutation disables one guard by a text replacement (``if cap:`` becomes
``if False and cap:``, a close becomes ``pass``) in a copy of the package, then
runs the hostile-file and reader tests against that copy (``pytest -x -q``). A
failing run means the guard is *killed* (a test guards it); a passing run means
it *survived*: removing it leaves every test green, and a test is missing. The
working tree is never modified: each mutation gets its own temporary copy of
``exportctl/``, ``migrations/`` and ``tests/``, so runs can go side by side.

Usage::

    python benchmarks/mutation.py              # every mutation, table
    python benchmarks/mutation.py -k ratio     # those whose name contains "ratio"
    python benchmarks/mutation.py --jobs 1     # one at a time

Exit status 1 when a mutation survives, or when a replacement no longer matches
its module exactly once (the guard was rewritten: update the table here).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = (
    "tests/test_hostile_files.py",
    "tests/test_hostile_xml.py",
    "tests/test_reader_guards.py",
    "tests/test_readers.py",
    "tests/test_hwpx_reader.py",
)
"""The tests a reader guard answers to."""


@dataclass(frozen=True)
class Mutation:
    """One guard turned off: in ``module``, ``old`` (exactly once) becomes ``new``."""

    name: str
    module: str
    old: str
    new: str


def _off(name: str, module: str, condition: str) -> Mutation:
    """Disable ``if <condition>:`` by making it ``if False and <condition>:``."""
    return Mutation(name, module, f"if {condition}:", f"if False and {condition}:")


GUARD = "exportctl/readers/guard.py"
PRESCAN = "exportctl/readers/prescan.py"
PARTS = "exportctl/readers/xlsx_parts.py"
ODS = "exportctl/readers/prescan_ods.py"
XML = "exportctl/readers/xmlparse.py"
HWPX = "exportctl/readers/hwpx_sections.py"
LAYOUT = "exportctl/readers/layout.py"

MUTATIONS: tuple[Mutation, ...] = (
    _off("lock file", GUARD, "name.startswith(LOCK_PREFIX)"),
    _off("empty file", GUARD, "size == 0"),
    _off("max_file_bytes", GUARD, "size > limits.max_file_bytes"),
    _off("html as workbook", GUARD, "_looks_like_html(head)"),
    _off("encrypted (OLE2)", GUARD, "_file_contains(path, marker)"),
    _off("max_members", GUARD, "len(members) > limits.max_members"),
    _off("max_ratio", GUARD, "info.file_size > RATIO_FLOOR and ratio > limits.max_ratio"),
    _off("max_unpacked_bytes", GUARD, "total > limits.max_unpacked_bytes"),
    Mutation(
        "XML DOCTYPE",
        XML,
        "    parser.StartDoctypeDeclHandler = _refuse\n",
        "",
    ),
    _off("max_prolog_bytes", XML, "read >= cap"),
    _off("max_columns", PRESCAN, "self.columns > limits.max_columns"),
    _off("max_rows", PRESCAN, "self.rows > limits.max_rows"),
    _off("max_cells", PRESCAN, "cells > limits.max_cells"),
    _off("cells written", PRESCAN, "self.written > self.limits.max_cells"),
    _off("max_row_cells", PRESCAN, "in_row > limits.max_row_cells"),
    _off("max_text_bytes (shared strings)", PRESCAN, "self.text > self.limits.max_text_bytes"),
    _off(
        "byte search only where cells read alike",
        PRESCAN,
        'data.count(b"<c") != cells and start_tags(data, b"<c") != cells',
    ),
    Mutation(
        "a bound over a cap goes to the parse",
        PRESCAN,
        "if reach is None or not reach.within(limits):",
        "if reach is None:",
    ),
    _off("max_strings", PARTS, "count > limits.max_strings"),
    _off("ods repeats with a value", ODS, "valued"),
    _off("max_text_bytes (ods)", ODS, "self.text > self.limits.max_text_bytes"),
    _off("max_sections", HWPX, "len(found) > limits.max_sections"),
    _off("manifest entries", HWPX, "entries > limits.max_members"),
    _off("max_document_bytes (declared)", HWPX, "document.bytes.used + declared > cap"),
    _off("max_document_bytes (as read)", XML, "self.used > self.cap"),
    _off("max_document_cells", HWPX, "self.kept > self.limits.max_document_cells"),
    Mutation(
        "close at the last row",
        LAYOUT,
        "    finally:\n        on_close()\n",
        "    finally:\n        pass\n",
    ),
    Mutation(
        "close of a dropped table",
        LAYOUT,
        "weakref.finalize(rows, on_close)",
        "pass",
    ),
)


def run(mutation: Mutation) -> tuple[str, float, str]:
    """Apply ``mutation`` to a copy and run the tests there: ``(outcome, seconds, detail)``."""
    source = (ROOT / mutation.module).read_text(encoding="utf-8")
    if mutation.old and source.count(mutation.old) != 1:
        return (
            "stale",
            0.0,
            f"{mutation.old!r} is in {mutation.module} {source.count(mutation.old)} times",
        )
    with tempfile.TemporaryDirectory(prefix="mutation-") as folder:
        copy = Path(folder)
        for part in ("exportctl", "tests", "migrations"):
            shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
        (copy / mutation.module).write_text(
            source.replace(mutation.old, mutation.new), encoding="utf-8"
        )
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TESTS],
            cwd=copy,
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.monotonic() - started
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    if done.returncode == 0:
        return "survived", took, ""
    if done.returncode == 1 and failed:
        return "killed", took, failed[0].removeprefix("FAILED ")
    # A test that cannot even set up says nothing about the guard.
    return "error", took, (done.stdout[-300:] + done.stderr[-300:]).replace("\n", " ")


def main() -> int:
    """Run the mutations asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutations whose name contains this")
    parser.add_argument("--jobs", type=int, default=2, help="mutations run side by side")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.k in m.name]
    # The copy unchanged must pass, or no outcome below means anything.
    baseline = run(Mutation("(none)", GUARD, "", ""))
    if baseline[0] != "survived":
        print(f"the tests fail without any mutation: {baseline[2]}")
        return 1
    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        outcomes = list(pool.map(run, chosen))
    width = max(len(m.name) for m in chosen)
    print(f"{'guard':<{width}}  {'outcome':<8}  {'s':>5}  first failing test")
    for mutation, (outcome, took, detail) in zip(chosen, outcomes, strict=True):
        print(f"{mutation.name:<{width}}  {outcome:<8}  {took:5.0f}  {detail}")
    return 0 if all(outcome == "killed" for outcome, _, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
