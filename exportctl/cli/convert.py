"""``convert``: a version of a list in another HS edition, as a new draft version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.base import State, _parse_date, cli, echo_json, json_option, list_option

if TYPE_CHECKING:
    from exportctl.api.convert import ConvertResult

_SHOWN = 20
"""Entries to review printed by the text output (all are in --json and the audit log)."""


@cli.command()
@click.argument("label", metavar="LABEL")
@list_option
@click.option(
    "--to", "to_edition", required=True, metavar="EDITION", help="Convert to this edition: HS2017."
)
@click.option(
    "--from",
    "from_edition",
    metavar="EDITION",
    help="The edition the version is in (default: HS2022).",
)
@click.option(
    "--version",
    "new_label",
    metavar="NEWLABEL",
    help="Label of the new version (default: LABEL-EDITION, e.g. 2024-06-HS2017).",
)
@click.option(
    "--table",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="FILE",
    help="A correlation table to use instead of the shipped ones: a CSV headed by the "
    "two editions (HS2022,HS2028), one pair of six-digit codes a row.",
)
@click.option(
    "--effective", metavar="DATE", callback=_parse_date, help="Date the new version takes effect."
)
@json_option
@click.pass_obj
def convert(
    state: State,
    label: str,
    slug: str | None,
    to_edition: str,
    from_edition: str | None,
    new_label: str | None,
    table: Path | None,
    effective: dt.date | None,
    as_json: bool,
) -> None:
    """Convert a version to another HS edition, as a new draft version of the list.

    Each entry goes through the UN correlation table between the two editions
    (shipped: HS2022 ↔ HS2017 and HS2017 ↔ HS2012; any other pair with --table).
    Codes that correspond 1:1 are converted; codes merged (n:1), split (1:n) or
    reshuffled (n:n) are marked for review, with every candidate in the entry's
    note. 8- and 10-digit codes go by their subheading and keep their national
    digits only when it converts 1:1; chapters and headings convert when all
    their subheadings land in one. The new version is a draft based on LABEL,
    recorded in the audit log with every entry to review. Correlation tables are
    not legal instruments: check every converted entry against the legal text
    before approving.

    \b
    Example:
        exportctl convert 2024-06 --list kr-russia --to HS2017
        exportctl convert 2024-06 --list kr-russia --to HS2017 --version 2024-06-hs17 --json
        exportctl convert 2027-12 --list kr-russia --to HS2028 --table hs2022_hs2028.csv
    """
    from exportctl.api.convert import convert_version

    name = state.slug(slug)
    result = convert_version(
        state.engine(),
        name,
        label,
        to_edition,
        from_edition=from_edition,
        new_label=new_label,
        table=table,
        effective=effective,
        actor=state.actor,
    )
    if as_json:
        echo_json(result.to_json())
        return
    _convert_text(result)


def _convert_text(result: ConvertResult) -> None:
    table = result.conversion.table
    counts = result.conversion.counts
    click.echo(
        f"{result.slug} {result.source.label} ({table.source}) → {result.version.label} "
        f"({table.target}): stored as a DRAFT based on {result.source.label}"
    )
    way = ", read backwards" if table.reversed_from else ""
    click.echo(f"  table: {table.name}{way} (SHA-256 {table.sha256[:16]}…)")
    click.echo(
        f"  {len(result.conversion.entries):,} entries: {counts['unchanged']:,} unchanged, "
        f"{counts['converted']:,} converted, {counts['review']:,} to review, "
        f"{counts['no_code']:,} without a code"
    )
    review = result.conversion.review
    for entry in review[:_SHOWN]:
        serial = f"{entry.before.serial} " if entry.before.serial else ""
        click.echo(f"  {serial}{entry.note}: {entry.reason}")
    if len(review) > _SHOWN:
        click.echo(f"  … and {len(review) - _SHOWN:,} more (all in --json and the audit log)")
    click.echo(f"Note: {result.legal_notice}")
