"""Sizes read by a parser, not a pattern: each spelling of a hostile file is refused.

The caps on what a workbook or document holds (:mod:`exportctl.limits`) are decided
by an XML parse, so quoting (``r='XFD1'``), spacing (``r = "XFD1"``), entities and
where an element sits (the ``<sst>`` tag after a long comment, nested in another)
cannot hide a size. Every file is a few kilobytes that declares or expands to
gigabytes; each is given to the real CLI in a subprocess capped at 2 GB of address
space (:func:`test_hostile_files.run_exportctl`), so a regression fails here instead
of taking the machine down. Genuine files whose declarations are large (LibreOffice's
``<dimension ref="A1:AMJ1048576">``, its padding rows) still import.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from builders import _ODS_MANIFEST as ODS_MANIFEST
from hwpx_builder import HP, HS, Table, _xml, write_hwpx
from test_hostile_files import (
    _DECL,
    _MAIN,
    HEADER_ROW,
    database_state,
    hostile_home,
    run_exportctl,
    sheet_xml,
    write_zip,
    xlsx,
)

from exportctl.errors import InputError
from exportctl.limits import DEFAULTS, Limits
from exportctl.readers.cellrefs import column_name
from exportctl.readers.guard import check_file
from exportctl.readers.prescan import Reach, UsedRange, exact_reach, fast_reach

_CELL = "t='inlineStr'><is><t>x</t></is></c>"


def _far(ref_attr: str, row_attr: str = "r='2'") -> str:
    """A sheet: the header row, then one row holding one cell spelled as given."""
    return sheet_xml(f"{HEADER_ROW}<row {row_attr}><c {ref_attr} {_CELL}</row>").replace(
        "<dimension", "<x"
    )


def _sst(start_tag: str, before: str = "") -> str:
    return f"{_DECL}{before}{start_tag}<si><t>HS코드</t></si></sst>"


_COUNT = "4000000000"
_SST_OPEN = f'<sst xmlns="{_MAIN}"'

XLSX_CASES: dict[str, tuple[str, str | None, str]] = {
    # name: (sheet XML, shared strings XML or None, the cap the refusal names)
    "cell in single quotes": (_far("r='XFD1048576'"), None, "max_columns"),
    "cell spaced": (_far('r = "XFD1048576"', 'r = "2"'), None, "max_columns"),
    "cell on new lines": (_far("\n\tr\n=\n'XFD7'", "r='7'"), None, "max_columns"),
    # Rows as Excel writes them, so only the cell's spelling is odd.
    "cell in single quotes, row in double": (
        sheet_xml(f"{HEADER_ROW}<row r=\"1048576\"><c r='XFD1048576'><v>1</v></c></row>"),
        None,
        "max_columns",
    ),
    "cell by entity": (_far('r="&#88;FD1"', 'r="1"'), None, "max_columns"),
    "row in single quotes": (
        sheet_xml(f"{HEADER_ROW}<row r='1048576'><c r='Z1048576'><v>1</v></c></row>"),
        None,
        "max_cells",
    ),
    "cells by position": (
        sheet_xml(HEADER_ROW + "<row r='1048576'>" + "<c><v>1</v></c>" * 30 + "</row>"),
        None,
        "max_cells",
    ),
    "one cell written again and again": (
        sheet_xml(HEADER_ROW + '<row r="2">' + '<c r="A2"><v>1</v></c>' * 16_385 + "</row>"),
        None,
        "max_row_cells",
    ),
    "cell behind a comment": (
        sheet_xml(f"{HEADER_ROW}<!-- x --><row r='2'><c r='XFD2'><v>1</v></c></row>"),
        None,
        "max_columns",
    ),
    "strings in single quotes": (
        sheet_xml(HEADER_ROW),
        _sst(f"{_SST_OPEN} count='{_COUNT}' uniqueCount='{_COUNT}'>"),
        "max_strings",
    ),
    "strings counted only": (
        sheet_xml(HEADER_ROW),
        _sst(f"{_SST_OPEN} count = '{_COUNT}'>"),
        "max_strings",
    ),
    "strings after a comment": (
        sheet_xml(HEADER_ROW),
        _sst(f'{_SST_OPEN} uniqueCount="{_COUNT}">', "<!-- <a> " + "x" * 70_000 + " -->"),
        "max_strings",
    ),
    "strings after an instruction": (
        sheet_xml(HEADER_ROW),
        _sst(f'{_SST_OPEN} uniqueCount="{_COUNT}">', "<?pad " + "x" * 70_000 + "?>"),
        "max_strings",
    ),
    "strings after spaces in the tag": (
        sheet_xml(HEADER_ROW),
        _sst(f"{_SST_OPEN}{' ' * 70_000}uniqueCount='{_COUNT}'>"),
        "max_strings",
    ),
    "strings in another element": (
        sheet_xml(HEADER_ROW),
        f'{_DECL}<x xmlns="{_MAIN}"><y/><sst uniqueCount="{_COUNT}"/></x>',
        "max_strings",
    ),
    "strings past the prolog budget": (
        sheet_xml(HEADER_ROW),
        _sst(
            f'{_SST_OPEN} uniqueCount="1">',
            "<!--" + "x" * (DEFAULTS.max_prolog_bytes + 10) + "-->",
        ),
        "max_prolog_bytes",
    ),
    "one string in 5,000 cells": (
        sheet_xml(
            "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 5001))
        ),
        f'{_DECL}{_SST_OPEN} count="5000" uniqueCount="1"><si><t>{"x" * 1024**2}</t></si></sst>',
        "max_text_bytes",
    ),
}


def _ods(path: Path, body: str) -> Path:
    """A one-table .ods whose table holds ``body`` (rows), as LibreOffice writes it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
            f'<office:spreadsheet><table:table table:name="목록">{body}</table:table>'
            "</office:spreadsheet></office:body></office:document-content>",
        )
    return path


