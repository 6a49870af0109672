"""The screening report as people and programs get it: language, CSV dialects, XLSX
cells and print setup, the report's record (time zone, operator, version, hashes).

Every test runs ``exportctl screen`` end to end on a small messy catalogue and opens
what was written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from openpyxl import Workbook, load_workbook

import exportctl
from exportctl.reports.cells import KEEP_TEXT
from exportctl.reports.language import text_for
from exportctl.reports.screening import COLUMNS, PEOPLE_COLUMNS, STATUS_COLOURS, change_words

HEADERS = ("SKU", "제품명", "HS코드", "비고")
CATALOGUE: list[tuple[str, str, str, str]] = [
    ("00123", "순종 번식용 말", "0101.21", "첫 행"),
    ("-A2", "노트북 컴퓨터", "8471300000", "-A2 비고"),
    ("=1+1", "계산기", "0101211000", "=SUM(A1)"),
    ("<r>x</r>", "<r>x</r> 설명", "010121", "<r><t>y</t></r>"),
]
"""0101.21 is in every version of ``lists_db`` but 2024-07; 8471.30 in none."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Seoul")
    monkeypatch.setenv("EXPORTCTL_ACTOR", "김검토")
    monkeypatch.delenv("EXPORTCTL_CONFIG", raising=False)


