"""Library verbs that mirror the commands: one function per CLI command.

Each takes an engine (or nothing, when no database is needed) and plain
arguments, and returns data; the CLI only renders it.

Example:
    >>> from exportctl import api
    >>> engine = api.open_database("sqlite:///lists.db", create=True)
    >>> result = api.import_workbook(
    ...     engine, Path("list.xlsx"),
    ...     ImportOptions(slug="kr-russia", label="2024-02", declared=Declared(total=1159)),
    ... )
    >>> result.ok, result.report.items[:1]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from exportctl import db, store
from exportctl.config import current_actor
from exportctl.errors import InputError
from exportctl.models import (
    AuditEvent,
    ControlList,
    ItemRecord,
    ValidationReport,
    Version,
)
from exportctl.readers import LIST_SCHEMA, read_table, sha256_file
from exportctl.screen import ScreenReport
from exportctl.validate import Declared, validate_table


def open_database(url: str, *, create: bool = False) -> Engine:
    """Open the database at ``url``; with ``create``, bring its schema to head first.

    Raises:
        SchemaOutOfDateError: Without ``create``, the schema is not at head.
        ConfigError: The URL cannot be used.
    """
    engine = db.create_db_engine(url)
    if create:
        db.upgrade(engine)
    db.assert_at_head(engine)
    return engine


def init_database(url: str) -> tuple[Engine, str | None, str | None]:
    """Create or upgrade the schema; returns the engine and the revisions before and after."""
    engine = db.create_db_engine(url)
    before = db.current_revision(engine)
    db.upgrade(engine)
    return engine, before, db.current_revision(engine)


@dataclass
class ImportOptions:
    """Everything ``import`` and ``validate`` take besides the file."""

    slug: str
    """List slug, created on first import."""
    label: str
    """Version label."""
    effective: dt.date | None = None
    """Date the version takes effect."""
    sheet: str | None = None
    """Sheet to read (detected when None)."""
    overrides: Mapping[str, str] = field(default_factory=dict)
    """Field → header overrides (``--column``)."""
    encoding: str | None = None
    """CSV encoding (detected when None)."""
    base: str | None = None
    """Label of the version this one revises."""
    additions: bool = False
    """The file holds only additions to ``base``."""
    declared: Declared = field(default_factory=Declared)
    """Counts the notice declares."""
    actor: str | None = None
    """Who imports (the OS user when None)."""
    list_name: str | None = None
    """Human name for a list created by this import."""


@dataclass
class ImportResult:
    """What an import or validation produced."""

    report: ValidationReport
    """Findings and the items as stored (or as they would be)."""
    options: ImportOptions
    """The options used."""
    sha256: str
    """SHA-256 of the file."""
    stored: bool = False
    """True when a version was written."""
    version: Version | None = None
    """The stored version, if any."""

    @property
    def ok(self) -> bool:
        """True when the file has no validation errors."""
        return self.report.valid

    def to_json(self) -> dict[str, Any]:
        """The ``import --json`` / ``validate --json`` object."""
        return {
            "ok": self.ok,
            "list": self.options.slug,
            "version": self.options.label,
            "count": len(self.report.items),
            "added": self.report.added,
            "removed": self.report.removed,
            "findings": [f.to_json() for f in self.report.findings],
        }


def _check_additions(options: ImportOptions) -> None:
    if options.additions and not options.base:
        raise InputError("--additions needs --base LABEL: the version the rows are added to")


def validate_workbook(
    path: Path,
    options: ImportOptions,
    *,
    engine: Engine | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read and validate a workbook without writing anything.

    A database is needed only to read the base version (``options.base``).
    """
    _check_additions(options)
    base_items: list[ItemRecord] | None = None
    if options.base:
        if engine is None:
            raise InputError("--base needs a database to read the base version from")
        with store.session_scope(engine) as session:
            base_version = store.get_version(session, options.slug, options.base)
            base_items = store.load_items(session, base_version)
    table = read_table(
        path,
        LIST_SCHEMA,
        sheet=options.sheet,
        encoding=options.encoding,
        overrides=options.overrides,
        progress=progress,
    )
    report = validate_table(
        table,
        declared=options.declared,
        base_items=base_items,
        base_label=options.base,
        additions=options.additions,
    )
    return ImportResult(report=report, options=options, sha256=sha256_file(path))


