"""``demo``: the whole story on the bundled samples."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import State, cli, counted, echo_json, json_option

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

    result = run_demo(out_dir.resolve(), progress=step)
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
    feb, june, cons = result.february.report, result.june.report, result.consolidated.report
    declared = result.june.options.declared
    if result.consolidated_agrees:
        agreement = "the same as 2024-02 + additions"
    else:
        differs = ", ".join(
            f"{n:,} {kind}" for kind, n in result.consolidated_changes.counts().items() if n
        )
        errors = counted(len(cons.errors), "error")
        agreement = f"DIFFERS from 2024-02 + additions ({differs or errors})"
    lines = [
        "exportctl demo: sample files in the official layout (not the official list)",
        "",
        f"Imported into list {DEMO_LIST_SLUG}:",
        f"  2024-02  {feb.item_count:,} items; the notice declares "
        f"{result.february.options.declared.total or 0:,}; "
        f"{counted(len(feb.errors), 'error')}, {counted(len(feb.warnings), 'warning')}; "
        "approved by a second person",
        f"  2024-06  {june.item_count:,} items = {june.item_count - (june.added or 0):,} + "
        f"{june.added or 0:,} added − {june.removed or 0:,} removed; the notice declares "
        f"+{declared.added or 0:,} = {declared.total or 0:,}; "
        f"{counted(len(june.errors), 'error')}, {counted(len(june.warnings), 'warning')}; "
        "approved by a second person",
    ]
    kept = [part for part in result.consolidated.parts if part.stored]
    apart = [part for part in result.consolidated.parts if not part.stored]
    which = ", ".join(f"part {part.number}" for part in kept)
    lines.append(
        f"  {cons.file} (the notice's PDF, {which or 'one part'}): "
        f"{cons.item_count:,} entries, {agreement}"
    )
    lines += [
        f"    part {part.number} ({part.title or 'untitled'}, {part.read:,} entries) seen and "
        f"kept apart: not part of {DEMO_LIST_SLUG}"
        for part in apart
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
    if result.real_layout is not None:
        real = result.real_layout
        verdict = "reconcile" if real.reconciles else "DO NOT reconcile"
        lines += [
            "",
            f"Real-layout sample {real.result.report.file}: {real.entries:,} entries "
            f"({' + '.join(f'{p.read:,}' for p in real.result.parts)}), {real.sub_items:,} "
            f"sub-items nested up to depth {real.depth}, {real.control_numbers:,} control "
            f"numbers (column and texts); the notice's counts {verdict}",
        ]
    lines += ["", "Files:"]
    width = max(len(name) for name in result.files) if result.files else 0
    for name, path in result.files.items():
        lines.append(f"  {name:<{width}}  {path}")
    lines += [
        f"  {'database':<{width}}  {result.database}",
        "",
        f"Done in {result.seconds:.1f} s. Explore the database with:",
        f"  exportctl --db {result.database} versions --list {DEMO_LIST_SLUG}",
    ]
    return lines
