"""What page 1 of every PDF report carries and how a report is laid out around it:
the complete/partial statement, the sign-off block, the footer with the local time,
and :func:`build_report` (contents page, metadata, bookmarks) over
:func:`exportctl.reports.pdf_document.build_document`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from exportctl.reports.pdf_document import Outline, build_document, data_table, para

CONTENTS_MIN_ROWS = 100
"""A contents page is added when the tables list more than this many rows (about
four pages of tables); a shorter report is read from page 1 and its bookmarks."""


def build_report(
    target: Path | IO[bytes],
    page_one: list[Any],
    body: list[Any],
    *,
    text: Any,
    styles: dict[str, Any],
    options: Any,
    outline: Outline,
    listed: int,
    title: str,
    subject: str,
    keywords: str,
) -> None:
    """Lay out a report: page 1 (the record), a contents page when more than
    :data:`CONTENTS_MIN_ROWS` rows are listed, then the body; footer, metadata and
    bookmarks from ``options.evidence`` and ``outline``."""
    from exportctl import __version__

    story = list(page_one)
    if listed > CONTENTS_MIN_ROWS:
        story += outline.contents(text("report.contents"), styles)
        story.append(_page_break())
    story += body
    evidence = options.evidence
    build_document(
        target,
        story,
        title=title,
        footer=evidence_footer(text, title, evidence.generated_at),
        author=evidence.operator,
        subject=subject,
        keywords=keywords,
        creator=f"exportctl {evidence.tool_version or __version__}",
        outline=outline,
    )


def _page_break() -> Any:
    from reportlab.platypus import PageBreak

    return PageBreak()


def completeness(
    text: Any,
    styles: dict[str, Any],
    options: Any,
    *,
    listed: int,
    total: int,
    keys: tuple[str, str],
) -> Any:
    """Page 1's statement that the PDF lists every row, or at most ``options.pdf_rows``
    of each kind and where the full table is; ``keys`` are the word catalogue's
    (partial, complete) sentences. The partial one is set in the notice style."""
    partial, complete = keys
    if listed < total:
        statement = text(
            partial,
            limit=text.number(options.pdf_rows),
            shown=text.number(listed),
            total=text.number(total),
            where=options.companion or text("report.partial_elsewhere"),
        )
        return para(statement, styles["notice"])
    return para(text(complete), styles["statement"])


def local_date(moment: dt.datetime | None, zone: dt.tzinfo | None) -> str:
    """The date of ``moment`` (naive = UTC) in ``zone``, ISO; ``""`` for None."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).date().isoformat()


def signoff_story(
    text: Any,
    *,
    operator: str,
    prepared_on: dt.date,
    version: str | None,
    status: str | None,
    approved_by: str | None,
    approved_at: dt.datetime | None,
    zone: dt.tzinfo | None,
    styles: dict[str, Any],
    width: float,
) -> list[Any]:
    """The sign-off (결재) block and, under it, the list version's approval as a fact.

    The block records only what happened: the report was prepared by the operator
    today; review and approval of *this report* are blank lines to sign by hand. The
    version's own approval (who approved the list version, when) is a fact about the
    version, so it is said beside the block, never written into its approval line.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    tall = Spacer(1, 9 * mm)
    rows = [
        [text("signoff.prepared"), operator, prepared_on.isoformat(), tall],
        [text("signoff.reviewed"), "", "", tall],
        [text("signoff.approved"), "", "", tall],
    ]
    header = [
        text("signoff.role"),
        text("signoff.name"),
        text("signoff.date"),
        text("signoff.signature"),
    ]
    shares = (0.16, 0.3, 0.18, 0.36)
    story: list[Any] = [para(text("signoff.heading"), styles["h3"])]
    story += data_table(header, rows, [width * s for s in shares], styles=styles)
    story.append(para(text("signoff.note"), styles["small"]))
    if version is not None:
        if status == "approved" and approved_by:
            fact = text(
                "signoff.version_approved",
                version=version,
                name=approved_by,
                date=local_date(approved_at, zone) or text("value.undated"),
            )
        else:
            fact = text(
                "signoff.version_not_approved",
                version=version,
                status=text.status(status or "draft"),
            )
        story.append(para(fact, styles["body"]))
    return story


def evidence_footer(
    text: Any, title: str, generated_at: dt.datetime
) -> Callable[[int, int], tuple[str, str]]:
    """Footer texts of a report: title and local generation time; "page N of M"."""
    left = text("pdf.footer", title=title, moment=text.moment(generated_at))

    def footer(page: int, total: int) -> tuple[str, str]:
        return left, text("report.page", page=f"{page:,}", total=f"{total:,}")

    return footer
