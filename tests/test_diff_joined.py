"""``diff`` in the database: two stored versions joined on the identity of their entries
(:class:`exportctl.store.PairedVersions`, :func:`exportctl.diff.compare_joined`) give
the change set :func:`exportctl.diff.compare` gives on the whole versions, on SQLite and
PostgreSQL, reading only the entries that may have changed."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from exportctl import api, store
from exportctl.diff import DEFAULT_FIELDS, ChangeSet, compare, compare_joined
from exportctl.diff import joined as joined_module
from exportctl.identity import CODE_KEY, has_code, item_key, part_number
from exportctl.models import ItemRecord, SubItem
from exportctl.store import paired as paired_module
from exportctl.store import session as session_module

_slugs = itertools.count()


def _item(
    serial: str | None,
    code: str | None,
    description: str,
    *,
    section: int = 1,
    **more: Any,
) -> ItemRecord:
    return ItemRecord(
        serial, code, len(code) if code else None, False, description, section=section, **more
    )


def _store(engine: Engine, versions: Sequence[Sequence[ItemRecord]]) -> str:
    """Store ``versions`` as v1, v2… of a new list; returns its slug."""
    slug = f"t{next(_slugs)}"
    for n, items in enumerate(versions, start=1):
        sections = sorted({i.section for i in items}) or [1]
        with store.session_scope(engine) as session:
            store.store_version(
                session,
                store.NewVersion(
                    slug=slug,
                    label=f"v{n}",
                    source_file=f"{slug}-v{n}.xlsx",
                    source_sha256=f"{n:064d}",
                    source_sheet="별표",
                    actor="test",
                    sections=[store.NewSection(number) for number in sections],
                ),
                items,
            )
    return slug


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made, *_ = api.init_database(db_url)
    yield made
    made.dispose()


class Fallbacks:
    """Counts the comparisons of whole versions the joined path falls back on."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> ChangeSet:
        self.count += 1
        return compare(*args, **kwargs)


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> Fallbacks:
    counter = Fallbacks()
    monkeypatch.setattr(joined_module, "compare", counter)
    return counter


def _joined(
    engine: Engine,
    slug: str,
    parts: dict[int, int] | None = None,
    fields: Sequence[str] = DEFAULT_FIELDS,
) -> tuple[ChangeSet, ChangeSet]:
    """The joined comparison of v1 and v2, and compare() on the stored items."""
    with store.session_scope(engine) as session:
        old = store.get_version(session, slug, "v1")
        new = store.get_version(session, slug, "v2")
        paired = store.PairedVersions(session, old, new, parts or {})
        got = compare_joined(paired, fields=fields)
        old_items = [
            dataclasses.replace(i, section=part_number(i.section, parts or {}))
            for i in store.load_items(session, old)
        ]
        expected = compare(old_items, store.load_items(session, new), fields=fields)
    return got, expected


# --------------------------------------------------------------------------- property

_HEADINGS = ("2903", "8471")
_TAILS = ("", "30", "3010", "301000", "3000", "90", "9000", "900000", "39")
_CODES = [h + t for h in _HEADINGS for t in _TAILS]
_NAMES = (
    "부분품",
    "기타",
    "Other",
    "전해액",
    "필라멘트",
    "선(線)",
    "  전해액 ",
    "승용차\t(2,000cc)",
)


@st.composite
def _entries(draw: st.DrawFn, serial: int) -> ItemRecord:
    code = draw(st.one_of(st.sampled_from(_CODES), st.sampled_from([None, ""])))
    subs = draw(st.sampled_from([(), (SubItem("a.", "첫째", ("3A001",)),)]))
    return ItemRecord(
        serial=draw(st.sampled_from([str(serial), str(serial), None, f"{serial}의2"])),
        code=code,
        level=len(code) if code else None,
        ex=draw(st.booleans()),
        description=draw(st.sampled_from(_NAMES)),
        description_en=draw(st.sampled_from([None, "", "Parts"])),
        category=draw(st.sampled_from([None, "전략물자"])),
        note=draw(st.sampled_from([None, "비고"])),
        sheet="별표",
        row=serial + 5,
        original_code=code,
        section=draw(st.sampled_from([1, 1, 2])),
        sub_items=subs,
        control_numbers=tuple(n for s in subs for n in s.control_numbers),
        # A range ends at a code of its level: 847130-847199.
        code_end=draw(st.sampled_from([None, None, f"{code[:-2]}99"])) if code else None,
        attributes=draw(st.sampled_from([{}, {}, {"tier": "1"}])),
    )


