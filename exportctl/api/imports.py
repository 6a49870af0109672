"""Importing and validating a list file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.api.database import _sha256_file
from exportctl.api.import_options import ImportOptions, ImportResult
from exportctl.api.import_reading import (
    edition_of,
    open_list,
    read_clean,
    read_notice,
    resolve_profile,
)
from exportctl.bulk import paused_gc
from exportctl.config import current_actor
from exportctl.errors import DuplicateSourceError, InputError, ListNotFoundError, RefusedError
from exportctl.i18n import _, ngettext
from exportctl.models import Finding, ItemRecord, ValidationReport, Version

if TYPE_CHECKING:
    from sqlmodel import Session

    from exportctl.parts import AnnexReport, PartReport
    from exportctl.profiles import Profile
    from exportctl.readers import Table
    from exportctl.readers.guard import Checked
    from exportctl.reconcile import Previous as GuardBase


def _check_additions(options: ImportOptions) -> None:
    """Refuse options that cannot work, before any file is read."""
    from exportctl.values import check_count, check_encoding, check_text

    if options.additions and not options.base:
        raise InputError(_("--additions needs --base LABEL: the version the rows are added to"))
    check_text(options.slug, "--list")
    check_text(options.label, "--version")
    texts = {
        "--list-name": (options.list_name, 200),
        "--sheet": (options.sheet, 100),
        "--base": (options.base, 100),
        "--section": (options.section, 200),
        "--notice": (options.notice, 100),
    }
    for what, (value, longest) in texts.items():
        if value is not None:
            check_text(value, what, max_length=longest)
    if options.encoding is not None:
        check_encoding(options.encoding)
    declared = [("", options.declared)]
    declared += [(f"{part}=", counts) for part, counts in options.declared_parts.items()]
    for prefix, counts in declared:
        for name in ("total", "added", "removed"):
            value = getattr(counts, name)
            if value is not None:
                check_count(value, f"--declared-{name} {prefix}".rstrip())


def _validate(
    table: Table,
    options: ImportOptions,
    base: Version | None,
    base_items: list[ItemRecord] | None,
    sink: Callable[[ItemRecord], None] | None = None,
    previous: _Prior | None = None,
    base_sections: Mapping[int, str] | None = None,
    profile: Profile | None = None,
) -> AnnexReport:
    from exportctl.parts import validate_annex
    from exportctl.validate import columns_lost, profile_findings

    found: list[Finding] = []
    checked = sink
    if profile is not None and sink is not None:
        given = sink

        def checked(item: ItemRecord) -> None:
            found.extend(profile_findings(table, profile, item))
            given(item)

    annex = validate_annex(
        table,
        declared=options.declared,
        base_items=base_items,
        base_label=options.base,
        additions=options.additions,
        sink=checked,
        previous=previous.guard() if previous else None,
        section=options.section,
        declared_parts=options.declared_parts,
        base_sections=base_sections,
        counting=profile.counting if profile is not None else "entries",
    )
    report = annex.report
    if profile is not None and sink is None:
        for item in report.items:
            found.extend(profile_findings(table, profile, item))
    report.findings.extend(found)
    compared = base if base is not None else (previous.version if previous else None)
    if compared is not None:
        report.findings.extend(columns_lost(table, compared.label, compared.columns()))
        if not options.section and not options.additions and len(annex.parts) > 1:
            _advise_section(report, annex.parts, compared.label)
    return annex


_GUARD_RULES = frozenset({"looks-like-additions", "removes-most-of-base"})
"""The guard's refusals of a file of additions read as a complete list (validate.py)."""


def _advise_section(report: ValidationReport, parts: list[PartReport], base: str) -> None:
    """Rewrite the guard's advice for a file of several parts: ``--additions`` alone
    adds to one part and is refused for several (issue 21), so name ``--section``."""
    import re

    listed = ", ".join(
        (_('part {number} "{title}"') if p.title else _("part {number}")).format(
            number=p.number, title=p.title
        )
        + " ("
        + ngettext("{n:,} entry", "{n:,} entries", p.read).format(n=p.read)
        + ")"
        for p in parts
    )
    commands = _(" or ").join(f"--section {p.number} --additions" for p in parts)
    for finding in report.findings:
        if finding.severity != "error" or finding.rule not in _GUARD_RULES:
            continue
        # The guard names the removals to confirm; the option and its number are never translated.
        found = re.search(r"--declared-removed (\d+)", finding.message)
        finding.message = _(
            "the file has {count} parts ({parts}) and, read as a complete list, it would "
            'remove most of "{base}". If one part holds only the additions, import that part '
            "alone: {commands}; if the notice really removes those items, confirm with "
            "--declared-removed {removed}"
        ).format(
            count=len(parts),
            parts=listed,
            base=base,
            commands=commands,
            removed=found.group(1) if found else "N",
        )


