"""A version's items digest is the one Python's JSON encoder gives, whoever writes the rows.

Under scheme 3 SQLite writes each item's JSON array itself
(``store.digests.items_digest``); these tests spell the scheme out in Python and hold
the digest to it on SQLite and PostgreSQL, for text holding every character JSON
escapes, for NULLs and for large numbers, and check that a value the database cannot
write (a blob put in by hand on SQLite) still gets Python's digest, as ``{"bytes": hex}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from exportctl import store
from exportctl.api import open_database
from exportctl.models import ItemRecord, SubItem
from exportctl.store import digests
from exportctl.store.digests import ITEM_DIGEST_COLUMNS_2, items_digest

AWKWARD = "".join(map(chr, range(1, 32))) + '"\\/\x7f\x80\u2028\ufeff 한국어 \U0001f600'
"""Every control character, the quote, the backslash and some non-ASCII text."""

ITEMS = [
    ItemRecord("1", "847130", 6, False, AWKWARD, AWKWARD, AWKWARD, AWKWARD, "8471.30", row=5),
    ItemRecord(
        "2",
        None,
        None,
        True,
        "전자 장치",
        row=2**31 - 1,
        section=3,
        sub_items=(SubItem("a.", AWKWARD, ("3A001.a.3",)),),
        control_numbers=("3A001.a.3",),
        mentioned_codes=("840710",),
    ),
    ItemRecord("3", "8471", 4, False, "", None, row=7),
]


@pytest.fixture
def engine(db_url: str) -> Any:
    engine = open_database(db_url, create=True)
    new = store.NewVersion(
        slug="kr-russia",
        label="2024-06",
        source_file="2024-06.xlsx",
        source_sha256="0" * 64,
        source_sheet="별표2의2",
        actor="kim",
        effective=dt.date(2024, 6, 1),
    )
    with store.session_scope(engine) as session:
        store.store_version(session, new, ITEMS)
    yield engine
    engine.dispose()


def _by_python(conn: Connection, version_id: int) -> str:
    """Scheme 3 as its definition reads: each item the compact JSON array of its columns
    (``ex`` as 0 or 1), followed by a comma."""
    columns = ", ".join(
        "case when ex then 1 else 0 end" if name == "ex" else f'"{name}"'
        for name in ITEM_DIGEST_COLUMNS_2
    )
    rows = conn.execute(
        text(f"select {columns} from item where version_id = :v order by position, id"),
        {"v": version_id},
    ).all()
    body = "".join(
        json.dumps(
            [{"bytes": value.hex()} if isinstance(value, bytes) else value for value in row],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + ","
        for row in rows
    )
    return hashlib.sha256(f"items/3\n{body}".encode()).hexdigest()


def _version_id(conn: Connection) -> int:
    return int(conn.execute(text("select id from version")).scalar_one())


def test_the_database_writes_the_items_as_python_encodes_them(engine: Engine) -> None:
    with engine.connect() as conn:
        # SQLite writes the rows (PostgreSQL's to_json is slower than Python's encoder).
        assert digests._writes_alike(conn) == (conn.dialect.name == "sqlite")
        version_id = _version_id(conn)
        assert items_digest(conn, version_id) == _by_python(conn, version_id)
        # The import digested the rows it had stored the same way.
        stored = conn.execute(text("select items_digest from version")).scalar_one()
        assert stored == _by_python(conn, version_id)


@pytest.mark.sqlite_only
def test_a_database_writing_otherwise_is_not_asked(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def spaced(conn: Connection, names: Any) -> str:
        return f"replace({written(conn, names)}, ',', ', ')"

    written = digests._row_text
    monkeypatch.setattr(digests, "_row_text", spaced)
    monkeypatch.setattr(digests, "_alike", {})
    with engine.connect() as conn:
        assert not digests._writes_alike(conn)
        version_id = _version_id(conn)
        assert items_digest(conn, version_id) == _by_python(conn, version_id)


@pytest.mark.sqlite_only
def test_a_blob_put_in_by_hand_gets_pythons_digest_and_is_named(engine: Engine) -> None:
    with engine.begin() as conn:
        version_id = _version_id(conn)
        conn.execute(text("update item set note = x'00ff' where serial = '1'"))
    with engine.connect() as conn:
        now = items_digest(conn, version_id)
        # Python's encoder writes a blob as {"bytes": its hex}; SQLite's JSON cannot.
        assert now == _by_python(conn, version_id)
        rows = conn.execute(text("select note from item order by position")).scalars().all()
    assert rows[0] == b"\x00\xff"
    with store.session_scope(engine) as session:
        problems = store.verify_audit(session)
    assert [p.split(" (digest")[0] for p in problems] == [
        "version kr-russia 2024-06: items changed since import"
    ]
    assert now[:8] in problems[0]
