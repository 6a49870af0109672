"""Sub-items as a tree (issue 20, item 1): nested labels, schemes, storage, diff, upgrade.

A specification entry of the annex nests its sub-items (``b.`` > ``b.1.`` >
``b.1.a.``; elsewhere ``(1)``, ``(가)``, ``1)``, ``가)``). Every labelled row is a
sub-item at its depth, never an entry, so the entry count ties out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import Row, write_list_workbook
from conftest import RunCli
from sqlalchemy import text

from exportctl import db, store
from exportctl.annex import parse_label
from exportctl.annex.outline import Outline
from exportctl.diff import compare, sub_item_changes
from exportctl.models import ItemRecord, SubItem
from exportctl.store.subitems import decode_sub_items, encode_sub_items, flat_text, tree_from_flat

# The specification entry: labels three deep, then each bracketed scheme nested,
# a label that breaks its scheme (e. after a. under b.2., and after b.), rows with English
# cells.
SPEC: list[Row] = [
    (
        1,
        None,
        "전자 장치로서 다음 중 어느 하나에 해당하는 것",
        "Electronic items as follows:",
        None,
        None,
    ),
    (
        None,
        None,
        "a. 3A001.a.3에 해당하는 집적회로",
        "Integrated circuits in 3A001.a.3",
        None,
        None,
    ),
    (None, None, "b. 다음 각 목의 장비", "Equipment as follows:", None, None),
    (None, None, "b.1. 신호 분석기", "b.1. Signal analysers", None, None),
    (None, None, "b.1.a. 3A002.c.1에 해당하는 것", "b.1.a. Specified in 3A002.c.1", None, None),
    (None, None, "b.1.b. 3A002.c.2에 해당하는 것", None, None, None),
    (None, None, "b.2. 주파수 합성기", None, None, None),
    (None, None, "a. 3A002.d.1에 해당하는 것", None, None, None),
    (None, None, "e. 3A002.d.3에 해당하는 것", None, None, None),
    (2, None, "레이더 장치", "Radar", None, None),
    (None, None, "(1) 항공기용", None, None, None),
    (None, None, "(가) 6A008.d에 해당하는 것", None, None, None),
    (None, None, "1) 펄스형", None, None, None),
    (None, None, "가) 6A008.e에 해당하는 것", None, None, None),
    (None, None, "나) 기타", None, None, None),
    (None, None, "2) 연속파형", None, None, None),
    (None, None, "(나) 기타", None, None, None),
    (None, None, "(2) 선박용", None, None, None),
    (3, "8471.30", "휴대용 자동자료처리기계", "Portable ADP machines", None, None),
]
SPEC_FIRST_ROW = 6


def _spec_workbook(path: Path, *, changed: str | None = None) -> Path:
    rows = list(SPEC)
    if changed is not None:
        rows[4] = (None, None, f"b.1.a. {changed}", "b.1.a. Specified in 3A002.c.1", None, None)
    return write_list_workbook(path, rows)


def _shape(subs: list[dict[str, Any]]) -> list[Any]:
    return [(s["path"], _shape(s["sub_items"])) if s["sub_items"] else s["path"] for s in subs]


@pytest.fixture
def imported(run_cli: RunCli, initialised: str, tmp_path: Path) -> tuple[str, Any]:
    run_cli("lists", "create", "kr-russia", "--name", "러시아", db=initialised, ok=True)
    result = run_cli(
        "import", _spec_workbook(tmp_path / "v1.xlsx"), "--list", "kr-russia", "--version",
        "v1", "--effective", "2024-02-24", "--declared-total", "3", "--approve", "--json",
        db=initialised, ok=True,
    )  # fmt: skip
    return initialised, json.loads(result.stdout)


def test_import_nests_sub_items_and_the_count_ties_out(
    run_cli: RunCli, imported: tuple[str, Any]
) -> None:
    url, report = imported
    warned = [f for f in report["findings"] if f["rule"] == "sub-item-sequence"]
    assert [(f["severity"], f["row"]) for f in warned] == [("warning", SPEC_FIRST_ROW + 8)]
    assert 'sub-item "e." of entry No. 1' in warned[0]["message"]
    assert not [f for f in report["findings"] if f["rule"] == "count-mismatch"]

    items = json.loads(
        run_cli("show", "--list", "kr-russia", "--version", "v1", "--json", db=url, ok=True).stdout
    )
    spec, radar, coded = items["items"]
    assert [i["serial"] for i in items["items"]] == ["1", "2", "3"]
    assert _shape(spec["sub_items"]) == [
        "a",
        ("b", [("b.1", ["b.1.a", "b.1.b"]), ("b.2", ["b.2.a", "b.2.e"])]),
    ]
    b1a = spec["sub_items"][1]["sub_items"][0]["sub_items"][0]
    assert b1a == {
        "label": "b.1.a.",
        "path": "b.1.a",
        "text": "3A002.c.1에 해당하는 것",
        "text_en": "Specified in 3A002.c.1",
        "control_numbers": ["3A002.c.1"],
        "sub_items": [],
    }
    assert spec["sub_items"][0]["text_en"] == "Integrated circuits in 3A001.a.3"
    # The entry's numbers are its own and every depth's.
    assert spec["control_numbers"] == ["3A001.a.3", "3A002.c.1", "3A002.c.2", "3A002.d.1"] + [
        "3A002.d.3"
    ]
    assert _shape(radar["sub_items"]) == [
        ("(1)", [("(1).(가)", [("(1).(가).1)", ["(1).(가).1).가)", "(1).(가).1).나)"]),
                               "(1).(가).2)"]), "(1).(나)"]),
        "(2)",
    ]  # fmt: skip
    assert radar["control_numbers"] == ["6A008.d", "6A008.e"]
    assert coded["sub_items"] == [] and coded["code"] == "847130"

    shown = run_cli(
        "show", "--list", "kr-russia", "--version", "v1", db=url, ok=True
    ).stdout.splitlines()
    depth = {line.strip().split(" ")[0]: len(line) - len(line.lstrip()) for line in shown}
    assert depth["b."] < depth["b.1."] < depth["b.1.a."] == depth["b.1.b."]
    assert depth["(1)"] < depth["(가)"] < depth["1)"] < depth["가)"]


def test_export_json_keeps_the_tree(
    run_cli: RunCli, imported: tuple[str, Any], tmp_path: Path
) -> None:
    url, _ = imported
    out = tmp_path / "export.json"
    run_cli("export", "--list", "kr-russia", "v1", "-o", out, db=url, ok=True)
    shown = json.loads(
        run_cli("show", "--list", "kr-russia", "--version", "v1", "--json", db=url, ok=True).stdout
    )
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["items"][0]["sub_items"] == shown["items"][0]["sub_items"]
    csv_out = tmp_path / "export.csv"
    run_cli("export", "--list", "kr-russia", "v1", "-o", csv_out, db=url, ok=True)
    assert "b.1.a. 3A002.c.1에 해당하는 것 / Specified in 3A002.c.1" in csv_out.read_text(
        encoding="utf-8-sig"
    )


def test_a_change_at_depth_three_modifies_its_entry_and_names_the_path(
    run_cli: RunCli, imported: tuple[str, Any], tmp_path: Path
) -> None:
    url, _ = imported
    run_cli(
        "import", _spec_workbook(tmp_path / "v2.xlsx", changed="3A002.c.4에 해당하는 것"),
        "--list", "kr-russia", "--version", "v2", "--effective", "2024-06-28", "--approve",
        db=url, ok=True,
    )  # fmt: skip
    result = run_cli("diff", "kr-russia", "v1", "v2", "--json", db=url)
    changes = json.loads(result.stdout)["changes"]
    assert [(c["change"], c["serial"], c["fields"], c["sub_item_paths"]) for c in changes] == [
        ("modified", "1", ["sub_items", "control_numbers"], ["b.1.a"])
    ]


def test_labels_and_the_outline() -> None:
    label = parse_label("b.1.a. 주파수")
    assert label is not None and [s.key for s in label.steps] == ["b", "1", "a"]
    assert parse_label("e.g. 노트북") is None and parse_label("8471.30") is None
    outline = Outline()
    problems = []
    for line in ("a. 하나", "c. 셋", "(2) 둘", "b.1.a. 넷"):
        found = parse_label(line)
        assert found is not None
        problems.append(outline.add(found, found.rest, None))
    assert problems[0] is None and all(problems[1:])
    assert [sub.path for root in outline.sub_items() for sub in root.walk()] == [
        "a",
        "c",
        "c.(2)",
        "b.1.a",
    ]


def test_the_stored_text_reads_back_identical_and_old_flat_text_still_reads() -> None:
    tree = (
        SubItem(
            "b.",
            "장비",
            (),
            "Equipment",
            "b",
            (SubItem("1.", "분석기 3A002", ("3A002",), None, "b.1"),),
        ),
    )
    assert decode_sub_items(encode_sub_items(tree)) == tree
    flat = json.dumps(
        [{"label": "a.", "text": "집적회로 / Integrated circuits", "control_numbers": []}],
        ensure_ascii=False,
    )
    (old,) = decode_sub_items(flat)
    assert (old.text, old.text_en, old.path) == ("집적회로", "Integrated circuits", "a")
    rewritten = tree_from_flat(flat)
    assert rewritten is not None and flat_text(rewritten) == flat
    # A tree the flat shape cannot say is its own text, never the flat one.
    nested = encode_sub_items(tree)
    assert nested is not None and flat_text(nested) == nested
    # "기타 / Other" kept whole would read back as two halves: not the flat text either.
    whole = encode_sub_items((SubItem("a.", "기타 / Other"),))
    assert whole is not None and flat_text(whole) == whole


def test_compare_names_sub_item_paths() -> None:
    def entry(text: str) -> ItemRecord:
        deep = SubItem("a.", text, path="b.1.a")
        return ItemRecord(
            "1", None, None, False, "장치",
            sub_items=(SubItem("b.", "장비", sub_items=(SubItem("1.", "x", path="b.1",
                                                             sub_items=(deep,)),)),),
        )  # fmt: skip

    changes = compare([entry("old")], [entry("new")])
    assert [(c.kind, c.sub_item_paths) for c in changes.changes] == [("modified", ("b.1.a",))]
    assert sub_item_changes((SubItem("a.", "x"),), ()) == ("a",)


FLAT = [
    {"label": "a.", "text": "집적회로 3A001.a.3 / Integrated circuits", "control_numbers": []},
    {"label": "b.", "text": "기타 / Other", "control_numbers": []},
]
PREVIOUS = "20261129_0005"


def test_the_upgrade_carries_flat_sub_items_to_the_tree_and_old_digests_verify(
    db_url: str,
) -> None:
    from test_migrations import BEFORE_DIGESTS, _fill

    engine = db.create_db_engine(db_url)
    db.upgrade(engine, BEFORE_DIGESTS[-1])
    _fill(engine)
    flat = json.dumps(FLAT, ensure_ascii=False)  # as exportctl wrote it before the tree
    by_hand = '[{"label":"a.","text":"x","control_numbers":[]}]'
    with engine.begin() as conn:
        update = "update item set sub_items = :s where version_id = :v and position = 2"
        conn.execute(text(update), {"s": flat, "v": 1})
        conn.execute(text(update), {"s": by_hand, "v": 2})
    db.upgrade(engine, PREVIOUS)  # digests computed over the flat text (scheme 1)
    db.upgrade(engine)
    db.assert_at_head(engine)

    def stored() -> list[str]:
        with engine.connect() as conn:
            query = "select sub_items from item where position = 2 order by version_id"
            return list(conn.execute(text(query)).scalars())

    tree, kept = stored()
    assert kept == by_hand  # not exactly what exportctl wrote: left as it was
    assert [(n["path"], n["text"], n["text_en"], n["sub_items"]) for n in json.loads(tree)] == [
        ("a", "집적회로 3A001.a.3", "Integrated circuits", []),
        ("b", "기타", "Other", []),
    ]
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        old = store.get_version(session, "kr-russia", "2024-02")
        spec = store.load_items(session, old)[2]
        assert [(s.label, s.text_en) for s in spec.sub_items] == [
            ("a.", "Integrated circuits"),
            ("b.", "Other"),
        ]
    # A change to an upgraded tree is still seen under the old scheme.
    for changed in (
        tree.replace("Other", "Others"),
        tree.replace('"sub_items": []}]', '"sub_items": [' + tree[1:-1] + "]}]"),
    ):
        with engine.begin() as conn:
            conn.execute(text("update item set sub_items = :s where sub_items = :t"), {
                "s": changed, "t": tree})  # fmt: skip
        with store.session_scope(engine) as session:
            problems = store.verify_audit(session)
        assert [p.split(" since")[0] for p in problems] == [
            "version kr-russia 2024-02: items changed"
        ]
        with engine.begin() as conn:
            conn.execute(text("update item set sub_items = :t where sub_items = :s"), {
                "s": changed, "t": tree})  # fmt: skip
    # The downgrade gives the flat text back byte for byte.
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), PREVIOUS)
    assert stored() == [flat, by_hand]
    # This code reads the chain at head (audit_event.mac came later): up again, it verifies.
    db.upgrade(engine)
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
    engine.dispose()
