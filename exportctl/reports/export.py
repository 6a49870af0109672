"""A version of a list as a file an officer can send on: XLSX, CSV or JSON.

One row per item with its serial, code, descriptions and where it came from
(the source file, sheet and row), plus the version's particulars: list, label,
effective date, item count, the source file's SHA-256, when and by whom it was
imported.

* XLSX: an ``Items`` sheet (header frozen, filters on, widths set; codes are
  text cells so Excel keeps ``0101.21`` as written) and a ``Version`` sheet with
  the particulars. Lists longer than Excel's row limit go on in ``Items (2)``...
* CSV: UTF-8 with a byte-order mark (Excel then reads Hangul), CRLF line ends,
  codes dotted (``0101.21``), which Excel keeps as text.
* JSON: ``{"version": {...}, "items": [...]}``; items in the ``show --json``
  shape (``section`` the part's title when it has one) plus ``section_number``,
  ``dotted``, ``original_code`` and ``source_*`` fields; the version carries its
  ``notice`` and ``sections``.

Text cells of CSV and XLSX go through :func:`exportctl.reports.safe.neutralise`
so none can start a formula. Files are written beside the target and moved into
place when complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from exportctl.hscode import HSCode
from exportctl.models import ITEM_FIELDS, ItemRecord
from exportctl.reports import XLSX_MAX_ROWS, sheet_title, sub_items_text
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.files import atomic_path
from exportctl.reports.safe import neutralise

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_FORMATS",
    "ExportFormat",
    "Source",
    "VersionExport",
    "export_format",
    "export_values",
    "write_export",
]

ExportFormat = Literal["xlsx", "csv", "json"]
"""A format ``export`` writes."""
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("xlsx", "csv", "json")
"""Every export format."""

EXPORT_COLUMNS: tuple[str, ...] = (
    *(name for name in ITEM_FIELDS if name not in ("sheet", "row")),
    "original_code",
    "source_version",
    "source_file",
    "source_sheet",
    "source_row",
)
"""Columns of the CSV file and the XLSX ``Items`` sheet, in order.

One row per entry, so the rows count the entries as the notice does: ``section`` is
the number of the entry's part (titles on the ``Version`` sheet), its sub-items are
one cell (``a. …; b. …``), control numbers and mentioned codes space-separated."""

_WIDTHS: dict[str, float] = {
    "section": 8,
    "serial": 7,
    "code": 15,
    "level": 6,
    "ex": 4,
    "description": 48,
    "description_en": 40,
    "category": 18,
    "note": 24,
    "sub_items": 60,
    "control_numbers": 18,
    "mentioned_codes": 18,
    "original_code": 15,
    "source_version": 14,
    "source_file": 36,
    "source_sheet": 14,
    "source_row": 10,
}
_CODE_COLUMNS = frozenset({"code", "original_code"})


@dataclass(frozen=True, slots=True)
class Source:
    """The imported file a run of items came from."""

    version: str
    """Label of the version that file was imported as."""
    file: str
    """File name."""
    sha256: str
    """SHA-256 of the file."""


@dataclass(slots=True)
class VersionExport:
    """Everything an export writes: the version's particulars and its items."""

    slug: str
    list_name: str
    label: str
    effective: dt.date | None
    status: str | None
    source_file: str
    source_sheet: str
    source_sha256: str
    imported_at: dt.datetime
    imported_by: str
    additions_only: bool
    base: str | None
    items: Sequence[ItemRecord]
    sources: Sequence[Source]
    """Where each item came from, parallel to ``items``."""
    approval: str = ""
    """Who approved or withdrew it, e.g. ``approved by lee 2024-06-30``."""
    declared_warnings: Sequence[str] = ()
    """Declared-count mismatches recorded at import."""
    notice_number: str | None = None
    """Number of the notice the version comes from (``제2024-123호``)."""
    notice_authority: str | None = None
    """Who issued it."""
    notice_date: dt.date | None = None
    """Its date."""
    amendment: str | None = None
    """The annex's amendment marker as printed."""
    sections: Sequence[tuple[int, str, int]] = ()
    """The version's parts: number, title, entries."""

    def particulars(self) -> list[tuple[str, str | int]]:
        """The ``Version`` sheet: label and value per line."""
        rows: list[tuple[str, str | int]] = [
            ("List", self.slug),
            ("List name", self.list_name),
            ("Version", self.label),
            ("Effective", self.effective.isoformat() if self.effective else "undated"),
        ]
        if self.status:
            rows.append(("Status", self.approval or self.status))
        notice = [
            ("Notice", self.notice_number),
            ("Notice authority", self.notice_authority),
            ("Notice date", self.notice_date.isoformat() if self.notice_date else None),
            ("Amendment", self.amendment),
        ]
        rows += [(key, value) for key, value in notice if value]
        rows += [
            (f"Part {number}", f"{title or '(untitled)'}: {count:,} entries")
            for number, title, count in self.sections
        ]
        rows += [
            ("Items", len(self.items)),
            ("Source file", self.source_file),
            ("Source sheet", self.source_sheet),
            ("Source SHA-256", self.source_sha256),
            ("Imported at", self.imported_at.isoformat(timespec="seconds")),
            ("Imported by", self.imported_by),
        ]
        if self.base:
            kind = "adds to" if self.additions_only else "revises"
            rows.append(("Base version", f"{kind} {self.base}"))
        rows += [("Declared counts", warning) for warning in self.declared_warnings]
        return rows

    def version_json(self) -> dict[str, Any]:
        """The ``version`` object of the JSON export."""
        return {
            "list": self.slug,
            "list_name": self.list_name,
            "label": self.label,
            "effective": self.effective.isoformat() if self.effective else None,
            "status": self.status,
            "status_text": self.approval or None,
            "declared_warnings": list(self.declared_warnings),
            "count": len(self.items),
            "source_file": self.source_file,
            "source_sheet": self.source_sheet or None,
            "sha256": self.source_sha256,
            "imported_at": self.imported_at.isoformat(),
            "imported_by": self.imported_by,
            "additions_only": self.additions_only,
            "base": self.base,
            "notice": {
                "number": self.notice_number,
                "authority": self.notice_authority,
                "date": self.notice_date.isoformat() if self.notice_date else None,
                "amendment": self.amendment,
            },
            "sections": [
                {"number": number, "title": title, "count": count}
                for number, title, count in self.sections
            ],
        }


