"""The CSV screening report written from the pass's table, a column at a time.

:func:`~exportctl.reports.screening.write_csv` writes a report row by row; a run of the
columnar engine holds every verdict in a :class:`~exportctl.screen.table.ResultTable`,
so the same file is written here from its columns: each column is built once (words
of statuses and entries looked up per distinct value, each reason shape rendered once
and the row's code put in its place), spelt as :func:`~exportctl.reports.cells.csv_cell`
spells a cell (a leading apostrophe before a formula), quoted as the :mod:`csv`
module quotes (a cell holding a comma, a quote or a line break), and the rows are
joined and written as bytes. The file is the one ``write_csv`` writes, byte for byte
(a test compares them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.arrowtext import by_distinct, may_hold, may_start_with
from exportctl.bulk import paused_gc
from exportctl.reports import screening
from exportctl.reports.cells import csv_cell
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.screening import COLUMNS, PEOPLE_COLUMNS, PeopleCells, columns_of
from exportctl.reports.tabular import attributes_text
from exportctl.screen import STATUSES, ScreenReport, ScreenSummary
from exportctl.screen.shapes import dotted_codes
from exportctl.screen.table import ResultTable, change_of

__all__ = ["csv_report", "write_csv_table"]

BATCH = 65_536
"""Rows joined into bytes at a time (memory stays flat however long the catalogue)."""

# What csv_cell's apostrophe guards against (reports/safe.py: FORMULA_TRIGGERS, and
# text written <r>…</r>), in RE2 syntax.
_FORMULA = "(?s)^(?:[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]|<r>.*</r>$)"
_QUOTE = '[,"\r\n]'
_FORMULA_FIRST = "=+-@\t\r\uff1d\uff0b\uff0d\uff20<".encode()
"""The first bytes of a text _FORMULA may match (a full-width sign by its lead byte)."""
_QUOTED = b',"\r\n'
_COMMA = pa.scalar(",")
_END = pa.scalar("\r\n")


@paused_gc()
def csv_report(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """The ``screening``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`: from
    the table when the run holds one, else row by row."""
    if report.table is None:
        return screening.csv_report(report, path, options)
    return write_csv_table(report, path, options)


def write_csv_table(report: ScreenReport, path: Path, options: ReportOptions) -> ScreenSummary:
    """Write ``report``'s CSV (``options.csv_dialect``) to ``path`` from its table.

    Returns:
        The summary (complete: the pass has ended).
    """
    table = report.table
    assert table is not None
    dialect = options.csv_dialect
    plain = dialect == "plain"
    names = columns_of(report) if plain else PeopleCells(options.text, "").header(report)
    header = [csv_cell(name, dialect) for name in names]
    reason_at = (COLUMNS if plain else PEOPLE_COLUMNS).index("reason")
    verdicts = table.verdicts
    overrides = verdicts.shown.null_count < len(table)
    # The verdict's cells between the code and the reason hang on a few numbers per row
    # (status, compared status, entry, matched words): each distinct set is written once.
    segments, segment = _segments(report, table, options)
    sentences = table.sentences("en" if plain else options.text.lang, _cell(dialect))
    own = {name: table.column(name) for name in ("sku", "description", "code")}
    own.update((name, table.column(name)) for name in table.frame.extra_names)
    version = _quote(_text(csv_cell(report.version, dialect)))
    with path.open("wb") as out:
        if not plain:
            out.write("\ufeff".encode())
        out.write(_line(header))
        if verdicts.digits.null_count == len(table):
            # No row has a code: the first row says whether anything was screened, as
            # write_csv's rows held back until a code comes do.
            notice: list[Any] = [""] * len(header)
            warning = report.summary.nothing_screened_warning(options.text)
            notice[reason_at] = csv_cell(warning, dialect)
            out.write(_line(notice))
        rows = table.column("row")
        for start in range(0, len(table), BATCH):
            size = min(BATCH, len(table) - start)
            dotted = dotted_codes(verdicts.digits.slice(start, size))
            shown = pc.coalesce(verdicts.shown.slice(start, size), dotted) if overrides else dotted

            def part(column: pa.Array, at: int = start, size: int = size) -> pa.Array:
                return pc.fill_null(column.slice(at, size), "")

            def spelt(name: str, at: int = start, size: int = size) -> pa.Array:
                return pc.fill_null(_spelt(own[name].slice(at, size)), "")

            cells = [
                rows.slice(start, size).cast(pa.string()),
                spelt("sku"),
                spelt("description"),
                *([] if plain else [pc.fill_null(dotted, "")]),
                part(verdicts.digits),
                spelt("code"),
                segments.take(pa.array(segment[start : start + size])),
                sentences.of(verdicts.shape[start : start + size], shown),
                pa.array([version] * size, pa.string()),
                *(spelt(name) for name in table.frame.extra_names),
            ]
            # One join: the cells with a comma between them and the line's end after.
            joined = [part for cell in cells for part in (cell, _COMMA)]
            joined[-1] = _END
            out.write(_bytes(pc.binary_join_element_wise(*joined, "")))
    return report.summary


def _segments(
    report: ScreenReport, table: ResultTable, options: ReportOptions
) -> tuple[pa.Array, np.ndarray]:
    """The rows' cells from ``status`` to ``matched_words``, written as the CSV holds
    them and joined, once per distinct (status, compared status, entry, words); and
    which of them each row has."""
    dialect = options.csv_dialect
    verdicts = table.verdicts
    engine = table.engine
    before = table.previous[1].status if table.previous is not None else None
    entries = len(engine.entries) + 1
    words = len(engine.words)
    # One number per row for what its segment depends on.
    key = verdicts.status.astype(np.int64) * (len(STATUSES) + 1)
    key = key + (before.astype(np.int64) + 1 if before is not None else 0)
    key = (key * entries + verdicts.entry + 1) * words + verdicts.words
    distinct, inverse = np.unique(key, return_inverse=True)
    if dialect == "plain":
        write = _plain_segment(table)
    else:
        write = _people_segment(report, table, options)
    texts = []
    for value in distinct.tolist():
        rest, said = divmod(value, words)
        rest, entry = divmod(rest, entries)
        status, previous = divmod(rest, len(STATUSES) + 1)
        cells = write(status, previous - 1 if before is not None else None, entry - 1, said)
        texts.append(",".join(_quote(_text(cell)) for cell in cells))
    return pa.array(texts, pa.string()), inverse.reshape(-1)


Segment = Callable[[int, int | None, int, int], Sequence[Any]]
"""The cells of one segment from (status, compared status or None, entry or -1, words)."""


def _people_segment(report: ScreenReport, table: ResultTable, options: ReportOptions) -> Segment:
    """Segments of the ``excel`` dialect, as :class:`PeopleCells` spells them."""
    people = PeopleCells(options.text, report.version, lambda value: csv_cell(value, "excel"))
    engine = table.engine

    def write(status: int, previous: int | None, entry: int, said: int) -> Sequence[Any]:
        item = engine.entries[entry] if entry >= 0 else None
        words = " ".join(engine.words[said])
        return [
            people.status[STATUSES[status]],
            people.status[STATUSES[previous]] if previous is not None else None,
            people.change(change_of(STATUSES[previous], STATUSES[status]))
            if previous is not None
            else None,
            *people.entry(item),
            csv_cell(words, "excel") if words else words,
        ]

    return write


def _plain_segment(table: ResultTable) -> Segment:
    """Segments of the ``plain`` dialect: machine values, as :func:`result_cells` gives them."""
    engine = table.engine

    def write(status: int, previous: int | None, entry: int, said: int) -> Sequence[Any]:
        item = engine.entries[entry] if entry >= 0 else None
        change = change_of(STATUSES[previous], STATUSES[status]) if previous is not None else ""
        cells: list[Any] = [
            STATUSES[status],
            STATUSES[previous] if previous is not None else None,
            change,
            item.section if item is not None else None,
            item.serial if item is not None else None,
            item.code if item is not None else None,
            ("ex" if item.ex else "") if item is not None else None,
            item.description if item is not None else None,
            attributes_text(item.attributes) if item is not None else None,
            " ".join(engine.words[said]),
        ]
        return [csv_cell(cell, "plain") for cell in cells]

    return write


# --------------------------------------------------------------------------- cells


def _text(value: Any) -> str:
    """A spelt cell as the csv module writes it before quoting: ``None`` is empty."""
    return "" if value is None else str(value)


def _quote(text: str) -> str:
    """A cell as the csv module's ``QUOTE_MINIMAL`` writes it."""
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _cell(dialect: str) -> Callable[[str], str]:
    """A text (already a report's value) spelt by ``csv_cell`` and quoted."""

    def cell(text: str) -> str:
        return _quote(_text(csv_cell(text, dialect)))

    return cell


def _spelt(column: pa.Array) -> pa.Array:
    """A catalogue column as CSV cells: a formula's start guarded, quoted where needed.

    Each test runs only on a column whose bytes may call for it (most columns hold no
    formula's first character and nothing to quote).
    """
    if may_start_with(column, _FORMULA_FIRST):
        risky = pc.fill_null(pc.match_substring_regex(column, _FORMULA), False)
        if pc.any(risky).as_py():
            guarded = pc.binary_join_element_wise(pa.scalar("'"), column, "")
            column = pc.if_else(risky, guarded, column)
    if not may_hold(column, _QUOTED):
        return column
    return by_distinct(column, _quoted)


def _quoted(column: pa.Array) -> pa.Array:
    """Cells holding a comma, a quote or a line break quoted, as the csv module does."""
    needs = pc.fill_null(pc.match_substring_regex(column, _QUOTE), False)
    if pc.any(needs).as_py():
        doubled = pc.replace_substring(column, '"', '""')
        quoted = pc.binary_join_element_wise(pa.scalar('"'), doubled, pa.scalar('"'), "")
        column = pc.if_else(needs, quoted, column)
    return column


def _bytes(lines: pa.Array) -> memoryview:
    """The UTF-8 bytes of a column of lines, end to end (no copy)."""
    width = np.int64 if lines.type == pa.large_string() else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    data = lines.buffers()[2]
    return memoryview(data)[int(first) : int(last)] if data is not None else memoryview(b"")


def _line(cells: Sequence[Any]) -> bytes:
    """One row as the csv module writes it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")