@pytest.fixture
def xlsx_catalogue(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "제품"
    ws.append(list(HEADERS))
    for r, row in enumerate(CATALOGUE, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.data_type = "s"  # text, "=1+1" included (not a formula)
    path = tmp_path / "catalogue.xlsx"
    wb.save(path)
    return path


@pytest.fixture
def csv_catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(CATALOGUE)
    return path


def screen(run_cli: RunCli, db: str, catalogue: Path, *args: Any) -> Any:
    return run_cli("screen", catalogue, "--list", "kr-russia", *args, db=db, ok=True)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# --------------------------------------------------------------------------- CSV


def test_excel_csv_in_korean_keeps_codes_and_skus_as_text(
    env: None, tmp_path: Path, run_cli: RunCli, lists_db: str, csv_catalogue: Path
) -> None:
    out = tmp_path / "screen.csv"
    screen(
        run_cli, lists_db, csv_catalogue, "--version", "2024-07", "--compare", "2024-02",
        "--lang", "ko", "-o", out,
    )  # fmt: skip
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    header, *rows = read_csv(out)
    assert header[0] == "\ufeff" + "행"
    ko = text_for("ko")
    assert header[1:] == [ko.column(name) for name in PEOPLE_COLUMNS[1:]] + ["비고"]
    assert {"품번", "판정", "HS 코드", "HS 코드 (숫자)", "변경 구분"} <= set(header)
    col = {name: header.index(ko.column(name)) for name in PEOPLE_COLUMNS[1:]}
    first = rows[0]
    # Codes and SKUs as written, zeros and all (exportctl.reports.cells: no word joiner).
    assert first[col["sku"]] == "00123"
    assert first[col["code"]] == "0101.21"
    assert first[col["code_digits"]] == "010121"
    assert first[col["original_code"]] == "0101.21"
    assert rows[2][col["code"]] == "0101.21.1000"
    assert rows[2][col["code_digits"]] == "0101211000"
    assert not any(KEEP_TEXT in cell for row in rows for cell in row)
    # 2024-07 dropped 0101.21; 8471.30 was never listed.
    assert [r[col["status"]] for r in rows] == ["해당 없음"] * 4
    previous = [r[col["previous_status"]] for r in rows]
    assert previous == ["통제 대상", "해당 없음", "통제 대상", "통제 대상"]
    gone = "통제 대상에서 제외"
    assert [r[col["change"]] for r in rows] == [gone, "", gone, gone]
    assert rows[1][col["sku"]] == "'-A2" and rows[2][col["sku"]] == "'=1+1"
    assert rows[2][-1] == "'=SUM(A1)"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_excel_csv_in_english(
    env: None, tmp_path: Path, run_cli: RunCli, lists_db: str, csv_catalogue: Path
) -> None:
    out = tmp_path / "screen.csv"
    screen(
        run_cli, lists_db, csv_catalogue, "--version", "2024-06", "--compare", "2024-07",
        "--lang", "en", "-o", out,
    )  # fmt: skip
    header, *rows = read_csv(out)
    assert header[1:6] == ["SKU", "Description", "HS code", "HS code (digits)", "Code as written"]
    status = header.index("Status")
    change = header.index("Change")
    assert [r[status] for r in rows] == ["controlled", "clear", "controlled", "controlled"]
    new = "newly controlled"
    assert [r[change] for r in rows] == [new, "", new, new]
    assert rows[0][header.index("Entry ex")] == "no"


def test_plain_csv_has_machine_headers_and_values(
    env: None, tmp_path: Path, run_cli: RunCli, lists_db: str, csv_catalogue: Path
) -> None:
    out = tmp_path / "screen.csv"
    screen(
        run_cli, lists_db, csv_catalogue, "--version", "2024-07", "--compare", "2024-02",
        "--lang", "ko", "--csv-dialect", "plain", "-o", out,
    )  # fmt: skip
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [*COLUMNS, "비고"]
        rows = list(reader)
    # csv_cell neutralises like safe.neutralise (which also quotes <r>…</r>).
    assert [r["sku"] for r in rows] == ["00123", "'-A2", "'=1+1", "'<r>x</r>"]
    assert [r["code"] for r in rows] == ["010121", "8471300000", "0101211000", "010121"]
    assert [r["status"] for r in rows] == ["clear"] * 4
    assert rows[0]["previous_status"] == "controlled"
    assert rows[0]["change"] == "no longer controlled"
    assert rows[0]["비고"] == "첫 행"
    assert all(KEEP_TEXT not in value for r in rows for value in r.values())


def test_csv_to_stdout_is_the_same_report(
    env: None, run_cli: RunCli, lists_db: str, csv_catalogue: Path
) -> None:
    result = screen(run_cli, lists_db, csv_catalogue, "--version", "2024-06", "--lang", "ko",
                    "--format", "csv")  # fmt: skip
    assert result.stdout.startswith("\ufeff행,품번,")


# --------------------------------------------------------------------------- XLSX


def test_xlsx_in_korean_text_as_written_with_record_and_print_setup(
    env: None, tmp_path: Path, run_cli: RunCli, lists_db: str, xlsx_catalogue: Path
) -> None:
    out = tmp_path / "screen.xlsx"
    screen(
        run_cli, lists_db, xlsx_catalogue, "--as-of", "2024-09-01", "--compare", "2024-07",
        "--lang", "ko", "-o", out,
    )  # fmt: skip
    wb = load_workbook(out)
    assert wb.sheetnames == ["요약", "판정", "판정 변경"]
    assert wb.properties.title == "제품 목록 수출통제 판정"
    assert wb.properties.creator == "김검토"
    ws = wb["판정"]
    ko = text_for("ko")
    header = [c.value for c in ws[1]]
    assert header == [ko.column(name) for name in PEOPLE_COLUMNS] + ["비고"]
    col = {name: PEOPLE_COLUMNS.index(name) + 1 for name in PEOPLE_COLUMNS}

    def cell(row: int, name: str) -> Any:
        return ws.cell(row=row, column=col[name])

    assert cell(2, "sku").value == "00123" and cell(2, "sku").data_type == "s"
    assert cell(3, "sku").value == "-A2"
    assert cell(4, "sku").value == "=1+1" and cell(4, "sku").data_type == "s"
    assert cell(5, "sku").value == "<r>x</r>"
    assert cell(5, "description").value == "<r>x</r> 설명"
    assert ws.cell(row=5, column=len(PEOPLE_COLUMNS) + 1).value == "<r><t>y</t></r>"
    assert ws.cell(row=4, column=len(PEOPLE_COLUMNS) + 1).value == "=SUM(A1)"
    assert cell(2, "code").value == "0101.21" and cell(2, "code_digits").value == "010121"
    assert cell(4, "code").value == "0101.21.1000"
    assert cell(4, "code_digits").value == "0101211000"
    assert cell(2, "entry_code").value == "0101.21"
    assert cell(2, "row").value == 2 and cell(2, "entry_serial").value == 1
    assert [cell(r, "status").value for r in range(2, 6)] == [
        "통제 대상", "해당 없음", "통제 대상", "통제 대상",
    ]  # fmt: skip
    assert cell(2, "change").value == "새로 통제 대상"
    assert cell(2, "entry_ex").value == "아니오"
    fill = cell(2, "status").fill.fgColor.rgb
    assert fill[-6:] == (STATUS_COLOURS["controlled"] or "")[1:]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(row=5, column=len(header)).coordinate}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize or 0) == 9
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.center.text or ws.oddFooter.right.text
    changed = [r[0] for r in wb["판정 변경"].iter_rows(min_row=2, values_only=True)]
    assert changed == [2, 4, 5]

    summary = {
        r[0]: r[1] for r in wb["요약"].iter_rows(min_row=2, values_only=True) if r[0] is not None
    }
    generated = summary["작성 일시"]
    assert generated.endswith("KST (UTC+09:00)"), generated
    assert summary["작성자 (실행자)"] == "김검토"
    assert summary["exportctl 버전"] == exportctl.__version__
    assert summary["언어"] == "한국어"
    assert summary["기준일 (요청)"] == "2024-09-01"
    assert summary["버전"] == "2024-06"
    assert summary["원본 파일"].startswith("adds.xlsx")
    assert summary["원본 파일 SHA-256"] == sha256(tmp_path / "adds.xlsx")
    assert summary["제품 목록"] == "catalogue.xlsx"
    assert summary["제품 목록 시트"] == "제품"
    assert summary["제품 목록 SHA-256"] == sha256(xlsx_catalogue)
    assert summary["비교 버전"] == "2024-07"
    assert summary["판정한 행"] == 4 and summary["통제 대상"] == 3
    assert summary["새로 통제 대상"] == 3
    assert str(summary["상태"]).startswith("승인")
    assert "kr-russia" in summary["목록"]
    wb.close()


