"""One reading of a code cell, whatever the file type (issue 19).

The same catalogue rows are written as CSV (the text a person sees, as Excel saves
it), as XLSX (numbers under their number formats, or text) and as ODS (numbers with
the text they show), screened through the real CLI and typed to ``check``: every row
must get the same status, code and reason from each. A code that lost a zero is only
read as a code the list's HS edition has; when two such codes fit, each is screened
and the row is never clear if either may be controlled.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from builders import Row, write_list_workbook, write_ods
from conftest import BuildOnce, RunCli
from openpyxl import Workbook

SLUG = "kr-test"
LIST_ROWS: list[Row] = [
    (1, "0101.21", "순종번식용 말", "Pure-bred breeding horses", "축산물", None),
    (2, "8471.30", "휴대용 컴퓨터", "Portable computers", "일반산업용 물품", None),
    (3, "9011.10", "실체현미경", "Stereoscopic microscopes", "일반산업용 물품", None),
    (4, "ex 8536.69", "플러그와 소켓", "Plugs and sockets", "일반산업용 물품", "일부"),
    (5, "8542.31", "프로세서와 컨트롤러", "Processors and controllers", "전략물자", None),
    (6, "8517.62.1000", "통신기기", "Machines for data", "일반산업용 물품", None),
]

CELLS: list[tuple[Any, str, str]] = [
    # (the cell in the workbook: text, a number, or (number, number format);
    #  the text a CSV saved from it holds; the status every file type must give)
    (8471300000, "8471300000", "controlled"),
    (101211000, "101211000", "controlled"),  # 0101.21.1000 without its leading zero
    ((101211000, "0000000000"), "0101211000", "controlled"),
    ("0102291000", "0102291000", "clear"),
    ((10121, "000000"), "010121", "controlled"),
    (10121, "10121", "controlled"),  # 0101.21; 1012.10 is no HS code
    ((101.21, "0000.00"), "0101.21", "controlled"),
    (101.21, "101.21", "controlled"),
    (8471.3, "8471.3", "controlled"),  # 8471.30; 8471.03 is no HS code
    ((8471.3, "0000.00"), "8471.30", "controlled"),
    ((8471, "0000"), "8471", "review"),  # a heading broader than entry 8471.30
    (84713010, "84713010", "controlled"),  # an 8-digit national line under 8471.30
    (85176210, "85176210", "review"),  # broader than entry 8517.62.1000
    ((851762, "000000"), "851762", "review"),
    ((847130, "@"), "847130", "controlled"),
    (8542.31, "8542.31", "controlled"),
    (1012110, "1012110", "controlled"),  # 0101.21.10
    (90111, "90111", "review"),  # 0901.11 (clear) or 9011.10 (controlled)
    (901110000, "901110000", "review"),
    (70200, "70200", "clear"),  # 0702.00 or 7020.00, neither listed
    ((30110, "000000"), "030110", "clear"),
    ("ex 8536.69", "ex 8536.69", "review"),
    ("0101.21.1000", "0101.21.1000", "controlled"),
    ("84.7x", "84.7x", "invalid"),
    (99999, "99999", "invalid"),  # neither 0999.99 nor 9999.90 exists
]
HEADER = ("SKU", "제품명", "HS코드")


@pytest.fixture
def list_db(run_cli: RunCli, sqlite_url: str, build_once: BuildOnce) -> str:

    def build(folder: Path, db: str) -> None:
        workbook = write_list_workbook(folder / "list.xlsx", LIST_ROWS)
        run_cli(
            "import", workbook, "--list", SLUG, "--create-list", "--approve", "--version",
            "2024-06", "--effective", "2024-06-28", db=db, ok=True,
        )  # fmt: skip

    return build_once(sqlite_url, build)


def write_csv(path: Path, codes: Sequence[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows((f"P-{n}", f"제품 {n}", code) for n, code in enumerate(codes, 1))
    return path


def write_xlsx(path: Path, cells: Sequence[Any]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for n, cell in enumerate(cells, 1):
        value, number_format = cell if isinstance(cell, tuple) else (cell, None)
        ws.append([f"P-{n}", f"제품 {n}", value])
        if number_format is not None:
            ws.cell(row=n + 1, column=3).number_format = number_format
    wb.save(path)
    return path


def write_ods_catalogue(path: Path, cells: Sequence[Any], shown: Sequence[str]) -> Path:
    rows: list[Sequence[Any]] = [HEADER]
    for n, (cell, text) in enumerate(zip(cells, shown, strict=True), 1):
        value = cell[0] if isinstance(cell, tuple) else cell
        rows.append((f"P-{n}", f"제품 {n}", value if isinstance(value, str) else (value, text)))
    return write_ods(path, rows)


def screened(run_cli: RunCli, db: str, path: Path) -> list[dict[str, Any]]:
    result = run_cli("screen", path, "--list", SLUG, "--format", "json", db=db, ok=True)
    rows: list[dict[str, Any]] = json.loads(result.stdout)["rows"]
    return rows


def checked(run_cli: RunCli, db: str, *codes: str, **kwargs: Any) -> list[dict[str, Any]]:
    result = run_cli("check", "--list", SLUG, "--json", *codes, db=db, ok=True, **kwargs)
    results: list[dict[str, Any]] = json.loads(result.stdout)["results"]
    return results


def verdict(row: dict[str, Any]) -> tuple[Any, ...]:
    entry = row["entry"]
    return (
        row["status"],
        row["code"],
        row["original_code"],
        row["reason"],
        row["warning"],
        entry["serial"] if entry else None,
    )


def test_csv_xlsx_and_ods_give_each_row_the_same_verdict(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    cells = [cell for cell, _, _ in CELLS]
    texts = [text for _, text, _ in CELLS]
    from_csv = screened(run_cli, list_db, write_csv(tmp_path / "items.csv", texts))
    from_xlsx = screened(run_cli, list_db, write_xlsx(tmp_path / "items.xlsx", cells))
    from_ods = screened(run_cli, list_db, write_ods_catalogue(tmp_path / "items.ods", cells, texts))
    assert [row["status"] for row in from_csv] == [status for _, _, status in CELLS]
    for n, (a, b, c) in enumerate(zip(from_csv, from_xlsx, from_ods, strict=True)):
        assert verdict(a) == verdict(b) == verdict(c), CELLS[n]
        assert a["original_code"] == texts[n]


def test_check_and_stdin_agree_with_screen_for_every_text(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    texts = [text for _, text, _ in CELLS]
    rows = screened(run_cli, list_db, write_csv(tmp_path / "items.csv", texts))
    results = checked(run_cli, list_db, *texts)
    piped = checked(run_cli, list_db, input="\n".join(texts) + "\n")
    assert piped == results
    for row, result in zip(rows, results, strict=True):
        entry = result["entry"]["serial"] if result["entry"] else None
        assert (result["status"], result["digits"], result["reason"], entry) == (
            row["status"],
            row["code"],
            row["reason"],
            row["entry"]["serial"] if row["entry"] else None,
        ), row


@pytest.mark.parametrize("others", [4, 9])
def test_a_lost_leading_zero_among_national_codes_is_never_padded_into_a_code(
    run_cli: RunCli, list_db: str, tmp_path: Path, others: int
) -> None:
    """The reported case: 101211000 beside 10-digit codes kept as text, one starting
    with 0, was read as 1012.11.0000 (no such subheading) and reported clear."""
    national = ["8471300000", "8517620000", "0102291000", "9503001000", "8542310000"]
    national += ["8703230000", "0805100000", "9013100000", "8481800000"]
    codes = ["101211000", *national[:others]]
    cells: list[Any] = [101211000, *national[:others]]
    for rows in (
        screened(run_cli, list_db, write_csv(tmp_path / "items.csv", codes)),
        screened(run_cli, list_db, write_xlsx(tmp_path / "items.xlsx", cells)),
    ):
        first = rows[0]
        assert (first["status"], first["code"]) == ("controlled", "0101211000")
        assert first["reason"] == (
            "list entry No. 1 (0101.21) covers 0101.21.1000 (code read as 0101.21.1000: a "
            "leading zero was restored because only that reading is an HS 2022 subheading)"
        )
        assert "1012.11" not in json.dumps(rows, ensure_ascii=False)
    alone = checked(run_cli, list_db, "101211000")[0]
    assert (alone["status"], alone["code"]) == ("controlled", "0101.21.1000")


def test_two_real_readings_where_one_is_controlled_is_review_naming_both(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    rows = screened(run_cli, list_db, write_csv(tmp_path / "items.csv", ["90111", "70200"]))
    either, neither = rows
    assert (either["status"], either["code"], either["entry"]["serial"]) == ("review", None, "3")
    assert either["reason"] == (
        '"90111" lost a zero: it may be 0901.11 or 9011.10, both HS 2022 subheadings, and '
        f"they screen differently: as 0901.11 it is clear (no entry of {SLUG} 2024-06 covers "
        "0901.11); as 9011.10 it is controlled (list entry No. 3 (9011.10) covers 9011.10); "
        "find out which code is meant"
    )
    assert either["warning"] == (
        "code may be read as 0901.11 (a leading zero was restored) or 9011.10 "
        "(a trailing zero was restored)"
    )
    assert (neither["status"], neither["entry"]) == ("clear", None)
    assert neither["reason"] == (
        '"70200" lost a zero: it may be 0702.00 or 7020.00, both HS 2022 subheadings: '
        f"as 0702.00 it is clear (no entry of {SLUG} 2024-06 covers 0702.00); "
        f"as 7020.00 it is clear (no entry of {SLUG} 2024-06 covers 7020.00)"
    )


def test_lost_zeros_are_read_by_the_lists_own_hs_edition(
    run_cli: RunCli, sqlite_url: str, tmp_path: Path
) -> None:
    """0309.10 (flours of fish) is new in HS 2022: a list of HS 2017 codes has no such code."""
    run_cli("init", db=sqlite_url, ok=True)
    workbook = write_list_workbook(tmp_path / "list.xlsx", LIST_ROWS[:3])
    for slug, edition in (("hs2022", "2022"), ("hs2017", "2017")):
        run_cli(
            "import", workbook, "--list", slug, "--create-list", "--approve", "--version",
            "v1", "--effective", "2024-06-28", "--hs-edition", edition, db=sqlite_url,
            ok=True,
        )  # fmt: skip
    catalogue = write_csv(tmp_path / "items.csv", ["30910"])
    for slug, status, code in (("hs2022", "clear", "030910"), ("hs2017", "invalid", None)):
        result = run_cli("screen", catalogue, "--list", slug, "--json", db=sqlite_url)
        row = json.loads(result.stdout)["rows"][0]
        assert (row["status"], row["code"]) == (status, code)
        # A catalogue whose only code reads as no real code screened nothing: exit 1.
        assert result.exit_code == (0 if status == "clear" else 1)
    row = json.loads(
        run_cli("screen", catalogue, "--list", "hs2017", "--json", db=sqlite_url).stdout
    )["rows"][0]
    assert "neither 0309.10 nor 3091.00 is an HS 2017 subheading" in row["reason"]
