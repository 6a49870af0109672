"""Writers for screening results: CSV, XLSX and JSON (the PDF is in ``screening_pdf``).

Every writer reads :attr:`ScreenReport.results` once, in file order, and
returns the completed :class:`~exportctl.screen.ScreenSummary`. Nothing holds
all rows: CSV and JSON rows are written as they come (JSON through a spool file
so the summary can come first), XLSX streams each row into xlsxwriter's
``constant_memory`` row file (:class:`~exportctl.reports.sheet_rows.RowStream`).

Two forms of a row:

* for people (the XLSX and the ``excel`` CSV dialect, the default): headers and
  values in the report's language (``--lang``: ``판정`` ``통제 대상``, ``변경 구분``
  ``새로 통제 대상``, ``예``/``아니오``), the HS code dotted (``0101.21.1000``) with
  its digits beside it (``0101211000``), as in the change report
  (:data:`PEOPLE_COLUMNS`);
* for programs (the ``plain`` CSV dialect, and JSON): :data:`COLUMNS` as headers
  and machine values (``controlled``, ``newly controlled``, codes as digits).

The catalogue's other columns (:attr:`ScreenReport.extra_columns`) follow the
verdict columns in CSV and XLSX, headed exactly as in the catalogue, so the
officer gets their own sheet back with a verdict on each row; JSON gives them
as ``extra_columns`` in the head and an aligned ``extra`` list per row.

A CSV cell is spelt by :func:`~exportctl.reports.cells.csv_cell` (the ``excel``
dialect keeps codes such as ``0101.21`` and SKUs such as ``00123`` as text when
Excel opens the file; both dialects neutralise formulas). An XLSX text cell cannot
run, so text is written there exactly as it is (``-A2`` stays ``-A2``).

Reasons and warnings are said in the report's language in CSV, XLSX and PDF. The
JSON report keeps ``reason`` and ``warnings`` in English, as machine form for
programs that match them, with each reason's ``rule`` and ``values`` beside it.

What a run could not check (:attr:`ScreenReport.warnings`: no description
column while the version has entries defined by name; codes read with zeros
put back) heads the XLSX Summary sheet and the PDF's first page, and is in the
JSON head. A CSV report has no place for it outside the row table: a leading
or trailing line would break every program reading the table, and it is only
complete once the last row is read. So a CSV carries it row by row instead:
each clear row whose name entries went unchecked says so in ``reason`` ("the
row has no description, so the N list entries defined by name were not
checked"), and a recovered code's row says how it was read. A run that
screened nothing (no data rows, or no row with an HS code) is the exception: its
CSV's first row after the header says so in ``reason`` and holds nothing else
(the rows before the first code are held back until it is known).

The XLSX Summary sheet and the JSON ``report`` object carry the report's record
(:class:`~exportctl.reports.evidence.Evidence`: when, in which time zone, by whom,
with which exportctl, against which database), the date asked for, and the
version screened against with its approval, source file and SHA-256.

Example:
    >>> report = api.screen_catalogue(engine, Path("catalogue.xlsx"), "kr-russia",
    ...                               as_of=dt.date(2024, 7, 1))
    >>> summary = write_screen_report(report, "xlsx", Path("screen.xlsx"),
    ...                               ReportOptions(lang="ko"))
    >>> summary.counts["controlled"]
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from exportctl.bulk import paused_gc
from exportctl.diff.changeset import dotted
from exportctl.models import ItemRecord
from exportctl.reports import FORMATS as FORMATS
from exportctl.reports import Format as Format
from exportctl.reports.cells import csv_cell, excel_cell
from exportctl.reports.evidence import ReportOptions, version_rows
from exportctl.reports.files import atomic_path
from exportctl.reports.language import Text, text_for
from exportctl.reports.tabular import attributes_text, report_json
from exportctl.screen import STATUSES, ScreenReport, ScreenResult, ScreenSummary

COLUMNS: tuple[str, ...] = (
    "row",
    "sku",
    "description",
    "code",
    "original_code",
    "status",
    "previous_status",
    "change",
    "entry_section",
    "entry_serial",
    "entry_code",
    "entry_ex",
    "entry_description",
    "entry_attributes",
    "matched_words",
    "reason",
    "version",
)
"""Machine names of the verdict columns, in order: the headers of the ``plain`` CSV
dialect (``code`` is the digits, ``status`` and ``change`` machine values), and the
names :data:`PEOPLE_COLUMNS` are made of."""

PEOPLE_COLUMNS: tuple[str, ...] = (
    *COLUMNS[: COLUMNS.index("code") + 1],
    "code_digits",
    *COLUMNS[COLUMNS.index("code") + 1 :],
)
"""The verdict columns of the XLSX and of the ``excel`` CSV dialect: :data:`COLUMNS`
with ``code`` dotted for people (``0101.21.1000``) and its digits in ``code_digits``;
headed by :meth:`Text.column`."""

STATUS_COLOURS: dict[str, str | None] = {
    "controlled": "#F8CBAD",
    "review": "#FFE699",
    "clear": None,
    "invalid": "#D9D9D9",
}
"""Background colour of each status, the same in the XLSX and the PDF (clear: none)."""

PDF_MAX_ROWS = 2_000
"""Non-clear rows listed in a PDF; the rest are counted and left to CSV/XLSX."""

_CHANGE_KEYS = {
    "newly controlled": "newly_controlled",
    "no longer controlled": "no_longer_controlled",
    "newly for review": "newly_for_review",
}


def change_words(change: str, text: Text) -> str:
    """A change as :attr:`ScreenResult.change` spells it (``newly controlled``,
    ``clear → invalid``), in ``text``'s language; ``""`` stays ``""``."""
    if not change:
        return ""
    key = _CHANGE_KEYS.get(change)
    if key is not None:
        return text(f"screening.change.{key}")
    before, sep, after = change.partition(" → ")
    if sep and text.has(f"status.{before}") and text.has(f"status.{after}"):
        return text("screening.change.other", before=text.status(before), after=text.status(after))
    return change


