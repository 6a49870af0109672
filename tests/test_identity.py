"""One identity for an entry across versions and one tie-out (issue 20, item 7).

The import's counts against its base and ``diff``'s summary must agree for any two
versions: a widened range, a changed ``ex`` mark, renumbered serials, a reworded
entry defined by name and parts that moved are the same for both.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from builders import AnnexRow, annex_grid, write_annex_csv
from conftest import RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportctl.diff import compare, summarise
from exportctl.identity import (
    CODE_KEY,
    NO_CODE,
    Declared,
    Keys,
    PartSide,
    entry_key,
    has_code,
    item_key,
    match,
    named,
    pair_parts,
    serial_key,
    tie_out,
)
from exportctl.models import ItemRecord
from exportctl.parts import AnnexReport, validate_annex
from exportctl.readers import LIST_SCHEMA, read_table
from exportctl.reconcile import DECLARED_RULES

RUSSIA = "2. 러시아·벨라루스 상황허가 대상 품목"
IRAN = "1. 이란·파키스탄·시리아 관련 상황허가 대상 품목"

Parts = Sequence[tuple[str, Sequence[AnnexRow]]]


def _row(serial: int, code: str | None, text: str) -> AnnexRow:
    return (serial, code, text, None, None, None)


def _read(path: Path, parts: Parts, *, base: AnnexReport | None = None) -> AnnexReport:
    write_annex_csv(path, annex_grid(parts))
    if base is None:
        return validate_annex(read_table(path, LIST_SCHEMA))
    # As an import with --base: the base's entries and its parts' titles.
    return validate_annex(
        read_table(path, LIST_SCHEMA),
        base_items=base.report.items,
        base_label="old",
        base_sections={part.number: part.title for part in base.parts},
    )


def _both(tmp_path: Path, old_parts: Parts, new_parts: Parts) -> tuple[Any, Any]:
    """What the import counts against the base, and the change set ``diff`` makes."""
    old = _read(tmp_path / "old.csv", old_parts)
    imported = _read(tmp_path / "new.csv", new_parts, base=old)
    new = _read(tmp_path / "plain.csv", new_parts)
    # As `diff` does (api.diff_versions): the old version in the new one's part numbers.
    pairs = pair_parts(_sides(old), _sides(new))
    old_items = [
        dataclasses.replace(i, section=pairs.get(i.section, i.section)) for i in old.report.items
    ]
    return imported.report, compare(old_items, new.report.items)


def _sides(report: AnnexReport) -> dict[int, PartSide]:
    keys: dict[int, set[str]] = {}
    for item in report.report.items:
        keys.setdefault(item.section, set()).add(item_key(item, in_part=True))
    return {
        p.number: PartSide(p.title, frozenset(keys.get(p.number, ())))
        for p in report.parts
        if p.count
    }


CASES: dict[str, tuple[Parts, Parts, tuple[int, int, int]]] = {
    # name: (old, new, (added, removed, modified))
    "range end widened": (
        [(RUSSIA, [_row(1, "8471 30 – 8471 50", "컴퓨터"), _row(2, "8802.40", "항공기")])],
        [(RUSSIA, [_row(1, "8471 30 – 8471 60", "컴퓨터"), _row(2, "8802.40", "항공기")])],
        (0, 0, 1),
    ),
    "range narrowed to its first code": (
        [(RUSSIA, [_row(1, "8471 30 – 8471 50", "컴퓨터")])],
        [(RUSSIA, [_row(1, "8471.30", "컴퓨터")])],
        (0, 0, 1),
    ),
    "ex mark dropped and added": (
        [(RUSSIA, [_row(1, "ex 8504.40", "변환기"), _row(2, "8802.40", "항공기")])],
        [(RUSSIA, [_row(1, "8504.40", "변환기"), _row(2, "ex 8802.40", "항공기")])],
        (0, 0, 2),
    ),
    "serials renumbered": (
        [(RUSSIA, [_row(1, "8504.40", "변환기"), _row(2, "8802.40", "항공기")])],
        [
            (
                RUSSIA,
                [
                    _row(1, "8471.30", "컴퓨터"),
                    _row(2, "8504.40", "변환기"),
                    _row(3, "8802.40", "항공기"),
                ],
            )
        ],  # fmt: skip
        (1, 0, 0),
    ),
    "entry defined by name reworded under its serial": (
        [(RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, None, "특수 장비 가")])],
        [(RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, None, "특수 장비 나")])],
        (0, 0, 1),
    ),
    "entry defined by name renumbered": (
        [(RUSSIA, [_row(1, None, "특수 장비 가"), _row(2, "8802.40", "항공기")])],
        [(RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, None, "특수 장비 가")])],
        (0, 0, 0),
    ),
    "entry defined by name reworded and renumbered": (
        [(RUSSIA, [_row(1, None, "특수 장비 가"), _row(2, "8802.40", "항공기")])],
        [(RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, None, "특수 장비 나")])],
        (1, 1, 0),
    ),
    "entry moved to another part": (
        [(IRAN, [_row(1, "8471.30", "컴퓨터")]), (RUSSIA, [_row(1, "8802.40", "항공기")])],
        [
            (IRAN, [_row(1, "8504.40", "변환기")]),
            (RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, "8471.30", "컴퓨터")]),
        ],  # fmt: skip
        (2, 1, 0),
    ),
    "parts renumbered": (
        [(IRAN, [_row(1, "8471.30", "컴퓨터")]), (RUSSIA, [_row(1, "8802.40", "항공기")])],
        [
            (RUSSIA.replace("2.", "1.", 1), [_row(1, "8802.40", "항공기 (개정)")]),
            (IRAN.replace("1.", "2.", 1), [_row(1, "8471.30", "컴퓨터")]),
        ],  # fmt: skip
        (0, 0, 1),
    ),
    "code recoded and split": (
        [(RUSSIA, [_row(1, "8471.30", "컴퓨터"), _row(2, "2903.89", "할로겐화합물")])],
        [
            (
                RUSSIA,
                [
                    _row(1, "8471.30.0000", "컴퓨터"),
                    _row(2, "2903.89.1000", "가"),
                    _row(3, "2903.89.9000", "나"),
                ],
            )
        ],  # fmt: skip
        (3, 2, 0),
    ),
    # A one-part list without a title, revised by the full annex: its entries are in
    # the annex's second part, which it pairs with (not part 1 by number).
    "untitled list revised by the full annex": (
        [("", [_row(1, "8802.40", "항공기"), _row(2, "8471.30", "컴퓨터")])],
        [
            (IRAN, [_row(1, "8504.40", "변환기")]),
            (
                RUSSIA,
                [
                    _row(1, "8802.40", "항공기"),
                    _row(2, "8471.30", "컴퓨터"),
                    _row(3, "8479.89", "기계"),
                ],
            ),
        ],  # fmt: skip
        (2, 0, 0),
    ),
    # A part the new version no longer has: its entries are removed in both.
    "a part dropped": (
        [(IRAN, [_row(1, "8504.40", "변환기")]), (RUSSIA, [_row(1, "8802.40", "항공기")])],
        [(RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, "8471.30", "컴퓨터")])],
        (1, 1, 0),
    ),
    # A titled part added beside the list's one: all of its entries are added.
    "a part added": (
        [(RUSSIA, [_row(1, "8802.40", "항공기")])],
        [(IRAN, [_row(1, "8504.40", "변환기")]), (RUSSIA, [_row(1, "8802.40", "항공기")])],
        (1, 0, 0),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_import_and_diff_count_the_same_changes(tmp_path: Path, case: str) -> None:
    old_parts, new_parts, expected = CASES[case]
    imported, changes = _both(tmp_path, old_parts, new_parts)
    added, removed, modified = expected
    assert (changes.added, changes.removed, changes.modified) == expected
    assert (imported.added, imported.removed) == (added, removed)
    assert changes.before + changes.added - changes.removed == changes.after


def test_a_notice_declaring_a_widened_range_as_changed_reconciles_in_both(tmp_path: Path) -> None:
    old = [(RUSSIA, [_row(1, "8471 30 – 8471 50", "컴퓨터"), _row(2, "8802.40", "항공기")])]
    new = [(RUSSIA, [_row(1, "8471 30 – 8471 60", "컴퓨터"), _row(2, "8802.40", "항공기")])]
    base = _read(tmp_path / "old.csv", old).report.items
    write_annex_csv(tmp_path / "new.csv", annex_grid(new))
    imported = validate_annex(
        read_table(tmp_path / "new.csv", LIST_SCHEMA),
        declared=Declared(total=2, added=0, removed=0),
        base_items=base,
        base_label="old",
    ).report
    assert [f.rule for f in imported.findings if f.rule.endswith("mismatch")] == []
    changes = compare(base, imported.items)
    new_info = dataclasses.replace(_info(), declared_total=2, declared_added=0, declared_removed=0)
    assert summarise(dataclasses.replace(changes, new_version=new_info)).reconciles


def _info() -> Any:
    from exportctl.diff import VersionInfo

    return VersionInfo(label="new")


# --------------------------------------------------------------------------- property

_CODES = ["847130", "847141", "850440", "880240", "290389"]
_NAMES = ["특수 장비 가", "특수 장비 나", "정밀 측정기"]


@st.composite
def _entries(draw: st.DrawFn) -> list[AnnexRow]:
    rows: list[AnnexRow] = []
    for serial in range(1, draw(st.integers(1, 7)) + 1):
        if draw(st.booleans()):
            code = draw(st.sampled_from(_CODES))
            dotted = f"{code[:4]}.{code[4:]}"
            shape = draw(st.sampled_from(["code", "ex", "range"]))
            if shape == "ex":
                dotted = f"ex {dotted}"
            elif shape == "range":
                end = draw(st.sampled_from(["60", "70", "90"]))
                dotted = f"{code[:4]} {code[4:]} – {code[:4]} {end}"
            rows.append(_row(serial, dotted, f"품목 {code}"))
        else:
            rows.append(_row(serial, None, draw(st.sampled_from(_NAMES))))
    return rows


@st.composite
def _versions(draw: st.DrawFn) -> tuple[Parts, Parts]:
    """Two versions with the same parts, each holding entries; the new one may number
    its parts the other way round. (How parts pair when the sets of parts differ is
    :mod:`exportctl.entries`' business, not identity's.)"""
    if draw(st.booleans()):
        return [(RUSSIA, draw(_entries()))], [(RUSSIA, draw(_entries()))]
    old = [(IRAN, draw(_entries())), (RUSSIA, draw(_entries()))]
    new = [(IRAN, draw(_entries())), (RUSSIA, draw(_entries()))]
    if draw(st.booleans()):
        new = [(RUSSIA.replace("2.", "1.", 1), new[1][1]), (IRAN.replace("1.", "2.", 1), new[0][1])]
    return old, new


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pair=_versions())
def test_for_any_two_versions_the_import_counts_what_diff_counts(
    tmp_path: Path, pair: tuple[Parts, Parts]
) -> None:
    imported, changes = _both(tmp_path, *pair)
    assert (imported.added, imported.removed) == (changes.added, changes.removed)
    assert changes.before + changes.added - changes.removed == changes.after


# --------------------------------------------------------------------------- the module


def test_a_range_is_identified_by_its_first_code_and_ex_is_not_part_of_it() -> None:
    wide = ItemRecord("1", "847130", 6, False, "ADP", code_end="847160")
    narrow = ItemRecord("1", "847130", 6, True, "ADP", code_end="847150")
    assert item_key(wide) == item_key(narrow) == "847130"
    assert item_key(dataclasses.replace(wide, section=2)) == "2:847130"
    assert item_key(dataclasses.replace(wide, section=2), in_part=True) == "847130"


def test_an_entry_without_a_code_is_keyed_by_name_and_falls_back_on_its_serial() -> None:
    named = ItemRecord("3", None, None, False, "특수  장비 ")
    assert item_key(named) == entry_key(None, "특수 장비") == "name:특수 장비"
    assert serial_key(named) == "3"
    assert serial_key(dataclasses.replace(named, section=2)) == "2:3"
    assert serial_key(ItemRecord("3", "847130", 6, False, "ADP")) is None


def test_a_serial_used_twice_pairs_nothing() -> None:
    old = Keys.of(
        [ItemRecord("3", None, None, False, "가"), ItemRecord("3", None, None, False, "나")]
    )
    new = Keys.of([ItemRecord("3", None, None, False, "다")])
    found = match(old.fallbacks, new.fallbacks, fallback=lambda serial: serial)
    assert found.by_serial == [] and found.counts == (1, 2)


def test_a_key_listed_twice_counts_twice() -> None:
    twice = Keys.of([ItemRecord("1", "847130", 6, False, "a")] * 2)
    once = Keys.of([ItemRecord("1", "847130", 6, False, "a")])
    assert list(twice.fallbacks) == ["847130", "847130#2"]
    assert match(once.fallbacks, twice.fallbacks, fallback=lambda s: s).counts == (1, 0)


def test_tie_out_names_each_check_with_its_figures() -> None:
    checks = tie_out(5, 5, 2, 2, Declared(total=5, added=5, removed=0))
    assert [(c.name, c.ok) for c in checks] == [
        ("sum", True),
        ("declared_total", True),
        ("declared_added", False),
        ("declared_removed", False),
        ("declared_sum", False),
    ]
    assert checks[-1].figures == {
        "before": 5,
        "added": 5,
        "removed": 0,
        "computed": 10,
        "declared": 5,
    }


# --------------------------------------------------------------------------- end to end


def test_import_and_diff_agree_on_a_widened_range_and_a_reworded_entry(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    # Before identity had one home the import said 3 added and 2 removed here, diff
    # 2 and 1, and neither reconciled with the notice.
    old = [
        (RUSSIA, [_row(1, "8471 30 – 8471 50", "컴퓨터"), _row(2, None, "특수 장비 가"),
                  _row(3, "ex 8504.40", "변환기"), _row(4, "8802.40", "항공기")]),
    ]  # fmt: skip
    new = [
        (RUSSIA, [_row(1, "8471 30 – 8471 60", "컴퓨터"), _row(2, None, "특수 장비 나"),
                  _row(3, "8504.40", "변환기"), _row(4, "8802.40", "항공기"),
                  _row(5, "2903.89", "할로겐화합물")]),
    ]  # fmt: skip
    a = write_annex_csv(tmp_path / "a.csv", annex_grid(old))
    b = write_annex_csv(tmp_path / "b.csv", annex_grid(new))
    common = ("--list", "kr", "--approve", "--create-list")
    first = ("import", a, "--version", "a", "--effective", "2024-01-01", *common)
    run_cli(*first, db=initialised, ok=True)
    imported = run_cli(
        "import", b, "--version", "b", "--effective", "2024-06-01", "--base", "a", *common,
        "--declared-total", "5", "--declared-added", "1", "--declared-removed", "0",
        "--json", db=initialised,
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert (report["count"], report["added"], report["removed"]) == (5, 1, 0)
    assert [f["message"] for f in report["findings"] if f["rule"] in DECLARED_RULES] == []
    diffed = run_cli("diff", "a", "b", "--list", "kr", "--format", "json", db=initialised)
    assert diffed.exit_code == 0, diffed.output
    summary = json.loads(diffed.stdout)["summary"]
    assert (summary["added"], summary["removed"], summary["modified"]) == (1, 0, 3)
    assert summary["reconciles"], summary["statements"]
    assert summary["before"] + summary["added"] - summary["removed"] == summary["after"] == 5


@pytest.mark.parametrize("section", [None, "러시아"])
def test_import_and_diff_pair_the_same_parts_in_the_database(
    tmp_path: Path, run_cli: RunCli, initialised: str, section: str | None
) -> None:
    """An untitled one-part list revised by the full annex (and by its Russia part alone)."""
    old = [("", [_row(1, "8802.40", "항공기"), _row(2, "8471.30", "컴퓨터")])]
    new = [
        (IRAN, [_row(1, "8504.40", "변환기")]),
        (RUSSIA, [_row(1, "8802.40", "항공기"), _row(2, "8471.30", "컴퓨터"),
                  _row(3, "8479.89", "기계")]),
    ]  # fmt: skip
    a = write_annex_csv(tmp_path / "a.csv", annex_grid(old, lead=()))
    b = write_annex_csv(tmp_path / "b.csv", annex_grid(new))
    common = ("--list", "kr", "--approve", "--create-list")
    run_cli(
        "import", a, "--version", "a", "--effective", "2024-01-01", *common, db=initialised, ok=True
    )
    chosen = ("--section", section) if section else ()
    imported = run_cli(
        "import",
        b,
        "--version",
        "b",
        "--effective",
        "2024-06-01",
        "--base",
        "a",
        *common,
        *chosen,
        "--json",
        db=initialised,
    )
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    expected = (1, 0) if section else (2, 0)
    assert (report["added"], report["removed"]) == expected
    diffed = run_cli("diff", "a", "b", "--list", "kr", "--format", "json", db=initialised)
    summary = json.loads(diffed.stdout)["summary"]
    assert (summary["added"], summary["removed"]) == expected
    # The other way round: the Iran part is gone from the newer version.
    if section is None:
        c = write_annex_csv(tmp_path / "c.csv", annex_grid(old, lead=("별표",)))
        run_cli(
            "import",
            c,
            "--version",
            "c",
            "--effective",
            "2024-09-01",
            "--base",
            "b",
            *common,
            db=initialised,
            ok=True,
        )
        diffed = run_cli("diff", "b", "c", "--list", "kr", "--format", "json", db=initialised)
        summary = json.loads(diffed.stdout)["summary"]
        assert (summary["added"], summary["removed"]) == (0, 2)


_codes = st.sampled_from(["847130", "8471300000", "8471", "290389", *NO_CODE])


@settings(max_examples=200, deadline=None)
@given(
    a=st.tuples(_codes, st.sampled_from(["노트북", " 노트북", "변환기"]), st.integers(1, 3)),
    b=st.tuples(_codes, st.sampled_from(["노트북", " 노트북", "변환기"]), st.integers(1, 3)),
)
def test_code_key_names_the_columns_item_key_keys_an_entry_with_a_code_by(
    a: tuple[str | None, str, int], b: tuple[str | None, str, int]
) -> None:
    # A database pairs entries with a code on CODE_KEY alone (exportctl.store.paired).
    first, second = (
        ItemRecord("1", code, None, False, text, section=section) for code, text, section in (a, b)
    )
    assert has_code(first.code) != named(item_key(first, in_part=True))
    assert has_code(first.code) == (first.code not in NO_CODE)
    if has_code(first.code) and has_code(second.code):
        same_columns = all(getattr(first, c) == getattr(second, c) for c in CODE_KEY)
        assert (item_key(first) == item_key(second)) == same_columns
    elif has_code(first.code) != has_code(second.code):
        assert item_key(first) != item_key(second)
