"""Catalogues read into columns hold exactly what the row reader hands on.

:func:`~exportctl.readers.frames.read_frame` reads CSV with pyarrow and XLSX with
fastexcel, then applies the row rules to whole columns; the reference is the row
reader (:func:`~exportctl.readers.read_table`, as
:func:`~exportctl.readers.frames.frame_of_rows` collects it). Hypothesis writes messy
files (title rows, blank lines, footnotes, repeated headers, spaces, tabs, full-width
forms, Excel errors, quoted commas and line breaks, uneven rows, CP949, numbers typed
into code cells under formats that fix their digits, dates) and both must give the
same rows, cells, notes and skipped counts. Clean files must take the column path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exportctl.readers.frames as frames
from exportctl.readers import CATALOGUE_SCHEMA, read_table
from exportctl.readers.frames import Frame, frame_of_rows, read_frame

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

TEXTS = [
    "KX-001",
    " padded ",
    "two  spaces",
    "tab\there",
    "full\uff21width",
    "#N/A",
    "-",
    "",
    "쉼표, 있는 값",
    'quote " inside',
    "line\nbreak",
    "=SUM(A1)",
    "  ",
    "٣",
    "émile",
    "※ 주: 이 표는 예시입니다",
    "이 목록은 참고용으로 작성된 것이며 법적 효력이 없습니다",
]
CODES = [
    "8471.30",
    "8471300000",
    " 847130 ",
    "10121",
    "90111",
    "84.7x",
    "",
    "-",
    "N/A",
    "HS 8471.30",
    "８４７１",
    "0101.21.1000",
    "HS코드",
]

cells = st.sampled_from(TEXTS)
codes = st.sampled_from(CODES)
rows = st.lists(st.tuples(cells, cells, codes, cells), max_size=12)


def _same(path: Path) -> Frame:
    """The frame by columns, after checking it against the row reader's."""
    reference = frame_of_rows(read_table(path, CATALOGUE_SCHEMA, keep_extra=True))
    found = read_frame(path)
    assert found.data.to_pylist() == reference.data.to_pylist()
    assert [str(note) for note in found.notes] == [str(note) for note in reference.notes]
    assert found.skipped == reference.skipped
    assert (found.columns, found.unmapped, found.sheet) == (
        reference.columns,
        reference.unmapped,
        reference.sheet,
    )
    return found


def _csv_text(
    body: list[tuple[str, ...]], title: bool, delimiter: str, blank: bool, repeat: bool
) -> str:
    def field(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = ["제품 목록 (2024)"] if title else []
    header = ("SKU", "품명", "HS코드", "비고")
    lines.append(delimiter.join(header))
    for n, row in enumerate(body):
        if blank and n == 1:
            lines.append("")
        if repeat and n == 2:
            lines.append(delimiter.join(header))
        lines.append(delimiter.join(field(value) for value in row))
    return "\r\n".join(lines) + "\r\n"


@SETTINGS
@given(
    body=rows,
    title=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949"]),
    blank=st.booleans(),
    repeat=st.booleans(),
)
def test_csv_columns_are_the_rows(
    tmp_path_factory: pytest.TempPathFactory,
    body: list[tuple[str, ...]],
    title: bool,
    delimiter: str,
    encoding: str,
    blank: bool,
    repeat: bool,
) -> None:
    path = tmp_path_factory.mktemp("csv") / "catalogue.csv"
    text = _csv_text(body, title, delimiter, blank, repeat)
    if encoding == "cp949":
        text = "".join(ch for ch in text if _cp949(ch))
    path.write_bytes(text.encode(encoding))
    _same(path)


def _cp949(char: str) -> bool:
    try:
        char.encode("cp949")
    except UnicodeEncodeError:
        return False
    return True


VALUES = [
    "KX-001",
    8471.3,
    847130,
    101.21,
    10121,
    1e16,
    1.5e-7,
    True,
    dt.date(2024, 6, 28),
    "  padded ",
    "#N/A",
    None,
    "8471.30",
    "0101.21",
    0.1,
]
FORMATS = ["General", "0000.00", "000000", "@", "0000000000", "0.00"]


@SETTINGS
@given(
    body=st.lists(
        st.tuples(
            st.sampled_from(VALUES),
            st.sampled_from(VALUES),
            st.sampled_from(VALUES),
            st.sampled_from(FORMATS),
        ),
        max_size=10,
    ),
    title=st.booleans(),
    column=st.integers(min_value=1, max_value=3),
)
def test_xlsx_columns_are_the_rows(
    tmp_path_factory: pytest.TempPathFactory,
    body: list[tuple[object, object, object, str]],
    title: bool,
    column: int,
) -> None:
    path = tmp_path_factory.mktemp("xlsx") / "catalogue.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    top = 1
    if title:
        sheet.cell(1, column, "제품 목록")
        top = 3
    for offset, header in enumerate(("SKU", "품명", "HS코드")):
        sheet.cell(top, column + offset, header)
    for n, (sku, name, code, number_format) in enumerate(body, start=top + 1):
        sheet.cell(n, column, sku)
        sheet.cell(n, column + 1, name)
        cell = sheet.cell(n, column + 2, code)
        cell.number_format = number_format
    book.save(path)
    _same(path)


def test_clean_files_are_read_by_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain CSV and a plain workbook (codes as text or numbers, a footnote, a blank
    row) never fall back to the row reader."""

    def refused(*_args: object, **_kwargs: object) -> Frame:
        raise AssertionError("read row by row")

    csv_path = tmp_path / "catalogue.csv"
    csv_path.write_text(
        "SKU,품명,HS코드\r\nA-1,펌프,8413.70\r\n\r\nA-2,밸브,8481800000\r\nA-3,,\r\n"
        "※ 주: 예시입니다,,\r\n",
        encoding="utf-8",
    )
    expected = _same(csv_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SKU", "품명", "HS코드"])
    sheet.append(["A-1", "펌프", 8413.7])
    sheet.append([None, None, None])
    sheet.append(["A-2", "밸브", "8481800000"])
    sheet.append(["A-3", None, 101.21])
    sheet["C5"].number_format = "0000.00"
    xlsx_path = tmp_path / "catalogue.xlsx"
    book.save(xlsx_path)
    expected_xlsx = _same(xlsx_path)
    monkeypatch.setattr(frames, "frame_of_rows", refused)
    assert read_frame(csv_path).data.to_pylist() == expected.data.to_pylist()
    found = read_frame(xlsx_path).data
    assert found.to_pylist() == expected_xlsx.data.to_pylist()
    assert found.column("code").to_pylist() == ["8413.7", "8481800000", "0101.21"]
