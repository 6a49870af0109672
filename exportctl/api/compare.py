"""``compare``: which entries of one list another list covers, and its reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from sqlalchemy import Engine

from exportctl import store
from exportctl.crosslist import CrossList, Side, compare_lists
from exportctl.reports.evidence import ReportOptions

__all__ = ["compare_versions", "write_crosslist_report"]


def _side(
    engine: Engine,
    slug: str,
    label: str | None,
    as_of: dt.date | None,
    include_drafts: bool,
) -> Side:
    from exportctl.api.browse import resolve_version

    version = resolve_version(
        engine, slug, label=label, as_of=as_of or dt.date.today(), include_drafts=include_drafts
    )
    with store.session_scope(engine) as session:
        store.check_vouched(session, [version])
        items = store.load_items(session, version)
        name = store.get_list(session, slug).name
    return Side(slug, version.label, name, version.status, version.effective, items)


def compare_versions(
    engine: Engine,
    slug_a: str,
    slug_b: str,
    *,
    label_a: str | None = None,
    label_b: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
) -> CrossList:
    """For each entry of list ``slug_a``, whether list ``slug_b`` covers it.

    Each list's version is the one given by label, else the one in force on
    ``as_of`` (today when None).

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version, or none in force on the day.

    Example:
        >>> result = compare_versions(engine, "chpl", "kr-russia", as_of=dt.date(2024, 9, 1))
        >>> result.counts["not_covered"]
    """
    a = _side(engine, slug_a, label_a, as_of, include_drafts)
    b = _side(engine, slug_b, label_b, as_of, include_drafts)
    return compare_lists(a, b)


def write_crosslist_report(
    engine: Engine,
    result: CrossList,
    fmt: str,
    target: Path | IO[str],
    *,
    options: ReportOptions | None = None,
) -> str:
    """Write a comparison report (csv, xlsx or json) and record it in the audit log.

    Returns:
        The SHA-256 of the bytes written.

    Raises:
        InputError: The format is not one the comparison is written in.
    """
    from exportctl.api.outputs import publish

    written = publish(
        engine,
        "crosslist",
        fmt,
        result,
        target,
        options or ReportOptions(),
        action="compare",
        slug=result.a.slug,
        label=result.a.label,
        detail={
            "list_b": result.b.slug,
            "version_b": result.b.label,
            "counts": result.counts,
        },
    )
    return written.sha256
