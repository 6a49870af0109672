"""Export a version to send on: every item with where it came from.

``export_version`` writes a version as a workbook (or CSV, JSON) with every
item's provenance, through the one delivery path of every report (audited).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.config import current_actor
from exportctl.errors import InputError
from exportctl.models import Version

if TYPE_CHECKING:
    from exportctl.reports.evidence import ReportOptions
    from exportctl.reports.export import ExportFormat, Source

__all__ = ["export_version"]


def _sources(session: Any, version: Version, count: int) -> list[Source]:
    """Where each of a version's items came from, by position.

    An additions-only import stores its base version's items first, then the
    rows of its own file; those carried items came from the base's file (and so
    on down the chain), not from this version's.
    """
    from exportctl.reports.export import Source

    own = Source(version.label, version.source_file, version.source_sha256)
    if not version.additions_only or version.base_version_id is None:
        return [own] * count
    base = session.get(Version, version.base_version_id)
    if base is None:
        return [own] * count
    carried = min(base.item_count, count)
    return _sources(session, base, carried) + [own] * (count - carried)


def export_version(
    engine: Engine,
    slug: str,
    label: str,
    path: Path,
    fmt: ExportFormat | str | None = None,
    *,
    actor: str | None = None,
    options: ReportOptions | None = None,
) -> str:
    """Write a version with every item's provenance to a file, and record it.

    The file appears only once complete and replaces ``path`` if it exists (the
    CLI refuses that without ``--force``). The export is recorded in the audit
    log with the file's SHA-256.

    Args:
        engine: The database.
        slug: The list.
        label: The version's label.
        path: The file to write.
        fmt: ``xlsx``, ``csv`` or ``json``; from the extension of ``path`` when None.
        actor: Who exports (the current user when None); ignored with ``options``.
        options: Language, CSV dialect and the record of who made it.

    Returns:
        The SHA-256 of the file written.

    Raises:
        InputError: The format is not one of xlsx, csv, json.
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version.

    Example:
        >>> export_version(engine, "kr-russia", "2024-06", Path("kr-russia-2024-06.xlsx"))
        '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
    """
    from exportctl.api.outputs import publish
    from exportctl.reports.evidence import Evidence, ReportOptions
    from exportctl.reports.export import VersionExport, export_format

    try:
        chosen = export_format(path, fmt)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    with store.session_scope(engine) as session:
        version = store.get_version(session, slug, label)
        control_list = store.get_list(session, slug)
        store.check_vouched(session, [version])
        items = store.load_items(session, version)
        sections = store.sections_of(session, version)
        sources = _sources(session, version, len(items))
        base = (
            session.get(Version, version.base_version_id)
            if version.base_version_id is not None
            else None
        )
    export = VersionExport(
        slug=slug,
        list_name=control_list.name,
        label=version.label,
        effective=version.effective,
        status=version.status,
        source_file=version.source_file,
        source_sheet=version.source_sheet,
        source_sha256=version.source_sha256,
        imported_at=version.imported_at,
        imported_by=version.imported_by,
        additions_only=version.additions_only,
        base=base.label if base is not None else None,
        approval=version.status_text(),
        status_by=version.withdrawn_by if version.status == "withdrawn" else version.approved_by,
        status_at=version.withdrawn_at if version.status == "withdrawn" else version.approved_at,
        declared_warnings=version.warnings(),
        notice_number=version.notice_number,
        notice_authority=version.notice_authority,
        notice_date=version.published,
        amendment=version.amendment,
        sections=[(part.number, part.title, part.item_count) for part in sections]
        if len(sections) > 1 or any(part.title for part in sections)
        else [],
        items=items,
        sources=sources,
    )
    written = publish(
        engine,
        "version",
        chosen,
        export,
        path,
        options or ReportOptions(evidence=Evidence.now(operator=actor or current_actor())),
        action="export",
        slug=slug,
        label=version.label,
        detail={
            "items": len(items),
            "source_file": version.source_file,
            "source_sha256": version.source_sha256,
        },
    )
    return written.sha256
