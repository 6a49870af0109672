"""Change reports read back: CSV (golden file), XLSX, PDF and JSON; the diff command."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from openpyxl import load_workbook
from pypdf import PdfReader

from exportctl.diff import ChangeSet, VersionInfo, compare
from exportctl.models import ITEM_JSON_FIELDS, ItemRecord
from exportctl.reports import sheet_rows
from exportctl.reports.cells import KEEP_TEXT
from exportctl.reports.csv import CHANGE_COLUMNS, ChangeWords, change_values, csv_text, write_csv
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.json import change_set_to_json, write_json
from exportctl.reports.language import text_for
from exportctl.reports.pdf import register_hangul_font, write_pdf
from exportctl.reports.xlsx import SHEET_NAMES, write_xlsx

DATA = Path(__file__).parent / "data"
GENERATED = dt.datetime(2024, 8, 30, 9, 0, tzinfo=dt.UTC)
EN = text_for("en")
HEADERS = [EN.column(name) for name in CHANGE_COLUMNS]
"""The English headers of the change report's columns (the excel dialect and XLSX)."""

# OWASP CSV-injection payloads: each must reach a spreadsheet as text.
PAYLOADS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def item(
    serial: int | str | None,
    code: str | None,
    description: str,
    en: str | None = None,
    category: str | None = None,
    note: str | None = None,
) -> ItemRecord:
    return ItemRecord(
        str(serial) if serial is not None else None,
        code,
        len(code) if code else None,
        False,
        description,
        en,
        category,
        note,
    )


def sample_changes() -> ChangeSet:
    """One change of every kind, Hangul, a leading-zero code, markup and payloads."""
    old = [
        item(1, "010121", "순종 번식용 말", "Horses; pure-bred breeding", "사치품"),
        item(2, "2903890000", "기타 할로겐화 유도체", "Other halogenated derivatives"),
        item(3, "847130", "휴대용 컴퓨터 <10kg> & 태블릿", "Portable ADP <10 kg> & tablets"),
        item(4, "8101961000", "필라멘트", "Filaments"),
        item(5, "8101969000", "기타", "Other"),
        item(6, "3824999051", "전해액", "Electrolytes"),
        item(7, "854231", "프로세서", "Processors", PAYLOADS[0], PAYLOADS[1]),
        item(8, "030211", "송어", "Trout <fresh> & chilled"),
        item(9, None, "승용차 (배기량 2,000cc 초과)", "Cars over 2,000 cc"),
    ]
    new = [
        item(1, "010121", "순종 번식용 말", "Horses; pure-bred breeding", "사치품"),
        item(2, "2903891000", "헥사브로모사이클로도데칸", "HBCDs"),
        item(3, "2903899000", "기타", "Other"),
        item(5, "847130", "휴대용 컴퓨터 <10kg> & 태블릿", "Portable ADP <10 kg> & tablets"),
        item(6, "8101960000", "선(線)", "Wire"),
        item(7, "3824999053", "전해액", "Electrolytes"),
        item(8, "854231", PAYLOADS[2], PAYLOADS[3], PAYLOADS[4], PAYLOADS[5]),
        item(10, "0101290000", "기타", "Other"),
        item(9, None, "승용차 (배기량 2,000cc 초과)", "Cars over 2,000 cc"),
    ]
    return with_versions(compare(old, new), 9, 9)


def with_versions(changes: ChangeSet, before: int, after: int, **declared: Any) -> ChangeSet:
    return dataclasses.replace(
        changes,
        list_slug="kr-russia",
        list_name="러시아·벨라루스 상황허가 품목",
        old_version=VersionInfo(
            "2024-02", dt.date(2024, 2, 24), "러시아_2024-02.xlsx", "a" * 64, "별표2의2", before
        ),
        new_version=VersionInfo(
            "2024-06", dt.date(2024, 8, 30), "러시아_2024-06.xlsx", "b" * 64, "", after, **declared
        ),
    )


