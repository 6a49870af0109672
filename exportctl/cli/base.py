"""The ``exportctl`` command group, its global options and the helpers every command shares.

Exit codes: 0 success; 1 findings that fail (validation errors, screening hits
with ``--fail-on``, guards that refuse an input); 2 usage or input errors; 3 a
bug in exportctl (run with ``--debug`` for the traceback). Heavy modules are
imported inside the commands that need them so ``exportctl --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from exportctl import __version__
from exportctl.cli.echo import (
    F,
    ProgressLine,
    echo_error,
    echo_warning,
)
from exportctl.errors import ExportctlError
from exportctl.i18n import N_, _
from exportctl.limits import NAMES as LIMIT_NAMES

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from exportctl.config import AuditKey, Config
    from exportctl.limits import Limits
    from exportctl.reports.evidence import ReportOptions


BUG_EXIT_CODE = 3
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
MAX_FINDINGS_SHOWN = 20


def _os_error_sentence(exc: OSError) -> str:
    """One sentence for a file the system would not let exportctl read or write."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        return where + _("no space left on the device; nothing was written")
    if exc.errno == errno.EBADF and not exc.filename:
        return _("standard output is closed; nothing was written (redirect it to a file)")
    # The system's own reason (strerror) stays as the C library words it.
    return f"{where}{reason[0].lower()}{reason[1:]}"


def _database_error_sentence(exc: Exception) -> str | None:
    """One sentence for a database error a user can cause or wait out (None: a bug)."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DatabaseError, DataError, IntegrityError, OperationalError

    message = str(getattr(exc, "orig", exc)).strip().splitlines()
    first = message[0] if message else type(exc).__name__
    lowered = first.lower()
    if isinstance(exc, OperationalError) and ("locked" in lowered or "busy" in lowered):
        return _(
            "the database is busy: another exportctl is writing to it; nothing was "
            "changed, run the command again when it has finished"
        )
    if isinstance(exc, IntegrityError) and ("unique" in lowered or "duplicate" in lowered):
        return _(
            "another exportctl stored the same list or version at the same moment; "
            "nothing was changed by this run: check with exportctl versions and run it again"
        )
    if isinstance(exc, OperationalError):
        return _("cannot use the database: {reason}").format(reason=first)
    if isinstance(exc, DataError) and "nul" in lowered:
        # A NUL that reached PostgreSQL from somewhere no edge check covers.
        return _(
            "a value holds a NUL character (U+0000), which the database cannot store; "
            "nothing was changed: remove it and run the command again"
        )
    if isinstance(exc, DatabaseError) and "not a database" in lowered:
        # SQLite's words for a file that is damaged or not a database at all.
        return _(
            "the --db file is not an SQLite database or is damaged: {reason}; "
            "give --db the exportctl database"
        ).format(reason=first)
    return None


# Click's own words for a usage error, marked so the catalogue carries their Korean.
_CLICK_WORDS = (
    N_("Usage:"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
)


def _speak_click_in_catalogue() -> None:
    """Let Click's usage errors (its ``Usage:``, ``Error:`` and hint lines) use the
    catalogue: Click looks ``_`` up in these modules when it shows an error, and our
    ``_`` gives the English text back unchanged for a message it does not hold."""
    import click.exceptions
    import click.formatting

    click.exceptions._ = _  # type: ignore[attr-defined]
    click.formatting._ = _  # type: ignore[attr-defined]


class _NulRefused(click.ClickException):
    """An argument with a NUL: one line, no usage text, exit 2 like every input error."""

    exit_code = 2


class ExportctlGroup(click.Group):
    """Converts library errors to one line on stderr and the documented exit codes."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from exportctl.i18n import activate, active

        _speak_click_in_catalogue()
        # The language a command speaks ends with it, however it ends: Click leaves
        # a context's resources open when parsing fails (a refused --lang ko ... NUL),
        # and a second command in the same process (tests, the web view) must not
        # inherit it.
        before = active()
        try:
            return super().main(*args, **kwargs)
        finally:
            activate(before)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Every option and argument of every command passes here first: a NUL in any
        # of them (a --reason, a label, a name) is refused before anything is read
        # or written, on every database, since PostgreSQL cannot store one in text.
        # Checked after this group's own options are parsed, so --lang applies.
        rest = super().parse_args(ctx, list(args))
        for arg in args:
            if "\x00" in arg:
                raise _NulRefused(
                    _('"{arg}" holds a NUL character (U+0000); type it again without it').format(
                        arg=arg.replace("\x00", "\\0")
                    )
                )
        return rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ExportctlError as exc:
            if ctx.meta.get("exportctl.debug"):
                raise
            echo_error(str(exc))
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:
            # Shown here, while the command's language is still active (Click would
            # show it after the context, and the language with it, is closed).
            if not ctx.resilient_parsing:
                exc.show()
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader of our output went away (``exportctl show ... | head``): not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo(_("Interrupted; nothing was written."), err=True)
            ctx.exit(130)
        except OSError as exc:
            if ctx.meta.get("exportctl.debug"):
                raise
            echo_error(_os_error_sentence(exc))
            ctx.exit(2)
        except Exception as exc:
            if ctx.meta.get("exportctl.debug"):
                raise
            sentence = _database_error_sentence(exc)
            if sentence is not None:
                echo_error(sentence)
                ctx.exit(2)
            echo_error(
                _(
                    "unexpected {kind}: {detail} (this is a bug in exportctl; "
                    "run again with --debug for the traceback)"
                ).format(kind=type(exc).__name__, detail=exc)
            )
            ctx.exit(BUG_EXIT_CODE)


