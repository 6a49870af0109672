"""Options and checks of the commands that write files: where a report may go, its
language and CSV dialect, and the encoding of a file read."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from exportctl.cli.base import LANG_HELP, State, set_lang
from exportctl.cli.echo import F
from exportctl.i18n import _


def check_output(path: Path | None, force: bool, *, inputs: Sequence[Path] = ()) -> None:
    """Refuse an ``-o`` that would destroy something, before any work is done.

    Refused always: the database file, one of the command's ``inputs``, anything
    that is not a regular file (a device, folder or pipe), a folder that does not
    exist. Refused without ``--force``: an existing file (reports are evidence) and
    a symbolic link (the report would land where the link points).
    """
    if path is None:
        return
    if path.is_symlink() and not force:
        raise click.UsageError(
            _(
                "{path} is a symbolic link; the report would be written where it points: "
                "name the file itself, or give --force to write through the link."
            ).format(path=path)
        )
    if path.exists():
        if not path.is_file():
            raise click.UsageError(
                _(
                    "{path} is not a regular file (a device, folder or pipe); "
                    "reports are written to regular files only."
                ).format(path=path)
            )
        for other in (*inputs, *_database_files()):
            if other.exists() and os.path.samefile(path, other):
                if other not in inputs:
                    said = _("{path} is the database; a report never replaces it.")
                else:
                    said = _("{path} is an input of this command; a report never replaces it.")
                raise click.UsageError(said.format(path=path))
        if not force:
            raise click.UsageError(
                _(
                    "{path} already exists; reports are evidence and are not overwritten: "
                    "choose another name, or give --force to replace it."
                ).format(path=path)
            )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise click.UsageError(
            _("the folder {folder} does not exist; create it first.").format(folder=folder)
        )


def _database_files() -> list[Path]:
    """The SQLite database file (and its WAL and journal files) this command uses."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    state = click.get_current_context().find_object(State)
    if state is None:
        return []
    try:
        url = make_url(state.url)
    except ArgumentError:
        return []
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return []
    base = Path(url.database).expanduser()
    return [base, Path(f"{base}-wal"), Path(f"{base}-journal"), Path(f"{base}-shm")]


def _check_encoding(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from exportctl.errors import InputError
    from exportctl.values import check_encoding

    if value is None:
        return None
    try:
        return check_encoding(value)
    except InputError as exc:
        raise click.BadParameter(str(exc), param=param) from None


encoding_option = click.option(
    "--encoding",
    metavar="ENC",
    callback=_check_encoding,
    help="CSV encoding, e.g. cp949 (detected when omitted).",
)
"""``--encoding``: a text encoding, checked before any file is read."""


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[f"exportctl.{param.name}"] = value
    return value


def report_language_options(f: F) -> F:
    """``--lang`` and ``--csv-dialect``; read back with :meth:`State.report_options`."""
    f = click.option(
        "--csv-dialect",
        type=click.Choice(["excel", "plain"]),
        expose_value=False,
        callback=_remember,
        help="excel (default): headers in words, BOM, codes kept as text when Excel opens "
        "the file; plain: machine column names, codes as they are.",
    )(f)
    return click.option(
        "--lang",
        type=click.Choice(["ko", "en"]),
        expose_value=False,
        is_eager=True,
        callback=set_lang,
        help=LANG_HELP,
    )(f)


def _pdf_rows_option(f: F) -> F:
    return click.option(
        "--pdf-rows",
        type=click.IntRange(min=0),
        metavar="N",
        expose_value=False,
        callback=_remember,
        help="Rows of each kind a PDF lists at most (default 1,000); the PDF says so on "
        "page 1 and the full table is in the CSV/XLSX report.",
    )(f)


def report_output_options(f: F) -> F:
    """``--format`` and ``-o/--output``, shared by the commands that write reports
    (with :func:`report_language_options` and ``--pdf-rows``)."""
    f = report_language_options(_pdf_rows_option(f))
    f = click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="Write the report here (json and csv go to stdout without it).",
    )(f)
    f = click.option(
        "--force", is_flag=True, help="Replace the -o file if it exists (it is kept otherwise)."
    )(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "xlsx", "pdf", "json"]),
        help="Report format (default: from the -o extension).",
    )(f)
