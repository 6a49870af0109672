"""``demo``: the whole story on the bundled samples."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import State, cli
from exportctl.cli.echo import echo_json, errors_and_warnings, json_option
from exportctl.i18n import _, ngettext

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
@json_option
@click.pass_obj
def demo(state: State, out_dir: Path, as_json: bool) -> None:
    """Run the whole story on the bundled sample files.

    Imports the sample February 2024 list of Korea's Russia/Belarus situational
    licence items (1,159), the June 2024 additions (243, for 1,402), checks the
    counts, reads the consolidated two-part June annex from the notice's PDF and
    checks that its Russia/Belarus part holds the same entries, field for field
    (its other part is read and kept apart), writes the change report as PDF,
    XLSX and CSV, screens a sample catalogue, and reads a smaller annex in the
    notice's own table layout (two-row header, sub-items three deep, a
    control-number column) against its notice's counts. It uses its own SQLite
    database inside --out, never --db. The samples are in the official layout
    but are NOT the official list.

    \b
    Example:
        exportctl demo
        exportctl demo --out /tmp/demo
        exportctl --db /tmp/demo/exportctl-demo.db versions --list kr-russia
    """
    from exportctl.api import run_demo

    def step(message: str) -> None:
        state.info(f"· {message}", err=True)

    # Absolute, links kept: messages name the folder as the person gave it.
    result = run_demo(Path(os.path.abspath(out_dir)), progress=step)
    if as_json:
        echo_json(_demo_json(result))
        return
    for line in _demo_summary(result):
        click.echo(line)


def _demo_json(result: DemoResult) -> dict[str, Any]:
    """The ``demo --json`` object: what was imported, compared, screened and written."""
    return {
        "list": DEMO_LIST_SLUG,
        "imports": {
            "2024-02": result.february.to_json(),
            "2024-06": result.june.to_json(),
        },
        "annex_pdf": {
            "file": result.consolidated.report.file,
            "entries": result.consolidated.report.item_count,
            "same_as_stored": result.consolidated_agrees,
        },
        "changes": result.change_summary.to_json() if result.change_summary else None,
        "screening": result.screening.to_json() if result.screening else None,
        "real_layout": _real_layout_json(result),
        "files": {name: str(path) for name, path in result.files.items()},
        "database": str(result.database),
        "seconds": round(result.seconds, 2),
    }


def _real_layout_json(result: DemoResult) -> dict[str, Any] | None:
    real = result.real_layout
    if real is None:
        return None
    return {
        "file": real.result.report.file,
        "entries": real.entries,
        "sub_items": real.sub_items,
        "depth": real.depth,
        "control_numbers": real.control_numbers,
        "parts": {p.number: p.read for p in real.result.parts},
        "reconciles": real.reconciles,
    }


DEMO_LIST_SLUG = "kr-russia"


def _demo_summary(result: DemoResult) -> list[str]:
    """The one-screen summary ``demo`` prints."""
    lines = [
        _("exportctl demo: sample files in the official layout (not the official list)"),
        "",
        *_imports(result),
    ]
    if result.change_summary is not None:
        s = result.change_summary
        lines += [
            "",
            _(
                "Changes 2024-02 → 2024-06: {before:,} → {after:,} items; {added:,} added, "
                "{removed:,} removed, {modified:,} modified, {unchanged:,} unchanged"
            ).format(
                before=s.before,
                after=s.after,
                added=s.added,
                removed=s.removed,
                modified=s.modified,
                unchanged=s.unchanged,
            ),
            "  "
            + (
                _("the counts reconcile with the notice")
                if s.reconciles
                else _("the counts DO NOT reconcile with the notice")
            ),
        ]
    if result.screening is not None:
        counts = result.screening.counts
        newly = result.screening.changes.get("newly controlled", 0)
        lines += [
            "",
            _(
                "Screened catalogue.xlsx against 2024-06: {total:,} rows, {controlled:,} "
                "controlled, {review:,} review, {clear:,} clear, {invalid:,} invalid"
            ).format(total=result.screening.total, **counts),
            "  " + _("{n:,} newly controlled by the June 2024 revision").format(n=newly),
        ]
    lines += _real_layout(result)
    lines += ["", _("Files:")]
    width = max(len(name) for name in result.files) if result.files else 0
    for name, path in result.files.items():
        lines.append(f"  {name:<{width}}  {path}")
    lines += [
        f"  {_('database'):<{width}}  {result.database}",
        "",
        _("Done in {seconds:.1f} s. Explore the database with:").format(seconds=result.seconds),
        f"  exportctl --db {result.database} versions --list {DEMO_LIST_SLUG}",
    ]
    return lines


def _imports(result: DemoResult) -> list[str]:
    """What was imported, and how the notice's PDF agrees with it."""
    feb, june, cons = result.february.report, result.june.report, result.consolidated.report
    declared = result.june.options.declared
    if result.consolidated_agrees:
        agreement = _("the same as 2024-02 + additions")
    else:
        differs = ", ".join(
            f"{n:,} {kind}" for kind, n in result.consolidated_changes.counts().items() if n
        )
        errors = ngettext("{n:,} error", "{n:,} errors", len(cons.errors)).format(
            n=len(cons.errors)
        )
        agreement = _("DIFFERS from 2024-02 + additions ({what})").format(what=differs or errors)
    lines = [
        _("Imported into list {slug}:").format(slug=DEMO_LIST_SLUG),
        "  "
        + _(
            "2024-02  {count:,} items; the notice declares {declared:,}; {findings}; "
            "approved by a second person"
        ).format(
            count=feb.item_count,
            declared=result.february.options.declared.total or 0,
            findings=errors_and_warnings(len(feb.errors), len(feb.warnings)),
        ),
        "  "
        + _(
            "2024-06  {count:,} items = {before:,} + {added:,} added − {removed:,} removed; "
            "the notice declares +{declared_added:,} = {declared_total:,}; {findings}; "
            "approved by a second person"
        ).format(
            count=june.item_count,
            before=june.item_count - (june.added or 0),
            added=june.added or 0,
            removed=june.removed or 0,
            declared_added=declared.added or 0,
            declared_total=declared.total or 0,
            findings=errors_and_warnings(len(june.errors), len(june.warnings)),
        ),
    ]
    kept = [part for part in result.consolidated.parts if part.stored]
    apart = [part for part in result.consolidated.parts if not part.stored]
    which = ", ".join(_("part {number}").format(number=part.number) for part in kept)
    lines.append(
        "  "
        + _("{file} (the notice's PDF, {which}): {count:,} entries, {agreement}").format(
            file=cons.file,
            which=which or _("one part"),
            count=cons.item_count,
            agreement=agreement,
        )
    )
    lines += [
        "    "
        + _(
            "part {number} ({title}, {count:,} entries) seen and kept apart: not part of {slug}"
        ).format(
            number=part.number,
            title=part.title or _("untitled"),
            count=part.read,
            slug=DEMO_LIST_SLUG,
        )
        for part in apart
    ]
    return lines


def _real_layout(result: DemoResult) -> list[str]:
    """The sample in the notice's own table layout, read."""
    real = result.real_layout
    if real is None:
        return []
    verdict = (
        _("the notice's counts reconcile")
        if real.reconciles
        else _("the notice's counts DO NOT reconcile")
    )
    return [
        "",
        _(
            "Real-layout sample {file}: {entries:,} entries ({parts}), {sub_items:,} "
            "sub-items nested up to depth {depth}, {numbers:,} control numbers (column and "
            "texts); {verdict}"
        ).format(
            file=real.result.report.file,
            entries=real.entries,
            parts=" + ".join(f"{p.read:,}" for p in real.result.parts),
            sub_items=real.sub_items,
            depth=real.depth,
            numbers=real.control_numbers,
            verdict=verdict,
        ),
    ]
