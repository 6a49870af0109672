"""Screening a catalogue against a list version: matching rules, writers and the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from builders import Row, write_list_workbook
from conftest import BuildOnce, RunCli
from openpyxl import Workbook, load_workbook

from exportctl.hscode import CodeCell
from exportctl.models import ItemRecord
from exportctl.readers.layout import ParsedRow
from exportctl.reports import screening
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.language import text_for
from exportctl.screen import (
    ScreenIndex,
    ScreenReport,
    ScreenResult,
    ScreenSummary,
    phrases,
    screen_rows,
)

# --------------------------------------------------------------------------- fixtures

V1_ROWS: list[Row] = [
    (1, "8471", "자동자료처리기계", "Automatic data-processing machines", "일반산업용 물품", None),
    (2, "8517.62", "통신기기", "Machines for the reception of voice", "일반산업용 물품", None),
    (3, "ex 8536.69", "플러그와 소켓", "Plugs and sockets", "일반산업용 물품", "일부"),
]
V2_ROWS: list[Row] = [
    *V1_ROWS,
    (4, "9013.10.1000", "망원조준경", "Telescopic sights for arms", "일반산업용 물품", None),
    (5, None, "무인항공기(드론) 및 그 부분품", "Unmanned aerial vehicles", "전략물자", None),
]

CATALOGUE: list[tuple[Any, Any, Any]] = [
    ("A-1", "노트북 컴퓨터", "8471.30.0000"),
    ("A-2", "스마트폰 모뎀", "851762"),
    ("A-3", "소총용 조준경", "9013.10.1000"),
    ("A-4", "광학기기", "9013.10"),
    ("A-5", "산업용 플러그", "8536.69.1000"),
    ("A-6", "산업용드론 키트", "9503.00"),
    ("A-7", "사과", "0808.10"),
    ("A-8", "코드 없는 제품", None),
    ("A-9", "오타", "84.7x"),
    ("+cmd|' /C calc'!A0", "@SUM(1+1)", "8471.30"),
]
"""SKU, description, code; data rows 2..11 of the workbook."""

EXPECTED_V2 = {
    2: "controlled",
    3: "controlled",
    4: "controlled",
    5: "review",
    6: "review",
    7: "review",
    8: "clear",
    9: "invalid",
    10: "invalid",
    11: "controlled",
}


def item(
    serial: int, code: str | None, description: str, *, ex: bool = False, en: str | None = None
) -> ItemRecord:
    return ItemRecord(
        serial=str(serial),
        code=code,
        level=len(code) if code else None,
        ex=ex,
        description=description,
        description_en=en,
        row=serial + 5,
    )


@pytest.fixture
def index() -> ScreenIndex:
    items = [
        item(1, "8471", "자동자료처리기계", en="Automatic data-processing machines"),
        item(2, "851762", "통신기기"),
        item(3, "853669", "플러그와 소켓", ex=True),
        item(4, "9013101000", "망원조준경"),
        item(5, "847130", "휴대용 자동자료처리기계"),
        item(6, "8542", "전자집적회로", ex=True),
        item(7, "854231", "프로세서와 컨트롤러"),
        item(8, None, "무인항공기(드론) 및 그 부분품", en="Unmanned aerial vehicles (drones)"),
        item(9, None, "기타 기계류의 부분품", en="Other parts of machinery"),
        item(10, None, "수치제어 공작기계용 스핀들", en="Spindles for NC machine tools"),
    ]
    return ScreenIndex.build(items, slug="kr-russia", label="2024-06")


def write_catalogue(
    path: Path,
    rows: Sequence[tuple[Any, Any, Any]] = CATALOGUE,
    *,
    headers: Sequence[str] = ("SKU", "제품명", "HS코드"),
) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "제품"
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


@pytest.fixture
def screen_db(run_cli: RunCli, sqlite_url: str, build_once: BuildOnce) -> str:
    """A SQLite database with kr-russia 2024-02 (effective 02-24) and 2024-06 (06-28)."""

    def build(folder: Path, db: str) -> None:
        v1 = write_list_workbook(folder / "list-2024-02.xlsx", V1_ROWS)
        v2 = write_list_workbook(folder / "list-2024-06.xlsx", V2_ROWS)
        run_cli(
            "import",
            "--create-list",
            "--approve",
            v1,
            "--list",
            "kr-russia",
            "--version",
            "2024-02",
            "--effective",
            "2024-02-24",
            db=db,
            ok=True,
        )
        run_cli(
            "import",
            "--create-list",
            "--approve",
            v2,
            "--list",
            "kr-russia",
            "--version",
            "2024-06",
            "--effective",
            "2024-06-28",
            db=db,
            ok=True,
        )

    return build_once(sqlite_url, build)


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    return write_catalogue(tmp_path / "products.xlsx")


# --------------------------------------------------------------------------- matching rules


@pytest.mark.parametrize(
    ("code", "serial"),
    [
        ("8471100000", 1),  # heading covers a 10-digit code
        ("847110", 1),  # heading covers a subheading
        ("8517620000", 2),  # subheading covers a 10-digit code
        ("851762", 2),  # exact subheading
        ("9013101000", 4),  # exact full code
        ("8471300000", 5),  # the longest covering entry decides
    ],
)
def test_controlled_by_covering_entry(index: ScreenIndex, code: str, serial: int) -> None:
    match = index.match_code(code)
    assert match.status == "controlled"
    assert match.entry is not None and match.entry.serial == str(serial)
    assert f"entry No. {serial}" in match.reason


def test_catalogue_code_shorter_than_an_entry_is_review(index: ScreenIndex) -> None:
    for code in ("901310", "9013"):
        match = index.match_code(code)
        assert match.status == "review"
        assert match.entry is not None and match.entry.code == "9013101000"
        assert "broader than list entry No. 4 (9013.10.1000)" in match.reason


def test_ex_entry_is_review_unless_a_plain_entry_covers(index: ScreenIndex) -> None:
    plugs = index.match_code("8536691000")
    assert plugs.status == "review" and plugs.entry is not None and plugs.entry.serial == "3"
    assert "ex 8536.69" in plugs.reason
    # ex 8542 covers the heading in part, but 8542.31 is listed in full.
    processors = index.match_code("8542310000")
    assert processors.status == "controlled"
    assert processors.entry is not None and processors.entry.serial == "7"
    memories = index.match_code("8542320000")
    assert memories.status == "review" and memories.entry is not None
    assert memories.entry.serial == "6"


def test_name_entries_match_description_words(index: ScreenIndex) -> None:
    korean = index.match_code("950300", "산업용드론 키트")
    assert korean.status == "review" and korean.words == ("무인항공기",)
    assert korean.entry is not None and korean.entry.serial == "8"
    assert korean.why.rule == "description"
    assert 'its name "무인항공기"' in korean.reason
    english = index.match_code("950300", "Camera drones, quad-rotor")
    assert english.status == "review" and english.words == ("무인항공기",)
    spindle = index.match_code("848390", "CNC 공작기계 스핀들 assembly")
    assert spindle.status == "review" and spindle.entry is not None
    assert spindle.entry.serial == "10"


@pytest.mark.parametrize(
    "description", ["기타 부분품", "Other parts", "기계류 부분품 기타", "apples", None, ""]
)
def test_generic_words_never_match(index: ScreenIndex, description: str | None) -> None:
    assert index.match_code("080810", description).status == "clear"


def test_clear_names_the_version(index: ScreenIndex) -> None:
    match = index.match_code("0808100000", "사과")
    assert match.status == "clear" and match.entry is None
    assert match.reason == "no entry of kr-russia 2024-06 covers 0808.10.0000"


def test_phrases_drop_stop_words_particles_and_numbers() -> None:
    drone = ("무인항공기",)
    # "of drones" says what the parts are for, as 용 does.
    assert phrases("무인기용 부분품 (Parts of drones)") == ((*drone, "용"), (*drone, "용"))
    assert phrases("기타 10 kg 이상") == (("kg",),)
    assert phrases(None) == ()


def rows_of(*cells: tuple[str | None, str | None, Any]) -> Iterator[ParsedRow]:
    for number, (sku, description, code) in enumerate(cells, start=2):
        cell = CodeCell.of(code) if code is not None else None
        yield ParsedRow(number, {"sku": sku, "description": description, "code": None}, cell)


def test_screen_rows_names_invalid_rows_and_counts(index: ScreenIndex) -> None:
    summary = ScreenSummary()
    results = list(
        screen_rows(
            rows_of(
                ("S1", "노트북", "8471.30.0000"),
                ("S2", "빈칸", None),
                ("S3", "오타", "84.7x"),
                ("S4", "드론 본체", None),
                ("S5", "사과", "0808.10"),
            ),
            index,
            summary=summary,
        )
    )
    assert [r.status for r in results] == ["controlled", "invalid", "invalid", "invalid", "clear"]
    assert [r.row for r in results] == [2, 3, 4, 5, 6]
    assert results[1].reason == "the row has no HS code"
    assert results[2].original_code == "84.7x" and "84.7x" in results[2].reason
    assert results[3].entry is not None and "also names list entry No. 8" in results[3].reason
    assert summary.counts == {"controlled": 1, "review": 0, "clear": 1, "invalid": 3}
    assert summary.total == 5
    assert summary.hits("controlled") == 1 and summary.hits("review") == 1


def test_screen_rows_read_a_lost_zero_by_the_nomenclature_not_the_column(
    index: ScreenIndex,
) -> None:
    # 10121 is 0101.21 with its leading zero lost: 1012.10 is no HS code. The column
    # of six-digit codes around it plays no part (issue 19).
    cells = [("S", "x", n) for n in (847130, 851762, 901310, 850440, 847141, 10121)]
    results = list(screen_rows(rows_of(*cells), index))
    alone = list(screen_rows(rows_of(cells[-1]), index))
    assert results[-1].code == alone[0].code == "010121"
    assert results[-1].reason == alone[0].reason
    assert results[-1].reason.endswith(
        "(code read as 0101.21: a leading zero was restored because only that reading is "
        "an HS 2022 subheading)"
    )


def test_screen_rows_compares_with_a_previous_version(index: ScreenIndex) -> None:
    old = ScreenIndex.build([item(1, "8471", "자동자료처리기")], slug="kr-russia", label="2024-02")
    summary = ScreenSummary()
    results = list(
        screen_rows(
            rows_of(("S1", "노트북", "847130"), ("S2", "모뎀", "851762"), ("S3", "광학", "901310")),
            index,
            previous=old,
            summary=summary,
        )
    )
    assert [(r.previous_status, r.status, r.change) for r in results] == [
        ("controlled", "controlled", ""),
        ("clear", "controlled", "newly controlled"),
        ("clear", "review", "newly for review"),
    ]
    data = summary.to_json()
    assert data["changed"] == 2 and data["newly_controlled"] == 1


# --------------------------------------------------------------------------- writers


def make_report(index: ScreenIndex, *, compare: str | None = None) -> ScreenReport:
    old = ScreenIndex.build([item(1, "8471", "자동자료처리기")], slug="kr-russia", label="2024-02")
    summary = ScreenSummary()
    rows = rows_of(
        ('=HYPERLINK("http://x")', "-2+3 노트북", "8471.10"),
        ("S2", "산업용드론 키트", "9503.00"),
        ("S3", "사과", "0808.10"),
        ("S4", "@SUM(1+1)", None),
        ("S5", "모뎀", "851762"),
    )
    return ScreenReport(
        slug="kr-russia",
        version="2024-06",
        effective="2024-06-28",
        compare=compare,
        file="products.xlsx",
        sheet="제품",
        sha256="0" * 64,
        columns={"sku": "SKU", "description": "제품명", "code": "HS코드"},
        results=screen_rows(rows, index, previous=old if compare else None, summary=summary),
        summary=summary,
    )


def test_csv_has_bom_every_row_and_neutralised_cells(index: ScreenIndex, tmp_path: Path) -> None:
    path = tmp_path / "screen.csv"
    summary = screening.write_screen_report(make_report(index), "csv", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Status"] for r in rows] == ["controlled", "review", "clear", "invalid", "controlled"]
    assert rows[0]["SKU"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["Description"] == "'-2+3 노트북"
    assert rows[0]["HS code"] == "8471.10"
    assert summary.total == 5
    assert not list(tmp_path.glob(".*.part"))


def test_plain_csv_has_machine_names_and_values(index: ScreenIndex, tmp_path: Path) -> None:
    path = tmp_path / "screen.csv"
    options = ReportOptions(csv_dialect="plain")
    summary = screening.write_screen_report(make_report(index), "csv", path, options)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["controlled", "review", "clear", "invalid", "controlled"]
    assert rows[0]["sku"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["description"] == "'-2+3 노트북"
    assert rows[3]["description"] == "'@SUM(1+1)"
    assert rows[0]["code"] == "847110" and rows[0]["entry_code"] == "8471"
    assert rows[1]["matched_words"] == "무인항공기" and rows[1]["entry_serial"] == "8"
    assert all(r["version"] == "2024-06" for r in rows)
    assert summary.total == 5


HEADERS = [text_for("en").column(name) for name in screening.PEOPLE_COLUMNS]
"""The header of the XLSX (and excel CSV) screening report in English."""


def test_xlsx_summary_first_codes_as_text_frozen_filtered(
    index: ScreenIndex, tmp_path: Path
) -> None:
    path = tmp_path / "screen.xlsx"
    screening.write_screen_report(make_report(index, compare="2024-02"), "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Screening", "Changes"]
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Version"] == "2024-06" and summary["Compared with"] == "2024-02"
    assert summary["Controlled"] == 2 and summary["Review"] == 1 and summary["Invalid"] == 1
    assert summary["Newly controlled"] == 1
    ws = wb["Screening"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:R6"
    header = [c.value for c in ws[1]]
    assert header == HEADERS
    code = ws.cell(row=6, column=header.index("HS code (digits)") + 1)
    assert code.value == "851762" and code.data_type == "s"
    assert ws.cell(row=6, column=header.index("HS code") + 1).value == "8517.62"
    # An XLSX text cell cannot run: text is written as it is, no apostrophe.
    sku = ws.cell(row=2, column=2)
    assert sku.value == '=HYPERLINK("http://x")' and sku.data_type == "s"
    assert ws.cell(row=5, column=3).value == "@SUM(1+1)"
    changes = list(wb["Changes"].iter_rows(min_row=2, values_only=True))
    change = header.index("Change")
    assert [(r[0], r[change]) for r in changes] == [
        (3, "newly for review"),
        (6, "newly controlled"),
    ]


def test_xlsx_rows_past_a_sheet_go_on_in_continuation_sheets(
    index: ScreenIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No row is dropped at Excel's row limit (made 3 rows here): 5 rows fill
    "Screening" (2 rows), "Screening (2)" (2) and "Screening (3)" (1)."""
    monkeypatch.setattr("exportctl.reports.screening_xlsx.XLSX_MAX_ROWS", 3)
    path = tmp_path / "screen.xlsx"
    screening.write_screen_report(make_report(index, compare="2024-02"), "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Summary",
        "Screening",
        "Changes",
        "Screening (2)",
        "Screening (3)",
    ]
    rows = []
    for title in ("Screening", "Screening (2)", "Screening (3)"):
        ws = wb[title]
        assert [c.value for c in ws[1]] == HEADERS
        found = list(ws.iter_rows(min_row=2, values_only=True))
        assert ws.auto_filter.ref == f"A1:R{len(found) + 1}"
        rows += [r[0] for r in found]
    assert rows == [2, 3, 4, 5, 6]
    changes = list(wb["Changes"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in changes] == [3, 6]


def test_json_shape_one_row_per_catalogue_row(index: ScreenIndex) -> None:
    out = io.StringIO()
    screening.write_json(make_report(index, compare="2024-02"), out)
    data = json.loads(out.getvalue())
    assert list(data)[:4] == ["list", "version", "effective", "compare"]
    assert list(data)[-2:] == ["summary", "rows"]
    assert data["list"] == "kr-russia" and data["compare"] == "2024-02"
    assert data["summary"]["controlled"] == 2 and data["summary"]["total"] == 5
    assert [r["row"] for r in data["rows"]] == [2, 3, 4, 5, 6]
    first = data["rows"][0]
    assert first["entry"] == {
        "section": 1,
        "serial": "1",
        "code": "8471",
        "ex": False,
        "description": "자동자료처리기계",
    }
    assert first["previous_status"] == "controlled"
    assert data["rows"][3]["entry"] is None and data["rows"][3]["status"] == "invalid"


def test_json_with_no_rows_is_valid(index: ScreenIndex) -> None:
    report = make_report(index)
    report.results = iter([])
    out = io.StringIO()
    screening.write_json(report, out)
    assert json.loads(out.getvalue())["rows"] == []


def test_format_from_extension() -> None:
    assert screening.format_for(Path("a.XLSX"), None) == "xlsx"
    assert screening.format_for(Path("a.csv"), "json") == "json"
    with pytest.raises(ValueError, match="cannot tell the report format"):
        screening.format_for(Path("a.txt"), None)


def test_pdf_summary_and_flagged_rows_in_hangul(index: ScreenIndex, tmp_path: Path) -> None:
    pytest.importorskip("exportctl.reports.pdf")
    from pypdf import PdfReader

    path = tmp_path / "screen.pdf"
    screening.write_screen_report(make_report(index, compare="2024-02"), "pdf", path)
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)
    assert "Cataloguescreening" in text
    assert "2024-06" in text and "2024-02" in text
    assert "산업용드론키트" in text and "자동자료처리기계" in text
    assert text.index("Rowsscreened") < text.index("Statuschangedsince2024-02")
    # Grouped by status: the changed rows first, then controlled, review, invalid.
    order = [
        "Statuschangedsince2024-02:",
        "Controlled:",
        "Forreview:",
        "Invalidcode:",
        "Clearrows:",
    ]
    found = [text.index(heading, text.index("Statuschangedsince2024-02:")) for heading in order]
    assert found == sorted(found)
    assert "사과" not in text  # clear rows are not listed


