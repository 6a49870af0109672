"""``screen``: a product catalogue against a list version."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exportctl.bulk import paused_gc
from exportctl.cli.base import (
    State,
    cli,
    parse_fail_on,
    progress_reporter,
    version_options,
    warn_drafts_passed_over,
)
from exportctl.cli.echo import echo_note, echo_warning
from exportctl.cli.outputs import check_output, encoding_option, report_output_options
from exportctl.i18n import _, active

if TYPE_CHECKING:
    from exportctl.screen import ScreenReport, ScreenResult, ScreenSummary
    from exportctl.screen.combined import CombinedReport, CombinedRow

SCREEN_SHOWN = 20
"""Rows listed by ``screen`` without an output format."""


@cli.command()
@click.argument("catalogue", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-l",
    "--list",
    "slugs",
    multiple=True,
    metavar="SLUG",
    help="List slug, e.g. kr-russia (default: default_list in the config file); repeat to "
    "screen against several lists at once (one status per list, and an overall verdict).",
)
@version_options("Screen against")
@click.option("--compare", metavar="LABEL", help="Older version: show rows whose status changed.")
@report_output_options
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the JSON report to stdout (as --format json).",
)
@click.option(
    "--fail-on",
    multiple=True,
    callback=parse_fail_on,
    metavar="STATUS[,STATUS]",
    help="Exit 1 on controlled, review (controlled or review, or descriptions not "
    "checked) or invalid rows; repeat or comma-separate.",
)
@click.option(
    "--sheet",
    metavar="NAME",
    help="Catalogue sheet (detected; needed when several sheets hold a table).",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help='Map a header to sku, description or code, e.g. code="세번(10)".',
)
@encoding_option
@click.option(
    "--catalogue-edition",
    metavar="HS20XX",
    help="HS edition of the catalogue's codes; refused when the list's version records "
    "another (convert the list first).",
)
@click.pass_obj
def screen(
    state: State,
    catalogue: Path,
    slugs: tuple[str, ...],
    label: str | None,
    as_of: dt.date | None,
    include_drafts: bool,
    compare: str | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
    as_json: bool,
    fail_on: tuple[str, ...],
    sheet: str | None,
    columns: tuple[str, ...],
    encoding: str | None,
    catalogue_edition: str | None,
) -> None:
    """Screen a product catalogue (SKU, description, HS code) against a list.

    Each row is controlled (a list entry covers its code), review (a human must
    look: an ex entry, a code broader than an entry, or a description matching an
    entry defined by name), clear, or invalid (no usable code). With --compare,
    rows whose status changed since the older version are marked, e.g. "newly
    controlled". Other catalogue columns are copied beside the verdict in the
    CSV, XLSX and JSON reports.

    CSV and XLSX reports are written for people in the language of --lang
    (headers, statuses, changes, the XLSX Summary sheet with when, by whom and
    against which version and source file the run was made); --csv-dialect plain
    writes machine column names and values for programs. JSON is always machine
    form, with the same record in its "report" object.

    With --fail-on, exit 1 when a row reaches one of the statuses given:
    controlled; review (controlled or review rows, or a catalogue whose
    descriptions could not be checked against the entries defined by name);
    invalid. Several may be given: --fail-on controlled,invalid.

    A catalogue with no data rows, or with no HS code in any row, screens
    nothing: that is not "all clear", so screen exits 1 (with or without
    --fail-on) and every report says so.

    With --list given more than once, each row gets a status against every list
    (the version of each in force on --as-of, or today) and an overall verdict,
    the most severe of them; reports (csv, xlsx, json) show both, and --fail-on
    applies to every list.

    \b
    Example:
        exportctl screen products.xlsx --list kr-russia --as-of 2024-07-01
        exportctl screen products.xlsx --list kr-russia --version 2024-06 \\
            --compare 2024-02 -o impact.xlsx
        exportctl screen products.csv --list kr-russia --json --fail-on review,invalid
        exportctl screen products.xlsx --list kr-russia --list chpl -o both.xlsx
    """
    from exportctl.api import screen_catalogue
    from exportctl.api.screening import write_screen_report
    from exportctl.readers import CATALOGUE_SCHEMA, parse_overrides
    from exportctl.reports import screening

    check_output(output, force, inputs=(catalogue,))
    if label is not None and as_of is not None:
        raise click.UsageError(_("Give --version LABEL or --as-of DATE, not both."))
    if as_json:
        if output is not None:
            raise click.UsageError(_("--json prints to stdout; write a file with -o FILE.json."))
        if fmt not in (None, "json"):
            raise click.UsageError(_("Give --json or --format {fmt}, not both.").format(fmt=fmt))
        fmt = "json"
    chosen: screening.Format | None = None
    if output is not None:
        try:
            chosen = screening.format_for(output, fmt)
        except ValueError as exc:
            raise click.BadParameter(
                _("{reason} (or name a file ending in .csv, .xlsx, .pdf or .json)").format(
                    reason=exc
                ),
                param_hint="'-o'",
            ) from exc
    elif fmt in ("xlsx", "pdf"):
        raise click.UsageError(_("--format {fmt} needs -o FILE.").format(fmt=fmt))
    elif fmt is not None:
        chosen = screening.format_for(None, fmt)
    overrides = parse_overrides(columns, CATALOGUE_SCHEMA)
    if len(slugs) > 1:
        if label is not None or compare is not None:
            raise click.UsageError(
                _(
                    "--version and --compare name a version of one list; with several lists "
                    "give --as-of DATE (the version of each in force then)."
                )
            )
        if chosen == "pdf":
            raise click.UsageError(
                _("a PDF covers one list; write csv, xlsx or json for several lists.")
            )
        _screen_several(
            state,
            catalogue,
            slugs,
            as_of,
            include_drafts,
            chosen,
            output,
            fail_on,
            sheet=sheet,
            encoding=encoding,
            overrides=overrides,
            catalogue_edition=catalogue_edition,
        )
        return
    slug = state.slug(slugs[0] if slugs else None)
    engine = state.engine()
    with progress_reporter(_("Screening {file}").format(file=catalogue.name)) as progress:
        report = screen_catalogue(
            engine,
            catalogue,
            slug,
            label=label,
            as_of=as_of,
            include_drafts=include_drafts,
            compare=compare,
            sheet=sheet,
            encoding=encoding,
            overrides=overrides,
            progress=progress,
            catalogue_edition=catalogue_edition,
            limits=state.limits,
        )
        if label is None:
            day = as_of or dt.date.today()
            warn_drafts_passed_over(engine, slug, day, report.version, include_drafts)
        if chosen is not None:
            written = write_screen_report(
                engine, report, chosen, output or sys.stdout, state.report_options()
            )
            summary = written.result
        else:
            summary = _screen_text(report)
    for note in report.notes:  # complete now that every row is read
        if not state.quiet:
            echo_note(f"{report.file}: {note}")
    if report.status != "approved":
        echo_warning(_not_approved(report.slug, report.version, report.status))
    if chosen is not None and output is None:
        # stdout carries the report itself; the text summary printed its own.
        for warning in _other_warnings(report):
            echo_warning(f"{report.file}: {warning}")
    if output is not None and chosen is not None:
        state.info(_("Wrote {file}: {counts}.").format(file=output, counts=_screen_counts(summary)))
        for warning in _other_warnings(report):
            click.echo(_("warning: {message}").format(message=warning))
    _exit_on_failures([summary], fail_on)


def _not_approved(slug: str, label: str, status: str) -> str:
    """Screened against a version not approved (a draft, or withdrawn)."""
    from exportctl.reports.language import text_for

    return _("screened against {slug} {label}, a {status} version (not approved)").format(
        slug=slug, label=label, status=text_for(active()).status(status)
    )


def _other_warnings(report: ScreenReport) -> list[str]:
    """The run's warnings but the one saying nothing was screened (the closing line)."""
    nothing = report.summary.nothing_screened_warning()
    return [warning for warning in report.warnings if warning != nothing]


