"""What the tabular reports (change report, export, ``show --csv``) spell the same way.

* **Codes**: a ``code`` column dotted for people (``0101.21.1000``) and a
  ``code_digits`` column with the digits (``0101211000``), both text in every
  format (XLSX text cells; in the ``excel`` CSV dialect a word joiner keeps Excel
  from reading them as numbers, see :mod:`exportctl.reports.cells`).
* **Serials**: a serial of plain digits is a number (spreadsheets sort and filter it
  as one), anything else (``3의2``) is text: :func:`serial_value`, in every XLSX and CSV.
* **Flags**: words for people (``예``/``아니오``, ``yes``/``no``), ``true``/``false``
  in the ``plain`` CSV dialect: :func:`flag`.
* **XLSX text** is written as it is: an XLSX text cell is inert (a formula is another
  cell type), so no apostrophe is added. Only text xlsxwriter would copy into the
  sheet as raw rich-text XML (``<r>…</r>``) is written so that it stays literal
  (:func:`write_text`).
* **JSON** reports carry a ``report`` object (:func:`report_json`) with machine values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from exportctl.reports.evidence import ReportOptions
from exportctl.reports.language import Text

__all__ = [
    "MAX_TEXT",
    "cut_text",
    "flag",
    "looks_like_rich_text",
    "report_json",
    "serial_value",
    "write_text",
]

MAX_TEXT = 32_767
"""Longest text in an XLSX cell, in UTF-16 units."""


def serial_value(serial: str | None) -> str | int | None:
    """A plain serial as a number (``"12"`` → 12), ``3의2`` as text, ``None`` as it is."""
    if serial is not None and serial.isascii() and serial.isdigit():
        return int(serial)
    return serial


def flag(value: bool, text: Text | None) -> str:
    """A yes/no value: a word in ``text``'s language, or ``true``/``false`` when None."""
    if text is None:
        return "true" if value else "false"
    return text.yes_no(value)


def looks_like_rich_text(text: str) -> bool:
    """Whether xlsxwriter would copy ``text`` into the sheet XML as rich text, unescaped."""
    return text.startswith("<r>") and text.endswith("</r>")


def cut_text(text: str) -> str:
    """``text`` cut at Excel's limit of :data:`MAX_TEXT` UTF-16 units."""
    if len(text) <= MAX_TEXT // 2 or len(text.encode("utf-16-le", "surrogatepass")) <= 2 * MAX_TEXT:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:index]
    return text


def write_text(sheet: Any, row: int, col: int, text: str, fmt: Any = None) -> None:
    """Write a text cell as it is: no apostrophe (XLSX text cannot run as a formula).

    Text that looks like rich-text XML (``<r>…</r>``) is written as a rich string of
    plain fragments, which xlsxwriter escapes, so the cell shows the text literally
    instead of xlsxwriter pasting it into the sheet's XML.
    """
    if looks_like_rich_text(text):
        text = cut_text(text)
        fragments = (text[:1], text[1:2], text[2:])
        if fmt is None:
            sheet.write_rich_string(row, col, *fragments)
        else:
            sheet.write_rich_string(row, col, *fragments, fmt)
    else:
        sheet.write_string(row, col, text, fmt)


def attributes_text(attributes: Mapping[str, Any] | None) -> str:
    """A regime's attributes of an entry as one cell: ``tier=3.A; price_threshold=…``."""
    return "; ".join(f"{key}={value}" for key, value in sorted((attributes or {}).items()))


def report_json(options: ReportOptions) -> dict[str, Any]:
    """The ``report`` object of a JSON report: how it was made, machine values."""
    evidence = options.evidence
    moment = evidence.generated_at
    zone = moment.tzinfo
    name = getattr(zone, "key", None) or moment.tzname() or "UTC"
    return {
        "generated_at": moment.isoformat(timespec="seconds"),
        "timezone": name,
        "utc_offset": _offset(moment),
        "operator": evidence.operator,
        "exportctl_version": evidence.tool_version,
        "database": evidence.database or None,
        "language": options.lang,
    }


def _offset(moment: dt.datetime) -> str:
    offset = moment.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}" if offset else "+00:00"
