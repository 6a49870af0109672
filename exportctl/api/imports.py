"""Importing and validating a list file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.api.database import _sha256_file
from exportctl.bulk import paused_gc
from exportctl.config import current_actor
from exportctl.errors import DuplicateSourceError, InputError, ListNotFoundError
from exportctl.models import ItemRecord, ValidationReport, Version

if TYPE_CHECKING:
    from exportctl.readers import Table
    from exportctl.validate import Declared


def _no_declared() -> Declared:
    from exportctl.validate import Declared

    return Declared()


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
    declared: Declared = field(default_factory=_no_declared)
    """Counts the notice declares."""
    actor: str | None = None
    """Who imports (the OS user when None)."""
    list_name: str | None = None
    """Human name for a list created by this import."""


@dataclass
class ImportResult:
    """What an import or validation produced."""

    report: ValidationReport
    """Findings, and the items as they would be stored (not kept once stored)."""
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
            "count": self.report.item_count,
            "added": self.report.added,
            "removed": self.report.removed,
            "findings": [f.to_json() for f in self.report.findings],
        }


def _check_additions(options: ImportOptions) -> None:
    if options.additions and not options.base:
        raise InputError("--additions needs --base LABEL: the version the rows are added to")


def _open_list(path: Path, options: ImportOptions, progress: Callable[[int], None] | None) -> Table:
    from exportctl.readers import LIST_SCHEMA, read_table

    return read_table(
        path,
        LIST_SCHEMA,
        sheet=options.sheet,
        encoding=options.encoding,
        overrides=options.overrides,
        progress=progress,
    )


def _validate(
    table: Table,
    options: ImportOptions,
    base_items: list[ItemRecord] | None,
    sink: Callable[[ItemRecord], None] | None = None,
) -> ValidationReport:
    from exportctl.validate import validate_table

    return validate_table(
        table,
        declared=options.declared,
        base_items=base_items,
        base_label=options.base,
        additions=options.additions,
        sink=sink,
    )


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
    _check_additions(options)
    base_items: list[ItemRecord] | None = None
    if options.base:
        if engine is None:
            raise InputError("--base needs a database to read the base version from")
        with store.session_scope(engine) as session:
            base_version = store.get_version(session, options.slug, options.base)
            base_items = store.load_items(session, base_version)
    table = _open_list(path, options, progress)
    report = _validate(table, options, base_items)
    return ImportResult(report=report, options=options, sha256=sha256 or _sha256_file(path))


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

    Raises:
        DuplicateSourceError: The same file and sheet is already a version of the list.
        VersionExistsError: The label is taken.
        InputError: The file cannot be read.
    """
    _check_additions(options)
    sha = _sha256_file(path)
    with store.session_scope(engine) as session:
        # Refuse a re-import before reading a large file.
        try:
            control_list = store.get_list(session, options.slug)
        except ListNotFoundError:
            control_list = None
        if control_list is not None and control_list.id is not None and options.sheet:
            previous = store.find_source(session, control_list.id, sha, options.sheet)
            if previous is not None:
                raise DuplicateSourceError(
                    f'{path.name}, sheet "{options.sheet}" was already imported into list '
                    f'"{options.slug}" as version "{previous.label}"'
                )
    if dry_run:
        return validate_workbook(path, options, engine=engine, progress=progress, sha256=sha)
    try:
        return _validate_and_store(engine, path, options, sha, progress)
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
) -> ImportResult:
    """Validate and store in one pass: each item goes to the database as it is built.

    The version row is written first (so a taken label or source is refused
    before any row is read), then the items a chunk at a time, then the count
    and the audit event. Any error, or a file with validation errors, rolls the
    whole transaction back, so nothing of it remains.
    """
    with store.session_scope(engine) as session:
        base = store.get_version(session, options.slug, options.base) if options.base else None
        base_items = store.load_items(session, base) if base is not None else None
        table = _open_list(path, options, progress)
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
        )
        version = store.begin_version(session, new)
        assert version.id is not None
        writer = store.ItemWriter(session, version.id)
        report = _validate(table, options, base_items, sink=writer.add)
        result = ImportResult(report=report, options=options, sha256=sha)
        if not result.ok:
            raise _NotStoredError(result)
        writer.flush()
        detail = {
            "rows_read": report.rows_read,
            "warnings": len(report.warnings),
            "added": report.added,
            "removed": report.removed,
            "base": options.base,
        }
        store.finish_version(session, version, new, report.item_count, detail)
        result.version = version
        result.stored = True
    return result
