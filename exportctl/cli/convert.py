"""``convert``: a version of a list in another HS edition, as a new draft version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.base import State, _parse_date, cli, list_option
from exportctl.cli.echo import echo_json, json_option
from exportctl.i18n import _, active

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
    type=click.Path(path_type=Path, dir_okay=False),
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
        limits=state.limits,
    )
    if as_json:
        echo_json(result.to_json())
        return
    _convert_text(result)


def _convert_text(result: ConvertResult) -> None:
    from exportctl.hscode import HSCode

    table = result.conversion.table
    counts = result.conversion.counts
    click.echo(
        _(
            "{slug} {label} ({source}) → {new} ({target}): stored as a DRAFT based on {label}"
        ).format(
            slug=result.slug,
            label=result.source.label,
            source=table.source,
            new=result.version.label,
            target=table.target,
        )
    )
    way = _(", read backwards") if table.reversed_from else ""
    click.echo(
        "  "
        + _("table: {name}{way} (SHA-256 {sha}…)").format(
            name=table.name, way=way, sha=table.sha256[:16]
        )
    )
    click.echo(
        "  "
        + _(
            "{count:,} entries: {unchanged:,} unchanged, {converted:,} converted, "
            "{review:,} to review, {no_code:,} without a code"
        ).format(count=len(result.conversion.entries), **counts)
    )
    review = result.conversion.review
    for entry in review[:_SHOWN]:
        # The entry's stored note keeps both languages (it is data); the line says one.
        serial = f"{entry.before.serial} " if entry.before.serial else ""
        code = HSCode(entry.before.code).dotted() if entry.before.code else "—"
        shown = ", ".join(HSCode(c).dotted() for c in entry.candidates) or "?"
        relationship = entry.relationship or _("not in the table")
        click.echo(
            f"  {serial}"
            + _("to check: {code} → {candidates} ({relationship}, {direction}): {reason}").format(
                code=code,
                candidates=shown,
                relationship=relationship,
                direction=table.direction,
                reason=entry.reason_said(),
            )
        )
    if len(review) > _SHOWN:
        click.echo(
            "  "
            + _("… and {n:,} more (all in --json and the audit log)").format(n=len(review) - _SHOWN)
        )
    # The notice is the correlation module's, kept there in both languages.
    notice = result.legal_notice_ko if active() == "ko" else result.legal_notice
    click.echo(_("Note: {notice}").format(notice=notice))
