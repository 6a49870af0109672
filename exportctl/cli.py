"""The ``exportctl`` command line: a thin shell over :mod:`exportctl.api`.

Exit codes: 0 success; 1 findings that fail (validation errors, screening hits
with ``--fail-on``); 2 usage or input errors; 3 a bug in exportctl (run with
``--debug`` for the traceback). Heavy modules are imported inside the commands
that need them so ``exportctl --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl import __version__
from exportctl.bulk import paused_gc
from exportctl.errors import ExportctlError, location

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from exportctl.api import ImportOptions, ImportResult
    from exportctl.models import Finding, ItemRecord, Version
    from exportctl.screen import ScreenReport, ScreenResult, ScreenSummary

BUG_EXIT_CODE = 3
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
MAX_FINDINGS_SHOWN = 20

F = TypeVar("F", bound=Callable[..., Any])


class ExportctlGroup(click.Group):
    """Converts library errors to one line on stderr and the documented exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ExportctlError as exc:
            if ctx.meta.get("exportctl.debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader of our output went away (``exportctl show ... | head``): not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was written.", err=True)
            ctx.exit(130)
        except Exception as exc:
            if ctx.meta.get("exportctl.debug"):
                raise
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc} (this is a bug in exportctl; "
                "run again with --debug for the traceback)",
                err=True,
            )
            ctx.exit(BUG_EXIT_CODE)


class State:
    """Global options, resolved once."""

    def __init__(self, db_url: str | None) -> None:
        self.db_flag = db_url

    @functools.cached_property
    def url(self) -> str:
        from exportctl.config import resolve_database_url

        return resolve_database_url(self.db_flag)

    def engine(self, *, create: bool = False) -> Engine:
        """Open the database, checked at head; it is closed when the command ends."""
        from exportctl.api import open_database

        engine = open_database(self.url, create=create)
        click.get_current_context().call_on_close(engine.dispose)
        return engine


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def report_output_options(f: F) -> F:
    """``--format`` and ``-o/--output``, shared by the commands that write reports."""
    f = click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help="Write the report here (json and csv go to stdout without it).",
    )(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "xlsx", "pdf", "json"]),
        help="Report format (default: from the -o extension).",
    )(f)


@contextmanager
def progress_reporter(label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress callback drawing on stderr when it is a terminal; None otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    state = {"last": 0}

    def report(done: int) -> None:
        state["last"] = done
        click.echo(f"\r{label}: {done:,} rows", err=True, nl=False)

    try:
        yield report
    finally:
        if state["last"]:
            click.echo("", err=True)


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
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool) -> None:
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


@cli.command()
@click.pass_obj
def init(state: State) -> None:
    """Create the database, or upgrade it to this version's schema.

    \b
    Example:
        exportctl init
        exportctl --db postgresql+psycopg://user@host/exportctl init
    """
    from exportctl.api import init_database
    from exportctl.db import safe_url

    _engine, before, after = init_database(state.url)
    if before == after:
        click.echo(f"Database {safe_url(state.url)} is up to date (schema {after}).")
    else:
        click.echo(
            f"Database {safe_url(state.url)} is ready (schema {before or 'none'} → {after})."
        )


@cli.group(name="db", context_settings=CONTEXT_SETTINGS)
def db_group() -> None:
    """Database maintenance.

    \b
    Example:
        exportctl db upgrade
    """


@db_group.command(name="upgrade")
@click.pass_obj
def db_upgrade(state: State) -> None:
    """Apply schema migrations up to the newest.

    \b
    Example:
        exportctl db upgrade
    """
    from exportctl.api import init_database
    from exportctl.db import safe_url

    _engine, before, after = init_database(state.url)
    click.echo(f"Database {safe_url(state.url)}: schema {before or 'none'} → {after}.")


