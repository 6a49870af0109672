"""End-to-end import, validation and storage through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from builders import Row, simple_rows, write_list_workbook
from conftest import SHARED, RunCli
from sqlalchemy import create_engine, func, select, text

from exportctl import store
from exportctl.models import AuditEvent, Item, Version

MESSY_ROWS: list[Row] = [
    (
        1,
        None,
        "전략물자 관련 품목: 수치제어 공작기계용 부분품",
        "Parts for CNC machine tools",
        "전략물자 관련",
        "사양 기준",
    ),
    (2, None, "승용차 (배기량 2,000cc 초과)", "Passenger cars over 2,000 cc", "사치품", None),
    (
        3,
        (8471.3, "0000.00"),
        "휴대용 자동자료처리기계",
        "Portable computers",
        "일반산업용 물품",
        None,
    ),
    (4, (10121, "000000"), "번식용 말", "Horses, pure-bred breeding", "일반산업용 물품", None),
    (5, "8504 40", "정지형 변환기", "Static converters", "일반산업용 물품", None),
    (6, "ex 8536.69", "플러그와 소켓", "Plugs and sockets", "일반산업용 물품", "일부"),
    (7, "８４７１．４１", "기타 자동자료처리기계", "Other ADP machines", "일반산업용 물품", None),
    (8, "HS 271012", "경질유", "Light oils", "석유·가스", None),
    (9, "8703.23.0000", "승용자동차", "Motor cars", "사치품", None),
    (10, 880240, "비행기", "Aeroplanes", "일반산업용 물품", None),
    (11, "0101.29", "기타 말", "Horses, other", "일반산업용 물품", None),
]
# (serial, code, level, ex, data row) for each messy row; data starts at row 6.
EXPECTED = [
    ("1", None, None, False),
    ("2", None, None, False),
    ("3", "847130", 6, False),
    ("4", "010121", 6, False),
    ("5", "850440", 6, False),
    ("6", "853669", 6, True),
    ("7", "847141", 6, False),
    ("8", "271012", 6, False),
    ("9", "8703230000", 10, False),
    ("10", "880240", 6, False),
    ("11", "010129", 6, False),
]


def _counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = tuple(
            conn.execute(select(func.count()).select_from(t.__table__)).scalar_one()  # type: ignore[attr-defined]
            for t in (Version, Item, AuditEvent)
        )
    engine.dispose()
    return counts  # type: ignore[return-value]


def test_messy_workbook_imports_every_code_exactly(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = write_list_workbook(tmp_path / "list.xlsx", MESSY_ROWS, cover=True)
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        path,
        "--list",
        "kr-russia",
        "--version",
        "2024-02",
        "--effective",
        "2024-02-24",
        "--declared-total",
        "11",
        "--json",
        db=initialised,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["count"] == 11
    recovered = [f for f in data["findings"] if f["rule"] == "code-recovered"]
    assert {f["row"] for f in recovered} >= {8, 9}
    assert all(f["sheet"] == "별표2의2" for f in data["findings"] if f["row"])

    shown = run_cli("show", "kr-russia", "--version", "2024-02", "--json", db=initialised, ok=True)
    payload = json.loads(shown.stdout)
    assert payload["count"] == 11 and payload["effective"] == "2024-02-24"
    got = [(i["serial"], i["code"], i["level"], i["ex"]) for i in payload["items"]]
    assert got == EXPECTED
    assert [i["row"] for i in payload["items"]] == list(range(6, 17))
    assert payload["items"][0]["description"].startswith("전략물자 관련 품목")
    assert payload["items"][0]["note"] == "사양 기준"
    assert payload["items"][2]["description_en"] == "Portable computers"
    assert payload["items"][5]["category"] == "일반산업용 물품"
    assert all(i["sheet"] == "별표2의2" for i in payload["items"])


def test_validate_writes_nothing_and_reports_json(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = write_list_workbook(tmp_path / "list.xlsx", MESSY_ROWS)
    before = _counts(initialised)
    result = run_cli("validate", path, "--list", "kr-russia", "--json", db=initialised)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["count"] == 11
    assert _counts(initialised) == before


def test_count_mismatch_is_an_error_and_nothing_is_stored(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = write_list_workbook(tmp_path / "list.xlsx", MESSY_ROWS)
    before = _counts(initialised)
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr-russia",
        "--version",
        "2024-02",
        "--declared-total",
        "1159",
        "--json",
        db=initialised,
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    (finding,) = [f for f in data["findings"] if f["rule"] == "count-mismatch"]
    assert "11 items" in finding["message"] and "1,159" in finding["message"]
    assert _counts(initialised) == before


def test_duplicates_and_bad_codes_are_errors_with_locations(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    rows = simple_rows(["847130", "847141", "8471.30", "84.7x", "999999"])
    rows[4] = (4, "850440", "품목", "Item", None, None)  # duplicate serial 4
    rows.append((6, "8471.3", "애매한 코드", "Ambiguous", None, None))
    path = write_list_workbook(tmp_path / "bad.xlsx", rows, two_row_header=False)
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "x",
        "--version",
        "1",
        "--json",
        db=initialised,
    )
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    by_rule = {(f["rule"], f["row"]) for f in findings}
    # Header on row 4, data from row 5.
    assert ("duplicate-code", 7) in by_rule
    assert ("malformed-code", 8) in by_rule
    assert ("duplicate-serial", 9) in by_rule
    assert ("ambiguous-code", 10) in by_rule
    located = [f for f in findings if f["rule"] == "malformed-code"][0]
    assert located["file"] == "bad.xlsx" and located["column"] == "HS코드"
    assert _counts(initialised)[0] == 0


def test_additions_build_on_the_base_and_counts_reconcile(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    base = write_list_workbook(tmp_path / "base.xlsx", simple_rows(["847130", "847141", "850440"]))
    run_cli(
        "import",
        "--create-list",
        "--approve",
        base,
        "--list",
        "kr",
        "--version",
        "2024-02",
        "--effective",
        "2024-02-24",
        "--declared-total",
        "3",
        db=initialised,
        ok=True,
    )
    adds = write_list_workbook(tmp_path / "adds.xlsx", simple_rows(["880240", "271012"], start=4))
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        adds,
        "--list",
        "kr",
        "--version",
        "2024-06",
        "--base",
        "2024-02",
        "--additions",
        "--declared-added",
        "2",
        "--declared-total",
        "5",
        "--json",
        db=initialised,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["count"], data["added"], data["removed"]) == (5, 2, 0)
    assert not [f for f in data["findings"] if f["severity"] == "error"]
    shown = json.loads(
        run_cli("show", "kr", "--as-of", "2030-01-01", "--json", db=initialised, ok=True).stdout
    )
    # The additions version is undated, so the dated base is in force.
    assert shown["version"] == "2024-02"
    full = json.loads(
        run_cli("show", "kr", "--version", "2024-06", "--json", db=initialised, ok=True).stdout
    )
    assert [i["code"] for i in full["items"]] == ["847130", "847141", "850440", "880240", "271012"]
    assert [i["serial"] for i in full["items"]] == ["1", "2", "3", "4", "5"]


def test_declared_figures_that_do_not_add_up_are_one_warning_with_all_four_numbers(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    base = write_list_workbook(
        tmp_path / "base.xlsx", simple_rows(["847130", "847141", "850440", "850431", "850432"])
    )
    run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        base,
        "--list",
        "kr",
        "--version",
        "a",
        db=initialised,
        ok=True,
    )
    new = write_list_workbook(
        tmp_path / "new.xlsx", simple_rows(["847130", "847141", "850440", "880240", "271012"])
    )
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        new,
        "--list",
        "kr",
        "--version",
        "b",
        "--base",
        "a",
        "--declared-added",
        "5",
        "--declared-removed",
        "0",
        "--declared-total",
        "5",
        "--json",
        db=initialised,
    )
    assert result.exit_code == 0, result.output
    findings = {f["rule"]: f["message"] for f in json.loads(result.stdout)["findings"]}
    assert "5 added" in findings["added-mismatch"] and "2 are new" in findings["added-mismatch"]
    assert "0 removed" in findings["removed-mismatch"]
    assert findings["declared-sum"] == (
        "the declared figures do not add up: base 5 + added 5 − removed 0 = 10, "
        "not the declared total 5"
    )


def test_same_source_twice_is_refused_naming_the_version(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = write_list_workbook(tmp_path / "list.xlsx", simple_rows(["847130"]))
    run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr",
        "--version",
        "v1",
        db=initialised,
        ok=True,
    )
    again = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr",
        "--version",
        "v2",
        db=initialised,
    )
    assert again.exit_code == 2
    assert 'as version "v1"' in again.stderr and "Traceback" not in again.output
    relabel = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr",
        "--version",
        "v1",
        db=initialised,
    )
    assert relabel.exit_code == 2 and "immutable" in relabel.stderr


def test_failure_mid_import_leaves_database_unchanged(
    tmp_path: Path, run_cli: RunCli, initialised: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_list_workbook(tmp_path / "a.xlsx", simple_rows(["847130"]))
    run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        first,
        "--list",
        "kr",
        "--version",
        "v1",
        db=initialised,
        ok=True,
    )
    before = _counts(initialised)
    real_insert = store.insert_items

    def insert_then_fail(session, version_id, items, start=0):  # type: ignore[no-untyped-def]
        real_insert(session, version_id, list(items)[:2], start=start)
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.items, "insert_items", insert_then_fail)
    second = write_list_workbook(tmp_path / "b.xlsx", simple_rows(["847130", "847141", "850440"]))
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        second,
        "--list",
        "kr",
        "--version",
        "v2",
        db=initialised,
    )
    assert result.exit_code == 3
    assert "disk full" in result.stderr and "--debug" in result.stderr
    assert _counts(initialised) == before


def test_commands_refuse_a_database_not_at_head(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    path = write_list_workbook(tmp_path / "a.xlsx", simple_rows(["847130"]))
    # An empty file, as SQLite leaves one: there, but not initialised (a missing
    # file is refused as "no such database", test_input_paths).
    (tmp_path / "exportctl.db").touch()
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr",
        "--version",
        "v1",
        db=sqlite_url,
    )
    assert result.exit_code == 2
    assert "not initialised" in result.stderr and "exportctl init" in result.stderr
    assert run_cli("lists", db=sqlite_url).exit_code == 2


def test_cp949_csv_imports(tmp_path: Path, run_cli: RunCli, initialised: str) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(
        "연번,HS코드,품목명,비고\n1,8471.30,휴대용 컴퓨터,\n2,850440,정지형 변환기,주의\n".encode(
            "cp949"
        )
    )
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr",
        "--version",
        "v1",
        "--json",
        db=initialised,
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(run_cli("show", "kr", "--version", "v1", "--json", db=initialised).stdout)
    assert [(i["code"], i["description"], i["note"]) for i in shown["items"]] == [
        ("847130", "휴대용 컴퓨터", None),
        ("850440", "정지형 변환기", "주의"),
    ]
    assert shown["items"][0]["sheet"] == "" and shown["items"][0]["row"] == 2


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("name", "make", "expect"),
    [
        ("empty.xlsx", lambda p: p.write_bytes(b""), "empty"),
        ("truncated.xlsx", None, "xlsx"),
        (
            "locked.xlsx",
            lambda p: p.write_bytes(
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
                + b"\0" * 512
                + "EncryptedPackage".encode("utf-16-le")
            ),
            "password",
        ),
        (
            "legacy.xls",
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1garbage"),
            "legacy.xls",
        ),
        ("bomb.xlsx", _zip_bomb, "bomb.xlsx"),
        ("latin.csv", lambda p: p.write_bytes(b"HS\xff\xfe\xfa,name\n\x81\x00,\xff\n"), "encoding"),
    ],
)
def test_bad_files_get_one_line_and_exit_2(
    tmp_path: Path, run_cli: RunCli, initialised: str, name: str, make: object, expect: str
) -> None:
    path = tmp_path / name
    if make is None:
        good = write_list_workbook(tmp_path / "good.xlsx", simple_rows(["847130"]))
        path.write_bytes(good.read_bytes()[:300])
    else:
        make(path)  # type: ignore[operator]
    before = _counts(initialised)
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "kr",
        "--version",
        "v",
        db=initialised,
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and name in lines[0]
    assert expect.lower() in lines[0].lower()
    assert _counts(initialised) == before


def test_wrong_sheet_and_missing_column(tmp_path: Path, run_cli: RunCli, initialised: str) -> None:
    path = write_list_workbook(tmp_path / "l.xlsx", simple_rows(["847130"]))
    wrong = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        path,
        "--list",
        "k",
        "--version",
        "v",
        "--sheet",
        "없음",
        db=initialised,
    )
    assert wrong.exit_code == 2 and "별표2의2" in wrong.stderr
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["연번", "품목명", "비고"])
    ws.append([1, "휴대용 컴퓨터", None])
    wb.save(tmp_path / "nocode.xlsx")
    missing = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        tmp_path / "nocode.xlsx",
        "--list",
        "k",
        "--version",
        "v",
        db=initialised,
    )
    assert missing.exit_code == 2 and "nocode.xlsx" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_column_override_maps_an_unusual_header(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["번호", "통제 세번", "물품"])
    ws.append([1, "8471.30", "휴대용 컴퓨터"])
    wb.save(tmp_path / "odd.xlsx")
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        tmp_path / "odd.xlsx",
        "--list",
        "k",
        "--version",
        "v",
        "--column",
        "code=통제 세번",
        "--column",
        "description=물품",
        db=initialised,
    )
    assert result.exit_code == 0, result.output


def test_as_of_picks_the_version_in_force(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    a = write_list_workbook(tmp_path / "a.xlsx", simple_rows(["847130"]))
    b = write_list_workbook(tmp_path / "b.xlsx", simple_rows(["847130", "850440"]))
    run_cli(
        "import",
        "--create-list",
        "--approve",
        a,
        "--list",
        "k",
        "--version",
        "2024-02",
        "--effective",
        "2024-02-24",
        db=initialised,
        ok=True,
    )
    run_cli(
        "import",
        "--create-list",
        "--approve",
        b,
        "--list",
        "k",
        "--version",
        "2024-06",
        "--effective",
        "2024-08-28",
        db=initialised,
        ok=True,
    )

    def as_of(day: str) -> str:
        out = run_cli("show", "k", "--as-of", day, "--json", db=initialised, ok=True)
        return str(json.loads(out.stdout)["version"])

    assert as_of("2024-02-24") == "2024-02"
    assert as_of("2024-08-27") == "2024-02"
    assert as_of("2024-08-28") == "2024-06"
    early = run_cli("show", "k", "--as-of", "2023-01-01", db=initialised)
    assert early.exit_code == 2 and "no version in force on 2023-01-01" in early.stderr


def test_audit_chain_records_imports_and_detects_tampering(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    a = write_list_workbook(tmp_path / "a.xlsx", simple_rows(["847130"]))
    b = write_list_workbook(tmp_path / "b.xlsx", simple_rows(["847130", "850440"]))
    run_cli(
        "import",
        "--create-list",
        a,
        "--list",
        "k",
        "--version",
        "1",
        db=initialised,
        ok=True,
    )
    run_cli(
        "import",
        "--create-list",
        b,
        "--list",
        "k",
        "--version",
        "2",
        db=initialised,
        ok=True,
    )
    events = json.loads(run_cli("audit", "--json", db=initialised, ok=True).stdout)
    assert [e["action"] for e in events] == ["import", "import"]
    assert events[0]["file"] == "a.xlsx" and len(events[0]["sha256"]) == 64
    assert run_cli("audit", "verify", db=initialised).exit_code == 0
    engine = create_engine(initialised)
    with engine.begin() as conn:
        conn.execute(
            text("update audit_event set actor = 'mallory' where id = :i"), {"i": events[0]["id"]}
        )
    engine.dispose()
    broken = run_cli("audit", "verify", db=initialised)
    assert broken.exit_code == 1 and "changed after it was written" in broken.output


HSK = SHARED / "data" / "hs" / "korea-customs" / "관세청_HS부호_20250101.xlsx"


@pytest.mark.skipif(not HSK.exists(), reason="shared HS data folder not present")
def test_korea_customs_master_imports_as_three_versions(run_cli: RunCli, initialised: str) -> None:
    expected = {"2024.1.1": 12_422, "2024.7.1": 12_422, "2025.1.1.": 12_467}
    for sheet, effective in (
        ("2024.1.1", "2024-01-01"),
        ("2024.7.1", "2024-07-01"),
        ("2025.1.1.", "2025-01-01"),
    ):
        result = run_cli(
            "import",
            "--create-list",
            "--approve",
            HSK,
            "--list",
            "kr-hsk",
            "--version",
            effective,
            "--sheet",
            sheet,
            "--effective",
            effective,
            "--declared-total",
            str(expected[sheet]),
            "--json",
            db=initialised,
        )
        assert result.exit_code == 0, result.output[-2000:]
        data = json.loads(result.stdout)
        assert data["count"] == expected[sheet]
        assert not [f for f in data["findings"] if f["severity"] == "error"]
    shown = json.loads(
        run_cli("show", "kr-hsk", "--as-of", "2025-03-01", "--json", db=initialised, ok=True).stdout
    )
    codes = {i["code"]: i for i in shown["items"]}
    assert len(codes) == 12_467 and all(len(c) == 10 for c in codes)
    # '01029090' lost its trailing zeros in the file; '0101211000' did not.
    assert "0102909000" in codes and codes["0102909000"]["row"] > 1
    assert codes["0101211000"]["description"] == "농가 사육용"
    assert codes["0101211000"]["description_en"] == "For farm breeding"
    assert [
        v["count"]
        for v in json.loads(run_cli("versions", "kr-hsk", "--json", db=initialised).stdout)
    ] == [12_422, 12_422, 12_467]


def test_fast_insert_stores_what_the_core_insert_stores(db_url: str) -> None:
    """Items written through executemany (SQLite) or COPY (PostgreSQL) read back as
    through SQLAlchemy Core (issue 6)."""
    import datetime as dt

    from exportctl import api
    from exportctl.models import ItemRecord

    items = [
        ItemRecord("1", "847130", 6, False, "자동자료처리기계", "ADP machines", row=5),
        ItemRecord("2", "8471", 4, True, "휴대용 컴퓨터", None, "전자", "ex", "8471", row=6),
        ItemRecord(None, None, None, False, "무인기", None, row=7, sheet="별표"),
        ItemRecord("4", "0101210000", 10, False, "", "Horses", row=9, original_code="10121"),
    ]
    engine, *_ = api.init_database(db_url)
    fast = store._insert_sqlite if db_url.startswith("sqlite") else store._insert_copy
    stored: dict[str, list[tuple[object, ...]]] = {}
    try:
        for label, writer in (("fast", fast), ("core", store._insert_core)):
            with store.session_scope(engine) as session:
                version = store.store_version(
                    session,
                    store.NewVersion(
                        slug="kr",
                        label=label,
                        source_file="list.xlsx",
                        source_sha256=label[0] * 64,
                        source_sheet="별표",
                        actor="test",
                        effective=dt.date(2024, 6, 28),
                    ),
                    [],
                )
                writer(session.connection(), store._item_rows(version.id, items))
                session.flush()
                loaded = store.load_items(session, version)
                rows = session.execute(
                    select(Item).where(Item.version_id == version.id).order_by(Item.position)
                ).scalars()
                stored[label] = [
                    tuple(getattr(row, name) for name in store._ITEM_COLUMNS[1:]) for row in rows
                ]
                assert loaded == items
    finally:
        engine.dispose()
    assert stored["fast"] == stored["core"]
    assert stored["fast"][1][4] is True  # ex reads back as a boolean


def test_skipped_footnotes_are_reported_and_serials_like_12_paren_are_read(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    rows: list[Row] = [
        ("1)", "847130", "컴퓨터", None, None, None),
        ("2.", "850440", "변환기", None, None, None),
    ]
    path = write_list_workbook(tmp_path / "l.xlsx", rows)
    result = run_cli("validate", path, "--list", "k", "--json", db=initialised)
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    notes = [f["message"] for f in findings if f["rule"] == "footnote-rows"]
    assert any("2 footnote rows skipped" in n for n in notes), findings
    assert not [f for f in findings if f["rule"] == "malformed-serial"]


def test_items_stream_into_the_database_and_a_late_error_rolls_them_back(
    tmp_path: Path, run_cli: RunCli, initialised: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items are written a chunk at a time while the file is read (chunks of 2 here);
    an error found at the last row still leaves nothing of the import behind."""
    monkeypatch.setattr(store.items, "INSERT_CHUNK", 2)
    written: list[int] = []
    real_insert = store.insert_items

    def counting_insert(session, version_id, items, start=0):  # type: ignore[no-untyped-def]
        items = list(items)
        written.append(len(items))
        real_insert(session, version_id, items, start=start)

    monkeypatch.setattr(store.items, "insert_items", counting_insert)
    codes = ["847130", "847141", "850440", "850710", "880230", "847130"]  # last repeats the first
    before = _counts(initialised)
    bad = write_list_workbook(tmp_path / "bad.xlsx", simple_rows(codes))
    result = run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        bad,
        "--list",
        "kr",
        "--version",
        "v1",
        db=initialised,
    )
    assert result.exit_code == 1, result.output
    assert "HS code 847130 is listed twice (also at row" in result.output
    assert written == [2, 2, 2]  # streamed before the duplicate was met
    assert _counts(initialised) == before

    written.clear()
    good = write_list_workbook(tmp_path / "good.xlsx", simple_rows(codes[:5]))
    run_cli(
        "import",
        "--create-list",
        "--approve",
        "--effective",
        "2024-01-01",
        good,
        "--list",
        "kr",
        "--version",
        "v1",
        db=initialised,
        ok=True,
    )
    assert written == [2, 2, 1]
    shown = json.loads(
        run_cli("show", "kr", "--version", "v1", "--json", db=initialised, ok=True).stdout
    )
    items = shown["items"] if isinstance(shown, dict) else shown
    assert [item["code"] for item in items] == codes[:5]
    assert [item["serial"] for item in items] == ["1", "2", "3", "4", "5"]
    versions = json.loads(run_cli("versions", "kr", "--json", db=initialised, ok=True).stdout)
    assert [v["count"] for v in versions] == [5]
