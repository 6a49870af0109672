"""Daily look-ups: ``check`` codes, ``show`` a version's items, ``export`` a version."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from exportctl.cli.base import (
    State,
    _parse_date,
    cli,
    include_drafts_option,
    list_option,
    parse_fail_on,
    version_options,
    warn_drafts_passed_over,
)
from exportctl.cli.echo import echo_json, json_option
from exportctl.cli.outputs import check_output, report_language_options
from exportctl.i18n import N_, _, active, ngettext

if TYPE_CHECKING:
    from exportctl.api.lookups import CheckReport, ItemSelection
    from exportctl.limits import Limits
    from exportctl.models import ItemRecord, Version
    from exportctl.screen.related import Related

_INPUT_WIDTH = 24
"""Widest column of typed codes in ``check`` output; longer inputs push the line."""


def _version_line(slug: str, version: Version) -> str:
    """``kr-russia 2024-06 (effective 2024-06-28, draft)``."""
    from exportctl.store.labels import STATUS_WORDS

    effective = version.effective.isoformat() if version.effective else _("undated")
    status = "" if version.status == "approved" else f", {_(STATUS_WORDS[version.status])}"
    return _("{slug} {label} (effective {effective}{status})").format(
        slug=slug, label=version.label, effective=effective, status=status
    )


def _codes_given(codes: Sequence[str], limits: Limits) -> list[str]:
    """The CODE arguments, with ``-`` (or no CODE at all) replaced by stdin's lines.

    Standard input is read a line at a time within ``max_line_bytes`` a line,
    ``max_rows`` lines and ``max_stdin_bytes`` in all: ``check - < /dev/zero`` is
    refused after one line's worth, not after the memory runs out.
    """
    stdin = sys.stdin
    if not codes or "-" in codes:
        if stdin.isatty():
            raise click.UsageError(_("Give CODE arguments, or pipe codes on stdin one per line."))
    found: list[str] = []
    read = False
    for code in codes or ("-",):
        if code == "-":
            if not read:
                found.extend(_stdin_codes(stdin, limits))
                read = True
        else:
            found.append(code)
    if not found:
        raise click.UsageError(_("No codes to check: stdin held only blank lines and comments."))
    return found


def _stdin_codes(stdin: TextIO, limits: Limits) -> list[str]:
    from exportctl.api.lookups import code_lines
    from exportctl.errors import InputError
    from exportctl.streams import BoundedLines

    name = _("standard input")
    lines = BoundedLines(stdin, name, limits, total="max_stdin_bytes")
    try:
        return code_lines(lines)
    except UnicodeDecodeError:
        raise InputError(
            _("is not text in {encoding} (line {line:,})").format(
                encoding=getattr(stdin, "encoding", "UTF-8"), line=lines.line + 1
            ),
            file=name,
        ) from None


@cli.command()
@click.argument("codes", nargs=-1, metavar="[CODE]...")
@list_option
@version_options("Check against")
@json_option
@click.option(
    "--fail-on",
    multiple=True,
    callback=parse_fail_on,
    metavar="STATUS[,STATUS]",
    help="Exit 1 when a code is controlled, review (controlled or review) or invalid; "
    "repeat or comma-separate.",
)
@click.pass_obj
def check(
    state: State,
    codes: tuple[str, ...],
    slug: str | None,
    label: str | None,
    as_of: dt.date | None,
    include_drafts: bool,
    as_json: bool,
    fail_on: tuple[str, ...],
) -> None:
    """Check HS codes against a list: controlled, review, clear or invalid.

    Codes come from the arguments, or from stdin one per line when no CODE is
    given or a CODE is "-" (blank lines and # comments are skipped). Each code
    is screened exactly as a catalogue row with that code and no description
    would be: entries defined by name cannot be matched by a code alone. The
    version is the one in force today unless --version or --as-of says otherwise.

    \b
    Example:
        exportctl check 8471.30 8536.69.1000 0808.10 --list kr-russia
        exportctl check --list kr-russia --as-of 2024-07-01 --json < codes.txt
        exportctl check 9013.10 --list kr-russia --fail-on review,invalid
    """
    from exportctl.api.lookups import check_codes

    if label is not None and as_of is not None:
        raise click.UsageError(_("Give --version LABEL or --as-of DATE, not both."))
    name = state.slug(slug)
    typed = _codes_given(codes, state.limits)
    engine = state.engine()
    report = check_codes(
        engine, name, typed, label=label, as_of=as_of, include_drafts=include_drafts
    )
    if label is None:
        day = as_of or dt.date.today()
        warn_drafts_passed_over(engine, name, day, report.version.label, include_drafts)
    if as_json:
        echo_json(report.to_json())
    else:
        _check_text(report)
    if report.unchecked_names and any(r.status == "clear" for r in report.results):
        n = report.unchecked_names
        click.echo(
            ngettext(
                "note: {n:,} list entry is defined by name, not by code; a code alone cannot "
                "match it: screen a catalogue with descriptions",
                "note: {n:,} list entries are defined by name, not by code; a code alone "
                "cannot match them: screen a catalogue with descriptions",
                n,
            ).format(n=n),
            err=True,
        )
    if fail_on:
        failing = report.failing(fail_on)
        if failing:
            counts: dict[str, int] = {}
            for result in failing:
                counts[result.status] = counts.get(result.status, 0) + 1
            each = ", ".join(f"{n:,} {status}" for status, n in counts.items())
            what = ngettext("{n:,} code fails", "{n:,} codes fail", len(failing)).format(
                n=len(failing)
            )
            click.echo(f"{what} --fail-on {','.join(fail_on)}: {each}.", err=True)
            sys.exit(1)


def _check_text(report: CheckReport) -> None:
    from exportctl.reports.language import text_for

    t = text_for(active())
    counts = ", ".join(f"{n:,} {t.status(status)}" for status, n in report.counts.items())
    total = len(report.results)
    codes = ngettext("{n:,} code", "{n:,} codes", total).format(n=total)
    click.echo(f"{_version_line(report.slug, report.version)}: {codes}: {counts}")
    width = min(max(len(r.input) for r in report.results), _INPUT_WIDTH)
    code_width = max(len(r.dotted or "—") for r in report.results)
    status_width = max(len(t.status(r.status)) for r in report.results)
    for result in report.results:
        entry = f" — {result.entry.description}" if result.entry is not None else ""
        click.echo(
            f"{result.input:<{width}}  {result.dotted or '—':<{code_width}}  "
            f"{t.status(result.status):<{status_width}}  {result.said or result.reason}{entry}"
        )


_TODAY_WORDS = frozenset({"today", "오늘"})
"""What ``--as-of`` also takes for the current date."""


def _as_of_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """``--as-of``: a date as ``_parse_date`` reads it, or ``today``."""
    if value is not None and value.strip().casefold() in _TODAY_WORDS:
        return dt.date.today()
    return _parse_date(ctx, param, value)


@cli.command()
@click.argument("legacy", required=False, metavar="[SLUG]")
@list_option
@include_drafts_option
@click.option(
    "--as-of",
    metavar="DATE",
    callback=_as_of_date,
    help="Show the approved version in force on this date, or today (the default).",
)
@click.option("--version", "label", metavar="LABEL", help="Show this version, by label.")
@click.option(
    "--code",
    "code_prefix",
    metavar="PREFIX",
    help="Entries check and screen meet for this code (covering it, under it, or "
    "mentioning it), e.g. 8471 or 8806.22.",
)
@click.option(
    "--search",
    metavar="TEXT",
    help="Words that must all appear in the description, English description or note.",
)
@click.option("--category", metavar="TEXT", help="Text the category must contain.")
@click.option(
    "--section",
    metavar="TEXT",
    help="Entries of one part of the annex: its number or a word of its title.",
)
@json_option
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="Print the items as CSV (recorded in the audit log); see --csv-dialect.",
)
@report_language_options
@click.pass_obj
def show(
    state: State,
    legacy: str | None,
    slug: str | None,
    label: str | None,
    as_of: dt.date | None,
    include_drafts: bool,
    code_prefix: str | None,
    search: str | None,
    category: str | None,
    section: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Show the items of one version: the one in force today, by label or as of a date.

    Without --version or --as-of, the approved version in force today is shown
    (--as-of today says the same).

    --code keeps the entries check and screen meet for a code, each marked with
    how: for 8471.30, the heading 8471 [covers], ex 8471.30 [ex: covers part],
    8471.30.1000 [under] and an entry whose text names 8471.30 [mentions]; none
    exactly when check says clear. --search
    keeps items whose description, English description or note contains every
    word given (case-insensitive). --category keeps items whose category contains
    the text. --section keeps the entries of one part of the annex, named by its
    number or a word of its title. Filters combine: an item must pass all of them.
    Sub-items of entries defined by specification are printed under their entry.

    --csv prints the items as CSV: by default for Excel (a byte-order mark, headers
    and yes/no in the --lang language, codes that keep their zeros when the file is
    double-clicked); --csv-dialect plain gives machine column names and raw values
    for programs. Each CSV printed is recorded in the audit log with its SHA-256.

    \b
    Example:
        exportctl show --list kr-russia
        exportctl show --list kr-russia --as-of 2024-07-01 --csv > list.csv
        exportctl show --list kr-russia --version 2024-06 --csv --csv-dialect plain --lang en
        exportctl show --list kr-russia --version 2024-06 --code 8471
        exportctl show --list kr-russia --version 2024-06 --search "drone parts" --json
        exportctl show --list kr-russia --version 2024-06 --section 러시아
    """
    from exportctl.api.lookups import select_items

    if as_json and as_csv:
        # Two formats on one standard output: neither would be what was asked.
        raise click.UsageError(_("Give --json or --csv, not both."))
    name = state.slug(slug, legacy, usage="exportctl show --list SLUG")
    if label is not None and as_of is not None:
        raise click.UsageError(_("Give --version LABEL or --as-of DATE, not both."))
    if label is None and as_of is None:
        as_of = dt.date.today()
    engine = state.engine()
    selection = select_items(
        engine,
        name,
        label=label,
        as_of=as_of,
        include_drafts=include_drafts,
        code=code_prefix,
        search=search,
        category=category,
        section=section,
    )
    version, items = selection.version, selection.items
    warn_drafts_passed_over(engine, name, as_of, version.label, include_drafts)
    from exportctl.api.browse import notice_json, sections_json, version_notice
    from exportctl.cli import clock

    zone = clock.zone_of(state)
    if as_json:
        echo_json(
            {
                "list": name,
                "version": version.label,
                "effective": version.effective.isoformat() if version.effective else None,
                **clock.status_json(version, zone),
                "status_text": clock.status_text(version, zone),
                "declared_warnings": version.warnings(),
                "notice": notice_json(version),
                "sections": sections_json(selection.sections),
                "count": len(items),
                "total": selection.total,
                "filters": selection.filters,
                "code_read": selection.code_read,
                "items": [_item_json(selection, i) for i in items],
            }
        )
        return
    if as_csv:
        from exportctl.api.lookups import write_items_csv

        write_items_csv(engine, selection, sys.stdout, state.report_options())
        return
    if selection.filters:
        given = ", ".join(
            f'{_(_FILTER_WORDS.get(key, key))} "{value}"'
            for key, value in selection.filters.items()
        )
        counted = _("{n:,} of {total:,} items match {given}").format(
            n=len(items), total=selection.total, given=given
        )
    else:
        counted = ngettext("{n:,} item", "{n:,} items", len(items)).format(n=len(items))
    click.echo(f"{_version_line(name, version)}: {counted}")
    if selection.code_read:
        click.echo(f"  {selection.code_read}")
    notice = version_notice(version)
    if notice:
        click.echo(f"  {notice}")
    for warning in version.warnings():
        click.echo(
            "  " + _("declared counts, recorded at import: {warning}").format(warning=warning)
        )
    _show_text(items, selection.titles, selection)


_FILTER_WORDS = {
    "code": N_("code"),
    "search": N_("words"),
    "category": N_("category"),
    "section": N_("part"),
}
"""How ``show`` names each filter it was given, translated when printed."""

_RELATION_TAGS = {
    "covers": N_("covers"),
    "partial": N_("ex: covers part"),
    "under": N_("under"),
    "mentions": N_("mentions {code}"),
}
"""The tag before an entry ``show --code`` lists: how it meets the code (``--json``
gives the machine word, ``relation``)."""


def _relation_tag(related: Related | None) -> str:
    """``[covers] ``, ``[mentions 8806.22] ``: how an entry meets the code shown; ``""``."""
    if related is None:
        return ""
    tag = _(_RELATION_TAGS.get(related.relation, related.relation)).format(code=related.via)
    return f"[{tag}] "


def _item_json(selection: ItemSelection, item: ItemRecord) -> dict[str, object]:
    data = item.to_json(sections=selection.titles)
    related = selection.relation(item)
    if related is not None:
        data["relation"] = related.to_json()
    return data


def _show_text(
    items: Sequence[ItemRecord], titles: dict[int, str], selection: ItemSelection
) -> None:
    from exportctl.hscode import HSCode
    from exportctl.reports.tabular import attributes_text
    from exportctl.screen.references import shorten

    sectioned = len(titles) > 1
    current: int | None = None
    for item in items:
        if sectioned and item.section != current:
            current = item.section
            title = titles.get(current, "")
            click.echo(_("Part {number}").format(number=current) + (f": {title}" if title else ""))
        code = HSCode(item.code, item.ex).dotted() if item.code else "—"
        if item.code_end:
            code += f" – {HSCode(item.code_end).dotted()}"
        ex = "ex " if item.ex else ""
        serial = item.serial if item.serial is not None else ""
        tag = _relation_tag(selection.relation(item))
        click.echo(f"{serial!s:>5} {ex}{code:<14} {tag}{item.description}")
        if item.attributes:
            click.echo(f"{'':>6}{'':<14}   [{attributes_text(item.attributes)}]")
        for sub in item.every_sub_item():
            indent = "  " * (sub.depth - 1)
            click.echo(f"{'':>6}{'':<14}   {indent}{sub.label} {shorten(sub.full_text, 100)}")


@cli.command(name="export")
@click.argument("words", nargs=-1, metavar="[SLUG] LABEL")
@list_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="File to write: .xlsx, .csv or .json.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv", "json"]),
    help="Format (default: from the -o extension).",
)
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
@report_language_options
@json_option
@click.pass_obj
def export_cmd(
    state: State,
    words: tuple[str, ...],
    slug: str | None,
    output: Path,
    fmt: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Export a version as a workbook to send on: every item and where it came from.

    Each item has its serial, code (dotted, and its digits; text, zeros kept),
    level, ex, descriptions, category, note and provenance: the source file, sheet
    and row. XLSX has an Items sheet (headers in the --lang language, frozen,
    filters, print setup) and a Version sheet (list, version, notice, effective
    date, status with approver and time, item count, the source's SHA-256,
    imported at/by, and who made the export when, with which exportctl). CSV is
    for Excel by default (BOM, headers in words, codes keep their zeros) or
    --csv-dialect plain for programs; JSON holds the same plus a "report" record.
    Every format imports again (`exportctl import`) to the same entries, parts,
    sub-items and control numbers. The export is recorded in the audit log.

    \b
    Example:
        exportctl export --list kr-russia 2024-06 -o kr-russia-2024-06.xlsx
        exportctl export --list kr-russia 2024-06 -o list.csv --force
    """
    from exportctl.api.exports import export_version
    from exportctl.reports.export import export_format

    name, label = state.slug_and_label(slug, words, "exportctl export --list SLUG LABEL -o FILE")
    try:
        export_format(output, fmt)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o'") from exc
    check_output(output, force)
    sha = export_version(state.engine(), name, label, output, fmt, options=state.report_options())
    if as_json:
        echo_json({"list": name, "version": label, "file": str(output), "sha256": sha})
        return
    state.info(
        _("Exported {slug} {label} to {file} (SHA-256 {sha}).").format(
            slug=name, label=label, file=output, sha=sha
        )
    )
