"""Readers: every spreadsheet hazard is built here with openpyxl and read back."""

from __future__ import annotations

import codecs
import collections
import datetime as dt
import hashlib
import os
import tracemalloc
import types
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from exportctl.errors import InputError, RefusedError
from exportctl.hscode import CodeCell
from exportctl.limits import DEFAULTS, Limits
from exportctl.readers import (
    CATALOGUE_SCHEMA,
    LIST_SCHEMA,
    ParsedRow,
    Table,
    guard,
    list_sheets,
    normalise_header,
    parse_overrides,
    read_table,
    sha256_file,
    xlsx,
)
from exportctl.readers.csv import sniff_delimiter
from exportctl.readers.ods import ods_column_formats

SHARED = Path(
    os.environ.get("EXPORTCTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared")
)
HSK_MASTER = SHARED / "data" / "hs" / "korea-customs" / "관세청_HS부호_20250101.xlsx"

TITLE = "러시아·벨라루스 상황허가 대상 품목 (제2024-xx호)"
DATE_LINE = "2024. 2. 24. 기준"

Rows = Sequence[Sequence[Any]]


# --- builders --------------------------------------------------------------------------


def save_rows(path: Path, rows: Rows, *, title: str = "목록", merges: Sequence[str] = ()) -> Path:
    """Write ``rows`` to a one-sheet workbook; a ``(value, format)`` tuple sets a format."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, tuple):
                cell = ws.cell(row=r, column=c, value=value[0])
                cell.number_format = value[1]
            elif value is not None:
                ws.cell(row=r, column=c, value=value)
    for merge in merges:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def messy_list(path: Path) -> Path:
    """The official layout: title, date line, merged two-row header, footnotes, blanks."""
    rows: list[list[Any]] = [
        [TITLE],
        [DATE_LINE],
        ["연번", "품목명", None, "HS코드\n(10단위)", "비고"],
        [None, "국문", "영문", None, None],
        [1, "자동자료처리기계", "Automatic data processing machines", "8471.30.0000", None],
        [2, "휴대용 컴퓨터", "Portable computers", (8471.3, "0000.00"), "ex"],
        [],
        [3, "말\n(번식용)", " Horses ", (10121, "000000"), None],
        [4, "선반", "Lathes", "８４５８．１１", None],
        [5, "가공기계", "Machining centres", 8457100000, None],
        ["※ HS코드는 관세청 HSK 기준임"],
        ["주: ex는 해당 세번의 일부 품목만 해당"],
        ["위 품목에 대하여는 수출 전에 상황허가를 받아야 함"],
        [6, "밸브", "Valves", "8481.80", None],
        [None, None, None, None, None],
    ]
    return save_rows(path, rows, merges=["A1:E1", "A3:A4", "B3:C3", "D3:D4", "E3:E4"])


def read_all(path: Path, **kwargs: Any) -> tuple[Table, list[ParsedRow]]:
    table = read_table(path, kwargs.pop("schema", LIST_SCHEMA), **kwargs)
    return table, list(table.rows)


def rewrite_part(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Rewrite one XML part of a zip (to add what openpyxl cannot write)."""
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info.filename, data)


def expect_error(match: str, call: Callable[[], object]) -> InputError:
    with pytest.raises(InputError, match=match) as caught:
        call()
    return caught.value


# --- header normalisation and schemas -------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("HS코드\n(10단위)", "hs코드"),
        ("HS 부호 (HS 6단위)", "hs부호"),
        ("*품목명", "품목명"),
        ("※ 비고", "비고"),
        ("ＨＳ　ＣＯＤＥ", "hscode"),
        ("Description (10 digits)", "description"),
    ],
)
def test_normalise_header(header: str, key: str) -> None:
    assert normalise_header(header) == key


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("HS부호", "code"),
        ("HS부호내용", None),
        ("HS코드(6단위)", "code"),
        ("세번부호", "code"),
        ("No.", "serial"),
        ("연번", "serial"),
        ("품목명(한글)", "description"),
        ("품목명(영문)", "description_en"),
        ("Description (EN)", "description_en"),
        ("Description", "description"),
        ("한글품목명", "description"),
        ("영문품목명", "description_en"),
        ("품목군", "category"),
        ("Remarks", "note"),
        ("HS코드 비고", None),
    ],
)
def test_list_aliases_match_whole_headers(header: str, field: str | None) -> None:
    assert LIST_SCHEMA.lookup(header) == field


def test_catalogue_aliases() -> None:
    assert CATALOGUE_SCHEMA.lookup("Part Number") == "sku"
    assert CATALOGUE_SCHEMA.lookup("제품명") == "description"
    assert CATALOGUE_SCHEMA.lookup("HSK") == "code"
    assert CATALOGUE_SCHEMA.required == ("code",)
    assert LIST_SCHEMA.required == ("code", "description")


def test_parse_overrides() -> None:
    assert parse_overrides(["code=품목 코드", " note = 참고사항 "], LIST_SCHEMA) == {
        "code": "품목 코드",
        "note": "참고사항",
    }
    error = expect_error("is not FIELD=HEADER", lambda: parse_overrides(["code"], LIST_SCHEMA))
    assert "serial, code, description" in str(error)
    expect_error('unknown field "hs"', lambda: parse_overrides(["hs=HS"], LIST_SCHEMA))
    expect_error("twice", lambda: parse_overrides(["code=A", "code=B"], LIST_SCHEMA))


