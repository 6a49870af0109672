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
    >>> result.ok, result.report.item_count
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import db, store
from exportctl.bulk import paused_gc
from exportctl.config import current_actor
from exportctl.errors import DuplicateSourceError, InputError, ListNotFoundError
from exportctl.models import (
    AuditEvent,
    ControlList,
    ItemRecord,
    ValidationReport,
    Version,
)
from exportctl.reports import FORMATS

if TYPE_CHECKING:
    from exportctl.readers import Table
    from exportctl.screen import ScreenReport
    from exportctl.validate import Declared

# Readers, validation and screening (openpyxl, pandas...) are imported inside the
# functions that use them, so commands such as `lists` start quickly.


def _sha256_file(path: Path) -> str:
    from exportctl.readers import sha256_file

    return sha256_file(path)


def _no_declared() -> Declared:
    from exportctl.validate import Declared

    return Declared()


def open_database(url: str, *, create: bool = False) -> Engine:
    """Open the database at ``url``; with ``create``, bring its schema to head first.

    Raises:
        SchemaOutOfDateError: Without ``create``, the schema is not at head.
        ConfigError: The URL cannot be used.
    """
    engine = db.create_db_engine(url)
    try:
        if create:
            db.upgrade(engine)
        db.assert_at_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def init_database(url: str) -> tuple[Engine, str | None, str | None]:
    """Create or upgrade the schema; returns the (closed) engine and revisions before, after."""
    engine = db.create_db_engine(url)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        return engine, before, db.current_revision(engine)
    finally:
        engine.dispose()


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
            sha256=_sha256_file(path) if path is not None else None,
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
    from exportctl.readers import CATALOGUE_SCHEMA, read_table
    from exportctl.screen import ScreenIndex, ScreenReport, ScreenSummary, screen_rows

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
    # The table's own list: readers add notes (skipped rows...) while rows stream.
    notes = table.notes
    notes[:0] = [f'column "{header}" is not used' for header in table.unmapped]
    return ScreenReport(
        slug=slug,
        version=version.label,
        effective=effective,
        compare=compare,
        file=table.file,
        sheet=table.sheet,
        sha256=_sha256_file(path),
        columns=dict(table.columns),
        results=screen_rows(table.rows, index, previous=previous, summary=summary),
        summary=summary,
        notes=notes,
    )


# --------------------------------------------------------------------------- diff reports

from typing import TextIO  # noqa: E402 - kept with the code that uses them

if TYPE_CHECKING:
    from collections.abc import Sequence

    from exportctl.diff import ChangeSet, VersionInfo

REPORT_FORMATS: tuple[str, ...] = FORMATS
"""Formats :func:`write_change_report` writes."""


def _version_info(version: Version) -> VersionInfo:
    from exportctl.diff import VersionInfo

    return VersionInfo(
        label=version.label,
        effective=version.effective,
        source_file=version.source_file,
        source_sha256=version.source_sha256,
        source_sheet=version.source_sheet,
        item_count=version.item_count,
        declared_total=version.declared_total,
        declared_added=version.declared_added,
        declared_removed=version.declared_removed,
    )


def diff_versions(
    engine: Engine,
    slug: str,
    old: str,
    new: str,
    *,
    fields: Sequence[str] | None = None,
) -> ChangeSet:
    """The changes from version ``old`` to version ``new`` of list ``slug``.

    Args:
        engine: The database.
        slug: List slug.
        old: Label of the old version.
        new: Label of the new version.
        fields: Fields compared for modifications (default
            :data:`exportctl.diff.DEFAULT_FIELDS`).

    Returns:
        The change set, with the list and both versions described for reports.

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version.
        InputError: ``fields`` names a field that cannot be compared.

    Example:
        >>> changes = diff_versions(engine, "kr-russia", "2024-02", "2024-06")
        >>> summarise(changes).statements
    """
    import dataclasses

    from exportctl.diff import DEFAULT_FIELDS, check_fields, compare_stored

    chosen = check_fields(fields) if fields is not None else DEFAULT_FIELDS
    with store.session_scope(engine) as session:
        control_list = store.get_list(session, slug)
        old_version = store.get_version(session, slug, old)
        new_version = store.get_version(session, slug, new)
        changes = compare_stored(
            store.StoredItems(session, old_version),
            store.StoredItems(session, new_version),
            fields=chosen,
        )
    return dataclasses.replace(
        changes,
        list_slug=control_list.slug,
        list_name=control_list.name,
        old_version=_version_info(old_version),
        new_version=_version_info(new_version),
    )


