"""The change report as CSV: one row per change, stable columns, Excel-safe.

UTF-8 with a byte-order mark so Excel shows Hangul, CRLF line ends, and every
text cell passed through :func:`exportctl.reports.safe.neutralise` so no cell can
start a formula (OWASP CSV injection). Codes are written as text (``0101.21`` and
``0101210000``); a program reading the file keeps the zeros, and people should
open the XLSX report instead of letting Excel guess the types of a CSV.

This module is named after the format; it uses the standard library's ``csv``
through an absolute import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from exportctl.diff import Change, ChangeSet, dotted
from exportctl.reports import sub_items_text
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.safe import neutralise

__all__ = [
    "CHANGE_COLUMNS",
    "change_row",
    "change_rows",
    "change_values",
    "csv_text",
    "write_csv",
]

CHANGE_COLUMNS: tuple[str, ...] = (
    "change",
    "code",
    "code_digits",
    "old_code",
    "ex",
    "chapter",
    "section",
    "serial",
    "old_serial",
    "old_description",
    "new_description",
    "old_description_en",
    "new_description_en",
    "old_category",
    "new_category",
    "old_note",
    "new_note",
    "old_sub_items",
    "new_sub_items",
    "old_control_numbers",
    "new_control_numbers",
    "fields_changed",
    "related_codes",
)
"""Columns of the CSV report and of the XLSX change sheets, in order.

``section`` is the number of the annex part the entry is in (1 for a list without
parts); sub-items are one text cell each side (``a. …; b. …``), control numbers
space-separated."""


def _get(item: Any, name: str) -> Any:
    return getattr(item, name) if item is not None else None


def _serial_value(serial: str | None) -> str | int | None:
    """A plain serial as a number (spreadsheets sort and filter it as one), ``3의2`` as text."""
    return int(serial) if serial is not None and serial.isdigit() else serial


def change_values(change: Change) -> tuple[str | int | None, ...]:
    """One change as values in :data:`CHANGE_COLUMNS` order (not yet neutralised).

    The tuple form of :func:`change_row`, for writers that go through many rows and
    need no column names.
    """
    item = change.item
    old = change.old
    new = change.new
    code = item.code
    serial = _serial_value(item.serial)
    old_serial = _serial_value(old.serial) if old is not None and new is not None else None
    return (
        change.kind,
        dotted(code),
        code or "",
        dotted(old.code if old is not None and change.kind == "recoded" else None),
        "ex" if item.ex else "",
        code[:2] if code else "",
        item.section,
        serial,
        old_serial if old_serial != serial else None,
        _get(old, "description"),
        _get(new, "description"),
        _get(old, "description_en"),
        _get(new, "description_en"),
        _get(old, "category"),
        _get(new, "category"),
        _get(old, "note"),
        _get(new, "note"),
        sub_items_text(old.sub_items) if old is not None else None,
        sub_items_text(new.sub_items) if new is not None else None,
        " ".join(old.control_numbers) if old is not None else None,
        " ".join(new.control_numbers) if new is not None else None,
        ",".join(change.fields),
        " ".join(dotted(c) for c in change.related),
    )


def change_row(change: Change) -> dict[str, Any]:
    """One change as a row keyed by :data:`CHANGE_COLUMNS` (values not yet neutralised).

    ``code`` is the code as people write it (the new code for a recode, whose old
    code is in ``old_code``); ``serial`` is the new serial when the item is in the
    new version; ``ex`` is ``"ex"`` for a partial heading.
    """
    return dict(zip(CHANGE_COLUMNS, change_values(change), strict=True))


def change_rows(changes: ChangeSet) -> Iterator[list[Any]]:
    """Rows in :data:`CHANGE_COLUMNS` order, neutralised, ``None`` as empty."""
    for change in changes.changes:
        yield [neutralise("" if v is None else v) for v in change_values(change)]


def write_csv(changes: ChangeSet, target: Path | TextIO) -> None:
    """Write the CSV report.

    Args:
        changes: The change set.
        target: A path (written with a BOM) or an open text stream such as
            ``sys.stdout`` (the BOM is written to it too, so a redirect makes the
            same file).
    """
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8", newline="") as handle:
            _write(changes, handle)
    else:
        _write(changes, target)


def _write(changes: ChangeSet, handle: TextIO) -> None:
    handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(CHANGE_COLUMNS)
    writer.writerows(change_rows(changes))


def csv_text(changes: ChangeSet) -> str:
    """The CSV report as a string (with its BOM)."""
    buffer = io.StringIO(newline="")
    _write(changes, buffer)
    return buffer.getvalue()


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_csv(changes, path)
