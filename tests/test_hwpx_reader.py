"""The annex read straight from the notice's HWPX attachment.

Documents are written by ``hwpx_builder`` the way Hangul saves them (title
paragraphs, a revision-history table, the annex table with merged header and
serial cells, footnote paragraphs) and read through ``read_table`` and the real
CLI on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from hwpx_builder import Cell, Table, write_hwpx

from exportctl.errors import InputError
from exportctl.limits import Limits
from exportctl.readers import LIST_SCHEMA, read_table
from exportctl.readers.guard import check_file
from exportctl.readers.hwpx import open_book

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

RUSSIA = "러시아·벨라루스 상황허가 대상 품목"
TITLES = [
    "[별표 2의2] <개정 2024. 2. 24., 2024. 6. 28.>",
    "산업통상자원부고시 제2024-123호(2024. 6. 28.)",
]
CODES = (
    "010121 010129 010130 010190 010221 010229 010231 010239 010290 010310 010391 010392 "
    "010410 010420 010511 010512 010513 010514 010515 010594 010599 010611 010612 010613 "
    "010614 010619 010620 010631 010632 010633 010639 010641 010649 010690 020110 020120 "
    "020130 020210 020220 020230 020311 020312 020319 020321 020322 020329 020410 020421 "
    "020422 020423 020430 020441 020442 020443"
).split()
HEADER = [
    [Cell("연번", rows=2), Cell("HS코드\n(6단위)", rows=2), Cell("품목명", columns=2),
     Cell("비고", rows=2)],
    ["국문", "영문"],
]  # fmt: skip
HISTORY = Table(
    [
        ["개정일", "고시", "주요 내용"],
        ["2024. 2. 24.", "제2024-30호", "상황허가 대상 품목 추가"],
        ["2024. 6. 28.", "제2024-123호", "품목 정비"],
    ]
)
FOOTNOTES = ["※ HS코드는 6단위 기준임", "※ 품목명은 참고용이며 HS코드가 우선함"]
CONTINUED_ROW = 12  # the second row of entry 5, under its merged serial cell


def _dotted(code: str) -> str:
    return f"{code[:4]}.{code[4:]}"


def annex_rows() -> list[list[Cell | str | None]]:
    """The annex table: header, part title, entry 1 with sub-items, 3의2, entry 5 on two rows.

    55 entries: the specification entry 1 (no code, sub-items a. and b.), then
    2..54 and the branch 3의2 with codes typed as text with their leading zero.
    """
    rows: list[list[Cell | str | None]] = [*HEADER, [Cell(f"2. {RUSSIA}", columns=5)]]
    rows.append(["1", None, "전자 장치로서 다음 중 어느 하나에 해당하는 것", None, None])
    rows.append([None, None, "a. 3A001.a.3에 해당하는 집적회로", None, None])
    rows.append([None, None, "b. 2B350.g에 해당하는 부분품", None, None])
    codes = iter(CODES)
    for serial in ["2", "3", "3의2", *map(str, range(4, 55))]:
        code = _dotted(next(codes))
        if serial == "5":
            rows.append([Cell("5", rows=2), code, "말", "Horses", None])
            rows.append([None, "(순종 번식용)", "(pure-bred breeding)", None])
            continue
        rows.append([serial, code, f"품목 {code}", f"Item {code}", None])
    return rows


def write_annex(path: Path, **options: Any) -> Path:
    """The annex HWPX: titles, the revision history, the annex table, footnotes."""
    return write_hwpx(
        path,
        [*TITLES, HISTORY, f"{RUSSIA}(제45조의2 관련)", Table(annex_rows()), *FOOTNOTES],
        page_header="전략물자 수출입고시",
        **options,
    )


@pytest.fixture
def listed(run_cli: RunCli, initialised: str) -> str:
    run_cli("lists", "create", "kr-russia", "--name", RUSSIA, db=initialised, ok=True)
    return initialised


def test_the_annex_imports_from_hwpx_with_its_structure_and_places(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = write_annex(tmp_path / "annex.hwpx")
    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v1", "--effective", "2024-06-28",
        "--declared-total", "55", "--json", db=listed,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["count"] == 55
    assert data["notice"]["number"] == "제2024-123호"
    assert [(s["number"], s["title"], s["count"]) for s in data["sections"]] == [(2, RUSSIA, 55)]
    assert not [f for f in data["findings"] if f["severity"] == "error"]
    continued = [f for f in data["findings"] if f["rule"] == "continued-row"]
    assert [f["place"] for f in continued] == [f"table 2, row {CONTINUED_ROW}"]
    assert "entry No. 5" in continued[0]["message"]

    shown = run_cli("show", "kr-russia", "--version", "v1", "--json", db=listed, ok=True)
    items = json.loads(shown.stdout)["items"]
    assert len(items) == 55
    assert [i["serial"] for i in items[:5]] == ["1", "2", "3", "3의2", "4"]
    spec = items[0]
    assert spec["code"] is None
    assert [s["label"] for s in spec["sub_items"]] == ["a.", "b."]
    assert spec["control_numbers"] == ["3A001.a.3", "2B350.g"]
    assert items[1]["code"] == CODES[0]  # 0101.21 keeps its leading zero
    horses = items[5]
    assert horses["serial"] == "5"
    assert horses["description"] == "말 (순종 번식용)"
    assert horses["description_en"] == "Horses (pure-bred breeding)"
    assert horses["sheet"] == "table 2, row 11"
    assert items[-1]["sheet"] == "table 2, row 61"
    assert {i["code"] for i in items[1:]} == set(CODES)


def test_title_lines_are_the_paragraphs_above_the_table_not_headers_or_tables(
    tmp_path: Path,
) -> None:
    table = read_table(write_annex(tmp_path / "annex.hwpx"), LIST_SCHEMA)
    assert table.sheet == "table 2"
    assert table.header_row == 2
    assert table.title_lines == [*TITLES, f"{RUSSIA}(제45조의2 관련)"]
    assert table.columns["code"] == "HS코드 (6단위)"
    assert table.columns["description_en"] == "품목명 영문"
    rows = list(table.rows)
    assert rows[0].section is not None and rows[0].place == "table 2, row 3"
    continued = [row for row in rows if row.continued]
    assert [row.place for row in continued] == [f"table 2, row {CONTINUED_ROW}"]
    # The footnote paragraphs after the table are not rows of it.
    assert not any("6단위 기준" in str(row.values) for row in rows)


def test_table_option_picks_a_table_and_a_missing_one_is_refused(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = write_annex(tmp_path / "annex.hwpx")
    chosen = run_cli("validate", path, "--list", "kr-russia", "--table", "2", "--json", db=listed)
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["count"] == 55
    history = run_cli("validate", path, "--list", "kr-russia", "--table", "1", db=listed)
    assert history.exit_code == 2
    assert "table 1 has no header row with an HS code column" in history.output
    missing = run_cli("validate", path, "--list", "kr-russia", "--table", "9", db=listed)
    assert missing.exit_code == 2
    assert "annex.hwpx: has 2 tables; there is no table 9" in missing.output


def test_two_annex_tables_without_table_are_refused(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    second = Table([["연번", "HS코드", "품목명"], ["1", "0101.21", "말"]])
    path = write_hwpx(tmp_path / "two.hwpx", [*TITLES, Table(annex_rows()), second])
    result = run_cli("validate", path, "--list", "kr-russia", db=listed)
    assert result.exit_code == 1, result.output
    assert "table 1 (header in row 2), table 2 (header in row 1)" in result.output
    assert "--table N" in result.output
    assert "which one is meant cannot be told" in result.output
    run_cli("validate", path, "--list", "kr-russia", "--table", "2", db=listed, ok=True)


def _refusal(run_cli: RunCli, db: str, path: Path) -> str:
    result = run_cli("validate", path, "--list", "kr-russia", db=db)
    assert result.exit_code == 2, result.output
    return result.output


def _section(blocks: list[str | Table]) -> bytes:
    """A section part's XML as the builder writes it."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_hwpx(Path(folder) / "x.hwpx", blocks)
        with zipfile.ZipFile(path) as archive:
            return archive.read("Contents/section0.xml")


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"Contents/section0.xml": _section(TITLES)}, "annex.hwpx: has no table; the annex"),
        (
            {"Contents/section0.xml": _section([Table([["연번", "HS코드"]])])[:-20]},
            'part "Contents/section0.xml" is not well-formed XML',
        ),
        (
            {"Contents/section0.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'},
            'part "Contents/section0.xml" declares XML entities (DOCTYPE)',
        ),
        (
            {"Contents/section0.xml": None},
            'part "Contents/section0.xml" listed in Contents/content.hpf is missing',
        ),
        (
            {"Contents/section0.xml": None, "Contents/content.hpf": None},
            "has no section part (Contents/section0.xml)",
        ),
    ],
    ids=["no-table", "malformed", "doctype", "listed-missing", "no-section"],
)
def test_broken_documents_are_refused_with_one_sentence(
    run_cli: RunCli, sqlite_url: str, tmp_path: Path, replace: dict[str, bytes | None], message: str
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    run_cli("lists", "create", "kr-russia", "--name", RUSSIA, db=sqlite_url, ok=True)
    path = write_annex(tmp_path / "annex.hwpx", replace=replace)
    assert message in _refusal(run_cli, sqlite_url, path)


def test_encrypted_and_binary_hwp_are_refused_with_the_way_out(
    run_cli: RunCli, sqlite_url: str, tmp_path: Path
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    run_cli("lists", "create", "kr-russia", "--name", RUSSIA, db=sqlite_url, ok=True)
    encrypted = write_annex(tmp_path / "drm.hwpx", encrypted=True)
    output = _refusal(run_cli, sqlite_url, encrypted)
    assert "drm.hwpx: is encrypted (DRM); save an unprotected HWPX or use the PDF" in output
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    (tmp_path / "annex.hwp").write_bytes(ole2)
    output = _refusal(run_cli, sqlite_url, tmp_path / "annex.hwp")
    assert "is a binary HWP file" in output and "HWPX" in output and "PDF" in output
    (tmp_path / "renamed.hwpx").write_bytes(ole2)
    output = _refusal(run_cli, sqlite_url, tmp_path / "renamed.hwpx")
    assert "is a binary HWP 5 file named .hwpx" in output and "PDF" in output


def test_a_table_without_a_code_column_says_which_tables_were_searched(tmp_path: Path) -> None:
    path = write_hwpx(tmp_path / "history.hwpx", [*TITLES, HISTORY])
    with pytest.raises(InputError) as caught:
        read_table(path, LIST_SCHEMA)
    assert "no table has a header row with an HS code column" in str(caught.value)
    assert "(1 table read)" in str(caught.value)


def _rows(path: Path, sheet: str = "table 1") -> list[Any]:
    book = open_book(check_file(path))
    try:
        return list(book.rows(sheet))
    finally:
        book.close()


def test_cells_are_placed_by_address_not_by_the_order_they_are_written(tmp_path: Path) -> None:
    rows = [
        ["연번", "HS코드", "품목명"],
        [Cell("1", rows=3), "0101.21", "말"],
        [Cell("0101.29", rows=2), Cell("기타 말과 당나귀", columns=1)],
        ["(노새)"],
    ]
    path = write_hwpx(tmp_path / "reversed.hwpx", [Table(rows, reverse=True)])
    found = [(row.number, list(row.values), row.covered, row.place) for row in _rows(path)]
    assert found == [
        (1, ["연번", "HS코드", "품목명"], frozenset(), "table 1, row 1"),
        (2, ["1", "0101.21", "말"], frozenset(), "table 1, row 2"),
        (3, [None, "0101.29", "기타 말과 당나귀"], frozenset({0}), "table 1, row 3"),
        (4, [None, None, "(노새)"], frozenset({0, 1}), "table 1, row 4"),
    ]
    # Without addresses (not as Hangul writes them) cells fill the free columns in order.
    plain = write_hwpx(tmp_path / "plain.hwpx", [Table(rows, addresses=False)])
    assert [list(row.values) for row in _rows(plain)] == [values for _, values, _, _ in found]


def test_spans_across_leave_the_covered_columns_blank_and_nested_tables_read_flat(
    tmp_path: Path,
) -> None:
    nested = Table([["a. 3A001", "b. 3A002"]])
    rows = [
        ["연번", "HS코드", "품목명", "비고"],
        [Cell("2. 러시아", columns=4)],
        ["1", "8471.30", Cell([("전자\t장치로서", nested), "에 해당하는 것"]), None],
    ]
    path = write_hwpx(tmp_path / "nested.hwpx", ["제목", Table(rows)])
    found = _rows(path)
    assert [list(row.values) for row in found] == [
        ["제목"],
        ["연번", "HS코드", "품목명", "비고"],
        ["2. 러시아", None, None, None],
        ["1", "8471.30", "전자 장치로서 a. 3A001 b. 3A002 에 해당하는 것", None],
    ]
    assert found[0].number == 0 and found[0].place is None
    assert open_book(check_file(path)).sheet_names == ["table 1"]  # the nested one is not


def test_tables_are_numbered_in_reading_order_across_sections(tmp_path: Path) -> None:
    first = Table([["연번", "HS코드"], ["1", "0101.21"]])
    second = Table([["연번", "HS코드"], ["1", "0101.29"]])
    path = write_hwpx(tmp_path / "sections.hwpx", ["표 1", first], ["표 2", second])
    book = open_book(check_file(path))
    assert book.sheet_names == ["table 1", "table 2"]
    assert [list(row.values) for row in book.rows("table 2")] == [
        ["표 1"],
        ["표 2"],
        ["연번", "HS코드"],
        ["1", "0101.29"],
    ]
    # The manifest's spine, not the part names, gives the order.
    with zipfile.ZipFile(path) as archive:
        package = archive.read("Contents/content.hpf")
    first_ref, second_ref = (
        f'<opf:itemref idref="section{number}" linear="yes"/>'.encode() for number in (0, 1)
    )
    assert first_ref + second_ref in package
    swapped = package.replace(first_ref + second_ref, second_ref + first_ref)
    path = write_hwpx(
        tmp_path / "spine.hwpx", ["표 1", first], ["표 2", second],
        replace={"Contents/content.hpf": swapped},
    )  # fmt: skip
    assert [row.values[0] for row in _rows(path, "table 1")] == ["표 2", "연번", "1"]


def test_text_before_a_table_in_its_own_paragraph_is_above_it(tmp_path: Path) -> None:
    section = _section([Table([["연번", "HS코드"], ["1", "0101.21"]])])
    run = b'<hp:run charPrIDRef="0"><hp:tbl'
    assert section.count(run) == 1
    text = '<hp:run charPrIDRef="0"><hp:t>[별표 2의2]</hp:t></hp:run>'.encode()
    section = section.replace(run, text + run)
    path = write_hwpx(tmp_path / "inline.hwpx", ["x"], replace={"Contents/section0.xml": section})
    assert [row.values[0] for row in _rows(path)] == ["[별표 2의2]", "연번", "1"]


def test_sections_past_the_document_budget_are_refused(tmp_path: Path) -> None:
    path = write_annex(tmp_path / "annex.hwpx")
    with pytest.raises(InputError) as caught:
        open_book(check_file(path, Limits(max_document_bytes=1024)))
    assert str(caught.value).startswith("annex.hwpx: has sections that unpack to ")
    assert "more than the 1,024 allowed (max_document_bytes)" in str(caught.value)


def test_a_span_past_the_table_is_clipped_and_an_address_past_it_refused(tmp_path: Path) -> None:
    rows = [["연번", "HS코드"], [Cell("1", rows=40), "0101.21"]]
    clipped = write_hwpx(tmp_path / "clipped.hwpx", [Table(rows)])
    assert [row.covered for row in _rows(clipped)] == [frozenset(), frozenset()]
    broken = _section([Table(rows)]).replace(b'rowAddr="1"', b'rowAddr="900000000"')
    damaged = write_hwpx(
        tmp_path / "damaged.hwpx", [Table(rows)], replace={"Contents/section0.xml": broken}
    )
    with pytest.raises(InputError, match="addressed to row 900000001 of a table of 2 rows"):
        open_book(check_file(damaged))
    wide = _section([Table(rows)]).replace(b'colSpan="1"', b'colSpan="100000000"', 1)
    damaged = write_hwpx(
        tmp_path / "wide.hwpx", [Table(rows)], replace={"Contents/section0.xml": wide}
    )
    with pytest.raises(InputError, match="more than 512 columns"):
        open_book(check_file(damaged))


def test_the_builder_is_deterministic(tmp_path: Path) -> None:
    one = write_annex(tmp_path / "one.hwpx").read_bytes()
    time.sleep(1.1)
    assert write_annex(tmp_path / "two.hwpx").read_bytes() == one


def test_a_full_annex_of_1402_rows_reads_in_little_memory(tmp_path: Path) -> None:
    # Its speed is measured by benchmarks/run.py (annex HWPX import), not asserted here.
    rows: list[list[Cell | str | None]] = [*HEADER]
    for serial in range(1, 1403):
        code = f"{8400 + serial % 100:04d}.{serial % 90 + 10:02d}"
        rows.append([str(serial), code, f"품목 {serial} 의 국문 명칭", f"Item {serial}", None])
    path = write_hwpx(tmp_path / "full.hwpx", [*TITLES, Table(rows)])
    tracemalloc.start()
    table = read_table(path, LIST_SCHEMA)
    count = sum(1 for _ in table.rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 1402
    assert peak < 64 * 1024**2, peak


def test_a_damaged_section_is_refused_as_damaged(tmp_path: Path) -> None:
    rows = [["연번", "HS코드", "품목명"]] + [[str(n), "0101.21", f"품목 {n}"] for n in range(3000)]
    path = write_hwpx(tmp_path / "damaged.hwpx", [Table(rows)])
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("Contents/section0.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename)
    end = start + info.compress_size
    data[end - 200 : end - 100] = b"\xff" * 100  # past the first 64 KB the guard reads
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="is not a readable HWPX document"):
        open_book(check_file(path))
