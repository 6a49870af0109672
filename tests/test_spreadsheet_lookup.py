"""Reports as an officer opens them in a spreadsheet (issue 21).

* In LibreOffice Calc (headless ``soffice``): the change report's codes keep their
  zeros, and a VLOOKUP and a MATCH of a code typed into another sheet find its row,
  in the XLSX and in the CSV imported with its columns as text (the decision is in
  :mod:`exportctl.reports.cells`). These skip when ``soffice`` is absent.
* XLSX print setup: landscape A4, fit to one page wide, at a scale of 60 % or more,
  computed from the column widths stored in the file.
* The screening PDF's row numbers never wrap.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import RunCli
from openpyxl.utils import get_column_letter
from pypdf import PdfReader
from test_screen import write_catalogue

from exportctl.hscode import Nomenclature
from exportctl.reports.workbook import MIN_PRINT_SCALE

SOFFICE = shutil.which("soffice")
needs_calc = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc)"
)


def _calc(source: Path, out: Path, to: str, *, text_columns: int = 0) -> Path:
    """``source`` opened and saved by LibreOffice Calc as ``to`` (formulas recalculated).

    ``text_columns``: a CSV is imported with that many columns as Text, as the Text
    Import dialog does when a person marks the code columns so.
    """
    assert SOFFICE is not None
    out.mkdir(parents=True, exist_ok=True)
    command = [SOFFICE, f"-env:UserInstallation=file://{out / 'profile'}", "--headless"]
    if text_columns:
        # CSV filter: comma, double quote, UTF-8 (76), from line 1, column N is Text (2).
        columns = "/".join(f"{n}/2" for n in range(1, text_columns + 1))
        command.append(f"--infilter=CSV:44,34,76,1,{columns}")
    command += ["--convert-to", to, "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    converted = out / f"{source.stem}.{to}"
    assert converted.exists(), command
    return converted


def _find(book: openpyxl.Workbook, header: str, value: str) -> tuple[str, int, int]:
    """(sheet, column, row) of the first cell ``value`` under ``header``."""
    for sheet in book.worksheets:
        heads = [cell.value for cell in sheet[1]]
        if header not in heads:
            continue
        column = heads.index(header) + 1
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row=row, column=column).value == value:
                return sheet.title, column, row
    raise AssertionError(f"{value!r} is not under {header!r}")


def _look_up(workbook: Path, out: Path, typed: str, header: str, answer: str) -> list[str]:
    """VLOOKUP and MATCH of ``typed`` (a text cell, as typed) in the ``header`` column,
    VLOOKUP giving the ``answer`` column; recalculated by Calc, read from its CSV."""
    book = openpyxl.load_workbook(workbook)
    sheet_name, column, _row = _find(book, header, typed)
    sheet = book[sheet_name]
    heads = [cell.value for cell in sheet[1]]
    offset = heads.index(answer) + 1 - column + 1
    first, last = get_column_letter(column), get_column_letter(len(heads))
    look = book.create_sheet("Lookup", 0)  # Calc writes the first sheet as CSV
    look["A1"] = typed
    data = f"'{sheet_name}'!${first}$1:${last}$1048576"
    look["B1"] = f'=IFERROR(VLOOKUP(A1,{data},{offset},0),"not found")'
    look["C1"] = f"=IFERROR(MATCH(A1,'{sheet_name}'!${first}:${first},0),\"not found\")"
    probe = out / "lookup.xlsx"
    book.save(probe)
    result = _calc(probe, out / "calc", "csv")
    with result.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _changes(run_cli: RunCli, db: str, path: Path) -> Path:
    # 2024-07 drops 0101.21, the first code of the nomenclature: a leading zero.
    run_cli(
        "--lang",
        "en",
        "diff",
        "2024-06",
        "2024-07",
        "--list",
        "kr-russia",
        "-o",
        path,
        db=db,
        ok=True,
    )
    return path


@needs_calc
def test_xlsx_codes_keep_zeros_and_typed_code_is_found(
    run_cli: RunCli, lists_db: str, tmp_path: Path
) -> None:
    report = _changes(run_cli, lists_db, tmp_path / "changes.xlsx")
    opened = _calc(report, tmp_path / "opened", "xlsx")  # as Calc opens and saves it
    _sheet, _column, row = _find(openpyxl.load_workbook(opened), "HS code", "0101.21")
    found = _look_up(opened, tmp_path, "0101.21", "HS code", "HS code (digits)")
    assert found == ["0101.21", "010121", str(row)]


@needs_calc
def test_csv_codes_keep_zeros_and_typed_code_is_found(
    run_cli: RunCli, lists_db: str, tmp_path: Path
) -> None:
    report = _changes(run_cli, lists_db, tmp_path / "changes.csv")
    with report.open(encoding="utf-8-sig", newline="") as handle:
        width = len(next(csv.reader(handle)))
    opened = _calc(report, tmp_path / "opened", "xlsx", text_columns=width)
    book = openpyxl.load_workbook(opened)
    _sheet, _column, row = _find(book, "HS code (digits)", "010121")  # zeros kept
    found = _look_up(opened, tmp_path, "0101.21", "HS code", "HS code (digits)")
    assert found == ["0101.21", "010121", str(row)]


# --------------------------------------------------------------------------- print setup


def _stored_widths(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[float]:
    found: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.max and dimension.width:
            for column in range(dimension.min, dimension.max + 1):
                found[column] = dimension.width
    return [found.get(column, 8.43) for column in range(1, sheet.max_column + 1)]


def _scale(sheet: openpyxl.worksheet.worksheet.Worksheet) -> float:
    """The scale a spreadsheet prints a fit-to-width sheet at: printable width over the
    columns' width (a stored width of w characters is 7·w pixels at 96 dpi)."""
    landscape = sheet.page_setup.orientation == "landscape"
    margins = sheet.page_margins
    printable = (297 if landscape else 210) - (margins.left + margins.right) * 25.4
    total = sum(width * 7 for width in _stored_widths(sheet)) * 25.4 / 96
    return min(1.0, printable / total)


