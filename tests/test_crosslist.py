"""``compare``: for each entry of list A, does list B cover it?"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from builders import simple_rows, write_list_workbook
from conftest import SHARED, RunCli

from exportctl.crosslist import Side, compare_lists, entry_covers
from exportctl.models import ItemRecord

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

CHPL = SHARED / "data" / "control_lists" / "chpl_bis_2024-02-23_transcribed.csv"


def _item(code: str | None, ex: bool = False) -> ItemRecord:
    return ItemRecord(None, code, len(code) if code else None, ex, f"item {code}")


def test_coverage_by_a_shorter_an_ex_and_a_longer_entry() -> None:
    assert entry_covers(_item("84"), "847130") == "whole"
    assert entry_covers(_item("8504", ex=True), "850440") == "part"
    assert entry_covers(_item("8525801000"), "852580") == "under"
    assert entry_covers(_item("8526"), "852580") is None
    assert entry_covers(_item(None), "852580") is None
    a = Side("a", "1", items=[_item(c) for c in ("847130", "850440", "852580", "901310")])
    b = Side("b", "1", items=[_item("84"), _item("8504", ex=True), _item("8525801000")])
    result = compare_lists(a, Side(b.slug, b.label, items=[*b.items, _item(None)]))
    assert [row.status for row in result.rows] == ["covered", "partly", "partly", "not_covered"]
    assert [m.code for m in result.rows[0].matches] == ["84"]
    assert result.counts == {"covered": 1, "partly": 2, "not_covered": 1, "no_code": 0}


def _two_lists(tmp_path: Path, run_cli: RunCli, db: str) -> None:
    run_cli("init", db=db, ok=True)
    a = write_list_workbook(
        tmp_path / "a.xlsx",
        simple_rows(["8471.30", "8504.40", "8525.80", "9013.10"]),
        two_row_header=False,
    )
    b_rows = simple_rows(["84", "ex 8504", "8525.80.1000"])
    b = write_list_workbook(tmp_path / "b.xlsx", b_rows, two_row_header=False)
    for book, slug in ((a, "list-a"), (b, "list-b")):
        args = ("import", "--create-list", "--approve", book, "--list", slug, "--version", "v1")
        run_cli(*args, "--effective", "2024-01-01", db=db, ok=True)


def test_compare_prints_counts_and_writes_audited_reports(
    tmp_path: Path, run_cli: RunCli, db_url: str
) -> None:
    _two_lists(tmp_path, run_cli, db_url)
    text = run_cli("compare", "list-a", "list-b", db=db_url, ok=True).stdout
    assert "list-a v1 (4 entries) against list-b v1 (3 entries)" in text
    assert re.search(r"covered +1\n +partly covered +2\n +not covered +1\n +no code +0", text)
    assert "partly covered  8504.40" in text and "(B: ex 8504)" in text
    assert "not covered     9013.10" in text

    args = ("compare", "list-a", "list-b", "--as-of", "2024-06-01")
    printed = run_cli(*args, "--format", "csv", "--csv-dialect", "plain", db=db_url, ok=True)
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert [(r["a_code_digits"], r["status"], r["b_codes"]) for r in rows] == [
        ("847130", "covered", "84"),
        ("850440", "partly", "ex 8504"),
        ("852580", "partly", "8525.80.1000"),
        ("901310", "not_covered", ""),
    ]

    out_json = tmp_path / "cover.json"
    run_cli(*args, "-o", out_json, db=db_url, ok=True)
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["counts"] == {"covered": 1, "partly": 2, "not_covered": 1, "no_code": 0}
    assert (data["a"]["list"], data["b"]["list"]) == ("list-a", "list-b")
    assert data["rows"][0]["b_entries"][0]["code"] == "84"

    out_xlsx = tmp_path / "cover.xlsx"
    run_cli(*args, "-o", out_xlsx, "--lang", "ko", db=db_url, ok=True)
    book = openpyxl.load_workbook(out_xlsx, read_only=True)
    sheet = book["비교"]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][2] == "A HS 코드" and table[0][7] == "B의 포함 여부"
    assert [row[7] for row in table[1:]] == ["포함", "일부 포함", "일부 포함", "미포함"]
    assert table[1][2] == "8471.30" and table[1][8] == "84"
    summary = list(book["요약"].iter_rows(values_only=True))
    assert ("미포함", "1") in [(row[0], row[1]) for row in summary]
    book.close()

    audit = json.loads(run_cli("audit", "--json", db=db_url, ok=True).stdout)
    events = audit["events"] if isinstance(audit, dict) else audit
    compared = [e for e in events if e["action"] == "compare"]
    assert [e["detail"]["format"] for e in compared] == ["csv", "json", "xlsx"]
    assert compared[-1]["detail"]["counts"]["not_covered"] == 1
    assert compared[-1]["detail"]["list_b"] == "list-b"
    assert run_cli("audit", "verify", db=db_url).exit_code == 0


def test_compare_refuses_pdf_and_an_xlsx_on_stdout(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    _two_lists(tmp_path, run_cli, sqlite_url)
    pdf = run_cli("compare", "list-a", "list-b", "--format", "pdf", db=sqlite_url)
    assert pdf.exit_code == 2 and "csv, xlsx or json, not pdf" in pdf.output
    xlsx = run_cli("compare", "list-a", "list-b", "--format", "xlsx", db=sqlite_url)
    assert xlsx.exit_code == 2 and "needs a file" in xlsx.output


@pytest.mark.skipif(not CHPL.is_file(), reason=f"shared data not found at {CHPL}")
def test_the_chpl_against_the_korean_sample(run_cli: RunCli, lists_db: str) -> None:
    args = (
        "import",
        "--create-list",
        "--approve",
        CHPL,
        "--list",
        "chpl",
        "--effective",
        "2024-01-01",
    )
    columns = (
        "--column",
        "code=hs_code",
        "--column",
        "description=hs_description_and_representative_part",
    )
    run_cli(*args, "--version", "2024-02-23", *columns, db=lists_db, ok=True)
    result = run_cli(
        "compare",
        "chpl",
        "kr-russia",
        "--version-a",
        "2024-02-23",
        "--version-b",
        "2024-06",
        "--json",
        db=lists_db,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["a"]["count"] == 50 and len(data["rows"]) == 50
    assert sum(data["counts"].values()) == 50
    assert data["counts"]["no_code"] == 0


def test_a_range_in_b_covers_the_codes_between_its_ends() -> None:
    from exportctl.crosslist import entry_covers
    from exportctl.models import ItemRecord

    span = ItemRecord("1", "847130", 6, False, "범위", code_end="847150")
    assert entry_covers(span, "847141") == "whole"
    assert entry_covers(span, "8471490000") == "whole"
    assert entry_covers(span, "847160") is None
    assert entry_covers(span, "8471") == "under"
    ex = ItemRecord("2", "88", 2, True, "항공기 일부")
    assert entry_covers(ex, "8802400000") == "part"
