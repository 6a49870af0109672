"""``run_demo``: the whole story on the bundled samples."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from exportctl import store
from exportctl.api.database import open_database
from exportctl.errors import ExportctlError, InputError
from exportctl.i18n import _

if TYPE_CHECKING:
    from exportctl.diff import ChangeSet, Summary
    from exportctl.screen import ScreenSummary

from exportctl.api.browse import record_output
from exportctl.api.changes import diff_versions, write_change_report
from exportctl.api.import_options import ImportOptions, ImportResult
from exportctl.api.imports import import_workbook, validate_workbook
from exportctl.api.lifecycle import approve_version, create_list
from exportctl.api.screening import screen_catalogue
from exportctl.config import current_actor

# --------------------------------------------------------------------------- demo


if TYPE_CHECKING:
    from exportctl.diff import Summary
    from exportctl.screen import ScreenSummary

DEMO_LIST = "kr-russia"
"""Slug of the list the demo builds."""
DEMO_FEB = "러시아벨라루스_상황허가_2024-02.xlsx"
DEMO_JUNE_ADDED = "러시아벨라루스_상황허가_2024-06_추가.xlsx"
DEMO_JUNE = "러시아벨라루스_상황허가_2024-06.pdf"
"""The consolidated June 2024 annex as the notice's PDF prints it (two parts)."""
DEMO_CATALOGUE = "catalogue.xlsx"
DEMO_REAL = "별표2의2_실제양식_견본.xlsx"
"""A smaller annex in the notice's own table layout: two-row header with a merged parent,
each part's title above its header, sub-items three deep, a control-number column."""
DEMO_REAL_DECLARED = {1: 20, 2: 40}
"""Entries per part of :data:`DEMO_REAL`, as its notice rows declare them."""
DEMO_SAMPLES = (DEMO_FEB, DEMO_JUNE_ADDED, DEMO_JUNE, DEMO_CATALOGUE, DEMO_REAL)
"""Sample files the demo reads (built by ``spreadsheets/build_samples.py``)."""
DEMO_LIST_NAME = "러시아·벨라루스 상황허가 대상 품목 (SAMPLE, not the official list)"
"""Display name of the demo's list."""
DEMO_SECTION = "러시아"
"""The part of the consolidated annex the list follows (``--section``)."""
DEMO_DATABASE = "exportctl-demo.db"
"""Name of the demo's throw-away SQLite database inside the output folder."""


@dataclass
class DemoResult:
    """What :func:`run_demo` did: the imports, the files written and the counts."""

    out_dir: Path
    """Folder holding everything the demo wrote."""
    database: Path
    """The demo's SQLite database (explore it with ``exportctl --db``)."""
    samples: dict[str, Path]
    """Sample file name -> where it was read from."""
    february: ImportResult
    """Import of the February 2024 list (1,159 items)."""
    june: ImportResult
    """Import of the June 2024 additions on top of February (243 + 1,159 = 1,402)."""
    consolidated: ImportResult
    """Validation (no write) of the Russia/Belarus part of the consolidated June annex,
    read from the notice's PDF."""
    consolidated_changes: ChangeSet
    """That part compared with the stored 2024-06 (base + additions) on every field a
    change report compares; no changes when they hold the same entries."""
    consolidated_agrees: bool
    """That part holds exactly the entries of base + additions, field for field."""
    files: dict[str, Path] = field(default_factory=dict)
    """Report name (``changes.pdf``…) -> path written."""
    changes: ChangeSet | None = None
    """February → June change set, when the diff engine is installed."""
    change_summary: Summary | None = None
    """Its tie-out summary."""
    screening: ScreenSummary | None = None
    """Catalogue screening against June, compared with February."""
    real_layout: RealLayoutCheck | None = None
    """The real-layout sample read (not stored) against its notice's counts."""
    seconds: float = 0.0
    """Wall-clock time of the whole run."""


@dataclass(frozen=True)
class RealLayoutCheck:
    """What the demo read from the real-layout sample (:data:`DEMO_REAL`)."""

    result: ImportResult
    """Its validation, with the counts its notice declares per part."""
    entries: int
    """Entries read, every part."""
    sub_items: int
    """Sub-items at every depth."""
    depth: int
    """How deep the deepest sub-item sits (1: directly under its entry)."""
    control_numbers: int
    """Distinct control numbers the entries hold: the column's and their texts'."""
    reconciles: bool
    """Every part holds the count its notice declares, and nothing is in error."""


