"""Pages in Korean or English: the toggle's choice (a cookie), else the browser's
``Accept-Language``, else the view's default.

The language is made active (:func:`exportctl.i18n.using`) for the whole request,
so the pages, the library's messages and its errors all speak it; the library
calls made in worker threads inherit it (their context is copied).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from exportctl.i18n import LANGUAGES, using

COOKIE = "exportctl_lang"
"""The cookie holding the toggle's choice."""


def negotiate(header: str, default: str) -> str:
    """The first of exportctl's languages the ``Accept-Language`` header prefers.

    Example:
        >>> negotiate("ko-KR,ko;q=0.9,en-US;q=0.8", "en")
        'ko'
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().split("-")[0].lower()
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else default


def chosen(request: Request, default: str) -> str:
    """The language of a request: the toggle's cookie, else the browser's."""
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return negotiate(request.headers.get("accept-language", ""), default)


class LanguageMiddleware:
    """Makes the request's language active while it is answered."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = chosen(Request(scope), self.default)
        scope.setdefault("state", {})["lang"] = lang
        with using(lang):
            await self.app(scope, receive, send)


async def toggle(request: Request) -> Response:
    """``GET /lang/{code}?next=PATH``: remember the language and go back to the page."""
    from exportctl.web.auth import safe_next

    code = request.path_params["code"]
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax")
    return response
