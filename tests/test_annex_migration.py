"""The upgrade that gives items text serials, sections and sub-items, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from test_lifecycle_store import ITEMS, _downgrade, _old_database

from exportctl import db, store
from exportctl.models import ItemRecord, Section, SubItem


def test_stored_serials_become_text_and_each_version_one_section(db_url: str) -> None:
    engine, _ = _old_database(db_url)
    db.upgrade(engine, "20261129_0002")
    db.upgrade(engine)
    db.assert_at_head(engine)
    with engine.connect() as conn:
        serials = conn.execute(text("select serial from item order by id")).scalars().all()
        columns = {c["name"]: c for c in inspect(conn).get_columns("item")}
        sections = conn.execute(
            text(
                "select version_id, number, title, declared_total, item_count "
                "from section order by version_id"
            )
        ).all()
    assert serials == ["1", "2", "1", "2"]
    assert all(isinstance(value, str) for value in serials)
    assert "VARCHAR" in str(columns["serial"]["type"]).upper()
    assert [tuple(row) for row in sections] == [(1, 1, "", 1159, 2), (2, 1, "", 1159, 2)]
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-02")
        assert store.load_items(session, version) == ITEMS
        assert session.get(Section, 1) is not None
    engine.dispose()


def test_branch_numbers_sub_items_and_references_round_trip(db_url: str) -> None:
    engine, _ = _old_database(db_url)
    db.upgrade(engine)
    entry = ItemRecord(
        "3의2",
        None,
        None,
        False,
        "전자 장치 (3A001에 의해 통제되지 않는 것)",
        row=9,
        section=2,
        sub_items=(
            SubItem("a.", "집적회로 3A001.a.3에 해당하는 것", ("3A001.a.3",)),
            SubItem("1.", "피스톤 내연기관(8407.10)"),
        ),
        control_numbers=("3A001", "3A001.a.3"),
        mentioned_codes=("840710",),
    )
    new = store.NewVersion(
        slug="kr-russia",
        label="2024-09",
        source_file="annex.xlsx",
        source_sha256="9" * 64,
        source_sheet="별표2의2",
        actor="kim",
    )
    with store.session_scope(engine) as session:
        version = store.store_version(session, new, [entry, ITEMS[0]])
    with store.session_scope(engine) as session:
        assert store.load_items(session, version) == [entry, ITEMS[0]]
    with pytest.raises(RuntimeError, match="branch numbers"):
        _downgrade(engine, "20261129_0002")
    engine.dispose()


def test_the_downgrade_turns_serials_back_into_numbers(db_url: str) -> None:
    engine, _ = _old_database(db_url)
    db.upgrade(engine)
    _downgrade(engine, "20261129_0002")
    with engine.connect() as conn:
        serials = conn.execute(text("select serial from item order by id")).scalars().all()
        tables = set(inspect(conn).get_table_names())
    assert serials == [1, 2, 1, 2]
    assert "section" not in tables
    engine.dispose()
