"""A database for the web view's tests, built once, and helpers to log in and post forms.

The database holds the sample list ``kr-russia``: 2024-02 (imported by kim, approved
by lee) and the June additions 2024-06 (imported by kim, a draft awaiting approval);
a list ``xss`` whose one entry's description is a ``<script>``; a list ``annex`` in the
notice's own layout (two parts, sub-items three deep); and five users, one of each
role and a second approver, all with :data:`PASSWORD`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from builders import write_list_workbook

from exportctl import api
from exportctl.api.users import add_user
from exportctl.models import AuditEvent, Version
from exportctl.validate import Declared
from exportctl.web.app import create_app
from exportctl.web.settings import WebSettings

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 fork for its test client and warns on httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
USERS = {
    "ahn": "admin",
    "kim": "officer",
    "lee": "approver",
    "choi": "approver",
    "park": "viewer",
}
SAMPLES = Path(str(resources.files("exportctl").joinpath("samples")))
FEBRUARY = SAMPLES / "러시아벨라루스_상황허가_2024-02.xlsx"
JUNE_ADDED = SAMPLES / "러시아벨라루스_상황허가_2024-06_추가.xlsx"
CATALOGUE = SAMPLES / "catalogue.xlsx"
ANNEX = SAMPLES / "별표2의2_실제양식_견본.xlsx"
"""The annex in the notice's own layout: two parts, sub-items three deep."""
SCRIPT = "<script>alert(1)</script>"


def build_web_db(folder: Path, *, users: bool = True) -> Path:
    """The test database described above, as a SQLite file in ``folder``."""
    path = folder / "web.db"
    engine = api.open_database(f"sqlite:///{path}", create=True)
    try:
        api.create_list(engine, "kr-russia", name="러시아·벨라루스 상황허가 대상 품목", actor="kim")
        feb = api.ImportOptions(
            slug="kr-russia",
            label="2024-02",
            effective=dt.date(2024, 2, 24),
            declared=Declared(total=1159),
            actor="kim",
        )
        assert api.import_workbook(engine, FEBRUARY, feb).stored
        api.approve_version(engine, "kr-russia", "2024-02", actor="lee")
        june = api.ImportOptions(
            slug="kr-russia",
            label="2024-06",
            effective=dt.date(2024, 8, 28),
            base="2024-02",
            additions=True,
            declared=Declared(total=1402, added=243),
            actor="kim",
        )
        assert api.import_workbook(engine, JUNE_ADDED, june).stored
        hostile = write_list_workbook(
            folder / "xss.xlsx",
            [(1, "847130", SCRIPT, "<b>bold</b>", "<i>cat</i>", "<img src=x onerror=alert(1)>")],
            two_row_header=False,
        )
        xss = api.ImportOptions(
            slug="xss",
            label="v1",
            effective=dt.date(2024, 1, 1),
            create_list=True,
            approve=True,
            actor="kim",
        )
        assert api.import_workbook(engine, hostile, xss).stored
        annex = api.ImportOptions(
            slug="annex",
            label="sample",
            effective=dt.date(2024, 6, 28),
            declared_parts={1: Declared(total=20), 2: Declared(total=40)},
            create_list=True,
            approve=True,
            actor="kim",
        )
        assert api.import_workbook(engine, ANNEX, annex).stored
        if users:
            for name, role in USERS.items():
                add_user(engine, name, role=role, password=PASSWORD, actor="setup")
    finally:
        engine.dispose()
    # One file, no write-ahead log beside it, so a copy is the whole database.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def copy_db(template: Path, folder: Path) -> str:
    """A copy of the template database in ``folder``; its URL."""
    target = folder / "exportctl.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@contextmanager
def web_client(url: str, *, raise_bugs: bool = True, **settings: Any) -> Iterator[TestClient]:
    """The web view over ``url`` in a test client (started and stopped); with
    ``raise_bugs`` off, an unexpected error is answered as the server answers it."""
    given: dict[str, Any] = {"login_delay": 0.0, "local_actor": "owner", **settings}
    app = create_app(WebSettings(url, **given))
    with TestClient(app, follow_redirects=False, raise_server_exceptions=raise_bugs) as client:
        yield client


_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf(client: TestClient, path: str = "/login") -> str:
    """The form token a page of ``client``'s session carries."""
    response = client.get(path)
    found = _TOKEN.search(response.text)
    assert found is not None, response.text[:500]
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    """Log ``client`` in as ``name``."""
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf": csrf(client), "next": "/"}
    )
    assert response.status_code == 303, response.text[:500]


def post(client: TestClient, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    """Post a form with this session's token."""
    return client.post(path, data={**data, "csrf": csrf(client, "/lists")}, **kwargs)


def text_of(response: Any) -> str:
    """A page's text with its entities read (``&#34;`` is ``"``)."""
    return html.unescape(getattr(response, "text", ""))


def version_of(url: str, label: str, slug: str = "kr-russia") -> Version:
    """A version as stored now."""
    engine = api.open_database(url)
    try:
        return next(v for v in api.list_versions(engine, slug) if v.label == label)
    finally:
        engine.dispose()


def events_of(url: str) -> list[AuditEvent]:
    """The audit trail as stored now."""
    engine = api.open_database(url)
    try:
        return api.audit_log(engine)
    finally:
        engine.dispose()


def upload(client: TestClient, path: Path, **fields: str) -> Any:
    """Post ``path`` to the screening form (list kr-russia unless given)."""
    token = csrf(client, "/screen")
    with path.open("rb") as handle:
        return client.post(
            "/screen",
            data={"csrf": token, "list": "kr-russia", **fields},
            files={"file": (path.name, handle)},
        )
