"""The diff engine: each change kind, its rules, determinism, --fields and the tie-out;
the stored-version path gives what :func:`compare` gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sqlite3
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from exportctl.diff import (
    CHANGE_KINDS,
    COMPARABLE_FIELDS,
    DEFAULT_FIELDS,
    ChangeSet,
    VersionInfo,
    compare,
    compare_stored,
    parse_fields,
    significant_prefix,
    summarise,
)
from exportctl.errors import ExportctlError, InputError
from exportctl.models import ItemRecord


def item(
    serial: int | str | None,
    code: str | None,
    description: str,
    en: str | None = None,
    *,
    category: str | None = None,
    note: str | None = None,
    ex: bool = False,
) -> ItemRecord:
    return ItemRecord(
        serial=str(serial) if serial is not None else None,
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
    assert (change.kind, change.fields, change.serial) == ("renumbered", ("serial",), "5")
    assert change.old is not None and change.old.serial == "2"


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
    new = [dataclasses.replace(x) for x in old if x.serial and int(x.serial) % 11]
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
    new = [x for x in old if x.serial is not None and int(x.serial) % 50]
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


# --------------------------------------------------------------------------- compare_stored


class ListVersion:
    """A version kept in a list, read the way :func:`compare_stored` reads a stored one."""

    def __init__(self, items: list[ItemRecord], *, seed: int = 0, utf8: bool = False) -> None:
        self.stored = list(items)
        self.seed = seed
        self.utf8 = utf8
        self.asked: list[tuple[frozenset[str] | None, bool]] = []

    def rows(self, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        rows = [tuple(self._value(i, name) for name in columns) for i in self.stored]
        random.Random(self.seed).shuffle(rows)  # no set order, as a database gives them
        return rows

    def _value(self, i: ItemRecord, name: str) -> Any:
        value = getattr(i, name)
        if self.utf8 and name != "code" and isinstance(value, str):
            return value.encode()  # text as its UTF-8 bytes, as on SQLite
        return value

    def items(self, codes: Collection[str] | None, *, codeless: bool) -> list[ItemRecord]:
        self.asked.append((None if codes is None else frozenset(codes), codeless))
        if codes is None:
            return list(self.stored)
        return [i for i in self.stored if i.code in codes or (codeless and not i.code)]


def _key_of(i: ItemRecord) -> str:
    return i.code or "name:" + " ".join(i.description.split())


def _unique(items: list[ItemRecord]) -> list[ItemRecord]:
    seen: set[str] = set()
    kept = []
    for i in items:
        if _key_of(i) not in seen:
            seen.add(_key_of(i))
            kept.append(i)
    return kept


_NAMES = ["부분품", "기타", "Other", "그 밖의 것", "전해액", "헥사브로모사이클로도데칸", "선(線)"]
_HEADINGS = ["2903", "3824", "8101", "8471", "8501"]


def _random_code(rng: random.Random) -> str:
    heading = rng.choice(_HEADINGS)
    digits = "".join(rng.choice("0019") for _ in range(6))
    code = heading + digits[: rng.choice([0, 2, 4, 6, 6, 6])]
    return code


def _random_item(rng: random.Random, serial: int | None) -> ItemRecord:
    codeless = rng.random() < 0.15
    code = None if codeless else _random_code(rng)
    if codeless and rng.random() < 0.3:
        code = ""
    if rng.random() < 0.4:
        description = rng.choice(_NAMES)
    else:
        description = f"품목 {rng.randrange(10**6)}"
    if codeless and rng.random() < 0.3:
        description = f"  {description}   (사양)"
    return ItemRecord(
        serial=str(serial) if serial is not None else None,
        code=code,
        level=len(code) if code else None,
        ex=rng.random() < 0.1,
        description=description,
        description_en=rng.choice([None, "", "Parts", f"Item {serial}"]),
        category=rng.choice([None, "전략물자 관련", "일반산업용 물품"]),
        note=rng.choice([None, None, "세부 사양은 고시 참조"]),
        sheet="별표",
        row=(serial or 0) + 5,
        original_code=code,
    )


def _revised(rng: random.Random, old: list[ItemRecord]) -> list[ItemRecord]:
    new: list[ItemRecord] = []
    for i in old:
        roll = rng.random()
        if roll < 0.08:
            continue  # removed
        if roll < 0.12 and i.code:  # a new code: same heading, sub-codes, or coverage
            code = rng.choice(
                [i.code[:4] + i.code[4:8] + "51", i.code + "10", i.code + "90", i.code.rstrip("0")]
            )
            new.append(dataclasses.replace(i, code=code[:10], level=len(code[:10])))
            continue
        if roll < 0.25:
            name = rng.choice(["description", "description_en", "category", "note", "ex"])
            value: Any = {
                "description": i.description + " (개정)",
                "description_en": rng.choice([None, "", "Changed"]),
                "category": rng.choice([None, "", "전자"]),
                "note": rng.choice([None, "2024. 6."]),
                "ex": not i.ex,
            }[name]
            i = dataclasses.replace(i, **{name: value})
        elif roll < 0.3:
            i = dataclasses.replace(i, serial=str(int(i.serial or 0) + rng.randrange(1, 4)))
        elif roll < 0.4:
            # Provenance only: never compared.
            i = dataclasses.replace(i, row=i.row + 40, sheet="새 시트", original_code=None)
        elif roll < 0.45 and not i.code:
            i = dataclasses.replace(i, description=" ".join(i.description.split()) + "\t")
        new.append(i)
    for n in range(len(old) // 10):
        new.append(_random_item(rng, 5000 + n))
    rng.shuffle(new)
    return _unique(new)


def _messy_pair(seed: int, size: int = 120) -> tuple[list[ItemRecord], list[ItemRecord]]:
    rng = random.Random(seed)
    old = _unique([_random_item(rng, rng.choice([s, s, s, None])) for s in range(1, size)])
    fixed_old = [
        item(9001, "8471300000", "휴대용 자동자료처리기계"),
        item(9002, "2903890000", "기타 할로겐화 유도체"),
        item(9003, "8101961000", "필라멘트"),
        item(9004, "8101969000", "기타"),
        item(9005, "3824999051", "전해액 (고유)"),
        item(9006, None, "승용차 (배기량 2,000cc 초과)"),
        item(9007, "8501339000", "Other"),
    ]
    fixed_new = [
        item(9001, "847130", "Portable ADP machines"),
        item(9002, "2903891000", "헥사브로모사이클로도데칸"),
        item(9012, "2903899000", "기타"),
        item(9003, "8101960000", "선(線)"),
        item(9005, "3824999053", "전해액 (고유)"),
        item(9006, None, "승용차 (배기량 1,900cc 초과)"),
        item(9007, "8501338000", "Other"),
    ]
    old = _unique(old + fixed_old)
    new = _unique(_revised(rng, old) + fixed_new)
    return old, new


FIELD_CHOICES = [DEFAULT_FIELDS, ("description",), ("note", "serial"), ("ex", "category")]


@pytest.mark.parametrize("utf8", [False, True])
@pytest.mark.parametrize("fields", FIELD_CHOICES)
@pytest.mark.parametrize("seed", range(12))
def test_compare_stored_equals_compare_on_messy_versions(
    seed: int, fields: tuple[str, ...], utf8: bool
) -> None:
    old, new = _messy_pair(seed)
    expected = compare(old, new, fields=fields)
    old_version = ListVersion(old, seed=seed, utf8=utf8)
    got = compare_stored(old_version, ListVersion(new, seed=seed + 1, utf8=utf8), fields=fields)
    assert got == expected
    assert (None, True) not in old_version.asked  # keys are unique: no fallback


def test_the_messy_versions_show_every_change_kind() -> None:
    seen: set[str] = set()
    for seed in range(12):
        old, new = _messy_pair(seed)
        seen.update(c.kind for c in compare(old, new).changes)
    assert seen == set(CHANGE_KINDS)


def test_compare_stored_loads_only_items_that_may_differ() -> None:
    old, new = _messy_pair(3, size=400)
    old_version, new_version = ListVersion(old), ListVersion(new)
    compare_stored(old_version, new_version)
    new_keys = {_key_of(i): i for i in new}
    loaded: set[str] = set()
    for codes, codeless in old_version.asked:
        assert codes is not None
        loaded |= codes
        assert codeless == any(not i.code and new_keys.get(_key_of(i)) != i for i in old)
    assert 0 < len(loaded) < len(old) // 2


@pytest.mark.parametrize("elsewhere", ["both", "old", "new", "nowhere"])
def test_compare_stored_counts_descriptions_over_the_whole_versions(elsewhere: str) -> None:
    # The same wording on an unchanged item keeps the removed/added pair from being a
    # recode, although that item is never loaded in full.
    old = [item(1, "3824999051", "전해액 (리튬)"), item(2, "8507600000", "축전지")]
    new = [item(1, "3824999053", "전해액 (리튬)"), item(2, "8507600000", "축전지")]
    twin = item(3, "8507900000", "전해액 (리튬)")
    if elsewhere in ("both", "old"):
        old.append(twin)
    if elsewhere in ("both", "new"):
        new.append(twin)
    expected = compare(old, new)
    recoded = [c.kind for c in expected.changes].count("recoded")
    assert recoded == (1 if elsewhere == "nowhere" else 0)
    assert compare_stored(ListVersion(old), ListVersion(new)) == expected
    assert compare_stored(ListVersion(old, utf8=True), ListVersion(new, utf8=True)) == expected


def test_compare_stored_with_repeated_keys_falls_back_to_compare() -> None:
    old = [
        item(1, "847130", "a"),
        item(2, "847130", "b"),
        item(3, None, "이름"),
        item(4, "", "이름"),
    ]
    new = [item(1, "847130", "a"), item(3, None, "이름 "), item(5, "850440", "변환기")]
    for pair in ((old, new), (new, old)):
        expected = compare(*pair)
        for utf8 in (False, True):
            old_version = ListVersion(pair[0], utf8=utf8)
            assert compare_stored(old_version, ListVersion(pair[1], utf8=utf8)) == expected
            assert old_version.asked == [(None, True)]


def test_compare_stored_identical_and_empty_versions() -> None:
    old, _new = _messy_pair(5)
    assert compare_stored(ListVersion(old), ListVersion(list(old))) == compare(old, list(old))
    assert compare_stored(ListVersion([]), ListVersion(old)) == compare([], old)
    assert compare_stored(ListVersion(old), ListVersion([])) == compare(old, [])
    with pytest.raises(InputError):
        compare_stored(ListVersion(old), ListVersion(old), fields=("row",))


def _stored_pair(url: str, old: list[ItemRecord], new: list[ItemRecord]) -> Engine:
    from exportctl import api, store

    engine, *_ = api.init_database(url)
    for n, items in enumerate((old, new), start=1):
        with store.session_scope(engine) as session:
            store.store_version(
                session,
                store.NewVersion(
                    slug="kr",
                    label=f"v{n}",
                    source_file=f"v{n}.xlsx",
                    source_sha256=f"{n:064d}",
                    source_sheet="별표",
                    actor="test",
                ),
                items,
            )
    return engine


@pytest.mark.parametrize("fields", [DEFAULT_FIELDS, ("description", "note")])
def test_diff_versions_reads_stored_versions_as_compare_sees_them(
    db_url: str, fields: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl import api, store
    from exportctl.diff import joined

    old, new = _messy_pair(7, size=300)
    engine = _stored_pair(db_url, old, new)
    try:
        with store.session_scope(engine) as session:
            loaded_old = store.load_items(session, store.get_version(session, "kr", "v1"))
            loaded_new = store.load_items(session, store.get_version(session, "kr", "v2"))
        assert (loaded_old, loaded_new) == (old, new)
        expected = compare(old, new, fields=fields)
        # The database's join must not fall back on the whole versions here.
        monkeypatch.setattr(joined, "compare", None)
        changes = api.diff_versions(engine, "kr", "v1", "v2", fields=fields)
    finally:
        engine.dispose()
    assert (
        dataclasses.replace(changes, list_slug="", list_name="", old_version=None, new_version=None)
        == expected
    )
    assert changes.list_slug == "kr"


def test_stored_items_reads_columns_and_chosen_items(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl import store

    old, new = _messy_pair(11)
    engine = _stored_pair(db_url, old, new)
    codes = {i.code for i in old[::3] if i.code}
    try:
        with store.session_scope(engine) as session:
            version = store.StoredItems(session, store.get_version(session, "kr", "v1"))
            rows = version.rows(["code", "description", "serial", "note"])
            assert all(isinstance(code, str | None) for code, *_ in rows)
            # Text other than the code may come as UTF-8 bytes (it does on SQLite).
            as_text = [
                tuple(v.decode() if isinstance(v, bytes) else v for v in row) for row in rows
            ]
            assert sorted(as_text, key=repr) == sorted(
                ((i.code, i.description, i.serial, i.note) for i in old), key=repr
            )
            with pytest.raises(ValueError, match="not item columns"):
                version.rows(["code; drop table item"])
            assert version.items(None, codeless=False) == old
            assert version.items(set(), codeless=False) == []
            chosen = version.items(codes, codeless=False)
            assert chosen == [i for i in old if i.code in codes]
            with_codeless = [i for i in old if i.code in codes or not i.code]
            assert version.items(codes, codeless=True) == with_codeless
            assert version.items(set(), codeless=True) == [i for i in old if not i.code]
            # A database without a list parameter: the same items, filtered in Python.
            monkeypatch.delitem(store._CODE_IN, session.connection().dialect.name)
            assert version.items(codes, codeless=True) == with_codeless
    finally:
        engine.dispose()


def test_diff_versions_on_a_sqlite_database_keeping_utf16(tmp_path: Path) -> None:
    from exportctl import api, store

    path = tmp_path / "utf16.db"
    conn = sqlite3.connect(path)  # the encoding is fixed when the file is made
    conn.execute("pragma encoding = 'UTF-16le'")
    conn.execute("create table made_first (x)")
    conn.close()
    old, new = _messy_pair(2, size=200)
    engine = _stored_pair(f"sqlite:///{path}", old, new)
    try:
        with store.session_scope(engine) as session:
            assert session.connection().exec_driver_sql("pragma encoding").scalar() == "UTF-16le"
            rows = store.StoredItems(session, store.get_version(session, "kr", "v1")).rows(
                ["code", "description"]
            )
            assert all(isinstance(description, str) for _code, description in rows)
        changes = api.diff_versions(engine, "kr", "v1", "v2")
    finally:
        engine.dispose()
    assert changes.changes == compare(old, new).changes