def _unique(items: list[ItemRecord]) -> list[ItemRecord]:
    seen: set[str] = set()
    kept = []
    for i in items:
        if item_key(i) not in seen:
            seen.add(item_key(i))
            kept.append(i)
    return kept


@st.composite
def _version_pairs(draw: st.DrawFn) -> tuple[list[ItemRecord], list[ItemRecord]]:
    """Two versions: mostly unique keys, sometimes one repeated on either side."""
    old = _unique(draw(st.lists(_entries(1), max_size=14)))
    old = [dataclasses.replace(i, serial=str(n) if i.serial else None) for n, i in enumerate(old)]
    new: list[ItemRecord] = []
    for i in old:
        change = draw(st.sampled_from(["keep", "keep", "drop", "edit", "renumber", "recode"]))
        if change == "edit":
            i = dataclasses.replace(i, **draw(_edits()))
        elif change == "renumber":
            i = dataclasses.replace(i, serial=str(int(i.serial or 0) + 1))
        elif change == "recode" and i.code:
            code = draw(st.sampled_from(_CODES))
            i = dataclasses.replace(i, code=code, level=len(code), code_end=None)
        if change != "drop":
            new.append(i)
    new = _unique(new + draw(st.lists(_entries(100), max_size=4)))
    new = draw(st.permutations(new))
    # A repeated key: on the old side, or on the new side paired or not.
    if old and draw(st.integers(0, 7)) == 0:
        old = [*old, dataclasses.replace(draw(st.sampled_from(old)), row=99)]
    if new and draw(st.integers(0, 5)) == 0:
        new = [*new, dataclasses.replace(draw(st.sampled_from(new)), row=98)]
    return old, list(new)


def _edits() -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(
        [
            {"description": "개정된 품목"},
            {"description_en": "Changed"},
            {"note": None},
            {"note": "새 비고"},
            {"ex": True},
            {"category": ""},
            {"code_end": None},
            {"attributes": {"tier": "2"}},
            {"sub_items": (SubItem("a.", "둘째"),), "control_numbers": ()},
            {"row": 77, "sheet": "새 시트"},  # provenance only: never compared
        ]
    )


def _expect_fallback(old: list[ItemRecord], new: list[ItemRecord], parts: dict[int, int]) -> bool:
    """When the joined path must read the whole versions (PairedVersions.keys_repeat and
    the count that shows a paired key repeated by the new version)."""
    present = {i.section for i in old}
    if len({part_number(s, parts) for s in present}) < len(present):
        return True
    old_keys = [(part_number(i.section, parts), i.code) for i in old if has_code(i.code)]
    new_keys = [(i.section, i.code) for i in new if has_code(i.code)]
    repeated_new = {k for k in new_keys if new_keys.count(k) > 1}
    return len(set(old_keys)) < len(old_keys) or bool(repeated_new & set(old_keys))


FIELD_CHOICES = [DEFAULT_FIELDS, ("description",), ("note", "serial"), ("ex", "sub_items")]
PART_CHOICES: list[dict[int, int]] = [{}, {1: 1, 2: 2}, {2: 1}, {1: 2, 2: 1}, {2: 3}, {1: 2}]


@settings(
    max_examples=40,
    deadline=None,
    # The database is shared by the examples on purpose: each stores a list of its own.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pair=_version_pairs(),
    fields=st.sampled_from(FIELD_CHOICES),
    parts=st.sampled_from(PART_CHOICES),
)
def test_the_joined_path_gives_what_compare_gives(
    engine: Engine,
    fallbacks: Fallbacks,
    pair: tuple[list[ItemRecord], list[ItemRecord]],
    fields: tuple[str, ...],
    parts: dict[int, int],
) -> None:
    old, new = pair
    slug = _store(engine, [old, new])
    before = fallbacks.count
    got, expected = _joined(engine, slug, parts, fields)
    assert got == expected
    # It reads the whole versions exactly when a repeated key needs compare()'s numbering.
    whole = fallbacks.count > before
    assert whole == _expect_fallback(old, new, parts)
    event("whole versions" if whole else "joined")
    for kind in sorted({c.kind for c in got.changes}):
        event(kind)


# --------------------------------------------------------------------------- examples


