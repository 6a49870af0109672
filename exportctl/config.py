"""Settings: explicit argument > environment > the user's config file > built-in default.

Only the CLI resolves settings; library functions take an engine, a URL or an
actor as arguments. Nothing here reads the environment or the disk at import.

The config file is TOML, ``config.toml`` in the user config folder
(``exportctl config`` prints where, and the settings in effect), or the file named by
``EXPORTCTL_CONFIG``::

    database = "postgresql+psycopg://officer@db.example/exportctl"
    actor = "kim.compliance"
    timezone = "Asia/Seoul"
    lang = "ko"
    default_list = "kr-russia"
    audit_key_file = "/secure/exportctl-audit.key"   # or EXPORTCTL_AUDIT_KEY

    [limits]                # resource caps on input files (exportctl.limits)
    max_rows = 3000000

Every key is optional; an unknown key is refused, so a typo never goes unnoticed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from exportctl.errors import ConfigError, InputError
from exportctl.i18n import _
from exportctl.inputs import not_regular, read_capped
from exportctl.limits import DEFAULTS, Limits

ENV_DATABASE_URL = "EXPORTCTL_DATABASE_URL"
ENV_ACTOR = "EXPORTCTL_ACTOR"
ENV_CONFIG = "EXPORTCTL_CONFIG"
ENV_LIST = "EXPORTCTL_LIST"
ENV_AUDIT_KEY = "EXPORTCTL_AUDIT_KEY"
MIN_KEY_BYTES = 16
"""An audit key shorter than this is refused (a guessable key proves nothing)."""
MAX_KEY_FILE_BYTES = 4096
LANGUAGES: tuple[str, ...] = ("en", "ko")
"""Languages reports are written in."""


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
    lang: str | None = None
    """Language of reports, ``ko`` or ``en``, when ``--lang`` is not given (else the locale)."""
    audit_key_file: str | None = None
    """A file holding the audit key that signs every audit event, kept where those who
    can write to the database cannot (``EXPORTCTL_AUDIT_KEY`` wins over it); relative
    to the config file's folder."""
    limits: Mapping[str, int] = field(default_factory=dict)
    """The ``[limits]`` table: resource caps on input files by name (``max_rows = 3000000``)."""
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


def load_config(environ: Mapping[str, str] | None = None, limits: Limits = DEFAULTS) -> Config:
    """Read the config file; a missing file gives the defaults.

    The file is opened as every input is (:mod:`exportctl.inputs`): a FIFO or a
    device is refused for what it is, and the file is read within
    ``max_settings_bytes`` of ``limits``.

    Raises:
        ConfigError: The file is not a regular file, cannot be read, is too
            large, is not TOML, names an unknown key or gives a key a value that
            is not text; or ``EXPORTCTL_CONFIG`` names a file that does not exist.
    """
    env = os.environ if environ is None else environ
    path = config_path(env)
    named = bool(env.get(ENV_CONFIG))
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        if named:
            raise ConfigError(
                _("config file {path} (from {variable}) does not exist").format(
                    path=path, variable=ENV_CONFIG
                )
            ) from None
        return Config()
    except OSError as exc:
        raise ConfigError(
            _("config file {path} cannot be read: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    what = not_regular(mode)
    if what is not None:
        said = (
            _(
                "config file {path} (from {variable}) is {what}, not a regular file; point "
                "{variable} at the TOML file"
            )
            if named
            else _(
                "config file {path} is {what}, not a regular file; the settings are read "
                "from a TOML file there"
            )
        )
        raise ConfigError(said.format(path=path, variable=ENV_CONFIG, what=what))
    try:
        data = tomllib.loads(read_capped(path, "max_settings_bytes", limits).decode("utf-8"))
    except InputError as exc:
        raise ConfigError(_("config file {problem}").format(problem=exc)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("config file {path} cannot be read: {reason}").format(path=path, reason=exc)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("config file {path} is not valid TOML: {reason}").format(path=path, reason=exc)
        ) from exc
    known = [f.name for f in fields(Config) if f.name != "path"]
    texts: dict[str, str] = {}
    caps: dict[str, int] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                _('config file {path}: unknown key "{key}" (known keys: {known})').format(
                    path=path, key=key, known=", ".join(known)
                )
            )
        if key == "limits":
            caps = _limits_table(path, value)
            continue
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                _('config file {path}: "{key}" must be a non-empty text').format(path=path, key=key)
            )
        if "\x00" in value:
            # PostgreSQL cannot store a NUL in text: refused here, before any write.
            raise ConfigError(
                _('config file {path}: "{key}" holds a NUL character (U+0000); remove it').format(
                    path=path, key=key
                )
            )
        texts[key] = value.strip()
    return Config(**texts, limits=caps, path=path)


