"""Daily look-ups through the real CLI: ``check``, ``show`` filters and ``export``."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from builders import Row, write_list_workbook
from conftest import BuildOnce, RunCli
from openpyxl import load_workbook

from exportctl.api.lookups import code_lines, filter_items
from exportctl.errors import InputError
from exportctl.models import ItemRecord
from exportctl.reports.cells import KEEP_TEXT
from exportctl.reports.export import EXPORT_COLUMNS
from exportctl.reports.language import text_for

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

SHEET = "별표2의2"
FIRST_ROW = 6
"""First data row of a workbook from ``write_list_workbook`` (two-row header at 4-5)."""

V1_ROWS: list[Row] = [
    (1, "0101.21", "순종번식용 말", "Pure-bred breeding horses", "축산물", None),
    (2, "8471", "자동자료처리기계", "Automatic data-processing machines", "일반산업용 물품", None),
    (3, "8471.30.1000", "휴대용 컴퓨터", "Portable computers", "일반산업용 물품", "노트북 포함"),
    (4, "ex 8536.69", "플러그와 소켓", "Plugs and sockets", "일반산업용 물품", "일부"),
    (5, "9013.10.1000", "망원조준경", "Telescopic sights for arms", "전략물자", None),
]
V2_ROWS: list[Row] = [
    *V1_ROWS,
    (
        6,
        None,
        "무인항공기(드론) 및 그 부분품",
        "Unmanned aerial vehicles (drones)",
        "전략물자",
        None,
    ),
    (7, "8806.21", "무인기", "Unmanned aircraft", "전략물자", "+ 부분품 포함"),
]
ADDED_ROWS: list[Row] = [
    (8, "8526.91", "무선항행용 기기", "Radio navigational aid apparatus", "전략물자", None),
]


def _import(
    run_cli: RunCli, db: str, path: Path, label: str, *extra: str, effective: str | None = None
) -> None:
    args = ["import", path, "--list", "kr-russia", "--create-list", "--approve"]
    args += ["--version", label, *extra]
    args += ["--effective", effective or f"{label}-01"]
    run_cli(*args, db=db, ok=True)


@pytest.fixture
def lists(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:
    """kr-russia 2024-02 (effective 02-24, 5 items) and 2024-06 (06-28, 7 items)."""

    def build(folder: Path, db: str) -> None:
        v1 = write_list_workbook(folder / "list-2024-02.xlsx", V1_ROWS)
        v2 = write_list_workbook(folder / "list-2024-06.xlsx", V2_ROWS)
        _import(run_cli, db, v1, "2024-02", effective="2024-02-24")
        _import(run_cli, db, v2, "2024-06", effective="2024-06-28")

    return build_once(initialised, build)


def _check(run_cli: RunCli, db: str, *args: str, **kwargs: Any) -> dict[str, Any]:
    result = run_cli("check", "--list", "kr-russia", "--json", *args, db=db, **kwargs)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --------------------------------------------------------------------------- check

CODES = ["8471.30.0000", "8471.30.1000", "8536.69.1000", "9013.10", "0808.10", "84.7x", "010121"]


def test_check_names_status_entry_and_reason(run_cli: RunCli, lists: str) -> None:
    data = _check(run_cli, lists, *CODES)
    assert data["version"]["label"] == "2024-06"  # in force today
    assert data["version"]["effective"] == "2024-06-28"
    results = data["results"]
    assert [r["input"] for r in results] == CODES
    assert [r["status"] for r in results] == [
        "controlled",
        "controlled",
        "review",
        "review",
        "clear",
        "invalid",
        "controlled",
    ]
    assert [r["code"] for r in results] == [
        "8471.30.0000",
        "8471.30.1000",
        "8536.69.1000",
        "9013.10",
        "0808.10",
        None,
        "0101.21",
    ]
    serials = [r["entry"]["serial"] if r["entry"] else None for r in results]
    assert serials == ["2", "3", "4", "5", None, None, "1"]
    assert results[0]["entry"] == {
        "section": 1,
        "serial": "2",
        "code": "8471",
        "ex": False,
        "description": "자동자료처리기계",
    }
    assert "entry No. 2 (8471) covers 8471.30.0000" in results[0]["reason"]
    assert "ex 8536.69" in results[2]["reason"]
    assert "broader than list entry No. 5" in results[3]["reason"]
    assert results[4]["reason"].startswith("no entry of kr-russia 2024-06 covers 0808.10; ")
    assert results[5]["reason"] == '"84.7x" is not an HS code'
    assert data["counts"] == {"controlled": 3, "review": 2, "clear": 1, "invalid": 1}


def test_check_text_has_a_header_and_one_aligned_line_per_code(run_cli: RunCli, lists: str) -> None:
    result = run_cli("check", "--list", "kr-russia", "8471.30", "0808.10", "84.7x", db=lists)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "kr-russia 2024-06 (effective 2024-06-28): 3 codes: "
        "1 controlled, 0 review, 1 clear, 1 invalid"
    )
    assert len(lines) == 4
    assert lines[1].split()[:3] == ["8471.30", "8471.30", "controlled"]
    assert lines[1].endswith("— 자동자료처리기계")
    assert lines[3].split()[:3] == ["84.7x", "—", "invalid"]
    assert '"84.7x" is not an HS code' in lines[3]
    # Aligned: the status column starts at the same place on every line.
    starts = {
        line.index(word) for line, word in zip(lines[1:], ["controlled", "clear"], strict=False)
    }
    assert len(starts) == 1
    # The list has an entry defined by name, which a code alone cannot match.
    assert "note: 1 list entry is defined by name" in result.stderr


def test_check_reads_stdin_and_dash(run_cli: RunCli, lists: str) -> None:
    text = "# codes to check\n8471.30\n\n   \n0808.10  # apples\n"
    data = _check(run_cli, lists, input=text)
    assert [r["input"] for r in data["results"]] == ["8471.30", "0808.10"]
    assert [r["status"] for r in data["results"]] == ["controlled", "clear"]
    mixed = _check(run_cli, lists, "9013.10", "-", input=text)
    assert [r["input"] for r in mixed["results"]] == ["9013.10", "8471.30", "0808.10"]
    empty = run_cli("check", "--list", "kr-russia", db=lists, input="# nothing\n\n")
    assert empty.exit_code == 2 and "No codes to check" in empty.output


def test_check_says_a_placeholder_is_not_a_code(run_cli: RunCli, lists: str) -> None:
    results = _check(run_cli, lists, "N/A", "")["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert [r["reason"] for r in results] == ['"N/A" is not an HS code', '"" is not an HS code']


def test_code_lines_skip_blanks_and_comments() -> None:
    assert code_lines(["8471\n", "\n", "# x\n", " 0101.21 # horses\n"]) == ["8471", "0101.21"]


def test_check_chooses_the_version(run_cli: RunCli, lists: str) -> None:
    old = _check(run_cli, lists, "8806.21", "--as-of", "2024-03-01")
    assert old["version"]["label"] == "2024-02"
    assert old["results"][0]["status"] == "clear"
    drafts = _check(run_cli, lists, "8806.21", "--as-of", "2024-07-01", "--include-drafts")
    assert drafts["version"]["label"] == "2024-06"
    new = _check(run_cli, lists, "8806.21", "--version", "2024-06")
    assert new["results"][0]["status"] == "controlled"
    both = run_cli(
        "check",
        "--list",
        "kr-russia",
        "8471",
        "--version",
        "2024-06",
        "--as-of",
        "2024-07-01",
        db=lists,
    )
    assert both.exit_code == 2
    early = run_cli("check", "--list", "kr-russia", "8471", "--as-of", "2020-01-01", db=lists)
    assert early.exit_code == 2 and early.output.count("\n") == 1
    unknown = run_cli("check", "--list", "nope", "8471", db=lists)
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output


LOST_ZERO = ["847130", "853669", "901310", "880621", "847141", "10121"]
"""Six-digit codes saved from numbers; ``10121`` lost its leading zero (1012.10 is no code)."""


@pytest.mark.parametrize("codes", [CODES, LOST_ZERO], ids=["mixed", "lost-zero"])
def test_check_and_screen_agree(
    tmp_path: Path, run_cli: RunCli, lists: str, codes: list[str]
) -> None:
    catalogue = tmp_path / "products.csv"
    with catalogue.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["SKU", "제품명", "HS코드"])
        for n, code in enumerate(codes, start=1):
            writer.writerow([f"P-{n}", f"sample {n}", code])
    screened = run_cli(
        "screen",
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "--format",
        "json",
        db=lists,
    )
    assert screened.exit_code == 0, screened.output
    rows = json.loads(screened.stdout)["rows"]
    checked = _check(run_cli, lists, *codes, "--version", "2024-06")["results"]
    assert len(rows) == len(checked) == len(codes)
    for row, result in zip(rows, checked, strict=True):
        assert row["status"] == result["status"], (row, result)
        # check has no descriptions: a clear code also says the named entries went unchecked.
        unchecked = result["reason"].split("; the row has no description")[0]
        assert row["reason"] == unchecked or result["status"] == "invalid"
        row_serial = row["entry"]["serial"] if row["entry"] else None
        check_serial = result["entry"]["serial"] if result["entry"] else None
        assert row_serial == check_serial
        assert row["code"] == result["digits"]
    if codes is LOST_ZERO:
        assert checked[-1]["status"] == "controlled" and checked[-1]["code"] == "0101.21"
        assert "a leading zero was restored" in checked[-1]["reason"]


@pytest.mark.parametrize(
    ("codes", "fail_on", "exit_code"),
    [
        (["0808.10"], ["controlled"], 0),
        (["0808.10", "8471"], ["controlled"], 1),
        (["9013.10"], ["controlled"], 0),
        (["9013.10"], ["review"], 1),
        (["8471"], ["review"], 1),  # review counts controlled codes too
        (["84.7x"], ["controlled"], 0),
        (["84.7x"], ["invalid"], 1),
        (["84.7x", "0808.10"], ["controlled,invalid"], 1),
        (["84.7x"], ["controlled", "invalid"], 1),
        (["0808.10"], ["review,invalid"], 0),
    ],
)
def test_check_fail_on(
    run_cli: RunCli, lists: str, codes: list[str], fail_on: list[str], exit_code: int
) -> None:
    flags = [arg for value in fail_on for arg in ("--fail-on", value)]
    result = run_cli("check", "--list", "kr-russia", *codes, *flags, db=lists)
    assert result.exit_code == exit_code, result.output
    if exit_code:
        assert " --fail-on " in result.stderr
        assert "--fail-on" not in result.stdout


def test_check_fail_on_names_count_and_status(run_cli: RunCli, lists: str) -> None:
    result = run_cli(
        "check",
        "--list",
        "kr-russia",
        "8471",
        "84.7x",
        "0101.21",
        "--fail-on",
        "review,invalid",
        db=lists,
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "3 codes fail --fail-on review,invalid: 2 controlled, 1 invalid."
    )
    bad = run_cli("check", "--list", "kr-russia", "8471", "--fail-on", "clear", db=lists)
    assert bad.exit_code == 2 and "--fail-on takes" in bad.output


# --------------------------------------------------------------------------- show


def _show(run_cli: RunCli, db: str, *args: str) -> dict[str, Any]:
    result = run_cli("show", "--list", "kr-russia", "--version", "2024-06", "--json", *args, db=db)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(
    ("args", "serials"),
    [
        ((), [1, 2, 3, 4, 5, 6, 7]),
        (("--code", "8471"), [2, 3]),
        (("--code", "8471.30"), [2, 3]),  # the heading covers it, 8471.30.1000 falls under
        (("--code", "8471.3"), [2, 3]),
        (("--code", "8471.30.1000"), [2, 3]),
        (("--code", "8471.30.2000"), [2]),
        (("--code", "84"), [2, 3]),
        (("--code", "01"), [1]),
        (("--code", "85 36"), [4]),
        (("--code", "99"), []),
        (("--search", "drone"), [6]),
        (("--search", "UNMANNED"), [6, 7]),
        (("--search", "unmanned aerial"), [6]),
        (("--search", "ＤＲＯＮＥＳ"), [6]),  # full-width letters fold (NFKC)
        (("--search", "노트북"), [3]),  # in the note
        (("--search", "computers portable"), [3]),  # every word, in any order
        (("--category", "전략"), [5, 6, 7]),
        (("--category", "일반산업용"), [2, 3, 4]),
        (("--category", "전략물자", "--search", "unmanned"), [6, 7]),
        (("--category", "전략물자", "--search", "unmanned", "--code", "8806"), [7]),
        (("--code", "8471", "--category", "전략"), []),
    ],
)
def test_show_filters(
    run_cli: RunCli, lists: str, args: tuple[str, ...], serials: list[int]
) -> None:
    data = _show(run_cli, lists, *args)
    assert [i["serial"] for i in data["items"]] == [str(n) for n in serials]
    assert data["count"] == len(serials)
    assert data["total"] == 7


def test_show_text_and_csv_say_and_hold_the_filtered_items(run_cli: RunCli, lists: str) -> None:
    text = run_cli(
        "show", "--list", "kr-russia", "--version", "2024-06", "--category", "전략", db=lists
    )
    lines = text.stdout.splitlines()
    assert lines[0] == (
        'kr-russia 2024-06 (effective 2024-06-28): 3 of 7 items match category "전략"'
    )
    assert len(lines) == 4
    plain = run_cli("show", "--list", "kr-russia", "--version", "2024-02", db=lists)
    assert plain.stdout.splitlines()[0] == "kr-russia 2024-02 (effective 2024-02-24): 5 items"
    as_csv = run_cli(
        "show",
        "--list",
        "kr-russia",
        "--as-of",
        "2024-07-01",
        "--code",
        "8471",
        "--csv",
        "--csv-dialect",
        "plain",
        db=lists,
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["code_digits"] for r in rows] == ["8471", "8471301000"]
    assert [r["code"] for r in rows] == ["8471", "8471.30.1000"]


def test_show_keeps_the_positional_list_as_deprecated(run_cli: RunCli, lists: str) -> None:
    drafts = run_cli(
        "show", "--list", "kr-russia", "--as-of", "2024-07-01", "--include-drafts", db=lists
    )
    assert drafts.exit_code == 0 and "2024-06" in drafts.stdout.splitlines()[0]
    result = run_cli("show", "kr-russia", "--version", "2024-06", "--code", "8471", db=lists)
    assert result.exit_code == 0, result.output
    assert "deprecated" in result.stderr and "--list kr-russia" in result.stderr
    assert "2 of 7 items match" in result.stdout


def test_show_rejects_a_code_prefix_that_is_not_digits(run_cli: RunCli, lists: str) -> None:
    result = run_cli(
        "show", "--list", "kr-russia", "--version", "2024-06", "--code", "84x", db=lists
    )
    assert result.exit_code == 2
    assert (
        result.output
        == 'Error: "84x" is not the start of an HS code (digits, dots and spaces only)\n'
    )


def test_filter_items_library() -> None:
    items = [
        ItemRecord("1", "8471", 4, False, "기계", category="A"),
        ItemRecord("2", None, None, False, "드론", "Drone", category=None),
    ]
    assert filter_items(items) == items
    assert filter_items(items, code="8471.30") == items[:1]
    assert filter_items(items, search="drone") == items[1:]
    assert filter_items(items, category="a") == items[:1]
    for bad in ({"code": "..."}, {"search": "  "}, {"category": ""}):
        with pytest.raises(InputError):
            filter_items(items, **bad)


# --------------------------------------------------------------------------- export


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_xlsx_keeps_codes_as_text_with_provenance(
    tmp_path: Path, run_cli: RunCli, lists: str
) -> None:
    out = tmp_path / "kr-russia-2024-06.xlsx"
    result = run_cli(
        "export", "--list", "kr-russia", "2024-06", "-o", out, "--lang", "en", db=lists
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Items", "Version"]
    items = book["Items"]
    words = [c.value for c in items[1]]
    assert words[:7] == [
        "Annex part",
        "Annex part title",
        "No.",
        "HS code",
        "HS code (digits)",
        "Code digits",
        "ex (part of heading)",
    ]
    assert words[-3:] == ["Source file", "Source sheet", "Source row"]
    header = list(EXPORT_COLUMNS)
    assert items.freeze_panes == "A2"
    assert items.auto_filter.ref is not None and items.auto_filter.ref.startswith("A1:")
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in items.iter_rows(2)]
    assert len(rows) == 7
    horses = rows[0]
    assert horses["code"] == "0101.21"
    assert items["D2"].data_type == "s" and horses["code_digits"] == "010121"
    assert horses["serial"] == 1 and horses["level"] == 6
    assert horses["source_file"] == "list-2024-06.xlsx"
    assert horses["source_sheet"] == SHEET
    assert [r["source_row"] for r in rows] == list(range(FIRST_ROW, FIRST_ROW + 7))
    assert rows[3]["ex"] == "yes" and rows[3]["code"] == "8536.69" and rows[0]["ex"] == "no"
    assert rows[4]["code"] == "9013.10.1000"
    assert rows[5]["code"] is None and rows[5]["description"].startswith("무인항공기")
    # An XLSX text cell cannot run as a formula: the note is kept as written.
    assert rows[6]["note"] == "+ 부분품 포함"
    meta = {row[0].value: row[1].value for row in book["Version"].iter_rows()}
    assert meta["List"] == "kr-russia" and meta["Version"] == "2024-06"
    assert meta["Effective date"] == "2024-06-28" and meta["Entries"] == "7"
    assert meta["Source file"] == f"list-2024-06.xlsx [{SHEET}]"
    assert meta["Source file SHA-256"] == _sha256(tmp_path / "list-2024-06.xlsx")
    assert meta["Imported at"] and meta["Imported by"]


def test_export_csv_has_a_bom_and_rereads(tmp_path: Path, run_cli: RunCli, lists: str) -> None:
    out = tmp_path / "list.csv"
    run_cli(
        "export", "--list", "kr-russia", "2024-02", "-o", out, "--lang", "en", db=lists, ok=True
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    en = text_for("en")
    assert table[0] == [en.column(name) for name in EXPORT_COLUMNS]
    # Read back as a program would after dropping the word joiners Excel needs.
    rows = [
        dict(zip(EXPORT_COLUMNS, (c.removeprefix(KEEP_TEXT) for c in r), strict=True))
        for r in table[1:]
    ]
    shown = _show_items(run_cli, lists, "2024-02")
    assert [r["code"] for r in rows] == [
        "0101.21",
        "8471",
        "8471.30.1000",
        "8536.69",
        "9013.10.1000",
    ]
    assert [r["serial"] for r in rows] == [str(i["serial"]) for i in shown]
    assert [r["description"] for r in rows] == [i["description"] for i in shown]
    assert [r["source_row"] for r in rows] == [str(i["row"]) for i in shown]
    assert {r["source_file"] for r in rows} == {"list-2024-02.xlsx"}
    assert {r["source_sheet"] for r in rows} == {SHEET}
    assert rows[2]["note"] == "노트북 포함" and rows[3]["ex"] == "yes"


def _show_items(run_cli: RunCli, db: str, label: str) -> list[dict[str, Any]]:
    result = run_cli("show", "--list", "kr-russia", "--version", label, "--json", db=db, ok=True)
    items: list[dict[str, Any]] = json.loads(result.stdout)["items"]
    return items


def test_export_json_holds_metadata_and_items(tmp_path: Path, run_cli: RunCli, lists: str) -> None:
    out = tmp_path / "list.json"
    run_cli("export", "--list", "kr-russia", "2024-06", "-o", out, db=lists, ok=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"]["label"] == "2024-06" and data["version"]["count"] == 7
    assert data["version"]["sha256"] == _sha256(tmp_path / "list-2024-06.xlsx")
    first = data["items"][0]
    assert first["code"] == "010121" and first["dotted"] == "0101.21"
    assert first["source_file"] == "list-2024-06.xlsx" and first["row"] == FIRST_ROW
    assert data["items"][6]["note"] == "+ 부분품 포함"  # JSON is data, not a spreadsheet


def test_export_refuses_to_overwrite_and_records_the_event(
    tmp_path: Path, run_cli: RunCli, lists: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_ACTOR", "officer-kim")
    out = tmp_path / "list.xlsx"
    out.write_bytes(b"evidence")
    refused = run_cli("export", "--list", "kr-russia", "2024-06", "-o", out, db=lists)
    assert refused.exit_code == 2 and "already exists" in refused.output
    assert out.read_bytes() == b"evidence"
    run_cli("export", "--list", "kr-russia", "2024-06", "-o", out, "--force", db=lists, ok=True)
    assert out.read_bytes().startswith(b"PK")
    events = json.loads(run_cli("audit", "--json", db=lists, ok=True).stdout)
    exports = [e for e in events if e["action"] == "export"]
    assert len(exports) == 1
    event = exports[0]
    assert event["list"] == "kr-russia" and event["version"] == "2024-06"
    assert event["file"] == "list.xlsx" and event["sha256"] == _sha256(out)
    assert event["actor"] == "officer-kim"
    assert event["detail"]["format"] == "xlsx" and event["detail"]["items"] == 7
    assert run_cli("audit", "verify", db=lists).exit_code == 0


def test_export_positional_list_and_bad_format(tmp_path: Path, run_cli: RunCli, lists: str) -> None:
    out = tmp_path / "list.json"
    legacy = run_cli("export", "kr-russia", "2024-02", "-o", out, db=lists)
    assert legacy.exit_code == 0, legacy.output
    assert "deprecated" in legacy.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["version"]["label"] == "2024-02"
    bad = run_cli("export", "--list", "kr-russia", "2024-02", "-o", tmp_path / "x.txt", db=lists)
    assert bad.exit_code == 2 and not (tmp_path / "x.txt").exists()
    missing = run_cli(
        "export", "--list", "kr-russia", "2099-01", "-o", tmp_path / "y.csv", db=lists
    )
    assert missing.exit_code == 2 and not (tmp_path / "y.csv").exists()
    assert "Traceback" not in missing.output


def test_export_of_an_additions_version_names_each_items_own_file(
    tmp_path: Path, run_cli: RunCli, lists: str
) -> None:
    added = write_list_workbook(tmp_path / "list-2024-09-added.xlsx", ADDED_ROWS)
    _import(run_cli, lists, added, "2024-09", "--additions", "--base", "2024-06")
    out = tmp_path / "list.csv"
    plain = ("--csv-dialect", "plain")
    run_cli("export", "--list", "kr-russia", "2024-09", "-o", out, *plain, db=lists, ok=True)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 8
    assert [r["source_file"] for r in rows] == ["list-2024-06.xlsx"] * 7 + [added.name]
    assert [r["source_version"] for r in rows] == ["2024-06"] * 7 + ["2024-09"]
    assert rows[7]["code"] == "8526.91" and rows[7]["source_row"] == str(FIRST_ROW)