# --- the official layout --------------------------------------------------------------


def test_title_rows_two_row_header_footnotes_and_blanks(tmp_path: Path) -> None:
    table, rows = read_all(messy_list(tmp_path / "list.xlsx"))

    assert (table.file, table.sheet, table.header_row) == ("list.xlsx", "목록", 4)
    assert table.columns == {
        "serial": "연번",
        "code": "HS코드 (10단위)",
        "description": "품목명 국문",
        "description_en": "품목명 영문",
        "note": "비고",
    }
    assert table.unmapped == []
    assert [row.row for row in rows] == [5, 6, 8, 9, 10, 14]
    first = rows[0]
    assert first.values == {
        "serial": "1",
        "code": "8471.30.0000",
        "description": "자동자료처리기계",
        "description_en": "Automatic data processing machines",
        "category": None,
        "note": None,
        "control_numbers": None,  # every field, even without its column
    }
    assert first.code == CodeCell("8471.30.0000", None, None)  # a text cell: no format
    assert rows[1].code == CodeCell("8471.3", 8471.3, "0000.00")
    assert rows[1].values["note"] == "ex"
    assert rows[2].code == CodeCell("10121", 10121, "000000")
    assert rows[2].values["description"] == "말 (번식용)"
    assert rows[2].values["description_en"] == "Horses"
    # Full-width digits: folded in values, kept as written in the code cell.
    assert rows[3].values["code"] == "8458.11"
    assert rows[3].code is not None and rows[3].code.text == "８４５８．１１"
    assert rows[4].code == CodeCell("8457100000", 8457100000, "General")
    # Data after the footnotes is still read.
    assert rows[5].values["code"] == "8481.80"
    assert list(map(str, table.notes)) == [
        'sheet "목록": 3 footnote rows skipped (rows 11, 12, 13)'
    ]
    assert [note.rule for note in table.notes] == ["footnote-rows"]


def test_engines_agree_on_the_same_workbook(tmp_path: Path) -> None:
    path = messy_list(tmp_path / "list.xlsx")
    by_openpyxl = read_all(path, reader="openpyxl")
    by_calamine = read_all(path, reader="calamine")

    def comparable(result: tuple[Table, list[ParsedRow]]) -> list[Any]:
        table, rows = result
        cells = [(r.row, r.values, r.code and (r.code.text, r.code.number)) for r in rows]
        return [table.header_row, table.columns, table.unmapped, cells]

    assert comparable(by_openpyxl) == comparable(by_calamine)
    assert by_calamine[1][1].code == CodeCell("8471.3", 8471.3, None)
    assert any("python-calamine" in str(note) for note in by_calamine[0].notes)


def test_number_formats_are_read_at_any_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code column's formats come from the sheet XML however large the workbook."""
    path = messy_list(tmp_path / "list.xlsx")
    assert read_all(path)[1][1].code == CodeCell("8471.3", 8471.3, "0000.00")
    monkeypatch.setattr(xlsx, "OPENPYXL_MAX_BYTES", 100)
    table, rows = read_all(path)
    assert rows[1].code == CodeCell("8471.3", 8471.3, "0000.00")
    assert rows[2].code == CodeCell("10121", 10121, "000000")
    assert not any("python-calamine" in str(note) for note in table.notes)