def _first_upper(label: str) -> str:
    return label[:1].upper() + label[1:]


def columns_of(report: ScreenReport) -> tuple[str, ...]:
    """The header of the ``plain`` CSV: :data:`COLUMNS`, then the catalogue's own."""
    return (*COLUMNS, *report.extra_columns)


def result_cells(result: ScreenResult, version: str) -> list[Any]:
    """One result in machine form, as a row of :func:`columns_of` (not neutralised)."""
    entry = result.entry
    cells: list[Any] = [
        result.row,
        result.sku,
        result.description,
        result.code,
        result.original_code,
        result.status,
        result.previous_status,
        result.change,
        entry.section if entry is not None else None,
        entry.serial if entry is not None else None,
        entry.code if entry is not None else None,
        ("ex" if entry.ex else "") if entry is not None else None,
        entry.description if entry is not None else None,
        attributes_text(entry.attributes) if entry is not None else None,
        " ".join(result.words),
        result.reason,
        version,
    ]
    if result.extra:
        cells += result.extra
    return cells


class PeopleCells:
    """Results as rows of :data:`PEOPLE_COLUMNS` (then the catalogue's own), in one
    language: status and change in words, codes dotted, ``ex`` as yes/no, a plain
    serial as a number. Words of statuses, changes and deciding entries are looked
    up once, not once a row.

    ``spell`` (``csv_cell`` for a CSV) is applied to every cell but ``row``: once to
    the cells that repeat (words, entries, version), per row to the others.
    """

    def __init__(self, text: Text, version: str, spell: Callable[[Any], Any] | None = None) -> None:
        self.text = text
        self._spell = spell
        same = spell or _same
        self.version = same(version)
        self.status = {status: same(text.status(status)) for status in STATUSES}
        self._changes: dict[str, Any] = {}
        self._entries: dict[int, tuple[Any, ...]] = {}
        self._none = (None, None, None, None, None, None)
        if spell is not None:
            self._none = tuple(map(spell, self._none))

    def header(self, report: ScreenReport) -> list[str]:
        """The header row, in the language, then the catalogue's own headers."""
        return [*map(self.text.column, PEOPLE_COLUMNS), *report.extra_columns]

    def change(self, change: str) -> Any:
        """``change`` in words (cached)."""
        words = self._changes.get(change)
        if words is None:
            words = self._changes[change] = (self._spell or _same)(change_words(change, self.text))
        return words

    def entry(self, entry: ItemRecord | None) -> tuple[Any, ...]:
        """The six ``entry_*`` cells of a deciding entry (cached per entry)."""
        if entry is None:
            return self._none
        cells = self._entries.get(id(entry))
        if cells is None or cells[-1] is not entry:
            serial = entry.serial
            shown = (
                entry.section,
                int(serial) if serial is not None and serial.isdigit() else serial,
                dotted(entry.code) if entry.code else None,
                self.text.yes_no(entry.ex),
                entry.description,
                attributes_text(entry.attributes) or None,
            )
            if self._spell is not None:
                shown = tuple(map(self._spell, shown))
            cells = (*shown, entry)
            self._entries[id(entry)] = cells
        return cells[:-1]

    def cells(self, result: ScreenResult) -> list[Any]:
        """One result as a row."""
        code = result.code
        previous = result.previous_status
        cells: list[Any] = [
            result.row,
            result.sku,
            result.description,
            dotted(code) if code else None,
            code,
            result.original_code,
            self.status[result.status],
            self.status[previous] if previous is not None else None,
            self.change(result.change) if previous is not None else None,
            *self.entry(result.entry),
            " ".join(result.words),
            result.reason_in(self.text.lang),
            self.version,
        ]
        if result.extra:
            cells += result.extra
        spell = self._spell
        if spell is not None:
            # An empty cell (None, "") is written empty in every dialect: no call.
            for index in _SPELT_PER_ROW:
                value = cells[index]
                if value:
                    cells[index] = spell(value)
            for index in range(len(PEOPLE_COLUMNS), len(cells)):
                value = cells[index]
                if value:
                    cells[index] = spell(value)
        return cells


