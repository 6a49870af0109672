"""Guards against an officer's ordinary slips: each is refused or said, never read wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import simple_rows, write_list_sheet, write_list_workbook
from openpyxl import Workbook

from exportctl.errors import InputError, RefusedError
from exportctl.readers import CATALOGUE_SCHEMA, LIST_SCHEMA, list_sheets, read_table
from exportctl.readers.xlsx import Engine

ENGINES: tuple[Engine, ...] = ("auto", "openpyxl", "calamine")

# --- Excel's lock file ----------------------------------------------------------------


def test_excel_lock_file_is_named_as_such(tmp_path: Path) -> None:
    lock = tmp_path / "~$list.xlsx"
    # What Excel writes: the user's name, length-prefixed, padded to 165 bytes.
    lock.write_bytes((b"\x05kim.j" + b" " * 48 + b"\x05\x00k\x00i\x00m\x00").ljust(165, b"\x00"))
    for call in (lambda: read_table(lock, LIST_SCHEMA), lambda: list_sheets(lock)):
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.file == "~$list.xlsx"
        assert str(caught.value) == (
            '~$list.xlsx: is Excel\'s lock file for the open workbook "list.xlsx", not a '
            "workbook; give list.xlsx itself (close it in Excel first if it will not open)"
        )
        assert caught.value.exit_code == 2


# --- several sheets that hold a table -------------------------------------------------


def two_lists(path: Path) -> Path:
    """A notice's workbook: a cover sheet, then two annexes laid out alike."""
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "표지"
    cover["A1"] = "전략물자 수출입고시 별표"
    write_list_sheet(wb.create_sheet("별표2"), simple_rows(["8471.30", "8471.41"]))
    notes = wb.create_sheet("비고")
    notes.append(["구분", "설명"])
    notes.append(["일반산업용 물품", "상황허가 대상"])
    write_list_sheet(wb.create_sheet("별표2의2"), simple_rows(["8458.11"]), two_row_header=False)
    wb.save(path)
    return path


@pytest.mark.parametrize("reader", ENGINES)
def test_two_list_sheets_without_sheet_are_refused(tmp_path: Path, reader: Engine) -> None:
    path = two_lists(tmp_path / "list.xlsx")
    with pytest.raises(RefusedError) as caught:
        read_table(path, LIST_SCHEMA, reader=reader)
    assert str(caught.value) == (
        'list.xlsx: 2 sheets each hold a control list: "별표2" (header in row 5), '
        '"별표2의2" (header in row 4); which one is meant cannot be told, so choose one '
        "with --sheet NAME"
    )
    assert caught.value.exit_code == 1


@pytest.mark.parametrize("reader", ENGINES)
def test_naming_the_sheet_reads_it(tmp_path: Path, reader: Engine) -> None:
    path = two_lists(tmp_path / "list.xlsx")
    for sheet, codes in (("별표2", ["8471.30", "8471.41"]), ("별표2의2", ["8458.11"])):
        table = read_table(path, LIST_SCHEMA, sheet=sheet, reader=reader)
        assert table.sheet == sheet
        assert [row.values["code"] for row in table.rows] == codes


def test_cover_sheet_and_one_list_sheet_still_read(tmp_path: Path) -> None:
    path = write_list_workbook(
        tmp_path / "list.xlsx", simple_rows(["8471.30"]), sheet="별표", cover=True
    )
    wb_path = tmp_path / "with_notes.xlsx"
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "별표"
    write_list_sheet(first, simple_rows(["8471.30"]))
    # A sheet that names an HS code column but not the description is not a second list.
    wb.create_sheet("참고").append(["HS코드", "개정 사유"])
    wb.save(wb_path)
    for each in (path, wb_path):
        table = read_table(each, LIST_SCHEMA)
        assert table.sheet == "별표"
        assert [row.values["code"] for row in table.rows] == ["8471.30"]


def catalogue_sheet(wb: Workbook, title: str, sku: str = "품번") -> None:
    ws = wb.create_sheet(title)
    ws.append(["제품 목록 (2024년 6월)"])
    ws.append([sku, "품명", "HS코드"])
    ws.append(["A-100", "노트북 컴퓨터", "8471.30"])
    ws.append(["B-200", "선반", "8458.11"])


def catalogue_workbook(path: Path, *titles: str, sku: str = "품번") -> Path:
    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    for title in titles:
        catalogue_sheet(wb, title, sku)
    wb.save(path)
    return path


@pytest.mark.parametrize("reader", ENGINES)
def test_two_catalogue_sheets_are_refused_for_screening(tmp_path: Path, reader: Engine) -> None:
    path = catalogue_workbook(tmp_path / "catalogue.xlsx", "국내", "해외")
    with pytest.raises(RefusedError) as caught:
        read_table(path, CATALOGUE_SCHEMA, reader=reader)
    assert str(caught.value) == (
        'catalogue.xlsx: 2 sheets each hold a product catalogue: "국내" (header in row 2), '
        '"해외" (header in row 2); which one is meant cannot be told, so choose one with '
        "--sheet NAME"
    )
    table = read_table(path, CATALOGUE_SCHEMA, sheet="해외", reader=reader)
    assert [row.values["sku"] for row in table.rows] == ["A-100", "B-200"]