def test_large_sheet_without_references_recovers_from_values_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the openpyxl limit, a sheet the XML search cannot read gets no formats, said."""
    import re

    rows: list[list[Any]] = [["HS코드", "품목명"], [(10121, "000000"), "말"], ["847130", "컴퓨터"]]
    path = save_rows(tmp_path / "bare.xlsx", rows)
    rewrite_part(
        path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(r'(<c) r="[A-Z]+\d+"', r"\1", xml)
    )
    assert read_all(path)[1][0].code == CodeCell("10121", 10121, "000000")  # through openpyxl
    monkeypatch.setattr(xlsx, "OPENPYXL_MAX_BYTES", 100)
    table, parsed = read_all(path)
    assert parsed[0].code == CodeCell("10121", 10121, None)
    assert any("python-calamine" in str(note) for note in table.notes)


def test_text_codes_never_search_for_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[list[Any]] = [["HS코드", "품목명"], ["847130", "컴퓨터"], ["8471.30.1000", "서버"]]
    path = save_rows(tmp_path / "text.xlsx", rows)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("formats searched for a text-only code column")

    monkeypatch.setattr("exportctl.readers.column_formats", refuse)
    _, parsed = read_all(path)
    assert [row.code for row in parsed] == [
        CodeCell("847130", None, None),
        CodeCell("8471.30.1000", None, None),
    ]


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_column_formats_in_small_chunks_match_one_read(tmp_path: Path, chunk: int) -> None:
    """Tags cut across chunk boundaries are still found."""
    path = messy_list(tmp_path / "list.xlsx")
    whole = xlsx.column_formats(path, "xl/worksheets/sheet1.xml", 3)
    assert whole is not None and whole.by_row == {6: "0000.00", 8: "000000"}
    assert xlsx.column_formats(path, "xl/worksheets/sheet1.xml", 3, chunk=chunk) == whole


@pytest.mark.parametrize("reader", ["openpyxl", "calamine"])
def test_table_below_a1_keeps_sheet_row_numbers(tmp_path: Path, reader: Any) -> None:
    rows: list[list[Any]] = [[], [], [None, "HS코드", "품목명"], [None, "847130", "컴퓨터"]]
    table, parsed = read_all(save_rows(tmp_path / "b3.xlsx", rows), reader=reader)
    assert table.header_row == 3
    assert [(row.row, row.values["code"]) for row in parsed] == [(4, "847130")]


def test_single_row_header_under_title(tmp_path: Path) -> None:
    rows = [
        [TITLE],
        [DATE_LINE],
        [],
        ["No.", "*HS Code", "Description", "Description (EN)", "구분", "Remarks", "담당"],
        [1, "8471.30", "컴퓨터", "Computers", "전자", None, "홍길동"],
    ]
    table, parsed = read_all(save_rows(tmp_path / "en.xlsx", rows))
    assert table.header_row == 4
    assert table.columns["description_en"] == "Description (EN)"
    assert table.unmapped == ["담당"]
    assert parsed[0].values["category"] == "전자"


def test_cells_dates_numbers_errors_booleans(tmp_path: Path) -> None:
    rows = [
        ["HS코드", "품목명", "비고", "구분"],
        ["8471.30", "a", dt.datetime(2024, 2, 24), 1.0],
        ["8471.41", "#N/A", dt.datetime(2024, 2, 24, 13, 30), True],
        ["8471.49", "  b  ", 2.5, "#REF!"],
    ]
    _, parsed = read_all(save_rows(tmp_path / "cells.xlsx", rows))
    assert [row.values["note"] for row in parsed] == ["2024-02-24", "2024-02-24T13:30:00", "2.5"]
    assert [row.values["category"] for row in parsed] == ["1", "TRUE", None]
    assert [row.values["description"] for row in parsed] == ["a", None, "b"]


def test_cover_sheet_is_passed_over(tmp_path: Path) -> None:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "표지"
    cover.append(["산업통상자원부 고시"])
    cover.append(["본 목록은 참고용입니다"])
    data = wb.create_sheet("별표")
    data.append(["연번", "HS코드", "품목명"])
    data.append([1, "8471.30", "컴퓨터"])
    path = tmp_path / "cover.xlsx"
    wb.save(path)

    table, rows = read_all(path)
    assert table.sheet == "별표"
    assert len(rows) == 1
    assert list_sheets(path) == ["표지", "별표"]
    error = expect_error(
        'no sheet "목록"; sheets: "표지", "별표"', lambda: read_all(path, sheet="목록")
    )
    assert error.file == "cover.xlsx"
    expect_error("no header row with an HS code column", lambda: read_all(path, sheet="표지"))


def test_no_header_and_missing_required_column(tmp_path: Path) -> None:
    nothing = save_rows(tmp_path / "nothing.xlsx", [["a", "b"], [1, 2]])
    error = expect_error(
        "no sheet has a header row with an HS code column", lambda: read_all(nothing)
    )
    assert "--column code=HEADER" in str(error)

    no_name = save_rows(tmp_path / "noname.xlsx", [["HS코드", "수량"], ["8471.30", 3]])
    error = expect_error("no description column found", lambda: read_all(no_name))
    assert 'headers found: "HS코드", "수량"' in str(error)
    assert error.row == 1
    # The catalogue schema needs only the code.
    assert read_all(no_name, schema=CATALOGUE_SCHEMA)[0].columns == {"code": "HS코드"}


def test_duplicate_columns_and_overrides(tmp_path: Path) -> None:
    rows = [
        ["HS코드", "세번", "품목명", "관리 코드 (내부)"],
        ["8471.30", "8471300000", "컴퓨터", "X1"],
    ]
    path = save_rows(tmp_path / "dup.xlsx", rows)
    error = expect_error('columns "HS코드" and "세번" both map to code', lambda: read_all(path))
    assert "--column code=" in str(error)

    table, parsed = read_all(path, overrides={"code": "세번"})
    assert table.columns["code"] == "세번"
    assert table.unmapped == ["HS코드", "관리 코드 (내부)"]
    assert parsed[0].values["code"] == "8471300000"

    table, _ = read_all(path, overrides={"code": "hs 코드", "serial": "관리코드(내부)"})
    assert table.columns == {
        "serial": "관리 코드 (내부)",
        "code": "HS코드",
        "description": "품목명",
    }

    error = expect_error(
        '--column code="HS" names no header', lambda: read_all(path, overrides={"code": "HS"})
    )
    assert '"HS코드", "세번"' in str(error)
    expect_error('unknown field "hs"', lambda: read_all(path, overrides={"hs": "HS코드"}))


def test_override_finds_an_unknown_header(tmp_path: Path) -> None:
    path = save_rows(
        tmp_path / "odd.xlsx", [["title"], ["관리번호", "물품명"], ["8471.30", "컴퓨터"]]
    )
    expect_error("no sheet has a header row", lambda: read_all(path))
    table, rows = read_all(path, overrides={"code": "관리번호", "description": "물품명"})
    assert table.header_row == 2
    assert rows[0].values["description"] == "컴퓨터"


def test_repeated_header_rows_are_skipped(tmp_path: Path) -> None:
    rows = [["HS코드", "품목명"], ["8471.30", "a"], ["HS코드", "품목명"], ["8471.41", "b"]]
    table, parsed = read_all(save_rows(tmp_path / "pages.xlsx", rows))
    assert [row.values["code"] for row in parsed] == ["8471.30", "8471.41"]
    assert list(map(str, table.notes)) == ['sheet "목록": 1 repeated header row skipped']


def test_code_row_starting_with_a_marker_is_data(tmp_path: Path) -> None:
    rows = [
        ["비고", "HS코드", "품목명"],
        ["* 신규", "8471.30", "a"],
        ["※ 신규 품목은 2024.6. 추가"],
    ]
    _, parsed = read_all(save_rows(tmp_path / "marker.xlsx", rows))
    assert [row.values["note"] for row in parsed] == ["* 신규"]


# --- formulas -------------------------------------------------------------------------


def formula_book(path: Path) -> Path:
    rows = [["연번", "HS코드", "품목명", "계산"], ["=ROW()-1", "8471.30", "a", "=1+1"]]
    return save_rows(path, rows)


def test_formulas_with_cached_values(tmp_path: Path) -> None:
    path = formula_book(tmp_path / "cached.xlsx")
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("<f>ROW()-1</f><v />", "<f>ROW()-1</f><v>1</v>").replace(
            "<f>1+1</f><v />", "<f>1+1</f><v>2</v>"
        ),
    )
    for reader in ("openpyxl", "calamine"):
        table, rows = read_all(path, reader=reader)
        assert rows[0].values["serial"] == "1"
        assert 'sheet "목록": 2 formula cells read from their cached values' in map(
            str, table.notes
        )


def test_formula_without_cached_value_in_a_mapped_column(tmp_path: Path) -> None:
    path = formula_book(tmp_path / "uncached.xlsx")
    error = expect_error("formula with no cached value", lambda: read_all(path))
    assert (error.file, error.sheet, error.row, error.column) == (
        "uncached.xlsx",
        "목록",
        2,
        "연번",
    )
    assert "paste values" in str(error)


def test_formula_without_cached_value_elsewhere_is_noted(tmp_path: Path) -> None:
    path = formula_book(tmp_path / "elsewhere.xlsx")
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("<f>ROW()-1</f><v />", "<f>ROW()-1</f><v>1</v>"),
    )
    table, _ = read_all(path)
    assert list(map(str, table.notes)) == [
        'sheet "목록": 1 formula cell read from its cached value',
        'sheet "목록": 1 formula cell outside the mapped columns has no cached value '
        "and was read as blank",
    ]


# --- CSV ------------------------------------------------------------------------------

CSV_TEXT = (
    f'{TITLE}\n연번,HS코드,품목명,비고\n1,8471.30,컴퓨터,\n\n2,0101.21,"말,\n번식용",ex\n※ 참고\n'
)


@pytest.mark.parametrize(
    ("encoding", "given", "note"),
    [
        ("utf-8", None, None),
        ("utf-8-sig", None, None),
        ("utf-16", None, None),
        ("cp949", None, "not UTF-8; decoded as CP949"),
        ("euc-kr", "euc-kr", None),
        ("utf-8-sig", "utf-8", None),
    ],
)
def test_csv_encodings(tmp_path: Path, encoding: str, given: str | None, note: str | None) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    table, rows = read_all(path, encoding=given)
    assert (table.sheet, table.header_row) == (None, 2)
    assert table.columns["code"] == "HS코드"
    assert [(row.row, row.values["code"], row.values["description"]) for row in rows] == [
        (3, "8471.30", "컴퓨터"),
        (5, "0101.21", "말, 번식용"),
    ]
    assert rows[0].code == CodeCell("8471.30", None, None)
    assert any(note in str(each) for each in table.notes) if note else not table.notes[:-1]


def test_csv_semicolon_and_tab(tmp_path: Path) -> None:
    semi = tmp_path / "semi.csv"
    semi.write_text("HS Code;Description;Note\n8471.30;Computers, portable;\n", encoding="utf-8")
    table, rows = read_all(semi)
    assert rows[0].values["description"] == "Computers, portable"
    assert [note.to_json() for note in table.notes] == [
        {"rule": "csv-delimiter", "message": "fields separated by semicolon", "sheet": None}
    ]

    tab = tmp_path / "tab.txt"
    tab.write_text("SKU\tHS코드\n A-1 \t847130\n", encoding="utf-8")
    _, rows = read_all(tab, schema=CATALOGUE_SCHEMA)
    assert rows[0].values == {
        "sku": "A-1",
        "description": None,
        "code": "847130",
        "classification": None,
        "cas": None,
    }
    assert sniff_delimiter("a|b|c\n1|2|3\n") == "|"


def test_csv_undecodable(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"HS,name\n8471,ok\n8472,\xff\xfe\xff\n")
    error = expect_error("cannot be decoded as UTF-8, CP949", lambda: read_all(path))
    assert (error.file, error.row) == ("bad.csv", 3)
    # Both encodings just failed: neither is offered again.
    assert "do not look like UTF-8, UTF-16 or CP949" in str(error)
    assert "--encoding cp949" not in str(error) and "--encoding utf-8" not in str(error)

    korean = tmp_path / "korean.csv"
    korean.write_bytes("HS코드,품목명\n8471,컴퓨터\n".encode("cp949"))
    error = expect_error("cannot be decoded as UTF-8", lambda: read_all(korean, encoding="utf-8"))
    assert error.row == 1 and "the bytes look like CP949: try --encoding cp949" in str(error)

    # A UTF-8 file given as cp949: the advice names UTF-8, never cp949 again.
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes("HS코드,품목명\n8471,컴퓨터 본체\n".encode())
    error = expect_error("cannot be decoded as CP949", lambda: read_all(utf8, encoding="cp949"))
    assert str(error).endswith("the bytes look like UTF-8: try --encoding utf-8")
    # UTF-16 without a BOM given as utf-8 (its NULs decode, its Hangul does not).
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("HS코드\t품목명\n8471\t컴퓨터\n".encode("utf-16-le"))
    error = expect_error("cannot be decoded as UTF-8", lambda: read_all(utf16, encoding="utf-8"))
    assert str(error).endswith("the bytes look like UTF-16: try --encoding utf-16")
    expect_error('unknown encoding "klingon"', lambda: read_all(korean, encoding="klingon"))
    expect_error("has no sheets", lambda: read_all(korean, sheet="목록"))


# --- hostile files --------------------------------------------------------------------


def test_missing_empty_and_unsupported(tmp_path: Path) -> None:
    error = expect_error("file not found", lambda: read_all(tmp_path / "nope.xlsx"))
    assert error.file is not None and error.file.endswith("nope.xlsx")
    for name in ("empty.xlsx", "empty.csv"):
        (tmp_path / name).touch()
        assert (
            expect_error(r"is empty \(0 bytes\)", lambda n=name: read_all(tmp_path / n)).file
            == name
        )
    (tmp_path / "list.pdf").write_bytes(b"%PDF-1.7")
    expect_error("cannot be read as PDF", lambda: read_all(tmp_path / "list.pdf"))
    (tmp_path / "list.docx").write_bytes(b"PK\x03\x04")
    expect_error("unsupported file type", lambda: read_all(tmp_path / "list.docx"))


def test_not_a_zip_and_truncated(tmp_path: Path) -> None:
    text = tmp_path / "text.xlsx"
    text.write_text("hello, world", encoding="utf-8")
    expect_error("not a zip archive", lambda: read_all(text))

    good = messy_list(tmp_path / "good.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    error = expect_error("damaged or truncated", lambda: read_all(cut))
    assert error.file == "cut.xlsx"

    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    expect_error("a zip archive but not a .xlsx workbook", lambda: read_all(other))

    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(good)
    expect_error("is an Excel workbook, not CSV text", lambda: read_all(renamed))


def test_damaged_part_inside_a_valid_zip(tmp_path: Path) -> None:
    path = messy_list(tmp_path / "broken.xlsx")
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    for reader in ("openpyxl", "calamine"):
        with pytest.raises(InputError, match="broken.xlsx") as caught:
            read_all(path, reader=reader)
        assert "\n" not in str(caught.value)


def ole2(marker: bytes = b"") -> bytes:
    """Enough of an OLE2 compound file for the checks: magic, padding, a name."""
    return guard.OLE2_MAGIC + bytes(504) + marker + bytes(1024)


def test_password_protected_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(ole2("EncryptedPackage".encode("utf-16-le")))
    error = expect_error("is password-protected; save an unprotected copy", lambda: read_all(path))
    assert str(error) == "secret.xlsx: is password-protected; save an unprotected copy"


def test_legacy_xls_named_xlsx_and_corrupt_xls_and_ods(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.xlsx"
    legacy.write_bytes(ole2())
    expect_error(r"Excel 97-2003 \(.xls\) workbook named .xlsx", lambda: read_all(legacy))

    corrupt_xls = tmp_path / "corrupt.xls"
    corrupt_xls.write_bytes(ole2())
    error = expect_error("cannot be read as a workbook", lambda: read_all(corrupt_xls))
    assert error.file == "corrupt.xls"
    garbage_xls = tmp_path / "garbage.xls"
    garbage_xls.write_bytes(b"\x00\x01garbage" * 100)
    expect_error("not an Excel 97-2003", lambda: read_all(garbage_xls))

    html = tmp_path / "download.xls"
    html.write_text("<html><table><tr><td>HS</td></tr></table></html>", encoding="utf-8")
    expect_error("HTML or XML text", lambda: read_all(html))

    corrupt_ods = tmp_path / "corrupt.ods"
    with zipfile.ZipFile(corrupt_ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content")
    expect_error("corrupt.ods", lambda: read_all(corrupt_ods))


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    "<office:document-content"
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="목록">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>{title}</text:p>'
    "</table:table-cell></table:table-row>"
    "<table:table-row>"
    '<table:table-cell office:value-type="string"><text:p>HS부호</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>품명</text:p></table:table-cell>'
    "</table:table-row>"
    "<table:table-row>"
    '<table:table-cell office:value-type="float" office:value="847130"><text:p>847130</text:p>'
    "</table:table-cell>"
    '<table:table-cell office:value-type="string"><text:p>컴퓨터</text:p></table:table-cell>'
    "</table:table-row>"
    "</table:table></office:spreadsheet></office:body></office:document-content>"
)


def test_valid_ods(tmp_path: Path) -> None:
    path = tmp_path / "list.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr("content.xml", ODS_CONTENT.format(title=TITLE))
    table, rows = read_all(path)
    assert (table.sheet, table.header_row, table.columns["code"]) == ("목록", 2, "HS부호")
    # The format of zeros that shows the number as the file shows it (issue 19).
    assert rows[0].code == CodeCell("847130", 847130, "000000")
    assert list_sheets(path) == ["목록"]


def test_ods_number_formats_come_from_the_text_each_number_shows(tmp_path: Path) -> None:
    """Rows and cells repeated, merged cells covered, another sheet first: the code
    column's numbers get the format that shows them as the file does (issue 19)."""

    def cell(value: float, shown: str, attrs: str = "") -> str:
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}"{attrs}>'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )

    text = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    other = f"<table:table-row>{cell(1, '1') * 3}</table:table-row>"
    twice = ' table:number-columns-repeated="2"'
    rows = [
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>',
        f'<table:table-row><table:table-cell table:number-columns-repeated="2"/>{text}'
        "</table:table-row>",
        f"<table:table-row>{text}<table:covered-table-cell/>{cell(10121, '010121')}"
        "</table:table-row>",
        f'<table:table-row table:number-rows-repeated="2">{text * 2}{cell(101.21, "0101.21")}'
        "</table:table-row>",
        f"<table:table-row>{text * 2}{cell(8471.3, '8471.3')}</table:table-row>",
        f"<table:table-row>{text * 2}{cell(8471, '8,471')}</table:table-row>",
        f"<table:table-row>{text * 2}{cell(8471, '8472')}</table:table-row>",
        f"<table:table-row>{text}{cell(847130, '847130', twice)}</table:table-row>",
    ]
    path = tmp_path / "catalogue.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "content.xml",
            ODS_CONTENT.split("<office:body>")[0]
            + '<office:body><office:spreadsheet><table:table table:name="표지">'
            + other
            + '</table:table><table:table table:name="목록">'
            + "".join(rows)
            + "</table:table></office:spreadsheet></office:body></office:document-content>",
        )
    found = ods_column_formats(path, "목록", 2)
    assert found is not None
    assert found.by_row == {4: "000000", 5: "0000.00", 6: "0000.00", 7: "0000.0", 10: "000000"}
    assert found.get(8) == found.get(9) == "General"
    assert ods_column_formats(path, "없음", 2) == xlsx.ColumnFormats("General", {})
    assert ods_column_formats(tmp_path / "missing.ods", "목록", 2) is None


