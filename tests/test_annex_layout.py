"""The annex whole, whatever its header looks like (issue 20, items 2, 4 and 5).

The same two-part annex is built with a one-row header and with the notice's two-row
header (품목 merged over 국문 | 영문, 연번 / HS 코드 / 통제번호 / 비고 merged down), its first
part's title just above the header, a page break repeating the header, a specification
entry with sub-items and a continuation line. Both layouts must import to the same
entries, parts, titles and counts, on SQLite and PostgreSQL; every row under the header
is accounted for, and a row that fits nothing is a warning, never an entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import AnnexRow, annex_grid, write_annex_csv, write_annex_xlsx
from conftest import RunCli
from openpyxl import Workbook

from exportctl.readers import LIST_SCHEMA, read_table

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

IRAN = "이란·파키스탄·시리아 관련 상황허가 대상 품목"
RUSSIA = "러시아·벨라루스 상황허가 대상 품목"
CODES = "030111 030119 030191 030192 030193 030194 030195 030199 030211 030213 030214 030219"
CODES_LIST = CODES.split()
PART_ONE: list[AnnexRow] = [
    (serial, code, f"품목 {code}", f"Item {code}", None, None)
    for serial, code in enumerate(CODES_LIST[:5], 1)
]
PART_TWO: list[AnnexRow] = [
    (1, None, "전자 장치로서 다음 중 어느 하나에 해당하는 것", "Electronic devices", None, None),
    (None, None, "a. 3A001.a.3에 해당하는 집적회로", "a. Circuits in 3A001.a.3", None, None),
    (None, None, "b. 왕복 피스톤 내연기관의 제어장치로서", None, None, None),
    (None, None, "2B350.g에 해당하는 부분품", None, None, None),
    *(
        (serial, code, f"품목 {code}", f"Item {code}", None, "일부" if serial == 4 else None)
        for serial, code in enumerate(CODES_LIST[5:12], 2)
    ),
]  # fmt: skip
PARTS = [(f"1. {IRAN}", PART_ONE), (f"2. {RUSSIA}", PART_TWO)]
DECLARED = ("--declared-total", "1=5", "--declared-total", "2=8")
KEPT = ("section", "serial", "code", "description", "description_en", "note", "sub_items")


def _annex(tmp_path: Path, header: str, suffix: str = ".xlsx", **kw: Any) -> Path:
    grid = annex_grid(PARTS, header=header, repeat_header_before=6, **kw)
    path = tmp_path / f"annex-{header}{suffix}"
    return write_annex_csv(path, grid) if suffix == ".csv" else write_annex_xlsx(path, grid)


def _json(run_cli: RunCli, *args: Any, db: str | None = None) -> dict[str, Any]:
    result = run_cli(*args, "--json", db=db)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _entries(run_cli: RunCli, db: str, slug: str, *more: str) -> list[dict[str, Any]]:
    shown = _json(run_cli, "show", "--list", slug, "--version", "v1", *more, db=db)
    return [{name: item[name] for name in KEPT} for item in shown["items"]]


def test_one_row_and_two_row_headers_import_the_same_annex(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    stored: dict[str, dict[str, Any]] = {}
    for header in ("one-row", "two-row"):
        slug = f"kr-{header}"
        result = run_cli(
            "import", _annex(tmp_path, header), "--list", slug, "--create-list",
            "--list-name", "별표 2의2", "--version", "v1", *DECLARED, db=initialised,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "count-mismatch" not in result.output
        assert f"Imported {slug} v1: 13 entries in 2 parts (1 (5), 2 (8))" in result.output
        shown = _json(run_cli, "show", "--list", slug, "--version", "v1", db=initialised)
        stored[header] = {
            "items": _entries(run_cli, initialised, slug),
            "sections": shown["sections"],
            "iran": _entries(run_cli, initialised, slug, "--section", "이란"),
        }
    one, two = stored["one-row"], stored["two-row"]
    assert one == two
    assert [
        (s["number"], s["title"], s["count"], s["declared_total"]) for s in two["sections"]
    ] == [
        (1, IRAN, 5, 5),
        (2, RUSSIA, 8, 8),
    ]
    # The part title above the header names part 1, so --section finds it by a word.
    assert [item["code"] for item in two["iran"]] == CODES_LIST[:5]
    items = two["items"]
    assert len(items) == 13  # the lower header row and its repeat are no entries
    assert items[0]["description_en"] == "Item 030111"  # the English column is not lost
    spec = items[5]
    assert (spec["section"], spec["serial"], spec["code"]) == (RUSSIA, "1", None)
    assert [(s["label"], s["text"], s["text_en"]) for s in spec["sub_items"]] == [
        ("a.", "3A001.a.3에 해당하는 집적회로", "Circuits in 3A001.a.3"),
        ("b.", "왕복 피스톤 내연기관의 제어장치로서 2B350.g에 해당하는 부분품", None),
    ]
    assert [item["serial"] for item in items[5:]] == [str(n) for n in range(1, 9)]


def test_structure_accounts_for_every_row_in_both_layouts(run_cli: RunCli, tmp_path: Path) -> None:
    read = {
        header: _json(run_cli, "validate", _annex(tmp_path, header), "--list", "kr", *DECLARED)
        for header in ("one-row", "two-row")
    }
    one, two = read["one-row"]["structure"], read["two-row"]["structure"]
    assert (one["header_rows"], two["header_rows"]) == ([4, 4], [4, 5])
    assert [(c["column"], c["header"], c["field"]) for c in two["columns"]] == [
        ("A", "연번", "serial"),
        ("B", "HS 코드", "code"),
        ("C", "품목 국문", "description"),
        ("D", "품목 영문", "description_en"),
        ("E", "통제번호", "control_numbers"),
        ("F", "비고", "note"),
    ]
    assert [c["field"] for c in one["columns"]] == [c["field"] for c in two["columns"]]
    assert two["rows"] == {
        "entry": 13,
        "sub_item": 2,
        "continuation": 1,
        "title": 2,
        "repeated_header": 2,  # both rows of the block, repeated after a page break
        "footnote": 1,
        "blank": 1,
        "left_out": 0,
    }
    assert one["rows"] == {**two["rows"], "repeated_header": 1}
    # Rows 6-26 under the two-row header and the title above it, each counted once; the
    # one-row layout has one header row fewer, and one row fewer in its repeat.
    assert (two["read"], one["read"]) == (26 - 5 + 1, 26 - 5)
    assert (
        one["parts"]
        == two["parts"]
        == [
            {"number": 1, "title": IRAN, "entries": 5, "sub_items": 0, "with_sub_items": 0},
            {"number": 2, "title": RUSSIA, "entries": 8, "sub_items": 2, "with_sub_items": 1},
        ]
    )
    for data in read.values():
        assert data["ok"] and data["count"] == 13
        assert {f["rule"] for f in data["findings"]} == {
            "footnote-rows",
            "repeated-header",
            "continued-row",
        }


def test_a_csv_writing_the_parent_once_reads_as_the_merged_workbook(
    run_cli: RunCli, tmp_path: Path
) -> None:
    workbook = _json(run_cli, "validate", _annex(tmp_path, "two-row"), "--list", "kr", *DECLARED)
    text = _json(
        run_cli, "validate", _annex(tmp_path, "two-row", ".csv"), "--list", "kr", *DECLARED
    )
    assert text["structure"] == workbook["structure"]
    assert text["sections"] == workbook["sections"]
    assert text["notice"] == workbook["notice"]


def test_dry_run_prints_how_the_file_was_read(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    result = run_cli(
        "import", _annex(tmp_path, "two-row"), "--list", "kr", "--create-list", "--list-name",
        "별표 2의2", "--version", "v1", "--dry-run", *DECLARED, db=initialised,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("Header (rows 4-5):")
    assert lines[start : start + 10] == [
        "Header (rows 4-5):",
        '  A "연번" -> serial',
        '  B "HS 코드" -> code',
        '  C "품목 국문" -> description',
        '  D "품목 영문" -> description_en',
        '  E "통제번호" -> control_numbers',
        '  F "비고" -> note',
        "Rows read: 22 (13 entries, 2 sub-items, 1 continuation, 2 part titles, "
        "2 repeated headers, 1 footnote, 1 blank)",
        f'  part 1 "{IRAN}": 5 entries',
        f'  part 2 "{RUSSIA}": 8 entries, 2 sub-items under 1 entry',
    ]
    assert "Dry run: nothing was written." in result.output


def test_a_row_that_fits_nothing_is_a_warning_not_an_entry(run_cli: RunCli, tmp_path: Path) -> None:
    rows = [*PART_ONE[:2], (None, None, "설명만 있는 줄", None, None, None), *PART_ONE[2:]]
    grid = annex_grid([(f"1. {IRAN}", rows)], header="two-row")
    path = write_annex_xlsx(tmp_path / "stray.xlsx", grid)
    result = run_cli("validate", path, "--list", "kr", "--declared-total", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["count"] == 5  # the declared total holds without the stray row
    stray = [f for f in data["findings"] if f["rule"] == "unplaced-row"]
    assert [(f["severity"], f["row"]) for f in stray] == [("warning", 8)]
    assert '"설명만 있는 줄"' in stray[0]["message"]
    assert data["structure"]["rows"]["left_out"] == 1
    assert data["structure"]["rows"]["entry"] == 5


def _three_row_header(path: Path) -> Path:
    """품목 over (품목명 over 국문 | 영문) and 비고; 연번 and HS 코드 merged down three rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f"1. {IRAN}"])
    ws.merge_cells("A1:E1")
    ws.append(["연번", "HS 코드", "품목", None, None])
    ws.append([None, None, "품목명", None, "비고"])
    ws.append([None, None, "국문", "영문", None])
    for merged in ("A2:A4", "B2:B4", "C2:E2", "C3:D3", "E3:E4"):
        ws.merge_cells(merged)
    ws.append([1, "030111", "품목 030111", "Item 030111", "일부"])
    ws.append([None, None, "국문", "영문", None])  # the lower header row alone, on a new page
    ws.append([2, "030119", "품목 030119", "Item 030119", None])
    wb.save(path)
    return path


