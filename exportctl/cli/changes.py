"""``diff``: what changed between two versions, as a summary or a report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import (
    State,
    check_output,
    cli,
    json_option,
    report_output_options,
)

if TYPE_CHECKING:
    pass


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
    force: bool,
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
    check_output(output, force)
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