def import_workbook(
    engine: Engine,
    path: Path,
    options: ImportOptions,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate a workbook and, when it has no errors, store it as a new version.

    The version, its items and the audit event are written in one transaction.

    Raises:
        DuplicateSourceError: The same file and sheet is already a version of the list.
        VersionExistsError: The label is taken.
        InputError: The file cannot be read.
    """
    _check_additions(options)
    sha = sha256_file(path)
    with store.session_scope(engine) as session:
        # Refuse a re-import before reading a large file.
        try:
            control_list = store.get_list(session, options.slug)
        except store.ListNotFoundError:
            control_list = None
        if control_list is not None and control_list.id is not None and options.sheet:
            previous = store.find_source(session, control_list.id, sha, options.sheet)
            if previous is not None:
                raise store.DuplicateSourceError(
                    f'{path.name}, sheet "{options.sheet}" was already imported into list '
                    f'"{options.slug}" as version "{previous.label}"'
                )
    result = validate_workbook(path, options, engine=engine, progress=progress)
    if not result.ok or dry_run:
        return result
    with store.session_scope(engine) as session:
        base = store.get_version(session, options.slug, options.base) if options.base else None
        new = store.NewVersion(
            slug=options.slug,
            label=options.label,
            source_file=path.name,
            source_sha256=result.sha256,
            source_sheet=result.report.sheet or "",
            actor=options.actor or current_actor(),
            effective=options.effective,
            base=base,
            additions_only=options.additions,
            declared_total=options.declared.total,
            declared_added=options.declared.added,
            declared_removed=options.declared.removed,
            list_name=options.list_name,
        )
        detail = {
            "rows_read": result.report.rows_read,
            "warnings": len(result.report.warnings),
            "added": result.report.added,
            "removed": result.report.removed,
            "base": options.base,
        }
        result.version = store.store_version(session, new, result.report.items, detail)
        result.stored = True
    return result


def list_lists(engine: Engine) -> list[tuple[ControlList, list[Version]]]:
    """Every list with its versions."""
    with store.session_scope(engine) as session:
        return [(cl, store.versions_of(session, cl)) for cl in store.all_lists(session)]


def list_versions(engine: Engine, slug: str) -> list[Version]:
    """Versions of one list, by effective date."""
    with store.session_scope(engine) as session:
        return store.versions_of(session, store.get_list(session, slug))


def resolve_version(
    engine: Engine, slug: str, *, label: str | None = None, as_of: dt.date | None = None
) -> Version:
    """A version by label, or the one in force on ``as_of``."""
    with store.session_scope(engine) as session:
        if label is not None:
            return store.get_version(session, slug, label)
        if as_of is None:
            raise InputError("give a version label or an --as-of date")
        return store.version_as_of(session, slug, as_of)


def show_version(
    engine: Engine, slug: str, *, label: str | None = None, as_of: dt.date | None = None
) -> tuple[Version, list[ItemRecord]]:
    """A version and its items."""
    version = resolve_version(engine, slug, label=label, as_of=as_of)
    with store.session_scope(engine) as session:
        return version, store.load_items(session, version)


def audit_log(engine: Engine) -> list[AuditEvent]:
    """The audit log, oldest first."""
    with store.session_scope(engine) as session:
        return store.audit_events(session)


def verify_audit_log(engine: Engine) -> list[str]:
    """Broken links of the audit chain (empty when intact)."""
    with store.session_scope(engine) as session:
        return store.verify_audit(session)


def record_output(
    engine: Engine,
    *,
    action: str,
    path: Path | None,
    slug: str | None,
    label: str | None,
    detail: dict[str, Any],
    actor: str | None = None,
) -> None:
    """Record a written report or export in the audit log with the file's SHA-256."""
    with store.session_scope(engine) as session:
        store.record_event(
            session,
            action=action,
            actor=actor or current_actor(),
            list_slug=slug,
            version_label=label,
            file=path.name if path is not None else None,
            sha256=sha256_file(path) if path is not None else None,
            detail=detail,
        )


def screen_catalogue(
    engine: Engine,
    path: Path,
    slug: str,
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    compare: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScreenReport:
    """Screen a product catalogue against a version of a list, as a stream.

    The version is ``label``, or the one in force on ``as_of``, or (neither
    given) the one in force today. The catalogue is opened and its header
    checked before this returns; rows are read and screened only while
    ``report.results`` is consumed (see :mod:`exportctl.reports.screening`), so a
    million-row catalogue is never held in memory.

    Args:
        engine: The database.
        path: Catalogue file (.xlsx, .xls, .ods, .csv) with SKU, description and
            HS code columns.
        slug: List to screen against.
        label: Version label.
        as_of: Use the version in force on this date.
        compare: Label of an older version; every result then carries its
            ``previous_status`` and the summary counts the changes.
        sheet: Catalogue sheet (detected when None).
        encoding: CSV encoding (detected when None).
        overrides: Field -> header for catalogue columns (``--column``).
        progress: Called with the number of rows read so far.

    Returns:
        The report; iterate ``report.results`` once, then read ``report.summary``.

    Raises:
        InputError: Both ``label`` and ``as_of`` given, or the catalogue cannot be read.
        VersionNotFoundError: No such version, or none in force on the date.
        ListNotFoundError: No such list.

    Example:
        >>> report = screen_catalogue(engine, Path("catalogue.xlsx"), "kr-russia",
        ...                           as_of=dt.date(2024, 7, 1), compare="2024-02")
        >>> for result in report.results:
        ...     if result.change == "newly controlled":
        ...         print(result.row, result.sku, result.reason)
    """
    from exportctl.readers import CATALOGUE_SCHEMA
    from exportctl.screen import ScreenIndex, ScreenSummary, screen_rows

    if label is not None and as_of is not None:
        raise InputError("give a version label or an --as-of date, not both")
    with store.session_scope(engine) as session:
        if label is not None:
            version = store.get_version(session, slug, label)
        else:
            version = store.version_as_of(session, slug, as_of or dt.date.today())
        effective = version.effective.isoformat() if version.effective else None
        index = ScreenIndex.build(
            store.load_items(session, version), slug=slug, label=version.label, effective=effective
        )
        previous: ScreenIndex | None = None
        if compare is not None:
            old = store.get_version(session, slug, compare)
            previous = ScreenIndex.build(store.load_items(session, old), slug=slug, label=old.label)
    table = read_table(
        path,
        CATALOGUE_SCHEMA,
        sheet=sheet,
        encoding=encoding,
        overrides=overrides,
        progress=progress,
    )
    summary = ScreenSummary()
    notes = [f'column "{header}" is not used' for header in table.unmapped]
    return ScreenReport(
        slug=slug,
        version=version.label,
        effective=effective,
        compare=compare,
        file=table.file,
        sheet=table.sheet,
        sha256=sha256_file(path),
        columns=dict(table.columns),
        results=screen_rows(table.rows, index, previous=previous, summary=summary),
        summary=summary,
        notes=notes + list(table.notes),
    )
