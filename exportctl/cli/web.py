"""``serve`` (the web view) and ``users`` (who may log in to it)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import CONTEXT_SETTINGS, State, cli
from exportctl.cli.echo import echo_json, json_option
from exportctl.i18n import _

if TYPE_CHECKING:
    from exportctl.api.users import UserInfo

DEFAULT_PORT = 8750


def _web_extra() -> None:
    """Refuse in one sentence when the web extra is not installed."""
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        from exportctl.errors import MissingExtraError

        raise MissingExtraError(
            _(
                "the web view needs the web extra: pip install 'exportctl[web]' "
                "({module} is missing)"
            ).format(module=exc.name)
        ) from None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--screen-workers",
    default=2,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Processes that screen uploads, so that look-ups stay quick meanwhile (0: screen "
    "in the server's own process).",
)
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Send the session cookie over HTTPS only (behind a proxy that serves HTTPS).",
)
@click.pass_obj
def serve(state: State, host: str, port: int, screen_workers: int, secure_cookies: bool) -> None:
    """Serve the web view: browse lists, look codes up, screen an upload, approve.

    On this machine's own address (127.0.0.1, the default) with no users yet,
    it prints an address with a random token, as Jupyter does: only a browser
    given that token gets in, and acts as you (EXPORTCTL_ACTOR, the config
    file's actor, or your login). Once users exist (`exportctl users add`),
    every page needs a log-in and each user acts under their own name. Any
    other address (e.g. --host 0.0.0.0 for the team) is refused until users
    exist. Uploads keep to the same caps as the command line (--limit, the
    config file's [limits]). Stop it with Ctrl+C.

    \b
    Example:
        exportctl serve
        exportctl users add kim --role admin
        exportctl --db postgresql+psycopg://exportctl@db/exportctl serve --host 0.0.0.0
    """
    _web_extra()
    from exportctl.api.users import count_users
    from exportctl.config import resolve_timezone
    from exportctl.db import safe_url
    from exportctl.errors import ConfigError
    from exportctl.web.server import allowed_hosts, listen, new_token
    from exportctl.web.server import serve as run
    from exportctl.web.settings import WebSettings, is_loopback

    users = count_users(state.engine(), enabled_only=True)
    loopback = is_loopback(host)
    if not loopback and users == 0:
        raise ConfigError(
            _(
                "exportctl serve listens on {host} (not only this machine) only once users "
                "exist: add one with exportctl users add NAME --role admin, or serve on "
                "127.0.0.1"
            ).format(host=host)
        )
    token = new_token() if loopback and users == 0 else None
    settings = WebSettings(
        database_url=state.url,
        token=token,
        local_actor=state.actor,
        limits=state.limits,
        zone=resolve_timezone(config=state.config),
        default_lang=state.lang,
        allowed_hosts=allowed_hosts(host),
        https=secure_cookies,
        screen_workers=screen_workers,
    )
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{bound}/"
    click.echo(_("exportctl web view of {database}").format(database=safe_url(state.url)))
    if token is not None:
        click.echo(_("Open in your browser: {url}").format(url=f"{address}?token={token}"))
        click.echo(
            _(
                "No users yet: only a browser given this address (with its token) gets in. "
                "Add users with exportctl users add NAME --role ROLE."
            )
        )
    else:
        click.echo(_("Log in at {url}").format(url=address))
    click.echo(_("Press Ctrl+C to stop."))
    sys.stdout.flush()
    try:
        run(settings, sock)
    finally:
        sock.close()


def _user_json(user: UserInfo) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "enabled": user.enabled,
        "created_at": user.created_at.isoformat(timespec="seconds"),
        "created_by": user.created_by,
        "password_changed_at": user.password_changed_at.isoformat(timespec="seconds"),
    }


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    value: str = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return value


_STDIN_HELP = "Read the password from the first line of stdin instead of prompting."


@cli.group(name="users", context_settings=CONTEXT_SETTINGS)
def users_cmd() -> None:
    """Who may log in to the web view, and with which role.

    Roles, each allowed what the one before it is: viewer (reads, looks up,
    downloads change reports), officer (imports, sets a draft's dates,
    screens), approver (approves, withdraws, reinstates; never alone a version
    they imported, unless recorded as one person's), admin (manages users).
    Passwords are kept as Argon2id hashes. Every change is in the audit log.

    \b
    Example:
        exportctl users add kim --role admin
        exportctl users list
    """


@users_cmd.command(name="add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["viewer", "officer", "approver", "admin"]),
    help="What the user may do.",
)
@click.option("--password-stdin", is_flag=True, help=_STDIN_HELP)
@json_option
@click.pass_obj
def users_add(state: State, name: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Add a user of the web view (asks for the password twice).

    \b
    Example:
        exportctl users add kim --role officer
        printf '%s\\n' "$PASSWORD" | exportctl users add lee --role approver --password-stdin
    """
    _web_extra()
    from exportctl.api.users import add_user

    user = add_user(
        state.engine(), name, role=role, password=_password(password_stdin), actor=state.actor
    )
    if as_json:
        echo_json(_user_json(user))
        return
    state.info(_("Added {name} ({role}).").format(name=user.name, role=user.role))


@users_cmd.command(name="list")
@json_option
@click.pass_obj
def users_list(state: State, as_json: bool) -> None:
    """Show the users, their roles and whether they may log in.

    \b
    Example:
        exportctl users list
        exportctl users list --json
    """
    from exportctl.api.users import list_users

    found = list_users(state.engine())
    if as_json:
        echo_json([_user_json(user) for user in found])
        return
    if not found:
        click.echo(_("No users yet; add one with `exportctl users add NAME --role admin`."))
        return
    for user in found:
        state_word = _("enabled") if user.enabled else _("disabled")
        click.echo(
            f"{user.name:<20} {user.role:<9} {state_word:<9} "
            + _("added by {who} on {day}").format(who=user.created_by, day=user.created_at.date())
        )


@users_cmd.command(name="disable")
@click.argument("name")
@click.pass_obj
def users_disable(state: State, name: str) -> None:
    """Stop a user logging in; their sessions end (what they did stays in the audit log).

    \b
    Example:
        exportctl users disable kim
    """
    from exportctl.api.users import disable_user

    user = disable_user(state.engine(), name, actor=state.actor)
    state.info(_("Disabled {name}.").format(name=user.name))


@users_cmd.command(name="enable")
@click.argument("name")
@click.pass_obj
def users_enable(state: State, name: str) -> None:
    """Let a disabled user log in again.

    \b
    Example:
        exportctl users enable kim
    """
    from exportctl.api.users import enable_user

    user = enable_user(state.engine(), name, actor=state.actor)
    state.info(_("Enabled {name}.").format(name=user.name))


@users_cmd.command(name="passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help=_STDIN_HELP)
@click.pass_obj
def users_passwd(state: State, name: str, password_stdin: bool) -> None:
    """Give a user a new password; their sessions end.

    \b
    Example:
        exportctl users passwd kim
    """
    _web_extra()
    from exportctl.api.users import set_password

    user = set_password(state.engine(), name, _password(password_stdin), actor=state.actor)
    state.info(_("New password set for {name}.").format(name=user.name))


@users_cmd.command(name="role")
@click.argument("name")
@click.argument("role", type=click.Choice(["viewer", "officer", "approver", "admin"]))
@click.pass_obj
def users_role(state: State, name: str, role: str) -> None:
    """Give a user another role.

    \b
    Example:
        exportctl users role kim approver
    """
    from exportctl.api.users import set_role

    user = set_role(state.engine(), name, role, actor=state.actor)
    state.info(_("{name} is now {role}.").format(name=user.name, role=user.role))
