"""The changes between two versions, filtered by kind, and the reports ``exportctl diff``
writes (CSV, XLSX, PDF, JSON; Korean or English), recorded in the audit trail."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlencode

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from exportctl import api
from exportctl.api.changes import REPORT_FORMATS
from exportctl.diff import CHANGE_KINDS, ChangeSet, summarise
from exportctl.errors import InputError
from exportctl.i18n import LANGUAGES, _
from exportctl.reports.evidence import Evidence, ReportOptions
from exportctl.web.auth import guarded
from exportctl.web.jobs import Job, Workspace
from exportctl.web.render import page
from exportctl.web.routes import call, engine_of, field, form_of, viewer_of

SHOWN = 1000
"""Changes of a kind listed on the page (the reports hold them all)."""


def _safe(text: str) -> str:
    """A label as part of a file name."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text).strip("_") or "version"


async def changes(request: Request) -> Response:
    """``/lists/{slug}/changes?old=A&new=B&kind=K``: what changed, a kind at a time."""
    slug = request.path_params["slug"]
    query = request.query_params
    old, new = query.get("old", ""), query.get("new", "")
    if not old or not new:
        raise InputError(_("choose two versions to compare"))
    found: ChangeSet = await call(api.diff_versions, engine_of(request), slug, old, new)
    summary = summarise(found)
    counts = found.counts()
    kind = query.get("kind") or next((k for k in CHANGE_KINDS if counts[k]), "added")
    listed = [change for change in found.changes if change.kind == kind]
    workspace: Workspace = request.app.state.workspace
    ready = workspace.job(query.get("ready", ""), viewer_of(request).name)
    return page(
        request,
        "changes.html",
        slug=slug,
        old=old,
        new=new,
        changes=found,
        summary=summary,
        counts=counts,
        kinds=CHANGE_KINDS,
        kind=kind,
        listed=listed[:SHOWN],
        more=max(0, len(listed) - SHOWN),
        formats=REPORT_FORMATS,
        ready=ready,
    )


def write_changes(
    engine: Engine, found: ChangeSet, fmt: str, job: Job, options: ReportOptions
) -> list[str]:
    """Write the change report into the job's folder as ``diff`` writes it: a PDF that
    cannot list every change gets its full table beside it (an XLSX it names).

    Returns:
        The names written, the one asked for first.
    """
    old = found.old_version.label if found.old_version else "old"
    new = found.new_version.label if found.new_version else "new"
    stem = f"changes-{_safe(found.list_slug)}-{_safe(old)}-{_safe(new)}-{options.lang}"
    written = [f"{stem}.{fmt}"]
    if fmt == "pdf" and any(count > options.pdf_rows for count in found.counts().values()):
        companion = f"{stem}.full-list.xlsx"
        api.write_change_report(engine, found, "xlsx", job.path(companion), options=options)
        options = dataclasses.replace(options, companion=companion)
        written.append(companion)
    api.write_change_report(engine, found, fmt, job.path(written[0]), options=options)
    for name in written:
        job.files[name] = "report"
    return written


def report_options(request: Request, lang: str) -> ReportOptions:
    """What a report is told: its language and the record of who made it, when, where."""
    settings = request.app.state.settings
    return ReportOptions(
        lang=lang,
        evidence=Evidence.now(
            operator=viewer_of(request).name,
            database=settings.database_url,
            zone=settings.zone,
        ),
    )


async def report(request: Request) -> Response:
    """``POST /lists/{slug}/changes/report``: write a change report; the page then
    offers it for download."""
    slug = request.path_params["slug"]
    form = form_of(request)
    old, new, kind = field(form, "old"), field(form, "new"), field(form, "kind")
    fmt, lang = field(form, "format"), field(form, "lang")
    if fmt not in REPORT_FORMATS or lang not in LANGUAGES:
        raise InputError(_("choose a report format and a language"))
    engine = engine_of(request)
    found = await call(api.diff_versions, engine, slug, old, new)
    workspace: Workspace = request.app.state.workspace
    job = workspace.new_job(viewer_of(request).name)
    await call(write_changes, engine, found, fmt, job, report_options(request, lang))
    query = urlencode({"old": old, "new": new, "kind": kind, "ready": job.id})
    return RedirectResponse(f"/lists/{slug}/changes?{query}", status_code=303)


ROUTES = [
    Route("/lists/{slug}/changes", guarded("read")(changes), methods=["GET"]),
    Route("/lists/{slug}/changes/report", guarded("report")(report), methods=["POST"]),
]