def test_zip_bomb_is_refused_before_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = messy_list(tmp_path / "bomb.xlsx")
    error = expect_error(
        "possible zip bomb", lambda: read_all(path, limits=Limits(max_unpacked_bytes=1000))
    )
    assert "more than the 1,000 bytes allowed (max_unpacked_bytes)" in str(error)
    assert "exportctl --limit max_unpacked_bytes=N" in str(error)

    monkeypatch.setattr(guard, "RATIO_FLOOR", 1000)
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml + " " * 100_000)
    error = expect_error(
        "a ratio of .* possible zip bomb", lambda: read_all(path, limits=Limits(max_ratio=50))
    )
    assert "xl/worksheets/sheet1.xml" in str(error)
    read_all(path)  # within the default ratio


def before_root(xml: str, text: str) -> str:
    """Insert ``text`` after the XML declaration, if any, before the root element."""
    if xml.startswith("<?xml"):
        end = xml.index("?>") + 2
        return xml[:end] + text + xml[end:]
    return text + xml


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    path = messy_list(tmp_path / "entities.xlsx")
    doctype = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: before_root(xml, doctype))
    error = expect_error("declares XML entities", lambda: read_all(path))
    assert error.file == "entities.xlsx"

    # A tag inside a comment is no root element: the DOCTYPE after it is still found.
    hidden = messy_list(tmp_path / "hidden.xlsx")
    fake = "<!-- <worksheet> -->" + doctype
    rewrite_part(hidden, "xl/worksheets/sheet1.xml", lambda xml: before_root(xml, fake))
    expect_error("declares XML entities", lambda: read_all(hidden))

    padded = messy_list(tmp_path / "padded.xlsx")
    comment = "<!--" + "x" * (DEFAULTS.max_prolog_bytes + 10) + "-->"
    rewrite_part(padded, "xl/workbook.xml", lambda xml: before_root(xml, comment))
    error = expect_error("no XML element in its first", lambda: read_all(padded))
    assert "(max_prolog_bytes)" in str(error)


