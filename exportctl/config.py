"""Resolving where the database lives: explicit argument > environment > default.

Only the CLI calls :func:`resolve_database_url`; library functions take an engine
or URL as an argument.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from pathlib import Path

ENV_DATABASE_URL = "EXPORTCTL_DATABASE_URL"
ENV_ACTOR = "EXPORTCTL_ACTOR"


def default_data_dir() -> Path:
    """The per-user data directory (not created here)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("exportctl", appauthor=False))


def resolve_database_url(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Pick the database URL: ``--db`` flag, then ``EXPORTCTL_DATABASE_URL``, then SQLite.

    A bare file path is accepted in place of a URL and means a SQLite file.

    Args:
        explicit: The ``--db`` value, if given.
        environ: Environment to consult (``os.environ`` when None).

    Returns:
        A SQLAlchemy URL string.
    """
    env = os.environ if environ is None else environ
    url = explicit or env.get(ENV_DATABASE_URL)
    if not url:
        return f"sqlite:///{default_data_dir() / 'exportctl.db'}"
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def current_actor(environ: Mapping[str, str] | None = None) -> str:
    """Who is acting: ``EXPORTCTL_ACTOR`` or the operating-system user."""
    env = os.environ if environ is None else environ
    if env.get(ENV_ACTOR):
        return env[ENV_ACTOR]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
