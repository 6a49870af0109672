"""What every report says about how it was made, and the options a writer is given.

A report is evidence that gets filed and signed, so each one carries the same record
(:class:`Evidence`): when it was made, in local time with its zone; by whom; with
which exportctl and against which database. The versions, notices, source files and
hashes it covers come with the subject (a change set, a screening run, an export).

:class:`ReportOptions` is what the CLI resolved for this run (language, CSV dialect,
how many rows a PDF lists) together with the evidence; every writer in
:mod:`exportctl.reports.registry` takes one.

Example:
    >>> options = ReportOptions(lang="ko", evidence=Evidence.now(operator="kim"))
    >>> options.text("evidence.operator")
    '작성자 (실행자)'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from exportctl.reports.language import Text, text_for

if TYPE_CHECKING:
    from exportctl.diff import VersionInfo

__all__ = ["CSV_DIALECTS", "CsvDialect", "Evidence", "ReportOptions", "database_label"]

CsvDialect = Literal["excel", "plain"]
"""``excel``: headers in words, a BOM, codes kept as text by a double-click in Excel;
``plain``: machine names as headers, codes as they are (for programs)."""
CSV_DIALECTS: tuple[CsvDialect, ...] = ("excel", "plain")
"""Every CSV dialect, the default first."""

PDF_ROWS = 1_000
"""Rows of each kind (change kind, screening status) a PDF lists by default.

1,000 keeps the PDF of a 200,000-change diff near 200 pages and within its time
budget (benchmarks/run.py, case ``report``: < 10 s, < 500 MB); the full table is
in the XLSX written beside it."""


def database_label(url: str) -> str:
    """A database URL as a report shows it: password hidden.

    Example:
        >>> database_label("postgresql+psycopg://kim:secret@db/exportctl")
        'postgresql+psycopg://kim:***@db/exportctl'
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@dataclass(frozen=True)
class Evidence:
    """How a report was made."""

    generated_at: dt.datetime
    """When, with its zone (the config file's ``timezone``, ``TZ``, or the machine's)."""
    operator: str
    """Who ran exportctl (``EXPORTCTL_ACTOR``, the config's ``actor`` or the OS user)."""
    tool_version: str
    """The exportctl version that wrote it."""
    database: str
    """The database it read, password hidden (:func:`database_label`)."""

    @classmethod
    def now(
        cls,
        *,
        operator: str,
        database: str = "",
        zone: dt.tzinfo | None = None,
        at: dt.datetime | None = None,
    ) -> Evidence:
        """The record of a report made now (or ``at``), in ``zone`` (UTC when None)."""
        from exportctl import __version__

        moment = at or dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return cls(
            generated_at=moment.astimezone(zone or dt.UTC),
            operator=operator,
            tool_version=__version__,
            database=database_label(database) if database else "",
        )

    def rows(self, text: Text) -> list[tuple[str, str]]:
        """Label/value pairs for a report's record block, in ``text``'s language."""
        rows = [
            (text("evidence.generated"), text.moment(self.generated_at)),
            (text("evidence.operator"), self.operator),
            (text("evidence.tool"), self.tool_version),
        ]
        if self.database:
            rows.append((text("evidence.database"), self.database))
        return rows


def _default_evidence() -> Evidence:
    from exportctl.config import current_actor

    return Evidence.now(operator=current_actor())


@dataclass(frozen=True)
class ReportOptions:
    """What a report writer is told besides its subject."""

    lang: str = "en"
    """``en`` or ``ko``."""
    evidence: Evidence = field(default_factory=_default_evidence)
    """How the report is made."""
    csv_dialect: CsvDialect = "excel"
    """See :data:`CsvDialect`."""
    pdf_rows: int = PDF_ROWS
    """Rows of each kind a PDF lists at most; the rest are counted and left to CSV/XLSX."""
    companion: str | None = None
    """Name of a file with the full table written beside this one (a PDF says so)."""

    @property
    def text(self) -> Text:
        """The words of :attr:`lang`."""
        return text_for(self.lang)


def version_rows(
    text: Text,
    *,
    label: str,
    notice: str = "",
    effective: dt.date | None = None,
    status: str = "approved",
    status_by: str | None = None,
    status_at: dt.datetime | None = None,
    source_file: str = "",
    source_sheet: str = "",
    source_sha256: str = "",
    item_count: int | None = None,
    zone: dt.tzinfo | None = None,
) -> list[tuple[str, str]]:
    """Label/value pairs that identify one version in a report, in ``text``'s language:
    label, notice, effective date, status (approved by whom and when), entries, source
    file and its SHA-256. ``zone`` is where times are shown (UTC when None)."""
    state = text.status(status)
    if status_by and status in ("approved", "withdrawn"):
        when = (
            text.moment(status_at.replace(tzinfo=status_at.tzinfo or dt.UTC).astimezone(zone))
            if status_at is not None
            else text("value.not_recorded")
        )
        state += " — " + text(f"evidence.{status}_by", who=status_by, when=when)
    rows = [(text("evidence.version"), label)]
    rows.append((text("evidence.notice"), notice or text("value.not_recorded")))
    rows.append((text("evidence.effective"), text.date(effective)))
    rows.append((text("evidence.status"), state))
    if item_count is not None:
        rows.append((text("evidence.items"), text.number(item_count)))
    sheet = f" [{source_sheet}]" if source_sheet else ""
    rows.append((text("evidence.source"), f"{source_file}{sheet}" if source_file else "—"))
    rows.append((text("evidence.source_sha256"), source_sha256 or "—"))
    return rows


def info_rows(
    text: Text, info: VersionInfo, *, zone: dt.tzinfo | None, notice: str | None = None
) -> list[tuple[str, str]]:
    """:func:`version_rows` of one side of a change set (``notice`` overrides its own)."""
    return version_rows(
        text,
        label=info.label,
        notice=(
            text.notice(info.notice_number, info.notice_date, info.amendment)
            if notice is None
            else notice
        ),
        effective=info.effective,
        status=info.status,
        status_by=info.status_by,
        status_at=info.status_at,
        source_file=info.source_file,
        source_sheet=info.source_sheet,
        source_sha256=info.source_sha256,
        item_count=info.item_count,
        zone=zone,
    )