def _same(value: Any) -> Any:
    return value


_SPELT_PER_ROW = tuple(
    PEOPLE_COLUMNS.index(name)
    for name in (
        "sku",
        "description",
        "code",
        "code_digits",
        "original_code",
        "matched_words",
        "reason",
    )
)
"""Cells of :class:`PeopleCells` that differ row by row (the rest repeat and are cached)."""


def summary_rows(
    report: ScreenReport, text: Text | None = None, *, zone: dt.tzinfo | None = None
) -> list[tuple[str, Any]]:
    """Label/value pairs heading every report, in ``text``'s language (English when
    None): the list (name and slug), the date asked for, the version screened against
    (notice, effective date, status with who approved it and when, entries, source file
    and SHA-256), the compared version, the catalogue (file, sheet, SHA-256), warnings,
    then the counts. Counts are ``int`` (the writer formats them); ``zone`` is where
    times are shown (UTC when None). The report's own record (when, by whom) is
    :meth:`Evidence.rows <exportctl.reports.evidence.Evidence.rows>`."""
    t = text or text_for("en")
    summary = report.summary
    name = report.list_name
    rows: list[tuple[str, Any]] = [
        (
            t("evidence.list"),
            t("screening.list_value", name=name, slug=report.slug)
            if name and name != report.slug
            else report.slug,
        ),
        (
            t("evidence.as_of"),
            t.date(report.as_of)
            if report.as_of is not None
            else t("screening.as_of_none", label=report.version),
        ),
    ]
    rows += version_rows(
        t,
        label=report.version,
        notice=t.notice(report.notice_number, report.notice_date, report.amendment),
        effective=dt.date.fromisoformat(report.effective) if report.effective else None,
        status=report.status,
        status_by=report.status_by,
        status_at=report.status_at,
        source_file=report.source_file,
        source_sheet=report.source_sheet,
        source_sha256=report.source_sha256,
        item_count=report.item_count,
        zone=zone,
    )
    if len(report.sections) > 1:
        rows += [
            (t("screening.part", number=number), title or t("screening.untitled"))
            for number, title in sorted(report.sections.items())
        ]
    if report.compare:
        rows.append((t("screening.compared"), report.compare))
    rows.append((t("evidence.catalogue"), report.file))
    if report.sheet:
        rows.append((t("evidence.catalogue_sheet"), report.sheet))
    rows.append((t("evidence.catalogue_sha256"), report.sha256))
    rows += [(t("screening.warning"), warning) for warning in report.warnings_in(t)]
    if report.extra_columns:
        rows.append((t("screening.columns_kept"), ", ".join(report.extra_columns)))
    rows.append((t("screening.rows"), summary.total))
    rows += [(t(f"screening.count.{status}"), summary.counts[status]) for status in STATUSES]
    if summary.compared:
        rows.append((t("screening.changed"), summary.changed))
        rows += [
            (_first_upper(change_words(change, t)), n)
            for change, n in sorted(summary.changes.items())
        ]
    rows += [(t("screening.note"), str(note)) for note in report.notes]
    return rows


def report_zone(options: ReportOptions) -> dt.tzinfo | None:
    return options.evidence.generated_at.tzinfo


# --------------------------------------------------------------------------- CSV