def test_xlsx_reports_print_one_page_wide_at_a_readable_scale(
    run_cli: RunCli, lists_db: str, tmp_path: Path
) -> None:
    changes = _changes(run_cli, lists_db, tmp_path / "changes.xlsx")
    export = tmp_path / "export.xlsx"
    run_cli("export", "2024-06", "--list", "kr-russia", "-o", export, db=lists_db, ok=True)
    catalogue = write_catalogue(tmp_path / "products.xlsx", [("SKU-1", "제품", "0101.21")])
    screening = tmp_path / "screening.xlsx"
    run_cli(
        "screen",
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "-o",
        screening,
        db=lists_db,
    )
    checked = 0
    for path in (changes, export, screening):
        for sheet in openpyxl.load_workbook(path).worksheets:
            setup = sheet.page_setup
            assert setup.paperSize == 9, (path.name, sheet.title)  # A4
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, (path.name, sheet.title)
            assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
            if sheet.max_column > 2:  # the tables
                assert setup.orientation == "landscape", (path.name, sheet.title)
            assert _scale(sheet) >= MIN_PRINT_SCALE, (path.name, sheet.title, _scale(sheet))
            checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------- PDF rows


def test_screening_pdf_row_numbers_never_wrap(
    run_cli: RunCli, lists_db: str, tmp_path: Path
) -> None:
    listed = sorted(Nomenclature.load("2022").codes(6))[:5]
    # Ten thousand rows without a code, then listed codes: row numbers of six characters.
    rows = [(f"SKU-{i}", "부품", None) for i in range(10_050)]
    rows += [(f"SKU-X{i}", "통제 품목", code) for i, code in enumerate(listed)]
    catalogue = write_catalogue(tmp_path / "products.xlsx", rows)
    pdf = tmp_path / "screening.pdf"
    run_cli(
        "--lang",
        "ko",
        "screen",
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "--pdf-rows",
        "20",
        "-o",
        pdf,
        db=lists_db,
    )
    lines = [
        line for page in PdfReader(pdf).pages for line in (page.extract_text() or "").splitlines()
    ]
    numbers = [f"{n:,}" for n in range(10_052, 10_052 + len(listed))]
    for number in numbers:
        assert any(line.startswith(number) for line in lines), (number, lines[-40:])
