"""Changes between two versions and the reports that show them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Engine

from exportctl import store
from exportctl.config import current_actor
from exportctl.errors import InputError, VersionNotFoundError
from exportctl.i18n import _
from exportctl.models import Section, Version
from exportctl.progress import announce_total
from exportctl.reports import FORMATS
from exportctl.reports.evidence import ReportOptions

if TYPE_CHECKING:
    from sqlmodel import Session

    from exportctl.diff import ChangeSet, StoredVersion, VersionInfo
    from exportctl.identity import PartSide

REPORT_FORMATS: tuple[str, ...] = FORMATS
"""Formats :func:`write_change_report` writes."""


def _version_info(version: Version, sections: Sequence[Section] = ()) -> VersionInfo:
    """What reports say about ``version``, with its parts (``store.sections_of``)."""
    from exportctl.diff import SectionInfo, VersionInfo

    return VersionInfo(
        label=version.label,
        effective=version.effective,
        source_file=version.source_file,
        source_sha256=version.source_sha256,
        source_sheet=version.source_sheet,
        item_count=version.item_count,
        declared_total=version.declared_total,
        declared_added=version.declared_added,
        declared_removed=version.declared_removed,
        status=version.status,
        status_by=version.withdrawn_by if version.status == "withdrawn" else version.approved_by,
        status_at=version.withdrawn_at if version.status == "withdrawn" else version.approved_at,
        declared_warnings=tuple(version.warnings()),
        notice_number=version.notice_number,
        notice_date=version.published,
        amendment=version.amendment,
        sections=tuple(SectionInfo(s.number, s.title, s.item_count) for s in sections),
    )


def _by_label_or_date(session: Session, slug: str, ref: str, *, include_drafts: bool) -> Version:
    """The version labelled ``ref`` or, when no label matches and it reads as a date,
    the version in force on that date."""
    from exportctl.dates import parse_date

    try:
        return store.get_version(session, slug, ref)
    except VersionNotFoundError as missing:
        try:
            day = parse_date(ref)
        except ValueError:
            raise missing from None
    return store.version_as_of(session, slug, day, include_drafts=include_drafts)


def diff_versions(
    engine: Engine,
    slug: str,
    old: str,
    new: str,
    *,
    fields: Sequence[str] | None = None,
    include_drafts: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ChangeSet:
    """The changes from version ``old`` to version ``new`` of list ``slug``.

    Args:
        engine: The database.
        slug: List slug.
        old: Label of the old version, or a date: the version in force then.
        new: Label of the new version, or a date.
        include_drafts: A date may also fall on a draft (approved only otherwise).
        progress: Called with the items read so far; told the total first
            (:func:`exportctl.progress.announce_total`).
        fields: Fields compared for modifications (default
            :data:`exportctl.diff.DEFAULT_FIELDS`).

    Returns:
        The change set, with the list and both versions described for reports.

    Raises:
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version.
        InputError: ``fields`` names a field that cannot be compared.

    Example:
        >>> changes = diff_versions(engine, "kr-russia", "2024-02", "2024-06")
        >>> summarise(changes).statements
    """

    from exportctl.diff import DEFAULT_FIELDS, check_fields, compare_joined
    from exportctl.identity import pair_parts

    chosen = check_fields(fields) if fields is not None else DEFAULT_FIELDS
    with store.session_scope(engine) as session:
        control_list = store.get_list(session, slug)
        old_version = _by_label_or_date(session, slug, old, include_drafts=include_drafts)
        new_version = _by_label_or_date(session, slug, new, include_drafts=include_drafts)
        store.check_vouched(session, [old_version, new_version])
        old_parts = store.sections_of(session, old_version)
        new_parts = store.sections_of(session, new_version)
        # The older version is read in the newer one's part numbering, paired by
        # the rule the import's counts use; parts that hold no entry (a part left
        # out on import) pair with nothing.
        several = len(old_parts) > 1 or len(new_parts) > 1
        pairs = pair_parts(
            _sides(old_parts, store.StoredItems(session, old_version) if several else None),
            _sides(new_parts, store.StoredItems(session, new_version) if several else None),
        )
        announce_total(progress, old_version.item_count + new_version.item_count)
        # The database pairs the entries and hands over only those that may differ.
        paired = store.PairedVersions(session, old_version, new_version, pairs)
        changes = compare_joined(paired, fields=chosen, progress=progress)
        old_info = _version_info(old_version, old_parts)
        new_info = _version_info(new_version, new_parts)
    return dataclasses.replace(
        changes,
        list_slug=control_list.slug,
        list_name=control_list.name,
        old_version=old_info,
        new_version=new_info,
    )


def report_format(path: Path | None, fmt: str | None) -> str | None:
    """The report format from ``--format`` and the ``-o`` file's extension.

    Returns:
        ``csv``, ``xlsx``, ``pdf`` or ``json``; ``None`` when neither says.

    Raises:
        InputError: An unknown extension without ``--format``, or the two disagree.
    """
    if fmt is not None and fmt not in REPORT_FORMATS:
        raise InputError(
            _('unknown report format "{fmt}" (choose {choices})').format(
                fmt=fmt, choices=", ".join(REPORT_FORMATS)
            )
        )
    if path is None:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    inferred = suffix if suffix in REPORT_FORMATS else None
    if fmt is None:
        if inferred is None:
            raise InputError(
                _(
                    "{file}: cannot tell the report format from the extension; "
                    "give --format {choices}"
                ).format(file=path.name, choices="|".join(REPORT_FORMATS))
            )
        return inferred
    if inferred is not None and inferred != fmt:
        raise InputError(
            _("{file}: the extension says {inferred} but --format is {fmt}").format(
                file=path.name, inferred=inferred, fmt=fmt
            )
        )
    return fmt


def write_change_report(
    engine: Engine,
    changes: ChangeSet,
    fmt: str,
    target: Path | TextIO,
    *,
    actor: str | None = None,
    generated_at: dt.datetime | None = None,
    options: ReportOptions | None = None,
) -> str:
    """Write a change report and record it in the audit log with its SHA-256.

    The report goes through :func:`exportctl.api.outputs.publish`: complete or not
    at all, to a file or a stream, recorded before it is delivered.

    Args:
        engine: The database holding the audit log.
        changes: From :func:`diff_versions`.
        fmt: ``csv``, ``xlsx``, ``pdf`` or ``json``.
        target: A file path, or a text stream (``csv`` and ``json`` only), e.g.
            standard output; the hash is taken over the bytes written.
        actor: Who writes it (the OS user when None); ignored with ``options``.
        generated_at: When (now when None); ignored with ``options``.
        options: Language, dialect and the report's record (made from ``actor``
            and ``generated_at`` when None).

    Returns:
        The SHA-256 of the report.

    Raises:
        InputError: An unknown format, or a binary format asked for a stream.
    """
    from exportctl.api.outputs import publish
    from exportctl.diff import summarise
    from exportctl.reports.evidence import Evidence

    if fmt not in REPORT_FORMATS:
        raise InputError(
            _('unknown report format "{fmt}" (choose {choices})').format(
                fmt=fmt, choices=", ".join(REPORT_FORMATS)
            )
        )
    if options is None:
        options = ReportOptions(
            evidence=Evidence.now(operator=actor or current_actor(), at=generated_at)
        )
    summary = summarise(changes)
    old = changes.old_version.label if changes.old_version else None
    new = changes.new_version.label if changes.new_version else None
    written = publish(
        engine,
        "changes",
        fmt,
        changes,
        target,
        options,
        action="report",
        slug=changes.list_slug or None,
        label=new,
        detail={
            "report": "diff",
            "from": old,
            "to": new,
            "fields": list(changes.fields),
            "added": summary.added,
            "removed": summary.removed,
            "modified": summary.modified,
            "kinds": summary.kinds,
            "reconciles": summary.reconciles,
        },
    )
    return written.sha256


def _sides(parts: Sequence[Section], items: StoredVersion | None) -> dict[int, PartSide]:
    """A version's parts with entries as :func:`~exportctl.identity.pair_parts` sees them:
    title, and (``items`` given) the keys of their entries."""
    from exportctl.identity import PartSide, entry_key

    keys: dict[int, set[str]] = {}
    if items is not None:
        for code, description, section in items.rows(("code", "description", "section")):
            # SQLite hands text over as UTF-8 bytes (StoredItems.rows).
            text = description.decode() if isinstance(description, bytes) else description
            keys.setdefault(section, set()).add(entry_key(code, text or ""))
    return {
        part.number: PartSide(part.title, frozenset(keys.get(part.number, ())))
        for part in parts
        if part.item_count
    }