def test_only_what_may_have_changed_leaves_the_database(
    engine: Engine, fallbacks: Fallbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = [_item(str(n), f"8471{n:06d}", f"품목 {n}") for n in range(1, 201)]
    new = list(old)
    new[3] = dataclasses.replace(new[3], description="개정")
    new[7] = dataclasses.replace(new[7], row=999)  # provenance: no change
    del new[10]
    new.append(_item("300", "8501100000", "전동기"))
    new.append(_item(None, None, "이름으로 정한 품목"))
    slug = _store(engine, [old, new])
    handed: list[Any] = []
    differing = store.PairedVersions.differing

    def spy(self: store.PairedVersions, columns: Sequence[str]) -> Iterator[Any]:
        for row in differing(self, columns):
            handed.append(row)
            yield row

    monkeypatch.setattr(store.PairedVersions, "differing", spy)
    got, expected = _joined(engine, slug)
    assert got == expected
    assert [c.kind for c in got.changes] == ["modified", "removed", "added", "added"]
    assert got.unchanged == 198 and fallbacks.count == 0
    handed_codes = {(o.code if o else "-", n.code if n else "-") for _, o, _, n in handed}
    assert handed_codes == {
        ("8471000004", "8471000004"),
        ("8471000011", "-"),
        ("-", "8501100000"),
        ("-", None),
    }
    assert len(handed) == 4


def test_a_key_the_old_version_repeats_reads_the_whole_versions(
    engine: Engine, fallbacks: Fallbacks
) -> None:
    # Two ranges from the same first code: the import allows them (different ends).
    old = [
        _item("1", "847130", "노트북", code_end="847150"),
        _item("2", "847130", "노트북", code_end="847160"),
        _item("3", "850440", "변환기"),
    ]
    new = [_item("1", "847130", "노트북", code_end="847150"), old[2]]
    slug = _store(engine, [old, new])
    got, expected = _joined(engine, slug)
    assert got == expected and fallbacks.count == 1
    assert [c.kind for c in got.changes] == ["removed"]


def test_keys_repeated_on_both_sides_cannot_hide_each_other(
    engine: Engine, fallbacks: Fallbacks
) -> None:
    # The old version repeats one key, the new another, every copy equal: the counts
    # of the pairs left out still add up, so only the old version's check tells.
    old = [
        _item("1", "847130", "노트북"),
        _item("1", "847130", "노트북", row=9),
        _item("2", "850440", "변환기"),
    ]
    new = [old[0], old[2], dataclasses.replace(old[2], row=9)]
    slug = _store(engine, [old, new])
    got, expected = _joined(engine, slug)
    assert got == expected and fallbacks.count == 1
    assert [c.kind for c in got.changes] == ["removed", "added"]


@pytest.mark.parametrize("code", [None, ""])
def test_entries_without_a_code_are_never_paired_by_the_database(
    engine: Engine, fallbacks: Fallbacks, code: str | None
) -> None:
    # Equal on the compared field, keyed apart by their wording: paired by their serial.
    old = [_item("1", code, "특수 장비", note="비고"), _item("2", "850440", "변환기")]
    new = [_item("1", code, "특수 장비 (개정)", note="비고"), old[1]]
    slug = _store(engine, [old, new])
    got, expected = _joined(engine, slug, fields=("note",))
    assert got == expected and fallbacks.count == 0
    assert [(c.kind, c.fields) for c in got.changes] == [("modified", ("description",))]


@pytest.mark.parametrize("copies_differ", [False, True])
def test_a_paired_key_the_new_version_repeats_is_seen_by_the_counts(
    engine: Engine, fallbacks: Fallbacks, copies_differ: bool
) -> None:
    old = [_item("1", "847130", "노트북"), _item("2", "850440", "변환기")]
    twin = dataclasses.replace(
        old[0], row=40, description="노트북 (개정)" if copies_differ else "노트북"
    )
    new = [old[0], twin, old[1]]
    slug = _store(engine, [old, new])
    got, expected = _joined(engine, slug)
    assert got == expected and fallbacks.count == 1
    assert [c.kind for c in got.changes] == ["added"]


def test_a_key_the_new_version_repeats_alone_needs_no_fallback(
    engine: Engine, fallbacks: Fallbacks
) -> None:
    old = [_item("1", "847130", "노트북")]
    new = [old[0], _item("2", "850440", "변환기"), _item("3", "850440", "변환기 (정류기)")]
    slug = _store(engine, [old, new])
    got, expected = _joined(engine, slug)
    assert got == expected and fallbacks.count == 0
    assert [c.kind for c in got.changes] == ["added", "added"]


def test_parts_are_compared_in_the_new_numbering(engine: Engine, fallbacks: Fallbacks) -> None:
    old = [_item("1", "847130", "노트북", section=1), _item("1", "290389", "할로겐화물", section=2)]
    new = [_item("1", "847130", "노트북 (개정)", section=2), _item("1", "290389", "할로겐화물")]
    slug = _store(engine, [old, new])
    swapped, expected = _joined(engine, slug, {1: 2, 2: 1})
    assert swapped == expected and fallbacks.count == 0
    assert [(c.kind, c.section) for c in swapped.changes] == [("modified", 2)]
    # Two old parts in one new number: compare() numbers the keys they share.
    merged, expected = _joined(engine, slug, {1: 2})
    assert merged == expected and fallbacks.count == 1


def test_diff_versions_pairs_parts_and_joins_in_the_database(
    engine: Engine, fallbacks: Fallbacks
) -> None:
    # The one-part list revised by the full annex: its part 1 is the annex's part 2.
    old = [_item(str(n), f"8802{n:02d}", f"항공기 {n}") for n in range(1, 6)]
    new = [_item("1", "2612", "우라늄 광", section=1)]
    new += [dataclasses.replace(i, section=2) for i in old[:4]]
    slug = _store(engine, [old, new])
    changes = api.diff_versions(engine, slug, "v1", "v2")
    assert [(c.kind, c.code, c.section) for c in changes.changes] == [
        ("added", "2612", 1),
        ("removed", "880205", 2),
    ]
    assert changes.unchanged == 4 and fallbacks.count == 0


def test_descriptions_are_counted_over_the_whole_versions(engine: Engine) -> None:
    old = [_item("1", "3824999051", "전해액"), _item("2", "8507600000", "전해액")]
    new = [_item("1", "3824999053", "전해액"), _item("2", "8507600000", "전해액")]
    slug = _store(engine, [old, new])
    with store.session_scope(engine) as session:
        paired = store.PairedVersions(
            session, store.get_version(session, slug, "v1"), store.get_version(session, slug, "v2")
        )
        assert paired.description_counts({"전해액", "없음"}) == ({"전해액": 2}, {"전해액": 2})
        assert paired.description_counts(set()) == ({}, {})
        assert paired.sizes() == (2, 2)
        with pytest.raises(ValueError, match="not item columns"):
            list(paired.differing(["code; drop table item"]))
    got, expected = _joined(engine, slug)
    assert got == expected
    # The wording repeats under another code, so the pair is no recode.
    assert [c.kind for c in got.changes] == ["removed", "added"]


def _plans(engine: Engine) -> list[str]:
    slug = _store(engine, [[_item("1", "847130", "노트북")], [_item("1", "847130", "노트북")]])
    with store.session_scope(engine) as session:
        paired = store.PairedVersions(
            session, store.get_version(session, slug, "v1"), store.get_version(session, slug, "v2")
        )
        conn = session.connection()
        old, new = paired_module.ITEM.alias("o"), paired_module.ITEM.alias("n")
        plain = paired._plain_probe()
        plans = []
        for statement in (
            paired._old_side(old, new, ["description"], {}, plain),
            paired._new_side(old, new, {}, plain),
        ):
            sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
            rows = conn.exec_driver_sql(f"explain query plan {sql}").all()
            plans.append(" / ".join(row[-1] for row in rows))
    return plans


@pytest.mark.parametrize("indexed", [False, True])
def test_sqlite_probes_the_other_version_by_key_never_by_scanning_it(
    sqlite_url: str, indexed: bool
) -> None:
    # Without statistics SQLite takes a version for ten rows: a plan that scans the
    # probed version once per entry would take hours on a million.
    engine, *_ = api.init_database(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("drop index if exists ix_item_version_id_section_code"))
        if indexed:
            columns = ", ".join(("version_id", *CODE_KEY))
            conn.execute(text(f"create index ix_test_key on item ({columns})"))
    try:
        plans = _plans(engine)
    finally:
        engine.dispose()
    for plan in plans:
        probe = plan.split(" / ")[-1]
        if indexed:
            assert probe.startswith("SEARCH") and "ix_test_key" in probe, plan
            assert "(version_id=? AND section=? AND code=?)" in probe, plan
        else:
            assert "AUTOMATIC" in probe and "code=?" in probe, plan


@pytest.mark.postgres
def test_postgres_streams_in_single_rows_before_libpq_17(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made, *_ = api.init_database(postgres_url)
    try:
        old = [_item(str(n), f"8471{n:06d}", f"품목 {n}") for n in range(1, 30)]
        new = [dataclasses.replace(i, description="개정") for i in old[::2]]
        slug = _store(made, [old, new])
        monkeypatch.setattr(session_module, "_libpq_version", lambda: 160000)
        got, expected = _joined(made, slug)
    finally:
        made.dispose()
    assert got == expected and got.counts()["modified"] == 15
