"""Every earlier revision, holding data, upgrades to head on SQLite and PostgreSQL.

Each database is built with Alembic at that revision and filled with plain SQL
in that revision's columns; after the upgrade every row is still there, the
versions have their digests (computed at upgrade time, and said so) and the
schema matches the models.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from exportctl import db, store
from exportctl.models import SQLModel
from exportctl.store.audit import event_hash
from exportctl.store.digests import DIGEST_SCHEME

DIGESTS_REVISION = "20261129_0004"
COVERAGE_REVISION = "20261129_0005"
TREE_REVISION = "20261206_0006"
LISTS_REVISION = "20261213_0007"
USERS_REVISION = "20261211_0008"
KEY_INDEX_REVISION = "20261213_0010"


def _earlier_revisions() -> list[str]:
    scripts = ScriptDirectory.from_config(db._alembic_config(None))
    ordered = [script.revision for script in scripts.walk_revisions("base", "heads")]
    return [revision for revision in reversed(ordered) if revision != db.head_revision()]


EARLIER = _earlier_revisions()
BEFORE_DIGESTS = EARLIER[: EARLIER.index(DIGESTS_REVISION)]
"""Revisions whose stored versions get their digests computed by the upgrade."""

ITEMS: list[dict[str, Any]] = [
    {"serial": "1", "code": "847130", "level": 6, "ex": False, "description": "자동자료처리기계"},
    {"serial": "2", "code": "8471", "level": 4, "ex": True, "description": "휴대용 컴퓨터"},
    {"serial": None, "code": None, "level": None, "ex": False, "description": "전자 장치"},
]


def _fill(engine: Engine) -> None:
    """A list, two versions with items (and sections when the schema has them), one event."""
    postgres = engine.dialect.name == "postgresql"
    at = "2024-02-26 09:15:00.123456" + ("+00" if postgres else "")
    with engine.begin() as conn:
        schema = inspect(conn)
        tables = set(schema.get_table_names())
        item_columns = {c["name"]: c for c in schema.get_columns("item")}
        integer_serial = "INT" in str(item_columns["serial"]["type"]).upper()
        conn.execute(
            text(
                "insert into control_list (id, slug, name, created_at) "
                "values (1, 'kr-russia', 'Russia', :at)"
            ),
            {"at": at},
        )
        for vid, label in ((1, "2024-02"), (2, "2024-06")):
            conn.execute(
                text(
                    "insert into version (id, list_id, label, effective, source_file, "
                    "source_sha256, source_sheet, additions_only, declared_total, item_count, "
                    "imported_at, imported_by) values (:id, 1, :label, :eff, :file, :sha, "
                    "'Sheet1', false, 3, 3, :at, 'kim')"
                ),
                {
                    "id": vid,
                    "label": label,
                    "eff": f"{label}-01",
                    "file": f"{label}.xlsx",
                    "sha": str(vid) * 64,
                    "at": at,
                },
            )
            if "section" in tables:
                conn.execute(
                    text(
                        "insert into section (version_id, number, title, item_count) "
                        "values (:v, 1, '', 3)"
                    ),
                    {"v": vid},
                )
            for position, item in enumerate(ITEMS):
                serial: Any = item["serial"]
                if integer_serial and serial is not None:
                    serial = int(serial)
                conn.execute(
                    text(
                        "insert into item (version_id, position, serial, code, level, ex, "
                        'description, sheet, "row") values (:v, :p, :serial, :code, :level, '
                        ":ex, :description, 'Sheet1', :row)"
                    ),
                    {**item, "v": vid, "p": position, "serial": serial, "row": position + 5},
                )
        if postgres:  # explicit ids leave the sequences behind
            for table in ("control_list", "version"):
                conn.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), 2)"))
        event = {
            "at": dt.datetime(2024, 2, 26, 9, 15, 1, tzinfo=dt.UTC),
            "actor": "kim",
            "action": "import",
            "list_slug": "kr-russia",
            "version_label": "2024-02",
            "file": "2024-02.xlsx",
            "sha256": "1" * 64,
            "detail": "{}",
            "prev_hash": "",
        }
        event["hash"] = event_hash(event)
        conn.execute(
            text(
                "insert into audit_event (at, actor, action, list_slug, version_label, file, "
                "sha256, detail, prev_hash, hash) values (:at, :actor, :action, :list_slug, "
                ":version_label, :file, :sha256, :detail, :prev_hash, :hash)"
            ),
            {**event, "at": "2024-02-26 09:15:01.000000" + ("+00" if postgres else "")},
        )


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            "control_list": [
                tuple(r) for r in conn.execute(text("select id, slug, name from control_list"))
            ],
            "version": [
                tuple(r)
                for r in conn.execute(
                    text(
                        "select id, list_id, label, effective, source_file, source_sha256, "
                        "item_count, imported_by from version order by id"
                    )
                )
            ],
            "item": [
                (r[0], r[1], None if r[2] is None else str(r[2]), *r[3:])
                for r in conn.execute(
                    text(
                        "select version_id, position, serial, code, level, ex, description, "
                        '"row" from item order by version_id, position'
                    )
                )
            ],
            "audit_event": [
                tuple(r)
                for r in conn.execute(text("select id, action, hash from audit_event order by id"))
            ],
        }


def test_the_revisions_are_the_ones_expected() -> None:
    assert EARLIER == [
        "20261126_0001",
        "20261129_0002",
        "20261129_0003",
        DIGESTS_REVISION,
        COVERAGE_REVISION,
        TREE_REVISION,
        LISTS_REVISION,
        USERS_REVISION,
    ]
    assert db.head_revision() == KEY_INDEX_REVISION


@pytest.mark.parametrize("revision", BEFORE_DIGESTS)
def test_each_earlier_revision_with_data_upgrades_to_head(db_url: str, revision: str) -> None:
    engine = db.create_db_engine(db_url)
    db.upgrade(engine, revision)
    _fill(engine)
    before = _rows(engine)
    db.upgrade(engine)
    db.assert_at_head(engine)
    after = _rows(engine)
    for table in ("control_list", "version", "item"):
        assert after[table] == before[table], table
    # The old events are kept as they were; the upgrade appended one for the versions
    # (0004) and one for the lists (0007).
    assert after["audit_event"][: len(before["audit_event"])] == before["audit_event"]
    assert [action for _, action, _ in after["audit_event"][len(before["audit_event"]) :]] == [
        "digests-computed",
        "digests-computed",
    ]
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        events = store.audit_events(session)
        versions = store.versions_of(session, store.get_list(session, "kr-russia"))
        assert [v.digest_origin for v in versions] == [f"upgrade {DIGESTS_REVISION}"] * 2
        assert all(v.items_digest and v.sections_digest and v.record_digest for v in versions)
    computed = json.loads(events[-2].detail)
    assert computed["revision"] == DIGESTS_REVISION
    listed = json.loads(events[-1].detail)
    assert listed["revision"] == LISTS_REVISION and listed["versions"] == []
    assert [(e["list"], e["record"]["name"]) for e in listed["lists"]] == [("kr-russia", "Russia")]
    assert [(e["list"], e["label"]) for e in computed["versions"]] == [
        ("kr-russia", "2024-02"),
        ("kr-russia", "2024-06"),
    ]
    assert [e["digests"]["items"] for e in computed["versions"]] == [
        v.items_digest for v in versions
    ]
    # The digests computed at upgrade guard the old versions from then on.
    with engine.begin() as conn:
        conn.execute(text("update item set description = 'x' where version_id = 1"))
    with store.session_scope(engine) as session:
        problems = store.verify_audit(session)
    assert len(problems) == 1
    assert problems[0].startswith(
        "version kr-russia 2024-02: items changed since the upgrade of event "
    )
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert drift == []
    engine.dispose()


def test_an_empty_database_upgrades_without_a_digest_event(db_url: str) -> None:
    engine = db.create_db_engine(db_url)
    db.upgrade(engine, EARLIER[-1])
    db.upgrade(engine)
    with store.session_scope(engine) as session:
        assert store.audit_events(session) == []
        assert store.verify_audit(session) == []
    engine.dispose()


def test_the_digest_revision_downgrades_and_upgrades_again(db_url: str) -> None:
    from alembic import command

    engine = db.create_db_engine(db_url)
    db.upgrade(engine, BEFORE_DIGESTS[-1])
    _fill(engine)
    db.upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), BEFORE_DIGESTS[-1])
    with engine.connect() as conn:
        schema = inspect(conn)
        assert "audit_head" not in schema.get_table_names()
        assert "items_digest" not in {c["name"] for c in schema.get_columns("version")}
    db.upgrade(engine)
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        actions = [e.action for e in store.audit_events(session)]
    # Each way up: the versions (0004), then the lists (0007).
    assert actions == ["import"] + ["digests-computed"] * 4
    engine.dispose()


def test_models_and_migrated_schema_agree(db_url: str) -> None:
    engine = db.create_db_engine(db_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert drift == []
    engine.dispose()


def test_the_coverage_revision_keeps_old_digests_and_round_trips(db_url: str) -> None:
    """0005 adds nullable columns; versions digested before it keep scheme 1."""
    from alembic import command

    from exportctl.models import ItemRecord
    from exportctl.store.versions import NewVersion

    engine = db.create_db_engine(db_url)
    db.upgrade(engine, BEFORE_DIGESTS[-1])
    _fill(engine)
    db.upgrade(engine, DIGESTS_REVISION)
    before = _rows(engine)
    db.upgrade(engine)
    after = _rows(engine)
    # The rows stay; the chain gains the lists' digests (revision 0007).
    assert {**after, "audit_event": after["audit_event"][:-1]} == before
    assert after["audit_event"][-1][1] == "digests-computed"
    with engine.connect() as conn:
        assert conn.execute(text("select profile from control_list")).scalars().all() == [None]
        assert set(conn.execute(text("select code_end from item")).scalars()) == {None}
        assert set(conn.execute(text("select attributes from item")).scalars()) == {None}
        assert set(conn.execute(text("select hs_edition from version")).scalars()) == {None}
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), DIGESTS_REVISION)
    with engine.connect() as conn:
        schema = inspect(conn)
        assert "code_end" not in {c["name"] for c in schema.get_columns("item")}
        assert "profile" not in {c["name"] for c in schema.get_columns("control_list")}
    db.upgrade(engine)
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        store.store_version(
            session,
            NewVersion(
                slug="kr-russia",
                label="2024-09",
                source_file="eu.csv",
                source_sha256="9" * 64,
                source_sheet="",
                actor="kim",
                hs_edition="HS2022",
            ),
            [
                ItemRecord(
                    "1", "847130", 6, False, "ADP", code_end="847150", attributes={"tier": "1"}
                )
            ],
        )
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        imported = [e for e in store.audit_events(session) if e.action == "import"][-1]
        assert json.loads(imported.detail)["digests"]["scheme"] == DIGEST_SCHEME
        assert json.loads(imported.detail)["record"]["hs_edition"] == "HS2022"
    # Scheme 2 covers the new columns: a changed attribute or range end is seen.
    for column, value in (("attributes", '{"tier": "2"}'), ("code_end", "847160")):
        with engine.begin() as conn:
            old = conn.execute(text(f"select {column} from item where version_id = 3")).scalar_one()
            conn.execute(text(f"update item set {column} = :x where version_id = 3"), {"x": value})
        with store.session_scope(engine) as session:
            problems = store.verify_audit(session)
        assert [p.split(" (digest")[0] for p in problems] == [
            "version kr-russia 2024-09: items changed since import"
        ], column
        with engine.begin() as conn:
            conn.execute(text(f"update item set {column} = :x where version_id = 3"), {"x": old})
    engine.dispose()


def test_lists_stored_before_the_lists_revision_are_guarded_from_the_upgrade_on(
    db_url: str,
) -> None:
    """0007 records each list's row as it is at upgrade time; a later change is named."""
    engine = db.create_db_engine(db_url)
    db.upgrade(engine, BEFORE_DIGESTS[-1])
    _fill(engine)
    db.upgrade(engine)
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        upgrade = store.audit_events(session)[-1]
    assert json.loads(upgrade.detail)["lists"][0]["record"]["profile"] is None
    with engine.begin() as conn:
        conn.execute(text("update control_list set profile = 'us-746'"))
    with store.session_scope(engine) as session:
        problems = store.verify_audit(session)
    assert [p.split(" (digest")[0] for p in problems] == [
        f"list kr-russia: changed since the upgrade of event {upgrade.id}: profile None → 'us-746'"
    ]
    engine.dispose()


def test_the_key_index_revision_adds_an_index_and_nothing_else(db_url: str) -> None:
    from alembic import command

    def item_indexes(engine: Engine) -> set[str | None]:
        with engine.connect() as conn:
            return {index["name"] for index in inspect(conn).get_indexes("item")}

    engine = db.create_db_engine(db_url)
    db.upgrade(engine, USERS_REVISION)
    _fill(engine)
    before = _rows(engine)
    db.upgrade(engine)
    assert _rows(engine) == before
    assert "ix_item_version_id_section_code" in item_indexes(engine)
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), USERS_REVISION)
    assert "ix_item_version_id_section_code" not in item_indexes(engine)
    db.upgrade(engine)
    assert _rows(engine) == before
    engine.dispose()