class State:
    """Global options and settings, resolved once per command."""

    def __init__(self, db_url: str | None) -> None:
        self.db_flag = db_url
        self.quiet = False
        """``--quiet``: no progress, no confirmations; data, errors and warnings still print."""
        self.given_limits: dict[str, int] = {}
        """``--limit NAME=VALUE`` settings, checked."""

    @functools.cached_property
    def config(self) -> Config:
        from exportctl.config import load_config
        from exportctl.limits import resolve

        # The config file is read under the caps the option gives (max_settings_bytes).
        return load_config(limits=resolve(self.given_limits))

    @functools.cached_property
    def limits(self) -> Limits:
        """The caps on input files: the defaults, then the config file's [limits], then
        ``--limit`` (which wins); resolved only by a command that reads a file."""
        from exportctl.errors import ConfigError
        from exportctl.limits import resolve

        try:
            return resolve(self.config.limits, self.given_limits)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    @functools.cached_property
    def url(self) -> str:
        from exportctl.config import resolve_database_url

        return resolve_database_url(self.db_flag, config=self.config)

    @functools.cached_property
    def audit_key(self) -> AuditKey | None:
        """The audit key (``EXPORTCTL_AUDIT_KEY`` or ``audit_key_file``), None without one."""
        from exportctl.config import resolve_audit_key

        return resolve_audit_key(config=self.config)

    @functools.cached_property
    def actor(self) -> str:
        from exportctl.config import current_actor

        return current_actor(config=self.config)

    def engine(self, *, create: bool = False) -> Engine:
        """Open the database, checked at head; it is closed when the command ends."""
        from exportctl.api import open_database

        key = self.audit_key
        engine = open_database(self.url, create=create, audit_key=key.key if key else None)
        click.get_current_context().call_on_close(engine.dispose)
        return engine

    def slug(self, given: str | None, positional: str | None = None, *, usage: str = "") -> str:
        """The list a command works on: ``--list``, a deprecated positional SLUG, or the default.

        Args:
            given: The ``--list`` value.
            positional: A SLUG given the old way, as the first argument.
            usage: The command as it should now be written, for the deprecation warning.
        """
        from exportctl.config import ENV_LIST

        if positional is not None:
            if given is not None and given != positional:
                raise click.UsageError(
                    _('--list {given} and the list "{positional}" disagree.').format(
                        given=given, positional=positional
                    )
                )
            where = f" ({usage})" if usage else ""
            echo_warning(
                _("naming the list as the first argument is deprecated; use --list {slug}").format(
                    slug=positional
                )
                + where
            )
            return positional
        if given:
            return given
        default = os.environ.get(ENV_LIST) or self.config.default_list
        if default:
            return default
        raise click.UsageError(
            _(
                "Missing option '--list SLUG' (or set default_list in the config file, or {env})."
            ).format(env=ENV_LIST)
        )

    def slug_and_label(
        self, given: str | None, names: tuple[str, ...], usage: str
    ) -> tuple[str, str]:
        """A version named as ``LABEL`` with ``--list``, or the deprecated ``SLUG LABEL``."""
        if len(names) == 1:
            return self.slug(given), names[0]
        if len(names) == 2:
            return self.slug(given, names[0], usage=usage), names[1]
        raise click.UsageError(_("Give the version's LABEL: {usage}.").format(usage=usage))

    @property
    def lang(self) -> str:
        """The language of messages and reports: ``--lang``, the config file, else the locale."""
        from exportctl.config import resolve_lang

        given = click.get_current_context().meta.get("exportctl.lang")
        return resolve_lang(given, config=self.config)

    def report_options(self) -> ReportOptions:
        """What report writers are told: language, CSV dialect, PDF rows, and the
        record of this run (local time and zone, operator, version, database)."""
        from exportctl.config import resolve_timezone
        from exportctl.reports.evidence import PDF_ROWS, Evidence, ReportOptions

        meta = click.get_current_context().meta
        return ReportOptions(
            lang=self.lang,
            evidence=Evidence.now(
                operator=self.actor,
                database=self.url,
                zone=resolve_timezone(config=self.config),
            ),
            csv_dialect=meta.get("exportctl.csv_dialect", "excel"),
            pdf_rows=meta.get("exportctl.pdf_rows", PDF_ROWS),
        )

    def info(self, message: str, *, err: bool = False) -> None:
        """A confirmation or progress line, left out with ``--quiet``."""
        if not self.quiet:
            click.echo(message, err=err)


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        state = ctx.find_object(State)
        if state is not None:
            state.quiet = True


