"""A screening run with what was screened against what: :class:`ScreenReport`.

Its results come streamed from :func:`~exportctl.screen.results.screen_rows` or
held in one :class:`~exportctl.screen.table.ResultTable` (the columnar engine); it
stands above both, so neither needs the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exportctl.bulk import paused_gc
from exportctl.i18n import using
from exportctl.models import notice_text
from exportctl.screen.results import ScreenResult, ScreenSummary

if TYPE_CHECKING:
    from exportctl.readers.rows import Note
    from exportctl.reports.language import Text
    from exportctl.screen.table import ResultTable

__all__ = ["ScreenReport"]


@dataclass
class ScreenReport:
    """A screening run: what was screened against what, and its results.

    Held in one :attr:`table` (the columnar engine), ``results`` can be read once per
    output and ``summary`` is complete from the start; streamed by :func:`screen_rows`,
    ``results`` can be read once and ``summary`` is complete after it.
    """

    slug: str
    """List screened against."""
    version: str
    """Label of the version screened against."""
    effective: str | None
    """That version's effective date (ISO)."""
    compare: str | None
    """Label of the older version compared with, if any."""
    file: str
    """Catalogue file name."""
    sheet: str | None
    """Catalogue sheet read (None for CSV)."""
    sha256: str
    """SHA-256 of the catalogue file."""
    columns: dict[str, str]
    """Field -> catalogue header used."""
    results: Iterable[ScreenResult]
    """One result per catalogue row, in file order."""
    summary: ScreenSummary = field(default_factory=ScreenSummary)
    """Counts, filled while ``results`` is read."""
    notes: list[Note] = field(default_factory=list)
    """Plain sentences about the catalogue (unmapped columns, reader notes); readers add
    some (skipped footnote rows) while ``results`` is read, so it is complete after."""
    extra_columns: list[str] = field(default_factory=list)
    """Headers of the catalogue's other columns, as written; results carry their cells
    in :attr:`ScreenResult.extra` and the reports copy them beside the verdict."""
    status: str = "approved"
    """Status of the version screened against: ``draft`` only with ``--include-drafts``
    (or a label naming a draft), ``withdrawn`` only by label."""
    notice_number: str | None = None
    """Number of the notice the version screened against comes from."""
    notice_date: str | None = None
    """Date of that notice (ISO)."""
    amendment: str | None = None
    """The annex's amendment marker as printed."""
    sections: dict[int, str] = field(default_factory=dict)
    """The version's parts, number -> title."""
    list_name: str = ""
    """The list's display name."""
    as_of: dt.date | None = None
    """The date asked for (``--as-of``, or today when no version was named)."""
    status_by: str | None = None
    """Who approved (or withdrew) the version screened against."""
    status_at: dt.datetime | None = None
    """When (UTC)."""
    source_file: str = ""
    """File that version was imported from."""
    source_sheet: str = ""
    """Sheet or table read from it."""
    source_sha256: str = ""
    """Its SHA-256."""
    item_count: int | None = None
    """Entries in that version."""
    table: ResultTable | None = None
    """The whole pass as one table (the columnar engine), which every output is
    written from; None for a stream of :func:`screen_rows`."""

    @property
    def notice(self) -> str:
        """``notice 제2024-123호 of 2024-06-28, <개정 2024. 6. 28.>``; ``""`` when unknown."""
        return notice_text(self.notice_number, self.notice_date, self.amendment)

    def __post_init__(self) -> None:
        self.summary.description_column = self.columns.get("description")
        self.summary.code_column = self.columns.get("code")
        self.summary.catalogue = self.file

    @property
    def description_checked(self) -> bool:
        """See :attr:`ScreenSummary.description_checked` (complete after ``results``)."""
        return self.summary.description_checked

    @property
    def nothing_screened(self) -> bool:
        """See :attr:`ScreenSummary.nothing_screened` (complete after ``results``)."""
        return self.summary.nothing_screened

    @property
    def warnings(self) -> list[str]:
        """See :attr:`ScreenSummary.warnings` (complete after ``results``)."""
        return self.summary.warnings

    def warnings_in(self, text: Text | None) -> list[str]:
        """See :meth:`ScreenSummary.warnings_in` (complete after ``results``)."""
        return self.summary.warnings_in(text)

    def english_warnings(self) -> list[str]:
        """:attr:`warnings` in English, as the JSON report keeps them (machine-read)."""
        with using("en"):
            return self.summary.warnings_in(None)

    def header_json(self) -> dict[str, Any]:
        """Everything of the JSON report but ``summary`` and ``rows``."""
        return {
            "list": self.slug,
            "version": self.version,
            "effective": self.effective,
            "compare": self.compare,
            "file": self.file,
            "sheet": self.sheet,
            "sha256": self.sha256,
            "status": self.status,
            "notice_number": self.notice_number,
            "notice_date": self.notice_date,
            "amendment": self.amendment,
            "sections": [
                {"number": number, "title": title}
                for number, title in sorted(self.sections.items())
            ],
            "description_checked": self.description_checked,
            "nothing_screened": self.nothing_screened,
            "warnings": self.english_warnings(),
            "extra_columns": list(self.extra_columns),
            "list_name": self.list_name or None,
            "as_of": self.as_of.isoformat() if self.as_of is not None else None,
            "status_by": self.status_by,
            "status_at": _utc_iso(self.status_at),
            "source_file": self.source_file or None,
            "source_sheet": self.source_sheet or None,
            "source_sha256": self.source_sha256 or None,
            "item_count": self.item_count,
        }

    @paused_gc()
    def drain(self) -> ScreenSummary:
        """Read the remaining results to count them (a held run has); returns the summary."""
        if self.table is not None:
            return self.summary
        for _result in self.results:
            pass
        return self.summary


def _utc_iso(moment: dt.datetime | None) -> str | None:
    """A stored time (naive means UTC) as ISO 8601 with its offset."""
    if moment is None:
        return None
    return moment.replace(tzinfo=moment.tzinfo or dt.UTC).isoformat(timespec="seconds")
