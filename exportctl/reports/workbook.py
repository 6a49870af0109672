"""What every XLSX report shares: the workbook's options and properties, and print setup.

* :func:`open_workbook` makes an xlsxwriter workbook in ``constant_memory`` mode
  with text kept as text (no number, formula or URL guessing) and the document
  properties a records system indexes (title, subject, author, company, keywords,
  comments with the exportctl version and generation time);
* :func:`print_setup` makes a sheet print as a person expects: landscape A4, fit to
  the page width, the header row repeated on every page, a header with the report's
  title and a footer with "page N of M" and the sheet name.

XLSX text cells are inert (a formula is a different cell type), so text is written
as it is, never with a leading apostrophe; only text that xlsxwriter would copy into
the sheet as raw rich-text XML (``<r>…</r>``) is escaped by the writers.

Example:
    >>> book = open_workbook(Path("r.xlsx"), options, title="Changes", subject="diff")
    >>> sheet = book.add_worksheet("Added")
    >>> print_setup(sheet, title="Changes", header_rows=1)
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from exportctl.reports.evidence import ReportOptions

__all__ = ["WORKBOOK_OPTIONS", "open_workbook", "print_setup"]

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