def test_xlsx_in_english(
    env: None, tmp_path: Path, run_cli: RunCli, lists_db: str, xlsx_catalogue: Path
) -> None:
    out = tmp_path / "screen.xlsx"
    screen(run_cli, lists_db, xlsx_catalogue, "--version", "2024-06", "--lang", "en", "-o", out)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Summary", "Screening"]
    rows = list(wb["Screening"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Row", "SKU", "Description")
    assert rows[2][1] == "-A2" and rows[2][PEOPLE_COLUMNS.index("status")] == "clear"
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Prepared by (operator)"] == "김검토"
    assert summary["In force on (asked)"] == "not asked (version 2024-06 named)"
    assert summary["Rows screened"] == 4 and summary["Controlled"] == 3
    wb.close()


def test_xlsx_text_cells_are_the_xml_xlsxwriter_writes(tmp_path: Path) -> None:
    """Rows streamed into the row file are byte for byte what ``write_string`` and
    ``write_number`` write, but for ``<r>…</r>`` text, which is escaped."""
    import xlsxwriter

    from exportctl.reports.sheet_rows import RowStream

    rows: list[list[Any]] = [
        ["-A2", 12, "a & b <c>", " lead", "tab\there", "_x0041_ ok", None, 1.5, "한글"],
        ["", "x\x01y", "=1+1", 10**6, "line\nbreak"],
    ]

    def sheet_xml(stream: bool) -> str:
        path = tmp_path / f"{stream}.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        fmt = book.add_format({"num_format": "@"})
        sheet = book.add_worksheet()
        sheet.write_string(0, 0, "header")
        formats = [fmt, None, None, None, None, None, None, None, fmt]
        if stream:
            writer = RowStream(sheet, formats)
            for r, cells in enumerate(rows, start=1):
                writer.write(r, cells)
            writer.close()
        else:
            for r, cells in enumerate(rows, start=1):
                for c, value in enumerate(cells):
                    if isinstance(value, str) and value:
                        sheet.write_string(r, c, value, formats[c])
                    elif value not in (None, ""):
                        sheet.write_number(r, c, value, formats[c])
        book.close()
        with zipfile.ZipFile(path) as archive:
            return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")

    assert sheet_xml(True) == sheet_xml(False)


def test_rich_text_lookalike_stays_literal_through_the_stream(tmp_path: Path) -> None:
    import xlsxwriter

    from exportctl.reports.sheet_rows import RowStream

    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "header")
    writer = RowStream(sheet, [None])
    writer.write(1, ["<r><t>=1+1</t></r>"])
    writer.close()
    book.close()
    ws = load_workbook(path).active
    assert ws is not None
    assert ws["A2"].value == "<r><t>=1+1</t></r>" and ws["A2"].data_type == "s"


# --------------------------------------------------------------------------- JSON


def test_json_head_has_the_report_record_and_the_version(
    env: None, tmp_path: Path, run_cli: RunCli, lists_db: str, csv_catalogue: Path
) -> None:
    result = screen(run_cli, lists_db, csv_catalogue, "--as-of", "2024-09-01", "--lang", "ko",
                    "--json")  # fmt: skip
    data = json.loads(result.stdout)
    report = data["report"]
    assert report["generated_at"].endswith("+09:00")
    assert report["timezone"] == "Asia/Seoul"
    assert report["operator"] == "김검토"
    assert report["exportctl_version"] == exportctl.__version__
    assert report["language"] == "ko"
    assert report["database"].startswith("sqlite:///")
    assert data["as_of"] == "2024-09-01" and data["version"] == "2024-06"
    assert data["source_file"] == "adds.xlsx"
    assert data["source_sha256"] == sha256(tmp_path / "adds.xlsx")
    assert data["status_by"] and data["status_at"].endswith("+00:00")
    assert data["sha256"] == sha256(csv_catalogue)
    assert data["item_count"] == 1402
    # Machine form whatever the language.
    statuses = [r["status"] for r in data["rows"]]
    assert statuses == ["controlled", "clear", "controlled", "controlled"]
    assert data["rows"][1]["sku"] == "-A2"


# --------------------------------------------------------------------------- words


def test_change_words() -> None:
    ko = text_for("ko")
    assert change_words("newly controlled", ko) == "새로 통제 대상"
    assert change_words("clear → invalid", ko) == "해당 없음 → 코드 오류"
    assert change_words("", ko) == ""
    assert change_words("newly for review", text_for("en")) == "newly for review"


def test_csv_excel_headers_in_every_language_differ_from_machine_names() -> None:
    for lang in ("ko", "en"):
        t = text_for(lang)
        shown = [t.column(name) for name in PEOPLE_COLUMNS]
        assert all(t.has(f"column.{name}") for name in PEOPLE_COLUMNS), lang
        assert len(set(shown)) == len(shown)