def demo_samples() -> dict[str, Path]:
    """Find the sample files: inside the installed package, else in a checkout.

    Raises:
        ExportctlError: Neither place holds all of them.
    """
    packaged = Path(str(resources.files("exportctl").joinpath("samples")))
    checkout = Path(__file__).resolve().parent.parent / "spreadsheets"
    for folder in (packaged, checkout):
        if all((folder / name).is_file() for name in DEMO_SAMPLES):
            return {name: folder / name for name in DEMO_SAMPLES}
    raise ExportctlError(
        _(
            "the demo's sample files are not in {packaged} nor in {checkout}; reinstall "
            "exportctl, or rebuild them with: python spreadsheets/build_samples.py"
        ).format(packaged=packaged, checkout=checkout)
    )


def _fresh_database(path: Path) -> str:
    """The URL of a new SQLite file at ``path``, removing a previous demo's file."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _demo_import(
    engine: Engine, path: Path, options: ImportOptions, *, dry_run: bool = False
) -> ImportResult:
    result = import_workbook(engine, path, options, dry_run=dry_run)
    if not result.ok:
        first = "; ".join(str(f) for f in result.report.errors[:3])
        raise ExportctlError(
            _("the demo could not import {file}: {first}").format(file=path.name, first=first)
        )
    return result


def _refuse_what_is_not_a_folder(out_dir: Path) -> None:
    """Refuse an ``out_dir`` that exists and is not a folder (a file, a FIFO, a device).

    Raises:
        InputError: Saying what it is.
    """
    from exportctl.inputs import not_regular

    try:
        mode = os.stat(out_dir).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        return
    raise InputError(
        _("is {what}, not a folder; give --out a folder (it is created when missing)").format(
            what=not_regular(mode) or _("a file")
        ),
        file=str(out_dir),
    )


def run_demo(
    out_dir: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole story on the sample workbooks, in a throw-away database.

    Imports the February 2024 list (declared total 1,159), imports the June 2024
    additions on top of it (declared 243 added, 1,402 in total), reads the
    consolidated June annex from the notice's PDF, keeping its Russia/Belarus part
    (``--section 러시아``; part 1, 이란·파키스탄·시리아 관련, is read and left out),
    compares that part with the result on every field a change report compares,
    writes the February → June change report as PDF, XLSX and CSV, screens the
    sample catalogue against June compared with February, and reads (without storing)
    a smaller annex in the notice's own table layout against the counts its notice
    declares per part. Everything goes into
    ``out_dir``, including the SQLite database (replaced on every run), so the run
    can be explored afterwards.

    Args:
        out_dir: Folder for the database and the reports (created if missing).
        progress: Called with a one-line description as each step starts.

    Returns:
        Paths and counts; ``result.files`` maps report names to paths.

    Raises:
        ExportctlError: The samples are missing or do not import cleanly.

    Example:
        >>> result = run_demo(Path("demo"))
        >>> result.june.report.added, result.june.report.item_count
        (243, 1402)
    """
    from exportctl.diff import compare
    from exportctl.validate import Declared

    started = time.perf_counter()

    def step(message: str) -> None:
        if progress is not None:
            progress(message)

    _refuse_what_is_not_a_folder(out_dir)
    samples = demo_samples()
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / DEMO_DATABASE
    engine = open_database(_fresh_database(database), create=True)
    try:
        importer = current_actor()
        step(_("Creating the list {slug}").format(slug=DEMO_LIST))
        create_list(
            engine,
            DEMO_LIST,
            name=DEMO_LIST_NAME,
            jurisdiction="KR",
            authority="산업통상자원부",
            targets="RU,BY",
            actor=importer,
        )
        step(
            _("Importing {file} as {slug} 2024-02 (declared total 1,159)").format(
                file=DEMO_FEB, slug=DEMO_LIST
            )
        )
        february = _demo_import(
            engine,
            samples[DEMO_FEB],
            ImportOptions(
                slug=DEMO_LIST,
                label="2024-02",
                effective=dt.date(2024, 2, 24),
                declared=Declared(total=1159),
                actor=importer,
            ),
        )
        _demo_approve(engine, "2024-02", step)
        step(
            _("Importing {file} as additions to 2024-02 (declared 243 added, 1,402)").format(
                file=DEMO_JUNE_ADDED
            )
        )
        june = _demo_import(
            engine,
            samples[DEMO_JUNE_ADDED],
            ImportOptions(
                slug=DEMO_LIST,
                label="2024-06",
                effective=dt.date(2024, 8, 28),
                base="2024-02",
                additions=True,
                declared=Declared(total=1402, added=243, removed=0),
                actor=importer,
            ),
        )
        _demo_approve(engine, "2024-06", step)
        step(
            _(
                "Reading {file} (the notice's PDF, part {section}) and comparing it "
                "with 2024-02 + additions"
            ).format(file=DEMO_JUNE, section=DEMO_SECTION)
        )
        consolidated = validate_workbook(
            samples[DEMO_JUNE],
            ImportOptions(
                slug=DEMO_LIST,
                label="2024-06-pdf",
                section=DEMO_SECTION,
                base="2024-02",
                declared=Declared(total=1402, added=243, removed=0),
            ),
            engine=engine,
        )
        with store.session_scope(engine) as session:
            june_items = store.load_items(session, store.get_version(session, DEMO_LIST, "2024-06"))
        # The list is the annex's Russia/Belarus part on its own: compare within it.
        stored_sections = {item.section for item in june_items}
        part = stored_sections.pop() if len(stored_sections) == 1 else None
        read = [
            item if part is None else dataclasses.replace(item, section=part)
            for item in consolidated.report.items
        ]
        same = compare(june_items, read)
        agrees = consolidated.ok and not same.changes
        result = DemoResult(
            out_dir=out_dir,
            database=database,
            samples=samples,
            february=february,
            june=june,
            consolidated=consolidated,
            consolidated_changes=same,
            consolidated_agrees=agrees,
        )
        _demo_changes(engine, out_dir, result, step)
        _demo_screen(engine, out_dir, samples[DEMO_CATALOGUE], result, step)
        result.real_layout = _demo_real_layout(samples[DEMO_REAL], step)
    finally:
        engine.dispose()
    result.seconds = time.perf_counter() - started
    return result


