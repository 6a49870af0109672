"""The change report as CSV: one row per change, stable columns, in two dialects.

* ``excel`` (the default), for a person who double-clicks the file: a UTF-8
  byte-order mark (Excel then reads Hangul), CRLF line ends, headers in words in the
  report's language (``HS 코드``, ``Old description``), change kinds and flags as
  words (``추가``, ``예``/``아니오``), and every cell through
  :func:`exportctl.reports.cells.excel_cell`: codes as written (so a look-up of a
  typed code finds them; see that module for why), and no cell can start a formula.
* ``plain``, for programs: no BOM, CRLF line ends (RFC 4180), the machine column
  names of :data:`CHANGE_COLUMNS` as headers, machine values (``added``, codes as
  written, flags ``true``/``false``); cells that would start a formula still get the
  apostrophe of :func:`exportctl.reports.safe.neutralise`.

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
from exportctl.reports.cells import csv_cell, excel_cell
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.language import Text
from exportctl.reports.tabular import flag, serial_value

__all__ = [
    "CHANGE_COLUMNS",
    "ChangeWords",
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
"""Columns of the CSV report and of the XLSX change sheets, in order (the machine
names: the ``plain`` dialect's headers and the keys of ``column.*`` in
``text/columns.toml``).

``section`` is the number of the annex part the entry is in (1 for a list without
parts); sub-items are one text cell each side (``a. …; b. …``), control numbers
space-separated."""


class ChangeWords:
    """How the values of a change are spelt: words in one language, or machine values.

    Made once per report (the words are looked up once, not once per row).
    """

    def __init__(self, text: Text | None) -> None:
        self.text = text
        self.yes = flag(True, text)
        self.no = flag(False, text)
        self._kinds: dict[str, str] = {}
        self._fields: dict[tuple[str, ...], str] = {}

    def kind(self, kind: str) -> str:
        """The change kind (``added`` or ``추가``)."""
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds[kind] = self.text.kind(kind) if self.text is not None else kind
        return found

    def fields(self, fields: tuple[str, ...]) -> str:
        """The fields that changed: ``code,serial`` or ``HS code, No.``."""
        found = self._fields.get(fields)
        if found is None:
            if self.text is None:
                found = ",".join(fields)
            else:
                found = ", ".join(self.text.column(name) for name in fields)
            self._fields[fields] = found
        return found


MACHINE = ChangeWords(None)
"""Machine values: ``added``, ``true``/``false``, ``code,serial``."""


def _get(item: Any, name: str) -> Any:
    return getattr(item, name) if item is not None else None


def change_values(change: Change, words: ChangeWords = MACHINE) -> tuple[str | int | None, ...]:
    """One change as values in :data:`CHANGE_COLUMNS` order (not yet made CSV cells).

    The tuple form of :func:`change_row`, for writers that go through many rows and
    need no column names. ``words`` spells the change kind, the ``ex`` flag and the
    fields changed (machine values by default). A serial of plain digits is a number.
    """
    item = change.item
    old = change.old
    new = change.new
    code = item.code
    serial = serial_value(item.serial)
    old_serial = serial_value(old.serial) if old is not None and new is not None else None
    return (
        words.kind(change.kind),
        dotted(code),
        code or "",
        dotted(old.code if old is not None and change.kind == "recoded" else None),
        words.yes if item.ex else words.no,
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
        words.fields(tuple(change.fields)),
        " ".join(dotted(c) for c in change.related),
    )


def change_row(change: Change) -> dict[str, Any]:
    """One change as a row keyed by :data:`CHANGE_COLUMNS`, machine values.

    ``code`` is the code as people write it (the new code for a recode, whose old
    code is in ``old_code``); ``serial`` is the new serial when the item is in the
    new version; ``ex`` is ``true`` for a partial heading.
    """
    return dict(zip(CHANGE_COLUMNS, change_values(change), strict=True))


def header(options: ReportOptions) -> list[str]:
    """The header row of ``options``' dialect: words, or the machine names."""
    if options.csv_dialect == "excel":
        text = options.text
        return [text.column(name) for name in CHANGE_COLUMNS]
    return list(CHANGE_COLUMNS)


def change_rows(changes: ChangeSet, options: ReportOptions | None = None) -> Iterator[list[Any]]:
    """Rows in :data:`CHANGE_COLUMNS` order as CSV cells of ``options``' dialect."""
    options = options or ReportOptions()
    if options.csv_dialect == "excel":
        words = ChangeWords(options.text)
        for change in changes.changes:
            yield [excel_cell(v) for v in change_values(change, words)]
    else:
        for change in changes.changes:
            yield [csv_cell(v, "plain") for v in change_values(change)]


def write_csv(
    changes: ChangeSet, target: Path | TextIO, options: ReportOptions | None = None
) -> None:
    """Write the CSV report.

    Args:
        changes: The change set.
        target: A path or an open text stream such as ``sys.stdout`` (the BOM of the
            ``excel`` dialect is written to it too, so a redirect makes the same file).
        options: Language and dialect (English, ``excel``, when None).
    """
    options = options or ReportOptions()
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8", newline="") as handle:
            _write(changes, handle, options)
    else:
        _write(changes, target, options)


def _write(changes: ChangeSet, handle: TextIO, options: ReportOptions) -> None:
    if options.csv_dialect == "excel":
        handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(header(options))
    writer.writerows(change_rows(changes, options))


def csv_text(changes: ChangeSet, options: ReportOptions | None = None) -> str:
    """The CSV report as a string (with its BOM in the ``excel`` dialect)."""
    buffer = io.StringIO(newline="")
    _write(changes, buffer, options or ReportOptions())
    return buffer.getvalue()


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``csv`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_csv(changes, path, options)