def _exit_on_failures(
    summaries: list[ScreenSummary], fail_on: tuple[str, ...], prefixes: list[str] | None = None
) -> None:
    """Print why the run fails and exit 1: rows failing --fail-on, or nothing screened."""
    failures: list[str] = []
    for n, summary in enumerate(summaries):
        prefix = prefixes[n] if prefixes is not None else ""
        if fail_on:
            failures += [f"{prefix}{line}" for line in summary.failures(fail_on)]
        else:
            nothing = summary.nothing_screened_warning()
            if nothing is not None:
                failures.append(f"{prefix}{nothing}.")
    for failure in failures:
        click.echo(failure, err=True)
    if failures:
        sys.exit(1)


def _screen_several(
    state: State,
    catalogue: Path,
    slugs: tuple[str, ...],
    as_of: dt.date | None,
    include_drafts: bool,
    chosen: str | None,
    output: Path | None,
    fail_on: tuple[str, ...],
    **reading: Any,
) -> None:
    """``screen`` with several lists: one status per list per row and an overall verdict."""
    from exportctl.api.screening import screen_lists, write_combined_report

    engine = state.engine()
    with progress_reporter(_("Screening {file}").format(file=catalogue.name)) as progress:
        combined = screen_lists(
            engine,
            catalogue,
            list(slugs),
            as_of=as_of,
            include_drafts=include_drafts,
            progress=progress,
            limits=state.limits,
            **reading,
        )
        if chosen is not None:
            write_combined_report(
                engine, combined, chosen, output or sys.stdout, state.report_options()
            )
        else:
            _several_text(combined)
    runs = combined.reports
    for run in runs:
        warn_drafts_passed_over(engine, run.slug, run.as_of, run.version, include_drafts)
        if run.status != "approved":
            echo_warning(_not_approved(run.slug, run.version, run.status))
        for warning in _other_warnings(run):
            echo_warning(f"{run.slug}: {warning}")
    if output is not None:
        state.info(
            _("Wrote {file}: {count:,} rows against {lists}.").format(
                file=output, count=combined.total, lists=", ".join(slugs)
            )
        )
    _exit_on_failures([run.summary for run in runs], fail_on, [f"{run.slug}: " for run in runs])


