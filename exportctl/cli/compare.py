"""``compare``: which entries of one list another list covers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.base import State, _parse_date, cli, include_drafts_option
from exportctl.cli.echo import json_option
from exportctl.cli.outputs import check_output, report_output_options
from exportctl.i18n import _

if TYPE_CHECKING:
    from exportctl.crosslist import CrossList

_SHOWN = 30
"""Entries of A not fully covered that the text summary lists."""


@cli.command()
@click.argument("slug_a", metavar="SLUG_A")
@click.argument("slug_b", metavar="SLUG_B")
@click.option(
    "--as-of",
    metavar="DATE",
    callback=_parse_date,
    help="Compare the versions in force on this date (default: today).",
)
@click.option("--version-a", "label_a", metavar="LABEL", help="Version of SLUG_A, by label.")
@click.option("--version-b", "label_b", metavar="LABEL", help="Version of SLUG_B, by label.")
@include_drafts_option
@report_output_options
@json_option
@click.pass_obj
def compare(
    state: State,
    slug_a: str,
    slug_b: str,
    as_of: dt.date | None,
    label_a: str | None,
    label_b: str | None,
    include_drafts: bool,
    fmt: str | None,
    output: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Compare two lists: for each entry of SLUG_A, does SLUG_B cover it?

    Covered: an entry of B at the same or a shorter code covers it (a chapter or
    heading of B covers a subheading of A). Partly covered: B's covering entry is
    "ex" (part of the code), or B has only longer codes under it. Not covered:
    nothing in B. Entries of A defined by name have no code to compare. Each list's
    version is the one in force on --as-of (today by default) unless --version-a or
    --version-b names one. Without -o or --format, prints counts and the entries
    not fully covered; reports (csv, xlsx, json) are recorded in the audit log.

    \b
    Example:
        exportctl compare chpl kr-russia
        exportctl compare chpl kr-russia --as-of 2024-09-01 -o chpl-vs-kr.xlsx
        exportctl compare kr-russia eu-833 --version-a 2024-06 --format csv > cover.csv
        exportctl compare chpl kr-russia --json
    """
    from exportctl.api import report_format
    from exportctl.api.compare import compare_versions, write_crosslist_report

    if as_json:
        if fmt not in (None, "json"):
            raise click.UsageError(_("--json conflicts with --format {fmt}").format(fmt=fmt))
        fmt = "json"
    check_output(output, force)
    fmt = report_format(output, fmt)
    if fmt == "pdf":
        raise click.UsageError(_("a comparison is written as csv, xlsx or json, not pdf"))
    if output is None and fmt == "xlsx":
        raise click.UsageError(_("an xlsx report needs a file: give -o FILE.xlsx"))
    engine = state.engine()
    result = compare_versions(
        engine,
        slug_a,
        slug_b,
        label_a=label_a,
        label_b=label_b,
        as_of=as_of,
        include_drafts=include_drafts,
    )
    if fmt is None:
        _summary(result)
        return
    options = state.report_options()
    if output is None:
        write_crosslist_report(engine, result, fmt, sys.stdout, options=options)
        return
    sha = write_crosslist_report(engine, result, fmt, output, options=options)
    state.info(
        _("Wrote {file} ({count:,} entries, SHA-256 {sha}…).").format(
            file=output, count=len(result.rows), sha=sha[:16]
        ),
        err=True,
    )


def _summary(result: CrossList) -> None:
    from exportctl.hscode import HSCode

    a, b = result.a, result.b
    click.echo(
        _("{a} ({a_count:,} entries) against {b} ({b_count:,} entries)").format(
            a=f"{a.slug} {a.label}",
            a_count=len(a.items),
            b=f"{b.slug} {b.label}",
            b_count=len(b.items),
        )
    )
    statuses = {"draft": _("a draft"), "withdrawn": _("withdrawn")}
    for side in (a, b):
        if side.status != "approved":
            status = statuses.get(side.status, side.status)
            click.echo(
                "  "
                + _("{slug} {label} is {status}").format(
                    slug=side.slug, label=side.label, status=status
                )
            )
    counts = result.counts
    names = {
        "covered": _("covered"),
        "partly": _("partly covered"),
        "not_covered": _("not covered"),
        "no_code": _("no code"),
    }
    for status, name in names.items():
        click.echo(f"  {name:<16}{counts[status]:>7,}")
    click.echo(f"  {_('total'):<16}{len(result.rows):>7,}")
    open_rows = [row for row in result.rows if row.status in ("partly", "not_covered")]
    for row in open_rows[:_SHOWN]:
        entry = row.entry
        code = str(HSCode(entry.code, entry.ex)) if entry.code else "—"
        under = ", ".join(str(HSCode(m.code, m.ex)) for m in row.matches if m.code)
        by = f" (B: {under})" if under else ""
        click.echo(f"  {names[row.status]:<15} {code:<14} {entry.description[:60]}{by}")
    if len(open_rows) > _SHOWN:
        click.echo(
            "  "
            + _("… and {n:,} more: write a report with -o FILE.xlsx").format(
                n=len(open_rows) - _SHOWN
            )
        )
    click.echo(_("Write a report with --format csv|xlsx|json -o FILE."))