# --- a catalogue given to import ------------------------------------------------------


@pytest.mark.parametrize("sku", ["품번", "SKU", "제품코드", "자재코드", "Part number"])
def test_catalogue_read_as_a_list_is_refused(tmp_path: Path, sku: str) -> None:
    path = catalogue_workbook(tmp_path / "catalogue.xlsx", "제품목록", sku=sku)
    with pytest.raises(RefusedError) as caught:
        read_table(path, LIST_SCHEMA)
    assert str(caught.value) == (
        f'catalogue.xlsx, sheet "제품목록": this looks like a product catalogue (column '
        f'"{sku}"), not a control list; to screen it use: exportctl screen catalogue.xlsx '
        f"--list SLUG; if it really is a list, map its columns with --column "
        f'(e.g. --column note="{sku}")'
    )
    assert caught.value.exit_code == 1


def test_catalogue_read_as_a_catalogue_is_fine(tmp_path: Path) -> None:
    path = catalogue_workbook(tmp_path / "catalogue.xlsx", "제품목록")
    table = read_table(path, CATALOGUE_SCHEMA)
    assert table.columns == {"sku": "품번", "description": "품명", "code": "HS코드"}
    assert [row.values["code"] for row in table.rows] == ["8471.30", "8458.11"]


def test_catalogue_without_a_list_description_is_still_called_a_catalogue(
    tmp_path: Path,
) -> None:
    """SKU, 제품명, HS: not a list by its columns either; the catalogue is named first."""
    path = tmp_path / "products.csv"
    path.write_text("SKU,제품명,HS코드\nA-1,노트북,8471.30\n", encoding="utf-8")
    with pytest.raises(
        RefusedError, match=r'^products\.csv: this looks like a product catalogue \(column "SKU"\)'
    ):
        read_table(path, LIST_SCHEMA)


def test_a_list_with_a_sku_column_can_still_be_read(tmp_path: Path) -> None:
    path = catalogue_workbook(tmp_path / "catalogue.xlsx", "제품목록")
    allowed = read_table(path, LIST_SCHEMA, allow_catalogue=True)
    assert allowed.unmapped == ["품번"]
    mapped = read_table(path, LIST_SCHEMA, overrides={"note": "품번"})
    assert mapped.columns["note"] == "품번"
    assert [row.values["note"] for row in mapped.rows] == ["A-100", "B-200"]


# --- a header garbled by the wrong encoding -------------------------------------------

KOREAN_CSV = "연번,HS코드,품목명\n1,8471.30,컴퓨터\n"
NO_HEADER = "list.csv: no header row with an HS code column found in the first 30 rows"


def read_csv_error(tmp_path: Path, data: bytes, encoding: str | None) -> InputError:
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_table(path, LIST_SCHEMA, encoding=encoding)
    assert caught.value.file == "list.csv"
    return caught.value


def test_utf8_read_as_latin1_blames_the_encoding(tmp_path: Path) -> None:
    error = read_csv_error(tmp_path, KOREAN_CSV.encode("utf-8"), "latin-1")
    assert str(error) == (
        f"{NO_HEADER}; the text decoded with --encoding latin-1 looks garbled "
        '("ì\\x97°ë²\\x88" in row 1), so the '
        "encoding is the likely cause: omit --encoding to detect it, or try --encoding utf-8"
    )


@pytest.mark.parametrize("given", ["latin-1", "cp1252"])
def test_cp949_read_as_latin1_blames_the_encoding(tmp_path: Path, given: str) -> None:
    error = read_csv_error(tmp_path, KOREAN_CSV.encode("cp949"), given)
    assert str(error).startswith(f"{NO_HEADER}; the text decoded with --encoding {given} looks")
    assert '("¿¬¹ø" in row 1)' in str(error)
    assert str(error).endswith("omit --encoding to detect it, or try --encoding cp949")


def test_garbled_text_in_a_detected_encoding_is_said(tmp_path: Path) -> None:
    """A file saved already garbled: UTF-8 bytes of text once misread as Latin-1."""
    garbled = KOREAN_CSV.encode("utf-8").decode("latin-1")
    error = read_csv_error(tmp_path, garbled.encode("utf-8"), None)
    assert str(error).startswith(f'{NO_HEADER}; the text read as utf-8 looks garbled ("ì\\x97°')
    assert "pass the file's encoding with --encoding" in str(error)


def test_question_marks_in_place_of_letters_are_said(tmp_path: Path) -> None:
    error = read_csv_error(tmp_path, b"??,HS??,???\n1,8471.30,?????\n", None)
    assert str(error) == (
        f'{NO_HEADER}; the text has question marks in place of letters ("??" in row 1), so '
        "it was saved in an encoding without Korean letters: save it again from Excel as "
        '"CSV UTF-8"'
    )


@pytest.mark.parametrize("encoding", [None, "latin-1"])
def test_a_plain_missing_header_is_not_blamed_on_the_encoding(
    tmp_path: Path, encoding: str | None
) -> None:
    text = "Produkt,Beschreibung\nSchraubenmuttern für Maschinen,Café · 1°C\n"
    error = read_csv_error(tmp_path, text.encode("latin-1" if encoding else "utf-8"), encoding)
    assert str(error) == f"{NO_HEADER}; name it with --column code=HEADER"
