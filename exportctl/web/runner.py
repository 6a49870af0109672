"""Screening an uploaded item master for the web view, away from the pages' thread.

:func:`screen_upload` runs :func:`exportctl.api.screen_catalogue` (the readers,
caps and messages of ``exportctl screen``) and keeps each row's verdict in a file
of JSON lines, in both languages, for the result page to filter and order; the
summary comes back as a :class:`ScreenOutcome`. A :class:`Runner` runs it in a
thread of the view's process or, with workers, in other processes: screening a
50,000-row upload holds a processor for seconds, and look-ups answered meanwhile
must not wait for it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from exportctl.errors import ExportctlError
from exportctl.i18n import LANGUAGES, using
from exportctl.limits import DEFAULTS, Limits

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from exportctl.screen import ScreenResult


@dataclass(frozen=True)
class ScreenJob:
    """What to screen, against what (picklable: it may go to another process)."""

    upload: Path
    """The saved upload."""
    slug: str
    """The list."""
    label: str | None = None
    """The version, by label; else the one in force on ``as_of``."""
    as_of: dt.date | None = None
    """The date (today when neither is given)."""
    compare: str | None = None
    """An older version's label: rows whose status changed are marked."""
    include_drafts: bool = False
    """A date may fall on a draft too."""
    limits: Limits = DEFAULTS
    """The caps on the file."""
    lang: str = "en"
    """The language errors are said in."""
    rows: Path = Path("rows.jsonl")
    """Where each row's verdict is written."""


@dataclass(frozen=True)
class ScreenOutcome:
    """A screening's summary, or the sentence that stopped it."""

    error: str | None = None
    """Why nothing was screened (the command line's sentence), or None."""
    version: str = ""
    """The version screened against."""
    status: str = "approved"
    """Its status."""
    effective: str | None = None
    """Its effective date (ISO)."""
    compare: str | None = None
    """The version compared with."""
    file: str = ""
    """The upload's name."""
    sheet: str | None = None
    """The sheet read."""
    total: int = 0
    """Rows screened."""
    counts: dict[str, int] = field(default_factory=dict)
    """Rows by status."""
    changes: dict[str, int] = field(default_factory=dict)
    """Rows by change of status (with ``compare``)."""
    warnings: dict[str, list[str]] = field(default_factory=dict)
    """What could not be checked, by language."""
    notes: list[str] = field(default_factory=list)
    """What the reader noticed (columns not screened, rows skipped)."""


def _row(result: ScreenResult) -> dict[str, Any]:
    entry = result.entry
    return {
        "row": result.row,
        "sku": result.sku,
        "description": result.description,
        "code": result.shown_code,
        "status": result.status,
        "previous": result.previous_status,
        "change": result.change,
        "entry": None
        if entry is None
        else {
            "section": entry.section,
            "serial": entry.serial,
            "code": entry.code,
            "description": entry.description,
        },
        "reason": {lang: result.reason_in(lang) for lang in LANGUAGES},
    }


def screen_upload(engine: Engine, job: ScreenJob) -> ScreenOutcome:
    """Screen ``job.upload``, writing each row's verdict to ``job.rows``.

    Returns:
        The summary, or the error sentence (an :class:`ExportctlError`'s, in
        ``job.lang``) when the file or the version cannot be used.
    """
    from exportctl.api import screen_catalogue
    from exportctl.reports.language import text_for

    with using(job.lang):
        try:
            report = screen_catalogue(
                engine,
                job.upload,
                job.slug,
                label=job.label,
                as_of=job.as_of,
                include_drafts=job.include_drafts,
                compare=job.compare,
                limits=job.limits,
            )
            with job.rows.open("w", encoding="utf-8") as out:
                for result in report.results:
                    out.write(json.dumps(_row(result), ensure_ascii=False) + "\n")
        except ExportctlError as exc:
            job.rows.unlink(missing_ok=True)
            return ScreenOutcome(error=str(exc))
        summary = report.summary
        return ScreenOutcome(
            version=report.version,
            status=report.status,
            effective=report.effective,
            compare=report.compare,
            file=report.file,
            sheet=report.sheet,
            total=summary.total,
            counts=dict(summary.counts),
            changes=dict(summary.changes),
            warnings={lang: report.warnings_in(text_for(lang)) for lang in LANGUAGES},
            notes=[str(note) for note in report.notes],
        )


@functools.cache
def _engine(url: str) -> Engine:
    """The worker process's engine (one per database, kept for the process's life)."""
    from exportctl.api import open_database

    return open_database(url)


def _in_worker(url: str, job: ScreenJob) -> ScreenOutcome:
    return screen_upload(_engine(url), job)


WORKER_NICENESS = 10
"""How much lower the screening processes' priority is than the view's: a look-up, a
person waiting, is answered before the next rows of a screening are read."""


def _lower_priority() -> None:
    import os

    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)


class Runner:
    """Runs screenings in a thread (``workers`` 0) or in worker processes."""

    def __init__(self, engine: Engine, url: str, workers: int) -> None:
        self.engine = engine
        self.url = url
        self.workers = workers
        self._pool: Executor | None = None

    async def run(self, job: ScreenJob) -> ScreenOutcome:
        """Screen ``job`` without holding up the view's other requests."""
        if self.workers <= 0:
            return await run_in_threadpool(screen_upload, self.engine, job)
        import asyncio

        if self._pool is None:
            # "spawn": a fresh interpreter, no copy of this process's open connections.
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=get_context("spawn"), initializer=_lower_priority
            )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _in_worker, self.url, job)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