# --- streaming, progress, hashing -----------------------------------------------------


def test_progress_and_laziness(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("SKU,제품명,HS코드\n")
        for number in range(2500):
            handle.write(f"S{number},제품,847130\n")
    calls: list[int] = []
    table = read_table(path, CATALOGUE_SCHEMA, progress=calls.append)
    assert isinstance(table.rows, types.GeneratorType)
    assert calls == []
    assert sum(1 for _ in table.rows) == 2500
    assert calls == [1000, 2000, 2500]


@pytest.mark.parametrize("reader", ["openpyxl", "calamine"])
def test_rows_of_an_unread_table_release_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    """Each way a table ends closes its workbook once: rows read to the end (the
    rows' ``finally``), rows begun and dropped, rows never begun and dropped (the
    table's finaliser). A fake close counts the books actually released."""
    import gc

    from exportctl.readers import xlsx

    released: list[str] = []
    for cls in (xlsx.OpenpyxlBook, xlsx.CalamineBook):
        real = cls.close

        def close(self: Any, real: Callable[[Any], None] = real) -> None:
            if self._book is not None:
                released.append(self.engine)
            real(self)

        monkeypatch.setattr(cls, "close", close)
    path = messy_list(tmp_path / "list.xlsx")

    table = read_table(path, LIST_SCHEMA, reader=reader)
    rows = list(table.rows)
    assert rows and released == [reader]  # released at the last row, the table still alive
    del table

    table = read_table(path, LIST_SCHEMA, reader=reader)
    next(table.rows)
    assert released == [reader]
    del table
    gc.collect()
    assert released == [reader] * 2

    table = read_table(path, LIST_SCHEMA, reader=reader)
    assert released == [reader] * 2
    del table
    gc.collect()
    assert released == [reader] * 3


def write_catalogue(path: Path, rows: int) -> Path:
    line = "SKU-0000000,노트북 컴퓨터 15인치,8471.30.0000\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("품번,제품명,HS코드\n")
        handle.writelines(line for _ in range(rows))
    return path


def peak_memory(path: Path) -> int:
    tracemalloc.start()
    try:
        table = read_table(path, CATALOGUE_SCHEMA)
        for _ in table.rows:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    # Both files are larger than the chunks the encoding check decodes.
    small = peak_memory(write_catalogue(tmp_path / "small.csv", 10_000))
    large = peak_memory(write_catalogue(tmp_path / "large.csv", 30_000))
    assert large < small + 512 * 1024, (small, large)


@pytest.mark.slow  # test_memory_does_not_grow_with_the_file reads the same way, smaller
def test_million_row_catalogue_streams(tmp_path: Path) -> None:
    path = write_catalogue(tmp_path / "big.csv", 1_000_000)
    table = read_table(path, CATALOGUE_SCHEMA)
    assert isinstance(table.rows, types.GeneratorType)
    (last,) = collections.deque(table.rows, maxlen=1)
    assert last.row == 1_000_001
    assert last.values == {
        "sku": "SKU-0000000",
        "description": "노트북 컴퓨터 15인치",
        "code": "8471.30.0000",
        "classification": None,
        "cas": None,
    }


def test_sha256_file(tmp_path: Path) -> None:
    path = messy_list(tmp_path / "list.xlsx")
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    expect_error("file not found", lambda: sha256_file(tmp_path / "missing.xlsx"))


def test_list_sheets_of_csv_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"HS,name\n")
    assert list_sheets(path) == []


