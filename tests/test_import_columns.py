"""The columnar import (exportctl.listcolumns) stores what the row-by-row import stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import Engine

from exportctl import api, store
from exportctl.listcolumns import read_clean_list
from exportctl.readers import LIST_SCHEMA
from exportctl.store.digests import version_digests

CODES = [
    ("8471.30-1000", "휴대용 컴퓨터", "portable computers", "전자", None),
    ("8471.30-2000", "노트북 (3A001.a 참조)", "notebooks", "전자", "3A001.b.1 해당"),
    ("8542.31-1000", "프로세서", None, "반도체", None),
    ("8542.32-0000", "메모리", "memories of 2B350.g", "반도체", "세부 사양은 고시 참조"),
    ("9013.80-9000", "광학 기기", "optical devices", None, None),
]


def _workbook(path: Path, rows: list[tuple[Any, ...]], *, title: str | None = None) -> Path:
    """A list in the published layout: title lines, a two-row merged header, rows."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("별표2의2")
    sheet.merge_range(0, 0, 0, 5, "러시아·벨라루스 상황허가 대상 품목")
    sheet.merge_range(1, 0, 1, 5, "2024. 6. 개정 기준")
    if title is not None:
        sheet.write_string(2, 0, title)
    sheet.merge_range(3, 2, 3, 3, "품목명")
    for col, text in ((0, "연번"), (1, "HS코드"), (4, "구분"), (5, "비고")):
        sheet.merge_range(3, col, 4, col, text)
    sheet.write_string(4, 2, "국문")
    sheet.write_string(4, 3, "영문")
    for at, values in enumerate(rows, start=5):
        for col, value in enumerate(values):
            if isinstance(value, int | float):
                sheet.write_number(at, col, value)
            elif value is not None:
                sheet.write_string(at, col, value)
    book.close()
    return path


def _plain_rows() -> list[tuple[Any, ...]]:
    return [(n, code, ko, en, cat, note) for n, (code, ko, en, cat, note) in enumerate(CODES, 1)]


def _import(engine: Engine, path: Path, label: str, *, columns: bool, monkeypatch: Any) -> Any:
    import exportctl.listcolumns as listcolumns

    used: list[bool] = []
    real = listcolumns.read_clean_list

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs) if columns else None
        used.append(found is not None)
        return found

    monkeypatch.setattr(listcolumns, "read_clean_list", spy)
    result = api.import_workbook(
        engine, path, api.ImportOptions(slug=f"list-{label}", label=label, create_list=True)
    )
    monkeypatch.undo()
    return result, used == [True]