def report_format(path: Path | None, fmt: str | None) -> str | None:
    """The report format from ``--format`` and the ``-o`` file's extension.

    Returns:
        ``csv``, ``xlsx``, ``pdf`` or ``json``; ``None`` when neither says.

    Raises:
        InputError: An unknown extension without ``--format``, or the two disagree.
    """
    if fmt is not None and fmt not in REPORT_FORMATS:
        raise InputError(f'unknown report format "{fmt}" (choose {", ".join(REPORT_FORMATS)})')
    if path is None:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    inferred = suffix if suffix in REPORT_FORMATS else None
    if fmt is None:
        if inferred is None:
            raise InputError(
                f"{path.name}: cannot tell the report format from the extension; "
                f"give --format {'|'.join(REPORT_FORMATS)}"
            )
        return inferred
    if inferred is not None and inferred != fmt:
        raise InputError(f"{path.name}: the extension says {inferred} but --format is {fmt}")
    return fmt


def write_change_report(
    engine: Engine,
    changes: ChangeSet,
    fmt: str,
    target: Path | TextIO,
    *,
    actor: str | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """Write a change report and record it in the audit log with its SHA-256.

    Args:
        engine: The database holding the audit log.
        changes: From :func:`diff_versions`.
        fmt: ``csv``, ``xlsx``, ``pdf`` or ``json``.
        target: A file path, or a text stream (``csv`` and ``json`` only), e.g.
            standard output; the hash is then taken over the UTF-8 text written.
        actor: Who writes it (the OS user when None).
        generated_at: Time printed in PDF and XLSX reports (now when None).

    Returns:
        The SHA-256 of the report.

    Raises:
        InputError: An unknown format, or a binary format asked for a stream.
    """
    import hashlib
    import io

    from exportctl.diff import summarise

    if fmt not in REPORT_FORMATS:
        raise InputError(f'unknown report format "{fmt}" (choose {", ".join(REPORT_FORMATS)})')
    summary = summarise(changes)
    if isinstance(target, Path):
        if fmt == "csv":
            from exportctl.reports.csv import write_csv

            write_csv(changes, target)
        elif fmt == "json":
            from exportctl.reports.json import write_json

            write_json(changes, target, summary=summary)
        elif fmt == "xlsx":
            from exportctl.reports.xlsx import write_xlsx

            write_xlsx(changes, target, summary=summary, generated_at=generated_at)
        else:
            from exportctl.reports.pdf import write_pdf

            write_pdf(changes, target, summary=summary, generated_at=generated_at)
        sha = _sha256_file(target)
        file_name: str | None = target.name
    else:
        if fmt not in ("csv", "json"):
            raise InputError(f"a {fmt} report needs a file: give -o FILE.{fmt}")
        buffer = io.StringIO(newline="")
        if fmt == "csv":
            from exportctl.reports.csv import write_csv

            write_csv(changes, buffer)
        else:
            from exportctl.reports.json import write_json

            write_json(changes, buffer, summary=summary)
        data = buffer.getvalue().encode("utf-8")
        # Bytes, not text, where the stream allows: the file a redirect makes is
        # then exactly what was hashed (no newline translation).
        binary = getattr(target, "buffer", None)
        if binary is not None:
            target.flush()
            binary.write(data)
            binary.flush()
        else:
            target.write(data.decode("utf-8"))
            target.flush()
        sha = hashlib.sha256(data).hexdigest()
        file_name = None
    old = changes.old_version.label if changes.old_version else None
    new = changes.new_version.label if changes.new_version else None
    with store.session_scope(engine) as session:
        store.record_event(
            session,
            action="report",
            actor=actor or current_actor(),
            list_slug=changes.list_slug or None,
            version_label=new,
            file=file_name,
            sha256=sha,
            detail={
                "report": "diff",
                "format": fmt,
                "from": old,
                "to": new,
                "fields": list(changes.fields),
                "output": "file" if file_name else "stdout",
                "added": summary.added,
                "removed": summary.removed,
                "modified": summary.modified,
                "kinds": summary.kinds,
                "reconciles": summary.reconciles,
            },
        )
    return sha


# --------------------------------------------------------------------------- demo

import time  # noqa: E402 - kept with the code that uses it
from importlib import resources  # noqa: E402

from exportctl.errors import ExportctlError  # noqa: E402

if TYPE_CHECKING:
    from exportctl.diff import Summary
    from exportctl.screen import ScreenSummary

DEMO_LIST = "kr-russia"
"""Slug of the list the demo builds."""
DEMO_FEB = "러시아벨라루스_상황허가_2024-02.xlsx"
DEMO_JUNE_ADDED = "러시아벨라루스_상황허가_2024-06_추가.xlsx"
DEMO_JUNE = "러시아벨라루스_상황허가_2024-06.xlsx"
DEMO_CATALOGUE = "catalogue.xlsx"
DEMO_SAMPLES = (DEMO_FEB, DEMO_JUNE_ADDED, DEMO_JUNE, DEMO_CATALOGUE)
"""Sample files the demo reads (built by ``spreadsheets/build_samples.py``)."""
DEMO_DATABASE = "exportctl-demo.db"
"""Name of the demo's throw-away SQLite database inside the output folder."""


@dataclass
class DemoResult:
    """What :func:`run_demo` did: the imports, the files written and the counts."""

    out_dir: Path
    """Folder holding everything the demo wrote."""
    database: Path
    """The demo's SQLite database (explore it with ``exportctl --db``)."""
    samples: dict[str, Path]
    """Sample file name -> where it was read from."""
    february: ImportResult
    """Import of the February 2024 list (1,159 items)."""
    june: ImportResult
    """Import of the June 2024 additions on top of February (243 + 1,159 = 1,402)."""
    consolidated: ImportResult
    """Validation (no write) of the consolidated June workbook."""
    consolidated_agrees: bool
    """The consolidated workbook holds exactly the items of base + additions."""
    files: dict[str, Path] = field(default_factory=dict)
    """Report name (``changes.pdf``…) -> path written."""
    changes: ChangeSet | None = None
    """February → June change set, when the diff engine is installed."""
    change_summary: Summary | None = None
    """Its tie-out summary."""
    screening: ScreenSummary | None = None
    """Catalogue screening against June, compared with February."""
    seconds: float = 0.0
    """Wall-clock time of the whole run."""


def demo_samples() -> dict[str, Path]:
    """Find the sample workbooks: inside the installed package, else in a checkout.

    Raises:
        ExportctlError: Neither place holds all of them.
    """
    packaged = Path(str(resources.files("exportctl").joinpath("samples")))
    checkout = Path(__file__).resolve().parent.parent / "spreadsheets"
    for folder in (packaged, checkout):
        if all((folder / name).is_file() for name in DEMO_SAMPLES):
            return {name: folder / name for name in DEMO_SAMPLES}
    raise ExportctlError(
        f"the demo's sample workbooks are not in {packaged} nor in {checkout}; reinstall "
        "exportctl, or rebuild them with: python spreadsheets/build_samples.py"
    )


def _fresh_database(path: Path) -> str:
    """The URL of a new SQLite file at ``path``, removing a previous demo's file."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _demo_import(
    engine: Engine, path: Path, options: ImportOptions, *, dry_run: bool = False
) -> ImportResult:
    result = import_workbook(engine, path, options, dry_run=dry_run)
    if not result.ok:
        first = "; ".join(str(f) for f in result.report.errors[:3])
        raise ExportctlError(f"the demo could not import {path.name}: {first}")
    return result


def run_demo(
    out_dir: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole story on the sample workbooks, in a throw-away database.

    Imports the February 2024 list (declared total 1,159), imports the June 2024
    additions on top of it (declared 243 added, 1,402 in total), checks the
    consolidated June workbook against the result, writes the February → June
    change report as PDF, XLSX and CSV, and screens the sample catalogue against
    June compared with February. Everything goes into ``out_dir``, including the
    SQLite database (replaced on every run), so the run can be explored afterwards.

    Args:
        out_dir: Folder for the database and the reports (created if missing).
        progress: Called with a one-line description as each step starts.

    Returns:
        Paths and counts; ``result.files`` maps report names to paths.

    Raises:
        ExportctlError: The samples are missing or do not import cleanly.

    Example:
        >>> result = run_demo(Path("demo"))
        >>> result.june.report.added, result.june.report.item_count
        (243, 1402)
    """
    from exportctl.validate import Declared, item_key

    started = time.perf_counter()

    def step(message: str) -> None:
        if progress is not None:
            progress(message)

    samples = demo_samples()
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / DEMO_DATABASE
    engine = open_database(_fresh_database(database), create=True)
    try:
        list_name = "Korea: situational licence for Russia/Belarus (SAMPLE, not the official list)"
        step(f"Importing {DEMO_FEB} as {DEMO_LIST} 2024-02 (declared total 1,159)")
        february = _demo_import(
            engine,
            samples[DEMO_FEB],
            ImportOptions(
                slug=DEMO_LIST,
                label="2024-02",
                effective=dt.date(2024, 2, 24),
                declared=Declared(total=1159),
                list_name=list_name,
            ),
        )
        step(f"Importing {DEMO_JUNE_ADDED} as additions to 2024-02 (declared 243 added, 1,402)")
        june = _demo_import(
            engine,
            samples[DEMO_JUNE_ADDED],
            ImportOptions(
                slug=DEMO_LIST,
                label="2024-06",
                effective=dt.date(2024, 8, 28),
                base="2024-02",
                additions=True,
                declared=Declared(total=1402, added=243, removed=0),
            ),
        )
        step(f"Checking {DEMO_JUNE} (consolidated) against 2024-02 + additions")
        consolidated = validate_workbook(
            samples[DEMO_JUNE],
            ImportOptions(
                slug=DEMO_LIST,
                label="2024-06-consolidated",
                base="2024-02",
                declared=Declared(total=1402, added=243, removed=0),
            ),
            engine=engine,
        )
        with store.session_scope(engine) as session:
            june_items = store.load_items(session, store.get_version(session, DEMO_LIST, "2024-06"))
        stored = {item_key(i) for i in june_items}
        agrees = consolidated.ok and {item_key(i) for i in consolidated.report.items} == stored
        result = DemoResult(
            out_dir=out_dir,
            database=database,
            samples=samples,
            february=february,
            june=june,
            consolidated=consolidated,
            consolidated_agrees=agrees,
        )
        _demo_changes(engine, out_dir, result, step)
        _demo_screen(engine, out_dir, samples[DEMO_CATALOGUE], result, step)
    finally:
        engine.dispose()
    result.seconds = time.perf_counter() - started
    return result


def _demo_changes(
    engine: Engine, out_dir: Path, result: DemoResult, step: Callable[[str], None]
) -> None:
    from exportctl.diff import summarise

    step("Comparing 2024-02 with 2024-06")
    changes = diff_versions(engine, DEMO_LIST, "2024-02", "2024-06")
    result.changes = changes
    result.change_summary = summarise(changes)
    for fmt in ("pdf", "xlsx", "csv"):
        path = out_dir / f"changes.{fmt}"
        step(f"Writing the change report {path.name}")
        write_change_report(engine, changes, fmt, path)
        result.files[path.name] = path


def _demo_screen(
    engine: Engine,
    out_dir: Path,
    catalogue: Path,
    result: DemoResult,
    step: Callable[[str], None],
) -> None:
    from exportctl.reports import screening

    formats: tuple[screening.Format, ...] = ("xlsx", "csv")
    for fmt in formats:
        path = out_dir / f"screening.{fmt}"
        step(f"Screening {catalogue.name} against 2024-06 (compared with 2024-02) → {path.name}")
        report = screen_catalogue(engine, catalogue, DEMO_LIST, label="2024-06", compare="2024-02")
        summary = screening.write_screen_report(report, fmt, path)
        record_output(
            engine,
            action="screen",
            path=path,
            slug=DEMO_LIST,
            label="2024-06",
            detail={
                "format": fmt,
                "catalogue": catalogue.name,
                "compare": "2024-02",
                "summary": summary.to_json(),
            },
        )
        result.files[path.name] = path
        result.screening = summary
