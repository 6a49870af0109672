"""``init``, ``config`` and ``db``: setting up and looking after the database."""

from __future__ import annotations

import os
from pathlib import Path

import click

from exportctl.cli.base import CONTEXT_SETTINGS, State, cli
from exportctl.cli.echo import echo_json, json_option
from exportctl.cli.outputs import check_output
from exportctl.i18n import _


def _key(state: State) -> bytes | None:
    return state.audit_key.key if state.audit_key is not None else None


@cli.command()
@json_option
@click.pass_obj
def init(state: State, as_json: bool) -> None:
    """Create the database, or upgrade it to this version's schema.

    \b
    Example:
        exportctl init
        exportctl --db postgresql+psycopg://user@host/exportctl init
    """
    from exportctl.api import init_database
    from exportctl.db import safe_url

    _engine, before, after = init_database(state.url, audit_key=_key(state))
    if as_json:
        echo_json({"database": safe_url(state.url), "before": before, "after": after})
        return
    if before == after:
        click.echo(
            _("Database {url} is up to date (schema {after}).").format(
                url=safe_url(state.url), after=after
            )
        )
    else:
        click.echo(
            _("Database {url} is ready (schema {before} → {after}).").format(
                url=safe_url(state.url), before=before or _("none"), after=after
            )
        )


@cli.command(name="config")
@json_option
@click.pass_obj
def config_cmd(state: State, as_json: bool) -> None:
    """Show where the config file is looked for and the settings in effect.

    The file is TOML with the optional keys database, actor, timezone, lang
    (ko or en: the language of reports), default_list and audit_key_file (a
    file holding the key that signs the audit log; or EXPORTCTL_AUDIT_KEY);
    EXPORTCTL_CONFIG names another file. Flags win over environment
    variables, which win over the file. The audit key itself is never shown.

    \b
    Example:
        exportctl config
        exportctl config --json
    """
    from exportctl.config import ENV_LIST, config_path, resolve_timezone
    from exportctl.db import safe_url

    settings = {
        "config_file": str(state.config.path or config_path()),
        "config_file_exists": state.config.path is not None,
        "database": safe_url(state.url),
        "actor": state.actor,
        "timezone": str(resolve_timezone(config=state.config)),
        "lang": state.lang,
        "default_list": os.environ.get(ENV_LIST) or state.config.default_list,
        "audit_key": state.audit_key.source if state.audit_key is not None else None,
    }
    if as_json:
        echo_json(settings)
        return
    for key, value in settings.items():
        click.echo(f"{key:<20}{value if value is not None else '—'}")


@cli.group(name="db", context_settings=CONTEXT_SETTINGS)
def db_group() -> None:
    """Database maintenance.

    \b
    Example:
        exportctl db upgrade
    """


@db_group.command(name="backup")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@json_option
@click.pass_obj
def db_backup(state: State, target: Path, force: bool, as_json: bool) -> None:
    """Copy the SQLite database to FILE, safely while others use it.

    The copy is made with SQLite's online backup API, checked, and recorded in the
    audit log with its SHA-256. To restore, stop every exportctl, copy FILE over the
    database file (or point --db at it) and run `exportctl audit verify`. For
    PostgreSQL use pg_dump and pg_restore.

    \b
    Example:
        exportctl db backup exportctl-2024-08-30.db
    """
    from exportctl.api.database import backup_database

    check_output(target, force)
    sha = backup_database(state.engine(), target, actor=state.actor)
    if as_json:
        echo_json({"file": str(target), "sha256": sha})
        return
    state.info(_("Backed up the database to {file} (SHA-256 {sha}).").format(file=target, sha=sha))


@db_group.command(name="upgrade")
@json_option
@click.pass_obj
def db_upgrade(state: State, as_json: bool) -> None:
    """Apply schema migrations up to the newest.

    \b
    Example:
        exportctl db upgrade
    """
    from exportctl.api import init_database
    from exportctl.db import safe_url

    _engine, before, after = init_database(state.url, audit_key=_key(state))
    if as_json:
        echo_json({"database": safe_url(state.url), "before": before, "after": after})
        return
    click.echo(
        _("Database {url}: schema {before} → {after}.").format(
            url=safe_url(state.url), before=before or _("none"), after=after
        )
    )
