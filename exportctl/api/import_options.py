"""What an import is asked to do (:class:`ImportOptions`) and what it gives back
(:class:`ImportResult`): the API's words for an import, apart from its steps
(:mod:`exportctl.api.imports`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportctl.limits import DEFAULTS, Limits
from exportctl.models import ValidationReport, Version

if TYPE_CHECKING:
    from exportctl.annex import Notice
    from exportctl.parts import PartReport
    from exportctl.structure import Structure
    from exportctl.validate import Declared

__all__ = ["ImportOptions", "ImportResult"]


def _no_declared() -> Declared:
    from exportctl.validate import Declared

    return Declared()


@dataclass
class ImportOptions:
    """Everything ``import`` and ``validate`` take besides the file."""

    slug: str
    """List slug; the list must exist unless ``create_list``."""
    label: str
    """Version label."""
    effective: dt.date | None = None
    """Date the version takes effect."""
    sheet: str | None = None
    """Sheet to read (detected when None)."""
    table: int | None = None
    """Table of a PDF or HWPX document to read, 1-based (detected when None)."""
    overrides: Mapping[str, str] = field(default_factory=dict)
    """Field → header overrides (``--column``)."""
    encoding: str | None = None
    """CSV encoding (detected when None)."""
    base: str | None = None
    """Label of the version this one revises."""
    additions: bool = False
    """The file holds only additions to ``base``."""
    declared: Declared = field(default_factory=_no_declared)
    """Counts the notice declares."""
    actor: str | None = None
    """Who imports (the OS user when None)."""
    list_name: str | None = None
    """Human name for a list created by this import."""
    create_list: bool = False
    """Create the list when it does not exist (``import --create-list``)."""
    approve: bool = False
    """Store the version approved by the importer alone, recorded as a one-person sign-off."""
    section: str | None = None
    """Keep only the annex part with this number or this word in its title (``--section``)."""
    declared_parts: Mapping[int, Declared] = field(default_factory=dict)
    """Counts the notice declares by part number (``--declared-total 2=1402``)."""
    notice: str | None = None
    """The notice number, normalised (``제2024-123호``); overrides the file's title lines."""
    notice_date: dt.date | None = None
    """The notice date; overrides the file's title lines."""
    profile: str | None = None
    """Regime profile to read the file with: the list's own when None (the default
    profile for a list without one); for a list created by this import, its profile."""
    profile_folders: tuple[Path, ...] = ()
    """Folders holding user profiles (``NAME.toml``), searched after the built-in ones."""
    hs_edition: str | None = None
    """HS edition of the file's codes (``HS2022``); the profile's default when None."""
    limits: Limits = DEFAULTS
    """Caps on the file (rows, cells, pages, unpacked bytes...) that its reader keeps to."""


@dataclass
class ImportResult:
    """What an import or validation produced."""

    report: ValidationReport
    """Findings, and the items as they would be stored (not kept once stored)."""
    options: ImportOptions
    """The options used."""
    sha256: str
    """SHA-256 of the file."""
    stored: bool = False
    """True when a version was written."""
    version: Version | None = None
    """The stored version, if any."""
    parts: list[PartReport] = field(default_factory=list)
    """The annex parts read, stored or left out."""
    notice: Notice | None = None
    """The notice the revision belongs to: the file's title lines, then the options."""
    profile: str | None = None
    """The regime profile the file was read with."""
    hs_edition: str | None = None
    """The HS edition recorded for the version (``--hs-edition`` or the profile's)."""
    structure: Structure | None = None
    """How the file was understood: columns mapped, and what each row was read as."""

    @property
    def ok(self) -> bool:
        """True when the file has no validation errors."""
        return self.report.valid

    def to_json(self) -> dict[str, Any]:
        """The ``import --json`` / ``validate --json`` object."""
        return {
            "ok": self.ok,
            "list": self.options.slug,
            "version": self.options.label,
            "count": self.report.item_count,
            "added": self.report.added,
            "removed": self.report.removed,
            "stored": self.stored,
            "status": self.version.status if self.version is not None else None,
            "sha256": self.sha256,
            "profile": self.profile,
            "hs_edition": self.hs_edition,
            "sections": [
                {
                    "number": part.number,
                    "title": part.title or None,
                    "count": part.count,
                    "read": part.read,
                    "stored": part.stored,
                    "declared": {
                        "total": part.declared.total,
                        "added": part.declared.added,
                        "removed": part.declared.removed,
                    },
                }
                for part in self.parts
            ],
            "notice": _notice_json(self.notice),
            "structure": self.structure.to_json() if self.structure is not None else None,
            "findings": [f.to_json() for f in self.report.findings],
        }


def _notice_json(notice: Notice | None) -> dict[str, Any] | None:
    if notice is None or notice == type(notice)():
        return None
    return {
        "number": notice.number,
        "authority": notice.authority,
        "date": notice.date.isoformat() if notice.date else None,
        "amendment": notice.amendment,
    }
