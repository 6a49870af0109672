"""A PDF made by someone else: a public report whose ruled table runs over 15 pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import RunCli

from exportctl.readers import pdf
from exportctl.readers.guard import Checked, check_file
from exportctl.readers.pdf import PdfBook, open_book

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

WARN = (
    Path(__file__).resolve().parent
    / "data"
    / "third_party"
    / ("WARN-Report-for-7-1-2015-to-03-25-2016.pdf")
)


@pytest.fixture(scope="module")
def warn_book() -> Iterator[PdfBook]:
    """The report read once (16 pages, seconds of work): a read book is a value."""
    book = open_book(check_file(WARN))
    try:
        yield book
    finally:
        book.close()


def test_a_table_over_fifteen_pages_is_read_as_one_table_with_its_places(
    warn_book: PdfBook,
) -> None:
    book = warn_book
    assert book.sheet_names[0] == "table 1" and book.pages == 16
    rows = [r for r in book.rows("table 1") if r.place and "above" not in r.place]
    header, first = rows[0], rows[1]
    assert header.place == "page 1, table 1, row 1"
    assert header.values[0] == "Notice Date" and header.values[3] == "Company"
    assert first.values[0] == "06/22/2015" and first.values[3] == "Maxim Integrated Product"
    assert first.values[5] == "150"
    pages = {r.place.split(",")[0] for r in rows if r.place}
    assert pages == {f"page {n}" for n in range(1, 16)}
    # One header, then one notice a row: every other row starts with its notice date.
    dated = [r for r in rows[1:] if r.values[0] and r.values[0][2] == "/"]
    assert len(dated) == len(rows) - 1 == 633
    numbers = [r.number for r in rows]
    assert numbers == sorted(set(numbers))


def test_importing_a_pdf_without_a_list_table_is_refused_and_stores_nothing(
    run_cli: RunCli, initialised: str, warn_book: PdfBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import is handed the book the test above reads (the same reader, the same file)
    # instead of reading the 16 pages again: what is checked here is what it does with it.
    real = pdf.open_book

    def read_once(checked: Checked) -> PdfBook:
        return warn_book if checked.path == WARN else real(checked)

    monkeypatch.setattr(pdf, "open_book", read_once)
    run_cli("lists", "create", "kr-russia", "--name", "test", db=initialised, ok=True)
    result = run_cli("import", WARN, "--list", "kr-russia", "--version", "v1", db=initialised)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {WARN.name}: no table has a header row")
    assert result.output.count("\n") == 1
    versions = run_cli("versions", "--list", "kr-russia", "--json", db=initialised, ok=True)
    assert versions.stdout.strip() == "[]"
