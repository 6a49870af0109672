"""Screening a product catalogue against a list version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.api.database import _sha256_file
from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import DEFAULTS, Limits

if TYPE_CHECKING:
    from exportctl.models import Version
    from exportctl.readers.frames import Frame
    from exportctl.reports.evidence import ReportOptions
    from exportctl.reports.registry import Written
    from exportctl.screen import ScreenReport
    from exportctl.screen.columnar import ColumnarIndex
    from exportctl.screen.combined import CombinedReport


def screen_catalogue(
    engine: Engine,
    path: Path,
    slug: str,
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
    compare: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    catalogue_edition: str | None = None,
    limits: Limits = DEFAULTS,
) -> ScreenReport:
    """Screen a product catalogue against a version of a list, in one pass.

    The version is ``label``, or the one in force on ``as_of``, or (neither
    given) the one in force today. The catalogue is read into columns and every
    row screened before this returns (:mod:`exportctl.screen.columnar`): the report
    holds the pass as one table (``report.table``), which every output is written
    from, and its summary is complete. Each result carries the catalogue's other
    columns (``report.extra_columns``). ``report.warnings`` says what could not be
    checked, e.g. entries defined by name when the catalogue has no description
    column (``report.description_checked`` is then False).

    Args:
        engine: The database.
        path: Catalogue file (.xlsx, .xls, .ods, .csv) with SKU, description and
            HS code columns.
        slug: List to screen against.
        label: Version label.
        as_of: Use the approved version in force on this date.
        include_drafts: Let the date (or today) fall on a draft too.
        compare: Label of an older version; every result then carries its
            ``previous_status`` and the summary counts the changes.
        sheet: Catalogue sheet (detected when None).
        encoding: CSV encoding (detected when None).
        overrides: Field -> header for catalogue columns (``--column``).
        progress: Called with the number of rows read so far.
        catalogue_edition: The HS edition the catalogue's codes are in; refused when
            the version records another (``--catalogue-edition``).
        limits: Caps on the catalogue file (rows, cells, unpacked bytes...).

    Returns:
        The report; ``report.results`` gives every row (as often as asked), and
        ``report.summary`` is complete.

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
    from exportctl.readers.frames import read_frame

    run = _prepare(
        engine,
        slug,
        label=label,
        as_of=as_of,
        include_drafts=include_drafts,
        compare=compare,
        catalogue_edition=catalogue_edition,
    )
    frame = read_frame(
        path,
        sheet=sheet,
        encoding=encoding,
        overrides=overrides,
        progress=progress,
        limits=limits,
        header=lambda columns: _get_ready([run], columns),
    )
    return _screened(run, frame, _sha256_file(path))


def _get_ready(runs: Sequence[_Run], columns: Mapping[str, str]) -> None:
    """Load what matching descriptions needs (the Korean analyser, the entries' names)
    before the rows are read, when they will have descriptions and a version has entries
    defined by name: its memory is then taken before the columns', not on top of their
    working space."""
    if "description" not in columns and "cas" not in columns:
        return
    for run in runs:
        if run.engine.index.words:
            run.engine.index.words.needles()


@dataclass
class _Run:
    """A version to screen against, indexed, and what the report says of it."""

    slug: str
    version: Version
    list_name: str
    effective: str | None
    sections: dict[int, str]
    engine: ColumnarIndex
    previous: ColumnarIndex | None
    compare: str | None
    as_of: dt.date | None