def _several_text(combined: CombinedReport) -> None:
    """Print the overall counts, each list's counts, and the first rows not clear."""
    shown: list[CombinedRow] = []
    for row in combined.rows:
        if row.overall != "clear" and len(shown) < SCREEN_SHOWN:
            shown.append(row)
    runs = combined.reports
    first = runs[0]
    against = _(" and ").join(f"{run.slug} {run.version}" for run in runs)
    overall = combined.overall
    click.echo(
        _(
            "Screened {file} against {against}: {total:,} rows; overall {controlled:,} "
            "controlled, {review:,} review, {clear:,} clear, {invalid:,} invalid."
        ).format(
            file=first.file,
            against=against,
            total=combined.total,
            controlled=overall["controlled"],
            review=overall["review"],
            clear=overall["clear"],
            invalid=overall["invalid"],
        )
    )  # overall is a Counter: a verdict no row has reads as 0
    t = _text()
    for run in runs:
        click.echo(f"  {run.slug} {run.version}: {_screen_counts(run.summary)}")
    for row in shown:
        statuses = "  ".join(
            f"{run.slug}={t.status(status)}" for run, status in zip(runs, row.statuses, strict=True)
        )
        code = row.first.shown_code or "—"
        sku = row.first.sku or "—"
        click.echo(
            f"  {_row(row.row)}  {sku:<14} {code:<12} {t.status(row.overall):<10} {statuses}"
        )
    remaining = combined.total - overall["clear"] - len(shown)
    if remaining > 0:
        click.echo(_more(remaining))


def _text() -> Any:
    from exportctl.reports.language import text_for

    return text_for(active())


def _row(number: int) -> str:
    return _("row {number}").format(number=f"{number:>6}")


def _more(remaining: int) -> str:
    return "  " + _("… and {n:,} more (write a report with -o FILE)").format(n=remaining)


def _screen_counts(summary: ScreenSummary) -> str:
    counts = summary.counts
    return _(
        "{total:,} rows, {controlled:,} controlled, {review:,} review, {clear:,} clear, "
        "{invalid:,} invalid"
    ).format(
        total=summary.total,
        controlled=counts["controlled"],
        review=counts["review"],
        clear=counts["clear"],
        invalid=counts["invalid"],
    )


@paused_gc()
def _screen_text(report: ScreenReport) -> ScreenSummary:
    """Print a short summary: the counts and the first rows that need attention."""
    compared = report.compare is not None
    shown: list[ScreenResult] = []
    table = report.table
    if table is not None:
        import numpy as np

        from exportctl.screen import STATUSES

        # The pass is held in one table: only the rows listed become results.
        verdicts = table.statuses()
        if compared:
            listed = verdicts != table.statuses(previous=True)
        else:
            listed = verdicts != STATUSES.index("clear")
        shown = table.results_at(np.flatnonzero(listed)[:SCREEN_SHOWN])
    for result in report.results if table is None else ():
        wanted = result.changed if compared else result.status != "clear"
        if wanted and len(shown) < SCREEN_SHOWN:
            shown.append(result)
    from exportctl.reports.screening import change_words

    summary = report.summary
    t = _text()
    lang = active()
    effective = (
        " " + _("(effective {date})").format(date=report.effective) if report.effective else ""
    )
    sheet = ", " + _('sheet "{sheet}"').format(sheet=report.sheet) if report.sheet else ""
    status = "" if report.status == "approved" else f" ({t.status(report.status).upper()})"
    click.echo(
        _("Screened {file} against {version}: {counts}.").format(
            file=f"{report.file}{sheet}",
            version=f"{report.slug} {report.version}{status}{effective}",
            counts=_screen_counts(summary),
        )
    )
    for warning in _other_warnings(report):
        click.echo(_("warning: {message}").format(message=warning))
    if compared:
        changes = ", ".join(
            f"{n:,} {change_words(change, t)}" for change, n in sorted(summary.changes.items())
        )
        click.echo(
            _("Compared with {label}: {changes}.").format(
                label=report.compare, changes=changes or _("no row changed status")
            )
        )
    for result in shown:
        code = result.shown_code or "—"
        status = (
            f"{t.status(result.previous_status)} → {t.status(result.status)}"
            if compared and result.previous_status
            else t.status(result.status)
        )
        sku = result.sku or "—"
        click.echo(
            f"  {_row(result.row)}  {sku:<14} {code:<12} {status:<12} {result.reason_in(lang)}"
        )
    flagged = summary.changed if compared else summary.total - summary.counts["clear"]
    remaining = flagged - len(shown)
    if remaining > 0:
        click.echo(_more(remaining))
    return summary