def _parse_date(
    _ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        name = param.name if param is not None and param.name else "date"
        raise click.BadParameter(
            f"{value!r} is not a date like 2024-06-28", param_hint=name
        ) from None


def import_options(f: F) -> F:
    """The options ``import`` and ``validate`` share."""
    decorators = [
        click.argument("file", type=click.Path(path_type=Path, dir_okay=False)),
        click.option(
            "--list", "slug", required=True, metavar="SLUG", help="List slug, e.g. kr-russia."
        ),
        click.option("--version", "label", metavar="LABEL", help="Version label, e.g. 2024-06."),
        click.option(
            "--effective",
            metavar="YYYY-MM-DD",
            callback=_parse_date,
            help="Date the version takes effect.",
        ),
        click.option("--sheet", metavar="NAME", help="Sheet to read (detected when omitted)."),
        click.option(
            "--column",
            "columns",
            multiple=True,
            metavar="FIELD=HEADER",
            help='Map a header to a field, e.g. code="HS CODE(6단위)".',
        ),
        click.option(
            "--encoding", metavar="ENC", help="CSV encoding, e.g. cp949 (detected when omitted)."
        ),
        click.option(
            "--base", metavar="LABEL", help="Version this one revises (for added/removed counts)."
        ),
        click.option(
            "--additions", is_flag=True, help="The file holds only the additions to --base."
        ),
        click.option(
            "--declared-total", type=click.IntRange(min=0), help="Item count the notice declares."
        ),
        click.option(
            "--declared-added", type=click.IntRange(min=0), help="Additions the notice declares."
        ),
        click.option(
            "--declared-removed", type=click.IntRange(min=0), help="Removals the notice declares."
        ),
        json_option,
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def _build_options(params: dict[str, Any], *, label_required: bool) -> ImportOptions:
    from exportctl.api import ImportOptions
    from exportctl.readers import LIST_SCHEMA, parse_overrides
    from exportctl.validate import Declared

    label = params.get("label")
    if label_required and not label:
        raise click.UsageError("Missing option '--version LABEL'.")
    return ImportOptions(
        slug=params["slug"],
        label=label or "(unnamed)",
        effective=params.get("effective"),
        sheet=params.get("sheet"),
        overrides=parse_overrides(params.get("columns") or (), LIST_SCHEMA),
        encoding=params.get("encoding"),
        base=params.get("base"),
        additions=bool(params.get("additions")),
        declared=Declared(
            total=params.get("declared_total"),
            added=params.get("declared_added"),
            removed=params.get("declared_removed"),
        ),
    )


def _render_finding(finding: Finding) -> str:
    where = location(finding.file, finding.sheet, finding.row, finding.column)
    return f"  {finding.severity}: {where}: {finding.message}"


def _render_result(result: ImportResult, *, verb: str) -> None:
    report = result.report
    opts = result.options
    sheet = f', sheet "{report.sheet}"' if report.sheet else ""
    count = report.item_count
    changes = ""
    if report.added is not None:
        changes = f" ({report.added:,} added, {report.removed:,} removed against {opts.base})"
    if result.stored:
        click.echo(
            f"{verb} {opts.slug} {opts.label}: {count:,} items{changes} from "
            f"{report.file}{sheet}, SHA-256 {result.sha256[:16]}…"
        )
    elif result.ok:
        click.echo(f"{report.file}{sheet}: valid, {count:,} items{changes}.")
    else:
        click.echo(f"{report.file}{sheet}: {len(report.errors):,} errors, nothing was written.")
    findings = report.findings
    if findings:
        click.echo(f"{len(report.errors):,} errors, {len(report.warnings):,} warnings:")
        if len(findings) > MAX_FINDINGS_SHOWN:
            by_rule = Counter(f"{f.severity} {f.rule}" for f in findings)
            click.echo("  " + ", ".join(f"{n:,} {rule}" for rule, n in by_rule.most_common()))
        for finding in findings[:MAX_FINDINGS_SHOWN]:
            click.echo(_render_finding(finding))
        if len(findings) > MAX_FINDINGS_SHOWN:
            click.echo(f"  … and {len(findings) - MAX_FINDINGS_SHOWN:,} more (see --json)")


@cli.command(name="import")
@import_options
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.pass_obj
def import_cmd(state: State, /, file: Path, as_json: bool, dry_run: bool, **params: Any) -> None:
    """Import a list workbook (xlsx, xls, ods, csv) as a new version.

    The file is validated first; a file with errors is not stored (exit 1).
    The version, its items and the audit event are written together or not at all.

    \b
    Example:
        exportctl import 러시아_상황허가_2024-02.xlsx --list kr-russia \\
            --version 2024-02 --effective 2024-02-24 --declared-total 1159
        exportctl import additions-2024-06.xlsx --list kr-russia --version 2024-06 \\
            --base 2024-02 --additions --declared-added 243 --declared-total 1402
    """
    from exportctl.api import import_workbook

    options = _build_options(params, label_required=True)
    engine = state.engine()
    with progress_reporter(f"Reading {file.name}") as progress:
        result = import_workbook(engine, file, options, dry_run=dry_run, progress=progress)
    if as_json:
        echo_json(result.to_json())
    else:
        _render_result(result, verb="Imported")
        if dry_run and result.ok:
            click.echo("Dry run: nothing was written.")
    if not result.ok:
        sys.exit(1)


@cli.command()
@import_options
@click.pass_obj
def validate(state: State, /, file: Path, as_json: bool, **params: Any) -> None:
    """Validate a list workbook without writing anything.

    Checks every code, duplicates, serial numbers and the declared counts.
    Exit 1 when the file has errors.

    \b
    Example:
        exportctl validate list-2024-02.xlsx --list kr-russia --declared-total 1159
    """
    from exportctl.api import validate_workbook

    options = _build_options(params, label_required=False)
    engine = state.engine() if options.base else None
    with progress_reporter(f"Reading {file.name}") as progress:
        result = validate_workbook(file, options, engine=engine, progress=progress)
    if as_json:
        echo_json(result.to_json())
    else:
        _render_result(result, verb="Validated")
    if not result.ok:
        sys.exit(1)


def _version_json(version: Version) -> dict[str, Any]:
    return {
        "label": version.label,
        "effective": version.effective.isoformat() if version.effective else None,
        "count": version.item_count,
        "source_file": version.source_file,
        "source_sheet": version.source_sheet or None,
        "sha256": version.source_sha256,
        "additions_only": version.additions_only,
        "declared_total": version.declared_total,
        "declared_added": version.declared_added,
        "declared_removed": version.declared_removed,
        "imported_at": version.imported_at.isoformat(),
        "imported_by": version.imported_by,
    }


@cli.command(name="lists")
@json_option
@click.pass_obj
def lists_cmd(state: State, as_json: bool) -> None:
    """Show the control lists in the database.

    \b
    Example:
        exportctl lists --json
    """
    from exportctl.api import list_lists

    found = list_lists(state.engine())
    if as_json:
        echo_json(
            [
                {
                    "slug": cl.slug,
                    "name": cl.name,
                    "versions": len(versions),
                    "latest": versions[-1].label if versions else None,
                }
                for cl, versions in found
            ]
        )
        return
    if not found:
        click.echo("No lists yet; add one with `exportctl import FILE --list SLUG --version L`.")
        return
    for cl, versions in found:
        latest = f", latest {versions[-1].label}" if versions else ""
        click.echo(f"{cl.slug}: {len(versions)} versions{latest}")


@cli.command()
@click.argument("slug")
@json_option
@click.pass_obj
def versions(state: State, slug: str, as_json: bool) -> None:
    """Show the versions of a list, by effective date.

    \b
    Example:
        exportctl versions kr-russia
    """
    from exportctl.api import list_versions

    found = list_versions(state.engine(), slug)
    if as_json:
        echo_json([_version_json(v) for v in found])
        return
    for v in found:
        effective = v.effective.isoformat() if v.effective else "undated"
        sheet = f" [{v.source_sheet}]" if v.source_sheet else ""
        click.echo(
            f"{v.label:<12} effective {effective:<10} {v.item_count:>7,} items  "
            f"{v.source_file}{sheet}  {v.source_sha256[:12]}  "
            f"{v.imported_at:%Y-%m-%d %H:%M} by {v.imported_by}"
        )


def _show_csv(items: Sequence[ItemRecord]) -> None:
    import csv

    from exportctl.models import ITEM_FIELDS
    from exportctl.reports.safe import neutralise

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(ITEM_FIELDS)
    for item in items:
        data = item.to_json()
        writer.writerow([neutralise(data[name]) for name in ITEM_FIELDS])


@cli.command()
@click.argument("slug")
@click.option("--version", "label", metavar="LABEL", help="Version label.")
@click.option(
    "--as-of", metavar="YYYY-MM-DD", callback=_parse_date, help="The version in force on this date."
)
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print the items as CSV.")
@click.pass_obj
def show(
    state: State,
    slug: str,
    label: str | None,
    as_of: dt.date | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Show the items of one version, by label or as of a date.

    \b
    Example:
        exportctl show kr-russia --as-of 2024-07-01 --csv > list.csv
        exportctl show kr-russia --version 2024-02 --json
    """
    from exportctl.api import show_version

    if (label is None) == (as_of is None):
        raise click.UsageError("Give exactly one of --version LABEL or --as-of DATE.")
    version, items = show_version(state.engine(), slug, label=label, as_of=as_of)
    if as_json:
        echo_json(
            {
                "list": slug,
                "version": version.label,
                "effective": version.effective.isoformat() if version.effective else None,
                "count": len(items),
                "items": [i.to_json() for i in items],
            }
        )
        return
    if as_csv:
        _show_csv(items)
        return
    effective = version.effective.isoformat() if version.effective else "undated"
    click.echo(f"{slug} {version.label} (effective {effective}): {len(items):,} items")
    from exportctl.hscode import HSCode

    for item in items:
        code = HSCode(item.code, item.ex).dotted() if item.code else "—"
        ex = "ex " if item.ex else ""
        serial = item.serial if item.serial is not None else ""
        click.echo(f"{serial!s:>5} {ex}{code:<14} {item.description}")


@cli.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@json_option
@click.pass_context
def audit(ctx: click.Context, as_json: bool) -> None:
    """Show the audit log: every import, report and export, chained by hash.

    \b
    Example:
        exportctl audit
        exportctl audit verify
    """
    if ctx.invoked_subcommand is not None:
        return
    from exportctl.api import audit_log

    state: State = ctx.obj
    events = audit_log(state.engine())
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "list": e.list_slug,
                    "version": e.version_label,
                    "file": e.file,
                    "sha256": e.sha256,
                    "detail": json.loads(e.detail),
                    "hash": e.hash,
                }
                for e in events
            ]
        )
        return
    for e in events:
        what = " ".join(x for x in (e.list_slug, e.version_label) if x)
        file = f" {e.file} {e.sha256[:12]}" if e.file and e.sha256 else ""
        click.echo(f"{e.id:>5} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<10} {e.action:<8} {what}{file}")


@audit.command(name="verify")
@click.pass_obj
def audit_verify(state: State) -> None:
    """Check that no audit event was changed or removed (exit 1 if one was).

    \b
    Example:
        exportctl audit verify
    """
    from exportctl.api import verify_audit_log

    problems = verify_audit_log(state.engine())
    if problems:
        for problem in problems:
            click.echo(problem)
        sys.exit(1)
    click.echo("The audit chain is intact.")


SCREEN_SHOWN = 20
"""Rows listed by ``screen`` without an output format."""


@cli.command()
@click.argument("catalogue", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--list", "slug", required=True, metavar="SLUG", help="List slug, e.g. kr-russia.")
@click.option("--version", "label", metavar="LABEL", help="Version to screen against.")
@click.option(
    "--as-of",
    metavar="YYYY-MM-DD",
    callback=_parse_date,
    help="Screen against the version in force on this date (default: today).",
)
@click.option("--compare", metavar="LABEL", help="Older version: show rows whose status changed.")
@report_output_options
@click.option(
    "--fail-on",
    type=click.Choice(["controlled", "review"]),
    help="Exit 1 when a row is controlled (or, with review, controlled or review).",
)
@click.option("--sheet", metavar="NAME", help="Catalogue sheet (detected when omitted).")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help='Map a header to sku, description or code, e.g. code="세번(10)".',
)
@click.option("--encoding", metavar="ENC", help="CSV encoding, e.g. cp949 (detected when omitted).")
@click.pass_obj
def screen(
    state: State,
    catalogue: Path,
    slug: str,
    label: str | None,
    as_of: dt.date | None,
    compare: str | None,
    fmt: str | None,
    output: Path | None,
    fail_on: str | None,
    sheet: str | None,
    columns: tuple[str, ...],
    encoding: str | None,
) -> None:
    """Screen a product catalogue (SKU, description, HS code) against a list.

    Each row is controlled (a list entry covers its code), review (a human must
    look: an ex entry, a code broader than an entry, or a description matching an
    entry defined by name), clear, or invalid (no usable code). With --compare,
    rows whose status changed since the older version are marked, e.g. "newly
    controlled". With --fail-on, exit 1 when a row reaches that status.

    \b
    Example:
        exportctl screen products.xlsx --list kr-russia --as-of 2024-07-01
        exportctl screen products.xlsx --list kr-russia --version 2024-06 \\
            --compare 2024-02 -o impact.xlsx
        exportctl screen products.csv --list kr-russia --format json --fail-on review
    """
    from exportctl.api import record_output, screen_catalogue
    from exportctl.readers import CATALOGUE_SCHEMA, parse_overrides
    from exportctl.reports import screening

    if label is not None and as_of is not None:
        raise click.UsageError("Give --version LABEL or --as-of DATE, not both.")
    chosen: screening.Format | None = None
    if output is not None:
        try:
            chosen = screening.format_for(output, fmt)
        except ValueError as exc:
            raise click.BadParameter(
                f"{exc} (or name a file ending in .csv, .xlsx, .pdf or .json)",
                param_hint="'-o'",
            ) from exc
    elif fmt in ("xlsx", "pdf"):
        raise click.UsageError(f"--format {fmt} needs -o FILE.")
    elif fmt is not None:
        chosen = screening.format_for(None, fmt)
    overrides = parse_overrides(columns, CATALOGUE_SCHEMA)
    engine = state.engine()
    with progress_reporter(f"Screening {catalogue.name}") as progress:
        report = screen_catalogue(
            engine,
            catalogue,
            slug,
            label=label,
            as_of=as_of,
            compare=compare,
            sheet=sheet,
            encoding=encoding,
            overrides=overrides,
            progress=progress,
        )
        if output is not None and chosen is not None:
            summary = screening.write_screen_report(report, chosen, output)
        elif chosen == "json":
            summary = screening.write_json(report, sys.stdout)
        elif chosen == "csv":
            summary = screening.write_csv(report, sys.stdout)
        else:
            summary = _screen_text(report)
    for note in report.notes:  # complete now that every row is read
        click.echo(f"note: {report.file}: {note}", err=True)
    if output is not None and chosen is not None:
        record_output(
            engine,
            action="screen",
            path=output,
            slug=slug,
            label=report.version,
            detail={
                "format": chosen,
                "catalogue": report.file,
                "catalogue_sha256": report.sha256,
                "sheet": report.sheet,
                "compare": report.compare,
                "summary": summary.to_json(),
            },
        )
        click.echo(f"Wrote {output}: {_screen_counts(summary)}.")
    if fail_on is not None:
        hits = summary.hits(fail_on)
        if hits:
            what = "controlled" if fail_on == "controlled" else "controlled or to review"
            click.echo(f"{hits:,} rows are {what} (--fail-on {fail_on}).", err=True)
            sys.exit(1)


def _screen_counts(summary: ScreenSummary) -> str:
    counts = summary.counts
    return (
        f"{summary.total:,} rows, {counts['controlled']:,} controlled, "
        f"{counts['review']:,} review, {counts['clear']:,} clear, {counts['invalid']:,} invalid"
    )


@paused_gc()
def _screen_text(report: ScreenReport) -> ScreenSummary:
    """Print a short summary: the counts and the first rows that need attention."""
    compared = report.compare is not None
    shown: list[ScreenResult] = []
    for result in report.results:
        wanted = result.changed if compared else result.status != "clear"
        if wanted and len(shown) < SCREEN_SHOWN:
            shown.append(result)
    summary = report.summary
    effective = f" (effective {report.effective})" if report.effective else ""
    sheet = f', sheet "{report.sheet}"' if report.sheet else ""
    click.echo(
        f"Screened {report.file}{sheet} against {report.slug} {report.version}{effective}: "
        f"{_screen_counts(summary)}."
    )
    if compared:
        changes = ", ".join(f"{n:,} {change}" for change, n in sorted(summary.changes.items()))
        click.echo(f"Compared with {report.compare}: {changes or 'no row changed status'}.")
    for result in shown:
        code = result.shown_code or "—"
        status = f"{result.previous_status} → {result.status}" if compared else result.status
        sku = result.sku or "—"
        click.echo(f"  row {result.row:>6}  {sku:<14} {code:<12} {status:<12} {result.reason}")
    flagged = summary.changed if compared else summary.total - summary.counts["clear"]
    remaining = flagged - len(shown)
    if remaining > 0:
        click.echo(f"  … and {remaining:,} more (write a report with -o FILE)")
    return summary


def _print_diff_summary(changes: Any) -> None:
    from exportctl.diff import CHANGE_KINDS, summarise

    summary = summarise(changes)
    old, new = changes.old_version, changes.new_version
    click.echo(f"{changes.list_slug}: {old.label} → {new.label}")
    rows = [
        ("before", summary.before),
        ("after", summary.after),
        ("added", summary.added),
        ("removed", summary.removed),
        ("unchanged", summary.unchanged),
    ]
    for label, number in rows:
        click.echo(f"  {label:<14}{number:>9,}")
    kinds = [(kind, summary.kinds[kind]) for kind in CHANGE_KINDS if summary.kinds[kind]]
    if kinds:
        click.echo("Changes by kind:")
        for kind, number in kinds:
            click.echo(f"  {kind:<14}{number:>9,}")
    for statement in summary.statements:
        click.echo(f"  {statement}")
    click.echo("Reconciles." if summary.reconciles else "Does NOT reconcile.")
    click.echo("Write a report with --format csv|xlsx|pdf|json -o FILE.")


@cli.command()
@click.argument("slug")
@click.argument("old")
@click.argument("new")
@click.option(
    "--fields",
    metavar="F,..",
    help="Fields that count as a modification (default: serial, ex, description, "
    "description_en, category, note).",
)
@report_output_options
@json_option
@click.pass_obj
def diff(
    state: State,
    slug: str,
    old: str,
    new: str,
    fields: str | None,
    fmt: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Report what changed from version OLD to version NEW of a list.

    Added, removed and modified items, serial numbers that moved, codes that were
    recoded, split into sub-codes or merged, and a tie-out against the counts the
    notice declared. Without --format or -o, prints a short summary. Every report
    written is recorded in the audit log with its SHA-256.

    \b
    Example:
        exportctl diff kr-russia 2024-02 2024-06
        exportctl diff kr-russia 2024-02 2024-06 -o changes.xlsx
        exportctl diff kr-russia 2024-02 2024-06 -o changes.pdf
        exportctl diff kr-russia 2024-02 2024-06 --format csv > changes.csv
        exportctl diff kr-russia 2024-02 2024-06 --fields description,category --json
    """
    from exportctl.api import diff_versions, report_format, write_change_report
    from exportctl.diff import parse_fields

    if as_json:
        if fmt not in (None, "json"):
            raise click.UsageError("--json conflicts with --format " + str(fmt))
        fmt = "json"
    chosen = parse_fields(fields)
    fmt = report_format(output, fmt)
    if output is None and fmt in ("xlsx", "pdf"):
        raise click.UsageError(f"a {fmt} report needs a file: give -o FILE.{fmt}")
    engine = state.engine()
    changes = diff_versions(engine, slug, old, new, fields=chosen)
    if fmt is None:
        _print_diff_summary(changes)
        return
    if output is None:
        write_change_report(engine, changes, fmt, sys.stdout)
        return
    sha = write_change_report(engine, changes, fmt, output)
    click.echo(f"Wrote {output} ({len(changes.changes):,} changes, SHA-256 {sha[:16]}…).", err=True)


if TYPE_CHECKING:
    from exportctl.api import DemoResult


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("exportctl-demo"),
    show_default=True,
    help="Folder for the demo database and reports (replaced files, nothing else touched).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary, not each step.")
def demo(out_dir: Path, quiet: bool) -> None:
    """Run the whole story on the bundled sample workbooks.

    Imports the sample February 2024 list of Korea's Russia/Belarus situational
    licence items (1,159), the June 2024 additions (243, for 1,402), checks the
    counts, writes the change report as PDF, XLSX and CSV and screens a sample
    catalogue. It uses its own SQLite database inside --out, never --db. The
    samples are in the official layout but are NOT the official list.

    \b
    Example:
        exportctl demo
        exportctl demo --out /tmp/demo
        exportctl --db /tmp/demo/exportctl-demo.db versions kr-russia
    """
    from exportctl.api import run_demo

    def step(message: str) -> None:
        if not quiet:
            click.echo(f"· {message}", err=True)

    result = run_demo(out_dir.resolve(), progress=step)
    for line in _demo_summary(result):
        click.echo(line)


DEMO_LIST_SLUG = "kr-russia"


def _demo_summary(result: DemoResult) -> list[str]:
    """The one-screen summary ``demo`` prints."""
    feb, june, cons = result.february.report, result.june.report, result.consolidated.report
    declared = result.june.options.declared
    agreement = (
        "the same items as 2024-02 + additions"
        if result.consolidated_agrees
        else "DIFFERS from 2024-02 + additions"
    )
    lines = [
        "exportctl demo: sample workbooks in the official layout (not the official list)",
        "",
        f"Imported into list {DEMO_LIST_SLUG}:",
        f"  2024-02  {feb.item_count:,} items; the notice declares "
        f"{result.february.options.declared.total or 0:,}; "
        f"{len(feb.errors)} errors, {len(feb.warnings)} warnings",
        f"  2024-06  {june.item_count:,} items = {june.item_count - (june.added or 0):,} + "
        f"{june.added or 0:,} added − {june.removed or 0:,} removed; the notice declares "
        f"+{declared.added or 0:,} = {declared.total or 0:,}; "
        f"{len(june.errors)} errors, {len(june.warnings)} warnings",
        f"  {cons.file} (consolidated): {cons.item_count:,} items, {agreement}",
    ]
    if result.change_summary is not None:
        s = result.change_summary
        lines += [
            "",
            f"Changes 2024-02 → 2024-06: {s.before:,} → {s.after:,} items; {s.added:,} added, "
            f"{s.removed:,} removed, {s.modified:,} modified, {s.unchanged:,} unchanged",
            "  the counts "
            + ("reconcile with the notice" if s.reconciles else "DO NOT reconcile with the notice"),
        ]
    if result.screening is not None:
        counts = result.screening.counts
        newly = result.screening.changes.get("newly controlled", 0)
        lines += [
            "",
            f"Screened catalogue.xlsx against 2024-06: {result.screening.total:,} rows, "
            f"{counts['controlled']:,} controlled, {counts['review']:,} review, "
            f"{counts['clear']:,} clear, {counts['invalid']:,} invalid",
            f"  {newly:,} newly controlled by the June 2024 revision",
        ]
    lines += ["", "Files:"]
    width = max(len(name) for name in result.files) if result.files else 0
    for name, path in result.files.items():
        lines.append(f"  {name:<{width}}  {path}")
    lines += [
        f"  {'database':<{width}}  {result.database}",
        "",
        f"Done in {result.seconds:.1f} s. Explore the database with:",
        f"  exportctl --db {result.database} versions {DEMO_LIST_SLUG}",
    ]
    return lines
