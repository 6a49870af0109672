"""The diff engine: each change kind, its rules, determinism, --fields and the tie-out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from exportctl.diff import (
    COMPARABLE_FIELDS,
    DEFAULT_FIELDS,
    ChangeSet,
    VersionInfo,
    compare,
    parse_fields,
    significant_prefix,
    summarise,
)
from exportctl.errors import ExportctlError, InputError
from exportctl.models import ItemRecord


def item(
    serial: int | None,
    code: str | None,
    description: str,
    en: str | None = None,
    *,
    category: str | None = None,
    note: str | None = None,
    ex: bool = False,
) -> ItemRecord:
    return ItemRecord(
        serial=serial,
        code=code,
        level=len(code) if code else None,
        ex=ex,
        description=description,
        description_en=en,
        category=category,
        note=note,
    )


def kinds(changes: ChangeSet) -> list[tuple[str, str | None, str | None]]:
    return [(c.kind, c.old_code, c.code) for c in changes.changes]


def test_identical_versions_have_no_changes() -> None:
    items = [item(1, "010121", "순종 번식용 말"), item(2, "847130", "휴대용 컴퓨터")]
    changes = compare(items, list(items))
    assert changes.changes == ()
    assert (changes.before, changes.after, changes.unchanged) == (2, 2, 2)
    assert (changes.added, changes.removed) == (0, 0)


def test_added_and_removed() -> None:
    old = [item(1, "010121", "말"), item(2, "030211", "송어")]
    new = [item(1, "010121", "말"), item(2, "847150", "처리장치")]
    changes = compare(old, new)
    assert kinds(changes) == [("removed", "030211", "030211"), ("added", None, "847150")]
    added = changes.of_kind("added")[0]
    assert added.old is None and added.new is not None and added.fields == ()
    assert (changes.added, changes.removed, changes.unchanged) == (1, 1, 1)


def test_modified_lists_each_field_old_and_new() -> None:
    old = [item(1, "847130", "노트북", "Laptops", category="A", note="n")]
    new = [item(1, "847130", "휴대용 컴퓨터", "Laptops", category="B", note="n")]
    (change,) = compare(old, new).changes
    assert change.kind == "modified"
    assert change.fields == ("description", "category")
    assert change.diffs() == [("description", "노트북", "휴대용 컴퓨터"), ("category", "A", "B")]


def test_ex_flag_change_is_a_modification() -> None:
    (change,) = compare(
        [item(1, "853669", "플러그")], [item(1, "853669", "플러그", ex=True)]
    ).changes
    assert (change.kind, change.fields) == ("modified", ("ex",))


def test_renumbered_when_only_the_serial_moved() -> None:
    old = [item(1, "010121", "말"), item(2, "847130", "노트북")]
    new = [item(1, "010121", "말"), item(5, "847130", "노트북")]
    (change,) = compare(old, new).changes
    assert (change.kind, change.fields, change.serial) == ("renumbered", ("serial",), 5)
    assert change.old is not None and change.old.serial == 2


def test_renumbered_and_changed_is_one_modified_change() -> None:
    (change,) = compare([item(2, "847130", "노트북")], [item(5, "847130", "컴퓨터")]).changes
    assert change.kind == "modified"
    assert change.fields == ("serial", "description")


def test_fields_option_limits_what_counts() -> None:
    old = [item(1, "847130", "노트북", note="2024. 2."), item(2, "847141", "기타")]
    new = [item(9, "847130", "노트북", note="2024. 6."), item(3, "847141", "기타", "Other")]
    assert [c.kind for c in compare(old, new).changes] == ["modified", "modified"]
    only_description = compare(old, new, fields=("description",))
    assert only_description.changes == ()
    assert only_description.unchanged == 2
    notes = compare(old, new, fields=parse_fields("note"))
    assert [(c.code, c.fields) for c in notes.changes] == [("847130", ("note",))]


def test_parse_fields() -> None:
    assert parse_fields(None) == DEFAULT_FIELDS
    assert parse_fields(" description, category ,description") == ("description", "category")
    with pytest.raises(InputError, match='unknown field "code"') as info:
        parse_fields("description,code")
    assert isinstance(info.value, ExportctlError)
    with pytest.raises(InputError, match="at least one"):
        parse_fields(",")
    with pytest.raises(InputError):
        compare([], [], fields=("row",))
    assert set(DEFAULT_FIELDS) == set(COMPARABLE_FIELDS)


def test_recoded_by_unique_description_under_the_same_heading() -> None:
    old = [item(1, "3824999051", "전해액", "Electrolytes"), item(2, "3824999059", "기타")]
    new = [item(1, "3824999053", "전해액", "Electrolytes"), item(2, "3824999059", "기타")]
    (change,) = compare(old, new).changes
    assert change.kind == "recoded"
    assert (change.old_code, change.code) == ("3824999051", "3824999053")
    assert change.fields == ("code",)


def test_recode_keeps_field_changes() -> None:
    old = [item(1, "3824999051", "전해액", "Electrolytes")]
    new = [item(4, "3824999053", "전해액", "Electrolyte solutions")]
    (change,) = compare(old, new).changes
    assert change.kind == "recoded"
    assert change.fields == ("code", "serial", "description_en")


@pytest.mark.parametrize("generic", ["기타", "Other", "그 밖의 것", "other:", "기타 "])
def test_generic_names_never_make_a_recode(generic: str) -> None:
    # Unique in both versions and under the same heading, but a generic name.
    old = [item(1, "8501339000", generic)]
    new = [item(1, "8501338000", generic)]
    assert [c.kind for c in compare(old, new).changes] == ["added", "removed"]


def test_a_description_repeated_elsewhere_is_not_a_recode() -> None:
    old = [item(1, "8501339000", "부분품"), item(2, "8503001000", "부분품")]
    new = [item(1, "8501338000", "부분품"), item(2, "8503001000", "부분품")]
    assert sorted(c.kind for c in compare(old, new).changes) == ["added", "removed"]


def test_a_recode_needs_a_shared_heading() -> None:
    old = [item(1, "9031801000", "초음파 어군탐지기")]
    new = [item(1, "9014801000", "초음파 어군탐지기")]
    assert sorted(c.kind for c in compare(old, new).changes) == ["added", "removed"]


def test_same_coverage_is_a_recode_whatever_the_description() -> None:
    old = [item(1, "8471300000", "휴대용 자동자료처리기계")]
    new = [item(1, "847130", "Portable ADP machines")]
    (change,) = compare(old, new).changes
    assert (change.kind, change.old_code, change.code) == ("recoded", "8471300000", "847130")
    assert change.fields == ("code", "description")


def test_split_into_sub_codes() -> None:
    old = [item(1, "2903890000", "기타 할로겐화 유도체"), item(2, "2903910000", "클로로벤젠")]
    new = [
        item(3, "2903891000", "헥사브로모사이클로도데칸"),
        item(4, "2903899000", "기타"),
        item(2, "2903910000", "클로로벤젠"),
    ]
    changes = compare(old, new)
    assert [(c.kind, c.old is not None, c.code, c.related) for c in changes.changes] == [
        ("split", True, "2903890000", ("2903891000", "2903899000")),
        ("split", False, "2903891000", ("2903890000",)),
        ("split", False, "2903899000", ("2903890000",)),
    ]
    # The tie-out still counts items: two codes are new, one is gone.
    assert (changes.added, changes.removed, changes.counts()["split"]) == (2, 1, 3)


def test_heading_narrowed_to_a_subheading_is_a_split() -> None:
    (parent, child) = compare(
        [item(1, "8471", "자동자료처리기계")], [item(1, "847130", "휴대용")]
    ).changes
    assert (parent.kind, parent.old_code, parent.related) == ("split", "8471", ("847130",))
    assert (child.kind, child.code, child.related) == ("split", "847130", ("8471",))


def test_merge_of_sub_codes_into_their_parent() -> None:
    old = [item(1, "8101961000", "필라멘트"), item(2, "8101969000", "기타")]
    new = [item(1, "8101960000", "선(線)")]
    changes = compare(old, new)
    assert [(c.kind, c.new is not None, c.code, c.related) for c in changes.changes] == [
        ("merged", True, "8101960000", ("8101961000", "8101969000")),
        ("merged", False, "8101961000", ("8101960000",)),
        ("merged", False, "8101969000", ("8101960000",)),
    ]
    assert (changes.added, changes.removed) == (1, 2)


def test_siblings_are_not_a_split() -> None:
    # 3824999051 covers nothing but itself: a new 3824999053 is not its sub-code.
    old = [item(1, "3824999051", "기타")]
    new = [item(1, "3824999053", "기타")]
    assert sorted(c.kind for c in compare(old, new).changes) == ["added", "removed"]


def test_significant_prefix() -> None:
    assert significant_prefix("0102909000") == "01029090"
    assert significant_prefix("8706000000") == "8706"
    assert significant_prefix("8471") == "8471"
    assert significant_prefix("850400") == "8504"
    assert significant_prefix("3824999051") == "3824999051"


def test_items_without_code_match_by_description_then_serial() -> None:
    old = [
        item(1, None, "전략물자 관련 품목"),
        item(2, None, "승용차 (배기량 2,000cc 초과)"),
        item(3, None, "폐지된 품목"),
    ]
    new = [
        item(1, None, "전략물자 관련 품목"),
        item(2, None, "승용차 (배기량 1,900cc 초과)"),
        item(4, None, "새 품목"),
    ]
    changes = compare(old, new)
    got = [(c.kind, c.old.description if c.old else None) for c in changes.changes]
    # Items without a code are listed after coded ones, by serial number.
    assert got == [
        ("modified", "승용차 (배기량 2,000cc 초과)"),
        ("removed", "폐지된 품목"),
        ("added", None),
    ]
    assert changes.changes[0].fields == ("description",)
    assert changes.unchanged == 1


def test_order_is_deterministic_and_by_code() -> None:
    rng = random.Random(7)
    old = [item(i, f"{8400 + i:04d}{i % 7:02d}", f"품목 {i}") for i in range(1, 300)]
    new = [dataclasses.replace(x) for x in old if x.serial and x.serial % 11]
    new += [item(1000 + i, f"{9000 + i:04d}00", f"새 품목 {i}") for i in range(40)]
    new[5] = dataclasses.replace(new[5], description="바뀐 이름")
    first = compare(old, new)
    for _ in range(5):
        rng.shuffle(old)
        rng.shuffle(new)
        again = compare(old, new)
        assert again.changes == first.changes
    codes = [c.code for c in first.changes]
    assert codes == sorted(codes, key=lambda c: c or "")


def test_codeless_changes_come_after_coded_ones() -> None:
    old = [item(1, None, "이름만 있는 품목"), item(2, "847130", "노트북")]
    changes = compare(old, [])
    assert [c.code for c in changes.changes] == ["847130", None]


def test_repeated_keys_do_not_lose_items() -> None:
    old = [item(1, "847130", "a"), item(2, "847130", "b")]
    new = [item(1, "847130", "a")]
    changes = compare(old, new)
    assert (changes.before, changes.after, changes.removed) == (2, 1, 1)
    assert changes.before + changes.added - changes.removed == changes.after


def test_large_versions_compare_by_key() -> None:
    n = 60_000
    old = [item(i, f"{1000000000 + i * 7}", f"품목 {i}") for i in range(n)]
    new = [x for x in old if x.serial is not None and x.serial % 50]
    new += [item(n + i, f"{9000000001 + i * 7}", f"새 {i}") for i in range(500)]
    changes = compare(old, new)
    assert changes.removed == n // 50
    assert changes.added == 500
    assert changes.unchanged == n - n // 50


def _with_versions(changes: ChangeSet, **declared: int) -> ChangeSet:
    return dataclasses.replace(
        changes,
        list_slug="kr-russia",
        old_version=VersionInfo("2024-02", dt.date(2024, 2, 24), "a.xlsx", "a" * 64),
        new_version=VersionInfo("2024-06", dt.date(2024, 8, 30), "b.xlsx", "b" * 64, **declared),
    )


def _korean_list(base: int = 1159, extra: int = 243) -> tuple[list[ItemRecord], list[ItemRecord]]:
    chapters = ["27", "28", "29", "38", "39", "72", "84", "85", "87", "90"]
    codes = [
        f"{chapters[i % 10]}{(i // 10) % 100:02d}{i // 1000 + 10:02d}" for i in range(base + extra)
    ]
    items = [item(i + 1, code, f"품목 {i + 1}") for i, code in enumerate(codes)]
    return items[:base], items


def test_summary_ties_out_against_the_notice() -> None:
    old, new = _korean_list()
    changes = _with_versions(
        compare(old, new), declared_total=1402, declared_added=243, declared_removed=0
    )
    summary = summarise(changes)
    assert (summary.before, summary.added, summary.removed, summary.after) == (1159, 243, 0, 1402)
    assert summary.reconciles
    assert summary.statements[0] == (
        "1,159 before + 243 added − 0 removed = 1,402; the new version has 1,402 items: reconciles."
    )
    assert len(summary.statements) == 5
    assert sum(g.total for g in summary.by_section) == 243
    assert [g.key for g in summary.by_section] == ["V", "VI", "VII", "XV", "XVI", "XVII", "XVIII"]
    assert summary.by_chapter[0].key == "27"
    data = summary.to_json()
    assert data["declared"] == {"total": 1402, "added": 243, "removed": 0}
    assert data["kinds"]["added"] == 243


def test_summary_says_plainly_when_it_does_not_reconcile() -> None:
    old, new = _korean_list()
    changes = _with_versions(compare(old, new[:-1]), declared_total=1402, declared_added=243)
    summary = summarise(changes)
    assert not summary.reconciles
    assert "the notice declares 1,402 items; the new version has 1,401: DOES NOT RECONCILE." in (
        summary.statements
    )
    assert "the notice declares 243 added; 242 codes are new: DOES NOT RECONCILE." in (
        summary.statements
    )


def test_summary_without_declared_figures_and_codeless_items() -> None:
    changes = compare([item(1, None, "이름")], [item(1, "999999", "모름")])
    summary = summarise(changes)
    assert summary.reconciles and len(summary.statements) == 1
    assert [g.key for g in summary.by_section] == ["?", "—"]