def korean_revision(extra: int = 243) -> ChangeSet:
    """1,159 items, then 243 more for 1,402, as the notice declares."""
    chapters = ["27", "28", "29", "38", "72", "84", "85", "87", "88", "90"]
    items = [
        item(
            i + 1, f"{chapters[i % 10]}{(i // 10) % 90 + 1:02d}{i // 900 + 10:02d}", f"품목 {i + 1}"
        )
        for i in range(1159 + extra)
    ]
    changes = compare(items[:1159], items)
    return with_versions(
        changes, 1159, 1159 + extra, declared_total=1402, declared_added=243, declared_removed=0
    )


# --------------------------------------------------------------------------- CSV


def _column_letter(name: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[CHANGE_COLUMNS.index(name)]


_LAST_COLUMN = _column_letter(CHANGE_COLUMNS[-1])


def test_csv_matches_the_golden_file() -> None:
    text = csv_text(sample_changes())
    golden = (DATA / "golden_changes.csv").read_bytes().decode("utf-8")
    assert text == golden


def test_csv_reads_back_with_bom_hangul_and_text_codes(tmp_path: Path) -> None:
    path = tmp_path / "changes.csv"
    write_csv(sample_changes(), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == HEADERS
    # The excel dialect: words for kinds, codes as written (no word joiner).
    rows = [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in table[1:]]
    assert not any(KEEP_TEXT in cell for r in table[1:] for cell in r)
    plain = tmp_path / "plain.csv"
    write_csv(sample_changes(), plain, ReportOptions(csv_dialect="plain"))
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    with plain.open(encoding="utf-8", newline="") as handle:
        machine = list(csv.DictReader(handle))
    assert tuple(machine[0]) == CHANGE_COLUMNS
    assert [r["code_digits"] for r in machine] == [r["code_digits"] for r in rows]
    assert {r["change"] for r in machine} == set(SHEET_NAMES)
    assert {r["change"] for r in rows} == set(SHEET_NAMES.values())
    by_code = {r["code_digits"]: r for r in machine}
    horse = by_code["0101290000"]
    assert (horse["change"], horse["code"], horse["chapter"]) == ("added", "0101.29.0000", "01")
    assert (horse["ex"], horse["serial"]) == ("false", "10")
    assert by_code["3824999053"]["old_code"] == "3824.99.9051"
    assert by_code["2903890000"]["related_codes"] == "2903.89.1000 2903.89.9000"
    assert "휴대용 컴퓨터 <10kg> & 태블릿" in {r["new_description"] for r in rows}
    assert [r["change"] for r in machine].count("split") == 3


def test_csv_and_json_neutralise_formula_payloads(tmp_path: Path) -> None:
    path = tmp_path / "changes.csv"
    write_csv(sample_changes(), path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    for payload in PAYLOADS:
        assert payload not in cells
        assert "'" + payload in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


# --------------------------------------------------------------------------- XLSX


def test_xlsx_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "changes.xlsx"
    write_xlsx(sample_changes(), path, generated_at=GENERATED)
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", *SHEET_NAMES.values()]
    summary = book["Summary"]
    values = [c for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "Changes to 러시아·벨라루스 상황허가 품목: 2024-02 → 2024-06" in values
    assert "a" * 64 in values and "Reconciles" in values
    for kind, title in SHEET_NAMES.items():
        sheet = book[title]
        assert sheet.freeze_panes == "A2", kind
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
        assert [c.value for c in sheet[1]] == HEADERS
        width = sheet.column_dimensions[_column_letter("old_description")].width
        # Narrowed so the sheet prints one page wide at 60 % or more; the text wraps.
        assert width and width > 10
    added = list(book["Added"].iter_rows(min_row=2, values_only=True))
    assert len(added) == 1
    row = dict(zip(CHANGE_COLUMNS, added[0], strict=True))
    assert row["code"] == "0101.29.0000"
    assert row["code_digits"] == "0101290000"
    assert row["chapter"] == "01"
    assert row["new_description"] == "기타"
    cell = book["Added"]["B2"]
    assert cell.data_type == "s" and cell.number_format == "@"
    split = [
        dict(zip(CHANGE_COLUMNS, r, strict=True))
        for r in book["Split"].iter_rows(min_row=2, values_only=True)
    ]
    assert [r["code_digits"] for r in split] == ["2903890000", "2903891000", "2903899000"]


def test_xlsx_writes_formula_payloads_as_inert_text(tmp_path: Path) -> None:
    """XLSX text cells cannot run as formulas: the payloads are kept exactly, no apostrophe."""
    path = tmp_path / "changes.xlsx"
    write_xlsx(sample_changes(), path)
    book = load_workbook(path)
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert all(c.data_type != "f" for c in cells)
    # xlsxwriter stores a carriage return as the escape _x000D_, which Excel reads
    # back as CR and openpyxl leaves as it is.
    texts = [c.value.replace("_x000D_", "\r") for c in cells if isinstance(c.value, str)]
    for payload in PAYLOADS:
        assert payload in texts
    assert not any(t.startswith("'") for t in texts)


def awkward_changes() -> ChangeSet:
    """Changes whose text needs escaping or cutting in a workbook, and every kind."""
    texts = [
        "a & b <c> d",
        " leading space",
        "trailing space ",
        "trailing newline\n",
        "tab\tinside",
        "bell\x07 and a literal _x0041_",
        "non-characters \ufffe \uffff",
        "emoji \U0001f600 wide",
        "<b>markup</b> & entities &amp;",
        "x" * 40_000,
        "\U0001f600" * 20_000,
        "=1+1 \r\n",
    ]
    old = [item(i + 1, f"84{i:08d}", f"품목 {i}", f"Item {i}") for i in range(len(texts))]
    new = [
        dataclasses.replace(x, description=text, description_en=text[::-1], note=text)
        for x, text in zip(old, texts, strict=True)
    ]
    sample = sample_changes()
    return dataclasses.replace(sample, changes=sample.changes + compare(old, new).changes)


def _xlsx_parts(path: Path) -> dict[str, bytes]:
    """Every part of a workbook but ``docProps/core.xml`` (which holds the time written)."""
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("make", [sample_changes, awkward_changes])
def test_xlsx_streamed_rows_are_the_cells_xlsxwriter_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[[], ChangeSet]
) -> None:
    streamed, by_cell = tmp_path / "streamed.xlsx", tmp_path / "by_cell.xlsx"
    write_xlsx(make(), streamed, generated_at=GENERATED)
    monkeypatch.setattr(sheet_rows, "streamable", lambda sheet: False)
    write_xlsx(make(), by_cell, generated_at=GENERATED)
    assert _xlsx_parts(streamed) == _xlsx_parts(by_cell)


def test_xlsx_rows_are_tall_enough_for_their_wrapped_text(tmp_path: Path) -> None:
    """A spreadsheet keeps a stored row height: a row of narrowed, wrapped text is written
    tall enough to show it whole, or it would run over the rows below in LibreOffice."""
    long_ko = "방사선 측정용 기기 및 그 부분품으로서 다른 호에 분류되지 않는 것 " * 4
    old = [item(1, "8471300000", "짧은 것", "Short"), item(2, "9030100000", "기타", "Other")]
    new = [old[0], dataclasses.replace(old[1], description=long_ko, description_en="x\n" * 6)]
    path = tmp_path / "changes.xlsx"
    write_xlsx(compare(old, new), path, generated_at=GENERATED)
    sheet = load_workbook(path)[SHEET_NAMES["modified"]]
    width = sheet.column_dimensions[_column_letter("new_description")].width
    needed = len(long_ko) * 2 / width  # lines of two-unit characters at that width
    height = sheet.row_dimensions[2].height
    assert height is not None and height >= 15 * needed, (height, needed)
    assert sheet.row_dimensions[1].height is None  # the header keeps the default


def test_xlsx_change_sheets_hold_the_csv_rows(tmp_path: Path) -> None:
    changes = korean_revision(extra=40)
    changes = dataclasses.replace(changes, changes=sample_changes().changes + changes.changes)
    path = tmp_path / "changes.xlsx"
    write_xlsx(changes, path, generated_at=GENERATED)
    words = ChangeWords(EN)
    expected = [
        ["" if v is None else str(v) for v in change_values(change, words)]
        for change in changes.changes
    ]
    book = load_workbook(path)
    text_columns = {"code", "code_digits", "old_code", "chapter", "related_codes"}
    for kind, title in SHEET_NAMES.items():
        sheet = book[title]
        rows = [r for r in expected if r[0] == EN.kind(kind)]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{_LAST_COLUMN}{max(len(rows), 1) + 1}", kind
        got = []
        for cells in sheet.iter_rows(min_row=2, max_col=len(CHANGE_COLUMNS)):
            values = []
            for column, cell in zip(CHANGE_COLUMNS, cells, strict=True):
                if column in text_columns and cell.value is not None:
                    assert (cell.data_type, cell.number_format) == ("s", "@"), cell
                if column in ("serial", "old_serial") and cell.value is not None:
                    assert isinstance(cell.value, int), cell
                text = "" if cell.value is None else str(cell.value)
                values.append(text.replace("_x000D_", "\r"))
            got.append(values)
        assert got == rows, kind


def test_xlsx_keeps_text_that_looks_like_rich_text_xml_as_text(tmp_path: Path) -> None:
    payload = '<r><t>x</t></r></is></c><c r="Z2"><f>1+1</f></c><c><is><r><t>y</t></r>'
    old = [item(1, "0101210000", "말")]
    new = [item(1, "0101210000", payload)]
    path = tmp_path / "changes.xlsx"
    changes = dataclasses.replace(with_versions(compare(old, new), 1, 1), list_name=payload)
    write_xlsx(changes, path)
    book = load_workbook(path)
    # Literal: xlsxwriter would copy <r>…</r> text into the XML unescaped, so it is escaped.
    assert book["Modified"][f"{_column_letter('new_description')}2"].value == payload
    summary_texts = [c.value for row in book["Summary"].iter_rows() for c in row]
    assert any(isinstance(v, str) and payload in v for v in summary_texts)
    for sheet in book.worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row), sheet.title
        assert "Z2" not in {c.coordinate for row in sheet.iter_rows() for c in row if c.value}


# --------------------------------------------------------------------------- PDF


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _embedded_fonts(path: Path) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for desc_font in font.get("/DescendantFonts", [font]):
                descriptor = desc_font.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    names.add(str(font["/BaseFont"]))
    return names


def test_pdf_has_hangul_the_tie_out_and_an_embedded_font(tmp_path: Path) -> None:
    path = tmp_path / "changes.pdf"
    changes = korean_revision()
    write_pdf(changes, path, generated_at=GENERATED)
    text = _pdf_text(path)
    assert "러시아·벨라루스 상황허가 품목" in text
    assert "품목 1402" in text
    for number in ("1,159", "243", "1,402"):
        assert number in text
    assert "The figures reconcile." in text
    assert "2024-02-24" in text and "2024-08-30" in text
    assert "러시아_2024-02.xlsx" in text and "a" * 64 in text
    assert "page 1 of" in text and "2024-08-30 09:00:00 (UTC+00:00)" in text
    assert any("ExportctlGothic" in name for name in _embedded_fonts(path))


def test_pdf_escapes_markup_and_shows_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "changes.pdf"
    write_pdf(sample_changes(), path, generated_at=GENERATED)
    text = _pdf_text(path)
    assert "<10kg> & 태블릿" in text
    assert "Trout <fresh> & chilled" in text
    assert "기타" in text and "품목" in text
    assert "선(線)" in text
    for title in ("Added", "Removed", "Modified", "Renumbered", "Recoded", "Split", "Merged"):
        assert title in text
    assert "2903.89.1000, 2903.89.9000" in text
    assert "3824.99.9051" in text and "3824.99.9053" in text


def test_a_2000_change_pdf_builds_with_repeating_headers(tmp_path: Path) -> None:
    old = [
        item(i, f"{8400000000 + i * 10}", f"기존 품목 {i} <a&b>", f"Old {i}")
        for i in range(1, 1001)
    ]
    new = [dataclasses.replace(x, description=x.description + " 변경") for x in old]
    new += [
        item(2000 + i, f"{9000000000 + i * 10}", f"새 품목 {i}", f"New {i}") for i in range(1000)
    ]
    changes = with_versions(compare(old, new), 1000, 2000)
    assert len(changes.changes) == 2000
    path = tmp_path / "big.pdf"
    write_pdf(changes, path, generated_at=GENERATED)
    reader = PdfReader(path)
    assert len(reader.pages) > 20
    last = reader.pages[-2].extract_text() or ""
    middle = reader.pages[len(reader.pages) // 2].extract_text() or ""
    assert "HS code" in last and "HS code" in middle
    assert f"page {len(reader.pages)} of {len(reader.pages)}" in (
        reader.pages[-1].extract_text() or ""
    )


def test_register_hangul_font_is_idempotent() -> None:
    assert (
        register_hangul_font()
        == register_hangul_font()
        == (
            "ExportctlGothic",
            "ExportctlGothic-Bold",
        )
    )


# --------------------------------------------------------------------------- JSON


def test_json_shape(tmp_path: Path) -> None:
    path = tmp_path / "changes.json"
    write_json(sample_changes(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["list"], data["from"], data["to"]) == ("kr-russia", "2024-02", "2024-06")
    summary = data["summary"]
    assert {"before", "after", "added", "removed", "modified", "unchanged"} <= summary.keys()
    assert summary["before"] + summary["added"] - summary["removed"] == summary["after"]
    first = data["changes"][0]
    assert set(first) == {
        "change",
        "section",
        "code",
        "old_code",
        "serial",
        "old",
        "new",
        "fields",
        "sub_item_paths",
        "related",
    }
    added = next(c for c in data["changes"] if c["change"] == "added")
    assert added["old"] is None and added["new"]["code"] == "0101290000"
    assert set(added["new"]) == set(ITEM_JSON_FIELDS)
    assert data == json.loads(json.dumps(change_set_to_json(sample_changes())))


# --------------------------------------------------------------------------- CLI


def test_diff_of_an_additions_import_shows_exactly_the_added_rows(
    run_cli: RunCli, lists_db: str
) -> None:
    result = run_cli(
        "diff", "--list", "kr-russia", "2024-02", "2024-06", "--json", db=lists_db, ok=True
    )
    data = json.loads(result.output)
    assert [c["change"] for c in data["changes"]] == ["added"] * 243
    assert sorted(int(c["serial"]) for c in data["changes"]) == list(range(1160, 1403))
    summary = data["summary"]
    assert (summary["before"], summary["added"], summary["removed"], summary["after"]) == (
        1159,
        243,
        0,
        1402,
    )
    assert summary["reconciles"] is True
    text = run_cli("diff", "--list", "kr-russia", "2024-02", "2024-06", db=lists_db, ok=True).output
    assert "1,159 before + 243 added − 0 removed = 1,402" in text
    assert "Reconciles." in text


def test_diff_writes_every_format_and_audits_each(
    tmp_path: Path, run_cli: RunCli, lists_db: str
) -> None:
    import hashlib

    shas = {}
    for ext in ("csv", "xlsx", "pdf", "json"):
        out = tmp_path / f"changes.{ext}"
        # 1,400 renumbered: a complete PDF (a partial one would write changes.xlsx beside it).
        rows = ("--pdf-rows", "2000") if ext == "pdf" else ()
        result = run_cli(
            "diff",
            "--list",
            "kr-russia",
            "2024-06",
            "2024-07",
            *rows,
            "-o",
            out,
            db=lists_db,
            ok=True,
        )
        assert out.exists() and "Wrote" in result.output
        shas[out.name] = hashlib.sha256(out.read_bytes()).hexdigest()
    stdout = run_cli(
        "diff",
        "--list",
        "kr-russia",
        "2024-06",
        "2024-07",
        "--format",
        "csv",
        "--csv-dialect",
        "plain",
        db=lists_db,
        ok=True,
    )
    rows = list(csv.DictReader(io.StringIO(stdout.output)))
    assert {r["change"] for r in rows} == {"removed", "renumbered", "modified"}
    assert sum(r["change"] == "renumbered" for r in rows) == 1400
    modified = next(r for r in rows if r["change"] == "modified")
    assert modified["new_description"] == "'-2+3 기타 <b>"
    audit = json.loads(run_cli("audit", "--json", db=lists_db, ok=True).output)
    reports = [e for e in audit if e["action"] == "report"]
    assert {e["file"]: e["sha256"] for e in reports if e["file"]} == shas
    assert [e["detail"]["format"] for e in reports] == ["csv", "xlsx", "pdf", "json", "csv"]
    assert reports[-1]["file"] is None and reports[-1]["detail"]["output"] == "stdout"
    assert reports[-1]["sha256"] == hashlib.sha256(stdout.stdout_bytes).hexdigest()
    assert run_cli("audit", "verify", db=lists_db).exit_code == 0
    pdf = _pdf_text(tmp_path / "changes.pdf")
    assert "기타 <b>" in pdf and "Other & more" in pdf


def test_diff_fields_option(run_cli: RunCli, lists_db: str) -> None:
    result = run_cli(
        "diff",
        "--list",
        "kr-russia",
        "2024-06",
        "2024-07",
        "--fields",
        "description,category",
        "--json",
        db=lists_db,
        ok=True,
    )
    data = json.loads(result.output)
    assert data["fields"] == ["description", "category"]
    assert [c["change"] for c in data["changes"]] == ["removed", "modified"]
    assert data["changes"][1]["fields"] == ["description", "category"]
    bad = run_cli(
        "diff", "--list", "kr-russia", "2024-06", "2024-07", "--fields", "colour", db=lists_db
    )
    assert bad.exit_code == 2 and 'unknown field "colour"' in bad.output


def test_diff_errors_exit_2(tmp_path: Path, run_cli: RunCli, lists_db: str) -> None:
    missing = run_cli("diff", "--list", "kr-russia", "2024-02", "2099-01", db=lists_db)
    assert missing.exit_code == 2
    assert 'Error: list "kr-russia" has no version "2099-01"' in missing.output
    assert run_cli("diff", "nope", "a", "b", db=lists_db).exit_code == 2
    no_file = run_cli(
        "diff", "--list", "kr-russia", "2024-02", "2024-06", "--format", "pdf", db=lists_db
    )
    assert no_file.exit_code == 2 and "-o FILE.pdf" in no_file.output
    clash = run_cli(
        "diff",
        "--list",
        "kr-russia",
        "2024-02",
        "2024-06",
        "--format",
        "csv",
        "-o",
        tmp_path / "x.pdf",
        db=lists_db,
    )
    assert clash.exit_code == 2 and "the extension says pdf" in clash.output
    unknown = run_cli(
        "diff", "--list", "kr-russia", "2024-02", "2024-06", "-o", tmp_path / "x.txt", db=lists_db
    )
    assert unknown.exit_code == 2 and "--format" in unknown.output
    assert not (tmp_path / "x.pdf").exists()


# --------------------------------------------------------------------------- HSK master

SHARED = Path(
    os.environ.get("EXPORTCTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared")
)
HSK = SHARED / "data" / "hs" / "korea-customs" / "관세청_HS부호_20250101.xlsx"
HSK_SHEETS = ("2024.1.1", "2024.7.1", "2025.1.1.")


@pytest.fixture(scope="module")
def hsk_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not HSK.exists():
        pytest.skip(f"Korea Customs HSK master not found at {HSK} (set EXPORTCTL_SHARED_DATA)")
    from exportctl.api import ImportOptions, import_workbook, open_database

    url = f"sqlite:///{tmp_path_factory.mktemp('hsk') / 'hsk.db'}"
    engine = open_database(url, create=True)
    for sheet in HSK_SHEETS:
        result = import_workbook(
            engine, HSK, ImportOptions(slug="hsk", label=sheet, sheet=sheet, create_list=True)
        )
        assert result.stored, [f.message for f in result.report.errors[:5]]
    yield engine
    engine.dispose()


@functools.cache
def _sheet(sheet: str) -> Any:
    import pandas as pd

    return pd.read_excel(HSK, sheet_name=sheet, dtype=str, engine="calamine")


def _independent(old_sheet: str, new_sheet: str) -> dict[str, Any]:
    """Added, removed and modified codes computed with pandas on the raw sheets."""
    import pandas as pd

    def load(sheet: str) -> pd.DataFrame:
        frame = _sheet(sheet).copy()
        # The file lost trailing zeros on some codes ('01029090' is 0102909000);
        # the importer pads them, and so must this computation.
        frame["code"] = frame["HS부호"].str.strip().str.ljust(10, "0")
        for column in ("한글품목명", "영문품목명"):
            frame[column] = frame[column].fillna("").map(lambda s: " ".join(str(s).split()))
        return frame.set_index("code")

    old, new = load(old_sheet), load(new_sheet)
    common = old.index.intersection(new.index)
    differs = (old.loc[common, "한글품목명"] != new.loc[common, "한글품목명"]) | (
        old.loc[common, "영문품목명"] != new.loc[common, "영문품목명"]
    )
    return {
        "added": set(new.index.difference(old.index)),
        "removed": set(old.index.difference(new.index)),
        "modified": {
            code: (
                (old.at[code, "한글품목명"], old.at[code, "영문품목명"]),
                (new.at[code, "한글품목명"], new.at[code, "영문품목명"]),
            )
            for code in common[differs.to_numpy()]
        },
        "raw_added": len(set(new["HS부호"]) - set(old["HS부호"])),
        "raw_removed": len(set(old["HS부호"]) - set(new["HS부호"])),
        "counts": (len(old), len(new)),
    }


@pytest.mark.parametrize(("old", "new"), [HSK_SHEETS[:2], HSK_SHEETS[1:], HSK_SHEETS[::2]])
def test_hsk_master_diff_agrees_with_pandas(hsk_engine: Any, old: str, new: str) -> None:
    from exportctl.api import diff_versions

    changes = diff_versions(hsk_engine, "hsk", old, new, fields=("description", "description_en"))
    expected = _independent(old, new)
    assert (changes.before, changes.after) == expected["counts"]
    only_new = {c.code for c in changes.changes if c.new is not None and c.kind != "modified"}
    only_old = {c.old_code for c in changes.changes if c.old is not None and c.kind != "modified"}
    assert only_new == expected["added"]
    assert only_old == expected["removed"]
    assert (changes.added, changes.removed) == (len(expected["added"]), len(expected["removed"]))
    modified = {
        c.code: (
            (c.old.description, c.old.description_en or ""),
            (c.new.description, c.new.description_en or ""),
        )
        for c in changes.changes
        if c.kind == "modified" and c.old is not None and c.new is not None
    }
    assert modified == expected["modified"]
    assert changes.unchanged == expected["counts"][0] - len(expected["removed"]) - len(modified)
    if (old, new) == HSK_SHEETS[1:]:
        # SOURCES.md: 71 added, 26 removed on the raw text; 12 of each are the same code
        # written with 8 digits in one sheet and 10 in the other.
        assert (expected["raw_added"], expected["raw_removed"]) == (71, 26)
        assert (changes.added, changes.removed) == (59, 14)
        kinds = changes.counts()
        assert kinds["split"] > 0 and kinds["recoded"] >= 1
        # A generic name never makes a recode.
        assert all(c.new and c.new.description != "기타" for c in changes.of_kind("recoded"))
    if (old, new) == HSK_SHEETS[:2]:
        assert changes.changes == ()


def test_neutralise_quotes_formulas_and_rich_text_xml_only() -> None:
    from exportctl.reports.safe import neutralise

    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("＋82 2") == "'＋82 2"
    assert neutralise("<r><t>x</t></r>") == "'<r><t>x</t></r>"
    assert neutralise("<r> alone") == "<r> alone"
    assert neutralise("8471.30") == "8471.30"
    assert neutralise(-3) == -3


@pytest.mark.parametrize("streamed", [True, False])
def test_xlsx_kind_longer_than_a_sheet_goes_on_in_continuation_sheets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    """No change is dropped at Excel's row limit (made 101 rows here): 243 additions fill
    "Added" (100 rows), "Added (2)" (100) and "Added (3)" (43)."""
    from exportctl.reports import xlsx as xlsx_module

    monkeypatch.setattr(xlsx_module, "XLSX_MAX_ROWS", 101)
    if not streamed:
        monkeypatch.setattr(sheet_rows, "streamable", lambda sheet: False)
    path = tmp_path / "changes.xlsx"
    write_xlsx(korean_revision(), path)
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Added", "Added (2)", "Added (3)"] + [
        title for kind, title in SHEET_NAMES.items() if kind != "added"
    ]
    codes: list[str] = []
    for title, size in (("Added", 100), ("Added (2)", 100), ("Added (3)", 43)):
        sheet = book[title]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == size, title
        assert [c.value for c in sheet[1]] == HEADERS
        assert sheet.auto_filter.ref == f"A1:{_LAST_COLUMN}{size + 1}"
        codes += [str(row[2]) for row in rows]
    added = [c.code for c in korean_revision().changes if c.kind == "added"]
    assert codes == added
