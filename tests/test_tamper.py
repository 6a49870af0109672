"""Tampering with the database directly is named by ``audit verify``; parallel appends never fork.

Every test edits the rows with raw SQL, as someone with the database's password
would, on SQLite and PostgreSQL, then runs the real CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cli_process
import pytest
from conftest import RunCli
from sqlalchemy import Engine, create_engine, event, text

from exportctl import store
from exportctl.api import open_database
from exportctl.models import Item, ItemRecord, Section, SubItem, Version
from exportctl.store.audit import event_hash, parse_head
from exportctl.store.digests import (
    DIGEST_SCHEME,
    ITEM_DIGEST_COLUMNS,
    ITEM_DIGEST_COLUMNS_2,
    LIFECYCLE_COLUMNS,
    NOT_DIGESTED,
    RECORD_DIGEST_COLUMNS,
    RECORD_DIGEST_COLUMNS_2,
    SECTION_DIGEST_COLUMNS,
    version_digests,
)

ITEMS = [
    ItemRecord("1", "847130", 6, False, "자동자료처리기계", "ADP machines", row=5),
    ItemRecord("2", "8471", 4, True, "휴대용 컴퓨터", None, "전자", "ex", "8471", row=6),
    ItemRecord(
        "3의2",
        None,
        None,
        False,
        "전자 장치로서 다음 중 어느 하나에 해당하는 것",
        row=7,
        section=2,
        sub_items=(SubItem("a.", "3A001.a.3에 해당하는 집적회로", ("3A001.a.3",)),),
        control_numbers=("3A001.a.3",),
        mentioned_codes=("840710",),
    ),
]


def _store(engine: Engine, label: str, *, sections: bool = False) -> None:
    new = store.NewVersion(
        slug="kr-russia",
        label=label,
        source_file=f"{label}.xlsx",
        source_sha256=f"{label:0<64}"[:64],
        source_sheet="별표2의2",
        actor="kim",
        declared_total=3,
        sections=[store.NewSection(1, "이란"), store.NewSection(2, "러시아")] if sections else [],
        effective=dt.date(int(label[:4]), int(label[5:7]), 1),
    )
    with store.session_scope(engine) as session:
        store.store_version(session, new, ITEMS)


def _report(engine: Engine, fmt: str) -> None:
    with store.session_scope(engine) as session:
        store.record_event(
            session, action="report", actor="kim", list_slug="kr-russia", detail={"format": fmt}
        )


@pytest.fixture
def chain(initialised: str) -> Iterator[tuple[str, Engine]]:
    """Events 1 import 2024-02, 2 its approval by lee, 3 a report, 4 import 2024-06, 5 a report."""
    db_url = initialised
    engine = open_database(db_url)
    _store(engine, "2024-02")
    with store.session_scope(engine) as session:
        version = store.get_version(session, "kr-russia", "2024-02")
        store.set_status(session, version, status="approved", actor="lee", note="checked")
    _report(engine, "pdf")
    _store(engine, "2024-06", sections=True)
    _report(engine, "csv")
    yield db_url, engine
    engine.dispose()


def _sql(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _version_id(engine: Engine, label: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("select id from version where label = :l"), {"l": label}).scalar_one()
        )


def _verify(run_cli: RunCli, url: str, *args: str) -> tuple[int, list[str]]:
    result = run_cli("audit", "verify", *args, db=url)
    return result.exit_code, result.stdout.splitlines()


def _head(run_cli: RunCli, url: str) -> str:
    return str(json.loads(run_cli("audit", "head", "--json", db=url, ok=True).output)["head"])


def test_untampered_database_verifies_with_and_without_the_head(
    chain: tuple[str, Engine], run_cli: RunCli
) -> None:
    url, _ = chain
    head = _head(run_cli, url)
    assert head.startswith("5:") and len(head) == 66
    assert run_cli("audit", "head", db=url, ok=True).stdout.strip() == head
    assert _verify(run_cli, url) == (0, ["The audit chain and every version are intact."])
    code, _ = _verify(run_cli, url, "--head", head)
    assert code == 0
    assert _verify(run_cli, url, "--head", head.split(":")[1])[0] == 0
    bad = run_cli("audit", "verify", "--head", "5:abc", db=url)
    assert bad.exit_code == 2 and "is not a head" in bad.output


TAMPERING = {
    "item description edited": (
        "update item set description = 'tampered' where position = 1 and version_id = {v06}",
        "version kr-russia 2024-06: items changed since import (digest ",
    ),
    "item deleted": (
        "delete from item where position = 2 and version_id = {v06}",
        "version kr-russia 2024-06: items changed since import",
    ),
    "item inserted": (
        "insert into item (version_id, position, serial, code, level, ex, description, sheet, "
        "\"row\", section) values ({v06}, 3, '4', '850440', 6, false, 'slipped in', '', 9, 1)",
        "version kr-russia 2024-06: items changed since import",
    ),
    "item sub-items edited": (
        "update item set sub_items = '[]' where position = 2 and version_id = {v02}",
        "version kr-russia 2024-02: items changed since import",
    ),
    "item_count changed": (
        "update version set item_count = 2 where id = {v06}",
        "version kr-russia 2024-06: record changed since import: item_count 3 → 2 (digest ",
    ),
    "source file renamed": (
        "update version set source_file = 'other.xlsx' where id = {v02}",
        "version kr-russia 2024-02: record changed since import: source_file '2024-02.xlsx' → "
        "'other.xlsx'",
    ),
    "section retitled": (
        "update section set title = '기타' where number = 2 and version_id = {v06}",
        "version kr-russia 2024-06: sections changed since import (digest ",
    ),
    "approval undone": (
        "update version set status = 'draft' where id = {v02}",
        "version kr-russia 2024-02: status is 'draft' but the audit chain says 'approved'",
    ),
    "approver changed": (
        "update version set approved_by = 'kim' where id = {v02}",
        "version kr-russia 2024-02: approved_by is 'kim' but the audit chain says 'lee'",
    ),
    "audit detail edited": (
        "update audit_event set detail = '{{}}' where id = 5",
        "audit event 5 (report): changed after it was written (hash ",
    ),
    "middle event deleted": (
        "delete from audit_event where id = 3",
        "audit event 3 missing (ids jump 2 → 4)",
    ),
    "last event deleted": (
        "delete from audit_event where id = 5",
        "audit chain ends at event 4 but its head was recorded at event 5 (events after 4 deleted)",
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_is_named(chain: tuple[str, Engine], run_cli: RunCli, case: str) -> None:
    url, engine = chain
    sql, expected = TAMPERING[case]
    ids = {"v02": _version_id(engine, "2024-02"), "v06": _version_id(engine, "2024-06")}
    _sql(engine, sql.format(**ids))
    code, lines = _verify(run_cli, url)
    assert code == 1
    assert any(line.startswith(expected) for line in lines), lines
    assert len(lines) == 1, lines


def test_a_deleted_version_is_named_with_its_import_event(
    chain: tuple[str, Engine], run_cli: RunCli
) -> None:
    url, engine = chain
    vid = _version_id(engine, "2024-06")
    for table in ("item", "section"):
        _sql(engine, f"delete from {table} where version_id = :v", v=vid)
    _sql(engine, "delete from version where id = :v", v=vid)
    assert _verify(run_cli, url) == (
        1,
        ["version kr-russia 2024-06 deleted (its import event 4 remains)"],
    )


def test_a_version_added_outside_exportctl_is_named(
    chain: tuple[str, Engine], run_cli: RunCli
) -> None:
    url, engine = chain
    _sql(
        engine,
        "insert into version (list_id, label, source_file, source_sha256, source_sheet, "
        "additions_only, item_count, imported_at, imported_by, status, one_person, "
        "source_columns, declared_warnings) select list_id, '2024-09', 'x.xlsx', 'x', '', "
        "additions_only, 0, imported_at, 'eve', 'approved', one_person, '{}', '[]' "
        "from version where label = '2024-02'",
    )
    assert _verify(run_cli, url) == (
        1,
        [
            "version kr-russia 2024-09: not in the audit chain (no import event): added outside "
            "exportctl"
        ],
    )


def _rewrite_chain(engine: Engine, *, drop_last: bool = False) -> None:
    """Change an item, then recompute every digest and hash as an informed forger would."""
    vid = _version_id(engine, "2024-06")
    with engine.begin() as conn:
        conn.execute(
            text("update item set description = 'forged' where version_id = :v and position = 0"),
            {"v": vid},
        )
        digests = version_digests(conn, vid)
        conn.execute(
            text("update version set items_digest = :d where id = :v"),
            {"d": digests.items, "v": vid},
        )
        if drop_last:
            conn.execute(
                text("delete from audit_event where id = (select max(id) from audit_event)")
            )
        rows = conn.execute(text("select * from audit_event order by id")).mappings().all()
        previous = ""
        for row in rows:
            values = dict(row)
            if values["action"] == "import" and values["version_label"] == "2024-06":
                detail = json.loads(values["detail"])
                detail["digests"]["items"] = digests.items
                values["detail"] = json.dumps(detail, sort_keys=True, ensure_ascii=False)
            values["prev_hash"] = previous
            values["hash"] = event_hash(values)
            conn.execute(
                text(
                    "update audit_event set detail = :detail, prev_hash = :p, hash = :h "
                    "where id = :id"
                ),
                {"detail": values["detail"], "p": previous, "h": values["hash"], "id": row["id"]},
            )
            previous = values["hash"]
        conn.execute(
            text("update audit_head set event_id = :e, hash = :h"),
            {"e": rows[-1]["id"], "h": previous},
        )


def test_a_rewritten_chain_verifies_alone_but_not_against_the_head_filed(
    chain: tuple[str, Engine], run_cli: RunCli
) -> None:
    url, engine = chain
    head = _head(run_cli, url)
    _rewrite_chain(engine)
    # Consistent throughout: only the head filed outside the database tells.
    assert _verify(run_cli, url)[0] == 0
    code, lines = _verify(run_cli, url, "--head", head)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(
        "audit event 5 (report) is not the head filed (hash "
    ), lines
    assert lines[0].endswith("filed): the chain was rewritten")
    code, lines = _verify(run_cli, url, "--head", head.split(":")[1])
    assert (code, len(lines)) == (1, 1)
    assert "is not in the audit chain: the chain was rewritten or cut" in lines[0]


def test_a_cut_chain_is_caught_by_the_head_filed(
    chain: tuple[str, Engine], run_cli: RunCli
) -> None:
    url, engine = chain
    head = _head(run_cli, url)
    _rewrite_chain(engine, drop_last=True)
    assert _verify(run_cli, url)[0] == 0
    assert _verify(run_cli, url, "--head", head) == (
        1,
        ["audit chain ends at event 4 but the head filed is at event 5"],
    )


def test_verify_json_lists_the_problems(chain: tuple[str, Engine], run_cli: RunCli) -> None:
    url, engine = chain
    _sql(engine, "update audit_event set actor = 'mallory' where id = 1")
    result = run_cli("audit", "verify", "--json", db=url)
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["intact"] is False and out["problems"][0].startswith("audit event 1 (import)")


def test_import_events_carry_the_digests_and_the_record(chain: tuple[str, Engine]) -> None:
    _, engine = chain
    with store.session_scope(engine) as session:
        imports = [e for e in store.audit_events(session) if e.action == "import"]
        version = store.get_version(session, "kr-russia", "2024-06")
        digests = version_digests(session.connection(), version.id or 0)
    detail = json.loads(imports[-1].detail)
    assert detail["digests"] == {**digests.to_json(), "scheme": 3}
    assert detail["record"]["item_count"] == 3 and detail["record"]["list"] == "kr-russia"
    assert (version.items_digest, version.sections_digest, version.record_digest) == (
        digests.items,
        digests.sections,
        digests.record,
    )
    assert version.digest_origin == "import"


def test_the_digests_cover_every_stored_column() -> None:
    """A column added to item, section or version must be put in a digest or said not to be."""
    assert DIGEST_SCHEME == 3
    item_columns = set(Item.__table__.c.keys()) - {"id", "version_id"}  # type: ignore[attr-defined]
    assert item_columns == set(ITEM_DIGEST_COLUMNS_2)
    section_columns = set(Section.__table__.c.keys()) - {"id", "version_id"}  # type: ignore[attr-defined]
    assert section_columns == set(SECTION_DIGEST_COLUMNS)
    version_columns = set(Version.__table__.c.keys())  # type: ignore[attr-defined]
    assert version_columns == set(RECORD_DIGEST_COLUMNS_2) | set(LIFECYCLE_COLUMNS) | NOT_DIGESTED
    # Scheme 1 is frozen; scheme 2 only appends to it; scheme 3 reads the same columns
    # (item.sub_items as the tree it holds since revision 20261206_0006).
    assert len(ITEM_DIGEST_COLUMNS) == 16 and len(RECORD_DIGEST_COLUMNS) == 18
    assert ITEM_DIGEST_COLUMNS_2[:16] == ITEM_DIGEST_COLUMNS
    assert RECORD_DIGEST_COLUMNS_2[:18] == RECORD_DIGEST_COLUMNS


_CHANGED = {"position": 7, "section": 9, "level": 2, "row": 99, "attributes": '{"tier": "1"}'}


def test_a_change_to_any_item_column_is_seen(chain: tuple[str, Engine]) -> None:
    _, engine = chain
    vid = _version_id(engine, "2024-02")
    for column in ITEM_DIGEST_COLUMNS_2:
        quoted = f'"{column}"'
        with engine.connect() as conn:
            before = conn.execute(
                text(f"select {quoted} from item where version_id = :v and position = 1"),
                {"v": vid},
            ).scalar()
        value = (not before) if column == "ex" else _CHANGED.get(column, "changed")
        _sql(
            engine,
            f"update item set {quoted} = :x where version_id = :v and position = 1",
            x=value,
            v=vid,
        )
        with store.session_scope(engine) as session:
            problems = store.verify_audit(session)
        assert [p.split(" (digest")[0] for p in problems] == [
            "version kr-russia 2024-02: items changed since import"
        ], column
        _sql(
            engine,
            f"update item set {quoted} = :x where version_id = :v and position = :p",
            x=before,
            v=vid,
            p=7 if column == "position" else 1,
        )
    with store.session_scope(engine) as session:
        assert store.verify_audit(session) == []


def test_parse_head() -> None:
    digest = "ab" * 32
    assert parse_head(f"12:{digest.upper()}") == parse_head(f" 12:{digest}")
    assert parse_head(digest).id is None
    with pytest.raises(ValueError):
        parse_head("12:abc")


def _slow_event_inserts(engine: Engine) -> None:
    """Widen the window between reading the last event and inserting the next one."""

    @event.listens_for(engine, "before_cursor_execute")
    def pause(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            time.sleep(0.02)


def test_parallel_writers_never_fork_the_chain(chain: tuple[str, Engine]) -> None:
    url, _ = chain
    errors: list[BaseException] = []

    def write(n: int) -> None:
        engine = open_database(url)
        _slow_event_inserts(engine)
        try:
            for i in range(5):
                with store.session_scope(engine) as session:
                    store.record_event(
                        session, action="report", actor=f"w{n}", detail={"n": n, "i": i}
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = create_engine(url)
    with store.session_scope(engine) as session:
        events = store.audit_events(session)
        assert store.verify_audit(session) == []
    engine.dispose()
    assert len(events) == 5 + 8 * 5
    assert len({e.prev_hash for e in events}) == len(events)


def test_parallel_cli_runs_never_fork_the_chain(
    chain: tuple[str, Engine], run_cli: RunCli, tmp_path: Path
) -> None:
    url, _ = chain
    env = {
        **os.environ,
        "EXPORTCTL_DATABASE_URL": url,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    runs = [
        # Processes forked for the CLI (cli_process): they start within milliseconds.
        cli_process.popen(["lists", "create", f"l{n}", "--name", f"L {n}"], env=env)
        # Six at once: without the chain's lock PostgreSQL forks the chain with four.
        for n in range(6)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    code, lines = _verify(run_cli, url)
    assert (code, lines) == (0, ["The audit chain and every version are intact."])
    events = json.loads(run_cli("audit", "--json", db=url, ok=True).output)
    assert len(events) == 5 + 6


@pytest.mark.parametrize(
    "value",
    [
        "".join(map(chr, range(1, 0x20))) + '"\\/\x7f\u2028é한😀 ,:[]',
        "\x00 NUL",  # SQLite's text may hold one, PostgreSQL's not
        1.5,  # a real, written by hand into the row number (SQLite keeps it)
        1e20,  # one SQLite's JSON and Python's encoder could spell apart
        b"\x00\xff",  # a blob (SQLite keeps it in a text column)
    ],
)
def test_arrays_the_database_writes_and_read_values_digest_alike(
    chain: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, value: Any
) -> None:
    """The items' arrays may be written by the database itself: the digest is the same
    as of the values read back and encoded here, whatever a column holds."""
    from exportctl.store import digests

    url, engine = chain
    sqlite = url.startswith("sqlite")
    if not sqlite and not (isinstance(value, str) and "\x00" not in value):
        pytest.skip("PostgreSQL holds no such value")
    vid = _version_id(engine, "2024-02")
    column = "row" if isinstance(value, float) else "note"
    _sql(engine, f"update item set {column} = :x where version_id = :v", x=value, v=vid)
    with engine.connect() as conn:
        both = digests.items_digest(conn, vid)
        monkeypatch.setattr(digests, "_writes_alike", lambda _conn: False)
        values = digests.items_digest(conn, vid)
    assert both == values