# --- the real Korea Customs master ----------------------------------------------------


@pytest.mark.skipif(not HSK_MASTER.is_file(), reason=f"shared data not found at {HSK_MASTER}")
def test_korea_customs_hsk_master() -> None:
    sheets = list_sheets(HSK_MASTER)
    assert len(sheets) == 3
    counts = []
    for sheet in sheets:
        table = read_table(HSK_MASTER, LIST_SCHEMA, sheet=sheet)
        assert table.header_row == 1
        assert table.columns == {
            "code": "HS부호",
            "description": "한글품목명",
            "description_en": "영문품목명",
        }
        assert len(table.unmapped) == 17
        assert "HS부호내용" in table.unmapped
        rows = list(table.rows)
        counts.append(len(rows))
        assert rows[0].values["code"] == "0101211000"
        assert rows[0].code == CodeCell("0101211000", None, None)
    assert counts == [12467, 12422, 12422]
    # One revision per sheet: without a sheet, which is meant cannot be told.
    with pytest.raises(RefusedError, match="3 sheets each hold a control list"):
        read_table(HSK_MASTER, LIST_SCHEMA)


# --- fast paths give what the slow paths give (issue 6) --------------------------------

MESSY_CELLS = [
    "",
    " ",
    "\u3000",
    "#N/A",
    " #REF! ",
    "8471.30",
    " 8471.30 ",
    "８４５８．１１",
    "8471.30\u3000",
    "말\n(번식용)",
    " Horses ",
    "two  spaces",
    "tab\there",
    "nbsp\u00a0here",
    "zero\u200bwidth",
    "자동자료처리기계",
    "산업용 펌프 module",
    "ＡＢＣ 제품",
    "※ HS코드는 관세청 HSK 기준임",
    "line\r\nbreak",
    "\x1cfile sep",
    "ex 8471.30",
]