def _titles(session: Session, version: Version) -> dict[int, str]:
    """A stored version's parts, number -> title."""
    return {part.number: part.title for part in store.sections_of(session, version)}


@dataclass(frozen=True)
class _Prior:
    """The version in force before a new one, when no ``--base`` names one."""

    version: Version
    items: list[ItemRecord]
    sections: dict[int, str] = field(default_factory=dict)

    def guard(self) -> GuardBase:
        from exportctl.reconcile import Previous as GuardBase

        return GuardBase(self.version.label, self.items, sections=self.sections)


def _previous(session: Session, options: ImportOptions) -> _Prior | None:
    """The version a new one follows when ``--base`` is not given, for the guards.

    That is the last version that is not withdrawn, by effective date, among
    those effective on or before the new one's date (all of them when either
    is undated).
    """
    if options.base:
        return None
    try:
        control_list = store.get_list(session, options.slug)
    except ListNotFoundError:
        return None
    candidates = [
        v
        for v in store.versions_of(session, control_list)
        if v.status != "withdrawn"
        and (options.effective is None or v.effective is None or v.effective <= options.effective)
    ]
    if not candidates:
        return None
    version = candidates[-1]
    return _Prior(version, store.load_items(session, version), _titles(session, version))


@paused_gc()
def validate_workbook(
    path: Path,
    options: ImportOptions,
    *,
    engine: Engine | None = None,
    progress: Callable[[int], None] | None = None,
    sha256: str | None = None,
) -> ImportResult:
    """Read and validate a workbook without writing anything.

    A database is needed only to read the base version (``options.base``).
    ``sha256`` is the file's hash when the caller has already taken it.
    """
    return _validate_only(path, options, engine, progress, sha256)


def _validate_only(
    path: Path,
    options: ImportOptions,
    engine: Engine | None,
    progress: Callable[[int], None] | None,
    sha256: str | None,
    checked: Checked | None = None,
) -> ImportResult:
    """:func:`validate_workbook`; ``checked`` is the file as the caller has just checked it."""
    _check_additions(options)
    base: Version | None = None
    base_items: list[ItemRecord] | None = None
    base_sections: dict[int, str] | None = None
    previous: _Prior | None = None
    if options.base and engine is None:
        raise InputError(_("--base needs a database to read the base version from"))
    profile: Profile | None = None
    if engine is not None:
        with store.session_scope(engine) as session:
            if options.base:
                base = store.get_version(session, options.slug, options.base)
                base_items = store.load_items(session, base)
                base_sections = _titles(session, base)
            previous = _previous(session, options)
            profile = resolve_profile(session, options)
    else:
        profile = resolve_profile(None, options)
    edition = edition_of(options, profile)
    table = open_list(path, options, progress, profile, checked)
    notice, noticed = read_notice(table, options)
    annex = _validate(
        table,
        options,
        base,
        base_items,
        previous=previous,
        base_sections=base_sections,
        profile=profile,
    )
    annex.report.findings.extend(noticed)
    return ImportResult(
        report=annex.report,
        options=options,
        sha256=sha256 or _sha256_file(path),
        parts=annex.parts,
        notice=notice,
        profile=profile.name,
        hs_edition=edition,
        structure=annex.structure,
    )


