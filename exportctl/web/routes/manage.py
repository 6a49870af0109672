"""Changing what is stored: importing a list's new version, a draft's dates, and a
version's status (approve, withdraw, reinstate) by the command line's rules: a
second person, or one person recorded as acting alone ("self")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from exportctl import api
from exportctl.api.lifecycle import reinstate_version
from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.validate import Declared
from exportctl.web.auth import guarded
from exportctl.web.jobs import Workspace, save_upload
from exportctl.web.render import page
from exportctl.web.routes import call, day, engine_of, field, form_of, optional, viewer_of


def _back(slug: str) -> RedirectResponse:
    return RedirectResponse(f"/lists/{quote(slug, safe='')}", status_code=303)


async def _set_status(request: Request, action: Callable[..., Any], **said: str | None) -> Response:
    """Run ``action`` (approve, withdraw or reinstate) on the version the address names,
    as the signed-in user, acting alone only when the form says so ("self")."""
    slug, label = request.path_params["slug"], request.path_params["label"]
    form = form_of(request)
    await call(
        action,
        engine_of(request),
        slug,
        label,
        **said,
        one_person=field(form, "self") == "yes",
        actor=viewer_of(request).name,
    )
    return _back(slug)


async def approve(request: Request) -> Response:
    """``POST /lists/{slug}/versions/{label}/approve``."""
    return await _set_status(
        request, api.approve_version, note=optional(field(form_of(request), "note"))
    )


async def withdraw(request: Request) -> Response:
    """``POST /lists/{slug}/versions/{label}/withdraw``: needs a reason."""
    return await _set_status(
        request, api.withdraw_version, reason=field(form_of(request), "reason")
    )


async def reinstate(request: Request) -> Response:
    """``POST /lists/{slug}/versions/{label}/reinstate``: needs a reason."""
    return await _set_status(request, reinstate_version, reason=field(form_of(request), "reason"))


async def dates(request: Request) -> Response:
    """``POST /lists/{slug}/versions/{label}/dates``: a draft's effective and notice dates."""
    slug, label = request.path_params["slug"], request.path_params["label"]
    form = form_of(request)
    effective = day(field(form, "effective"), _("effective date"))
    notice_date = day(field(form, "notice_date"), _("notice date"))
    if effective is None and notice_date is None:
        raise InputError(_("give an effective date, a notice date or both"))
    await call(
        api.set_version_dates,
        engine_of(request),
        slug,
        label,
        effective=effective,
        notice_date=notice_date,
        actor=viewer_of(request).name,
    )
    return _back(slug)


async def import_page(request: Request) -> Response:
    """``/import``: the form to import a list's new version."""
    found = await call(api.list_lists, engine_of(request))
    return page(
        request,
        "import.html",
        lists=found,
        result=None,
        chosen=request.query_params.get("list", ""),
    )


def _count(text: str, what: str) -> int | None:
    if not text:
        return None
    if not text.replace(",", "").isdigit():
        raise InputError(
            _('{field}: "{value}" is not a whole number').format(field=what, value=text)
        )
    return int(text.replace(",", ""))


async def import_upload(request: Request) -> Response:
    """``POST /import``: validate the uploaded workbook and, without errors, store it as a
    draft imported by the viewer (``exportctl import``)."""
    form = form_of(request)
    slug, label = field(form, "list"), field(form, "label")
    given = form.get("file")
    if not slug or not label:
        raise InputError(_("choose a list and give the version's label"))
    if not isinstance(given, UploadFile) or not given.filename:
        raise InputError(_("choose the list's file to upload"))
    base = optional(field(form, "base"))
    options = api.ImportOptions(
        slug=slug,
        label=label,
        effective=day(field(form, "effective"), _("effective date")),
        notice_date=day(field(form, "notice_date"), _("notice date")),
        base=base,
        additions=field(form, "additions") == "yes",
        declared=Declared(
            total=_count(field(form, "declared_total"), _("declared total")),
            added=_count(field(form, "declared_added"), _("declared additions")),
            removed=_count(field(form, "declared_removed"), _("declared removals")),
        ),
        section=optional(field(form, "section")),
        actor=viewer_of(request).name,
        limits=request.app.state.settings.limits,
    )
    workspace: Workspace = request.app.state.workspace
    job = workspace.new_job(viewer_of(request).name)
    saved = await save_upload(given, job, options.limits, "list.xlsx")
    result = await call(api.import_workbook, engine_of(request), saved, options)
    found = await call(api.list_lists, engine_of(request))
    return page(
        request,
        "import.html",
        lists=found,
        result=result,
        chosen=slug,
        status=200 if result.stored else 422,
    )


ROUTES = [
    Route("/import", guarded("import")(import_page), methods=["GET"]),
    Route("/import", guarded("import", upload=True)(import_upload), methods=["POST"]),
    Route("/lists/{slug}/versions/{label}/approve", guarded("approve")(approve), methods=["POST"]),
    Route(
        "/lists/{slug}/versions/{label}/withdraw", guarded("withdraw")(withdraw), methods=["POST"]
    ),
    Route(
        "/lists/{slug}/versions/{label}/reinstate",
        guarded("reinstate")(reinstate),
        methods=["POST"],
    ),
    Route("/lists/{slug}/versions/{label}/dates", guarded("dates")(dates), methods=["POST"]),
]
