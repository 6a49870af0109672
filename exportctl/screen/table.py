"""One screening pass as one table: every row's cells and its verdict, in columns.

A :class:`ResultTable` is what a screening run produces: the catalogue's columns
(:class:`~exportctl.readers.frames.Frame`) beside the verdicts of
:class:`~exportctl.screen.columnar.ColumnarIndex` (and of the compared version, with
``--compare``). Every output is written from it: a report format asks for
:meth:`ResultTable.results` (fresh :class:`~exportctl.screen.ScreenResult` rows, as
many passes as it likes, made a slice at a time), a vectorised writer for its
columns (:meth:`ResultTable.reasons`, :meth:`ResultTable.column`). Its counts fill a
:class:`~exportctl.screen.ScreenSummary` as soon as the pass ends
(:meth:`ResultTable.count`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from exportctl.hscode.codes import _dotted
from exportctl.screen.batches import Sentences, sentences
from exportctl.screen.columnar import ColumnarIndex
from exportctl.screen.index import STATUSES
from exportctl.screen.results import ScreenResult, ScreenSummary
from exportctl.screen.shapes import Verdicts

if TYPE_CHECKING:
    from exportctl.readers.frames import Frame

__all__ = ["ResultTable", "Sentences", "change_of"]

_ASKED = ("code", "description", "classification", "cas")
"""The frame's columns the engine reads, in :meth:`ColumnarIndex.screen`'s order."""

SLICE = 65_536
"""Rows turned into Python objects at a time when results are read one by one."""


def _whole(column: pa.ChunkedArray) -> pa.Array:
    """A column as one array (a column of one chunk as it is, without a copy)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def change_of(previous: str, status: str) -> str:
    """:attr:`ScreenResult.change` of a row whose status went from ``previous`` to ``status``."""
    if previous == status:
        return ""
    if status == "controlled":
        return "newly controlled"
    if previous == "controlled":
        return "no longer controlled"
    if status == "review" and previous == "clear":
        return "newly for review"
    return f"{previous} → {status}"


