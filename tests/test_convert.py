"""``convert``: a version in another HS edition through a correlation table, as a draft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import BuildOnce, RunCli

from exportctl.convert import convert_items
from exportctl.errors import InputError
from exportctl.hscode.correlation import (
    LEGAL_NOTICE,
    bundled,
    edition_name,
    load_csv,
    load_table,
)
from exportctl.models import ItemRecord

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

# HS2022 codes chosen for what the UN table does with them (HS2022 → HS2017):
ONE_TO_ONE_SAME = "010121"  # 0101.21 → 0101.21
ONE_TO_ONE_MOVED = "030910"  # 0309.10 → 0305.10
ONE_TO_N = "490590"  # 4905.90 → 4905.10, 4905.99 (split)
N_TO_ONE = "970610"  # 9706.10 and 9706.90 → 9706.00 (merged)


def _item(code: str | None, ex: bool = False, serial: str = "1") -> ItemRecord:
    return ItemRecord(serial, code, len(code) if code else None, ex, f"품목 {code}")


def test_the_shipped_tables_read_both_ways() -> None:
    table = bundled("HS2022", "HS2017")
    assert table.relationship(ONE_TO_ONE_MOVED) == "1:1"
    assert table.targets(ONE_TO_ONE_MOVED) == ("030510",)
    assert table.relationship(ONE_TO_N) == "1:n"
    assert table.targets(ONE_TO_N) == ("490510", "490599")
    assert table.relationship(N_TO_ONE) == "n:1"
    back = bundled("2017", "hs 2022")
    assert (back.source, back.target, back.reversed_from) == ("HS2017", "HS2022", True)
    assert back.targets("970600") == ("970610", "970690")
    assert back.relationship("970600") == "1:n"
    assert bundled("HS2012", "HS2017").source == "HS2012"
    with pytest.raises(InputError, match="no correlation table from HS2012 to HS2022"):
        bundled("HS2012", "HS2022")
    with pytest.raises(InputError, match="not an HS edition"):
        edition_name("H6")


def test_entries_convert_by_their_relationship() -> None:
    table = bundled("HS2022", "HS2017")
    items = [
        _item(ONE_TO_ONE_SAME),
        _item(ONE_TO_ONE_MOVED),
        _item(ONE_TO_N),
        _item(N_TO_ONE),
        _item(ONE_TO_ONE_SAME + "1000"),
        _item(ONE_TO_ONE_MOVED + "1000"),
        _item(N_TO_ONE + "1000"),
        _item("0101"),
        _item(None),
    ]
    conversion = convert_items(items, table)
    entries = conversion.entries
    assert [e.outcome for e in entries] == [
        "unchanged",
        "converted",
        "review",
        "review",
        "unchanged",
        "review",
        "review",
        "unchanged",
        "no_code",
    ]
    assert entries[1].after.code == "030510" and "0309.10 → HS2017 0305.10" in entries[1].note
    split = entries[2]
    assert split.relationship == "1:n"
    assert split.candidates == ("490510", "490599")
    assert split.after.code == ONE_TO_N  # the officer picks; nothing widened silently
    assert split.after.note == (
        "변환 검토 필요 / to check: 4905.90 → 4905.10, 4905.99 (1:n, HS2022 → HS2017)"
    )
    assert split.after.mentioned_codes == ("490510", "490599")
    merged = entries[3]
    assert (merged.relationship, merged.after.code, merged.after.ex) == ("n:1", "970600", True)
    # National digits are kept only on a subheading that converts 1:1.
    assert entries[4].after.code == "0101211000"
    assert entries[5].after.code == "0305101000" and "national" in entries[5].reason
    assert entries[6].after.code == "970600" and entries[6].after.ex
    assert conversion.counts == {"unchanged": 3, "converted": 1, "review": 4, "no_code": 1}


def test_a_heading_converts_only_when_its_subheadings_stay_together(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text(
        "HS2022,HS2028\n"
        "850110,850110\n850120,850120\n"  # heading 8501 stays whole
        "850211,850211\n850212,850311\n"  # heading 8502 spreads over 8502 and 8503
        "850410,850410\n860110,850410\n",  # heading 8504 receives 8601.10 too
        encoding="utf-8",
    )
    table = load_csv(path)
    heading_whole, heading_split, heading_inflow = convert_items(
        [_item("8501"), _item("8502"), _item("8504")], table
    ).entries
    assert heading_whole.outcome == "unchanged"
    assert heading_split.outcome == "review" and heading_split.candidates == ("8502", "8503")
    assert heading_split.after.code == "8502"
    assert heading_inflow.outcome == "review"
    assert (heading_inflow.after.code, heading_inflow.after.ex) == ("8504", True)


def test_a_user_table_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "hs2022_hs2028.csv"
    path.write_text("HS 2022,2028,Relationship\n8471.30,847130,1:1\n\n", encoding="utf-8")
    table = load_table(path, "HS2022", "HS2028")
    assert table.targets("847130") == ("847130",) and table.name == "hs2022_hs2028.csv"
    assert load_table(path, "HS2028", "HS2022").reversed_from
    with pytest.raises(InputError, match="correlates HS2022 and HS2028, not HS2017 and HS2022"):
        load_table(path, "HS2017", "HS2022")
    path.write_text("HS2022,HS2028\n84713,847130\n", encoding="utf-8")
    with pytest.raises(InputError, match='row 2, column "HS2022": "84713" is not a six-digit'):
        load_table(path)
    path.write_text("code,new\n847130,847130\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 1"):
        load_table(path)


def _hs2022_list(tmp_path: Path) -> Path:
    codes = [ONE_TO_ONE_SAME, ONE_TO_ONE_MOVED, ONE_TO_N, N_TO_ONE, "847130"]
    return write_list_workbook(tmp_path / "hs2022.xlsx", simple_rows(codes), two_row_header=False)


@pytest.fixture
def hs2022_db(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:

    def build(folder: Path, db: str) -> None:
        book = _hs2022_list(folder)
        args = (
            "import",
            "--create-list",
            "--approve",
            book,
            "--list",
            "kr-test",
            "--version",
            "v1",
        )
        run_cli(*args, "--effective", "2024-01-01", db=db, ok=True)

    return build_once(initialised, build)


def _events(run_cli: RunCli, db: str) -> list[dict[str, object]]:
    audit = json.loads(run_cli("audit", "--json", db=db, ok=True).stdout)
    events: list[dict[str, object]] = audit["events"] if isinstance(audit, dict) else audit
    return events


def test_convert_stores_an_audited_draft_based_on_the_version(
    run_cli: RunCli, hs2022_db: str
) -> None:
    result = run_cli("convert", "v1", "--list", "kr-test", "--to", "HS2017", db=hs2022_db, ok=True)
    out = result.stdout
    assert "kr-test v1 (HS2022) → v1-HS2017 (HS2017): stored as a DRAFT based on v1" in out
    assert "5 entries: 1 unchanged, 1 converted, 3 to review, 0 without a code" in out
    assert "4905.90 → 4905.10, 4905.99 (1:n, HS2022 → HS2017)" in out
    assert f"Note: {LEGAL_NOTICE}" in out
    shown = json.loads(
        run_cli(
            "show", "--list", "kr-test", "--version", "v1-HS2017", "--json", db=hs2022_db
        ).stdout
    )
    assert shown["status"] == "draft"
    codes = [item["code"] for item in shown["items"]]
    assert codes == [ONE_TO_ONE_SAME, "030510", ONE_TO_N, "970600", "847130"]
    assert shown["items"][2]["note"].startswith("변환 검토 필요")
    event = _events(run_cli, hs2022_db)[-1]
    assert event["action"] == "import" and event["version"] == "v1-HS2017"
    detail = event["detail"]
    assert isinstance(detail, dict)
    assert detail["converted_from"]["label"] == "v1"
    assert (detail["from_edition"], detail["to_edition"], detail["base"]) == (
        "HS2022",
        "HS2017",
        "v1",
    )
    assert [entry["code"] for entry in detail["review"]] == [ONE_TO_N, N_TO_ONE, "847130"]
    assert detail["review"][0]["candidates"] == ["490510", "490599"]
    assert detail["table"]["file"] == "hs2022_hs2017.csv"
    verified = run_cli("audit", "verify", db=hs2022_db)
    assert verified.exit_code == 0, verified.output
    # The converted version revises v1: diff reads it as any other revision.
    diffed = run_cli("diff", "v1", "v1-HS2017", "--list", "kr-test", db=hs2022_db)
    assert diffed.exit_code == 0, diffed.output
    # The same conversion twice is refused, not stored again.
    again = run_cli(
        "convert", "v1", "--list", "kr-test", "--to", "HS2017", "--version", "v1-b", db=hs2022_db
    )
    assert again.exit_code == 2
    assert again.stderr == (
        'Error: version "v1" of list "kr-test" was already converted to HS2017 with '
        'hs2022_hs2017.csv as version "v1-HS2017"; withdraw that version to convert again\n'
    )


def test_convert_json_and_a_user_table(tmp_path: Path, run_cli: RunCli, hs2022_db: str) -> None:
    table = tmp_path / "hs2022_hs2028.csv"
    table.write_text(
        "HS2022,HS2028\n010121,010121\n030910,030910\n490590,490590\n970610,970610\n"
        "847130,847131\n847130,847132\n",
        encoding="utf-8",
    )
    args = ("convert", "v1", "--list", "kr-test", "--to", "HS2028", "--table", table)
    result = run_cli(*args, "--version", "v1-28", "--json", db=hs2022_db, ok=True)
    data = json.loads(result.stdout)
    assert data["legal_notice"] == LEGAL_NOTICE
    assert (data["from_edition"], data["to_edition"], data["status"]) == (
        "HS2022",
        "HS2028",
        "draft",
    )
    assert data["table"]["file"] == "hs2022_hs2028.csv"
    assert data["counts"] == {"unchanged": 4, "converted": 0, "review": 1, "no_code": 0}
    assert data["review"][0]["candidates"] == ["847131", "847132"]
    assert run_cli("audit", "verify", db=hs2022_db).exit_code == 0


def test_convert_refuses_what_it_cannot_do(run_cli: RunCli, hs2022_db: str) -> None:
    same = run_cli("convert", "v1", "--list", "kr-test", "--to", "HS2022", db=hs2022_db)
    assert same.exit_code == 2
    assert "Error: the list is already in HS2022: give another --to edition" in same.stderr
    missing = run_cli("convert", "v1", "--list", "kr-test", "--to", "HS2028", db=hs2022_db)
    assert missing.exit_code == 2 and "give one with --table FILE" in missing.stderr
    taken = run_cli(
        "convert", "v1", "--list", "kr-test", "--to", "HS2017", "--version", "v1", db=hs2022_db
    )
    assert taken.exit_code == 2 and 'already has a version "v1"' in taken.stderr
    # Nothing of a refused conversion is stored.
    assert [e["action"] for e in _events(run_cli, hs2022_db)] == ["import", "approve"]


def test_the_converted_version_records_its_edition_and_from_must_agree(
    run_cli: RunCli, lists_db: str
) -> None:
    run_cli("convert", "2024-06", "--list", "kr-russia", "--to", "HS2017", db=lists_db, ok=True)
    shown = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=lists_db).stdout)
    editions = {v["label"]: v["hs_edition"] for v in shown}
    assert editions["2024-06-HS2017"] == "HS2017"
    assert "codes of HS2017" in run_cli("versions", "--list", "kr-russia", db=lists_db).stdout
    args = ("convert", "2024-06-HS2017", "--list", "kr-russia", "--to", "HS2012")
    refused = run_cli(*args, "--from", "HS2022", db=lists_db)
    assert refused.exit_code == 2 and "recorded in HS2017" in refused.stderr
    run_cli(*args, db=lists_db, ok=True)