# --------------------------------------------------------------------------- command line


def screen_cli(run_cli: RunCli, db: str, *args: Any, ok: bool | None = None) -> Any:
    return run_cli("screen", *args, db=db, ok=ok)


def test_screen_json_statuses_end_to_end(run_cli: RunCli, screen_db: str, catalogue: Path) -> None:
    result = screen_cli(
        run_cli,
        screen_db,
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "--format",
        "json",
        ok=True,
    )
    data = json.loads(result.stdout)
    assert data["version"] == "2024-06" and data["compare"] is None
    assert {r["row"]: r["status"] for r in data["rows"]} == EXPECTED_V2
    assert data["summary"] == {
        "controlled": 4,
        "review": 3,
        "clear": 1,
        "invalid": 2,
        "total": 10,
        "description_checked": True,
        "nothing_screened": False,
        "recovered": 0,
    }
    by_row = {r["row"]: r for r in data["rows"]}
    assert by_row[4]["entry"]["code"] == "9013101000"
    assert by_row[7]["entry"]["serial"] == "5" and "무인항공기" in by_row[7]["reason"]
    assert by_row[7]["rule"] == "description"
    assert by_row[7]["values"]["evidence"][0]["kind"] == "name"
    assert by_row[9]["sku"] == "A-8" and by_row[9]["reason"] == "the row has no HS code"


