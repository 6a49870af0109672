"""The coverage model: what an entry covers, by level, by range and with ex (issue 15).

Validation's overlap warning, screening and the diff all ask
:mod:`exportctl.hscode.coverage`; these tests pin the rule there and through each user.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli

from exportctl import hscode
from exportctl.diff import compare
from exportctl.hscode import CodeProblem, CoverageIndex, HSCode, Span, covers, normalise
from exportctl.models import ItemRecord
from exportctl.profiles import load_profile
from exportctl.screen import ScreenIndex

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only


def _entry(code: str, *, end: str | None = None, ex: bool = False, serial: str = "1") -> ItemRecord:
    return ItemRecord(serial, code, len(code), ex, f"entry {code}", code_end=end)


# --------------------------------------------------------------------------- the rule


def test_a_chapter_entry_covers_a_ten_digit_code() -> None:
    assert Span("88").covers("8802400000")
    assert Span("88").relation("8802400000") == "covers"
    assert not Span("88").covers("8702400000")
    assert covers("88", "8802.40.0000")


def test_a_range_covers_the_codes_between_its_ends_at_its_level() -> None:
    span = Span("847130", "847150")
    assert span.covers("847140")  # inside, at the range's level
    assert span.covers("8471409000")  # a longer code under a subheading inside
    assert span.covers("847130") and span.covers("8471500000")  # both ends included
    assert not span.covers("847160") and not span.covers("847129")
    assert not span.covers("8471")  # broader than the range: not covered ...
    assert span.relation("8471") == "broader"  # ... but some goods under it are
    assert Span("847130", "847150").relation("8472") is None
    assert covers("8471 30", "847140", end="8471 50")


def test_an_ex_entry_covers_only_as_described() -> None:
    assert Span("847130", ex=True).relation("8471300000") == "partial"
    assert Span("847130").relation("8471300000") == "covers"


def test_hscode_covers_is_the_coverage_models() -> None:
    assert hscode.covers is covers


def test_a_range_must_end_after_it_starts_at_its_level() -> None:
    with pytest.raises(ValueError):
        Span("847150", "847130")
    with pytest.raises(ValueError):
        Span("847130", "8471")


def test_the_index_finds_ranges_among_plain_entries() -> None:
    heading, rng, ex = _entry("8471"), _entry("847130", end="847150"), _entry("8517", ex=True)
    index = CoverageIndex((item.span, item) for item in (heading, rng, ex) if item.span)
    assert [value for _, value in index.covering("8471400000")] == [heading, rng]
    assert index.deciding("8471400000") == (rng, None)
    assert index.deciding("8517620000") == (None, ex)
    assert index.deciding("8471600000") == (heading, None)
    assert list(index.narrower("84")) == [heading, rng]
    assert index.deciding("9999") == (None, None)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("cell", "start", "end", "ex"),
    [
        ("8471 30 – 8471 50", "847130", "847150", False),
        ("8471.30 ~ 8471.50", "847130", "847150", False),
        ("ex 8471 30 - 8471 50", "847130", "847150", True),
        ("8471 to 8473", "8471", "8473", False),
        ("Chapter 84 – Chapter 85", "84", "85", False),
    ],
)
def test_a_range_cell_is_one_entry_with_its_end(cell: str, start: str, end: str, ex: bool) -> None:
    result = normalise(cell)
    assert isinstance(result, HSCode)
    assert (result.digits, result.end, result.ex, result.level) == (start, end, ex, len(start))


@pytest.mark.parametrize("cell", ["Chapter 88", "chapter 88", "Ch. 88", "제88류", "88류", "88"])
def test_a_chapter_keeps_its_level(cell: str) -> None:
    assert normalise(cell) == HSCode("88")


def test_a_range_the_wrong_way_round_is_refused_and_korean_dashes_stay_one_code() -> None:
    wrong = normalise("8471.50 – 8471.30")
    assert isinstance(wrong, CodeProblem) and "must come after the first" in wrong.reason
    assert normalise("8471.30-1000") == HSCode("8471301000")
    assert normalise("8207 13 00") == HSCode("82071300")


# --------------------------------------------------------------------------- screening


def _index(*items: ItemRecord, profile: str | None = None) -> ScreenIndex:
    return ScreenIndex.build(
        list(items),
        slug="eu",
        label="2024",
        profile=load_profile(profile) if profile else None,
    )


def test_screening_a_chapter_and_a_range() -> None:
    index = _index(_entry("88", serial="1"), _entry("847130", end="847150", serial="2"))
    inside = index.match_code("8471409000")
    assert inside.status == "controlled" and inside.entry is not None
    assert inside.entry.serial == "2" and "8471.30–8471.50" in inside.reason
    assert index.match_code("8471600000").status == "clear"
    assert index.match_code("8802400000").status == "controlled"
    broader = index.match_code("8471")
    assert broader.status == "review" and "some goods under it are controlled" in broader.reason


def test_an_ex_entry_gives_review() -> None:
    match = _index(_entry("847130", ex=True)).match_code("8471300000")
    assert match.status == "review"
    assert "covers only part of its heading" in match.reason


def test_a_description_controls_profile_turns_a_code_hit_into_review() -> None:
    entry = _entry("854231")
    under_us = _index(entry, profile="us-746").match_code("8542310000")
    assert under_us.status == "review" and under_us.entry is entry
    assert "the item's description, not its HTS code, determines" in under_us.reason
    assert "profile us-746" in under_us.reason
    # The same entry under a profile where the code controls is a determination.
    assert _index(entry, profile="chpl").match_code("8542310000").status == "controlled"
    assert _index(entry).match_code("8542310000").status == "controlled"


# --------------------------------------------------------------------------- validation


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["연번,HS코드,품목명"] + [
        f'{n},"{code}",품목 {n}' for n, (code, _) in enumerate(rows, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_overlaps_are_found_by_the_coverage_model(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = _write_csv(
        tmp_path / "eu.csv",
        [
            ("Chapter 88", ""),
            ("8802", ""),  # a heading under the chapter entry
            ("8471 30 – 8471 50", ""),
            ("8471.40", ""),  # inside the range
            ("8471.60", ""),  # outside it
        ],
    )
    result = run_cli(
        "validate", path, "--list", "eu", "--profile", "eu-833", "--json", db=initialised, ok=True
    )
    found = json.loads(result.output)["findings"]
    overlaps = [(f["row"], f["message"]) for f in found if f["rule"] == "overlapping-code"]
    assert overlaps == [
        (3, "HS code 8802 is already covered by the entry 88"),
        (5, "HS code 847140 is already covered by the entry 847130-847150"),
    ]


def test_a_range_is_stored_with_its_end_and_shown(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = _write_csv(tmp_path / "eu.csv", [("8471 30 – 8471 50", ""), ("제88류", "")])
    run_cli("lists", "create", "eu", "--name", "EU", "--profile", "eu-833", db=initialised, ok=True)
    run_cli("import", path, "--list", "eu", "--version", "1", db=initialised, ok=True)
    shown = json.loads(
        run_cli("show", "--list", "eu", "--version", "1", "--json", db=initialised, ok=True).output
    )
    assert [(i["code"], i["code_end"], i["level"]) for i in shown["items"]] == [
        ("847130", "847150", 6),
        ("88", None, 2),
    ]
    checked = run_cli("check", "8471.40.1000", "--list", "eu", "--version", "1", db=initialised)
    assert "8471.30–8471.50" in checked.output


# --------------------------------------------------------------------------- diff


def test_a_changed_attribute_or_range_end_is_a_modification() -> None:
    old = [
        ItemRecord("1", "854231", 6, False, "ICs", attributes={"tier": "1"}),
        ItemRecord("2", "847130", 6, False, "ADP", code_end="847150"),
    ]
    new = [
        ItemRecord("1", "854231", 6, False, "ICs", attributes={"tier": "2"}),
        ItemRecord("2", "847130", 6, False, "ADP", code_end="847160"),
    ]
    changes = compare(old, new)
    assert [(c.kind, c.code, c.fields) for c in changes.changes] == [
        ("modified", "847130", ("code_end",)),
        ("modified", "854231", ("attributes",)),
    ]
    assert changes.changes[1].diffs() == [("attributes", {"tier": "1"}, {"tier": "2"})]


def test_a_range_split_into_the_codes_it_covered_is_a_split() -> None:
    old = [ItemRecord("1", "847130", 6, False, "ADP", code_end="847150")]
    new = [
        ItemRecord("1", "8471300000", 10, False, "ADP portable"),
        ItemRecord("2", "8471410000", 10, False, "ADP other"),
        ItemRecord("3", "8471600000", 10, False, "Input units"),  # outside the range
    ]
    changes = compare(old, new)
    kinds = sorted((c.kind, c.code) for c in changes.changes)
    assert ("split", "847130") in kinds
    split = next(c for c in changes.changes if c.kind == "split")
    assert sorted(split.related) == ["8471300000", "8471410000"]
    assert ("added", "8471600000") in kinds