@pytest.mark.parametrize("text", MESSY_CELLS)
def test_cell_text_fast_path_matches_full_cleaning(text: str) -> None:
    from exportctl.readers.cells import ERROR_VALUES, cell_text, clean_text

    stripped = text.strip()
    slow = None if not stripped or stripped in ERROR_VALUES else clean_text(stripped)
    assert cell_text(text) == slow


def _footnote_reference(row: Any, code: str | None, code_index: int, first_column: int) -> bool:
    """The footnote test as first written: every cell converted, then the rules."""
    from exportctl.readers.cells import cell_text
    from exportctl.readers.layout import _FOOTNOTE_START, FOOTNOTE_MIN_LENGTH

    first: tuple[int, str] | None = None
    count = 0
    for index, value in enumerate(row.values):
        text = cell_text(value)
        if text is None:
            continue
        count += 1
        if first is None:
            first = (index, text)
    if first is None:
        return False
    index, text = first
    if code is not None and index != code_index:
        return False
    if _FOOTNOTE_START.match(text):
        return True
    letters = sum(char.isalpha() for char in text)
    return (
        count == 1 and index <= first_column and len(text) >= FOOTNOTE_MIN_LENGTH and letters >= 5
    )


def test_footnote_early_exit_matches_the_full_scan() -> None:
    from exportctl.readers.layout import _is_footnote
    from exportctl.readers.rows import RawRow

    shapes: list[list[Any]] = [
        ["※ HS코드는 관세청 HSK 기준임"],
        ["주: ex는 해당 세번의 일부 품목만 해당"],
        ["위 품목에 대하여는 수출 전에 상황허가를 받아야 함"],
        ["위 품목에 대하여는 수출 전에 상황허가를 받아야 함", None, "x"],
        [None, "위 품목에 대하여는 수출 전에 상황허가를 받아야 함"],
        ["", " ", "* marked code", "8471.30"],
        [1, "밸브", "Valves", "8481.80"],
        [None, None, "8481.80"],
        [None, None, "※ 8481.80"],
        ["short", None],
        ["12345678901234567890"],
        [],
    ]
    for values in shapes:
        row = RawRow(7, values)
        for code in (None, "8481.80"):
            for code_index in (0, 2, 3):
                for first_column in (0, 1):
                    args = (row, code, code_index, first_column)
                    assert _is_footnote(*args) == _footnote_reference(*args), args


