"""What the web view is told when it is made: everything explicit, nothing read from
the environment (the command line resolves it, as for every command)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from exportctl.limits import DEFAULTS, Limits

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
"""Host names that are always this machine."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address to listen on) is this machine only."""
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebSettings:
    """How one web view runs."""

    database_url: str
    """The database, as ``--db`` gives it."""
    token: str | None = None
    """The secret that admits a browser while no user exists (loopback only); None: a
    web view that admits only logged-in users."""
    local_actor: str = "unknown"
    """Who acts through the token (the command line's actor: ``EXPORTCTL_ACTOR``, the
    config file's ``actor`` or the OS user)."""
    limits: Limits = DEFAULTS
    """The caps on uploaded files, as the command line resolves them."""
    zone: dt.tzinfo = dt.UTC
    """The zone times are shown in."""
    default_lang: str = "en"
    """The language when the browser asks for neither Korean nor English."""
    allowed_hosts: tuple[str, ...] = ("*",)
    """``Host`` headers answered (on loopback, only this machine's names: a page on
    another site cannot reach the view by DNS rebinding)."""
    work_dir: Path | None = None
    """Where uploads and reports are kept while the view runs (a new temporary
    folder when None, removed when the view stops)."""
    secret_key: str | None = None
    """Signs the session cookies; a new random key when None (sessions end when the
    view stops)."""
    https: bool = False
    """Cookies are sent over HTTPS only (behind a TLS proxy)."""
    session_hours: float = 8.0
    """How long a log-in lasts."""
    login_delay: float = 1.0
    """Seconds a failed log-in waits before it is answered, doubled with each failure
    from the same address or for the same name (reset by a success)."""
    login_delay_max: float = 30.0
    """The longest wait."""
    screen_workers: int = 0
    """Processes that screen uploads (so look-ups stay quick meanwhile); 0 screens
    in a thread of the view's own process."""
    shown_rows: int = 500
    """Screening rows shown on a page (the reports hold them all)."""
    page_size: int = 100
    """Entries shown on a page of a version."""
    job_hours: float = 4.0
    """How long an upload and its reports are kept."""