@pytest.mark.parametrize("reader", ["openpyxl", "calamine"])
def test_a_three_row_header_joins_each_column_s_path(tmp_path: Path, reader: Any) -> None:
    table = read_table(_three_row_header(tmp_path / "deep.xlsx"), LIST_SCHEMA, reader=reader)
    assert table.columns == {
        "serial": "연번",
        "code": "HS 코드",
        "description": "품목 품목명 국문",
        "description_en": "품목 품목명 영문",
        "note": "품목 비고",
    }
    assert table.header_rows == (2, 4)
    rows = list(table.rows)
    assert rows[0].section is not None and rows[0].section.title == IRAN
    assert [row.values["description_en"] for row in rows[1:]] == ["Item 030111", "Item 030119"]
    assert table.skipped == {"blank": 0, "footnote": 0, "repeated_header": 1}


def test_an_unnumbered_line_above_the_header_names_no_part(run_cli: RunCli, tmp_path: Path) -> None:
    grid = annex_grid([(f"1. {IRAN}", PART_ONE)], header="two-row")
    grid[0][2][0] = IRAN + " (전략물자 수출입고시 별표 2의2)"  # a heading, not a part's title
    data = _json(
        run_cli, "validate", write_annex_xlsx(tmp_path / "plain.xlsx", grid), "--list", "kr"
    )
    assert [(s["number"], s["title"]) for s in data["sections"]] == [(1, None)]
    assert data["structure"]["rows"]["title"] == 0