@dataclass
class ResultTable:
    """A catalogue screened against one version (and, with ``--compare``, an older one)."""

    frame: Frame
    """The catalogue's rows as columns."""
    engine: ColumnarIndex
    """The version screened against."""
    verdicts: Verdicts
    """The verdict on each row."""
    previous: tuple[ColumnarIndex, Verdicts] | None = None
    """The compared version and its verdicts."""

    @classmethod
    def screen(
        cls, frame: Frame, engine: ColumnarIndex, previous: ColumnarIndex | None = None
    ) -> ResultTable:
        """Screen every row of ``frame`` against ``engine``'s version (and ``previous``)."""
        cells = [_whole(frame.data.column(name)) for name in _ASKED]
        verdicts = engine.screen(*cells)
        before = (previous, previous.screen(*cells)) if previous is not None else None
        return cls(frame, engine, verdicts, before)

    def __len__(self) -> int:
        return len(self.verdicts.status)

    def __iter__(self) -> Iterator[ScreenResult]:
        return self.results()

    # ------------------------------------------------------------------ counts

    def count(self, summary: ScreenSummary) -> ScreenSummary:
        """Fill ``summary`` with this pass's counts (what :meth:`ScreenSummary.add` adds
        row by row) and return it."""
        status = self.verdicts.status
        n = len(status)
        summary.name_entries = len(self.engine.index.words.entries)
        summary.total = n
        by_status = np.bincount(status, minlength=len(STATUSES))
        summary.counts = {name: int(by_status[i]) for i, name in enumerate(STATUSES)}
        summary.coded = n - summary.counts["invalid"]
        described = self.frame.data.column("description")
        summary.described = n - described.null_count
        summary.recovered = int(np.count_nonzero(self.verdicts.warning >= 0))
        summary.changes = Counter()
        if self.previous is not None and n:
            summary.compared = True
            before = self.previous[1].status
            pairs = before.astype(np.int16) * 8 + status
            changed = before != status
            kinds, counts = np.unique(pairs[changed], return_counts=True)
            for kind, many in zip(kinds.tolist(), counts.tolist(), strict=True):
                old, new = STATUSES[kind // 8], STATUSES[kind % 8]
                summary.changes[change_of(old, new)] += many
        return summary

    # ------------------------------------------------------------------ rows

    def results(self) -> Iterator[ScreenResult]:
        """Every row as a :class:`ScreenResult`, in file order (a fresh pass each call)."""
        for start in range(0, len(self), SLICE):
            yield from self._made(np.arange(start, min(start + SLICE, len(self))))

    def results_at(self, rows: np.ndarray) -> list[ScreenResult]:
        """The rows at ``rows`` (0-based places in the table) as results."""
        return list(self._made(np.asarray(rows, dtype=np.int64)))

    def _made(self, rows: np.ndarray) -> Iterator[ScreenResult]:
        taking = pa.array(rows)
        data = self.frame.data.take(taking)
        engine = self.engine
        verdicts = self.verdicts
        shapes, entries, words = engine.shapes, engine.entries, engine.words
        warnings: dict[int, str | None] = {}
        extras = [data.column(name).to_pylist() for name in self.frame.extra_names]
        kept = list(zip(*extras, strict=True)) if extras else None
        before: tuple[list[int], list[int]] | None = None
        previous_entries: tuple[Any, ...] = ()
        if self.previous is not None:
            old_engine, old = self.previous
            before = (old.status[rows].tolist(), old.entry[rows].tolist())
            previous_entries = old_engine.entries
        columns = zip(
            data.column("row").to_pylist(),
            data.column("sku").to_pylist(),
            data.column("description").to_pylist(),
            verdicts.digits.take(taking).to_pylist(),
            data.column("code").to_pylist(),
            verdicts.status[rows].tolist(),
            verdicts.shape[rows].tolist(),
            verdicts.shown.take(taking).to_pylist(),
            verdicts.entry[rows].tolist(),
            verdicts.words[rows].tolist(),
            verdicts.warning[rows].tolist(),
            strict=True,
        )
        for n, (row, sku, text, digits, cell, status, shape, shown, entry, said, warn) in enumerate(
            columns
        ):
            if shown is None and digits is not None:
                shown = _dotted(digits)
            warning = None
            if warn >= 0:
                if warn not in warnings:
                    warnings[warn] = engine.warnings[warn]()
                warning = warnings[warn]
            result = ScreenResult(
                row,
                sku,
                text,
                digits,
                cell,
                STATUSES[status],
                shapes[shape].reason(shown),
                entries[entry] if entry >= 0 else None,
                words[said],
                None,
                None,
                kept[n] if kept is not None else (),
                warning,
            )
            if before is not None:
                result.previous_status = STATUSES[before[0][n]]
                place = before[1][n]
                result.previous_entry = previous_entries[place] if place >= 0 else None
            yield result

    # ------------------------------------------------------------------ columns

    def column(self, name: str) -> pa.Array:
        """A column of the catalogue (``row``, ``sku``, ``description``, ``code`` as the
        cell reads, an extra column's name) as one Arrow array."""
        return _whole(self.frame.data.column(name))

    def reasons(
        self,
        lang: str,
        cell: Callable[[str], str] | None = None,
        shown: pa.Array | None = None,
    ) -> pa.Array:
        """Every row's reason as a sentence in ``lang``, each shape rendered once.

        Args:
            lang: The language.
            cell: Applied to each shape's sentence before the rows' codes go in (a
                report's spelling of a cell; the codes, digits and dots, change nothing
                it decides).
            shown: The rows' codes as reasons write them, when already at hand
                (:meth:`~exportctl.screen.shapes.Verdicts.shown_codes`).
        """
        codes = shown if shown is not None else self.verdicts.shown_codes()
        return self.sentences(lang, cell).of(self.verdicts.shape, codes)

    def sentences(self, lang: str, cell: Callable[[str], str] | None = None) -> Sentences:
        """The sentences of the shapes this run's rows have, in ``lang`` (see :meth:`reasons`)."""
        return sentences(self.engine, self.verdicts.shape, lang, cell)

    def statuses(self, previous: bool = False) -> np.ndarray:
        """Status numbers (places in :data:`~exportctl.screen.STATUSES`) per row."""
        if previous:
            if self.previous is None:
                raise ValueError("no version was compared")
            return self.previous[1].status
        return self.verdicts.status
