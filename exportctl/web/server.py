"""Serving the web view with uvicorn on a socket the caller opened.

The command line opens the socket itself (:func:`listen`), so an address in use
is one sentence before anything starts, then hands it to :func:`serve`.
"""

from __future__ import annotations

import secrets
import socket

from exportctl.errors import ConfigError
from exportctl.i18n import _
from exportctl.web.app import create_app
from exportctl.web.settings import LOOPBACK_NAMES, WebSettings, is_loopback


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``.

    Raises:
        ConfigError: The address cannot be used (in use, not this machine's...).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, IndexError) as exc:
        raise ConfigError(
            _("cannot listen on {host}:{port}: {reason}").format(host=host, port=port, reason=exc)
        ) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            _("cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=exc.strerror or exc
            )
        ) from None
    sock.set_inheritable(True)
    return sock


def new_token() -> str:
    """A token for the address printed when no user exists yet."""
    return secrets.token_urlsafe(24)


def allowed_hosts(host: str) -> tuple[str, ...]:
    """The ``Host`` headers to answer: on loopback, only this machine's own names."""
    if is_loopback(host) and ":" not in host:
        return tuple(dict.fromkeys((host, *LOOPBACK_NAMES)))
    return ("*",)


def serve(settings: WebSettings, sock: socket.socket) -> None:
    """Serve the view on ``sock`` until interrupted (Ctrl+C)."""
    import uvicorn

    app = create_app(settings)
    config = uvicorn.Config(
        app, log_level="warning", server_header=False, access_log=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])
