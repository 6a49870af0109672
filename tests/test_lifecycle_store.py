"""Version lifecycle in the store: draft, approval, withdrawal, lists, and the upgrade to it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from exportctl import db, store
from exportctl.api import open_database
from exportctl.errors import (
    DuplicateSourceError,
    InputError,
    ListExistsError,
    ListNotFoundError,
    StatusError,
    VersionNotFoundError,
)
from exportctl.models import ItemRecord, Version
from exportctl.store.audit import event_hash

OLD_REVISION = "20261126_0001"
UPGRADE_NOTE = "approved when the database was upgraded: imported before versions had a status"

ITEMS = [
    ItemRecord("1", "847130", 6, False, "자동자료처리기계", "ADP machines", row=5),
    ItemRecord("2", "8471", 4, True, "휴대용 컴퓨터", None, "전자", "ex", "8471", row=6),
]


@pytest.fixture
def engine(initialised: str) -> Iterator[Engine]:
    engine = open_database(initialised)
    yield engine
    engine.dispose()


def _store(
    engine: Engine,
    label: str,
    *,
    slug: str = "kr-russia",
    actor: str = "kim",
    effective: dt.date | None = None,
    sha: str | None = None,
    undated: bool = False,
    **extra: Any,
) -> Version:
    if effective is None and not undated:
        # Approval needs a date: the first of the label's month unless one is given.
        effective = dt.date(int(label[:4]), int(label[5:7]), 1)
    new = store.NewVersion(
        slug=slug,
        label=label,
        source_file=f"{label}.xlsx",
        source_sha256=sha or f"{label:0<64}"[:64],
        source_sheet="Sheet1",
        actor=actor,
        effective=effective,
        **extra,
    )
    with store.session_scope(engine) as session:
        return store.store_version(session, new, ITEMS)


def _set(engine: Engine, label: str, **kwargs: Any) -> Version:
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", label)
        return store.set_status(session, version, **kwargs)


def _events(engine: Engine) -> list[tuple[str, str | None, dict[str, Any]]]:
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        return [
            (event.action, event.version_label, json.loads(event.detail))
            for event in store.audit_events(session)
        ]


def test_an_import_is_a_draft_keeping_its_columns_and_declared_warnings(engine: Engine) -> None:
    columns = {"serial": "연번", "code": "HS코드"}
    warnings = ["the notice declares 798 added but 682 are new"]
    stored = _store(engine, "2024-06", source_columns=columns, declared_warnings=warnings)
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-06")
        assert version.id == stored.id
        assert (version.status, version.approved_by, version.one_person) == ("draft", None, False)
        assert version.columns() == columns
        assert list(version.columns()) == ["serial", "code"]  # the file's order
        assert version.warnings() == warnings
    assert [action for action, _, _ in _events(engine)] == ["import"]


def test_an_import_without_columns_or_warnings_decodes_to_empty(engine: Engine) -> None:
    _store(engine, "2024-02")
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-02")
        assert (version.source_columns, version.declared_warnings) == ("{}", "[]")
        assert (version.columns(), version.warnings()) == ({}, [])


def test_import_approve_is_a_one_person_sign_off_recorded_after_the_import(
    engine: Engine,
) -> None:
    _store(engine, "2024-02", approve=True)
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-02")
        assert (version.status, version.approved_by, version.one_person) == (
            "approved",
            "kim",
            True,
        )
        assert version.approved_at is not None and version.approved_at.tzinfo is not None
    events = _events(engine)
    assert [action for action, _, _ in events] == ["import", "approve"]
    assert events[1][2]["one_person"] is True
    assert events[1][2]["status_after"] == "approved"


def test_a_list_is_not_created_by_an_import_that_says_so(engine: Engine) -> None:
    with pytest.raises(ListNotFoundError, match='no control list "kr-russia"'):
        _store(engine, "2024-02", create_list=False)
    with store.session_scope(engine) as session:
        assert store.all_slugs(session) == []
        store.create_list(session, "kr-russia", name="Russia", actor="kim")
    _store(engine, "2024-02", create_list=False)
    with store.session_scope(engine) as session:
        assert store.get_list(session, "kr-russia").name == "Russia"


def test_approval_needs_a_second_person_unless_signed_off_alone(engine: Engine) -> None:
    _store(engine, "2024-02", actor="kim")
    for same in ("kim", " KIM "):
        with pytest.raises(StatusError) as refused:
            _set(engine, "2024-02", status="approved", actor=same)
        assert str(refused.value) == (
            'version "2024-02" of "kr-russia" was imported by kim; a second person approves '
            "it (set EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
            "sign-off with --self"
        )
    approved = _set(engine, "2024-02", status="approved", actor="lee", note="checked 1159 rows")
    assert (approved.status, approved.approved_by, approved.one_person) == (
        "approved",
        "lee",
        False,
    )
    assert approved.approval_note == "checked 1159 rows"
    with pytest.raises(StatusError, match=r'"2024-02" of "kr-russia" was already approved by lee'):
        _set(engine, "2024-02", status="approved", actor="park")
    with store.session_scope(engine) as session:
        kept = store.get_version(session, "kr-russia", "2024-02")
        assert (kept.approved_by, kept.approval_note) == ("lee", "checked 1159 rows")


def test_a_one_person_sign_off_is_recorded_as_such(engine: Engine) -> None:
    _store(engine, "2024-02", actor="kim")
    _store(engine, "2024-06", actor="kim")
    alone = _set(engine, "2024-02", status="approved", actor="kim", one_person=True)
    assert (alone.status, alone.approved_by, alone.one_person) == ("approved", "kim", True)
    # --self from someone else is still a two-person sign-off.
    other = _set(engine, "2024-06", status="approved", actor="lee", one_person=True)
    assert other.one_person is False
    approvals = [detail for action, _, detail in _events(engine) if action == "approve"]
    assert [detail["one_person"] for detail in approvals] == [True, False]


def test_withdrawal_needs_a_reason_and_happens_once(engine: Engine) -> None:
    _store(engine, "2024-02")
    for blank in (None, "", "   "):
        with pytest.raises(StatusError, match="needs a reason"):
            _set(engine, "2024-02", status="withdrawn", actor="lee", note=blank)
    with store.session_scope(engine) as session:
        assert store.get_version(session, "kr-russia", "2024-02").status == "draft"
    withdrawn = _set(engine, "2024-02", status="withdrawn", actor="lee", note="wrong sheet")
    assert (withdrawn.status, withdrawn.withdrawn_by, withdrawn.withdrawn_reason) == (
        "withdrawn",
        "lee",
        "wrong sheet",
    )
    assert withdrawn.withdrawn_at is not None
    with pytest.raises(StatusError, match=r"already withdrawn by lee .* \(wrong sheet\)"):
        _set(engine, "2024-02", status="withdrawn", actor="lee", note="again")
    with pytest.raises(StatusError, match=r"was withdrawn by lee .*\(wrong sheet\); a withdrawn"):
        _set(engine, "2024-02", status="approved", actor="park")


def test_an_approved_version_can_be_withdrawn_and_keeps_its_content(engine: Engine) -> None:
    _store(engine, "2024-02", approve=True)
    _set(engine, "2024-02", status="withdrawn", actor="lee", note="superseded by a correction")
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-02")
        assert (version.status, version.approved_by) == ("withdrawn", "kim")
        assert version.item_count == len(ITEMS)
        assert store.load_items(session, version) == ITEMS
        listed = store.versions_of(session, store.get_list(session, "kr-russia"))
        assert [(v.label, v.status) for v in listed] == [("2024-02", "withdrawn")]
    with pytest.raises(StatusError, match='cannot be set to "draft"'):
        _set(engine, "2024-02", status="draft", actor="lee")


def test_a_status_read_before_someone_else_changed_it_is_refused(engine: Engine) -> None:
    _store(engine, "2024-02")
    with store.session_scope(engine) as session:
        stale = store.get_version(session, "kr-russia", "2024-02")
    _set(engine, "2024-02", status="withdrawn", actor="lee", note="wrong file")
    assert stale.status == "draft"  # what the first reader saw
    with (
        pytest.raises(StatusError, match="changed by someone else"),
        store.session_scope(engine) as session,
    ):
        store.set_status(session, stale, status="approved", actor="park")
    with store.session_scope(engine) as session:
        assert store.get_version(session, "kr-russia", "2024-02").status == "withdrawn"


def test_status_changes_are_audited_with_the_source(engine: Engine) -> None:
    stored = _store(engine, "2024-02")
    _set(engine, "2024-02", status="approved", actor="lee", note="ok")
    _set(engine, "2024-02", status="withdrawn", actor="park", note="wrong list")
    with store.session_scope(engine) as session:
        events = store.audit_events(session)
        assert store.verify_audit(session) == []
    assert [(e.action, e.actor) for e in events] == [
        ("import", "kim"),
        ("approve", "lee"),
        ("withdraw", "park"),
    ]
    for event in events[1:]:
        assert (event.list_slug, event.version_label) == ("kr-russia", "2024-02")
        assert (event.file, event.sha256) == (stored.source_file, stored.source_sha256)
    assert json.loads(events[1].detail) == {
        "status_before": "draft",
        "status_after": "approved",
        "note": "ok",
        "one_person": False,
    }
    assert json.loads(events[2].detail) == {
        "status_before": "approved",
        "status_after": "withdrawn",
        "reason": "wrong list",
        "one_person": False,
        "one_person_withdrawal": False,
    }


def test_a_refused_change_writes_nothing(engine: Engine) -> None:
    _store(engine, "2024-02")
    with pytest.raises(StatusError):
        _set(engine, "2024-02", status="approved", actor="kim")
    assert [action for action, _, _ in _events(engine)] == ["import"]


def test_as_of_passes_over_drafts_when_asked_and_withdrawn_versions_always(
    engine: Engine,
) -> None:
    _store(engine, "2024-02", effective=dt.date(2024, 2, 24), approve=True)
    _store(engine, "2024-06", effective=dt.date(2024, 6, 1))
    july = dt.date(2024, 7, 1)

    def as_of(day: dt.date, **kwargs: Any) -> str:
        with store.session_scope(engine) as session:
            return store.version_as_of(session, "kr-russia", day, **kwargs).label

    assert as_of(july) == "2024-06"  # drafts count by default
    assert as_of(july, include_drafts=False) == "2024-02"
    _set(engine, "2024-02", status="withdrawn", actor="lee", note="wrong sheet")
    assert as_of(july) == "2024-06"
    with pytest.raises(VersionNotFoundError) as nothing:
        as_of(july, include_drafts=False)
    assert str(nothing.value) == (
        'list "kr-russia" had no approved version in force on 2024-07-01: "2024-06" '
        "(effective 2024-06-01) is a draft awaiting approval (approve with `exportctl "
        'approve`, or use --include-drafts to count drafts); "2024-02" (effective '
        "2024-02-24) was withdrawn by lee: wrong sheet"
    )
    with pytest.raises(VersionNotFoundError, match=r'"2024-02" .* was withdrawn by lee'):
        as_of(dt.date(2024, 3, 1))
    with pytest.raises(VersionNotFoundError, match='the first, "2024-06", took effect'):
        as_of(dt.date(2024, 1, 1))
    _set(engine, "2024-06", status="approved", actor="lee")
    assert as_of(july, include_drafts=False) == "2024-06"


def test_as_of_explains_drafts_it_does_not_count(engine: Engine) -> None:
    _store(engine, "2024-06", effective=dt.date(2024, 6, 1))
    with store.session_scope(engine) as session:
        with pytest.raises(VersionNotFoundError, match=r'first dated one, "2024-06" .* is draft'):
            store.version_as_of(session, "kr-russia", dt.date(2024, 1, 1), include_drafts=False)
    _store(engine, "2024-07", effective=dt.date(2024, 7, 1))
    with store.session_scope(engine) as session:
        with pytest.raises(VersionNotFoundError) as drafts:
            store.version_as_of(session, "kr-russia", dt.date(2024, 8, 1), include_drafts=False)
        assert '"2024-06" (effective 2024-06-01), "2024-07" (effective 2024-07-01) are drafts' in (
            str(drafts.value)
        )


def test_the_file_of_a_withdrawn_version_may_be_imported_again(engine: Engine) -> None:
    sha = "a" * 64
    first = _store(engine, "2024-06", sha=sha)
    with pytest.raises(DuplicateSourceError, match='as version "2024-06"'):
        _store(engine, "2024-06b", sha=sha)
    _set(engine, "2024-06", status="withdrawn", actor="lee", note="imported with the wrong base")
    again = _store(engine, "2024-06b", sha=sha)
    with pytest.raises(DuplicateSourceError, match='as version "2024-06b"'):
        _store(engine, "2024-06c", sha=sha)
    with store.session_scope(engine) as session:
        control_list = store.get_list(session, "kr-russia")
        assert control_list.id is not None
        found = store.find_source(session, control_list.id, sha, "Sheet1")
        assert found is not None and found.id == again.id
        assert [v.label for v in store.versions_of(session, control_list)] == [
            "2024-06",
            "2024-06b",
        ]
        assert store.get_version(session, "kr-russia", "2024-06").id == first.id


def test_the_status_column_takes_only_known_statuses(engine: Engine) -> None:
    stored = _store(engine, "2024-02")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text("update version set status = 'retired' where id = :id"), {"id": stored.id}
        )


def test_create_list_normalises_and_audits(engine: Engine) -> None:
    with store.session_scope(engine) as session:
        created = store.create_list(
            session,
            "kr-russia",
            name="  Russia/Belarus situational  ",
            jurisdiction="KR",
            authority="MOTIE",
            targets="ru, by,RU",
            actor="kim",
        )
        assert (created.name, created.targets) == ("Russia/Belarus situational", "RU,BY")
    events = _events(engine)
    # The event carries the list's row as stored, with its digest (store.digests.list_vouch).
    vouch = events[0][2].pop("list")
    assert events == [
        (
            "create-list",
            None,
            {
                "name": "Russia/Belarus situational",
                "jurisdiction": "KR",
                "authority": "MOTIE",
                "targets": "RU,BY",
            },
        )
    ]
    assert vouch["record"]["targets"] == "RU,BY" and len(vouch["digest"]) == 64
    with store.session_scope(engine) as session:
        assert store.get_list(session, "kr-russia").authority == "MOTIE"
        with pytest.raises(ListExistsError, match=r'"kr-russia" already exists \("Russia/Bel'):
            store.create_list(session, "kr-russia", name="Other", actor="lee")


@pytest.mark.parametrize("slug", ["", "Kr-russia", "-kr", "kr russia", "kr/russia", "k" * 101])
def test_create_list_refuses_a_malformed_slug(engine: Engine, slug: str) -> None:
    with (
        pytest.raises(InputError, match="cannot be a list slug"),
        store.session_scope(engine) as session,
    ):
        store.create_list(session, slug, name="x", actor="kim")


def test_create_list_refuses_a_blank_name_or_odd_targets(engine: Engine) -> None:
    with store.session_scope(engine) as session:
        store.create_list(session, "k" * 100, name="longest", actor="kim")
        store.create_list(session, "eu.833_annex-xxi", name="EU", targets=" ", actor="kim")
        assert store.get_list(session, "eu.833_annex-xxi").targets is None
        with pytest.raises(InputError, match="needs a name"):
            store.create_list(session, "kr-russia", name="  ", actor="kim")
        with pytest.raises(InputError, match='"Russia" is not a country code'):
            store.create_list(session, "kr-russia", name="x", targets="Russia", actor="kim")


def test_an_unknown_slug_names_the_closest_list_and_how_to_create_one(engine: Engine) -> None:
    with store.session_scope(engine) as session:
        with pytest.raises(ListNotFoundError) as empty:
            store.get_list(session, "kr-russia")
        assert str(empty.value) == (
            'no control list "kr-russia" (no lists yet); create a list with: '
            "exportctl lists create kr-russia --name TEXT"
        )
        store.create_list(session, "kr-russia", name="Russia", actor="kim")
        store.create_list(session, "eu-833", name="EU 833", actor="kim")
        with pytest.raises(ListNotFoundError) as typo:
            store.get_list(session, "kr-rusia")
        assert str(typo.value) == (
            'no control list "kr-rusia"; did you mean "kr-russia"? (lists: eu-833, kr-russia); '
            "create a list with: exportctl lists create kr-rusia --name TEXT"
        )
        with pytest.raises(ListNotFoundError) as far:
            store.get_list(session, "Jp Other")
        assert str(far.value) == (
            'no control list "Jp Other" (lists: eu-833, kr-russia); create a list with: '
            "exportctl lists create SLUG --name TEXT"
        )


# The upgrade from the schema before versions had a status.


def _old_database(url: str) -> tuple[Engine, dict[str, Any]]:
    """A database at the first revision holding a list, two versions, items and an event."""
    engine = db.create_db_engine(url)
    db.upgrade(engine, OLD_REVISION)
    postgres = engine.dialect.name == "postgresql"
    stamp = "{}+00" if postgres else "{}"
    imported = ["2024-02-26 09:15:00.123456", "2024-06-03 14:00:00.654321"]
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into control_list (id, slug, name, created_at) "
                "values (1, 'kr-russia', 'Russia', :at)"
            ),
            {"at": stamp.format(imported[0])},
        )
        for vid, label, sha, by, at, base in [
            (1, "2024-02", "1" * 64, "kim", imported[0], None),
            (2, "2024-06", "2" * 64, "lee", imported[1], 1),
        ]:
            conn.execute(
                text(
                    "insert into version (id, list_id, label, effective, source_file, "
                    "source_sha256, source_sheet, additions_only, base_version_id, "
                    "declared_total, item_count, imported_at, imported_by) values (:id, 1, "
                    ":label, :effective, :file, :sha, 'Sheet1', :additions, :base, 1159, 2, "
                    ":at, :by)"
                ),
                {
                    "id": vid,
                    "label": label,
                    "effective": f"{label}-01",
                    "file": f"{label}.xlsx",
                    "sha": sha,
                    "additions": base is not None,
                    "base": base,
                    "at": stamp.format(at),
                    "by": by,
                },
            )
            for position, item in enumerate(ITEMS):
                conn.execute(
                    text(
                        "insert into item (version_id, position, serial, code, level, ex, "
                        "description, description_en, category, note, original_code, sheet, "
                        '"row") values (:vid, :position, :serial, :code, :level, :ex, '
                        ":description, :description_en, :category, :note, :original_code, "
                        ":sheet, :row)"
                    ),
                    {"vid": vid, "position": position, **_item_params(item)},
                )
        if postgres:  # explicit ids leave the sequences behind
            for table in ("control_list", "version"):
                conn.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), 2)"))
    with engine.begin() as conn:  # as the first schema's code wrote it: no audit_head yet
        event: dict[str, Any] = {
            "at": dt.datetime(2024, 2, 26, 9, 15, 1, tzinfo=dt.UTC),
            "actor": "kim",
            "action": "import",
            "list_slug": "kr-russia",
            "version_label": None,
            "file": None,
            "sha256": None,
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
            {**event, "at": stamp.format("2024-02-26 09:15:01.000000")},
        )
    return engine, {"imported": imported}


def _item_params(item: ItemRecord) -> dict[str, Any]:
    """An item as the first schema stored it: a whole-number serial."""
    return {
        "serial": int(item.serial) if item.serial is not None else None,
        "code": item.code,
        "level": item.level,
        "ex": item.ex,
        "description": item.description,
        "description_en": item.description_en,
        "category": item.category,
        "note": item.note,
        "original_code": item.original_code,
        "sheet": item.sheet,
        "row": item.row,
    }


def test_the_upgrade_approves_existing_versions_and_keeps_everything_else(db_url: str) -> None:
    engine, old = _old_database(db_url)
    with engine.connect() as conn:
        old_uniques = {uq["name"] for uq in inspect(conn).get_unique_constraints("version")}
        items_before = conn.execute(text("select * from item order by id")).all()
    assert "uq_version_list_id_source" in old_uniques
    db.upgrade(engine, "20261129_0002")
    with engine.connect() as conn:
        schema = inspect(conn)
        uniques = {uq["name"] for uq in schema.get_unique_constraints("version")}
        indexes = {ix["name"] for ix in schema.get_indexes("version")}
        assert conn.execute(text("select * from item order by id")).all() == items_before
        assert conn.execute(text("select count(*) from version")).scalar() == 2
    db.upgrade(engine)
    db.assert_at_head(engine)
    assert uniques == {"uq_version_list_id_label"}
    assert "ix_version_list_id_source_sha256" in indexes
    with store.session_scope(engine) as session:
        versions = store.versions_of(session, store.get_list(session, "kr-russia"))
        assert [(v.id, v.label, v.base_version_id) for v in versions] == [
            (1, "2024-02", None),
            (2, "2024-06", 1),
        ]
        for version, at in zip(versions, old["imported"], strict=True):
            assert version.status == "approved"
            assert version.approved_by == version.imported_by
            assert version.approved_at == version.imported_at
            assert version.imported_at == dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
            assert version.approval_note == UPGRADE_NOTE
            assert version.one_person is True
            assert (version.withdrawn_by, version.withdrawn_at, version.withdrawn_reason) == (
                None,
                None,
                None,
            )
            assert (version.columns(), version.warnings()) == ({}, [])
            assert version.declared_total == 1159
            assert store.load_items(session, version) == ITEMS
        # Which version is in force did not change, drafts counted or not.
        june = dt.date(2024, 7, 1)
        assert store.version_as_of(session, "kr-russia", june, include_drafts=False).label == (
            "2024-06"
        )
        assert store.verify_audit(session) == []
    _the_source_of_a_withdrawn_version_can_be_stored_again(engine)
    engine.dispose()


def _the_source_of_a_withdrawn_version_can_be_stored_again(engine: Engine) -> None:
    new = store.NewVersion(
        slug="kr-russia",
        label="2024-06-fixed",
        source_file="2024-06.xlsx",
        source_sha256="2" * 64,
        source_sheet="Sheet1",
        actor="park",
    )
    with pytest.raises(DuplicateSourceError), store.session_scope(engine) as session:
        store.store_version(session, new, ITEMS)
    _set(engine, "2024-06", status="withdrawn", actor="park", note="wrong base")
    with store.session_scope(engine) as session:
        stored = store.store_version(session, new, ITEMS)
        assert (stored.status, stored.id) == ("draft", 3)
    with engine.connect() as conn:
        same_source = conn.execute(
            text("select count(*) from version where source_sha256 = :sha"), {"sha": "2" * 64}
        ).scalar()
    assert same_source == 2
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []
        assert [e.action for e in store.audit_events(session)] == [
            "import",
            "digests-computed",  # the versions' (revision 0004)
            "digests-computed",  # the lists' (revision 0007)
            "withdraw",
            "import",
        ]


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), revision)


def test_the_downgrade_restores_the_old_schema(db_url: str) -> None:
    engine, _ = _old_database(db_url)
    db.upgrade(engine)
    _downgrade(engine, OLD_REVISION)
    assert db.current_revision(engine) == OLD_REVISION
    with engine.connect() as conn:
        schema = inspect(conn)
        columns = {column["name"] for column in schema.get_columns("version")}
        uniques = {uq["name"] for uq in schema.get_unique_constraints("version")}
        assert conn.execute(text("select count(*) from version")).scalar() == 2
        assert conn.execute(text("select count(*) from item")).scalar() == 2 * len(ITEMS)
    assert "status" not in columns and "declared_warnings" not in columns
    assert uniques == {"uq_version_list_id_label", "uq_version_list_id_source"}
    db.upgrade(engine)
    with store.session_scope(engine) as session:
        assert store.get_version(session, "kr-russia", "2024-02").status == "approved"
    engine.dispose()


def test_the_downgrade_refuses_a_source_stored_twice(db_url: str) -> None:
    engine, _ = _old_database(db_url)
    db.upgrade(engine)
    _set(engine, "2024-06", status="withdrawn", actor="park", note="wrong base")
    _store(engine, "2024-06-fixed", sha="2" * 64)
    with pytest.raises(RuntimeError, match="cannot downgrade"):
        _downgrade(engine, OLD_REVISION)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_approval_needs_an_effective_date(engine: Engine) -> None:
    _store(engine, "2024-02", undated=True)
    with pytest.raises(StatusError) as refused:
        _set(engine, "2024-02", status="approved", actor="lee")
    assert str(refused.value) == (
        'version "2024-02" of "kr-russia" has no effective date, so no by-date question would '
        "choose it; give it one first: exportctl dates 2024-02 --list kr-russia --effective "
        "YYYY-MM-DD"
    )
    with pytest.raises(StatusError, match="cannot be approved without an effective date"):
        _store(engine, "2024-06", undated=True, approve=True)
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-02")
        store.set_dates(session, version, actor="kim", effective=dt.date(2024, 2, 24))
    assert _set(engine, "2024-02", status="approved", actor="lee").effective == dt.date(2024, 2, 24)
    assert [action for action, _, _ in _events(engine)] == ["import", "dates", "approve"]


def test_as_of_names_approved_versions_without_a_date(engine: Engine) -> None:
    _store(engine, "2024-02", undated=True)
    with engine.begin() as conn:  # as a database from before approval needed a date
        conn.execute(text("update version set status = 'approved' where label = '2024-02'"))
    with store.session_scope(engine) as session:
        with pytest.raises(VersionNotFoundError) as nothing:
            store.version_as_of(session, "kr-russia", dt.date(2024, 7, 1), include_drafts=False)
    assert str(nothing.value) == (
        'list "kr-russia" has no version with an effective date, so none was in force on '
        '2024-07-01: "2024-02" is approved but has no effective date, so it is never chosen by '
        'date; withdraw it (exportctl withdraw 2024-02 --list kr-russia --reason "no effective '
        'date") and import its file again with --effective DATE'
    )