def test_code_cells_of_text_match_code_cell(tmp_path: Path) -> None:
    """The reader builds text code cells inline; they equal ``code_cell``'s."""
    from exportctl.readers.cells import code_cell

    raws = [" 8471.30 ", "\u30008471.30", "８４５８．１１", "84.7x", "8471.30.1000", "ex 8471"]
    path = tmp_path / "codes.csv"
    path.write_text("SKU,HS코드\n" + "".join(f"A{n},{raw}\n" for n, raw in enumerate(raws)))
    rows = list(read_table(path, CATALOGUE_SCHEMA).rows)
    assert [row.code for row in rows] == [code_cell(raw, None) for raw in raws]


def _everything(result: tuple[Table, list[ParsedRow]]) -> list[Any]:
    table, rows = result
    return [table.header_row, table.columns, table.unmapped, list(map(str, table.notes)), rows]


def test_auto_reads_formats_like_openpyxl(tmp_path: Path) -> None:
    """python-calamine plus the code column's formats from the XML equals openpyxl."""
    path = messy_list(tmp_path / "list.xlsx")
    assert _everything(read_all(path)) == _everything(read_all(path, reader="openpyxl"))
    broken = formula_book(tmp_path / "formulas.xlsx")
    quick = expect_error("no cached value", lambda: read_all(broken))
    slow = expect_error("no cached value", lambda: read_all(broken, reader="openpyxl"))
    assert str(quick) == str(slow)


def test_column_formats_match_openpyxl(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows: list[list[Any]] = [["HS코드", "비고"]]
    formats = ["General", "0000.00", "000000", "@", "0000.00.0000", "#,##0", "0.00", "[Red]0"]
    rows += [[(10121 + n, fmt), n] for n, fmt in enumerate(formats)]
    path = save_rows(tmp_path / "formats.xlsx", rows)
    found = xlsx.column_formats(path, "xl/worksheets/sheet1.xml", 0)
    assert found is not None
    sheet = load_workbook(path, read_only=True).active
    expected = {
        cells[0].row: cells[0].number_format
        for cells in sheet.iter_rows()  # type: ignore[union-attr]
    }
    assert {row: found.get(row) for row in expected} == expected


def test_cells_without_references_fall_back_to_openpyxl(tmp_path: Path) -> None:
    import re

    path = messy_list(tmp_path / "list.xlsx")
    rewrite_part(
        path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(r'(<c) r="[A-Z]+\d+"', r"\1", xml)
    )
    assert xlsx.column_formats(path, "xl/worksheets/sheet1.xml", 3) is None
    assert _everything(read_all(path)) == _everything(read_all(path, reader="openpyxl"))


def test_column_formats_with_reference_after_style(tmp_path: Path) -> None:
    """Cells written ``<c s=… r=…>`` take the general scan and give the same formats."""
    import re

    path = messy_list(tmp_path / "list.xlsx")
    fast = xlsx.column_formats(path, "xl/worksheets/sheet1.xml", 3)
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<c r="([A-Z]+\d+)"((?: [a-z]+="[^"]*")*)', r'<c\2 r="\1"', xml),
    )
    with zipfile.ZipFile(path) as archive:
        data = archive.read("xl/worksheets/sheet1.xml")
    assert b'<c r="' not in data and b' r="D6"' in data
    assert xlsx.column_formats(path, "xl/worksheets/sheet1.xml", 3) == fast
    assert fast is not None and fast.by_row == {6: "0000.00", 8: "000000"}
