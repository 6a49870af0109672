"""What reads versions uses the annex structure: parts, sub-items, control numbers,
mentioned codes and the notice (diff, reports, screening, show, versions, export)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from sqlalchemy import Engine

from exportctl import store
from exportctl.api import diff_versions, open_database
from exportctl.diff import compare
from exportctl.models import ItemRecord, SubItem

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

PART_1 = "이란 상황허가 대상 품목"
PART_2 = "러시아·벨라루스 상황허가 대상 품목"

LAPTOP = ItemRecord("1", "847130", 6, False, "휴대용 컴퓨터", row=4, section=1)
DEVICES_1 = ItemRecord(
    "3",
    None,
    None,
    False,
    "전자 장치",
    row=6,
    section=1,
    sub_items=(
        SubItem("a.", "집적회로로서 3A001.a.3에 해당하는 것", ("3A001.a.3",)),
        SubItem("b.", "마이크로파 증폭기"),
    ),
    control_numbers=("3A001.a.3",),
)
CHIPS = ItemRecord("1", "8542", 4, False, "집적회로", row=10, section=2)
ENGINES = ItemRecord(
    "3",
    None,
    None,
    False,
    "무인 항공기용 엔진",
    row=12,
    section=2,
    sub_items=(SubItem("a.", "왕복 피스톤 내연기관(8407.10)"),),
    mentioned_codes=("840710",),
)
DEVICES_2 = ItemRecord(
    "3의2",
    None,
    None,
    False,
    "전자 장치",
    row=14,
    section=2,
    sub_items=(SubItem("1.", "주파수 합성기 3B001.a에 해당하는 것", ("3B001.a",)),),
    control_numbers=("3B001.a",),
)
OLD = [LAPTOP, DEVICES_1, CHIPS, ENGINES, DEVICES_2]
# Both No. 3 entries are renamed; 3의2 loses its sub-item's control number.
NEW = [
    LAPTOP,
    dataclasses.replace(DEVICES_1, description="전자 장치 및 부분품"),
    CHIPS,
    dataclasses.replace(ENGINES, description="무인 항공기용 엔진 및 부분품"),
    DEVICES_2,
]
LATER = [
    *NEW[:4],
    dataclasses.replace(
        DEVICES_2, sub_items=(SubItem("1.", "주파수 합성기 3B001.a에 해당하는 것"),)
    ),
]


def _store(engine: Engine, label: str, items: list[ItemRecord], **extra: Any) -> None:
    new = store.NewVersion(
        slug="kr-russia",
        label=label,
        source_file=f"annex-{label}.xlsx",
        source_sha256=label[-1] * 64,
        source_sheet="별표2의2",
        actor="kim",
        approve=True,
        sections=[store.NewSection(1, PART_1), store.NewSection(2, PART_2, declared_total=3)],
        **extra,
    )
    with store.session_scope(engine) as session:
        store.store_version(session, new, items)


@pytest.fixture
def annex_db(initialised: str) -> str:
    """Three versions of a two-part annex, stored directly; the URL."""
    db_url = initialised
    engine = open_database(db_url)
    _store(engine, "2024-02", OLD, effective=dt.date(2024, 2, 1))
    _store(
        engine,
        "2024-06",
        NEW,
        effective=dt.date(2024, 7, 1),
        published=dt.date(2024, 6, 28),
        notice_number="제2024-123호",
        notice_authority="산업통상자원부",
        amendment="<개정 2024. 6. 28.>",
    )
    _store(engine, "2024-09", LATER, effective=dt.date(2024, 9, 1))
    engine.dispose()
    return db_url


# ---------------------------------------------------------------------------------- diff


def test_a_changed_sub_item_alone_is_one_modification_of_its_entry() -> None:
    changes = compare(NEW, LATER)
    assert [(c.kind, c.serial, c.section, c.fields) for c in changes.changes] == [
        ("modified", "3의2", 2, ("sub_items",))
    ]
    added = dataclasses.replace(
        DEVICES_2, sub_items=(*DEVICES_2.sub_items, SubItem("2.", "위상 고정 루프"))
    )
    assert [c.fields for c in compare([DEVICES_2], [added]).changes] == [("sub_items",)]


def test_stored_versions_pair_entries_within_their_part(annex_db: str) -> None:
    engine = open_database(annex_db)
    changes = diff_versions(engine, "kr-russia", "2024-02", "2024-06")
    found = [(c.kind, c.section, c.serial, c.fields) for c in changes.changes]
    assert sorted(found) == [
        ("modified", 1, "3", ("description",)),
        ("modified", 2, "3", ("description",)),
    ]
    later = diff_versions(engine, "kr-russia", "2024-06", "2024-09")
    assert [(c.kind, c.section, c.serial, c.fields) for c in later.changes] == [
        ("modified", 2, "3의2", ("sub_items",))
    ]
    assert later.unchanged == 4
    # The same name in part 1 and part 2 is two entries, whatever else changed.
    assert compare(OLD, OLD).unchanged == len(OLD)
    engine.dispose()


def test_change_reports_name_the_part_and_the_notice(
    annex_db: str, run_cli: RunCli, tmp_path: Path
) -> None:
    args = ("diff", "2024-02", "2024-06", "--list", "kr-russia")
    text = run_cli(*args, "--format", "csv", "--csv-dialect", "plain", db=annex_db, ok=True).stdout
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted((r["section"], r["serial"]) for r in rows) == [("1", "3"), ("2", "3")]
    part_2 = next(r for r in rows if r["section"] == "2")
    assert part_2["new_sub_items"] == "a. 왕복 피스톤 내연기관(8407.10)"

    data = json.loads(run_cli(*args, "--json", db=annex_db, ok=True).stdout)
    assert sorted(c["section"] for c in data["changes"]) == [1, 2]
    to = data["versions"]["to"]
    assert (to["notice_number"], to["notice_date"], to["amendment"]) == (
        "제2024-123호",
        "2024-06-28",
        "<개정 2024. 6. 28.>",
    )
    assert [(s["number"], s["title"], s["count"]) for s in to["sections"]] == [
        (1, PART_1, 2),
        (2, PART_2, 3),
    ]
    assert data["versions"]["from"]["notice_number"] is None

    summary = run_cli(*args, db=annex_db, ok=True).stdout
    assert "2024-06: notice 제2024-123호 of 2024-06-28, <개정 2024. 6. 28.>" in summary
    assert f"part 2 ({PART_2}): 1 change" in summary

    from openpyxl import load_workbook

    out = tmp_path / "changes.xlsx"
    run_cli(*args, "-o", out, "--lang", "en", db=annex_db, ok=True)
    book = load_workbook(out)
    values = [c for row in book["Summary"].iter_rows(values_only=True) for c in row if c]
    assert "제2024-123호, 2024-06-28, <개정 2024. 6. 28.>" in values
    assert f"{PART_2}: 3 entries" in values and "Part 2" in values
    header = [c.value for c in book["Modified"][1]]
    assert "Annex part" in header
    pdf = tmp_path / "changes.pdf"
    run_cli(*args, "-o", pdf, db=annex_db, ok=True)
    assert pdf.read_bytes().startswith(b"%PDF")


# ----------------------------------------------------------------------------- screening


def _screen(run_cli: RunCli, db: str, tmp_path: Path, rows: list[list[str]]) -> dict[str, Any]:
    catalogue = tmp_path / "catalogue.csv"
    lines = ["SKU,Description,HS코드,전략물자 해당번호", *(",".join(row) for row in rows)]
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli(
        "screen", catalogue, "--list", "kr-russia", "--version", "2024-06", "--json", db=db
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_classification_naming_a_referenced_control_number_is_for_review(
    annex_db: str, run_cli: RunCli, tmp_path: Path
) -> None:
    data = _screen(
        run_cli,
        annex_db,
        tmp_path,
        [
            ["S-1", "plastic toy", "9503.00", "3A001.a.3.b"],
            ["S-2", "plastic toy", "9503.00", "3A001"],
            ["S-3", "notebook", "8471.30", "3A001.a.3"],
            ["S-4", "plastic toy", "9503.00", "EAR99"],
            ["S-5", "plastic toy", "9503.00", ""],
        ],
    )
    rows = data["rows"]
    assert [r["status"] for r in rows] == ["review", "review", "controlled", "clear", "clear"]
    refined, broader = rows[0], rows[1]
    assert refined["entry"]["section"] == 1 and refined["entry"]["serial"] == "3"
    assert "entry No. 3 of part 1 (defined by specification)" in refined["reason"]
    assert 'sub-item a. "집적회로로서 3A001.a.3에 해당하는 것"' in refined["reason"]
    assert "3A001.a.3.b falls under 3A001.a.3" in refined["reason"]
    assert (
        "possibly" in broader["reason"] and "3A001 is broader than 3A001.a.3" in broader["reason"]
    )
    assert rows[2]["reason"].startswith("list entry No. 1 of part 1 (8471.30) covers")
    assert (data["notice_number"], data["notice_date"]) == ("제2024-123호", "2024-06-28")
    assert [s["title"] for s in data["sections"]] == [PART_1, PART_2]


def test_a_code_an_entry_mentions_is_for_review(
    annex_db: str, run_cli: RunCli, tmp_path: Path
) -> None:
    rows = _screen(
        run_cli,
        annex_db,
        tmp_path,
        [["E-1", "marine engine", "8407.10.1000", ""], ["E-2", "engine", "8407.21", ""]],
    )["rows"]
    assert [r["status"] for r in rows] == ["review", "clear"]
    reason = rows[0]["reason"]
    assert "list entry No. 3 of part 2 (defined by specification) mentions 8407.10" in reason
    assert 'sub-item a. "왕복 피스톤 내연기관(8407.10)"' in reason
    assert "its goods may be covered; read the entry" in reason


def test_screening_reports_carry_the_part_and_the_notice(
    annex_db: str, run_cli: RunCli, tmp_path: Path
) -> None:
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("SKU,HS코드\nC-1,8542.31\n", encoding="utf-8")
    out = tmp_path / "screen.csv"
    run_cli(
        "screen",
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "--csv-dialect",
        "plain",
        "-o",
        out,
        db=annex_db,
    )
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    assert (row["status"], row["entry_section"], row["entry_serial"]) == ("controlled", "2", "1")
    assert "entry No. 1 of part 2 (8542)" in row["reason"]
    book_path = tmp_path / "screen.xlsx"
    run_cli(
        "screen",
        catalogue,
        "--list",
        "kr-russia",
        "--version",
        "2024-06",
        "-o",
        book_path,
        db=annex_db,
    )
    from openpyxl import load_workbook

    summary = {r[0]: r[1] for r in load_workbook(book_path)["Summary"].iter_rows(values_only=True)}
    assert summary["Notice"] == "notice 제2024-123호 of 2024-06-28, <개정 2024. 6. 28.>"
    assert summary["Part 2"] == PART_2


# ------------------------------------------------------------ show, versions, check, export


def test_show_json_has_parts_sub_items_references_and_the_notice(
    annex_db: str, run_cli: RunCli
) -> None:
    args = ("show", "--list", "kr-russia", "--version", "2024-06")
    data = json.loads(run_cli(*args, "--json", db=annex_db, ok=True).stdout)
    assert data["notice"] == {
        "number": "제2024-123호",
        "authority": "산업통상자원부",
        "date": "2024-06-28",
        "amendment": "<개정 2024. 6. 28.>",
    }
    assert [
        (s["number"], s["title"], s["count"], s["declared_total"]) for s in data["sections"]
    ] == [
        (1, PART_1, 2, None),
        (2, PART_2, 3, 3),
    ]
    items = data["items"]
    assert [(i["section"], i["serial"]) for i in items] == [
        (PART_1, "1"),
        (PART_1, "3"),
        (PART_2, "1"),
        (PART_2, "3"),
        (PART_2, "3의2"),
    ]
    assert items[1]["sub_items"][0] == {
        "label": "a.",
        "path": "a",
        "text": "집적회로로서 3A001.a.3에 해당하는 것",
        "text_en": None,
        "control_numbers": ["3A001.a.3"],
        "sub_items": [],
    }
    assert items[1]["control_numbers"] == ["3A001.a.3"]
    assert items[3]["mentioned_codes"] == ["840710"]

    text = run_cli(*args, db=annex_db, ok=True).stdout
    assert f"Part 2: {PART_2}" in text and "notice 제2024-123호" in text
    assert "a. 왕복 피스톤 내연기관(8407.10)" in text

    only = json.loads(run_cli(*args, "--section", "러시아", "--json", db=annex_db).stdout)
    assert [i["serial"] for i in only["items"]] == ["1", "3", "3의2"]
    by_number = json.loads(run_cli(*args, "--section", "1", "--json", db=annex_db).stdout)
    assert [i["serial"] for i in by_number["items"]] == ["1", "3"]
    missing = run_cli(*args, "--section", "북한", db=annex_db)
    assert missing.exit_code != 0 and "no part of the version matches" in missing.output


def test_versions_check_and_export_name_the_notice_and_the_parts(
    annex_db: str, run_cli: RunCli, tmp_path: Path
) -> None:
    listed = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=annex_db).stdout)
    june = next(v for v in listed if v["label"] == "2024-06")
    assert june["notice"]["number"] == "제2024-123호"
    assert [(s["number"], s["count"]) for s in june["sections"]] == [(1, 2), (2, 3)]
    text = run_cli("versions", "--list", "kr-russia", db=annex_db, ok=True).stdout
    assert f"part 2 {PART_2}: 3 entries" in text

    checked = json.loads(
        run_cli(
            "check", "8542.31", "--list", "kr-russia", "--version", "2024-06", "--json", db=annex_db
        ).stdout
    )
    (result,) = checked["results"]
    assert result["entry"]["section"] == 2 and "of part 2" in result["reason"]
    assert checked["version"]["notice"]["number"] == "제2024-123호"

    out = tmp_path / "list.csv"
    export = ("export", "--list", "kr-russia", "2024-06", "-o", out, "--csv-dialect", "plain")
    run_cli(*export, db=annex_db, ok=True)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["section"] for r in rows] == ["1", "1", "2", "2", "2"]
    assert rows[2]["section_title"] == PART_2
    assert rows[1]["sub_items"] == "a. 집적회로로서 3A001.a.3에 해당하는 것\nb. 마이크로파 증폭기"
    assert rows[1]["control_numbers"] == "3A001.a.3" and rows[3]["mentioned_codes"] == "840710"
    exported = tmp_path / "list.json"
    run_cli("export", "--list", "kr-russia", "2024-06", "-o", exported, db=annex_db, ok=True)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["version"]["notice"]["date"] == "2024-06-28"
    assert data["items"][2]["section"] == PART_2 and data["items"][2]["section_number"] == 2


def test_a_one_part_list_and_the_annexs_part_2_pair_as_the_same_part(db_url: str) -> None:
    engine = open_database(db_url, create=True)
    part_2 = [CHIPS, ENGINES, DEVICES_2]
    one_part = [dataclasses.replace(item, section=1) for item in part_2]
    new = store.NewVersion(
        slug="kr-russia",
        label="2024-06",
        source_file="list.xlsx",
        source_sha256="7" * 64,
        source_sheet="별표2의2",
        actor="kim",
        approve=True,
        effective=dt.date(2024, 6, 28),
    )
    with store.session_scope(engine) as session:
        store.store_version(session, new, one_part)
    _store(engine, "annex", part_2, effective=dt.date(2024, 6, 28))
    changes = diff_versions(engine, "kr-russia", "2024-06", "annex")
    assert (list(changes.changes), changes.unchanged) == ([], 3)
    back = diff_versions(engine, "kr-russia", "annex", "2024-06")
    assert (list(back.changes), back.unchanged) == ([], 3)
    engine.dispose()


def test_a_diff_reports_its_progress_with_the_total(annex_db: str) -> None:
    engine = open_database(annex_db)

    class Progress:
        def __init__(self) -> None:
            self.total = 0
            self.done: list[int] = []

        def set_total(self, total: int) -> None:
            self.total = total

        def __call__(self, done: int) -> None:
            self.done.append(done)

    progress = Progress()
    diff_versions(engine, "kr-russia", "2024-02", "2024-06", progress=progress)
    assert progress.total == len(OLD) + len(NEW)
    assert progress.done == [len(OLD), len(OLD) + len(NEW)]
    engine.dispose()
