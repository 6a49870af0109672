"""The web view's application: :func:`create_app` puts the pages, the gate, the
sessions and the language together.

Starlette is the ASGI toolkit (FastAPI is built on it); pages are rendered on the
server from Jinja2 templates and work without JavaScript. Every page calls the
library's API (:mod:`exportctl.api`), never the database directly.

Example:
    >>> app = create_app(WebSettings("sqlite:///lists.db", token="s3cret"))
    >>> uvicorn.run(app, host="127.0.0.1", port=8750)
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exportctl.api import open_database
from exportctl.errors import ExportctlError, NotFoundError, StatusError
from exportctl.i18n import _, using
from exportctl.web.auth import Gate, log_in, log_in_page, log_out
from exportctl.web.jobs import Workspace
from exportctl.web.lang import LanguageMiddleware, toggle
from exportctl.web.render import error_page
from exportctl.web.runner import Runner
from exportctl.web.settings import WebSettings

SESSION_COOKIE = "exportctl_session"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""Only this site's own files run or style a page: a value that slipped through
escaping still could not run a script."""


class SecurityHeaders:
    """Headers that keep pages out of frames, scripts to this site, and pages out of
    caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, with_headers)


def _error_status(exc: ExportctlError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StatusError):
        return 409
    return 400


async def _library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ExportctlError)
    return error_page(request, str(exc), _error_status(exc))


async def _bug(request: Request, exc: Exception) -> Response:
    """A page for an error that is a bug: outside the language and session layers, so
    said in both languages; the traceback goes to the server's log."""
    from html import escape

    from starlette.responses import HTMLResponse

    said = []
    for lang in ("ko", "en"):
        with using(lang):
            said.append(
                escape(
                    _(
                        "unexpected {kind} (this is a bug in exportctl; the server's log "
                        "has the details)"
                    ).format(kind=type(exc).__name__)
                )
            )
    body = "<!doctype html><meta charset=utf-8><title>exportctl</title>" + "".join(
        f"<p>{line}</p>" for line in said
    )
    return HTMLResponse(body, status_code=500)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 404 else _("There is no such page.")
    return error_page(request, str(message), exc.status_code)


def routes() -> list[Route | Mount]:
    """Every address the view answers."""
    from exportctl.web.auth import guarded
    from exportctl.web.jobs import download
    from exportctl.web.routes import audit, browse, changes, manage, screening, users

    static = Path(__file__).resolve().parent / "static"
    # The Hangul font the PDF reports embed: pages read right where no Korean font is.
    fonts = Path(__file__).resolve().parent.parent / "reports" / "fonts"
    return [
        Route("/login", log_in_page, methods=["GET"]),
        Route("/login", log_in, methods=["POST"]),
        Route("/logout", log_out, methods=["POST"]),
        Route("/lang/{code}", toggle, methods=["GET"]),
        Mount("/static/fonts", StaticFiles(directory=fonts), name="fonts"),
        Mount("/static", StaticFiles(directory=static), name="static"),
        Route("/downloads/{job}/{name}", guarded("read")(download), methods=["GET"]),
        *browse.ROUTES,
        *changes.ROUTES,
        *screening.ROUTES,
        *manage.ROUTES,
        *audit.ROUTES,
        *users.ROUTES,
    ]


def create_app(settings: WebSettings) -> Starlette:
    """The web view over the database ``settings.database_url``.

    The database is opened (and checked at head) here, so a view that cannot
    use it never starts. Its work folder and worker processes go when it stops.

    Raises:
        SchemaOutOfDateError, ConfigError: The database cannot be used.
    """
    engine = open_database(settings.database_url)
    root = settings.work_dir or Path(tempfile.mkdtemp(prefix="exportctl-web-"))
    workspace = Workspace(root, settings.job_hours)
    runner = Runner(engine, settings.database_url, settings.screen_workers)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runner.close()
            workspace.close()
            engine.dispose()

    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key or secrets.token_urlsafe(32),
            session_cookie=SESSION_COOKIE,
            max_age=int(settings.session_hours * 3600),
            same_site="lax",
            https_only=settings.https,
        ),
        Middleware(LanguageMiddleware, default=settings.default_lang),
    ]
    app = Starlette(
        routes=routes(),
        middleware=middleware,
        exception_handlers={
            ExportctlError: _library_error,
            HTTPException: _http_error,
            Exception: _bug,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.gate = Gate(settings)
    app.state.workspace = workspace
    app.state.runner = runner
    return app