def _quiet_everywhere(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["exportctl.quiet"] = value


def set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--lang``: reports and every message of this command in that language."""
    if value is not None:
        from exportctl.i18n import using

        ctx.meta["exportctl.lang"] = value
        ctx.with_resource(using(value))
    return value


LANG_HELP = (
    "Language of messages and reports: ko or en (default: lang in the config file, "
    "else the locale)."
)


class ExportctlCommand(click.Command):
    """A command with ``-q/--quiet``, as every exportctl command has."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["-q", "--quiet"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_set_quiet,
                help="Print only data, warnings and errors: no progress or confirmations.",
            )
        )
        if not any(param.name == "lang" for param in self.params):
            self.params.append(
                click.Option(
                    ["--lang"],
                    type=click.Choice(["ko", "en"]),
                    expose_value=False,
                    is_eager=True,
                    callback=set_lang,
                    help=LANG_HELP,
                )
            )


ExportctlGroup.command_class = ExportctlCommand
ExportctlGroup.group_class = type  # subgroups (db, audit, lists) behave the same


def list_option(f: F) -> F:
    """``-l/--list SLUG``: the same spelling on every command."""
    return click.option(
        "-l",
        "--list",
        "slug",
        metavar="SLUG",
        help="List slug, e.g. kr-russia (default: default_list in the config file).",
    )(f)


def version_options(verb: str, *, today: bool = True) -> Callable[[F], F]:
    """``--version LABEL``, ``--as-of DATE`` and ``--include-drafts``: which version to use.

    Args:
        verb: What the command does with it, for the help (``Screen``, ``Check``...).
        today: Without either option the version in force today is used.
    """
    default = " (default: today)" if today else ""

    def decorate(f: F) -> F:
        f = include_drafts_option(f)
        f = click.option(
            "--as-of",
            metavar="DATE",
            callback=_parse_date,
            help=f"{verb} the approved version in force on this date{default}.",
        )(f)
        return click.option(
            "--version", "label", metavar="LABEL", help=f"{verb} this version, by label."
        )(f)

    return decorate


def include_drafts_option(f: F) -> F:
    """``--include-drafts``: let a by-date choice fall on a version not yet approved."""
    return click.option(
        "--include-drafts",
        is_flag=True,
        help="Choose by date among drafts too, not only approved versions (output says draft).",
    )(f)


