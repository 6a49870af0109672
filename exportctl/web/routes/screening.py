"""Screening an uploaded item master (XLSX, CSV, SAP text) against a version or a date:
the readers, caps and messages of ``exportctl screen``; the result filtered by
status, the newly controlled rows first; the reports to download."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from exportctl import api
from exportctl.api.screening import write_screen_report
from exportctl.errors import InputError
from exportctl.i18n import LANGUAGES, _
from exportctl.reports.screening import FORMATS as SCREEN_FORMATS
from exportctl.screen import STATUSES
from exportctl.web.auth import guarded
from exportctl.web.jobs import Job, Workspace, save_upload
from exportctl.web.render import error_page, page
from exportctl.web.routes import call, day, engine_of, field, form_of, optional, viewer_of
from exportctl.web.routes.changes import _safe, report_options
from exportctl.web.runner import ScreenJob, ScreenOutcome

ROWS = "rows.jsonl"
"""The job file holding each row's verdict."""

# Newly controlled rows first, then the other changes of status, then by how much
# a row needs a look: what the officer must act on is at the top.
CHANGE_ORDER = ("newly controlled", "newly for review")
STATUS_ORDER = ("controlled", "review", "invalid", "clear")


def _order(row: dict[str, Any]) -> tuple[int, int, int]:
    change = row.get("change") or ""
    first = CHANGE_ORDER.index(change) if change in CHANGE_ORDER else (2 if change else 3)
    return first, STATUS_ORDER.index(row["status"]), row["row"]


async def form_page(request: Request) -> Response:
    """``/screen``: the upload form."""
    found = await call(api.list_lists, engine_of(request))
    return page(request, "screen.html", lists=found, chosen=request.query_params.get("list", ""))


async def upload(request: Request) -> Response:
    """``POST /screen``: save the upload, screen it, and show the result."""
    form = form_of(request)
    slug = field(form, "list")
    label = optional(field(form, "version"))
    as_of = day(field(form, "as_of"), _("date")) if label is None else None
    compare = optional(field(form, "compare"))
    given = form.get("file")
    if not slug:
        raise InputError(_("choose a list"))
    if not isinstance(given, UploadFile) or not given.filename:
        raise InputError(_("choose the item master to upload"))
    settings = request.app.state.settings
    workspace: Workspace = request.app.state.workspace
    viewer = viewer_of(request)
    job = workspace.new_job(viewer.name)
    saved = await save_upload(given, job, settings.limits, "upload.xlsx")
    screen = ScreenJob(
        upload=saved,
        slug=slug,
        label=label,
        as_of=as_of,
        compare=compare,
        limits=settings.limits,
        lang=request.state.lang,
        rows=job.path(ROWS),
    )
    outcome: ScreenOutcome = await request.app.state.runner.run(screen)
    if outcome.error is not None:
        return error_page(request, outcome.error, 400)
    job.facts.update(outcome=outcome, screen=screen)
    return RedirectResponse(f"/screen/{job.id}", status_code=303)


def _rows(job: Job, wanted: str) -> Iterator[dict[str, Any]]:
    with job.path(ROWS).open(encoding="utf-8") as lines:
        for line in lines:
            row: dict[str, Any] = json.loads(line)
            if wanted == "changed" and not row.get("change"):
                continue
            if wanted in STATUSES and row["status"] != wanted:
                continue
            yield row


def _screen_job(request: Request) -> Job | None:
    workspace: Workspace = request.app.state.workspace
    job = workspace.job(request.path_params["job"], viewer_of(request).name)
    return job if job is not None and "outcome" in job.facts else None


async def result(request: Request) -> Response:
    """``/screen/{job}?status=S``: the summary and the rows, filtered and ordered."""
    job = _screen_job(request)
    if job is None:
        return error_page(request, _("There is no such screening (it may have expired)."), 404)
    wanted = request.query_params.get("status", "all")
    rows = sorted(await call(lambda: list(_rows(job, wanted))), key=_order)
    shown = request.app.state.settings.shown_rows
    return page(
        request,
        "screen_result.html",
        job=job,
        outcome=job.facts["outcome"],
        wanted=wanted,
        statuses=STATUSES,
        rows=rows[:shown],
        total=len(rows),
        formats=SCREEN_FORMATS,
        reports=[name for name, what in job.files.items() if what == "report"],
    )


async def report(request: Request) -> Response:
    """``POST /screen/{job}/report``: write a screening report, as ``screen -o`` does
    (recorded in the audit trail), from the saved upload."""
    job = _screen_job(request)
    if job is None:
        return error_page(request, _("There is no such screening (it may have expired)."), 404)
    form = form_of(request)
    fmt, lang = field(form, "format"), field(form, "lang")
    if fmt not in SCREEN_FORMATS or lang not in LANGUAGES:
        raise InputError(_("choose a report format and a language"))
    screen: ScreenJob = job.facts["screen"]  # type: ignore[assignment]
    outcome: ScreenOutcome = job.facts["outcome"]  # type: ignore[assignment]
    name = f"screening-{_safe(screen.slug)}-{_safe(outcome.version)}-{lang}.{fmt}"
    engine = engine_of(request)
    options = report_options(request, lang)

    def write() -> None:
        report = api.screen_catalogue(
            engine,
            screen.upload,
            screen.slug,
            label=outcome.version,
            compare=screen.compare,
            limits=screen.limits,
        )
        write_screen_report(engine, report, fmt, job.path(name), options)

    await call(write)
    job.files[name] = "report"
    query = urlencode({"status": field(form, "status") or "all"})
    return RedirectResponse(f"/screen/{job.id}?{query}", status_code=303)


ROUTES = [
    Route("/screen", guarded("screen")(form_page), methods=["GET"]),
    Route("/screen", guarded("screen", upload=True)(upload), methods=["POST"]),
    Route("/screen/{job}", guarded("screen")(result), methods=["GET"]),
    Route("/screen/{job}/report", guarded("screen")(report), methods=["POST"]),
]
