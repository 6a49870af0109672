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
    State,
    _parse_date,
    cli,
    list_option,
    progress_reporter,
)
from exportctl.cli.echo import F, echo_json, echo_warning, errors_and_warnings, json_option
from exportctl.cli.outputs import encoding_option
from exportctl.errors import location
from exportctl.i18n import _, ngettext
from exportctl.values import MAX_COUNT

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from exportctl.api import ImportOptions, ImportResult
    from exportctl.models import Finding
    from exportctl.structure import Structure


Counts = tuple[int | None, dict[int, int]]
"""A declared-count option read: the plain count, and the counts by part number."""


MAX_PARTS = 1_000
"""The highest annex part number accepted."""


def _parse_declared(
    _ctx: click.Context | None, param: click.Parameter | None, values: tuple[str, ...]
) -> Counts:
    """``--declared-total 1402`` or ``--declared-total 2=1402`` (repeatable, one per part)."""
    hint = "--" + (param.name if param is not None and param.name else "declared").replace("_", "-")
    plain: int | None = None
    by_part: dict[int, int] = {}
    for value in values:
        part_text, sep, count_text = value.strip().rpartition("=")
        try:
            count = int(count_text.replace(",", ""))
            part = int(part_text) if sep else None
        except ValueError:
            raise click.BadParameter(
                _('"{value}" is neither a count (1402) nor a part and its count (2=1402)').format(
                    value=value
                ),
                param_hint=hint,
            ) from None
        if count < 0 or (part is not None and part < 1):
            raise click.BadParameter(
                _('"{value}": counts and parts are positive').format(value=value), param_hint=hint
            )
        if count > MAX_COUNT or (part is not None and part > MAX_PARTS):
            raise click.BadParameter(
                _('"{value}": a count is at most {count:,} and a part at most {parts}').format(
                    value=value, count=MAX_COUNT, parts=MAX_PARTS
                ),
                param_hint=hint,
            )
        if part is None:
            if plain is not None:
                raise click.BadParameter(
                    _("a plain count is given twice; give one per part as PART=N"),
                    param_hint=hint,
                )
            plain = count
        elif part in by_part:
            raise click.BadParameter(
                _("part {part} is given twice").format(part=part), param_hint=hint
            )
        else:
            by_part[part] = count
    return plain, by_part