def _limits_table(path: Path, value: object) -> dict[str, int]:
    """The ``[limits]`` table checked: known caps, each a whole number above 0.

    Raises:
        ConfigError: Not a table, an unknown cap or a bad value.
    """
    if not isinstance(value, dict):
        raise ConfigError(
            _(
                "config file {path}: limits must be a table ([limits] with lines like "
                "max_rows = 3000000)"
            ).format(path=path)
        )
    from exportctl.limits import check_value

    checked: dict[str, int] = {}
    for name, number in value.items():
        try:
            checked[name] = check_value(name, number)
        except ValueError as exc:
            raise ConfigError(
                _("config file {path}: [limits] {problem}").format(path=path, problem=exc)
            ) from None
    return checked


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
    """Who is acting: ``EXPORTCTL_ACTOR``, the config file's ``actor``, or the OS user.

    Raises:
        ConfigError: ``EXPORTCTL_ACTOR`` holds a NUL (no database column can keep it).
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_ACTOR):
        if "\x00" in env[ENV_ACTOR]:
            raise ConfigError(
                _("{variable} holds a NUL character (U+0000); remove it").format(variable=ENV_ACTOR)
            )
        return env[ENV_ACTOR]
    if config is not None and config.actor:
        return config.actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def resolve_lang(
    explicit: str | None, environ: Mapping[str, str] | None = None, config: Config | None = None
) -> str:
    """The language of reports: ``--lang``, the config file's ``lang``, else the locale.

    The locale is the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set;
    ``ko_KR.UTF-8`` (any ``ko`` locale) gives Korean, anything else English.

    Raises:
        ConfigError: The config file names a language exportctl does not write.
    """
    if explicit:
        return explicit
    if config is not None and config.lang:
        if config.lang not in LANGUAGES:
            where = _("config file {path}: ").format(path=config.path) if config.path else ""
            raise ConfigError(
                where
                + _('lang "{lang}" is not one of {languages}').format(
                    lang=config.lang, languages=", ".join(LANGUAGES)
                )
            )
        return config.lang
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def resolve_timezone(
    environ: Mapping[str, str] | None = None, config: Config | None = None
) -> dt.tzinfo:
    """The zone times in reports are shown in: the config file's ``timezone``, else ``TZ``,
    else the machine's local zone.

    Raises:
        ConfigError: The config file names a zone that does not exist.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if config is not None and config.timezone:
        try:
            return ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            where = _("config file {path}: ").format(path=config.path) if config.path else ""
            raise ConfigError(
                where
                + _('timezone "{zone}" is not a known IANA zone (e.g. Asia/Seoul)').format(
                    zone=config.timezone
                )
            ) from exc
    env = os.environ if environ is None else environ
    name = (env.get("TZ") or "").lstrip(":")
    if name and not name.startswith("/"):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    local = dt.datetime.now().astimezone().tzinfo
    return local if local is not None else dt.UTC


@dataclass(frozen=True)
class AuditKey:
    """The audit key and where it came from (never printed)."""

    key: bytes = field(repr=False)
    source: str
    """``EXPORTCTL_AUDIT_KEY`` or the key file's path."""


def resolve_audit_key(
    environ: Mapping[str, str] | None = None, config: Config | None = None
) -> AuditKey | None:
    """The audit key: ``EXPORTCTL_AUDIT_KEY``, else the file named by ``audit_key_file``.

    The variable's text (UTF-8) or the file's bytes, without surrounding blanks, are
    the key; None when neither is set.

    Raises:
        ConfigError: The key is shorter than :data:`MIN_KEY_BYTES`, or the file is
            missing, unreadable, not a regular file or larger than a key file is.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_AUDIT_KEY):
        return _checked_key(env[ENV_AUDIT_KEY].strip().encode("utf-8"), ENV_AUDIT_KEY)
    if config is None or not config.audit_key_file:
        return None
    path = Path(config.audit_key_file).expanduser()
    if not path.is_absolute() and config.path is not None:
        path = config.path.parent / path
    try:
        if not path.is_file():
            raise ConfigError(
                _("audit key file {path} (audit_key_file) is missing or not a regular file").format(
                    path=path
                )
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            _("audit key file {path} cannot be read: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from exc
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigError(
            _("audit key file {path} is larger than {size} bytes: it is not a key file").format(
                path=path, size=MAX_KEY_FILE_BYTES
            )
        )
    return _checked_key(data.strip(), str(path))


def _checked_key(key: bytes, source: str) -> AuditKey:
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            _(
                "the audit key from {source} is too short ({size} bytes): use at least {least}, "
                "e.g. a line made by `openssl rand -hex 32`"
            ).format(source=source, size=len(key), least=MIN_KEY_BYTES)
        )
    return AuditKey(key, source)
