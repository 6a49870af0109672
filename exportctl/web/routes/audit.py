"""The audit trail, newest first, and its verification (``exportctl audit verify``)."""

from __future__ import annotations

import json
import math

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exportctl import api
from exportctl.api.browse import audit_head
from exportctl.web.auth import guarded
from exportctl.web.render import page
from exportctl.web.routes import call, engine_of, optional

PAGE = 100
"""Events on a page."""


async def trail(request: Request) -> Response:
    """``/audit?page=N&verify=1&head=ID:HASH``: the events, and the chain checked."""
    engine = engine_of(request)
    events = list(reversed(await call(api.audit_log, engine)))
    pages = max(1, math.ceil(len(events) / PAGE))
    try:
        number = min(max(1, int(request.query_params.get("page", "1"))), pages)
    except ValueError:
        number = 1
    problems: list[str] | None = None
    head = optional(request.query_params.get("head"))
    if request.query_params.get("verify"):
        problems = await call(api.verify_audit_log, engine, head)
    shown = events[(number - 1) * PAGE : number * PAGE]
    return page(
        request,
        "audit.html",
        events=shown,
        details={event.id: _detail(event.detail) for event in shown},
        number=number,
        pages=pages,
        problems=problems,
        head=head or "",
        last=await call(audit_head, engine),
    )


def _detail(text: str) -> str:
    """An event's detail as ``key: value`` pairs on one line."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    return "; ".join(f"{key}: {value}" for key, value in data.items() if value not in (None, ""))


ROUTES = [Route("/audit", guarded("read")(trail), methods=["GET"])]
