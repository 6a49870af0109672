"""Who is asking: log-ins, the loopback token, sessions that can be ended, and slowed
failures.

Two ways in, decided on every request by whether the database has users:

* **no user yet** (only on loopback): the token ``exportctl serve`` printed, given
  once in the address (``/?token=…``) or typed on the log-in page, as Jupyter
  does; the browser then holds a session whose actor is the command line's;
* **users**: a name and password (:func:`exportctl.api.users.authenticate`); the
  actor of everything the user does is their name.

The signed cookie (Starlette's ``SessionMiddleware``: HttpOnly, SameSite=Lax) holds
only a session id and the form token (:mod:`exportctl.web.csrf`); the grant itself
lives here, on the server, so logging out, disabling a user or changing their
password ends their sessions at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from exportctl.api.users import UserInfo, authenticate, count_users, find_user
from exportctl.i18n import _
from exportctl.users import allowed
from exportctl.web.settings import WebSettings

SESSION_ID = "sid"
"""The cookie session's key holding the server-side grant's id."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who a request comes from."""

    name: str
    """The actor recorded for what they do."""
    role: str
    """Their role (``admin`` through the token: whoever holds it runs the server)."""
    via: Literal["login", "token"]
    """How they came in."""

    def may(self, action: str) -> bool:
        """Whether their role allows ``action`` (:data:`exportctl.users.NEEDS`)."""
        return allowed(self.role, action)


@dataclass(slots=True)
class Grant:
    """A browser let in: by the token (``user`` None) or as a user."""

    user: str | None
    """The user's name; None for the token."""
    since: float
    """When (``time.time()``): a password changed after it ends the grant."""
    expires: float
    """When it ends (``time.monotonic()``)."""


