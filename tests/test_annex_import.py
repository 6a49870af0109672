"""The annex as the regulator writes it: parts, branch serials, sub-items and the notice.

Workbooks are built like the consolidated 별표 2의2 (two parts under one header,
specification entries with lettered sub-items, the notice above the header) and
imported through the real CLI on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from conftest import BuildOnce, RunCli
from openpyxl import Workbook
from sqlalchemy import create_engine
from sqlmodel import Session, select

from exportctl.models import Section, Version

CODES = (
    "030111 030119 030191 030192 030193 030194 030195 030199 030211 030213 "
    "030214 030219 030221 030222 030223 030224 030229 030231 030232 030233 030234 030235"
).split()
BASE = CODES[:10]
RUSSIA = "러시아·벨라루스 상황허가 대상 품목"
IRAN = "이란·파키스탄·시리아 관련 상황허가 대상 품목"
PART_ONE_SERIALS = ["1", "2", "3", "3의2", "3의3", *map(str, range(4, 21))]


def _annex(path: Path, *, notice: str = "산업통상자원부고시 제2024-123호(2024. 6. 28.)") -> Path:
    """Two parts under one header; part 2 opens with a specification entry and sub-items.

    Part 1: 22 entries (3의2, 3의3 among them), coded with codes part 2 also lists.
    Part 2: the specification entry (a., b. and a continuation line), then BASE and
    two more codes: 13 entries, of which 3 are new against a base of BASE.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "별표2의2"
    ws.append(["[별표 2의2] <개정 2024. 2. 24., 2024. 6. 28.>"])
    ws.append([notice])
    ws.append(["연번", "HS코드", "품목명", "영문품목명", "구분", "비고"])
    ws.append([f"1. {IRAN}"])
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=6)
    for serial, code in zip(PART_ONE_SERIALS, CODES, strict=True):
        ws.append([serial, code, f"품목 {code}", f"Item {code}", None, None])
    ws.append([f"2. {RUSSIA}"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
    ws.append([1, None, "전자 장치로서 다음 중 어느 하나에 해당하는 것", None, None, None])
    ws.append([None, None, "a. 3A001.a.3에 해당하는 집적회로", None, None, None])
    ws.append([None, None, "b. 왕복 피스톤 내연기관(8407.10)의 제어장치로서", None, None, None])
    ws.append([None, None, "2B350.g에 해당하는 부분품", None, None, None])
    for serial, code in enumerate(CODES[:12], 2):
        note = "제8407.10호의 것은 제외" if serial == 13 else None
        ws.append([serial, code, f"품목 {code}", f"Item {code}", None, note])
    ws.append([])
    ws.append(["※ HS코드는 6단위 기준임"])
    wb.save(path)
    return path


@pytest.fixture
def listed(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:
    """List ``kr-russia`` with the approved one-part version ``v1`` (BASE, serials 1-10)."""

    def build(folder: Path, db: str) -> None:
        run_cli("lists", "create", "kr-russia", "--name", RUSSIA, db=db, ok=True)
        base = write_list_workbook(folder / "base.xlsx", simple_rows(BASE))
        run_cli(
            "import", base, "--list", "kr-russia", "--version", "v1", "--effective", "2024-02-24",
            "--approve", db=db, ok=True,
        )  # fmt: skip

    return build_once(initialised, build)


def _show(run_cli: RunCli, db: str, label: str) -> dict[str, Any]:
    shown = run_cli("show", "kr-russia", "--version", label, "--json", db=db, ok=True)
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def _stored(url: str, label: str) -> tuple[Version, list[Section]]:
    engine = create_engine(url)
    with Session(engine) as session:
        version = session.exec(select(Version).where(Version.label == label)).one()
        sections = list(session.exec(select(Section).where(Section.version_id == version.id)))
        session.expunge_all()
    engine.dispose()
    return version, sorted(sections, key=lambda s: s.number)


def test_section_keeps_one_part_and_reconciles_it_against_a_one_part_base(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _annex(tmp_path / "annex.xlsx")
    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--effective", "2024-06-28",
        "--section", "러시아", "--base", "v1", "--declared-added", "3", "--declared-total", "13",
        db=listed,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        f'v2: 13 entries of part 2 "{RUSSIA}" (3 added, 0 removed against v1) from annex.xlsx'
    ) in result.output
    assert "; notice 제2024-123호 of 2024-06-28" in result.output
    assert (
        f'part 1 "{IRAN}" (22 entries) was read and left out: not in --section 러시아'
    ) in result.output
    assert 'read as the rest of sub-item "b." of the entry above' in result.output
    assert "count-mismatch" not in result.output and "added-mismatch" not in result.output

    items = _show(run_cli, listed, "v2")["items"]
    assert len(items) == 13  # sub-items are not entries
    assert all(isinstance(i["serial"], str) for i in items)
    assert [i["serial"] for i in items] == [str(n) for n in range(1, 14)]
    assert {i["section"] for i in items} <= {2, RUSSIA}
    spec = items[0]
    assert spec["code"] is None
    assert [s["label"] for s in spec["sub_items"]] == ["a.", "b."]
    assert spec["sub_items"][0]["control_numbers"] == ["3A001.a.3"]
    assert spec["sub_items"][1]["text"].endswith("제어장치로서 2B350.g에 해당하는 부분품")
    assert spec["control_numbers"] == ["3A001.a.3", "2B350.g"]
    assert spec["mentioned_codes"] == ["840710"]
    assert items[1]["code"] == BASE[0]
    assert items[12]["note"] == "제8407.10호의 것은 제외"
    assert items[12]["mentioned_codes"] == []  # an entry with its own code mentions none

    version, sections = _stored(listed, "v2")
    assert (version.notice_number, version.notice_authority) == ("제2024-123호", "산업통상자원부")
    assert version.published == dt.date(2024, 6, 28)
    assert version.amendment == "<개정 2024. 2. 24., 2024. 6. 28.>"
    assert version.item_count == 13 and version.declared_total == 13
    assert [
        (s.number, s.title, s.item_count, s.declared_total, s.declared_added) for s in sections
    ] == [(2, RUSSIA, 13, 13, 3)]


def test_every_part_is_stored_with_its_own_numbering_and_counts(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _annex(tmp_path / "annex.xlsx")
    plain = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--declared-total", "35",
        db=listed,
    )  # fmt: skip
    assert plain.exit_code == 2, plain.output
    assert "--declared-total 2=1402" in plain.output and "--section" in plain.output

    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--declared-total", "1=22",
        "--declared-total", "2=13", "--json", db=listed,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Part 1 lists codes part 2 lists too: each part is checked on its own.
    assert not [f for f in data["findings"] if f["severity"] == "error"]
    assert [
        (s["number"], s["title"], s["count"], s["declared"]["total"]) for s in data["sections"]
    ] == [
        (1, IRAN, 22, 22),
        (2, RUSSIA, 13, 13),
    ]
    assert data["notice"]["number"] == "제2024-123호"
    rules = {f["rule"] for f in data["findings"]}
    assert not rules & {"missing-serial", "orphan-branch", "duplicate-serial", "no-code"}

    items = _show(run_cli, listed, "v2")["items"]
    assert len(items) == 35
    first = [i["serial"] for i in items[:6]]
    assert first == ["1", "2", "3", "3의2", "3의3", "4"]
    _, sections = _stored(listed, "v2")
    assert [(s.number, s.item_count) for s in sections] == [(1, 22), (2, 13)]

    wrong = run_cli(
        "validate", path, "--list", "kr-russia", "--declared-total", "1=22",
        "--declared-total", "2=14", "--json", db=listed,
    )  # fmt: skip
    assert wrong.exit_code == 1
    mismatch = [f for f in json.loads(wrong.stdout)["findings"] if f["rule"] == "count-mismatch"]
    assert [f["message"][:40] for f in mismatch] == [f'part 2 "{RUSSIA}": the version has 13'[:40]]


@pytest.mark.parametrize(
    ("section", "found"),
    [("북한", "matches no part"), ("대상", "matches 2 parts"), ("3", "matches no part")],
)
def test_a_section_matching_nothing_or_several_lists_the_parts(
    run_cli: RunCli, listed: str, tmp_path: Path, section: str, found: str
) -> None:
    path = _annex(tmp_path / "annex.xlsx")
    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--section", section, db=listed
    )
    assert result.exit_code == 2, result.output
    assert f'--section "{section}" {found}' in result.output
    assert f'part 1 "{IRAN}" (22 entries), part 2 "{RUSSIA}" (13 entries)' in result.output
    assert "v2" not in _versions(run_cli, listed)


def _versions(run_cli: RunCli, db: str) -> list[str]:
    listed = run_cli("versions", "--list", "kr-russia", "--json", db=db, ok=True)
    return [v["label"] for v in json.loads(listed.stdout)]


def test_section_by_number_and_a_declared_count_for_another_part(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _annex(tmp_path / "annex.xlsx")
    ok = run_cli(
        "validate", path, "--list", "kr-russia", "--section", "1", "--declared-total", "22",
        "--json", db=listed,
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["count"] == 22
    assert [s["stored"] for s in data["sections"]] == [True, False]
    other = run_cli(
        "validate", path, "--list", "kr-russia", "--section", "1", "--declared-total", "2=13",
        db=listed,
    )  # fmt: skip
    assert other.exit_code == 2
    assert "declared counts are given for part 2, which is not stored" in other.output


def test_branches_sub_items_without_an_entry_and_twelve_with_a_bracket(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    rows = [
        (None, None, "a. 3A001에 해당하는 것", None, None, None),
        ("1)", CODES[0], "품목", None, None, None),
        ("2.", CODES[1], "품목", None, None, None),
        ("3의2", CODES[2], "품목", None, None, None),
        ("4", CODES[3], "품목", None, None, None),
    ]
    path = write_list_workbook(tmp_path / "branches.xlsx", rows)
    result = run_cli("validate", path, "--list", "kr-russia", "--json", db=listed)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert by_rule["orphan-branch"]["message"] == "branch 3의2 has no entry 3"
    assert by_rule["orphan-sub-item"]["row"] == 6
    assert "missing-serial" not in by_rule  # 3 only has a branch: not also a gap
    assert "empty-item" not in by_rule and "malformed-serial" not in by_rule
    assert data["count"] == 4


def test_notice_option_overrides_the_file_and_a_different_number_is_warned(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _annex(tmp_path / "annex.xlsx")
    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--section", "2",
        "--notice", "고시 제2024-0130호", "--notice-date", "2024. 7. 1.", db=listed,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "the file names notice 제2024-123호 but --notice gives 제2024-130호" in result.output
    assert "; notice 제2024-130호 of 2024-07-01" in result.output
    version, _ = _stored(listed, "v2")
    assert (version.notice_number, version.published) == ("제2024-130호", dt.date(2024, 7, 1))

    bad = run_cli("validate", path, "--list", "kr-russia", "--notice", "제3호", db=listed)
    assert bad.exit_code == 2 and "is not a notice number" in bad.output


def test_one_part_file_reads_as_before(run_cli: RunCli, listed: str, tmp_path: Path) -> None:
    path = write_list_workbook(tmp_path / "more.xlsx", simple_rows(CODES[:12]))
    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--base", "v1",
        "--declared-total", "12", "--json", db=listed,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["count"], data["added"], data["removed"]) == (12, 2, 0)
    assert data["sections"] == [
        {
            "number": 1,
            "title": None,
            "count": 12,
            "read": 12,
            "stored": True,
            "declared": {"total": 12, "added": None, "removed": None},
        }
    ]
    assert data["notice"] is None
    _, sections = _stored(listed, "v2")
    assert [(s.number, s.title, s.item_count) for s in sections] == [(1, "", 12)]


def test_sub_items_printed_inside_the_entrys_own_cell_are_taken_out(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["연번", "HS코드", "품목명", "영문품목명"])
    ws.append(
        [
            1,
            None,
            "수치제어 공작기계로서 다음 각 목의 어느 하나에 해당하는 것\n"
            "a. 선반으로서 2B001.a에 해당하는 것\nb. 밀링 기계로서 2B001.b에 해당하는 것",
            "Numerically controlled machine tools, as follows: a. Turning machines "
            "specified in 2B001.a b. Milling machines specified in 2B001.b",
        ]
    )
    ws.append([2, "8471.30", "휴대용 컴퓨터 e.g. 노트북 b. 태블릿", "Laptops"])
    wb.save(tmp_path / "inline.xlsx")
    run_cli("lists", "create", "inline", "--name", "test", db=initialised, ok=True)
    run_cli("import", tmp_path / "inline.xlsx", "--list", "inline", "--version", "v1",
            db=initialised, ok=True)  # fmt: skip
    shown = run_cli("show", "--list", "inline", "--version", "v1", "--json", db=initialised)
    first, second = json.loads(shown.stdout)["items"]
    assert first["description"] == "수치제어 공작기계로서 다음 각 목의 어느 하나에 해당하는 것"
    assert first["description_en"] == "Numerically controlled machine tools, as follows:"
    assert [(s["label"], s["control_numbers"]) for s in first["sub_items"]] == [
        ("a.", ["2B001.a"]),
        ("b.", ["2B001.b"]),
    ]
    assert first["sub_items"][0]["text"] == "선반으로서 2B001.a에 해당하는 것"
    assert first["sub_items"][0]["text_en"] == "Turning machines specified in 2B001.a"
    # A coded entry keeps its text whole; a lone "b." is not a run of labels.
    assert second["sub_items"] == [] and second["description"].endswith("b. 태블릿")
