"""Screening is never silently weak: unchecked descriptions, lost zeros, --fail-on, columns kept.

Catalogues are written with openpyxl the way ERP exports look (자재명 / 품번 / HS코드
with the company's own columns beside them) and screened through the real CLI.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from builders import Row, write_list_workbook
from conftest import BuildOnce, RunCli
from openpyxl import Workbook, load_workbook

from exportctl.hscode import CodeProblem, normalise, settle_lost_zeros
from exportctl.readers import CATALOGUE_SCHEMA, read_table
from exportctl.reports import screening
from exportctl.reports.language import text_for
from exportctl.screen import ScreenSummary, fail_statuses
from exportctl.screen.reasons import Reason

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

LIST_ROWS: list[Row] = [
    (1, "8471", "자동자료처리기계", "Automatic data-processing machines", "일반산업용 물품", None),
    (2, "ex 8536.69", "플러그와 소켓", "Plugs and sockets", "일반산업용 물품", "일부"),
    (3, None, "요트 및 전장 20미터 이상 선박", "Yachts of 20 m or more", "전략물자", None),
    (4, None, "승용차 (배기량 3,000cc 초과)", "Passenger cars over 3,000 cc", "전략물자", None),
]
"""Two entries with an HS code, two defined by name only."""

NO_DESCRIPTION = (
    "no description column: the 2 list entries defined by name (no HS code) were NOT "
    "checked; map the column with --column description=HEADER"
)
BASE = ("--list", "kr-sanctions", "--version", "2024-06")


@pytest.fixture
def list_db(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:
    """``kr-sanctions`` 2024-06 with name-defined entries, on SQLite and PostgreSQL."""

    def build(folder: Path, db: str) -> None:
        workbook = write_list_workbook(folder / "list.xlsx", LIST_ROWS)
        run_cli(
            "import",
            "--create-list",
            "--approve",
            workbook,
            *BASE,
            "--effective",
            "2024-06-28",
            db=db,
            ok=True,
        )

    return build_once(initialised, build)


def write_catalogue(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "자재"
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def screen(run_cli: RunCli, db: str, catalogue: Path, *args: Any) -> Any:
    return run_cli("screen", catalogue, *BASE, *args, db=db)


@pytest.fixture
def no_description(tmp_path: Path) -> Path:
    """A yacht and a big car with clear codes, and no description column."""
    return write_catalogue(
        tmp_path / "fleet.xlsx",
        ("품번", "HS코드", "고객사", "Plant"),
        [("Y-1", "8903.22", "한진", 1100), ("C-1", "8703.24", "현대", 1200)],
    )


# --------------------------------------------------------------------------- descriptions


def test_no_description_column_is_a_warning_everywhere_and_fails_review(
    run_cli: RunCli, list_db: str, no_description: Path, tmp_path: Path
) -> None:
    text = screen(run_cli, list_db, no_description)
    assert text.exit_code == 0
    assert f"warning: {NO_DESCRIPTION}" in text.stdout.splitlines()
    assert "2 clear" in text.stdout

    failed = screen(run_cli, list_db, no_description, "--fail-on", "review")
    assert failed.exit_code == 1, failed.output
    assert failed.stderr.splitlines()[-1] == f"--fail-on review: {NO_DESCRIPTION}."
    assert screen(run_cli, list_db, no_description, "--fail-on", "controlled").exit_code == 0
    assert screen(run_cli, list_db, no_description, "--fail-on", "invalid").exit_code == 0

    printed = screen(run_cli, list_db, no_description, "--json")
    assert f"warning: fleet.xlsx: {NO_DESCRIPTION}" in printed.stderr.splitlines()
    data = json.loads(printed.stdout)
    assert data["description_checked"] is False
    assert data["summary"]["description_checked"] is False
    assert data["warnings"] == [NO_DESCRIPTION]
    assert [r["status"] for r in data["rows"]] == ["clear", "clear"]

    out = tmp_path / "fleet.csv"
    written = screen(run_cli, list_db, no_description, "-o", out)
    assert written.exit_code == 0
    assert f"warning: {NO_DESCRIPTION}" in written.stdout.splitlines()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["Reason"] == (
        "no entry of kr-sanctions 2024-06 covers 8903.22; the row has no description, "
        "so the 2 list entries defined by name were not checked"
    )

    book = tmp_path / "fleet-report.xlsx"
    assert screen(run_cli, list_db, no_description, "-o", book).exit_code == 0
    summary = list(load_workbook(book)["Summary"].iter_rows(values_only=True))
    assert ("Warning", NO_DESCRIPTION) in summary


def test_no_description_warning_heads_the_pdf(
    run_cli: RunCli, list_db: str, no_description: Path, tmp_path: Path
) -> None:
    pytest.importorskip("exportctl.reports.pdf")
    from pypdf import PdfReader

    out = tmp_path / "fleet.pdf"
    assert screen(run_cli, list_db, no_description, "-o", out).exit_code == 0
    first = "".join(PdfReader(out).pages[0].extract_text().split())
    assert "Warning:nodescriptioncolumn:the2listentriesdefinedbyname" in first


def test_description_column_empty_in_every_row_fails_review(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    path = write_catalogue(
        tmp_path / "blank.xlsx",
        ("품번", "자재명", "HS코드"),
        [("Y-1", None, "8903.22"), ("C-1", "", "8703.24")],
    )
    result = screen(run_cli, list_db, path, "--fail-on", "review")
    assert result.exit_code == 1
    assert 'the description column "자재명" is empty in every row' in result.stdout
    assert "--fail-on review: the description column" in result.stderr


def test_a_described_catalogue_passes_review(run_cli: RunCli, list_db: str, tmp_path: Path) -> None:
    path = write_catalogue(
        tmp_path / "ok.xlsx",
        ("품번", "자재명", "HS코드"),
        [("A-1", "사과", "0808.10"), ("A-2", None, "0808.10")],
    )
    result = screen(run_cli, list_db, path, "--fail-on", "review")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output


@pytest.mark.parametrize(
    "header",
    [
        "자재명",
        "품명",
        "제품명",
        "품목명",
        "자재내역",
        "품목설명",
        "Material description",
        "Item description",
        "Item name",
        "Product description",
        "Material Name",
    ],
)
def test_erp_description_headers_find_name_entries(header: str, tmp_path: Path) -> None:
    path = write_catalogue(
        tmp_path / "erp.xlsx", ("품번", header, "HS코드"), [("Y-1", "레저용 요트 40ft", "8903.22")]
    )
    table = read_table(path, CATALOGUE_SCHEMA)
    assert table.columns["description"] == header
    assert table.unmapped == []


def test_erp_header_reaches_the_name_entry_end_to_end(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    path = write_catalogue(
        tmp_path / "erp.xlsx",
        ("품번", "Material description", "HS코드"),
        [("Y-1", "레저용 요트 40ft", "8903.22")],
    )
    data = json.loads(screen(run_cli, list_db, path, "--json").stdout)
    assert data["rows"][0]["status"] == "review"
    assert data["rows"][0]["entry"]["serial"] == "3"
    assert data["description_checked"] is True and data["warnings"] == []


# --------------------------------------------------------------------------- --fail-on


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """One controlled, one review, one clear and two invalid rows."""
    return write_catalogue(
        tmp_path / "mixed.xlsx",
        ("품번", "자재명", "HS코드"),
        [
            ("A-1", "노트북", "8471.30"),
            ("A-2", "플러그", "8536.69.1000"),
            ("A-3", "사과", "0808.10"),
            ("A-4", "오타", "84.7x"),
            ("A-5", "빈칸", None),
        ],
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--fail-on", "invalid"), 1, "2 rows fail --fail-on invalid: 2 invalid.\n"),
        (("--fail-on", "controlled"), 1, "1 row fails --fail-on controlled: 1 controlled.\n"),
        (
            ("--fail-on", "controlled,invalid"),
            1,
            "3 rows fail --fail-on controlled,invalid: 1 controlled, 2 invalid.\n",
        ),
        (
            ("--fail-on", "invalid", "--fail-on", "controlled"),
            1,
            "3 rows fail --fail-on invalid,controlled: 1 controlled, 2 invalid.\n",
        ),
        (
            ("--fail-on", "review,invalid"),
            1,
            "4 rows fail --fail-on review,invalid: 1 controlled, 1 review, 2 invalid.\n",
        ),
        ((), 0, ""),
    ],
)
def test_fail_on_several_statuses(
    run_cli: RunCli,
    list_db: str,
    mixed: Path,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    result = screen(run_cli, list_db, mixed, *args)
    assert result.exit_code == code, result.output
    assert result.stderr == message


def test_fail_on_invalid_passes_without_invalid_rows(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    path = write_catalogue(
        tmp_path / "valid.xlsx", ("품번", "자재명", "HS코드"), [("A-1", "노트북", "8471.30")]
    )
    assert screen(run_cli, list_db, path, "--fail-on", "invalid").exit_code == 0
    assert screen(run_cli, list_db, path, "--fail-on", "controlled").exit_code == 1


def test_fail_on_refuses_an_unknown_status(run_cli: RunCli, list_db: str, mixed: Path) -> None:
    result = screen(run_cli, list_db, mixed, "--fail-on", "controlled,clear")
    assert result.exit_code == 2
    assert "--fail-on takes controlled, review, invalid (comma-separated), not 'clear'" in (
        result.stderr
    )


def test_hits_take_a_collection_and_review_implies_controlled() -> None:
    summary = ScreenSummary()
    summary.counts.update(controlled=2, review=3, clear=7, invalid=5)
    assert summary.hits(["controlled"]) == 2
    assert summary.hits(("review",)) == 5
    assert summary.hits({"invalid"}) == 5
    assert summary.hits(["controlled", "invalid"]) == 7
    assert summary.hits("review,invalid") == 10
    assert fail_statuses(["review, invalid", "review"]) == ("review", "invalid")
    with pytest.raises(ValueError, match="--fail-on takes"):
        summary.hits(["clear"])
    with pytest.raises(ValueError, match="not nothing"):
        fail_statuses([""])


def test_json_flag_prints_the_json_report(
    run_cli: RunCli, list_db: str, mixed: Path, tmp_path: Path
) -> None:
    flag = screen(run_cli, list_db, mixed, "--json")
    assert flag.exit_code == 0
    by_flag = json.loads(flag.stdout)
    by_format = json.loads(screen(run_cli, list_db, mixed, "--format", "json").stdout)
    # The record says when each run was made; everything else is the same.
    assert by_flag.pop("report")["operator"] == by_format.pop("report")["operator"]
    assert by_flag == by_format
    assert screen(run_cli, list_db, mixed, "--json", "-o", tmp_path / "x.json").exit_code == 2
    assert screen(run_cli, list_db, mixed, "--json", "--format", "csv").exit_code == 2


# --------------------------------------------------------------------------- lost zeros


def test_lost_zero_is_recovered_when_one_reading_is_real(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    """Too few codes for the column to vouch, so the nomenclature decides."""
    path = write_catalogue(
        tmp_path / "numbers.xlsx",
        ("품번", "자재명", "HS코드"),
        [
            ("H-1", "경주마", 101210000),  # 0101.21.0000: chapter 01 horses; 1012.10 is no code
            ("H-2", "경주마", 10121),
            ("N-1", "노트북", 8471.3),  # 8471.30 typed as a number
            ("T-1", "토마토 또는 유리", "70200"),  # 0702.00 and 7020.00 both exist
            ("X-1", "모름", "99999"),  # 0999.99 and 9999.90 neither
        ],
    )
    data = json.loads(screen(run_cli, list_db, path, "--json").stdout)
    rows = {r["sku"]: r for r in data["rows"]}
    assert (rows["H-1"]["status"], rows["H-1"]["code"]) == ("clear", "0101210000")
    assert (
        "read as 0101.21.0000: a leading zero was restored because only that reading is an "
        "HS 2022 subheading" in rows["H-1"]["reason"]
    )
    assert rows["H-1"]["warning"] == (
        "code read as 0101.21.0000: a leading zero was restored because only that reading "
        "is an HS 2022 subheading"
    )
    assert rows["H-2"]["code"] == "010121"
    assert "read as 0101.21: a leading zero was restored" in rows["H-2"]["reason"]
    assert (rows["N-1"]["status"], rows["N-1"]["code"]) == ("controlled", "847130")
    assert "read as 8471.30: a trailing zero was restored" in rows["N-1"]["warning"]

    # Both readings exist, so each is screened; neither is listed (issue 19).
    both = rows["T-1"]
    assert both["status"] == "clear" and both["code"] is None
    assert both["reason"].startswith(
        '"70200" lost a zero: it may be 0702.00 or 7020.00, both HS 2022 subheadings: '
        "as 0702.00 it is clear (no entry of kr-sanctions 2024-06 covers 0702.00"
    )
    second = "; as 7020.00 it is clear (no entry of kr-sanctions 2024-06 covers 7020.00"
    assert second in both["reason"]
    assert both["warning"] == (
        "code may be read as 0702.00 (a leading zero was restored) or 7020.00 "
        "(a trailing zero was restored)"
    )
    neither = rows["X-1"]
    assert neither["status"] == "invalid"
    assert "neither 0999.99 nor 9999.90 is an HS 2022 subheading" in neither["reason"]

    assert data["summary"]["recovered"] == 4
    assert any("4 codes were read with zeros put back" in w for w in data["warnings"])


@pytest.mark.parametrize(
    ("raw", "digits"),
    [(10121, "010121"), (101210000, "0101210000"), (8471.3, "847130"), ("ex 10121", "010121")],
)
def test_settle_lost_zeros_unique_reading(raw: Any, digits: str) -> None:
    problem = normalise(raw)
    assert isinstance(problem, CodeProblem) and problem.lost_zeros
    settled = settle_lost_zeros(problem)
    assert not isinstance(settled, CodeProblem) and settled is not None
    assert settled.digits == digits
    assert settled.recovered is not None
    assert settled.recovered.endswith("because only that reading is an HS 2022 subheading")


def test_settle_leaves_other_problems_alone() -> None:
    malformed = normalise("84.7x")
    assert isinstance(malformed, CodeProblem)
    assert settle_lost_zeros(malformed) == malformed
    collision = CodeProblem("0101210", "ambiguous", "would collide", ("0101210000",))
    assert settle_lost_zeros(collision) == collision


# --------------------------------------------------------------------------- columns kept


@pytest.fixture
def erp_export(tmp_path: Path) -> Path:
    return write_catalogue(
        tmp_path / "erp.xlsx",
        ("고객사", "품번", "자재명", "HS코드", "Plant", "English name"),
        [
            ("삼성", "A-1", "노트북", "8471.30", 1100, "Laptop"),
            ("@cmd()", "A-2", "사과", "0808.10", None, "Apple"),
            (None, "A-3", "오타", "84.7x", 1200, None),
        ],
    )


EXTRA = ["고객사", "Plant", "English name"]


@pytest.mark.parametrize("dialect", ["excel", "plain"])
def test_csv_report_keeps_the_catalogue_columns_after_the_verdict(
    run_cli: RunCli, list_db: str, erp_export: Path, tmp_path: Path, dialect: str
) -> None:
    out = tmp_path / "screen.csv"
    args = ("-o", out, "--csv-dialect", dialect)
    assert screen(run_cli, list_db, erp_export, *args).exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    columns = screening.COLUMNS if dialect == "plain" else screening.PEOPLE_COLUMNS
    names = columns if dialect == "plain" else [text_for("en").column(c) for c in columns]
    assert table[0] == [*names, *EXTRA]
    width = len(columns)
    number = "1100"  # as written in both dialects (exportctl.reports.cells)
    assert [row[width:] for row in table[1:]] == [
        ["삼성", number, "Laptop"],
        ["'@cmd()", "", "Apple"],
        ["", number.replace("1100", "1200"), ""],
    ]
    assert [row[columns.index("status")] for row in table[1:]] == [
        "controlled",
        "clear",
        "invalid",
    ]


def test_xlsx_report_keeps_the_catalogue_columns_after_the_verdict(
    run_cli: RunCli, list_db: str, erp_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "screen.xlsx"
    assert screen(run_cli, list_db, erp_export, "-o", out).exit_code == 0
    wb = load_workbook(out)
    ws = wb["Screening"]
    header = [c.value for c in ws[1]]
    assert header == [*(text_for("en").column(c) for c in screening.PEOPLE_COLUMNS), *EXTRA]
    values = list(ws.iter_rows(min_row=2, values_only=True))
    width = len(screening.PEOPLE_COLUMNS)
    assert [list(row[width:]) for row in values] == [
        ["삼성", "1100", "Laptop"],
        ["@cmd()", None, "Apple"],  # a text cell: it cannot run
        [None, "1200", None],
    ]
    assert ws.auto_filter.ref == "A1:U4"
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Columns kept"] == "고객사, Plant, English name"


def test_json_report_keeps_the_catalogue_columns(
    run_cli: RunCli, list_db: str, erp_export: Path
) -> None:
    data = json.loads(screen(run_cli, list_db, erp_export, "--json").stdout)
    assert data["extra_columns"] == EXTRA
    assert [r["extra"] for r in data["rows"]] == [
        ["삼성", "1100", "Laptop"],
        ["@cmd()", None, "Apple"],  # JSON is data, not a sheet
        [None, "1200", None],
    ]


def test_imports_do_not_collect_the_other_columns(erp_export: Path) -> None:
    plain = read_table(erp_export, CATALOGUE_SCHEMA)
    assert plain.unmapped == EXTRA
    assert {row.extra for row in plain.rows} == {()}
    kept = read_table(erp_export, CATALOGUE_SCHEMA, keep_extra=True)
    assert [row.extra for row in kept.rows][0] == ("삼성", "1100", "Laptop")


# --------------------------------------------------------------------------- nothing screened


NO_ROWS = "Nothing was screened: empty.xlsx has no data rows"
NO_CODES = 'Nothing was screened: no row of uncoded.xlsx has an HS code in column "HS코드"'


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """The header of an ERP export and not one row."""
    return write_catalogue(tmp_path / "empty.xlsx", ("품번", "자재명", "HS코드"), [])


@pytest.fixture
def uncoded(tmp_path: Path) -> Path:
    """Rows described, the code column empty in every one of them."""
    return write_catalogue(
        tmp_path / "uncoded.xlsx",
        ("품번", "자재명", "HS코드"),
        [("Y-1", "요트", None), ("C-1", "승용차", "")],
    )


@pytest.mark.parametrize(("name", "sentence"), [("empty", NO_ROWS), ("uncoded", NO_CODES)])
def test_nothing_screened_is_not_all_clear(
    run_cli: RunCli, list_db: str, request: pytest.FixtureRequest, name: str, sentence: str
) -> None:
    catalogue: Path = request.getfixturevalue(name)
    result = screen(run_cli, list_db, catalogue)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"{sentence}.\n"
    assert "Nothing was screened" not in result.stdout
    for fail_on in ("controlled", "review", "invalid"):
        failed = screen(run_cli, list_db, catalogue, "--fail-on", fail_on)
        assert failed.exit_code == 1, failed.output
        assert failed.stderr.splitlines()[-1] == f"--fail-on {fail_on}: {sentence}."
    data = json.loads(screen(run_cli, list_db, catalogue, "--json").stdout)
    assert data["nothing_screened"] is True and data["summary"]["nothing_screened"] is True
    assert data["warnings"][0] == sentence


def test_a_catalogue_with_one_code_is_screened(
    run_cli: RunCli, list_db: str, tmp_path: Path
) -> None:
    path = write_catalogue(
        tmp_path / "one.xlsx",
        ("품번", "자재명", "HS코드"),
        [("Y-1", "요트", None), ("A-1", "사과", "0808.10")],
    )
    result = screen(run_cli, list_db, path, "--fail-on", "controlled")
    assert result.exit_code == 0, result.output
    assert "Nothing was screened" not in result.output
    data = json.loads(screen(run_cli, list_db, path, "--json").stdout)
    assert data["nothing_screened"] is False and "Nothing" not in " ".join(data["warnings"])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_report_of_nothing_screened_says_so_first(
    run_cli: RunCli, list_db: str, uncoded: Path, tmp_path: Path, lang: str
) -> None:
    pytest.importorskip("exportctl.reports.pdf")
    from pypdf import PdfReader

    t = text_for(lang)
    said = t("screening.nothing.no_codes", file="uncoded.xlsx", column="HS코드")
    written = {}
    for ext in ("csv", "xlsx", "pdf", "json"):
        out = tmp_path / f"report-{lang}.{ext}"
        result = screen(run_cli, list_db, uncoded, "-o", out, "--lang", lang)
        assert result.exit_code == 1, result.output
        # The terminal speaks the run's language too (issue 21).
        assert result.stderr == f"{said}.\n"
        written[ext] = out
    with written["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    reason = t.column("reason")
    # The sentence heads the table; the rows follow, each still saying it has no code.
    assert rows[0][reason] == said
    no_code = Reason("no-code", {}).render(lang)  # the reason in the report's language
    assert all(row[reason].startswith(no_code) for row in rows[1:])
    assert [row[t.column("row")] for row in rows] == ["", "2", "3"]
    summary = list(load_workbook(written["xlsx"])[t("screening.sheet.summary")].values)
    assert (t("screening.warning"), said) in summary
    first = "".join(PdfReader(written["pdf"]).pages[0].extract_text().split())
    assert "".join(said.split()) in first
    data = json.loads(written["json"].read_text(encoding="utf-8"))
    assert data["nothing_screened"] is True and data["warnings"][0] == NO_CODES


def test_a_csv_of_no_rows_says_nothing_was_screened(
    run_cli: RunCli, list_db: str, empty: Path, tmp_path: Path
) -> None:
    out = tmp_path / "empty.csv"
    result = screen(run_cli, list_db, empty, "-o", out, "--csv-dialect", "plain")
    assert result.exit_code == 1, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{**dict.fromkeys(screening.COLUMNS, ""), "reason": NO_ROWS}]


def test_several_lists_fail_when_nothing_was_screened(
    run_cli: RunCli, list_db: str, empty: Path, tmp_path: Path
) -> None:
    other = write_list_workbook(tmp_path / "other.xlsx", LIST_ROWS[:1])
    run_cli(
        "import", "--create-list", "--approve", other, "--list", "other", "--version", "v1",
        "--effective", "2024-01-01", db=list_db, ok=True,
    )  # fmt: skip
    args = ("screen", empty, "--list", "kr-sanctions", "--list", "other", "--as-of", "2024-07-01")
    result = run_cli(*args, db=list_db)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [f"kr-sanctions: {NO_ROWS}.", f"other: {NO_ROWS}."]
