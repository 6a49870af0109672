"""Documents made by someone else: Hangul-saved HWPX files and a table turned on its page.

None of them holds an export-control list, so each is read as it is on paper and
then refused in one sentence, with nothing stored. Sources and licences are in
``tests/data/third_party/NOTICE.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli

from exportctl.readers.guard import check_file
from exportctl.readers.hwpx import open_book as open_hwpx
from exportctl.readers.pdf import open_book as open_pdf

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

DATA = Path(__file__).resolve().parent / "data" / "third_party"
SCORES = DATA / "hwpxlib-Table.hwpx"
MERGED = DATA / "hwpxlib-SimpleTable.hwpx"
NICS = DATA / "nics-background-checks-2015-11.pdf"
NICS_SIDEWAYS = DATA / "nics-background-checks-2015-11-rotated.pdf"

NO_LIST = (
    "no table has a header row with an HS code column in its first 30 rows (1 table read); "
    "choose the table with --table N and name the column with --column code=HEADER"
)


def test_a_hangul_table_is_read_by_its_cell_addresses() -> None:
    book = open_hwpx(check_file(SCORES))
    rows = list(book.rows("table 1"))
    assert book.sheet_names == ["table 1"]
    titles = [r.values for r in rows if r.place is None]
    assert titles[-1] == ["날짜"]
    table = [list(r.values) for r in rows if r.place is not None]
    assert table == [
        ["이름", "국어", "영어", "수학"],
        ["개똥이", "89", "65", "78"],
        ["칠득이", "77", "77", "77"],
        ["팔푼이", "88", "88", "88"],
        ["육손이", "66", "66", "66"],
        ["합계", None, None, None],
    ]
    assert rows[-1].place == "table 1, row 6"


def test_hangul_cells_merged_down_and_across_leave_their_places_empty() -> None:
    book = open_hwpx(check_file(MERGED))
    rows = list(book.rows("table 1"))
    assert [list(r.values) for r in rows] == [["1", None, "2"], [None, None, "3"], ["5", "4", None]]
    # "1" spans two rows and two columns; "4" spans two columns.
    assert [r.covered for r in rows] == [frozenset(), frozenset({0, 1}), frozenset()]


def test_a_table_turned_on_its_page_reads_as_the_upright_one() -> None:
    def read(path: Path) -> list[tuple[str | None, list[object]]]:
        book = open_pdf(check_file(path))
        assert book.sheet_names == ["table 1"] and book.pages == 1
        return [(r.place, list(r.values)) for r in book.rows("table 1")]

    upright, turned = read(NICS), read(NICS_SIDEWAYS)
    assert turned == upright
    assert len(turned) == 17 and len(turned[0][1]) == 25
    header = turned[1][1]
    assert header[0] == "State / Territory" and header[-1] == "Totals"
    # A heading merged across three columns gives its text in the first of them.
    assert header[1] is not None and header[1].startswith("Permit Handgun")
    assert header[2:7] == [None] * 5
    first = turned[2][1]
    assert isinstance(first[0], str) and first[0].startswith("Alabama Alaska")
    assert turned[2][0] == "page 1, table 1, row 3"


@pytest.mark.parametrize("path", [SCORES, MERGED, NICS, NICS_SIDEWAYS], ids=lambda p: p.name)
def test_a_document_without_a_list_is_refused_in_one_sentence_and_stores_nothing(
    run_cli: RunCli, initialised: str, path: Path
) -> None:
    run_cli("lists", "create", "x", "--name", "test", db=initialised, ok=True)
    expected = f"Error: {path.name}: {NO_LIST}\n"
    checked = run_cli("validate", path, "--list", "x", db=initialised)
    assert (checked.exit_code, checked.output) == (2, expected)
    imported = run_cli("import", path, "--list", "x", "--version", "v1", db=initialised)
    assert (imported.exit_code, imported.output) == (2, expected)
    versions = run_cli("versions", "--list", "x", "--json", db=initialised, ok=True)
    assert versions.stdout.strip() == "[]"