def _prepare(
    engine: Engine,
    slug: str,
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
    compare: str | None = None,
    catalogue_edition: str | None = None,
) -> _Run:
    """Find the version (and the compared one), and index them for the columnar engine.

    Raises:
        InputError: Both ``label`` and ``as_of`` given.
    """
    if label is not None and as_of is not None:
        raise InputError(_("give a version label or an --as-of date, not both"))
    from exportctl.profiles import default_folders, load_profile
    from exportctl.screen import ScreenIndex
    from exportctl.screen.columnar import ColumnarIndex

    with store.session_scope(engine) as session:
        control_list = store.get_list(session, slug)
        if label is not None:
            version = store.get_version(session, slug, label)
        else:
            version = store.version_as_of(
                session, slug, as_of or dt.date.today(), include_drafts=include_drafts
            )
        old = store.get_version(session, slug, compare) if compare is not None else None
        # The list's row and every version's row and status (which decide the version
        # in force) as the audit chain recorded them, the entries of those screened.
        store.check_vouched(session, [version] if old is None else [version, old])
        _check_editions(slug, version, catalogue_edition)
        effective = version.effective.isoformat() if version.effective else None
        sections = {part.number: part.title for part in store.sections_of(session, version)}
        # The list's profile decides whether a code hit is a determination (US Part 746:
        # the description controls, so it is review).
        profile = load_profile(control_list.profile, default_folders())
        index = ScreenIndex.build(
            store.load_items(session, version),
            slug=slug,
            label=version.label,
            effective=effective,
            sections=sections,
            profile=profile,
        )
        previous: ColumnarIndex | None = None
        if old is not None:
            # Codes are read once, by the edition of the version screened against.
            previous = ColumnarIndex(
                ScreenIndex.build(
                    store.load_items(session, old),
                    slug=slug,
                    label=old.label,
                    sections={part.number: part.title for part in store.sections_of(session, old)},
                    profile=profile,
                ),
                edition=version.hs_edition,
            )
        list_name = control_list.name or ""
    return _Run(
        slug=slug,
        version=version,
        list_name=list_name,
        effective=effective,
        sections=sections,
        engine=ColumnarIndex(index, edition=version.hs_edition),
        previous=previous,
        compare=compare,
        as_of=(as_of or dt.date.today()) if label is None else None,
    )


def _screened(run: _Run, frame: Frame, sha256: str) -> ScreenReport:
    """Screen ``frame`` against ``run``'s version: the report of one pass."""
    from exportctl.readers.rows import Note
    from exportctl.screen import ScreenReport, ScreenSummary
    from exportctl.screen.table import ResultTable

    table = ResultTable.screen(frame, run.engine, run.previous)
    notes = [
        Note(
            "unmapped-column",
            _('column "{header}" is not screened; reports keep it beside the verdict').format(
                header=header
            ),
        )
        for header in frame.unmapped
    ]
    version = run.version
    return ScreenReport(
        slug=run.slug,
        version=version.label,
        effective=run.effective,
        compare=run.compare,
        file=frame.file,
        sheet=frame.sheet,
        sha256=sha256,
        columns=dict(frame.columns),
        results=table,
        summary=table.count(ScreenSummary()),
        notes=[*notes, *frame.notes],
        extra_columns=list(frame.unmapped),
        status=version.status,
        notice_number=version.notice_number,
        notice_date=version.published.isoformat() if version.published else None,
        amendment=version.amendment,
        sections=run.sections,
        list_name=run.list_name,
        as_of=run.as_of,
        status_by=version.withdrawn_by if version.status == "withdrawn" else version.approved_by,
        status_at=version.withdrawn_at if version.status == "withdrawn" else version.approved_at,
        source_file=version.source_file or "",
        source_sheet=version.source_sheet or "",
        source_sha256=version.source_sha256 or "",
        item_count=version.item_count,
        table=table,
    )


def _check_editions(slug: str, version: Version, catalogue_edition: str | None) -> None:
    """Refuse to screen a catalogue against a version of another HS edition.

    Raises:
        InputError: The catalogue's edition differs from the one the version records.
    """
    from exportctl.hscode.correlation import edition_name

    if catalogue_edition is None:
        return
    theirs = edition_name(catalogue_edition)
    ours = edition_name(version.hs_edition) if version.hs_edition else None
    if ours is not None and theirs != ours:
        raise InputError(
            _(
                "the catalogue's codes are {theirs} but {slug} {label} is a list of {ours} "
                "codes: a code can mean other goods in another edition; convert the list first "
                "(exportctl convert {label} --list {slug} --to {theirs}) and screen against "
                "that version"
            ).format(theirs=theirs, ours=ours, slug=slug, label=version.label)
        )


