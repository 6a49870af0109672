"""``import`` and ``validate``: read a list file, check it, store it."""

from __future__ import annotations

import functools
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import (
    MAX_FINDINGS_SHOWN,
    F,
    State,
    _parse_date,
    cli,
    counted,
    echo_json,
    json_option,
    list_option,
    progress_reporter,
)
from exportctl.errors import location

if TYPE_CHECKING:
    from exportctl.api import ImportOptions, ImportResult
    from exportctl.models import Finding


def import_options(f: F, *, with_store: bool = False) -> F:
    """The options ``import`` and ``validate`` share (``with_store``: those of ``import``)."""
    decorators = [
        click.argument("file", type=click.Path(path_type=Path, dir_okay=False)),
        list_option,
        click.option("--version", "label", metavar="LABEL", help="Version label, e.g. 2024-06."),
        click.option(
            "--effective",
            metavar="DATE",
            callback=_parse_date,
            help="Date the version takes effect.",
        ),
        click.option(
            "--sheet",
            metavar="NAME",
            help="Sheet to read (detected; needed when several sheets hold a list).",
        ),
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
    if with_store:
        decorators[2:2] = [
            click.option(
                "--create-list",
                is_flag=True,
                help="Create the list if it does not exist (lists are never created by a typo).",
            ),
            click.option(
                "--list-name", metavar="TEXT", help="Display name of a list made by --create-list."
            ),
            click.option(
                "--approve",
                is_flag=True,
                help="Store the version approved, recorded as a one-person sign-off.",
            ),
        ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def _build_options(state: State, params: dict[str, Any], *, label_required: bool) -> ImportOptions:
    from exportctl.api import ImportOptions
    from exportctl.readers import LIST_SCHEMA, parse_overrides
    from exportctl.validate import Declared

    label = params.get("label")
    if label_required and not label:
        raise click.UsageError("Missing option '--version LABEL'.")
    return ImportOptions(
        slug=state.slug(params.get("slug")),
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
        actor=state.actor,
        list_name=params.get("list_name"),
        create_list=bool(params.get("create_list")),
        approve=bool(params.get("approve")),
    )


def _render_finding(finding: Finding) -> str:
    where = location(finding.file, finding.sheet, finding.row, finding.column)
    return f"  {finding.severity}: {where}: {finding.message}"


def _render_result(state: State, result: ImportResult, *, verb: str) -> None:
    report = result.report
    opts = result.options
    sheet = f', sheet "{report.sheet}"' if report.sheet else ""
    count = report.item_count
    changes = ""
    if report.added is not None:
        changes = f" ({report.added:,} added, {report.removed:,} removed against {opts.base})"
    if result.stored:
        state.info(
            f"{verb} {opts.slug} {opts.label}: {count:,} items{changes} from "
            f"{report.file}{sheet}, SHA-256 {result.sha256[:16]}…"
        )
        version = result.version
        if version is not None and version.status == "approved":
            state.info(f"Approved on import by {version.approved_by} (one-person sign-off).")
        else:
            state.info(
                f"Stored as a draft: by date it is not in force until a second person "
                f"approves it (exportctl approve {opts.label} --list {opts.slug})."
            )
    elif result.ok:
        state.info(f"{report.file}{sheet}: valid, {count:,} items{changes}.")
    else:
        click.echo(
            f"{report.file}{sheet}: {counted(len(report.errors), 'error')}, nothing was written."
        )
    findings = report.findings
    if findings:
        click.echo(
            f"{counted(len(report.errors), 'error')}, {counted(len(report.warnings), 'warning')}:"
        )
        if len(findings) > MAX_FINDINGS_SHOWN:
            by_rule = Counter(f"{f.severity} {f.rule}" for f in findings)
            click.echo("  " + ", ".join(f"{n:,} {rule}" for rule, n in by_rule.most_common()))
        for finding in findings[:MAX_FINDINGS_SHOWN]:
            click.echo(_render_finding(finding))
        if len(findings) > MAX_FINDINGS_SHOWN:
            click.echo(f"  … and {len(findings) - MAX_FINDINGS_SHOWN:,} more (see --json)")


@cli.command(name="import")
@functools.partial(import_options, with_store=True)
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.pass_obj
def import_cmd(state: State, /, file: Path, as_json: bool, dry_run: bool, **params: Any) -> None:
    """Import a list workbook (xlsx, xls, ods, csv) as a new draft version.

    The file is validated first; a file with errors is not stored (exit 1).
    The version, its items and the audit event are written together or not at all.
    The list must exist (`exportctl lists create`, or --create-list). Guards
    refuse (exit 1) a file that looks like additions stored as a complete list
    (serials continuing the previous version, or more than half of it removed:
    give --additions, or confirm with --declared-removed N), several sheets that
    hold a list (give --sheet) and a product catalogue (use `screen`). The new
    version is a draft until approved (`exportctl approve`), or --approve records
    a one-person sign-off.

    \b
    Example:
        exportctl lists create kr-russia --name "러시아·벨라루스 상황허가 대상 품목"
        exportctl import 러시아_상황허가_2024-02.xlsx --list kr-russia \\
            --version 2024-02 --effective 2024-02-24 --declared-total 1159
        exportctl import additions-2024-06.xlsx --list kr-russia --version 2024-06 \\
            --effective "2024. 8. 28." --base 2024-02 --additions \\
            --declared-added 243 --declared-total 1402
    """
    from exportctl.api import import_workbook

    options = _build_options(state, params, label_required=True)
    engine = state.engine()
    with progress_reporter(f"Reading {file.name}") as progress:
        result = import_workbook(engine, file, options, dry_run=dry_run, progress=progress)
    if as_json:
        echo_json(result.to_json())
    else:
        _render_result(state, result, verb="Imported")
        if dry_run and result.ok:
            state.info("Dry run: nothing was written.")
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

    options = _build_options(state, params, label_required=False)
    engine = state.engine() if options.base else None
    with progress_reporter(f"Reading {file.name}") as progress:
        result = validate_workbook(file, options, engine=engine, progress=progress)
    if as_json:
        echo_json(result.to_json())
    else:
        _render_result(state, result, verb="Validated")
    if not result.ok:
        sys.exit(1)