def write_csv(
    report: ScreenReport, out: IO[str], options: ReportOptions | None = None
) -> ScreenSummary:
    """Write one CSV row per result to a text stream, in ``options.csv_dialect``.

    ``excel`` (the default): a BOM, headers in the report's language, values for
    people (:class:`PeopleCells`), every cell spelt by
    :func:`~exportctl.reports.cells.csv_cell` for Excel. ``plain``: no BOM, :func:`columns_of`
    as headers and machine values (:func:`result_cells`), formulas neutralised.

    Args:
        report: The run to write; its results are consumed.
        out: A text stream opened with ``newline=""`` (UTF-8).
        options: Language and dialect (English, ``excel`` when None).

    Returns:
        The completed summary.
    """
    options = options or ReportOptions()
    dialect = options.csv_dialect
    writer = csv.writer(out, lineterminator="\r\n")
    cells: Callable[[ScreenResult], list[Any]]
    if dialect == "plain":
        header = [csv_cell(name, dialect) for name in columns_of(report)]
        version = report.version

        def cells(result: ScreenResult) -> list[Any]:
            return [csv_cell(value, dialect) for value in result_cells(result, version)]

        reason = COLUMNS.index("reason")
    else:
        out.write("\ufeff")
        # excel_cell is csv_cell's excel dialect; PeopleCells applies it to the
        # cells that repeat once, not once a row.
        people = PeopleCells(options.text, report.version, excel_cell)
        header = [csv_cell(name, dialect) for name in people.header(report)]
        cells = people.cells
        reason = PEOPLE_COLUMNS.index("reason")
    writer.writerow(header)
    results = iter(report.results)
    with tempfile.SpooledTemporaryFile(
        max_size=16 * 1024 * 1024, mode="w+", encoding="utf-8", newline=""
    ) as held:
        # Rows are held back only until one has a code; in most catalogues that is
        # the first, and the rest then stream straight through.
        holding = csv.writer(held, lineterminator="\r\n")
        for result in results:
            if result.code is not None:
                held.seek(0)
                shutil.copyfileobj(held, out)
                writer.writerow(cells(result))
                writer.writerows(map(cells, results))
                return report.summary
            holding.writerow(cells(result))
        notice = [""] * len(header)
        notice[reason] = csv_cell(report.summary.nothing_screened_warning(options.text), dialect)
        writer.writerow(notice)
        held.seek(0)
        shutil.copyfileobj(held, out)
    return report.summary


# --------------------------------------------------------------------------- JSON


def write_json(
    report: ScreenReport, out: IO[str], options: ReportOptions | None = None
) -> ScreenSummary:
    """Write the ``screen --format json`` object, streaming rows.

    Rows go to a spool file first (in memory while small, on disk beyond 16 MB)
    so that ``summary`` can precede ``rows`` without holding the rows. Keys and
    values are machine form whatever the language; the head's ``report`` object
    (:func:`~exportctl.reports.tabular.report_json`) says how the report was made.

    Args:
        report: The run to write; its results are consumed.
        out: A text stream.
        options: The report's record (made now when None).

    Returns:
        The completed summary.
    """
    options = options or ReportOptions()
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with tempfile.SpooledTemporaryFile(
        max_size=16 * 1024 * 1024, mode="w+", encoding="utf-8", newline="\n"
    ) as spool:
        first = True
        for result in report.results:
            spool.write(("\n    " if first else ",\n    ") + dumps(result.to_json()))
            first = False
        head = report.header_json()
        head["report"] = report_json(options)
        head["notes"] = [note.to_json() for note in report.notes]
        head["summary"] = report.summary.to_json()
        text = json.dumps(head, ensure_ascii=False, indent=2)
        out.write(text[: text.rindex("}")].rstrip() + ',\n  "rows": [')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write("\n  ]\n}\n" if not first else "]\n}\n")
    return report.summary


# --------------------------------------------------------------------------- dispatch


def format_for(path: Path | None, fmt: str | None) -> Format:
    """The format to write: ``fmt`` when given, else from the file extension, else JSON.

    Raises:
        ValueError: The extension or format is not one of :data:`FORMATS`.
    """
    chosen = fmt or (path.suffix.lower().lstrip(".") if path is not None else "json")
    for known in FORMATS:
        if chosen == known:
            return known
    raise ValueError(
        f"cannot tell the report format from {chosen!r}; use one of {', '.join(FORMATS)}"
    )


@paused_gc()
def write_screen_report(
    report: ScreenReport, fmt: Format, path: Path, options: ReportOptions | None = None
) -> ScreenSummary:
    """Write ``report`` to ``path`` in ``fmt``; the file appears only when complete.

    The CLI goes through :func:`exportctl.api.screening.write_screen_report`, which
    audits the report too; this writes the file only.

    Returns:
        The completed summary.
    """
    # Through the registry: the XLSX and PDF writers build on this module's cells and
    # columns, so naming them here would be an import cycle.
    from exportctl.reports.registry import REPORTS

    writer = REPORTS[("screening", fmt)].load()
    with atomic_path(path) as temp:
        summary: ScreenSummary = writer(report, temp, options or ReportOptions())
        return summary


# --------------------------------------------------------------------------- registry


@paused_gc()
def csv_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """A screening CSV written row by row (a run held in one table is written from its
    columns by :func:`exportctl.reports.screening_table.csv_report`, the registry's entry)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(report, out, options)


@paused_gc()
def json_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``json`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        return write_json(report, out, options)
