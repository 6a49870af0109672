"""Documents that hold tables rather than sheets: the notice's PDF and HWPX attachments.

A document reader is a :class:`~exportctl.readers.xlsx.Book` whose "sheets" are the
document's tables (``table 1``, ``table 2``…, in reading order) and whose rows say
where they are on paper (:attr:`RawRow.place`, e.g. ``page 3, table 1, row 5``), so
header detection, column mapping, structure and validation are the same as for a
workbook. Each format is one module; this table of formats is the only place that
names them.
"""

from __future__ import annotations

import importlib

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.readers.guard import Checked
from exportctl.readers.xlsx import Book

DOCUMENT_ENGINES = frozenset({"pdfplumber", "hwpx"})
"""``Book.engine`` of the document readers (their tables are chosen with ``--table``)."""

READERS: dict[str, str] = {
    "pdf": "exportctl.readers.pdf",
    "hwpx": "exportctl.readers.hwpx",
}
"""Document kind -> the module whose ``open_book(checked)`` reads it."""


def open_document(checked: Checked) -> Book:
    """Open a PDF or HWPX document as a book of tables.

    Raises:
        InputError: The document cannot be read (see each reader).
    """
    module = READERS.get(checked.kind)
    if module is None:
        raise InputError(
            _("is not a document exportctl reads ({kind})").format(kind=checked.kind),
            file=checked.path.name,
        )
    book: Book = importlib.import_module(module).open_book(checked)
    return book


def table_name(number: int) -> str:
    """The "sheet" name of a document's table: ``table 2``."""
    return f"table {number}"
