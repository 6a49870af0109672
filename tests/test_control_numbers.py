"""The annex's control-number column (issue 20): read into each entry, shown, exported,
compared and screened; what a cell holds beyond numbers is a warning at its cell.

The workbook is laid out like 별표 2의2 with its ``관련 통제번호`` column and imported
through the real CLI on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from openpyxl import Workbook

from exportctl.entries import Assembler
from exportctl.hscode import Nomenclature
from exportctl.models import ItemRecord
from exportctl.profiles import load_profile
from exportctl.readers import LIST_SCHEMA, ParsedRow, read_table
from exportctl.validate import _Collector, build_items

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

HEADER = ["연번", "HS코드", "품목명", "영문품목명", "관련 통제번호"]
# Serial, code, Korean name, English name, control-number cell. Row 3 is the first.
ROWS: list[list[Any]] = [
    [1, "8471.30", "휴대용 컴퓨터", "Laptops", "4A003.b"],
    [2, "8542.31", "집적회로", "Integrated circuits", "3A0013B001"],
    [3, None, "전자 장치로서 다음 중 어느 하나에 해당하는 것", None, "3C001∼3"],
    [None, None, "a. 3A001.a.3에 해당하는 집적회로", None, "3A001.a.3, 3D001"],
    [4, "9030.82", "반도체 시험장비(3B001에 해당)", "Wafer testers", "3E001 및 3B001"],
    [5, "8542.32", "메모리", "Memories", "3A001, 3X001"],
    [6, "8542.33", "증폭기", "Amplifiers", "3C005~1"],
    [7, "8542.39", "기타 집적회로", "Other ICs", None],
]
EXPECTED = {
    "1": ["4A003.b"],
    "2": ["3A001", "3B001"],
    # The column, then the entry's text (none), then its sub-item's (column, then text).
    "3": ["3C001", "3C002", "3C003", "3A001.a.3", "3D001"],
    # The column first, the text's 3B001 once.
    "4": ["3E001", "3B001"],
    "5": ["3A001"],
    "6": [],
    "7": [],
}


def _workbook(path: Path, rows: list[list[Any]] = ROWS) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "별표2의2"
    ws.append(["러시아·벨라루스 상황허가 대상 품목 (전략물자 수출입고시 별표 2의2)"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _import(run_cli: RunCli, db: str, path: Path, label: str) -> dict[str, Any]:
    result = run_cli(
        "import", path, "--list", "kr-ctrl", "--create-list", "--version", label,
        "--effective", "2024-06-28", "--approve", "--json", db=db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _items(run_cli: RunCli, db: str, label: str) -> list[dict[str, Any]]:
    args = ("show", "--list", "kr-ctrl", "--version", label, "--json")
    items: list[dict[str, Any]] = json.loads(run_cli(*args, db=db, ok=True).stdout)["items"]
    return items


@pytest.fixture
def imported(run_cli: RunCli, initialised: str, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """``kr-ctrl`` version ``v1`` from the workbook, and the import's JSON."""
    return initialised, _import(run_cli, initialised, _workbook(tmp_path / "annex.xlsx"), "v1")


def test_the_column_is_a_field_of_the_korean_annex_profile() -> None:
    schema = load_profile("kr-annex-2-2").schema()
    for header in ("관련 통제번호", "전략물자 해당번호", "해당번호", "통제번호", "ECCN"):
        assert schema.lookup(header) == "control_numbers", header
    assert LIST_SCHEMA.lookup("Control numbers") == "control_numbers"
    assert LIST_SCHEMA.lookup("관련 통제번호") is None  # the annex's own, in its profile


def test_the_numbers_land_on_each_entry(
    run_cli: RunCli, imported: tuple[str, dict[str, Any]]
) -> None:
    db, result = imported
    assert not [f for f in result["findings"] if f["rule"] == "unmapped-column"]
    items = _items(run_cli, db, "v1")
    assert {i["serial"]: i["control_numbers"] for i in items} == EXPECTED
    spec = next(i for i in items if i["serial"] == "3")
    assert spec["sub_items"] == [
        {
            "label": "a.",
            "path": "a",
            "text": "3A001.a.3에 해당하는 집적회로",
            "text_en": None,
            "control_numbers": ["3A001.a.3", "3D001"],
            "sub_items": [],
        }
    ]


def test_an_unreadable_cell_and_a_reversed_range_are_warnings_at_their_cell(
    imported: tuple[str, dict[str, Any]],
) -> None:
    _, result = imported
    found = [
        (f["severity"], f["rule"], f["row"], f["column"], f["message"])
        for f in result["findings"]
        if "control" in f["rule"]
    ]
    assert found == [
        (
            "warning",
            "unreadable-control-number",
            8,
            "관련 통제번호",
            '"3X001" is not a control number (such as 3A001.a.3); the cell\'s other numbers '
            "are kept (3A001)",
        ),
        (
            "warning",
            "reversed-control-range",
            9,
            "관련 통제번호",
            'the range "3C005~1" runs backwards, so none of it was read; no number was read '
            "from the cell",
        ),
    ]