@dataclass
class Gate:
    """The grants of one running view, and the failed log-ins it is slowing."""

    settings: WebSettings
    grants: dict[str, Grant] = field(default_factory=dict)
    failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Failed log-ins by ``ip:ADDRESS`` and ``name:NAME``: count and last time."""
    turns: dict[str, tuple[asyncio.Lock, int]] = field(default_factory=dict)
    """Log-ins from each address being answered, one after another: lock and waiters."""

    def admit(self, request: Request, user: str | None) -> None:
        """Start a grant for this browser, under a new session id and form token (a
        session id fixed before the log-in is never the one after it)."""
        self.forget(request)
        sid = secrets.token_urlsafe(32)
        now = time.monotonic()
        self.grants[sid] = Grant(user, time.time(), now + self.settings.session_hours * 3600)
        self._sweep(now)
        request.session.clear()
        request.session[SESSION_ID] = sid

    def forget(self, request: Request) -> None:
        """End this browser's grant (log out)."""
        sid = request.session.get(SESSION_ID)
        if isinstance(sid, str):
            self.grants.pop(sid, None)
        request.session.clear()

    def _sweep(self, now: float) -> None:
        for sid in [sid for sid, grant in self.grants.items() if grant.expires < now]:
            del self.grants[sid]

    def token_matches(self, given: str | None) -> bool:
        """Whether ``given`` is the token (compared in constant time)."""
        token = self.settings.token
        if not token or not given:
            return False
        return hmac.compare_digest(given.encode(), token.encode())

    async def viewer(self, request: Request) -> Viewer | None:
        """Who this request comes from, or None (no grant, or it no longer holds)."""
        sid = request.session.get(SESSION_ID)
        grant = self.grants.get(sid) if isinstance(sid, str) else None
        if grant is None or grant.expires < time.monotonic():
            return None
        engine = request.app.state.engine
        if grant.user is None:
            # A token grant holds only while no user exists.
            if await run_in_threadpool(count_users, engine) > 0:
                return None
            return Viewer(self.settings.local_actor, "admin", "token")
        user = await run_in_threadpool(find_user, engine, grant.user)
        if user is None or not user.enabled or user.password_changed_at.timestamp() > grant.since:
            self.grants.pop(str(sid), None)
            return None
        return Viewer(user.name, user.role, "login")

    async def users_exist(self, request: Request) -> bool:
        """Whether log-ins (not the token) admit browsers now."""
        return bool(await run_in_threadpool(count_users, request.app.state.engine) > 0)

    # ------------------------------------------------------------------ slowing

    def delay(self, request: Request, name: str) -> float:
        """Seconds to wait before answering a failed log-in, from the failures so far."""
        count = max(self._count(_ip_key(request)), self._count(_name_key(name)))
        return float(min(self.settings.login_delay * 2**count, self.settings.login_delay_max))

    def _count(self, key: str) -> int:
        count, last = self.failures.get(key, (0, 0.0))
        # Failures are forgotten after a quiet quarter of an hour.
        return count if time.monotonic() - last < 900 else 0

    @contextlib.asynccontextmanager
    async def one_at_a_time(self, request: Request) -> AsyncIterator[None]:
        """Answer the log-ins from one address one after another, so that attempts sent
        side by side each wait their slowed turn instead of all at once."""
        key = _ip_key(request)
        lock, waiting = self.turns.get(key, (asyncio.Lock(), 0))
        self.turns[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self.turns[key]
            if waiting > 1:
                self.turns[key] = (lock, waiting - 1)
            else:
                del self.turns[key]

    def failed(self, request: Request, name: str) -> None:
        now = time.monotonic()
        for key in (_ip_key(request), _name_key(name)):
            self.failures[key] = (self._count(key) + 1, now)
        if len(self.failures) > 10_000:
            self.failures = {k: v for k, v in self.failures.items() if now - v[1] < 900}

    def succeeded(self, request: Request, name: str) -> None:
        self.failures.pop(_name_key(name), None)
        self.failures.pop(_ip_key(request), None)


def _ip_key(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "?")


def _name_key(name: str) -> str:
    return "name:" + name.casefold()


def gate_of(request: Request) -> Gate:
    """The running view's gate."""
    gate: Gate = request.app.state.gate
    return gate


def safe_next(target: str | None) -> str:
    """A path on this site to go on to after logging in (``/`` when it is not one)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


Endpoint = Callable[[Request], Awaitable[Response]]


async def log_in(request: Request) -> Response:
    """``POST /login``: a name and password (users), or the token (no user yet)."""
    from exportctl.web.csrf import checked_form
    from exportctl.web.render import page

    gate = gate_of(request)
    form = await checked_form(request)
    target = safe_next(_text(form.get("next")))
    async with gate.one_at_a_time(request):
        if not await gate.users_exist(request):
            return await _with_token(request, gate, _text(form.get("token")), target)
        name = _text(form.get("name")).strip()
        password = _text(form.get("password"))
        user: UserInfo | None = await run_in_threadpool(
            authenticate, request.app.state.engine, name, password
        )
        if user is None:
            await asyncio.sleep(gate.delay(request, name))
            gate.failed(request, name)
            return page(
                request,
                "login.html",
                status=403,
                error=_("The name or the password is wrong, or the user is disabled."),
                next=target,
                name=name,
                token_mode=False,
            )
    gate.succeeded(request, name)
    gate.admit(request, user.name)
    return RedirectResponse(target, status_code=303)


async def _with_token(request: Request, gate: Gate, given: str, target: str) -> Response:
    """The log-in form with the token (no user yet)."""
    from exportctl.web.render import page

    if gate.token_matches(given):
        gate.admit(request, None)
        return RedirectResponse(target, status_code=303)
    await asyncio.sleep(gate.delay(request, "token"))
    gate.failed(request, "token")
    return page(
        request,
        "login.html",
        status=403,
        error=_("That is not the token exportctl serve printed."),
        next=target,
        token_mode=True,
    )


async def log_in_page(request: Request) -> Response:
    """``GET /login``: the form (name and password, or the token)."""
    from exportctl.web.render import page

    return page(
        request,
        "login.html",
        next=safe_next(request.query_params.get("next")),
        token_mode=not await gate_of(request).users_exist(request),
    )


def guarded(action: str, *, upload: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Let a request through to ``endpoint`` only from a viewer whose role allows
    ``action``, and a form (every ``POST``) only with its form token.

    Without a grant, a page asked for (``GET``) sends the browser to log in, or
    admits it when the address carries the token; anything else is refused (403).
    With ``upload``, a body larger than the file cap allows is refused before it
    is read (:func:`exportctl.web.bodies.refuse_oversized`).
    """

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def run(request: Request) -> Response:
            from exportctl.web.bodies import refuse_oversized
            from exportctl.web.csrf import checked_form
            from exportctl.web.render import error_page

            gate = gate_of(request)
            viewer = await gate.viewer(request)
            if viewer is None:
                return await _let_in(request, gate)
            request.state.viewer = viewer
            if not viewer.may(action):
                return error_page(
                    request,
                    _("Your role ({role}) does not allow this.").format(role=viewer.role),
                    403,
                )
            if request.method != "POST":
                return await endpoint(request)
            if upload:
                refused = refuse_oversized(request)
                if refused is not None:
                    return refused
            form = request.state.form = await checked_form(request)
            try:
                return await endpoint(request)
            finally:
                await form.close()  # an uploaded file's spool

        return run

    return wrap


async def _let_in(request: Request, gate: Gate) -> Response:
    """A request without a grant: the token in the address admits it (no user yet);
    a page is sent to the log-in form; anything else is refused."""
    from exportctl.web.render import error_page

    token = request.query_params.get("token")
    if request.method == "GET" and token is not None:
        if gate.token_matches(token) and not await gate.users_exist(request):
            gate.admit(request, None)
            # The token leaves the address bar (and the history) at once.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            return RedirectResponse(request.url.path + ("?" + urlencode(rest) if rest else ""), 303)
        await asyncio.sleep(gate.delay(request, "token"))
        gate.failed(request, "token")
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    return error_page(request, _("Log in first."), 403)


async def log_out(request: Request) -> Response:
    """``POST /logout``: end this browser's grant."""
    from exportctl.web.csrf import checked_form

    await checked_form(request)
    gate_of(request).forget(request)
    return RedirectResponse("/login", status_code=303)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
