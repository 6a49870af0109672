"""Screening one catalogue against several lists at once: one status per list per row,
and an overall verdict.

Each list's run (:class:`ScreenReport`) reads the catalogue in file order, so the
runs are walked side by side, a row of each at a time; nothing holds the catalogue.
The overall verdict of a row is its most severe status across the lists:
controlled, then review, then invalid (no usable code), then clear.

Example:
    >>> combined = CombinedReport([report_kr, report_chpl])
    >>> for row in combined.rows:
    ...     print(row.row, row.overall, row.statuses)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from exportctl.screen.index import STATUSES, Status
from exportctl.screen.report import ScreenReport
from exportctl.screen.results import ScreenResult

__all__ = ["OVERALL_ORDER", "CombinedReport", "CombinedRow", "overall_status"]

OVERALL_ORDER: tuple[Status, ...] = ("controlled", "review", "invalid", "clear")
"""Statuses from the one that decides a row's overall verdict first."""


def overall_status(statuses: Sequence[Status]) -> Status:
    """The most severe of ``statuses`` (see :data:`OVERALL_ORDER`).

    Example:
        >>> overall_status(["clear", "review"])
        'review'
    """
    for status in OVERALL_ORDER:
        if status in statuses:
            return status
    return "clear"


@dataclass(frozen=True, slots=True)
class CombinedRow:
    """One catalogue row screened against every list."""

    results: tuple[ScreenResult, ...]
    """The row's result against each list, in the order the lists were given."""

    @property
    def first(self) -> ScreenResult:
        """The result against the first list (the row's own cells are the same in all)."""
        return self.results[0]

    @property
    def row(self) -> int:
        """Row number in the catalogue."""
        return self.first.row

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The status against each list."""
        return tuple(result.status for result in self.results)

    @property
    def overall(self) -> Status:
        """The overall verdict (:func:`overall_status`)."""
        return overall_status(self.statuses)

    def to_json(self, slugs: Sequence[str]) -> dict[str, Any]:
        """The row of ``screen --json`` with several lists."""
        first = self.first.to_json()
        keys: tuple[str, ...] = ("row", "sku", "description", "code")
        shared: dict[str, Any] = {key: first[key] for key in keys if key in first}
        return {
            **shared,
            "overall": self.overall,
            "lists": {
                slug: {k: v for k, v in result.to_json().items() if k not in shared}
                for slug, result in zip(slugs, self.results, strict=True)
            },
        }


@dataclass
class CombinedReport:
    """Several screening runs of one catalogue, read side by side."""

    reports: list[ScreenReport]
    """One run per list, in the order given; each one's results are consumed here."""
    overall: Counter[str] = field(default_factory=Counter)
    """Rows by overall verdict, complete once :attr:`rows` is read."""

    @property
    def slugs(self) -> list[str]:
        """The lists, in order."""
        return [report.slug for report in self.reports]

    @property
    def rows(self) -> Iterator[CombinedRow]:
        """The rows, each screened against every list (read once)."""
        streams = [iter(report.results) for report in self.reports]
        for results in zip(*streams, strict=True):
            row = CombinedRow(tuple(results))
            self.overall[row.overall] += 1
            yield row

    @property
    def total(self) -> int:
        """Rows screened (complete once :attr:`rows` is read)."""
        return sum(self.overall.values())

    def overall_json(self) -> dict[str, int]:
        """Rows by overall verdict, every status present."""
        return {status: self.overall[status] for status in STATUSES} | {"total": self.total}