def test_a_parent_never_reaches_past_the_parent_above_it(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["연번", "HS 코드", "품목", None, "출처", None])
    ws.append([None, None, "품목명", None, None, None])
    ws.append([None, None, "국문", "영문", "국내", "국외"])
    for merged in ("A1:A3", "B1:B3", "C1:D1", "C2:D2", "E1:F2"):
        ws.merge_cells(merged)
    ws.append([1, "030111", "품목 030111", "Item 030111", "가", "나"])
    wb.save(tmp_path / "wide.xlsx")
    table = read_table(tmp_path / "wide.xlsx", LIST_SCHEMA)
    assert table.columns["description_en"] == "품목 품목명 영문"
    assert table.unmapped == ["출처 국내", "출처 국외"]


def test_a_sub_header_row_is_header_even_when_it_maps_nothing_more(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["연번", "HS 코드", "품목명"])
    ws.append([None, None, "국문"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.append([1, "030111", "품목 030111"])
    wb.save(tmp_path / "narrow.xlsx")
    table = read_table(tmp_path / "narrow.xlsx", LIST_SCHEMA)
    assert (table.header_rows, table.columns["description"]) == ((1, 2), "품목명 국문")
    assert [row.values["description"] for row in table.rows] == ["품목 030111"]


def test_structure_doctest() -> None:
    import doctest

    import exportctl.structure

    assert (
        doctest.testmod(exportctl.structure).attempted
        and not doctest.testmod(exportctl.structure).failed
    )