def _stored(engine: Engine, result: Any) -> tuple[Any, ...]:
    with store.session_scope(engine) as session:
        items = store.load_items(session, result.version)
        digests = version_digests(session.connection(), result.version.id)
    report = result.report
    return (
        items,
        digests.items,
        digests.sections,
        [(f.severity, f.rule, f.message, f.row) for f in report.findings],
        (report.rows_read, report.item_count, report.added, report.removed),
        result.parts,
        result.structure,
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A fresh database, SQLite and PostgreSQL (each way writes its rows its own way)."""
    api.init_database(db_url)
    engine = api.open_database(db_url)
    yield engine
    engine.dispose()


def test_a_plain_list_is_read_as_columns_and_stored_as_row_by_row(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "plain.xlsx", _plain_rows())
    fast, used_columns = _import(engine, path, "a", columns=True, monkeypatch=monkeypatch)
    slow, used_rows = _import(engine, path, "b", columns=False, monkeypatch=monkeypatch)
    assert used_columns and not used_rows
    assert fast.stored and slow.stored
    fast_stored, slow_stored = _stored(engine, fast), _stored(engine, slow)
    assert fast_stored == slow_stored
    items = fast_stored[0]
    assert [item.control_numbers for item in items][:2] == [(), ("3A001.a", "3A001.b.1")]
    assert items[0].original_code == "8471.30-1000" and items[0].code == "8471301000"


def test_a_gap_in_serials_is_said_the_same_way(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _plain_rows()
    path = _workbook(tmp_path / "gap.xlsx", rows[:2] + rows[3:])
    fast, used_columns = _import(engine, path, "a", columns=True, monkeypatch=monkeypatch)
    slow, _ = _import(engine, path, "b", columns=False, monkeypatch=monkeypatch)
    assert used_columns
    assert [f.rule for f in fast.report.findings] == ["missing-serial"]
    assert _stored(engine, fast) == _stored(engine, slow)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("duplicate code", lambda rows: rows + [(6, *rows[0][1:])]),
        ("six-digit code", lambda rows: rows + [(6, "8471.41", "컴퓨터", None, None, None)]),
        ("numeric code", lambda rows: rows + [(6, 8471.4, "컴퓨터", None, None, None)]),
        ("unknown code", lambda rows: rows + [(6, "9999.99-0000", "없음", None, None, None)]),
        ("sub-item", lambda rows: rows + [(None, None, "a. 부품", None, None, None)]),
        ("footnote", lambda rows: rows + [("※ 세부 사양은 고시를 참조하십시오 (별표 참조)",)]),
        ("branch serial", lambda rows: rows + [("5의2", "8543.70-1000", "기타", None, None, None)]),
        ("blank row", lambda rows: rows[:2] + [()] + rows[2:]),
    ],
)
def test_a_messy_list_is_read_row_by_row_and_stored_the_same(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, change: Any
) -> None:
    path = _workbook(tmp_path / "messy.xlsx", change(_plain_rows()))
    assert read_clean_list(path, LIST_SCHEMA) is None, name
    fast, _ = _import(engine, path, "a", columns=True, monkeypatch=monkeypatch)
    slow, _ = _import(engine, path, "b", columns=False, monkeypatch=monkeypatch)
    assert fast.stored == slow.stored
    if fast.stored:
        assert _stored(engine, fast) == _stored(engine, slow)


def _with_codes(codes: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (n, code, *row[2:])
        for n, (code, row) in enumerate(zip(codes, _plain_rows(), strict=True), 1)
    ]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("subheadings", ["0101.21", "8471.30", "8542.31", "8542.32", "9013.80"]),
        ("subheadings, some numbers", ["0101.21", "8471.30", 8542.31, 8542.32, "9013.80"]),
        ("ten digits", ["0101210000", "8471301000", "8542311000", "8542320000", "9013809000"]),
        (
            "ten digits, some numbers",
            ["0101210000", 8471301000, "8542311000", 8542320000, "9013809000"],
        ),
        ("both levels", ["0101.21", "8471.30-1000", "8542.31", "8542320000", "9013.80"]),
    ],
)
def test_codes_written_as_lists_write_them_are_read_as_columns(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, codes: list[Any]
) -> None:
    """An annex's subheadings (``8471.30``) and national codes, as text or as numbers
    whose digits are the code's, take the columnar way and store what rows store."""
    path = _workbook(tmp_path / "codes.xlsx", _with_codes(codes))
    fast, used_columns = _import(engine, path, "a", columns=True, monkeypatch=monkeypatch)
    slow, used_rows = _import(engine, path, "b", columns=False, monkeypatch=monkeypatch)
    assert used_columns and not used_rows, name
    assert fast.stored and slow.stored
    assert _stored(engine, fast) == _stored(engine, slow)
    levels = [item.level for item in _stored(engine, fast)[0]]
    assert levels == [6 if len(str(code)) < 10 else 10 for code in codes]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("a number that lost a zero", ["0101.21", "8471.30", 8542.3, "8542.32", "9013.80"]),
        ("a number, no decimals", ["0101.21", "8471.30", 8542, "8542.32", "9013.80"]),
        (
            "a lost leading zero",
            ["101210000", "8471301000", "8542311000", "8542320000", "9013809000"],
        ),
        ("a subheading over a code", ["0101.21", "8471.30", "8471.30-1000", "8542.32", "9013.80"]),
        ("six digits", ["010121", "847130", "854231", "854232", "901380"]),
    ],
)
def test_codes_whose_reading_needs_the_column_are_read_row_by_row(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, codes: list[Any]
) -> None:
    path = _workbook(tmp_path / "codes.xlsx", _with_codes(codes))
    assert read_clean_list(path, LIST_SCHEMA, levels=(6, 10)) is None, name
    fast, _ = _import(engine, path, "a", columns=True, monkeypatch=monkeypatch)
    slow, _ = _import(engine, path, "b", columns=False, monkeypatch=monkeypatch)
    assert fast.stored == slow.stored
    if fast.stored:
        assert _stored(engine, fast) == _stored(engine, slow)


