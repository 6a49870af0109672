"""Settings: explicit argument > environment > the user's config file > built-in default.

Only the CLI resolves settings; library functions take an engine, a URL or an
actor as arguments. Nothing here reads the environment or the disk at import.

The config file is TOML, ``config.toml`` in the user config folder
(``exportctl config`` prints where, and the settings in effect), or the file named by
``EXPORTCTL_CONFIG``::

    database = "postgresql+psycopg://officer@db.example/exportctl"
    actor = "kim.compliance"
    timezone = "Asia/Seoul"
    default_list = "kr-russia"

Every key is optional; an unknown key is refused, so a typo never goes unnoticed.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from exportctl.errors import ConfigError

ENV_DATABASE_URL = "EXPORTCTL_DATABASE_URL"
ENV_ACTOR = "EXPORTCTL_ACTOR"
ENV_CONFIG = "EXPORTCTL_CONFIG"
ENV_LIST = "EXPORTCTL_LIST"


@dataclass(frozen=True)
class Config:
    """What the user's config file says (every field optional)."""

    database: str | None = None
    """Database URL or SQLite file path, used when neither ``--db`` nor the variable is set."""
    actor: str | None = None
    """Name recorded as who acted, when ``EXPORTCTL_ACTOR`` is not set."""
    timezone: str | None = None
    """IANA time zone for times printed in reports, e.g. ``Asia/Seoul`` (else ``TZ``)."""
    default_list: str | None = None
    """List slug used when a command is given no ``--list``."""
    path: Path | None = None
    """The file these settings came from (None when there was none)."""


def default_data_dir() -> Path:
    """The per-user data directory (not created here)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("exportctl", appauthor=False))


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the config file is looked for: ``EXPORTCTL_CONFIG`` or the user config folder."""
    env = os.environ if environ is None else environ
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("exportctl", appauthor=False)) / "config.toml"


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Read the config file; a missing file gives the defaults.

    Raises:
        ConfigError: The file cannot be read, is not TOML, names an unknown key
            or gives a key a value that is not text; or ``EXPORTCTL_CONFIG``
            names a file that does not exist.
    """
    env = os.environ if environ is None else environ
    path = config_path(env)
    if not path.is_file():
        if env.get(ENV_CONFIG):
            raise ConfigError(f"config file {path} (from {ENV_CONFIG}) does not exist")
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    known = [f.name for f in fields(Config) if f.name != "path"]
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f'config file {path}: unknown key "{key}" (known keys: {", ".join(known)})'
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f'config file {path}: "{key}" must be a non-empty text')
    return Config(**{k: v.strip() for k, v in data.items()}, path=path)


def resolve_database_url(
    explicit: str | None,
    environ: Mapping[str, str] | None = None,
    config: Config | None = None,
) -> str:
    """Pick the database URL: ``--db``, then ``EXPORTCTL_DATABASE_URL``, then the config file,
    then SQLite in the user data folder.

    A bare file path is accepted in place of a URL and means a SQLite file.

    Args:
        explicit: The ``--db`` value, if given.
        environ: Environment to consult (``os.environ`` when None).
        config: The user's settings (none when None).

    Returns:
        A SQLAlchemy URL string.
    """
    env = os.environ if environ is None else environ
    url = explicit or env.get(ENV_DATABASE_URL) or (config.database if config else None)
    if not url:
        return f"sqlite:///{default_data_dir() / 'exportctl.db'}"
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def current_actor(environ: Mapping[str, str] | None = None, config: Config | None = None) -> str:
    """Who is acting: ``EXPORTCTL_ACTOR``, the config file's ``actor``, or the OS user."""
    env = os.environ if environ is None else environ
    if env.get(ENV_ACTOR):
        return env[ENV_ACTOR]
    if config is not None and config.actor:
        return config.actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
