"""Pages from Jinja2 templates, every value escaped (autoescaping on for all of them).

The templates' words are report-style keys (``web.nav.lists``) looked up in the
one catalogue (:mod:`exportctl.i18n`), so the pages speak the request's language;
statuses and change kinds are the reports' own words
(:func:`exportctl.reports.language.text_for`).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from exportctl.diff.changeset import dotted
from exportctl.i18n import LANGUAGES, _, active, ngettext
from exportctl.reports.language import text_for
from exportctl.reports.screening import change_words
from exportctl.web.csrf import form_token


@functools.cache
def environment() -> Environment:
    """The template environment (one per process)."""
    env = Environment(
        loader=PackageLoader("exportctl.web", "templates"),
        # Every template is HTML: escape every value, whatever the file is called.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(_=_, ngettext=ngettext, languages=LANGUAGES)
    env.filters.update(
        code=_code,
        number=_number,
        status_word=lambda status: text_for(active()).status(status),
        kind_word=lambda kind: text_for(active()).kind(kind),
        day=_day,
        seg=lambda value: quote(str(value), safe=""),
        change_word=lambda change: change_words(change, text_for(active())),
    )
    return env


def _code(digits: str | None) -> str:
    return dotted(digits) if digits else "—"


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat()


def moment(request: Request, value: dt.datetime | None) -> str:
    """A stored time (naive means UTC) in the view's zone: ``2024-06-28 09:00 +09:00``."""
    if value is None:
        return "—"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    here = aware.astimezone(request.app.state.settings.zone)
    offset = here.isoformat()[-6:] if here.utcoffset() else "UTC"
    return f"{here:%Y-%m-%d %H:%M} {offset}"


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with what every page needs: who is asking, the language,
    the form token and the current address (for the language toggle)."""
    viewer = getattr(request.state, "viewer", None)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = (
        environment()
        .get_template(template)
        .render(
            viewer=viewer,
            lang=active(),
            csrf=form_token(request),
            here=here,
            moment=lambda value: moment(request, value),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    """A page saying what went wrong in one sentence."""
    return page(request, "error.html", status=status, message=message)
