"""``convert``: a version of a list converted to another HS edition, stored as a draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.config import current_actor
from exportctl.convert import Conversion, convert_items
from exportctl.errors import DuplicateSourceError, InputError
from exportctl.hscode.correlation import (
    LEGAL_NOTICE,
    LEGAL_NOTICE_KO,
    CorrelationTable,
    bundled,
    edition_name,
    load_table,
)
from exportctl.i18n import _
from exportctl.limits import DEFAULTS, Limits
from exportctl.models import Version

__all__ = ["DEFAULT_FROM", "ConvertResult", "convert_version", "correlation_table"]

DEFAULT_FROM = "HS2022"
"""The edition a version is taken to be in when ``--from`` is not given."""


@dataclass
class ConvertResult:
    """A conversion stored: the new draft version and what to review."""

    slug: str
    source: Version
    """The version converted (the new version's base)."""
    version: Version
    """The new draft version."""
    conversion: Conversion
    legal_notice: str = LEGAL_NOTICE
    legal_notice_ko: str = LEGAL_NOTICE_KO
    detail: dict[str, Any] = field(default_factory=dict)
    """What the import event recorded besides the digests."""

    def to_json(self) -> dict[str, Any]:
        """The ``convert --json`` object."""
        table = self.conversion.table
        return {
            "list": self.slug,
            "converted_from": self.source.label,
            "version": self.version.label,
            "status": self.version.status,
            "from_edition": table.source,
            "to_edition": table.target,
            "table": table.describe(),
            "count": len(self.conversion.entries),
            "counts": self.conversion.counts,
            "review": [entry.to_json() for entry in self.conversion.review],
            "legal_notice": self.legal_notice,
            "legal_notice_ko": self.legal_notice_ko,
        }


def correlation_table(
    to_edition: str,
    from_edition: str | None = None,
    table: Path | None = None,
    *,
    limits: Limits = DEFAULTS,
) -> CorrelationTable:
    """The table a conversion reads: ``table`` (a file) or a shipped one.

    Raises:
        InputError: An unknown edition, no such table, or a file in another format.
    """
    source = edition_name(from_edition or DEFAULT_FROM)
    target = edition_name(to_edition)
    if source == target:
        raise InputError(
            _("the list is already in {edition}: give another --to edition").format(edition=source)
        )
    if table is not None:
        return load_table(table, source, target, limits=limits)
    return bundled(source, target)


def _edition_of(source: Version, given: str | None) -> str:
    """The edition the version converted is in: the one recorded at import
    (``version.hs_edition``), else ``--from``, else :data:`DEFAULT_FROM`.

    Raises:
        InputError: ``--from`` contradicts the edition the version records.
    """
    recorded = edition_name(source.hs_edition) if source.hs_edition else None
    if given is None:
        return recorded or DEFAULT_FROM
    chosen = edition_name(given)
    if recorded is not None and chosen != recorded:
        raise InputError(
            _(
                "{label} is recorded in {recorded}, not {chosen}: drop --from, or convert "
                "from {recorded}"
            ).format(label=source.label, recorded=recorded, chosen=chosen)
        )
    return chosen


def convert_version(
    engine: Engine,
    slug: str,
    label: str,
    to_edition: str,
    *,
    from_edition: str | None = None,
    new_label: str | None = None,
    table: Path | None = None,
    effective: dt.date | None = None,
    actor: str | None = None,
    limits: Limits = DEFAULTS,
) -> ConvertResult:
    """Convert version ``label`` of list ``slug`` to ``to_edition`` as a new draft version.

    The new version revises the one converted (its base), holds one entry per
    entry, in the same parts, and is stored and audited as an import whose detail
    says ``converted_from``, ``from_edition``, ``to_edition``, the table (file and
    SHA-256) and every entry to ``review``. Its source file is the table; its source
    sheet says which version was converted, so the same conversion is not stored twice.
    Correlation tables are not legal instruments: the result says so
    (:data:`LEGAL_NOTICE`).

    Args:
        engine: The database.
        slug: The list.
        label: The version to convert.
        to_edition: ``HS2017``, ``HS2022``... (``2017`` works too).
        from_edition: The version's edition (:data:`DEFAULT_FROM` when None).
        new_label: The new version's label (``LABEL-HS2017`` when None).
        table: A correlation table file (:mod:`exportctl.hscode.correlation`);
            a shipped one when None. It is checked as every input file is.
        effective: The new version's effective date.
        actor: Who converts (the current user when None).
        limits: The caps the table file is read under.

    Raises:
        InputError: Unknown edition, no table, or a bad table file.
        VersionNotFoundError: No such version.
        VersionExistsError: The new label is taken.
        DuplicateSourceError: The version was already converted with this table.

    Example:
        >>> result = convert_version(engine, "kr-russia", "2024-06", "HS2017")
        >>> result.version.label, result.conversion.counts["review"]
        ('2024-06-HS2017', 569)
    """
    from exportctl.values import check_text

    with store.session_scope(engine) as session:
        source = store.get_version(session, slug, label)
        # A converted version is vouched for anew: it must come from what the chain recorded.
        store.check_vouched(session, [source])
        chosen = correlation_table(
            to_edition, _edition_of(source, from_edition), table, limits=limits
        )
        target_label = new_label or f"{label}-{chosen.target}"
        check_text(target_label, "--version", max_length=100)
        sheet = f"{source.label} {chosen.source}→{chosen.target}"
        done = store.find_source(session, source.list_id, chosen.sha256, sheet)
        if done is not None:
            raise DuplicateSourceError(
                _(
                    'version "{label}" of list "{slug}" was already converted to {target} '
                    'with {table} as version "{done}"; withdraw that version to convert again'
                ).format(
                    label=source.label,
                    slug=slug,
                    target=chosen.target,
                    table=chosen.name,
                    done=done.label,
                )
            )
        items = store.load_items(session, source)
        parts = store.sections_of(session, source)
        conversion = convert_items(items, chosen)
        review = [entry.to_json() for entry in conversion.review]
        detail: dict[str, Any] = {
            "converted_from": {
                "label": source.label,
                "items_digest": source.items_digest,
                "record_digest": source.record_digest,
            },
            "from_edition": chosen.source,
            "to_edition": chosen.target,
            "table": chosen.describe(),
            "counts": conversion.counts,
            "review": review,
            "base": source.label,
            "legal_notice": LEGAL_NOTICE,
        }
        new = store.NewVersion(
            slug=slug,
            label=target_label,
            source_file=chosen.name,
            source_sha256=chosen.sha256,
            source_sheet=sheet,
            actor=actor or current_actor(),
            effective=effective,
            base=source,
            create_list=False,
            source_columns=source.columns(),
            sections=[store.NewSection(part.number, part.title) for part in parts],
            hs_edition=chosen.target,
        )
        version = store.store_version(session, new, conversion.items, detail)
    return ConvertResult(slug, source, version, conversion, detail=detail)
