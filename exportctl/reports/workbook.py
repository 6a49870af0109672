"""What every XLSX report shares: the workbook's options and properties, and print setup.

* :func:`open_workbook` makes an xlsxwriter workbook in ``constant_memory`` mode
  with text kept as text (no number, formula or URL guessing) and the document
  properties a records system indexes (title, subject, author, company, keywords,
  comments with the exportctl version and generation time);
* :func:`print_setup` makes a sheet print as a person expects: landscape A4, fit to
  the page width, the header row repeated on every page, a header with the report's
  title and a footer with "page N of M" and the sheet name;
* :func:`readable_widths` narrows wide columns so that fitting the width still prints
  at :data:`MIN_PRINT_SCALE` or more (:func:`print_scale` is the scale a spreadsheet
  computes for fit-to-width: the printable width over the columns' width). Narrowed
  text wraps in its cell rather than shrinking the whole page.

XLSX text cells are inert (a formula is a different cell type), so text is written
as it is, never with a leading apostrophe; only text that xlsxwriter would copy into
the sheet as raw rich-text XML (``<r>…</r>``) is escaped by the writers.

Example:
    >>> book = open_workbook(Path("r.xlsx"), options, title="Changes", subject="diff")
    >>> sheet = book.add_worksheet("Added")
    >>> print_setup(sheet, title="Changes", header_rows=1)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from exportctl.reports.evidence import ReportOptions

__all__ = [
    "MIN_PRINT_SCALE",
    "WORKBOOK_OPTIONS",
    "column_pixels",
    "open_workbook",
    "print_scale",
    "print_setup",
    "readable_widths",
]

MIN_PRINT_SCALE = 0.6
"""Below this, fit-to-width prints 7.5-point text under 4.5 points: unreadable on paper."""

_PAGE_MM = {True: 297.0, False: 210.0}
"""A4 width in millimetres, landscape and portrait."""
_MARGINS_MM = 2 * 0.7 * 25.4
"""Left plus right page margins: xlsxwriter's (and Excel's) default 0.7 inch each."""
_PX_PER_MM = 96 / 25.4


def column_pixels(width: float) -> int:
    """A column width in characters as pixels, the way Excel and xlsxwriter convert it
    (Calibri 11: 7 pixels a character plus 5 of padding)."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)


def print_scale(widths: Sequence[float], *, landscape: bool = True) -> float:
    """The scale fit-to-width prints columns of ``widths`` at on A4 (1.0 when they fit)."""
    printable = (_PAGE_MM[landscape] - _MARGINS_MM) * _PX_PER_MM
    total = sum(column_pixels(width) for width in widths)
    return min(1.0, printable / total) if total else 1.0


def readable_widths(
    widths: list[float],
    *,
    keep: frozenset[int] = frozenset(),
    landscape: bool = True,
    floor: float = 6.0,
) -> list[float]:
    """``widths`` narrowed where needed so fit-to-width prints at :data:`MIN_PRINT_SCALE`.

    Columns at or under ``floor`` characters (flags, chapters) and those in ``keep``
    (codes, which must never be cut) keep their width; the part of each other column
    above ``floor`` shrinks by one factor, the largest that fits, so wide text columns
    give up the most.
    """
    # Aim a point above the minimum: spreadsheets round each column to whole pixels.
    target = MIN_PRINT_SCALE + 0.01
    if print_scale(widths, landscape=landscape) >= target:
        return list(widths)

    def shrunk(factor: float) -> list[float]:
        return [
            w if w <= floor or i in keep else round(floor + (w - floor) * factor, 1)
            for i, w in enumerate(widths)
        ]

    low, high = 0.0, 1.0
    for _ in range(30):  # bisection: the scale grows as the factor falls
        middle = (low + high) / 2
        if print_scale(shrunk(middle), landscape=landscape) >= target:
            low = middle
        else:
            high = middle
    return shrunk(low)


WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}
"""xlsxwriter options of every report workbook."""


def _header_text(text: str) -> str:
    # "&" starts a control code in Excel headers and footers.
    return text.replace("&", "&&")


def open_workbook(
    target: Path | IO[bytes],
    options: ReportOptions,
    *,
    title: str,
    subject: str,
    keywords: str = "exportctl, export control",
) -> Any:
    """A new xlsxwriter workbook with the report's document properties set."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target, WORKBOOK_OPTIONS
    )
    evidence = options.evidence
    book.set_properties(
        {
            "title": title,
            "subject": subject,
            "author": evidence.operator,
            "company": "exportctl",
            "keywords": keywords,
            "comments": (
                f"exportctl {evidence.tool_version}; {options.text.moment(evidence.generated_at)}"
            ),
            "created": evidence.generated_at.replace(tzinfo=None),
        }
    )
    return book


def print_setup(sheet: Any, *, title: str, header_rows: int = 1, landscape: bool = True) -> None:
    """Landscape A4, fit to width, header rows repeated, title header, page-number footer."""
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_header(f"&L{_header_text(title)}")
    sheet.set_footer("&L&A&R&P / &N")
