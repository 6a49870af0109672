"""The web view's pages, by concern: browsing lists and versions (:mod:`.browse`), the
changes between two versions (:mod:`.changes`), screening an upload
(:mod:`.screening`), importing and a version's status (:mod:`.manage`), the audit
trail (:mod:`.audit`) and users (:mod:`.users`).

Each handler reads its request, calls the library's API in a worker thread (the
API is synchronous) and renders a page; none talks to the database itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.web.auth import Viewer

T = TypeVar("T")


def engine_of(request: Request) -> Engine:
    """The view's database."""
    engine: Engine = request.app.state.engine
    return engine


def viewer_of(request: Request) -> Viewer:
    """Who is asking (set by :func:`exportctl.web.auth.guarded`)."""
    viewer: Viewer = request.state.viewer
    return viewer


async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) library call in a worker thread, in the request's language."""
    return await run_in_threadpool(function, *args, **kwargs)


def field(form: FormData, name: str) -> str:
    """A text field of a posted form, stripped (``""`` when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(value: str | None) -> str | None:
    """``None`` for an empty field."""
    value = (value or "").strip()
    return value or None


def day(value: str | None, what: str) -> dt.date | None:
    """A date field as officers write it (``2024-06-28``, ``2024. 6. 28.``), or None.

    Raises:
        InputError: It is not a date.
    """
    from exportctl.dates import parse_date

    value = optional(value)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(_("{field}: {reason}").format(field=what, reason=exc)) from None


def form_of(request: Request) -> FormData:
    """The posted form, already checked for its token."""
    form: FormData = request.state.form
    return form