@paused_gc()
def import_workbook(
    engine: Engine,
    path: Path,
    options: ImportOptions,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate a workbook and, when it has no errors, store it as a new version.

    The version, its items and the audit event are written in one transaction,
    the items as they are read: a stored import does not keep them, so
    ``result.report.items`` is empty and ``result.report.item_count`` says how
    many were stored (``store.load_items`` reads them back). With ``dry_run``
    nothing is written and the items are in ``result.report.items``.

    Without ``options.base``, the version in force before this one is still
    read, to refuse a file of additions stored as a complete list.

    Raises:
        RefusedError: The list does not exist and ``options.create_list`` is off.
        DuplicateSourceError: The same file and sheet is already a version of the list.
        VersionExistsError: The label is taken.
        InputError: The file cannot be read.
    """
    _check_additions(options)
    if options.approve and options.effective is None:
        raise InputError(
            _(
                "--approve needs --effective DATE: a version approved without an effective "
                "date is never chosen by date, so the one before it would stay in force"
            )
        )
    from exportctl.readers.guard import check_file

    # The file is checked as every input is before a byte of it is hashed: a FIFO,
    # a device, a bomb or a file over a cap is refused without reading it whole. The
    # reader takes what the checks found rather than checking the file again.
    checked = check_file(path, options.limits)
    sha = _sha256_file(path)
    with store.session_scope(engine) as session:
        # Refuse a re-import before reading a large file.
        try:
            control_list = store.get_list(session, options.slug)
        except ListNotFoundError as exc:
            if not options.create_list:
                raise RefusedError(
                    _("{reason}; or add --create-list to this import").format(reason=exc)
                ) from exc
            control_list = None
        if control_list is not None and control_list.id is not None and options.sheet:
            previous = store.find_source(session, control_list.id, sha, options.sheet)
            if previous is not None:
                raise DuplicateSourceError(
                    _(
                        '{file}, sheet "{sheet}" was already imported into list "{slug}" as '
                        'version "{label}"'
                    ).format(
                        file=path.name, sheet=options.sheet, slug=options.slug, label=previous.label
                    )
                )
    if dry_run:
        return _validate_only(path, options, engine, progress, sha, checked)
    try:
        return _validate_and_store(engine, path, options, sha, progress, checked)
    except _NotStoredError as not_stored:
        return not_stored.result


class _NotStoredError(Exception):
    """The file has errors: roll the import's transaction back and report them."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("validation errors")
        self.result = result


def _validate_and_store(
    engine: Engine,
    path: Path,
    options: ImportOptions,
    sha: str,
    progress: Callable[[int], None] | None,
    checked: Checked,
) -> ImportResult:
    """Validate and store in one pass: each item goes to the database as it is built.

    The version row is written first (so a taken label or source is refused
    before any row is read), then the items a chunk at a time, then the count
    and the audit event. Any error, or a file with validation errors, rolls the
    whole transaction back, so nothing of it remains.
    """
    with store.session_scope(engine) as session:
        base = store.get_version(session, options.slug, options.base) if options.base else None
        if base is not None:
            # Its entries are carried into the new version, which the chain then vouches for.
            store.check_vouched(session, [base])
        base_items = store.load_items(session, base) if base is not None else None
        base_sections = _titles(session, base) if base is not None else None
        previous = _previous(session, options)
        profile = resolve_profile(session, options)
        edition = edition_of(options, profile)
        clean = read_clean(path, options, profile, progress, checked) if previous is None else None
        table = (
            clean.table
            if clean is not None
            else open_list(path, options, progress, profile, checked)
        )
        notice, noticed = read_notice(table, options)
        noticed += store.notice_warnings(session, options.slug, notice.number, path.name)
        new = store.NewVersion(
            slug=options.slug,
            label=options.label,
            source_file=path.name,
            source_sha256=sha,
            source_sheet=table.sheet or "",
            actor=options.actor or current_actor(),
            effective=options.effective,
            base=base,
            additions_only=options.additions,
            declared_total=options.declared.total,
            declared_added=options.declared.added,
            declared_removed=options.declared.removed,
            list_name=options.list_name,
            create_list=options.create_list,
            approve=options.approve,
            source_columns=dict(table.columns),
            published=notice.date,
            notice_number=notice.number,
            notice_authority=notice.authority,
            amendment=notice.amendment,
            hs_edition=edition,
            profile=profile.name if options.profile is not None else None,
        )
        version = store.begin_version(session, new)
        assert version.id is not None
        writer = store.ItemWriter(session, version.id)
        if clean is not None:
            annex = clean.validate(options.declared, options.declared_parts, profile.counting)
        else:
            annex = _validate(
                table,
                options,
                base,
                base_items,
                sink=writer.add,
                previous=previous,
                base_sections=base_sections,
                profile=profile,
            )
        report = annex.report
        report.findings.extend(noticed)
        result = ImportResult(
            report=report,
            options=options,
            sha256=sha,
            parts=annex.parts,
            notice=notice,
            profile=profile.name,
            hs_edition=edition,
            structure=annex.structure,
        )
        if not result.ok:
            raise _NotStoredError(result)
        if clean is not None:
            store.insert_item_rows(session, clean.rows(), clean.names(), clean.fixed(version.id))
        writer.flush()
        from exportctl.reconcile import declared_warnings

        new.declared_warnings = declared_warnings(report)
        stored = annex.stored
        new.sections = [
            store.NewSection(
                part.number,
                part.title,
                part.declared.total,
                part.declared.added,
                part.declared.removed,
            )
            for part in stored
        ]
        # With several parts the version's declared counts are their sums, when all are known.
        totals = [part.declared for part in stored]
        for name in ("total", "added", "removed"):
            values = [getattr(each, name) for each in totals]
            summed = sum(values) if values and None not in values else None
            setattr(version, f"declared_{name}", summed)
        detail: dict[str, Any] = {
            "rows_read": report.rows_read,
            "warnings": len(report.warnings),
            "added": report.added,
            "removed": report.removed,
            "base": options.base,
        }
        detail["sections"] = [part.number for part in stored]
        detail["profile"] = profile.name
        detail["hs_edition"] = edition
        store.finish_version(
            session,
            version,
            new,
            report.item_count,
            detail,
            {part.number: part.count for part in stored},
        )
        result.version = version
        result.stored = True
    return result