def write_screen_report(
    engine: Engine,
    report: ScreenReport,
    fmt: str,
    target: Path | IO[Any],
    options: ReportOptions,
) -> Written:
    """Write a screening report, record it in the audit log, then deliver it.

    Every row is screened while the report is written (the results stream); the
    audit event carries the summary, the catalogue's SHA-256 and the report's.

    Args:
        engine: The database holding the audit log.
        report: From :func:`screen_catalogue`; its results are consumed.
        fmt: ``csv``, ``xlsx``, ``pdf`` or ``json``.
        target: A file path, or a text stream (``csv`` and ``json`` only).
        options: Language, dialect and the report's record.

    Returns:
        The hash and size of the report; ``result`` is the completed summary.
    """
    from exportctl.api.outputs import publish

    return publish(
        engine,
        "screening",
        fmt,
        report,
        target,
        options,
        action="screen",
        slug=report.slug,
        label=report.version,
        detail={
            "catalogue": report.file,
            "catalogue_sha256": report.sha256,
            "sheet": report.sheet,
            "compare": report.compare,
            "as_of": report.as_of.isoformat() if report.as_of is not None else None,
        },
        detail_after=lambda summary: {"summary": summary.to_json()},
    )


def screen_lists(
    engine: Engine,
    path: Path,
    slugs: Sequence[str],
    *,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    catalogue_edition: str | None = None,
    limits: Limits = DEFAULTS,
) -> CombinedReport:
    """Screen one catalogue against the versions of several lists in force on ``as_of``.

    The catalogue is read once; each list's version screens the same columns (one
    run each, :func:`screen_catalogue`'s), and the combined report walks the runs
    side by side, one status per list per row and an overall verdict.

    Raises:
        InputError: Fewer than two lists, or the same list twice.
    """
    from exportctl.readers.frames import read_frame
    from exportctl.screen.combined import CombinedReport

    if len(slugs) < 2 or len(set(slugs)) != len(slugs):
        raise InputError(_("give two or more different lists to screen against together"))

    def prepared(slug: str) -> _Run:
        return _prepare(
            engine,
            slug,
            as_of=as_of,
            include_drafts=include_drafts,
            catalogue_edition=catalogue_edition,
        )

    # The first list's version is found before the catalogue is read, as one run does.
    runs = [prepared(slugs[0])]
    frame = read_frame(
        path,
        sheet=sheet,
        encoding=encoding,
        overrides=overrides,
        progress=progress,
        limits=limits,
        header=lambda columns: _get_ready(runs, columns),
    )
    runs += [prepared(slug) for slug in slugs[1:]]
    sha256 = _sha256_file(path)
    return CombinedReport([_screened(run, frame, sha256) for run in runs])


def write_combined_report(
    engine: Engine,
    combined: CombinedReport,
    fmt: str,
    target: Path | IO[Any],
    options: ReportOptions,
) -> Written:
    """Write a several-lists screening report (csv, xlsx or json), audited like one run."""
    from exportctl.api.outputs import publish

    first = combined.reports[0]
    return publish(
        engine,
        "combined",
        fmt,
        combined,
        target,
        options,
        action="screen",
        slug=",".join(combined.slugs),
        label=",".join(run.version for run in combined.reports),
        detail={
            "catalogue": first.file,
            "catalogue_sha256": first.sha256,
            "sheet": first.sheet,
            "as_of": first.as_of.isoformat() if first.as_of else None,
            "lists": {run.slug: run.version for run in combined.reports},
        },
        detail_after=lambda done: {"overall": done.overall_json()},
    )
