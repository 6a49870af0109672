"""``diff``: what changed between two versions, as a summary or a report."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import State, cli, include_drafts_option, list_option, progress_reporter
from exportctl.cli.echo import json_option
from exportctl.cli.outputs import check_output, report_output_options
from exportctl.i18n import _, active, ngettext

if TYPE_CHECKING:
    from exportctl.diff import ChangeSet

    pass


def _print_diff_summary(changes: Any) -> None:
    from exportctl.diff import CHANGE_KINDS, summarise

    summary = summarise(changes)
    old, new = changes.old_version, changes.new_version
    click.echo(f"{changes.list_slug}: {old.shown} → {new.shown}")
    for side in (old, new):
        if side.notice:
            click.echo(f"  {side.label}: {side.notice}")
    if changes.sectioned:
        click.echo(_("Parts compared (entries are matched within their part):"))
        for side in (old, new):
            parts = "; ".join(f"{p.shown} {p.item_count:,}" for p in side.sections)
            click.echo(f"  {side.label}: {parts or _('part 1')}")
        by_part = Counter(change.section for change in changes.changes)
        for number, count in sorted(by_part.items()):
            changed = ngettext("{n:,} change", "{n:,} changes", count).format(n=count)
            click.echo(f"  {new.section_title(number)}: {changed}")
    rows = [
        (_("before"), summary.before),
        (_("after"), summary.after),
        (_("added"), summary.added),
        (_("removed"), summary.removed),
        (_("unchanged"), summary.unchanged),
    ]
    for label, number in rows:
        click.echo(f"  {label:<14}{number:>9,}")
    # A serial-number move is not a change to what the list controls: say so apart.
    content = ngettext(
        "{n:,} content change", "{n:,} content changes", summary.content_changes
    ).format(n=summary.content_changes)
    renumbered = ngettext(
        "{n:,} entry renumbered", "{n:,} entries renumbered", summary.renumbered
    ).format(n=summary.renumbered)
    click.echo(f"{content}; {renumbered}")
    kinds = [(kind, summary.kinds[kind]) for kind in CHANGE_KINDS if summary.kinds[kind]]
    if kinds:
        click.echo(_("Changes by kind:"))
        from exportctl.reports.language import text_for

        t = text_for(active())
        for kind, number in kinds:
            click.echo(f"  {t.kind(kind):<14}{number:>9,}")
    for statement in summary.statements:
        click.echo(f"  {statement}")
    for side in (old, new):
        for warning in side.declared_warnings:
            click.echo(
                "  "
                + _("{label}, recorded at import: {warning}").format(
                    label=side.label, warning=warning
                )
            )
    click.echo(_("Reconciles.") if summary.reconciles else _("Does NOT reconcile."))
    click.echo(_("Write a report with --format csv|xlsx|pdf|json -o FILE."))


@cli.command()
@click.argument("names", nargs=-1, metavar="OLD NEW")
@list_option
@include_drafts_option
@click.option(
    "--fields",
    metavar="F,..",
    help="Fields that count as a modification (default: serial, ex, description, "
    "description_en, category, note, sub_items, control_numbers).",
)
@report_output_options
@json_option
@click.pass_obj
def diff(
    state: State,
    names: tuple[str, ...],
    slug: str | None,
    include_drafts: bool,
    fields: str | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Report what changed from version OLD to version NEW of a list.

    Added, removed and modified items, serial numbers that moved, codes that were
    recoded, split into sub-codes or merged, and a tie-out against the counts the
    notice declared. OLD and NEW are labels, or dates (the approved version in
    force then; drafts too with --include-drafts). Without --format or -o, prints
    a short summary. Every report written is recorded in the audit log with its
    SHA-256. Exit 1 when the figures do not reconcile; a warning when OLD takes
    effect after NEW.

    \b
    Example:
        exportctl diff 2024-02 2024-06 --list kr-russia
        exportctl diff 2024-02 2024-06 --list kr-russia -o changes.xlsx
        exportctl diff 2024-02 2024-06 --list kr-russia -o changes.pdf
        exportctl diff 2024-02 2024-06 --list kr-russia --format csv > changes.csv
        exportctl diff 2024-03-01 2024-09-01 --list kr-russia
        exportctl diff 2024-02 2024-06 --list kr-russia --fields description,category --json
    """
    from exportctl.api import diff_versions, report_format, write_change_report
    from exportctl.diff import parse_fields

    if as_json:
        if fmt not in (None, "json"):
            raise click.UsageError(_("--json conflicts with --format {fmt}").format(fmt=fmt))
        fmt = "json"
    check_output(output, force)
    chosen = parse_fields(fields)
    fmt = report_format(output, fmt)
    if output is None and fmt in ("xlsx", "pdf"):
        raise click.UsageError(_("a {fmt} report needs a file: give -o FILE.{fmt}").format(fmt=fmt))
    if len(names) == 3:
        list_slug = state.slug(slug, names[0], usage="exportctl diff OLD NEW --list SLUG")
        old, new = names[1:]
    elif len(names) == 2:
        list_slug = state.slug(slug)
        old, new = names
    else:
        raise click.UsageError(_("Give two versions: OLD NEW (labels or dates), with --list SLUG."))
    engine = state.engine()
    with progress_reporter(_("Comparing {old} and {new}").format(old=old, new=new)) as progress:
        changes = diff_versions(
            engine,
            list_slug,
            old,
            new,
            fields=chosen,
            include_drafts=include_drafts,
            progress=progress,
        )
    _warn_order(changes)
    if fmt is None:
        _print_diff_summary(changes)
    elif output is None:
        write_change_report(engine, changes, fmt, sys.stdout, options=state.report_options())
    else:
        options = state.report_options()
        if fmt == "pdf" and _pdf_is_partial(changes, options.pdf_rows):
            # The PDF lists at most --pdf-rows per kind: the full table goes beside it,
            # and page 1 of the PDF names that file.
            companion = _companion_path(output, force)
            sha = write_change_report(engine, changes, "xlsx", companion, options=options)
            state.info(
                _("Wrote {file} (the full table the PDF refers to, SHA-256 {sha}…).").format(
                    file=companion, sha=sha[:16]
                ),
                err=True,
            )
            options = dataclasses.replace(options, companion=companion.name)
        sha = write_change_report(engine, changes, fmt, output, options=options)
        state.info(
            ngettext(
                "Wrote {file} ({n:,} change, SHA-256 {sha}…).",
                "Wrote {file} ({n:,} changes, SHA-256 {sha}…).",
                len(changes.changes),
            ).format(file=output, n=len(changes.changes), sha=sha[:16]),
            err=True,
        )
    _exit_unless_reconciled(changes)