def test_a_level_the_profile_does_not_take_is_read_row_by_row(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "six.xlsx", _with_codes(["0101.21", "8471.30", "8542.31", "8542.32", "9013.80"])
    )
    assert read_clean_list(path, LIST_SCHEMA, levels=(10,)) is None
    assert read_clean_list(path, LIST_SCHEMA, levels=(6, 10)) is not None


def test_a_part_title_above_the_header_is_read_row_by_row(tmp_path: Path) -> None:
    title = "2. 러시아·벨라루스 상황허가 대상"
    path = _workbook(tmp_path / "part.xlsx", _plain_rows(), title=title)
    assert read_clean_list(path, LIST_SCHEMA) is None


@pytest.mark.parametrize("columns", [True, False])
def test_the_file_is_checked_once_and_the_reader_takes_that_check(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: bool
) -> None:
    from exportctl.readers import guard

    path = _workbook(tmp_path / "plain.xlsx", _plain_rows())
    checked: list[Path] = []
    real = guard._check_file

    def counted(file: Path, limits: Any) -> Any:
        checked.append(file)
        return real(file, limits)

    monkeypatch.setattr(guard, "_check_file", counted)
    result, used_columns = _import(engine, path, "a", columns=columns, monkeypatch=monkeypatch)
    assert result.stored and used_columns == columns
    assert checked == [path]


def test_a_file_changed_after_its_check_is_checked_again(tmp_path: Path) -> None:
    import os

    from exportctl.errors import InputError
    from exportctl.limits import DEFAULTS, Limits
    from exportctl.readers import guard, read_table

    path = _workbook(tmp_path / "plain.xlsx", _plain_rows())
    passed = guard.check_file(path)
    assert passed.unchanged()
    assert guard.checked_file(path, DEFAULTS, passed) is passed
    # Other caps, or another file: checked under what is asked.
    tight = Limits(max_file_bytes=100)
    with pytest.raises(InputError, match="100 bytes"):
        guard.checked_file(path, tight, passed)
    # The same name, other bytes: what the reader opens is checked, not what was.
    path.write_bytes(b"not a workbook at all")
    os.utime(path, ns=(1, 1))
    assert not passed.unchanged()
    with pytest.raises(InputError, match="not a zip archive"):
        read_table(path, LIST_SCHEMA, checked=passed)


def test_a_list_longer_than_one_insert_statement_is_stored_alike(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows go to SQLite many to a statement: whole statements and the rows left over
    store what one row at a time would, in list order, both ways."""
    from exportctl.hscode import Nomenclature
    from exportctl.store import items

    count = items.SQLITE_ROWS_PER_INSERT * 2 + 37
    heads = sorted(Nomenclature.load("2022").codes(6))[:count]
    rows = [
        (n, f"{h[:4]}.{h[4:]}-{n:04d}", f"품목 {n}", None, None, None)
        for n, h in enumerate(heads, 1)
    ]
    path = _workbook(tmp_path / "long.xlsx", rows)
    fast, used_columns = _import(engine, path, "a", columns=True, monkeypatch=monkeypatch)
    slow, _ = _import(engine, path, "b", columns=False, monkeypatch=monkeypatch)
    assert used_columns and fast.stored and slow.stored
    monkeypatch.setattr(items, "SQLITE_ROWS_PER_INSERT", 1)
    single, _ = _import(engine, path, "c", columns=True, monkeypatch=monkeypatch)
    stored = _stored(engine, fast)
    assert stored == _stored(engine, slow) == _stored(engine, single)
    assert [item.row for item in stored[0]] == list(range(6, 6 + count))
