"""CSV, XLSX and JSON reports as a new user gets them, through the real CLI.

``diff``, ``export`` and ``show --csv`` are run end to end and what they wrote is
opened again: headers in the chosen language, codes that keep their zeros when Excel
opens the CSV, cells that cannot start a formula, XLSX text without apostrophes,
print setup, document properties and the report's record (local time and zone,
operator, exportctl version), one code spelling across reports.
"""

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

from exportctl import __version__
from exportctl.readers.cells import cell_text
from exportctl.reports.cells import KEEP_TEXT
from exportctl.reports.csv import CHANGE_COLUMNS
from exportctl.reports.export import EXPORT_COLUMNS, SHOW_COLUMNS
from exportctl.reports.language import text_for

BOM = b"\xef\xbb\xbf"
FORMULA = ("=", "+", "-", "@")
RICH = "<r><t>x</t></r>"
OPERATOR = "officer-kim"

V1: list[Row] = [
    (1, "0101.21.1000", "순종번식용 말", "Pure-bred breeding horses", "축산물", None),
    (2, "0101.29", "-A2 기타 말", "Other horses", "축산물", None),
    ("3의2", "8471.30.1000", "휴대용 컴퓨터", "Portable computers", "일반", RICH),
    (4, "ex 8536.69", "플러그와 소켓", "Plugs and sockets", "일반", "+1 포함"),
]
V2: list[Row] = [
    (1, "0101.21.1000", "순종 번식용 말", "Pure-bred breeding horses", "축산물", None),
    *V1[1:],
    (5, "0302.11", "송어", "Trout", "수산물", "@SUM(A1)"),
]
CODE_COLUMNS = ("code", "code_digits", "old_code", "chapter", "related_codes")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports made in Seoul by officer-kim."""
    monkeypatch.setenv("TZ", "Asia/Seoul")
    monkeypatch.setenv("EXPORTCTL_ACTOR", OPERATOR)


@pytest.fixture
def db(run_cli: RunCli, sqlite_url: str, env: None, build_once: BuildOnce) -> str:
    """kr-russia v1 (4 entries) and v2 (one description changed, one entry added)."""

    def build(folder: Path, db: str) -> None:
        for label, rows in (("v1", V1), ("v2", V2)):
            book = write_list_workbook(folder / f"list-{label}.xlsx", rows)
            args = ["import", book, "--list", "kr-russia", "--version", label, "--approve"]
            args += ["--effective", "2024-01-01" if label == "v1" else "2024-02-01"]
            run_cli(*args, *(["--create-list"] if label == "v1" else []), db=db, ok=True)

    return build_once(sqlite_url, build)


def _diff(run_cli: RunCli, db: str, *args: Any) -> Any:
    return run_cli("diff", "--list", "kr-russia", "v1", "v2", *args, db=db, ok=True)


def _table(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8").removeprefix("\ufeff"), newline="")))


def _assert_excel_cells(
    table: list[list[str]], columns: tuple[str, ...], codes: tuple[str, ...]
) -> list[str]:
    """Every code cell is as written (no word joiner: look-ups of typed codes must find
    it); no cell starts a formula unquoted."""
    digits = []
    for row in table[1:]:
        for name, cell in zip(columns, row, strict=True):
            assert not cell.startswith(FORMULA), (name, cell)
            if name in codes and cell:
                assert KEEP_TEXT not in cell and cell[0].isdigit(), (name, cell)
                if name == "code_digits":
                    digits.append(cell)
    return digits


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_change_csv_for_excel_speaks_the_language_and_keeps_codes_as_text(
    run_cli: RunCli, db: str, lang: str
) -> None:
    raw = _diff(run_cli, db, "--format", "csv", "--lang", lang).stdout_bytes
    assert raw.startswith(BOM) and b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    table = _table(raw)
    t = text_for(lang)
    assert table[0] == [t.column(name) for name in CHANGE_COLUMNS]
    assert table[0][1] == ("HS 코드" if lang == "ko" else "HS code")
    digits = _assert_excel_cells(table, CHANGE_COLUMNS, CODE_COLUMNS)
    assert sorted(digits) == ["0101211000", "030211"]
    rows = [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in table[1:]]
    kinds = {r["change"] for r in rows}
    assert kinds == {t.kind("added"), t.kind("modified")}
    assert {r["ex"] for r in rows} == {t.yes_no(False)}
    added = next(r for r in rows if r["change"] == t.kind("added"))
    assert added["code"] == "0302.11" and added["new_note"] == "'@SUM(A1)"


def test_change_csv_plain_has_machine_names_and_raw_values(run_cli: RunCli, db: str) -> None:
    raw = _diff(run_cli, db, "--format", "csv", "--csv-dialect", "plain").stdout_bytes
    assert not raw.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert tuple(rows[0]) == CHANGE_COLUMNS
    assert KEEP_TEXT not in raw.decode("utf-8")
    modified = next(r for r in rows if r["change"] == "modified")
    assert (modified["code"], modified["code_digits"]) == ("0101.21.1000", "0101211000")
    assert (modified["ex"], modified["chapter"], modified["fields_changed"]) == (
        "false",
        "01",
        "description",
    )
    added = next(r for r in rows if r["change"] == "added")
    assert added["new_note"] == "'@SUM(A1)"  # still no formula


def test_export_csv_for_excel_keeps_zeros_and_quotes_formulas(
    run_cli: RunCli, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "v1.csv"
    run_cli("export", "--list", "kr-russia", "v1", "-o", out, "--lang", "ko", db=db, ok=True)
    raw = out.read_bytes()
    assert raw.startswith(BOM)
    table = _table(raw)
    assert table[0] == [text_for("ko").column(name) for name in EXPORT_COLUMNS]
    digits = _assert_excel_cells(table, EXPORT_COLUMNS, ("code", "code_digits"))
    assert digits == ["0101211000", "010129", "8471301000", "853669"]
    rows = [dict(zip(EXPORT_COLUMNS, r, strict=True)) for r in table[1:]]
    assert [r["serial"] for r in rows] == ["1", "2", "3의2", "4"]
    assert [r["ex"] for r in rows] == ["아니오", "아니오", "아니오", "예"]
    assert rows[1]["description"] == "'-A2 기타 말" and rows[3]["note"] == "'+1 포함"


@pytest.mark.parametrize(("lang", "yes", "no"), [("ko", "예", "아니오"), ("en", "yes", "no")])
def test_show_csv_has_a_bom_words_and_is_audited(
    run_cli: RunCli, db: str, lang: str, yes: str, no: str
) -> None:
    shown = run_cli(
        "show", "--list", "kr-russia", "--version", "v2", "--csv", "--lang", lang, db=db, ok=True
    )
    raw = shown.stdout_bytes
    assert raw.startswith(BOM)
    table = _table(raw)
    t = text_for(lang)
    keys = {"sheet": "source_sheet", "row": "source_row"}
    assert table[0] == [t.column(keys.get(name, name)) for name in SHOW_COLUMNS]
    rows = [dict(zip(SHOW_COLUMNS, r, strict=True)) for r in table[1:]]
    assert [r["ex"] for r in rows] == [no, no, no, yes, no]
    assert "True" not in raw.decode("utf-8") and "False" not in raw.decode("utf-8")
    digits = _assert_excel_cells(table, SHOW_COLUMNS, ("code", "code_digits"))
    assert digits[0] == "0101211000" and digits[-1] == "030211"
    events = json.loads(run_cli("audit", "--json", db=db, ok=True).stdout)
    (event,) = [e for e in events if e["action"] == "show"]
    assert event["sha256"] == hashlib.sha256(raw).hexdigest()
    assert event["actor"] == OPERATOR and event["detail"]["output"] == "stdout"
    assert (event["detail"]["csv_dialect"], event["detail"]["language"]) == ("excel", lang)
    assert run_cli("audit", "verify", db=db).exit_code == 0


def test_show_csv_plain_is_for_programs(run_cli: RunCli, db: str) -> None:
    args = ("show", "--list", "kr-russia", "--version", "v1", "--csv", "--csv-dialect", "plain")
    raw = run_cli(*args, db=db, ok=True).stdout_bytes
    assert not raw.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert tuple(rows[0]) == SHOW_COLUMNS
    assert [r["code_digits"] for r in rows] == ["0101211000", "010129", "8471301000", "853669"]
    assert [r["ex"] for r in rows] == ["false", "false", "false", "true"]
    assert rows[0]["code"] == "0101.21.1000" and rows[3]["note"] == "'+1 포함"


def test_the_readers_drop_the_word_joiner_of_an_excel_csv() -> None:
    assert cell_text(KEEP_TEXT + "0101.21") == "0101.21"
    assert cell_text(KEEP_TEXT + "SKU-0042") == "SKU-0042"
    assert cell_text("a" + KEEP_TEXT + "b") == "ab"


# --------------------------------------------------------------------------- XLSX


def _texts(book: Any) -> list[str]:
    return [
        c.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]


def _assert_printable(sheet: Any) -> None:
    assert sheet.page_setup.orientation == "landscape", sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    # fitToWidth 1 is the file format's default, so it may be left out of the XML.
    fit = (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight)
    assert fit == (1, 0), sheet.title
    assert sheet.print_title_rows == "$1:$1", sheet.title


def _record(sheet: Any) -> dict[str, Any]:
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_change_xlsx_words_record_print_setup_and_plain_text(
    run_cli: RunCli, db: str, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / "changes.xlsx"
    _diff(run_cli, db, "-o", out, "--lang", lang)
    book = load_workbook(out)
    t = text_for(lang)
    assert book.sheetnames[0] == t("tables.summary_sheet")
    assert book.properties.creator == OPERATOR
    assert book.properties.title == t("tables.changes_title", list="kr-russia", old="v1", new="v2")
    modified = book[t.kind("modified")]
    _assert_printable(modified)
    assert modified.freeze_panes == "A2"
    assert [c.value for c in modified[1]] == [t.column(name) for name in CHANGE_COLUMNS]
    row = dict(zip(CHANGE_COLUMNS, modified[2], strict=True))
    assert row["code"].value == "0101.21.1000" and row["code"].data_type == "s"
    assert row["code_digits"].value == "0101211000" and row["code_digits"].number_format == "@"
    assert row["serial"].value == 1 and row["change"].value == t.kind("modified")
    assert row["ex"].value == t.yes_no(False)
    assert row["fields_changed"].value == t.column("description")
    added = {
        name: c.value for name, c in zip(CHANGE_COLUMNS, book[t.kind("added")][2], strict=True)
    }
    assert added["new_note"] == "@SUM(A1)"  # an XLSX text cell cannot run: kept as written
    texts = _texts(book)
    assert not any(text.startswith("'") for text in texts)
    assert all(c.data_type != "f" for s in book.worksheets for r in s.iter_rows() for c in r)
    record = _record(book.worksheets[0])
    generated = record[t("evidence.generated")]
    assert generated.endswith("KST (UTC+09:00)")
    assert record[t("evidence.operator")] == OPERATOR
    assert record[t("evidence.tool")] == __version__
    assert record[t("evidence.database")].startswith("sqlite")
    assert record[t("evidence.status")].startswith(t.status("approved"))
    assert (
        OPERATOR in record[t("evidence.status")] and "(UTC+09:00)" in record[t("evidence.status")]
    )
    assert record[t("tables.list_name")] and record[t("evidence.source_sha256")]


def test_change_xlsx_rich_text_lookalike_stays_literal(
    run_cli: RunCli, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.reports import sheet_rows

    streamed, by_cell = tmp_path / "streamed.xlsx", tmp_path / "by_cell.xlsx"
    payload = "<r><t>y</t></r>"
    old = [(1, "0101.21", "말", None, None, None)]
    new = [(1, "0101.21", payload, None, None, "-A2")]
    books = []
    for path in (streamed, by_cell):
        run_cli("init", db=f"sqlite:///{path}.db", ok=True)
        for label, rows in (("v1", old), ("v2", new)):
            wb = write_list_workbook(tmp_path / f"{path.stem}-{label}.xlsx", rows)
            args = ["import", wb, "--list", "kr", "--version", label, "--approve"]
            args += ["--effective", "2024-01-01" if label == "v1" else "2024-02-01"]
            args += ["--create-list"] if label == "v1" else []
            run_cli(*args, db=f"sqlite:///{path}.db", ok=True)
        if path == by_cell:
            monkeypatch.setattr(sheet_rows, "streamable", lambda sheet: False)
        args = ("diff", "--list", "kr", "v1", "v2", "-o", path, "--lang", "en")
        run_cli(*args, db=f"sqlite:///{path}.db", ok=True)
        sheet = load_workbook(path)["Modified"]
        books.append({n: c.value for n, c in zip(CHANGE_COLUMNS, sheet[2], strict=True)})
    for row in books:
        assert row["new_description"] == payload and row["new_note"] == "-A2"


def test_export_xlsx_spells_codes_like_the_change_report_with_record(
    run_cli: RunCli, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "v2.xlsx"
    run_cli("export", "--list", "kr-russia", "v2", "-o", out, "--lang", "ko", db=db, ok=True)
    book = load_workbook(out)
    t = text_for("ko")
    assert book.sheetnames == [t("tables.items_sheet"), t("tables.version_sheet")]
    assert book.properties.creator == OPERATOR and book.properties.title
    items = book[t("tables.items_sheet")]
    _assert_printable(items)
    assert [c.value for c in items[1]] == [t.column(name) for name in EXPORT_COLUMNS]
    rows = [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in items.iter_rows(min_row=2)]
    first = rows[0]
    assert (first["code"].value, first["code_digits"].value) == ("0101.21.1000", "0101211000")
    assert first["code"].data_type == first["code_digits"].data_type == "s"
    assert first["code_digits"].number_format == "@"
    assert [r["serial"].value for r in rows] == [1, 2, "3의2", 4, 5]
    assert [r["ex"].value for r in rows] == ["아니오", "아니오", "아니오", "예", "아니오"]
    assert rows[1]["description"].value == "-A2 기타 말"
    assert rows[2]["note"].value == RICH and rows[3]["note"].value == "+1 포함"
    assert all(c.data_type != "f" for r in rows for c in r.values())
    # The change report writes the same entry the same way.
    changes = tmp_path / "changes.xlsx"
    _diff(run_cli, db, "-o", changes, "--lang", "ko")
    changed = load_workbook(changes)[t.kind("modified")]
    row = {name: c.value for name, c in zip(CHANGE_COLUMNS, changed[2], strict=True)}
    assert (row["code"], row["code_digits"], row["serial"]) == (
        first["code"].value,
        first["code_digits"].value,
        first["serial"].value,
    )
    record = _record(book[t("tables.version_sheet")])
    assert record[t("evidence.generated")].endswith("KST (UTC+09:00)")
    assert record[t("evidence.operator")] == OPERATOR
    assert record[t("evidence.tool")] == __version__
    assert record[t("evidence.version")] == "v2"
    assert record[t("evidence.status")].startswith(t.status("approved"))
    assert record[t("evidence.items")] == "5"
    assert record[t("evidence.source")].startswith("list-v2.xlsx")
    assert len(record[t("evidence.source_sha256")]) == 64


# --------------------------------------------------------------------------- JSON


def _assert_report(data: dict[str, Any], lang: str) -> None:
    report = data["report"]
    assert report["generated_at"].endswith("+09:00") and report["timezone"] == "Asia/Seoul"
    assert report["operator"] == OPERATOR and report["exportctl_version"] == __version__
    assert report["language"] == lang and report["database"].startswith("sqlite")


def test_json_reports_say_how_they_were_made(run_cli: RunCli, db: str, tmp_path: Path) -> None:
    changes = json.loads(_diff(run_cli, db, "--format", "json", "--lang", "ko").stdout)
    _assert_report(changes, "ko")
    assert {c["change"] for c in changes["changes"]} == {"added", "modified"}  # machine values
    out = tmp_path / "v1.json"
    run_cli("export", "--list", "kr-russia", "v1", "-o", out, "--lang", "en", db=db, ok=True)
    export = json.loads(out.read_text(encoding="utf-8"))
    _assert_report(export, "en")
    assert export["version"]["status_by"] == OPERATOR
    assert export["items"][3]["ex"] is True and export["items"][3]["note"] == "+1 포함"
