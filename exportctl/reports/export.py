"""A version of a list as a file an officer can send on: XLSX, CSV or JSON; and
``show --csv``.

One row per item with its part and the part's title, serial, code, descriptions and
where it came from (the source file, sheet and row), plus the version's particulars: list, label,
notice, effective date, status with approver and time, item count, the source
file's SHA-256, when and by whom it was imported, and the report's record (local
time with zone, operator, exportctl version, database).

* XLSX: an ``Items`` sheet (header in words, frozen, repeated on printed pages;
  filters on; widths set; landscape A4 fit to width) and a ``Version`` sheet with
  the particulars and the record. Codes are text cells (``code`` dotted as people
  write it, ``code_digits`` the digits: the spelling of every report); a serial of
  plain digits is a number, ``3의2`` text; flags are words. Text is written as it is
  (an XLSX text cell cannot run as a formula). Lists longer than Excel's row limit
  go on in ``Items (2)``...
* Sub-items, in XLSX and CSV, are one cell with a line per sub-item (label as printed,
  text, English after `` / ``, indented by depth; :func:`exportctl.reports.sub_items_lines`).
* Every format reads back: ``exportctl import`` of an export stores the same entries,
  parts, sub-items, control numbers and attributes
  (:mod:`exportctl.readers.exported`).
* CSV: the ``excel`` dialect (headers and flags in words, BOM, CRLF, codes kept as
  text when Excel opens the file, no cell starts a formula) or ``plain`` (machine
  names and values, no BOM), as :mod:`exportctl.reports.csv`.
* JSON: ``{"report": {...}, "version": {...}, "items": [...]}``; items in the
  ``show --json`` shape (``section`` the part's title when it has one) plus
  ``section_number``, ``dotted``, ``original_code`` and ``source_*`` fields; the
  version carries its ``notice`` and ``sections``; ``report`` how the file was made.

Files are written beside the target and moved into place when complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from exportctl.hscode import HSCode
from exportctl.models import ITEM_FIELDS, ItemRecord
from exportctl.reports import XLSX_MAX_ROWS, sheet_title, sub_items_lines
from exportctl.reports.cells import csv_cell
from exportctl.reports.evidence import ReportOptions, version_rows
from exportctl.reports.files import atomic_path
from exportctl.reports.language import Text
from exportctl.reports.sheet_rows import row_points, wrap_widths
from exportctl.reports.tabular import attributes_text, flag, report_json, serial_value, write_text
from exportctl.reports.workbook import open_workbook, print_setup, readable_widths

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_FORMATS",
    "SHOW_COLUMNS",
    "ExportFormat",
    "Source",
    "VersionExport",
    "export_format",
    "export_values",
    "item_values",
    "write_export",
]

ExportFormat = Literal["xlsx", "csv", "json"]
"""A format ``export`` writes."""
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("xlsx", "csv", "json")
"""Every export format."""


def _with_digits(names: Sequence[str], *, titles: bool = False) -> tuple[str, ...]:
    """``names`` with ``code_digits`` after ``code`` (and, with ``titles``,
    ``section_title`` after ``section``)."""
    out: list[str] = []
    for name in names:
        out.append(name)
        if name == "code":
            out.append("code_digits")
        elif name == "section" and titles:
            out.append("section_title")
    return tuple(out)


_ENTRY_FIELDS: tuple[str, ...] = (
    *(name for name in ITEM_FIELDS if name not in ("sheet", "row")),
    "code_end",
    "attributes",
)
"""What an entry says, in order: the item fields, the end of a range, and the regime's
attributes (``tier=3.A``) as one cell."""

EXPORT_COLUMNS: tuple[str, ...] = _with_digits(
    (
        *_ENTRY_FIELDS,
        "original_code",
        "source_version",
        "source_file",
        "source_sheet",
        "source_row",
    ),
    titles=True,
)
"""Columns of the CSV file and the XLSX ``Items`` sheet, in order (machine names: the
``plain`` CSV dialect's headers and the keys of ``column.*`` in ``text/columns.toml``).

One row per entry, so the rows count the entries as the notice does: ``section`` is
the number of the entry's part and ``section_title`` its title (also on the ``Version``
sheet), ``code`` the code dotted and ``code_digits`` its digits, its sub-items are one
cell (a line each, :func:`exportctl.reports.sub_items_lines`), control numbers and
mentioned codes space-separated."""

SHOW_COLUMNS: tuple[str, ...] = _with_digits((*_ENTRY_FIELDS, "sheet", "row"))
"""Columns of ``show --csv``: the ``show --json`` fields, the code spelt as in every
report (dotted ``code`` and ``code_digits``); ``sheet`` and ``row`` are where the item
was read in the source file."""

_HEADER_KEYS = {"sheet": "source_sheet", "row": "source_row"}
"""Columns headed with another column's words (``show --csv``'s ``sheet`` is the source sheet)."""

_WIDTHS: dict[str, float] = {
    "section": 8,
    "section_title": 24,
    "serial": 7,
    "code": 15,
    "code_digits": 13,
    "level": 6,
    "ex": 6,
    "description": 48,
    "description_en": 40,
    "category": 18,
    "note": 24,
    "sub_items": 60,
    "control_numbers": 18,
    "mentioned_codes": 18,
    "code_end": 13,
    "attributes": 18,
    "original_code": 15,
    "source_version": 14,
    "source_file": 36,
    "source_sheet": 14,
    "source_row": 10,
}
_TEXT_COLUMNS = frozenset({"code", "code_digits", "original_code", "mentioned_codes"})
"""Columns stored as text cells (``@``) in the XLSX."""


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
    status_by: str | None = None
    """Who approved (or withdrew) the version."""
    status_at: dt.datetime | None = None
    """When (UTC)."""

    def particulars(self, text: Text, zone: dt.tzinfo | None = None) -> list[tuple[str, str]]:
        """The version on the ``Version`` sheet, label and value per line in ``text``'s
        language; times shown in ``zone`` (UTC when None)."""
        notice = ", ".join(
            p
            for p in (
                self.notice_number,
                self.notice_date.isoformat() if self.notice_date else None,
                self.amendment,
            )
            if p
        )
        rows: list[tuple[str, str]] = [
            (text("evidence.list"), self.slug),
            (text("tables.list_name"), self.list_name),
        ]
        rows += version_rows(
            text,
            label=self.label,
            notice=notice,
            effective=self.effective,
            status=self.status or "approved",
            status_by=self.status_by,
            status_at=self.status_at,
            source_file=self.source_file,
            source_sheet=self.source_sheet,
            source_sha256=self.source_sha256,
            item_count=len(self.items),
            zone=zone,
        )
        if self.notice_authority:
            rows.append((text("tables.notice_authority"), self.notice_authority))
        rows += [
            (
                text("tables.part", number=number),
                text(
                    "tables.part_entries",
                    title=title or text("tables.untitled"),
                    count=text.number(count),
                ),
            )
            for number, title, count in self.sections
        ]
        imported = self.imported_at.replace(tzinfo=self.imported_at.tzinfo or dt.UTC)
        rows += [
            (text("tables.imported_at"), text.moment(imported.astimezone(zone or dt.UTC))),
            (text("tables.imported_by"), self.imported_by),
        ]
        if self.base:
            how = "tables.adds_to" if self.additions_only else "tables.revises"
            rows.append((text("tables.base_version"), text(how, base=self.base)))
        rows += [(text("tables.declared_counts"), warning) for warning in self.declared_warnings]
        return rows

    def titles(self) -> dict[int, str]:
        """The parts' titles by number (parts without a title left out)."""
        return {number: title for number, title, _ in self.sections if title}

    def version_json(self) -> dict[str, Any]:
        """The ``version`` object of the JSON export."""
        return {
            "list": self.slug,
            "list_name": self.list_name,
            "label": self.label,
            "effective": self.effective.isoformat() if self.effective else None,
            "status": self.status,
            "status_text": self.approval or None,
            "status_by": self.status_by,
            "status_at": self.status_at.isoformat() if self.status_at else None,
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


def _dotted(code: str | None) -> str:
    return HSCode(code).dotted() if code else ""


def item_values(item: ItemRecord, text: Text | None = None) -> tuple[Any, ...]:
    """One item in :data:`SHOW_COLUMNS` order; the ``ex`` flag in ``text``'s words
    (``true``/``false`` when None)."""
    return (
        item.section,
        serial_value(item.serial),
        _dotted(item.code),
        item.code or "",
        item.level,
        flag(item.ex, text),
        item.description,
        item.description_en or "",
        item.category or "",
        item.note or "",
        sub_items_lines(item.sub_items),
        " ".join(item.control_numbers),
        " ".join(item.mentioned_codes),
        _dotted(item.code_end) if item.code_end else "",
        attributes_text(item.attributes),
        item.sheet,
        item.row or None,
    )


def export_values(
    item: ItemRecord, source: Source, text: Text | None = None, section_title: str = ""
) -> tuple[Any, ...]:
    """One item in :data:`EXPORT_COLUMNS` order (not yet made CSV cells); the ``ex``
    flag in ``text``'s words (``true``/``false`` when None): the item as ``show``
    gives it with its part's title, then where it came from."""
    section, *fields, sheet, row = item_values(item, text)
    return (
        section,
        section_title,
        *fields,
        item.original_code or "",
        source.version,
        source.file,
        sheet,
        row,
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


def write_export(
    export: VersionExport, fmt: ExportFormat, path: Path, options: ReportOptions | None = None
) -> None:
    """Write ``export`` to ``path``; the file appears only when complete."""
    options = options or ReportOptions()
    writers = {"xlsx": xlsx_report, "csv": csv_report, "json": json_report}
    with atomic_path(path) as temp:
        writers[fmt](export, temp, options)


def _header(columns: Sequence[str], options: ReportOptions) -> list[str]:
    if options.csv_dialect != "excel":
        return list(columns)
    text = options.text
    return [text.column(_HEADER_KEYS.get(name, name)) for name in columns]


def _csv_file(path: Path, options: ReportOptions) -> IO[str]:
    encoding = "utf-8-sig" if options.csv_dialect == "excel" else "utf-8"
    return path.open("w", encoding=encoding, newline="")


def _write_csv(export: VersionExport, out: IO[str], options: ReportOptions) -> None:
    dialect = options.csv_dialect
    text = options.text if dialect == "excel" else None
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header(EXPORT_COLUMNS, options))
    titles = export.titles()
    for item, source in zip(export.items, export.sources, strict=True):
        values = export_values(item, source, text, titles.get(item.section, ""))
        writer.writerow([csv_cell(v, dialect) for v in values])


def _write_json(export: VersionExport, out: IO[str], options: ReportOptions) -> None:
    items = []
    titles = export.titles()
    for item, source in zip(export.items, export.sources, strict=True):
        data = item.to_json(sections=titles)
        data["section_number"] = item.section
        data["dotted"] = _dotted(item.code) or None
        data["original_code"] = item.original_code
        data["source_version"] = source.version
        data["source_file"] = source.file
        items.append(data)
    document = {"report": report_json(options), "version": export.version_json(), "items": items}
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _write_xlsx(export: VersionExport, path: Path, options: ReportOptions) -> None:
    text = options.text
    title = text("tables.export_title", list=export.list_name or export.slug, version=export.label)
    book = open_workbook(path, options, title=title, subject=text("tables.export_subject"))
    try:
        header = book.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True}
        )
        text_format = book.add_format({"num_format": "@", "valign": "top"})
        bold = book.add_format({"bold": True})
        heading = book.add_format({"bold": True, "font_size": 14})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        formats = [text_format if name in _TEXT_COLUMNS else wrap for name in EXPORT_COLUMNS]
        names = [text.column(name) for name in EXPORT_COLUMNS]
        # Codes keep their width; other text narrowed to print readably wraps.
        keep = frozenset(i for i, name in enumerate(EXPORT_COLUMNS) if name in _TEXT_COLUMNS)
        widths = readable_widths([_WIDTHS[name] for name in EXPORT_COLUMNS], keep=keep)
        items_title = text("tables.items_sheet")

        def new_sheet(part: int) -> Any:
            name = sheet_title(items_title, part)
            sheet = book.add_worksheet(name)
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width, formats[col])
                sheet.write_string(0, col, names[col], header)
            sheet.freeze_panes(1, 0)
            print_setup(sheet, title=f"{title} — {name}", header_rows=1)
            return sheet

        wraps = wrap_widths(formats, widths)
        part, line = 1, 0
        sheet = new_sheet(part)
        titles = export.titles()
        last = len(EXPORT_COLUMNS) - 1
        for item, source in zip(export.items, export.sources, strict=True):
            if line == XLSX_MAX_ROWS - 1:
                sheet.autofilter(0, 0, line, last)
                part, line = part + 1, 0
                sheet = new_sheet(part)
            line += 1
            values = export_values(item, source, text, titles.get(item.section, ""))
            points = row_points(values, wraps)
            if points is not None:
                sheet.set_row(line, points)
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, int):
                    sheet.write_number(line, col, value, formats[col])
                else:
                    write_text(sheet, line, col, value, formats[col])
        sheet.autofilter(0, 0, max(line, 1), last)

        meta = book.add_worksheet(text("tables.version_sheet"))
        print_setup(meta, title=title, header_rows=0, landscape=False)
        meta.set_column(0, 0, 24)
        meta.set_column(1, 1, 80)
        write_text(meta, 0, 0, title, heading)
        row = 2
        zone = options.evidence.generated_at.tzinfo
        blocks = [
            (text("evidence.version"), export.particulars(text, zone)),
            (text("evidence.heading"), options.evidence.rows(text)),
        ]
        for name, rows in blocks:
            write_text(meta, row, 0, name, heading)
            row += 1
            for key, value in rows:
                write_text(meta, row, 0, key, bold)
                if value:
                    write_text(meta, row, 1, value)
                row += 1
            row += 1
    finally:
        book.close()


# --------------------------------------------------------------------------- registry


def csv_report(export: VersionExport, path: Path, options: ReportOptions) -> None:
    """The ``version``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    with _csv_file(path, options) as out:
        _write_csv(export, out, options)


def json_report(export: VersionExport, path: Path, options: ReportOptions) -> None:
    """The ``version``/``json`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        _write_json(export, out, options)


def xlsx_report(export: VersionExport, path: Path, options: ReportOptions) -> None:
    """The ``version``/``xlsx`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    _write_xlsx(export, path, options)


def items_csv_report(items: Sequence[ItemRecord], path: Path, options: ReportOptions) -> None:
    """The ``items``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`
    (``show --csv``): :data:`SHOW_COLUMNS`, one row per item, in ``options``' dialect."""
    dialect = options.csv_dialect
    text = options.text if dialect == "excel" else None
    with _csv_file(path, options) as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(_header(SHOW_COLUMNS, options))
        for item in items:
            writer.writerow([csv_cell(v, dialect) for v in item_values(item, text)])
