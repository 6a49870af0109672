"""Reading: the lists, a list's versions, a version's entries, one entry's history, and
the code look-up (the answer ``exportctl check`` gives)."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from exportctl import api
from exportctl.api.browse import version_notice
from exportctl.api.history import entry_history
from exportctl.api.lookups import code_lines
from exportctl.errors import InputError, ListNotFoundError
from exportctl.i18n import _
from exportctl.identity import item_key
from exportctl.models import ControlList, Version
from exportctl.web.auth import guarded
from exportctl.web.render import page
from exportctl.web.routes import call, day, engine_of, optional

MAX_CODES = 200
"""Codes one look-up takes."""


async def home(request: Request) -> Response:
    """``/``: the lists."""
    return RedirectResponse("/lists", status_code=303)


async def lists(request: Request) -> Response:
    """``/lists``: every list, its versions counted, and the look-up box."""
    found = await call(api.list_lists, engine_of(request))
    return page(request, "lists.html", lists=found)


async def _the_list(request: Request, slug: str) -> tuple[ControlList, list[Version]]:
    for control_list, versions in await call(api.list_lists, engine_of(request)):
        if control_list.slug == slug:
            return control_list, versions
    raise ListNotFoundError(_('no list is called "{slug}"').format(slug=slug))


async def versions(request: Request) -> Response:
    """``/lists/{slug}``: the versions with status, notice, dates, counts and warnings,
    the forms that change a status, and the choice of two versions to compare."""
    control_list, found = await _the_list(request, request.path_params["slug"])
    return page(
        request,
        "list.html",
        control_list=control_list,
        versions=list(reversed(found)),
        notices={version.label: version_notice(version) for version in found},
    )


async def entries(request: Request) -> Response:
    """``/lists/{slug}/versions/{label}``: the entries, searched by code prefix, words,
    category and part, a page at a time, sub-items shown as their tree."""
    slug, label = request.path_params["slug"], request.path_params["label"]
    query = request.query_params
    filters = {name: optional(query.get(name)) for name in ("code", "search", "category")}
    section = optional(query.get("section"))
    selection = await call(
        api.select_items, engine_of(request), slug, label=label, section=section, **filters
    )
    size = request.app.state.settings.page_size
    pages = max(1, math.ceil(len(selection.items) / size))
    number = min(max(1, _int(query.get("page"), 1)), pages)
    shown = selection.items[(number - 1) * size : number * size]
    return page(
        request,
        "version.html",
        slug=slug,
        selection=selection,
        version=selection.version,
        notice=version_notice(selection.version),
        shown=shown,
        keys=[item_key(item) for item in shown],
        filters={**filters, "section": section},
        number=number,
        pages=pages,
    )


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


async def history(request: Request) -> Response:
    """``/lists/{slug}/entry?key=KEY``: one entry in every version of its list."""
    slug = request.path_params["slug"]
    key = request.query_params.get("key", "")
    if not key:
        raise InputError(_("say which entry: its key is missing from the address"))
    steps = await call(entry_history, engine_of(request), slug, key)
    return page(request, "history.html", slug=slug, key=key, steps=steps)


async def check(request: Request) -> Response:
    """``/check``: codes looked up against a list, as ``exportctl check`` answers."""
    query = request.query_params
    found = await call(api.list_lists, engine_of(request))
    slugs = [control_list.slug for control_list, _versions in found]
    slug = query.get("list") or (slugs[0] if slugs else "")
    codes = code_lines(query.get("codes", "").splitlines())
    report = None
    if codes and slug:
        if len(codes) > MAX_CODES:
            raise InputError(
                _("look up at most {n} codes at a time; screen a file for more").format(n=MAX_CODES)
            )
        label = optional(query.get("version"))
        report = await call(
            api.check_codes,
            engine_of(request),
            slug,
            codes,
            label=label,
            as_of=day(query.get("as_of"), _("date")) if label is None else None,
        )
    versions = {control_list.slug: versions for control_list, versions in found}
    return page(
        request,
        "check.html",
        slugs=slugs,
        slug=slug,
        versions=versions.get(slug, []),
        codes="\n".join(codes),
        chosen_version=query.get("version", ""),
        as_of=query.get("as_of", ""),
        report=report,
    )


ROUTES = [
    Route("/", guarded("read")(home), methods=["GET"]),
    Route("/lists", guarded("read")(lists), methods=["GET"]),
    Route("/lists/{slug}", guarded("read")(versions), methods=["GET"]),
    Route("/lists/{slug}/versions/{label}", guarded("read")(entries), methods=["GET"]),
    Route("/lists/{slug}/entry", guarded("read")(history), methods=["GET"]),
    Route("/check", guarded("read")(check), methods=["GET"]),
]