_ODS_CELL = "<table:table-cell office:value-type='string'><text:p>x</text:p></table:table-cell>"
_ODS_HEADER = (
    "<table:table-row>"
    + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
        for text in ("연번", "HS코드", "품목명")
    )
    + "</table:table-row>"
)
_PADDING = (
    '<table:table-row table:number-rows-repeated="1048000">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)

_WIDE = "<table:table-cell table:number-columns-repeated='16384' "

ODS_CASES: dict[str, tuple[str, str]] = {
    "ods columns in single quotes": (
        _ODS_HEADER
        + "<table:table-row>"
        + _ODS_CELL.replace(
            "<table:table-cell ", "<table:table-cell table:number-columns-repeated='16384' "
        )
        + "</table:table-row>",
        "max_columns",
    ),
    "ods rows in single quotes": (
        _ODS_HEADER
        + f"<table:table-row table:number-rows-repeated = '1048575'>{_ODS_CELL * 30}"
        + "</table:table-row>",
        "max_cells",
    ),
    "ods formulas repeated": (
        _ODS_HEADER
        + "<table:table-row><table:table-cell table:formula='of:=1' "
        + "table:number-columns-repeated='16384'/></table:table-row>",
        "max_columns",
    ),
    "ods spaces written out": (
        _ODS_HEADER
        + "<table:table-row><table:table-cell office:value-type='string'><text:p>"
        + "<text:s text:c='2000000000'/></text:p></table:table-cell></table:table-row>",
        "max_text_bytes",
    ),
}


def _hwpx_near_ratio(path: Path, sections: int = 99, size: int = 10 * 1024**2 - 4096) -> Path:
    """An HWPX of ``sections`` sections, each just under the size a ratio is checked
    from, all of tiny cells: each part passes every per-part check, together 1 GB.

    One section is deflated once and written ``sections`` times, by hand.
    """
    cell = '<hp:tc><hp:cellAddr colAddr="0" rowAddr="0"/></hp:tc>'
    row = f"<hp:tr>{cell}</hp:tr>"
    head = f'<hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}"><hp:p><hp:run><hp:tbl>'
    tail = "</hp:tbl></hp:run></hp:p></hs:sec>"
    body = row * ((size - len(head) - len(tail)) // len(row))
    section = _xml(head + body + tail)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = packer.compress(section) + packer.flush()
    members = []
    for name, data in (
        ("mimetype", b"application/hwp+zip"),
        ("Contents/content.hpf", _package([f"section{n}" for n in range(sections)])),
    ):
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        members.append((name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    crc = zlib.crc32(section)
    for number in range(sections):
        members.append((f"Contents/section{number}.xml", deflated, crc, len(section)))
    return write_zip(path, members)


def _package(spine: list[str], items: int | None = None) -> bytes:
    """A ``content.hpf`` whose manifest has the sections and whose spine lists ``spine``."""
    count = items if items is not None else len(set(spine))
    listed = "".join(
        f'<opf:item id="section{n}" href="Contents/section{n}.xml" media-type="application/xml"/>'
        for n in range(count)
    )
    refs = "".join(f'<opf:itemref idref="{idref}" linear="yes"/>' for idref in spine)
    return _xml(
        '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"><opf:manifest>'
        f"{listed}</opf:manifest><opf:spine>{refs}</opf:spine></opf:package>"
    )


def _annex_rows() -> list[list[object]]:
    rows: list[list[object]] = [["연번", "HS코드", "품목명"]]
    return rows + [[str(n), f"8471.{n + 10}", f"품목 {n}"] for n in range(1, 6)]


def write_cases(folder: Path) -> dict[str, tuple[Path, str]]:
    """Every hostile file of this module, by case: its path and the cap it passes."""
    cases: dict[str, tuple[Path, str]] = {}
    for number, (case, (sheet, strings, cap)) in enumerate(XLSX_CASES.items()):
        cases[case] = (xlsx(folder / f"case{number}.xlsx", sheet, strings), cap)
    for number, (case, (body, cap)) in enumerate(ODS_CASES.items()):
        cases[case] = (_ods(folder / f"case{number}.ods", body), cap)
    cases["hwpx sections near the ratio"] = (
        _hwpx_near_ratio(folder / "near-ratio.hwpx"),
        "max_document_bytes",
    )
    # 300,000 references to one section: 6.6 MB, under the size a ratio is checked from.
    repeated = _package(["section0"]).replace(
        b'<opf:itemref idref="section0" linear="yes"/>', b'<opf:itemref idref="s"/>' * 300_000
    )
    cases["hwpx manifest repeating a section"] = (
        write_hwpx(
            folder / "repeated.hwpx",
            [Table(_annex_rows())],  # type: ignore[arg-type]
            replace={"Contents/content.hpf": repeated.replace(b'id="section0"', b'id="s"')},
        ),
        "max_members",
    )
    cases["hwpx of many sections"] = (
        write_hwpx(folder / "sections.hwpx", *[["x"]] * (DEFAULTS.max_sections + 1)),
        "max_sections",
    )
    return cases


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return write_cases(tmp_path_factory.mktemp("hostile-xml"))


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database holding list x with one approved version, and an empty config file."""
    return hostile_home(tmp_path_factory.mktemp("db"))


HWPX_CASES = (
    "hwpx sections near the ratio",
    "hwpx manifest repeating a section",
    "hwpx of many sections",
)
CLI_CASES = [
    (case, command) for case in [*XLSX_CASES, *ODS_CASES] for command in ("import", "screen")
] + [(case, "import") for case in HWPX_CASES]


@pytest.mark.parametrize(("case", "command"), CLI_CASES)
def test_each_spelling_is_refused_in_one_sentence(
    cases: dict[str, tuple[Path, str]], setup: tuple[Path, Path], case: str, command: str
) -> None:
    db, config = setup
    file, cap = cases[case]
    before = database_state(db)
    args = {
        "import": ("import", str(file), "--list", "x", "--version", "v"),
        "screen": ("screen", str(file), "--list", "x"),
    }[command]
    code, out, err, seconds = run_exportctl(*args, db=db, config=config)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err and "panicked" not in err, err[-2000:]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {file.name}"), lines
    assert f"({cap}); refused " in lines[0], lines[0]
    assert f"exportctl --limit {cap}=N" in lines[0], lines[0]
    assert seconds < 20, seconds
    assert out == ""
    assert database_state(db) == before


# --- genuine files whose declarations are large ------------------------------------------


def _libreoffice_xlsx(path: Path) -> Path:
    """A list as LibreOffice saves one where a whole column was formatted and a row
    was coloured to the sheet's edge: the sheet declares ``A1:AMJ1048576`` (1,024
    columns by a million rows), row 3 writes formatted empty cells to AMJ, the cells
    holding something fill A1:C6."""
    rows = [["연번", "HS코드", "품목명"]] + [
        [str(n), f"8471.{n + 29}", f"품목 {n}"] for n in range(1, 6)
    ]
    attrs = (
        'customFormat="false" ht="15" hidden="false" customHeight="false" outlineLevel="0" '
        'collapsed="false"'
    )
    coloured = "".join(f'<c r="{column_name(c)}3" s="1"/>' for c in range(4, 1025))
    body = "".join(
        f'<row r="{r}" {attrs}>'
        + "".join(
            f'<c r="{"ABC"[c]}{r}" s="0" t="inlineStr"><is><t>{value}</t></is></c>'
            for c, value in enumerate(values)
        )
        + (coloured if r == 3 else "")
        + "</row>"
        for r, values in enumerate(rows, start=1)
    )
    sheet = (
        f'{_DECL}<worksheet xmlns="{_MAIN}"><sheetPr filterMode="false"><pageSetUpPr '
        'fitToPage="false"/></sheetPr><dimension ref="A1:AMJ1048576"/><cols><col '
        'collapsed="false" customWidth="true" hidden="false" outlineLevel="0" max="1024" '
        f'min="1" style="1" width="13"/></cols><sheetData>{body}</sheetData></worksheet>'
    )
    return xlsx(path, sheet)


def test_a_declared_range_is_a_hint_not_a_refusal(tmp_path: Path, setup: tuple[Path, Path]) -> None:
    db, config = setup
    path = _libreoffice_xlsx(tmp_path / "libreoffice.xlsx")
    # Measured to its cells holding something; openpyxl reads no further.
    checked = check_file(path)
    assert checked.extents == {"Sheet1": (6, 3)}
    from exportctl.readers.xlsx import open_book

    book = open_book(checked, "openpyxl")
    try:
        assert [len(row.values) for row in book.rows("Sheet1")] == [3] * 6
    finally:
        book.close()
    args = ("import", str(path), "--list", "x", "--version", "lo", "--dry-run")
    code, _, err, _ = run_exportctl(*args, db=db, config=config)
    assert code == 0, err
    code, out, err, _ = run_exportctl("screen", str(path), "--list", "x", db=db, config=config)
    assert code in (0, 1), err
    assert "5 rows" in out, out
    # A cell holding something at AMJ is a used range of 1,024 columns.
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    held = xml.replace('<c r="AMJ3" s="1"/>', '<c r="AMJ3"><v>1</v></c>')
    with pytest.raises(InputError, match="has a cell at AMJ3, so its used range is 1,024 columns"):
        check_file(xlsx(tmp_path / "held.xlsx", held))


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc)",
)
def test_lists_saved_by_libreoffice_are_read(tmp_path: Path) -> None:
    """A list with a row coloured to the sheet's edge and a formatted column, saved by
    LibreOffice itself as .xlsx and as .ods."""
    import openpyxl
    from openpyxl.styles import PatternFill

    from exportctl.readers import LIST_SCHEMA, read_table

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in _annex_rows():
        sheet.append(row)
    fill = PatternFill("solid", fgColor="FFFF00")
    for column in range(1, 1025):
        sheet.cell(row=3, column=column).fill = fill
    sheet.column_dimensions["B"].fill = fill
    book.save(tmp_path / "list.xlsx")
    for target in ("ods", 'xlsx:"Calc MS Excel 2007 XML"'):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                "--headless",
                "--convert-to",
                target.replace('"', ""),
                "--outdir",
                str(tmp_path / "calc"),
                str(tmp_path / "list.xlsx"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    for suffix in ("ods", "xlsx"):
        table = read_table(tmp_path / "calc" / f"list.{suffix}", LIST_SCHEMA)
        assert [row.values["code"] for row in table.rows] == [
            f"8471.{n + 10}" for n in range(1, 6)
        ], suffix


def test_libreoffice_padding_of_an_ods_list_is_not_counted(
    tmp_path: Path, setup: tuple[Path, Path]
) -> None:
    db, config = setup
    rows = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
            for value in (str(n), f"8471.{n + 29}", f"품목 {n}")
        )
        + '<table:table-cell table:number-columns-repeated="1021"/></table:table-row>'
        for n in range(1, 6)
    )
    path = _ods(tmp_path / "padded.ods", _ODS_HEADER + rows + _PADDING)
    args = ("import", str(path), "--list", "x", "--version", "ods", "--dry-run")
    code, _, err, _ = run_exportctl(*args, db=db, config=config)
    assert code == 0, err


def test_a_manifest_repeating_a_section_reads_it_once(tmp_path: Path) -> None:
    from exportctl.readers import LIST_SCHEMA, read_table

    spine = ["section0"] * 5_000
    path = write_hwpx(
        tmp_path / "repeated.hwpx",
        [Table(_annex_rows())],  # type: ignore[arg-type]
        replace={"Contents/content.hpf": _package(spine)},
    )
    table = read_table(path, LIST_SCHEMA)
    assert [row.values["code"] for row in table.rows] == [f"8471.{n + 10}" for n in range(1, 6)]
    # The manifest's own bytes count, as they are read (it is 220 KB).
    with pytest.raises(InputError) as caught:
        read_table(path, LIST_SCHEMA, limits=Limits(max_document_bytes=100_000))
    assert str(caught.value).startswith(
        "repeated.hwpx: has more than 100,000 bytes of XML in its manifests and sections, "
        "more than the 100,000 bytes allowed (max_document_bytes); refused as soon as it "
        "passed the cap, while reading it"
    )


def test_cells_written_again_and_again_are_counted(tmp_path: Path) -> None:
    # 150 cells at one place: a range of one cell, but each is held until it is built.
    again = '<row r="2">' + '<c r="A2"><v>1</v></c>' * 150 + "</row>"
    path = xlsx(tmp_path / "again.xlsx", sheet_xml(HEADER_ROW + again))
    check_file(path, Limits(max_cells=160))
    with pytest.raises(InputError, match=r"writes more than 100 cells.*\(max_cells\)"):
        check_file(path, Limits(max_cells=100))


def test_any_document_type_declaration_is_refused(tmp_path: Path) -> None:
    # Without entities too: defusedxml's forbid_dtd, whatever the declaration holds.
    for declaration in ("<!DOCTYPE worksheet>", '<!DOCTYPE worksheet SYSTEM "http://x/y.dtd">'):
        sheet = sheet_xml(HEADER_ROW).replace("<worksheet ", declaration + "<worksheet ")
        path = xlsx(tmp_path / "doctype.xlsx", sheet)
        with pytest.raises(InputError, match="declares XML entities \\(DOCTYPE\\)"):
            check_file(path)


def test_the_cells_of_a_document_are_counted_as_they_are_read(tmp_path: Path) -> None:
    from exportctl.readers import LIST_SCHEMA, read_table

    path = write_hwpx(tmp_path / "annex.hwpx", [Table(_annex_rows())])  # type: ignore[arg-type]
    # One table and 18 cells are kept.
    read_table(path, LIST_SCHEMA, limits=Limits(max_document_cells=19, max_cells=18))
    with pytest.raises(InputError, match=r"more than 18 table cells.*\(max_document_cells\)"):
        read_table(path, LIST_SCHEMA, limits=Limits(max_document_cells=18))
    long = "가" * 101
    rows = [*_annex_rows(), ["6", "8471.16", long]]
    path = write_hwpx(tmp_path / "long.hwpx", [Table(rows)])  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"more than 100 characters.*\(max_cell_chars\)"):
        read_table(path, LIST_SCHEMA, limits=Limits(max_cell_chars=100))


def test_the_code_column_of_an_ods_row_of_many_cells_costs_no_memory(tmp_path: Path) -> None:
    import tracemalloc

    from exportctl.readers.ods import ods_column_formats

    number = (
        '<table:table-cell office:value-type="float" office:value="10121">'
        "<text:p>010121</text:p></table:table-cell>"
    )
    wide = "<table:table-row>" + '<table:table-cell table:style-name="ce1"/>' * 100_000
    path = _ods(
        tmp_path / "wide.ods",
        f"<table:table-row>{number}</table:table-row>{wide}" + "</table:table-row>",
    )
    tracemalloc.start()
    found = ods_column_formats(path, "목록", 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert found is not None and found.by_row == {1: "000000"}
    assert peak < 8 * 1024**2, peak  # a tree of the row takes about 40 MB


# --- the parse decides, the byte search only answers where it reads alike ----------------


SHEETS = {
    "excel": HEADER_ROW + '<row r="2"><c r="B2"><v>1</v></c><c r="C2"><v>1</v></c></row>',
    "single quotes": HEADER_ROW + "<row r='2'><c r='C2'><v>1</v></c></row>",
    "no references": HEADER_ROW + "<row><c><v>1</v></c><c/><c><v>1</v></c></row>",
    "prefixed": HEADER_ROW.replace("<c ", "<x:c ").replace("</c>", "</x:c>"),
    "comment": HEADER_ROW + "<!-- <c r=\"XFD1\"/> --><row r='3'><c r='D3'/></row>",
    "lower case": HEADER_ROW + '<row r="4"><c r="e4"><v>1</v></c></row>',
    "attribute order": HEADER_ROW + '<row spans="1:6" r="5"><c s="1" r="F5"><v>1</v></c></row>',
    "formatted empty cells, searched": HEADER_ROW
    + '<row r="6"><c r="G6"><v>1</v></c><c r="XFD6" s="1"/><c r="H6" s="1" /></row>',
    "formatted empty cells": HEADER_ROW
    + '<row r="6"><c r="G6"><v>1</v></c><c r="XFD6" s="1"/>'
    + "<c r='H6' s='2'/></row>",
}


def _measure(path: Path, fast: bool) -> Reach | None:
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        used = UsedRange(DEFAULTS, path.name, "Sheet1")
        if fast:
            return fast_reach(stream, DEFAULTS, used)
        return exact_reach(stream, DEFAULTS, used, part)


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_the_byte_search_never_says_less_than_the_parse(tmp_path: Path, name: str) -> None:
    prefix = f'<worksheet xmlns:x="{_MAIN}" '
    path = xlsx(tmp_path / "sheet.xlsx", sheet_xml(SHEETS[name]).replace("<worksheet ", prefix))
    exact = _measure(path, fast=False)
    fast = _measure(path, fast=True)
    assert exact is not None
    if fast is not None:  # only where the bytes read as the parser reads them
        assert (fast.rows, fast.columns, fast.written) == (exact.rows, exact.columns, exact.written)
    # Excel's spelling is searched; the others go to the parse.
    assert (fast is not None) == (
        name in ("excel", "lower case", "formatted empty cells, searched")
    )
    if name.startswith("formatted empty cells"):
        assert (exact.rows, exact.columns) == (6, 7)  # XFD6 holds nothing


def test_a_sheet_the_search_cannot_read_is_measured_by_the_parse(tmp_path: Path) -> None:
    far = "<!-- a comment sends the sheet to the parse --><row r='9'><c r='ZZ9'><v>1</v></c></row>"
    path = xlsx(tmp_path / "far.xlsx", sheet_xml(HEADER_ROW + far))
    with pytest.raises(InputError, match="has a cell at ZZ9, so its used range is 702 columns"):
        check_file(path, Limits(max_columns=700))
    check_file(path, Limits(max_columns=702))


def test_shared_strings_are_counted_alike_by_the_search_and_the_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.readers import xmlparse
    from exportctl.readers.prescan import scan_sheet
    from exportctl.readers.xlsx_parts import shared_strings

    # Strings of 1 to 100 bytes, the cells naming them in turn.
    sst = "".join(f"<si><t>{'x' * n}</t></si>" for n in range(1, 101))
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>{r % 100}</v></c><c r="B{r}"><v>7</v></c></row>'
        for r in range(1, 1001)
    )
    path = xlsx(tmp_path / "strings.xlsx", sheet_xml(rows), f"{_DECL}{_SST_OPEN}>{sst}</sst>")
    # Chunks of a few cells, so that values fall on every side of a cut.
    monkeypatch.setattr(xmlparse, "SEARCH_CHUNK", 97)
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        strings = shared_strings(archive, "xl/sharedStrings.xml", DEFAULTS, path.name)
        assert list(strings.sizes)[:3] == [len(f"<t>{'x' * n}</t></si>") for n in (1, 2, 3)]
        limits = Limits(max_text_bytes=200_000)
        with archive.open(part) as stream:
            fast = fast_reach(stream, limits, UsedRange(limits, path.name, "s"), strings)
        with archive.open(part) as stream:
            exact = exact_reach(stream, limits, UsedRange(limits, path.name, "s"), part, strings)
        assert fast is not None  # written in order: searched, each value named
        # Each string's bound is its element's bytes (12 more than its text; the last
        # one runs to the table's end tag): 62,560 bytes for 56,000 of text.
        assert exact.text == sum(strings.sizes[r % 100] for r in range(1, 1001)) == 62_560
        assert exact.text <= fast.text < 200_000
        with pytest.raises(InputError, match=r"more than 60,000 bytes .*\(max_text_bytes\)"):
            scan_sheet(
                lambda: archive.open(part), Limits(max_text_bytes=60_000), "x", "s", part, strings
            )


def test_the_search_compiles_its_pattern_once_a_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows with formatted empty cells among their values (as the Korea Customs HS
    master has them): where a chunk's last cell is empty, the search must still extend
    its pattern once for the chunk, not once a row (12,000 rows took 8 s to compile)."""
    from exportctl.readers import prescan, xmlparse

    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}" s="1"/><c r="C{r}" s="1"/>'
        f'<c r="D{r}"><v>1</v></c></row>'
        for r in range(1, 3001)
    )
    path = xlsx(tmp_path / "formatted.xlsx", sheet_xml(rows))
    monkeypatch.setattr(xmlparse, "SEARCH_CHUNK", 16 * 1024)  # about 20 chunks
    prescan._beyond.cache_clear()
    assert check_file(path).extents == {"Sheet1": (3000, 4)}
    assert prescan._beyond.cache_info().misses < 100