DEMO_REVIEWER = "demo-reviewer"
"""Who approves the demo's versions: a second person, as approval requires."""


def _demo_approve(engine: Engine, label: str, step: Callable[[str], None]) -> None:
    step(
        _("Approving {slug} {label} as {actor}").format(
            slug=DEMO_LIST, label=label, actor=DEMO_REVIEWER
        )
    )
    approve_version(
        engine,
        DEMO_LIST,
        label,
        note="counts checked against the notice (demo)",
        actor=DEMO_REVIEWER,
    )


def _demo_changes(
    engine: Engine, out_dir: Path, result: DemoResult, step: Callable[[str], None]
) -> None:
    from exportctl.diff import summarise

    step(_("Comparing 2024-02 with 2024-06"))
    changes = diff_versions(engine, DEMO_LIST, "2024-02", "2024-06")
    result.changes = changes
    result.change_summary = summarise(changes)
    for fmt in ("pdf", "xlsx", "csv"):
        path = out_dir / f"changes.{fmt}"
        step(_("Writing the change report {file}").format(file=path.name))
        write_change_report(engine, changes, fmt, path)
        result.files[path.name] = path


def _demo_screen(
    engine: Engine,
    out_dir: Path,
    catalogue: Path,
    result: DemoResult,
    step: Callable[[str], None],
) -> None:
    from exportctl.reports import screening

    formats: tuple[screening.Format, ...] = ("xlsx", "csv")
    for fmt in formats:
        path = out_dir / f"screening.{fmt}"
        step(
            _("Screening {file} against 2024-06 (compared with 2024-02) → {report}").format(
                file=catalogue.name, report=path.name
            )
        )
        report = screen_catalogue(engine, catalogue, DEMO_LIST, label="2024-06", compare="2024-02")
        summary = screening.write_screen_report(report, fmt, path)
        record_output(
            engine,
            action="screen",
            path=path,
            slug=DEMO_LIST,
            label="2024-06",
            detail={
                "format": fmt,
                "catalogue": catalogue.name,
                "compare": "2024-02",
                "summary": summary.to_json(),
            },
        )
        result.files[path.name] = path
        result.screening = summary


def _demo_real_layout(path: Path, step: Callable[[str], None]) -> RealLayoutCheck:
    from exportctl.validate import Declared

    declared = {n: Declared(total=total) for n, total in DEMO_REAL_DECLARED.items()}
    counts = " + ".join(f"{total:,}" for total in DEMO_REAL_DECLARED.values())
    step(
        _("Reading {file} (the notice's own table layout; declared {counts})").format(
            file=path.name, counts=counts
        )
    )
    options = ImportOptions(slug=DEMO_LIST, label="real-layout", declared_parts=declared)
    read = validate_workbook(path, options)
    items = read.report.items
    subs = [sub for item in items for sub in item.every_sub_item()]
    return RealLayoutCheck(
        result=read,
        entries=len(items),
        sub_items=len(subs),
        depth=max((sub.depth for sub in subs), default=0),
        control_numbers=len({n for item in items for n in item.control_numbers}),
        reconciles=read.ok
        and [(p.number, p.read) for p in read.parts] == sorted(DEMO_REAL_DECLARED.items()),
    )