@pytest.mark.parametrize(
    ("args", "version"),
    [
        (("--as-of", "2024-03-01"), "2024-02"),
        (("--as-of", "2024-06-28"), "2024-06"),
        (("--as-of", "2025-01-01"), "2024-06"),
        ((), "2024-06"),
    ],
)
def test_as_of_picks_the_version_in_force(
    run_cli: RunCli, screen_db: str, catalogue: Path, args: tuple[str, ...], version: str
) -> None:
    result = screen_cli(
        run_cli, screen_db, catalogue, "--list", "kr-russia", *args, "--format", "json", ok=True
    )
    data = json.loads(result.stdout)
    assert data["version"] == version
    statuses = {r["row"]: r["status"] for r in data["rows"]}
    assert statuses[4] == ("controlled" if version == "2024-06" else "clear")


def test_as_of_before_the_first_version_is_an_error(
    run_cli: RunCli, screen_db: str, catalogue: Path
) -> None:
    result = screen_cli(
        run_cli, screen_db, catalogue, "--list", "kr-russia", "--as-of", "2023-12-31"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        'Error: list "kr-russia" had no version in force on 2023-12-31; the first, '
        '"2024-02", took effect on 2024-02-24\n'
    )


def test_compare_lists_newly_controlled_rows(
    run_cli: RunCli, screen_db: str, catalogue: Path
) -> None:
    result = screen_cli(
        run_cli,
        screen_db,
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "--compare",
        "2024-02",
        ok=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith('Screened products.xlsx, sheet "제품" against kr-russia 2024-06')
    assert lines[1] == "Compared with 2024-02: 1 newly controlled, 2 newly for review."
    assert any("A-3" in line and "clear → controlled" in line for line in lines)
    data = json.loads(
        screen_cli(
            run_cli,
            screen_db,
            catalogue,
            "--list",
            "kr-russia",
            "--version",
            "2024-06",
            "--compare",
            "2024-02",
            "--format",
            "json",
            ok=True,
        ).stdout
    )
    newly = [
        r["sku"]
        for r in data["rows"]
        if r["previous_status"] != "controlled" and r["status"] == "controlled"
    ]
    assert newly == ["A-3"]
    assert data["summary"]["newly_controlled"] == 1


@pytest.mark.parametrize(
    ("version", "fail_on", "code"),
    [
        ("2024-06", "controlled", 1),
        ("2024-06", "review", 1),
        ("2024-06", None, 0),
    ],
)
def test_fail_on_exit_codes(
    run_cli: RunCli, screen_db: str, catalogue: Path, version: str, fail_on: str | None, code: int
) -> None:
    args = ["--fail-on", fail_on] if fail_on else []
    result = screen_cli(
        run_cli, screen_db, catalogue, "--list", "kr-russia", "--version", version, *args
    )
    assert result.exit_code == code, result.output
    if fail_on == "controlled":
        assert result.stderr == "4 rows fail --fail-on controlled: 4 controlled.\n"


def test_fail_on_review_counts_review_rows_alone(
    tmp_path: Path, run_cli: RunCli, screen_db: str
) -> None:
    path = write_catalogue(
        tmp_path / "review-only.xlsx", [("P", "플러그", "8536.69.1000"), ("Q", "사과", "0808.10")]
    )
    base = ("--list", "kr-russia", "--version", "2024-06")
    assert screen_cli(run_cli, screen_db, path, *base, "--fail-on", "controlled").exit_code == 0
    result = screen_cli(run_cli, screen_db, path, *base, "--fail-on", "review")
    assert result.exit_code == 1
    assert result.stderr == "1 row fails --fail-on review: 1 review.\n"


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "pdf", "json"])
def test_written_reports_read_back_and_are_audited(
    tmp_path: Path, run_cli: RunCli, screen_db: str, catalogue: Path, suffix: str
) -> None:
    if suffix == "pdf":
        pytest.importorskip("exportctl.reports.pdf")
    out = tmp_path / f"screen.{suffix}"
    result = screen_cli(
        run_cli,
        screen_db,
        catalogue,
        "--list",
        "kr-russia",
        "--as-of",
        "2024-07-01",
        "--compare",
        "2024-02",
        "-o",
        out,
        ok=True,
    )
    assert result.stdout == (f"Wrote {out}: 10 rows, 4 controlled, 3 review, 1 clear, 2 invalid.\n")
    if suffix == "csv":
        with out.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert {int(r["Row"]): r["Status"] for r in rows} == EXPECTED_V2
        assert rows[-1]["SKU"] == "'+cmd|' /C calc'!A0"
        assert rows[-1]["Description"] == "'@SUM(1+1)"
    elif suffix == "xlsx":
        wb = load_workbook(out, read_only=True)
        assert wb.sheetnames == ["Summary", "Screening", "Changes"]
        values = list(wb["Screening"].iter_rows(min_row=2, values_only=True))
        status = screening.PEOPLE_COLUMNS.index("status")
        assert {r[0]: r[status] for r in values} == EXPECTED_V2
        assert values[-1][1] == "+cmd|' /C calc'!A0"  # a text cell: it cannot run
        wb.close()
    elif suffix == "pdf":
        from pypdf import PdfReader

        text = "".join("".join(page.extract_text().split()) for page in PdfReader(out).pages)
        assert "망원조준경" in text and "소총용조준경" in text and "A-3" in text
        assert "clear→controlled" in text and "사과" not in text
    else:
        data = json.loads(out.read_text(encoding="utf-8"))
        assert {r["row"]: r["status"] for r in data["rows"]} == EXPECTED_V2
        assert data["rows"][-1]["sku"] == "+cmd|' /C calc'!A0"  # JSON is data, not a sheet
    events = json.loads(run_cli("audit", "--json", db=screen_db, ok=True).stdout)
    last = events[-1]
    assert last["action"] == "screen" and last["file"] == out.name
    assert last["list"] == "kr-russia" and last["version"] == "2024-06"
    assert last["detail"]["summary"]["controlled"] == 4
    assert last["detail"]["catalogue"] == "products.xlsx"
    assert len(last["sha256"]) == 64