COMPANION_SUFFIX = ".full-list.xlsx"
"""What the full table beside a partial PDF is called: ``x.pdf`` → ``x.full-list.xlsx``."""


def _companion_path(output: Path, force: bool) -> Path:
    """Where the full table of a partial PDF goes: a name the officer never asked for.

    The officer named the PDF, not this file: ``x.xlsx`` (a report they may
    have asked for) is never taken. With --force, given to replace the PDF,
    the PDF's companion is replaced too; without it, an existing companion (a
    report of an earlier run) is kept and the next free ``x.full-list-2.xlsx``
    is written instead, so that it never blocks the PDF asked for.
    """
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    companion = output.with_name(stem + COMPANION_SUFFIX)
    number = 1
    while not force and (companion.exists() or companion.is_symlink()):
        number += 1
        companion = output.with_name(f"{stem}.full-list-{number}.xlsx")
    check_output(companion, force)
    return companion


def _pdf_is_partial(changes: ChangeSet, limit: int) -> bool:
    """Whether a PDF of ``changes`` listing ``limit`` changes per kind leaves some out."""
    return any(count > limit for count in changes.counts().values())


def _warn_order(changes: ChangeSet) -> None:
    from exportctl.store.labels import STATUS_WORDS

    old, new = changes.old_version, changes.new_version
    for side in (old, new):
        if side is not None and side.status != "approved":
            click.echo(
                _("warning: version {label} is {status}").format(
                    label=side.label, status=_(STATUS_WORDS.get(side.status, side.status))
                ),
                err=True,
            )
    if old is None or new is None or old.effective is None or new.effective is None:
        return
    if old.effective > new.effective:
        click.echo(
            _(
                "warning: OLD {old} takes effect on {old_day}, after NEW {new} ({new_day}); "
                "did you mean diff {new} {old}?"
            ).format(old=old.label, old_day=old.effective, new=new.label, new_day=new.effective),
            err=True,
        )


def _exit_unless_reconciled(changes: ChangeSet) -> None:
    from exportctl.diff import summarise

    if not summarise(changes).reconciles:
        click.echo(
            _("The figures do NOT reconcile with the counts declared for {label} (exit 1).").format(
                label=changes.new_version.label if changes.new_version else _("the new version")
            ),
            err=True,
        )
        sys.exit(1)
