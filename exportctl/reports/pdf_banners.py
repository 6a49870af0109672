"""Page 1 says what the document is: banners for what a reader must know first.

A PDF report is filed and signed; someone who reads only its first page must not take
a draft for the list in force, a partial listing for the whole, or a report whose
counts do not add up for a clean one. Each condition below puts one bold line in a
red box under the title, in the report's language:

* ``draft`` / ``withdrawn``: a version the report is about is not an approved one
  (a draft is not in force yet; a withdrawn version never is again);
* ``reversed``: the change report's old version takes effect after its new one, so
  its additions and removals are the other way round;
* ``partial``: ``--pdf-rows`` cut the tables (the full table is elsewhere);
* ``nothing``: the screening screened no row, which is not "all clear";
* ``not_reconciled``: the tie-out fails (change report), or the screening's counts
  per verdict do not add up to its rows.

The sentences are keyed messages ``banner.*`` of the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exportctl.reports.pdf_document import para

if TYPE_CHECKING:
    from exportctl.diff import ChangeSet, Summary, VersionInfo
    from exportctl.reports.language import Text
    from exportctl.screen.report import ScreenReport

__all__ = ["banner_story", "change_banners", "screening_banners"]

_NOT_IN_FORCE = ("draft", "withdrawn")
"""Version statuses a report says on page 1 (``approved`` is the normal case)."""


def _status_banner(text: Text, label: str, status: str) -> list[str]:
    if status in _NOT_IN_FORCE:
        return [text(f"banner.{status}", version=label)]
    return []


def _partial_banner(text: Text, listed: int, total: int, where: str) -> list[str]:
    if listed < total:
        return [
            text(
                "banner.partial",
                shown=text.number(listed),
                total=text.number(total),
                where=where or text("report.partial_elsewhere"),
            )
        ]
    return []


def _reversed(old: VersionInfo, new: VersionInfo) -> bool:
    return old.effective is not None and new.effective is not None and old.effective > new.effective


def change_banners(
    changes: ChangeSet, summary: Summary, text: Text, *, listed: int, total: int, where: str
) -> list[str]:
    """The banners of a change report's page 1, most serious first."""
    found: list[str] = []
    old, new = changes.old_version, changes.new_version
    for info in (old, new):
        if info is not None:
            found += _status_banner(text, info.label, info.status)
    if old is not None and new is not None and _reversed(old, new):
        found.append(
            text(
                "banner.reversed",
                old=old.label,
                new=new.label,
                old_date=text.date(old.effective),
                new_date=text.date(new.effective),
            )
        )
    if not summary.reconciles:
        found.append(text("banner.not_reconciled"))
    return found + _partial_banner(text, listed, total, where)


def screening_banners(
    report: ScreenReport, text: Text, *, listed: int, total: int, where: str
) -> list[str]:
    """The banners of a screening report's page 1 (its summary must be complete)."""
    summary = report.summary
    found = _status_banner(text, report.version, report.status)
    if summary.nothing_screened:
        found.append(text("banner.nothing", why=summary.nothing_screened_warning(text) or ""))
    # Every row gets exactly one verdict; if they do not add up, a row went missing.
    counted = sum(summary.counts.values())
    if counted != summary.total:
        found.append(
            text(
                "banner.counts_differ",
                counted=text.number(counted),
                total=text.number(summary.total),
            )
        )
    return found + _partial_banner(text, listed, total, where)


def banner_story(lines: list[str], styles: dict[str, Any]) -> list[Any]:
    """One boxed line per banner (the ``notice`` style, in red)."""
    return [para(line, styles["notice"]) for line in lines]