def warn_drafts_passed_over(
    engine: Engine, slug: str, day: dt.date | None, chosen: str, include_drafts: bool
) -> None:
    """Say so when a by-date choice skipped a newer draft (awaiting approval), or a
    version it could not consider for want of an effective date."""
    if day is None:
        return
    from exportctl.api import drafts_passed_over, undated_passed_over

    for reason in undated_passed_over(engine, slug, include_drafts=include_drafts):
        echo_warning(
            _("{slug} {chosen} was used; {reason}").format(slug=slug, chosen=chosen, reason=reason)
        )
    if include_drafts:
        return
    for draft in drafts_passed_over(engine, slug, day, chosen):
        echo_warning(
            _(
                "{slug} {draft} (effective {effective}) is a draft awaiting approval, so "
                "{chosen} was used; approve it (exportctl approve {draft} --list {slug}) or "
                "add --include-drafts"
            ).format(slug=slug, draft=draft.label, effective=draft.effective, chosen=chosen)
        )


def parse_fail_on(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """``--fail-on`` values (``screen`` and ``check``), repeated and/or comma-separated."""
    from exportctl.screen import fail_statuses

    if not values:
        return ()
    try:
        return fail_statuses(values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@contextmanager
def progress_reporter(label: str) -> Iterator[ProgressLine | None]:
    """A progress bar on stderr when it is a terminal and --quiet is off; None otherwise."""
    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(State) if ctx is not None else None
    if not sys.stderr.isatty() or (state is not None and state.quiet):
        yield None
        return
    line = ProgressLine(label)
    try:
        yield line
    finally:
        line.close()


def _parse_limits(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, int]:
    """``--limit NAME=VALUE`` values, checked (the readers are imported only when given)."""
    if not values:
        return {}
    from exportctl.limits import parse_setting

    settings: dict[str, int] = {}
    for value in values:
        try:
            name, number = parse_setting(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--limit") from None
        settings[name] = number
    return settings


@click.group(cls=ExportctlGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="exportctl")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="EXPORTCTL_DATABASE_URL",
    show_envvar=True,
    help="Database URL or SQLite file (default: exportctl.db in your user data folder).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option(
    "--lang",
    type=click.Choice(["ko", "en"]),
    expose_value=False,
    is_eager=True,
    callback=set_lang,
    help=LANG_HELP + " Also accepted after the command.",
)
@click.option(
    "--limit",
    "limits",
    metavar="NAME=VALUE",
    multiple=True,
    callback=_parse_limits,
    help="Raise (or lower) a cap on input files for this run, e.g. --limit max_rows=3000000 "
    "(repeatable; also [limits] in the config file). Caps: " + ", ".join(LIMIT_NAMES) + ".",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_quiet_everywhere,
    help="Print only data, warnings and errors (also accepted after the command).",
)
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool, limits: dict[str, int]) -> None:
    """Keep export-control lists of HS codes straight.

    Import each revision of a control list from the official workbook, validate
    codes and declared counts, keep every version, report what changed and screen
    a product catalogue against any version.

    \b
    Example:
        exportctl init
        exportctl import list-2024-02.xlsx --list kr-russia --version 2024-02 \\
            --effective 2024-02-24 --declared-total 1159
        exportctl versions kr-russia
    """
    ctx.meta["exportctl.debug"] = debug
    ctx.obj = State(db_url)
    ctx.obj.quiet = bool(ctx.meta.get("exportctl.quiet"))
    ctx.obj.given_limits = limits
    from exportctl.i18n import using

    # Messages are said in the terminal's language from here on (a command's own
    # --lang, parsed next, overrides it); undone when the command ends.
    ctx.with_resource(using(ctx.obj.lang))


def _parse_date(
    _ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> dt.date | None:
    """A date option: ISO, or as Korean notices print it (``2024. 6. 28.``, ``2024.06.28``)."""
    if value is None:
        return None
    from exportctl.dates import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        name = param.name if param is not None and param.name else "date"
        raise click.BadParameter(str(exc), param_hint="--" + name.replace("_", "-")) from None