def _parse_notice(
    _ctx: click.Context | None, _param: click.Parameter | None, value: str | None
) -> str | None:
    """``--notice``: a notice number, normalised to ``제2024-123호``."""
    if value is None:
        return None
    from exportctl.annex import parse_notice_number

    try:
        return parse_notice_number(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--notice") from None


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
            "--table",
            type=click.IntRange(min=1, max=MAX_PARTS),
            metavar="N",
            help="Table of a PDF or HWPX document to read (detected when omitted).",
        ),
        click.option(
            "--profile",
            metavar="NAME",
            help="Regime profile to read the file with (default: the list's own); "
            "with --create-list, the new list's profile.",
        ),
        click.option(
            "--hs-edition",
            metavar="EDITION",
            help="HS edition of the file's codes, e.g. HS2022 (default: the profile's).",
        ),
        click.option(
            "--column",
            "columns",
            multiple=True,
            metavar="FIELD=HEADER",
            help='Map a header to a field, e.g. code="HS CODE(6단위)".',
        ),
        encoding_option,
        click.option(
            "--base", metavar="LABEL", help="Version this one revises (for added/removed counts)."
        ),
        click.option(
            "--additions", is_flag=True, help="The file holds only the additions to --base."
        ),
        click.option(
            "--section",
            metavar="TEXT",
            help="Keep only this part of the annex, by its number (2) or a word of its title "
            "(러시아); the other parts are read, counted and left out.",
        ),
        click.option(
            "--declared-total",
            multiple=True,
            metavar="N|PART=N",
            callback=_parse_declared,
            help="Entry count the notice declares; per part as 2=1402 when several are stored.",
        ),
        click.option(
            "--declared-added",
            multiple=True,
            metavar="N|PART=N",
            callback=_parse_declared,
            help="Additions the notice declares; per part as 2=243.",
        ),
        click.option(
            "--declared-removed",
            multiple=True,
            metavar="N|PART=N",
            callback=_parse_declared,
            help="Removals the notice declares; per part as 2=0.",
        ),
        click.option(
            "--notice",
            metavar="NUMBER",
            callback=_parse_notice,
            help="Notice number, e.g. 제2024-123호 or 2024-123 (read from the title lines "
            "when omitted; a different number there is warned about).",
        ),
        click.option(
            "--notice-date",
            metavar="DATE",
            callback=_parse_date,
            help="Date of the notice (read from the title lines when omitted).",
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
    import os

    from exportctl.api import ImportOptions
    from exportctl.config import default_data_dir
    from exportctl.profiles import profile_folder
    from exportctl.readers import LIST_SCHEMA, parse_overrides
    from exportctl.validate import Declared

    label = params.get("label")
    if label_required and not label:
        raise click.UsageError(_("Missing option '--version LABEL'."))
    empty: Counts = (None, {})
    total, totals = params.get("declared_total") or empty
    added, addeds = params.get("declared_added") or empty
    removed, removeds = params.get("declared_removed") or empty
    by_part = {
        part: Declared(totals.get(part), addeds.get(part), removeds.get(part))
        for part in sorted({*totals, *addeds, *removeds})
    }
    return ImportOptions(
        slug=state.slug(params.get("slug")),
        label=label or "(unnamed)",
        effective=params.get("effective"),
        sheet=params.get("sheet"),
        table=params.get("table"),
        overrides=parse_overrides(params.get("columns") or (), LIST_SCHEMA),
        encoding=params.get("encoding"),
        base=params.get("base"),
        additions=bool(params.get("additions")),
        declared=Declared(total=total, added=added, removed=removed),
        declared_parts=by_part,
        section=params.get("section"),
        notice=params.get("notice"),
        notice_date=params.get("notice_date"),
        actor=state.actor,
        list_name=params.get("list_name"),
        create_list=bool(params.get("create_list")),
        approve=bool(params.get("approve")),
        profile=params.get("profile"),
        profile_folders=(profile_folder(os.environ, default_data_dir()),),
        hs_edition=params.get("hs_edition"),
        limits=state.limits,
    )


def _render_finding(finding: Finding) -> str:
    where = location(finding.file, finding.sheet, finding.row, finding.column, place=finding.place)
    return "  " + _severity(finding.severity).format(message=f"{where}: {finding.message}")


def _severity(severity: str) -> str:
    """The prefix of a finding of ``severity`` (``error``, ``warning``) as a template."""
    if severity == "error":
        return _("error: {message}")
    if severity == "warning":
        return _("warning: {message}")
    return severity + ": {message}"


def _part_name(number: int, title: str) -> str:
    """``part 2 "러시아·벨라루스 상황허가 대상 품목"``, or ``part 1`` without a title."""
    if title:
        return _('part {number} "{title}"').format(number=number, title=title)
    return _("part {number}").format(number=number)


def _entries(count: int) -> str:
    return ngettext("{n:,} entry", "{n:,} entries", count).format(n=count)


def _what(result: ImportResult) -> str:
    """``1,402 items``, or with parts ``1,402 entries of part 2 "러시아·…"``."""
    count = result.report.item_count
    stored = [part for part in result.parts if part.stored]
    if len(stored) > 1:
        listed = ", ".join(f"{part.number} ({part.count:,})" for part in stored)
        return _("{count:,} entries in {parts} parts ({listed})").format(
            count=count, parts=len(stored), listed=listed
        )
    if stored and (stored[0].title or len(result.parts) > 1):
        part = stored[0]
        return _("{entries} of {part}").format(
            entries=_entries(count), part=_part_name(part.number, part.title)
        )
    return ngettext("{n:,} item", "{n:,} items", count).format(n=count)


def _notice_text(result: ImportResult) -> str:
    """``; notice 제2024-123호 of 2024-06-28``, or nothing when the notice is unknown."""
    notice = result.notice
    if notice is None or (notice.number is None and notice.date is None):
        return ""
    from exportctl.models import notice_text

    return f"; {notice_text(notice.number, notice.date)}"  # the notice's words: models.py


def _list_exists(engine: Engine, options: ImportOptions) -> bool:
    from exportctl.api import list_lists

    return any(entry.slug == options.slug for entry, _versions in list_lists(engine))


def _kind_count(kind: str, n: int) -> str:
    """``1,424 entries``, ``31 sub-items``: how many rows were read as ``kind``."""
    if kind == "entry":
        return _entries(n)
    if kind == "sub_item":
        return ngettext("{n:,} sub-item", "{n:,} sub-items", n).format(n=n)
    if kind == "continuation":
        return ngettext("{n:,} continuation", "{n:,} continuations", n).format(n=n)
    if kind == "title":
        return ngettext("{n:,} part title", "{n:,} part titles", n).format(n=n)
    if kind == "repeated_header":
        return ngettext("{n:,} repeated header", "{n:,} repeated headers", n).format(n=n)
    if kind == "footnote":
        return ngettext("{n:,} footnote", "{n:,} footnotes", n).format(n=n)
    if kind == "blank":
        return ngettext("{n:,} blank", "{n:,} blank", n).format(n=n)
    if kind == "left_out":
        return _("{n:,} left out (see the warnings)").format(n=n)
    return f"{n:,} {kind}"


def _render_structure(state: State, structure: Structure) -> None:
    """How the file was understood: each header column's field, then each row's kind."""
    first, last = structure.header_rows
    if first == last:
        rows = _("row {first}").format(first=first)
    else:
        rows = _("rows {first}-{last}").format(first=first, last=last)
    state.info(_("Header ({rows}):").format(rows=rows))
    for use in structure.columns:
        # Field names (code, description) are the schema's names, as --columns takes them.
        state.info(f'  {use.column} "{use.header}" -> {use.field or _("not used")}')
    kinds = ", ".join(
        _kind_count(kind, count)
        for kind, count in structure.rows.items()
        if count or kind == "entry"
    )
    state.info(_("Rows read: {count:,} ({kinds})").format(count=structure.read, kinds=kinds))
    for part in structure.parts:
        subs = ""
        if part.sub_items:
            subs = ", " + ngettext(
                "{n:,} sub-item under {entries}", "{n:,} sub-items under {entries}", part.sub_items
            ).format(n=part.sub_items, entries=_entries(part.with_sub_items))
        state.info(f"  {_part_name(part.number, part.title)}: {_entries(part.entries)}{subs}")


def _render_result(state: State, result: ImportResult, *, structure: bool = False) -> None:
    report = result.report
    opts = result.options
    sheet = f", {location(None, report.sheet)}" if report.sheet else ""
    what = _what(result)
    changes = ""
    if report.added is not None:
        changes = " " + _("({added:,} added, {removed:,} removed against {base})").format(
            added=report.added, removed=report.removed, base=opts.base
        )
    if result.stored:
        state.info(
            _("Imported {slug} {label}: {what}{changes} from {file}, SHA-256 {digest}…").format(
                slug=opts.slug,
                label=opts.label,
                what=what,
                changes=changes,
                file=f"{report.file}{sheet}",
                digest=result.sha256[:16],
            )
            + _notice_text(result)
        )
        version = result.version
        if version is not None and version.status == "approved":
            state.info(
                _("Approved on import by {actor} (one-person sign-off).").format(
                    actor=version.approved_by
                )
            )
        else:
            state.info(
                _(
                    "Stored as a draft: by date it is not in force until a second person "
                    "approves it (exportctl approve {label} --list {slug})."
                ).format(label=opts.label, slug=opts.slug)
            )
    elif result.ok:
        state.info(
            _("{file}: valid, {what}{changes}").format(
                file=f"{report.file}{sheet}", what=what, changes=changes
            )
            + f"{_notice_text(result)}."
        )
    else:
        click.echo(
            ngettext(
                "{file}: {n:,} error, nothing was written.",
                "{file}: {n:,} errors, nothing was written.",
                len(report.errors),
            ).format(file=f"{report.file}{sheet}", n=len(report.errors))
        )
    if structure and result.structure is not None:
        _render_structure(state, result.structure)
    findings = report.findings
    if findings:
        click.echo(errors_and_warnings(len(report.errors), len(report.warnings)) + ":")
        if len(findings) > MAX_FINDINGS_SHOWN:
            by_rule = Counter(f"{f.severity} {f.rule}" for f in findings)
            click.echo("  " + ", ".join(f"{n:,} {rule}" for rule, n in by_rule.most_common()))
        for finding in findings[:MAX_FINDINGS_SHOWN]:
            click.echo(_render_finding(finding))
        if len(findings) > MAX_FINDINGS_SHOWN:
            click.echo(
                "  "
                + _("… and {n:,} more (see --json)").format(n=len(findings) - MAX_FINDINGS_SHOWN)
            )


@cli.command(name="import")
@functools.partial(import_options, with_store=True)
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.pass_obj
def import_cmd(state: State, /, file: Path, as_json: bool, dry_run: bool, **params: Any) -> None:
    """Import a list (xlsx, xls, ods, csv, or the notice's PDF or HWPX) as a new draft version.

    A file `exportctl export` wrote (XLSX, CSV or JSON) is read back as the
    version it came from. The file is validated first; a file with errors is not
    stored (exit 1). The version, its items and the audit event are written together or not at all.
    The list must exist (`exportctl lists create`, or --create-list). Guards
    refuse (exit 1) a file that looks like additions stored as a complete list
    (serials continuing the previous version, or more than half of it removed:
    give --additions, or confirm with --declared-removed N), several sheets that
    hold a list (give --sheet) and a product catalogue (use `screen`). The new
    version is a draft until approved (`exportctl approve`), or --approve records
    a one-person sign-off.

    An annex of several parts (title rows such as "2. 러시아·벨라루스 상황허가 대상
    품목") stores every part with its own numbering, or only the one --section
    names; declared counts then go per part (--declared-total 2=1402). The notice
    number and date are read from the lines above the header (--notice and
    --notice-date override them).

    \b
    Example:
        exportctl lists create kr-russia --name "러시아·벨라루스 상황허가 대상 품목"
        exportctl import 러시아_상황허가_2024-02.xlsx --list kr-russia \\
            --version 2024-02 --effective 2024-02-24 --declared-total 1159
        exportctl import additions-2024-06.xlsx --list kr-russia --version 2024-06 \\
            --effective "2024. 8. 28." --base 2024-02 --additions \\
            --declared-added 243 --declared-total 1402
        exportctl import 별표2의2_통합.xlsx --list kr-russia --version 2024-06 \\
            --section 러시아 --base 2024-02 --declared-added 243 --declared-total 1402
    """
    from exportctl.api import import_workbook

    options = _build_options(state, params, label_required=True)
    engine = state.engine()
    unnamed = options.create_list and not options.list_name and not _list_exists(engine, options)
    with progress_reporter(_("Reading {file}").format(file=file.name)) as progress:
        result = import_workbook(engine, file, options, dry_run=dry_run, progress=progress)
    if unnamed and result.ok and not dry_run:
        echo_warning(
            _(
                "list {slug} was created without a display name, so reports title it "
                '"{slug}"; give it one: exportctl lists rename {slug} --name "…"'
            ).format(slug=options.slug)
        )
    if as_json:
        echo_json(result.to_json())
    else:
        _render_result(state, result, structure=dry_run)
        if dry_run and result.ok:
            state.info(_("Dry run: nothing was written."))
    if not result.ok:
        sys.exit(1)


@cli.command()
@import_options
@click.pass_obj
def validate(state: State, /, file: Path, as_json: bool, **params: Any) -> None:
    """Validate a list file (workbook, CSV, PDF or HWPX) without writing anything.

    Checks every code, duplicates, serial numbers and the declared counts.
    Exit 1 when the file has errors.

    \b
    Example:
        exportctl validate list-2024-02.xlsx --list kr-russia --declared-total 1159
    """
    from exportctl.api import validate_workbook

    options = _build_options(state, params, label_required=False)
    engine = state.engine() if options.base else None
    with progress_reporter(_("Reading {file}").format(file=file.name)) as progress:
        result = validate_workbook(file, options, engine=engine, progress=progress)
    if as_json:
        echo_json(result.to_json())
    else:
        _render_result(state, result, structure=True)
    if not result.ok:
        sys.exit(1)