def test_the_warning_reads_as_one_line_naming_file_sheet_row_and_column(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    path = _workbook(tmp_path / "annex.xlsx")
    result = run_cli("validate", path, "--list", "kr-ctrl", db=initialised)
    assert result.exit_code == 0, result.output
    assert (
        '  warning: annex.xlsx, sheet "별표2의2", row 9, column "관련 통제번호": the range '
        '"3C005~1" runs backwards, so none of it was read; no number was read from the cell'
    ) in result.output.splitlines()


def test_export_carries_the_numbers(
    run_cli: RunCli, imported: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, _ = imported
    out = tmp_path / "list.csv"
    run_cli(
        "export", "--list", "kr-ctrl", "v1", "-o", out, "--csv-dialect", "plain", db=db, ok=True
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["serial"]: r["control_numbers"] for r in rows} == {
        serial: " ".join(numbers) for serial, numbers in EXPECTED.items()
    }


def test_a_changed_set_of_numbers_is_a_modification(
    run_cli: RunCli, imported: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, _ = imported
    rows = [list(row) for row in ROWS]
    rows[0][4] = "4A003.b, 5A002"  # serial 1 gains a number
    rows[1][4] = "3A001"  # serial 2 loses one
    _import(run_cli, db, _workbook(tmp_path / "later.xlsx", rows), "v2")
    diff = run_cli("diff", "v1", "v2", "--list", "kr-ctrl", "--json", db=db, ok=True)
    changes = json.loads(diff.stdout)["changes"]
    assert sorted((c["change"], c["serial"], tuple(c["fields"])) for c in changes) == [
        ("modified", "1", ("control_numbers",)),
        ("modified", "2", ("control_numbers",)),
    ]
    gained = next(c for c in changes if c["serial"] == "1")
    assert (gained["old"]["control_numbers"], gained["new"]["control_numbers"]) == (
        ["4A003.b"],
        ["4A003.b", "5A002"],
    )


def test_a_classification_naming_a_number_of_the_column_is_for_review(
    run_cli: RunCli, imported: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, _ = imported
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "SKU,Description,HS코드,전략물자 해당번호\n"
        "S-1,plastic toy,9503.00,3E001\n"
        "S-2,plastic toy,9503.00,3C002\n"
        "S-3,plastic toy,9503.00,EAR99\n",
        encoding="utf-8",
    )
    result = run_cli("screen", catalogue, "--list", "kr-ctrl", "--version", "v1", "--json", db=db)
    rows = json.loads(result.stdout)["rows"]
    assert [r["status"] for r in rows] == ["review", "review", "clear"]
    assert [r["entry"]["serial"] for r in rows[:2]] == ["4", "3"]
    assert "entry No. 4" in rows[0]["reason"] and "3E001" in rows[0]["reason"]
    assert "entry No. 3" in rows[1]["reason"] and "3C002" in rows[1]["reason"]


# ------------------------------------------------------------------- rows into entries


def _row(number: int, *, continued: bool = False, **values: str | None) -> ParsedRow:
    cells = dict.fromkeys(LIST_SCHEMA.fields) | values
    return ParsedRow(number, cells, None, continued=continued)


def test_a_continued_row_adds_its_numbers_to_the_entry_or_its_last_sub_item() -> None:
    warnings: list[tuple[str, int, str | None, str | None]] = []

    def warn(
        rule: str, message: str, row: int, *, field: str | None = None, value: str | None = None
    ) -> None:
        warnings.append((rule, row, field, value))

    def build(parsed: ParsedRow) -> ItemRecord:
        return ItemRecord(parsed.values["serial"], None, None, False, "장치", row=parsed.row)

    rows = [
        _row(1, serial="1", description="장치", control_numbers="3A001"),
        # a cell merged down from No. 1: the entry goes on
        _row(2, continued=True, description="(부분품 포함)", control_numbers="3A002"),
        _row(3, serial="2", description="장치", control_numbers="3B001"),
        _row(4, description="a. 증폭기", control_numbers="3B002"),
        # merged down again, now under the sub-item a.
        _row(5, continued=True, description="3B003에 해당", control_numbers="3B004; 3X9"),
    ]
    items = list(Assembler(build, warn).items(rows))
    assert [item.control_numbers for item in items] == [
        ("3A001", "3A002"),
        ("3B001", "3B002", "3B003", "3B004"),
    ]
    assert items[1].sub_items[0].control_numbers == ("3B002", "3B003", "3B004")
    assert ("unreadable-control-number", 5, "control_numbers", "3B004; 3X9") in warnings


def test_build_items_puts_the_warning_at_its_cell(tmp_path: Path) -> None:
    schema = load_profile("kr-annex-2-2").schema()
    table = read_table(_workbook(tmp_path / "annex.xlsx"), schema)
    out = _Collector(table)
    items = list(build_items(table, table.rows, out, Nomenclature.load("2022")))
    assert [item.control_numbers for item in items][:2] == [("4A003.b",), ("3A001", "3B001")]
    assert [(f.rule, f.row, f.column, f.value) for f in out.findings] == [
        ("unreadable-control-number", 8, "관련 통제번호", "3A001, 3X001"),
        ("reversed-control-range", 9, "관련 통제번호", "3C005~1"),
    ]