def test_csv_to_stdout_and_csv_catalogue_with_column_override(
    tmp_path: Path, run_cli: RunCli, screen_db: str
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        "품번,제품명,세번(10단위)\nB-1,노트북,8471300000\nB-2,사과,0808100000\n", encoding="utf-8"
    )
    result = screen_cli(
        run_cli,
        screen_db,
        path,
        "--list",
        "kr-russia",
        "--version",
        "2024-02",
        "--column",
        "code=세번(10단위)",
        "--format",
        "csv",
        "--csv-dialect",
        "plain",
        ok=True,
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["sku"], r["status"]) for r in rows] == [("B-1", "controlled"), ("B-2", "clear")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "--format pdf needs -o FILE."),
        (("--version", "2024-06", "--as-of", "2024-07-01"), "not both"),
        (("-o", "report.txt"), "cannot tell the report format from 'txt'"),
        (("--version", "2030-01"), 'list "kr-russia" has no version "2030-01"'),
    ],
)
def test_usage_and_input_errors_exit_2(
    tmp_path: Path,
    run_cli: RunCli,
    screen_db: str,
    catalogue: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    argv = [a if a != "report.txt" else str(tmp_path / a) for a in args]
    result = screen_cli(run_cli, screen_db, catalogue, "--list", "kr-russia", *argv)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "report.txt").exists()