def export_values(item: ItemRecord, source: Source) -> tuple[Any, ...]:
    """One item in :data:`EXPORT_COLUMNS` order (not yet neutralised)."""
    return (
        item.section,
        item.serial,
        HSCode(item.code).dotted() if item.code else "",
        item.level,
        "ex" if item.ex else "",
        item.description,
        item.description_en or "",
        item.category or "",
        item.note or "",
        sub_items_text(item.sub_items),
        " ".join(item.control_numbers),
        " ".join(item.mentioned_codes),
        item.original_code or "",
        source.version,
        source.file,
        item.sheet,
        item.row or None,
    )


def export_format(path: Path, fmt: str | None = None) -> ExportFormat:
    """The format to write: ``fmt`` when given, else from the extension of ``path``.

    Raises:
        ValueError: Neither names one of :data:`EXPORT_FORMATS`.
    """
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    for known in EXPORT_FORMATS:
        if chosen == known:
            return known
    raise ValueError(
        f"cannot export to {path.name!r}: name a file ending in .xlsx, .csv or .json"
        if fmt is None
        else f"cannot export as {fmt!r}: use xlsx, csv or json"
    )


def write_export(export: VersionExport, fmt: ExportFormat, path: Path) -> None:
    """Write ``export`` to ``path``; the file appears only when complete."""
    with atomic_path(path) as temp:
        if fmt == "xlsx":
            _write_xlsx(export, temp)
        elif fmt == "csv":
            with temp.open("w", encoding="utf-8-sig", newline="") as out:
                _write_csv(export, out)
        else:
            with temp.open("w", encoding="utf-8", newline="\n") as out:
                _write_json(export, out)


def _write_csv(export: VersionExport, out: Any) -> None:
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for item, source in zip(export.items, export.sources, strict=True):
        writer.writerow([neutralise(v) for v in export_values(item, source)])


def _write_json(export: VersionExport, out: Any) -> None:
    items = []
    titles = {number: title for number, title, _ in export.sections if title}
    for item, source in zip(export.items, export.sources, strict=True):
        data = item.to_json(sections=titles)
        data["section_number"] = item.section
        data["dotted"] = HSCode(item.code).dotted() if item.code else None
        data["original_code"] = item.original_code
        data["source_version"] = source.version
        data["source_file"] = source.file
        items.append(data)
    json.dump({"version": export.version_json(), "items": items}, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _write_xlsx(export: VersionExport, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        header = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        text = book.add_format({"num_format": "@"})
        bold = book.add_format({"bold": True})
        code_cols = {i for i, name in enumerate(EXPORT_COLUMNS) if name in _CODE_COLUMNS}

        def new_sheet(part: int) -> Any:
            sheet = book.add_worksheet(sheet_title("Items", part))
            for col, name in enumerate(EXPORT_COLUMNS):
                fmt = text if col in code_cols else None
                sheet.set_column(col, col, _WIDTHS[name], fmt)
                sheet.write_string(0, col, name, header)
            sheet.freeze_panes(1, 0)
            return sheet

        part, line = 1, 0
        sheet = new_sheet(part)
        last = len(EXPORT_COLUMNS) - 1
        for item, source in zip(export.items, export.sources, strict=True):
            if line == XLSX_MAX_ROWS - 1:
                sheet.autofilter(0, 0, line, last)
                part, line = part + 1, 0
                sheet = new_sheet(part)
            line += 1
            for col, value in enumerate(export_values(item, source)):
                if value is None or value == "":
                    continue
                if isinstance(value, int):
                    sheet.write_number(line, col, value)
                else:
                    sheet.write_string(
                        line, col, neutralise(value), text if col in code_cols else None
                    )
        sheet.autofilter(0, 0, max(line, 1), last)

        meta = book.add_worksheet("Version")
        meta.set_column(0, 0, 18)
        meta.set_column(1, 1, 70)
        for row, (key, value) in enumerate(export.particulars()):
            meta.write_string(row, 0, key, bold)
            if isinstance(value, int):
                meta.write_number(row, 1, value)
            elif value:
                meta.write_string(row, 1, neutralise(value))
    finally:
        book.close()


# --------------------------------------------------------------------------- registry


def csv_report(export: VersionExport, path: Path, options: ReportOptions) -> None:
    """The ``version``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        _write_csv(export, out)


def json_report(export: VersionExport, path: Path, options: ReportOptions) -> None:
    """The ``version``/``json`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        _write_json(export, out)


def xlsx_report(export: VersionExport, path: Path, options: ReportOptions) -> None:
    """The ``version``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    _write_xlsx(export, path)