def test_unreadable_catalogue_writes_no_report(
    tmp_path: Path, run_cli: RunCli, screen_db: str
) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "screen.csv"
    result = screen_cli(run_cli, screen_db, bad, "--list", "kr-russia", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: broken.xlsx")
    assert not out.exists()


def test_results_are_plain_data(index: ScreenIndex) -> None:
    result = next(iter(screen_rows(rows_of(("S", "d", "8471.30")), index)))
    assert isinstance(result, ScreenResult)
    assert result.to_json()["entry"]["serial"] == "5"


def test_streamed_verdicts_equal_screen_code(index: ScreenIndex) -> None:
    """screen_rows() inlines the common case; every row must get screen_code()'s verdict."""
    from exportctl.hscode import HSCode, read_code
    from exportctl.screen import screen_code

    cells = [
        CodeCell.of("8471.30.1000"),
        CodeCell.of(847130),
        CodeCell.of(10121),
        CodeCell.of(8471.3),
        CodeCell.of("84.7x"),
        CodeCell.of("8536.69"),
        CodeCell.of("9013.10"),
        CodeCell.of("0101.21"),
        CodeCell.of("9999.99"),
        CodeCell.of("851762"),
        CodeCell.of("854231"),
        CodeCell.of("300490"),
    ] * 2
    descriptions = ["산업용 드론 키트", None, "펌프", "수치제어 스핀들"]
    rows = [
        ParsedRow(
            n + 2,
            {"sku": f"S{n}", "description": descriptions[n % 4], "code": cell.text},
            cell,
        )
        for n, cell in enumerate(cells)
    ]
    rows.append(ParsedRow(99, {"sku": "X", "description": "드론", "code": None}, None))
    results = list(screen_rows(rows, index))
    for row, result in zip(rows, results, strict=True):
        reading = read_code(row.code)
        match = screen_code(index, reading, row.values["description"])
        expected_code = reading.digits if isinstance(reading, HSCode) else None
        assert (result.status, result.reason, result.entry, result.words, result.code) == (
            match.status,
            match.reason,
            match.entry,
            match.words,
            expected_code,
        )
        assert result.original_code == (row.code.text if row.code is not None else None)
        assert (result.row, result.sku) == (row.row, row.values["sku"])


def test_reader_notes_reach_the_screening_report_and_the_terminal(
    run_cli: RunCli, screen_db: str, tmp_path: Path
) -> None:
    """Notes readers add while rows stream (skipped footnotes) are not lost."""
    path = tmp_path / "products.csv"
    path.write_text(
        "SKU,제품명,HS코드,담당\n"
        "A-1,노트북,847130,kim\n"
        "A-2,모뎀,851762,lee\n"
        "※ 위 목록은 2024년 6월 기준이며 사내 참고용으로만 사용함\n",
        encoding="utf-8",
    )
    out = tmp_path / "screen.json"
    args = ("--list", "kr-russia", "--version", "2024-06")
    result = screen_cli(run_cli, screen_db, path, *args, "-o", out, ok=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["row"] for r in data["rows"]] == [2, 3]
    assert data["notes"][0] == {
        "rule": "unmapped-column",
        "message": 'column "담당" is not screened; reports keep it beside the verdict',
        "sheet": None,
    }
    assert {
        "rule": "footnote-rows",
        "message": "1 footnote row skipped (rows 4)",
        "sheet": None,
    } in data["notes"]
    assert "1 footnote row skipped" in result.stderr
    xlsx = tmp_path / "screen.xlsx"
    screen_cli(run_cli, screen_db, path, *args, "-o", xlsx, ok=True)
    summary = list(load_workbook(xlsx)["Summary"].iter_rows(values_only=True))
    noted = [row[1] for row in summary if row[0] == "Note"]
    assert (
        noted[0] == 'column "담당" is not screened; reports keep it beside the verdict'
        and "footnote" in noted[1]
    )
