"""The web view through Starlette's test client: the gate (token, log-in, sessions,
form tokens, slowed failures), every page for every role, the command line's rules
and sentences, what a hostile input cannot do, and ``serve`` and ``users``.

The pages' content is tested in ``test_web_pages.py``; a real browser in
``test_web_browser.py``."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from builders import write_list_workbook
from conftest import RunCli
from web_helpers import (
    CATALOGUE,
    PASSWORD,
    SCRIPT,
    USERS,
    csrf,
    events_of,
    login,
    post,
    text_of,
    upload,
    version_of,
    web_client,
)

from exportctl import api
from exportctl.api.users import add_user, disable_user, set_password

pytest.importorskip("starlette")

# The fixtures db, token_db and template_db (one database built for the session).
pytest_plugins = ["web_fixtures"]


PAGES = [
    "/",
    "/lists",
    "/lists/kr-russia",
    "/lists/kr-russia/versions/2024-06",
    "/lists/kr-russia/entry?key=847130",
    "/lists/kr-russia/changes?old=2024-02&new=2024-06",
    "/check?codes=8471.30&list=kr-russia",
    "/audit",
    "/screen",
    "/import",
    "/users",
    "/screen/abc",
    "/downloads/abc/report.pdf",
]
FORMS = [
    "/logout",
    "/lists/kr-russia/versions/2024-06/approve",
    "/lists/kr-russia/versions/2024-06/withdraw",
    "/lists/kr-russia/versions/2024-06/reinstate",
    "/lists/kr-russia/versions/2024-06/dates",
    "/lists/kr-russia/changes/report",
    "/screen",
    "/screen/abc/report",
    "/import",
    "/users",
    "/users/kim",
]


# --------------------------------------------------------------------------- the gate


def test_no_page_form_or_download_without_a_session(db: str) -> None:
    with web_client(db) as client:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path
        for path in FORMS[1:]:
            response = client.post(path, data={"csrf": "x"})
            assert response.status_code == 403, path
        # The log-in page itself is open, and asks for a name (users exist).
        page = client.get("/login")
        assert page.status_code == 200 and 'name="password"' in page.text
    assert version_of(db, "2024-06").status == "draft"


def test_every_route_is_listed_in_the_gate_test(db: str) -> None:
    """A page added later must join PAGES/FORMS, so that it is checked without a session."""
    from starlette.routing import Route

    from exportctl.web.app import routes

    open_paths = {"/login", "/lang/{code}"}
    listed = {re.sub(r"\?.*", "", p) for p in PAGES + FORMS}
    for route in routes():
        if not isinstance(route, Route) or route.path in open_paths:
            continue
        examples = {**_EXAMPLES, "name": "report.pdf" if "downloads" in route.path else "kim"}
        concrete = re.sub(r"\{(\w+)\}", lambda m, e=examples: e[m.group(1)], route.path)
        assert concrete in listed, route.path


_EXAMPLES = {"slug": "kr-russia", "label": "2024-06", "job": "abc"}


def test_the_token_admits_a_browser_only_while_no_user_exists(token_db: str) -> None:
    with web_client(token_db, token="s3cret-token") as client:
        assert client.get("/lists").status_code == 303
        wrong = client.get("/lists?token=nope")
        assert wrong.headers["location"].startswith("/login")
        assert client.get("/lists").status_code == 303
        right = client.get("/lists/kr-russia?token=s3cret-token&x=1")
        # Admitted; the token leaves the address at once.
        assert right.status_code == 303 and right.headers["location"] == "/lists/kr-russia?x=1"
        page = client.get("/lists/kr-russia")
        assert page.status_code == 200 and "2024-06" in page.text
        # The token holder acts as the command line's actor.
        post(client, "/lists/kr-russia/versions/2024-06/approve", {"note": "ok"})
        assert version_of(token_db, "2024-06").approved_by == "owner"
        # Once a user exists, the token no longer admits anyone.
        engine = api.open_database(token_db)
        add_user(engine, "ahn", role="admin", password=PASSWORD, actor="owner")
        engine.dispose()
        assert client.get("/lists").status_code == 303
        again = client.get("/lists?token=s3cret-token")
        assert again.headers["location"].startswith("/login")


def test_the_token_can_be_typed_on_the_log_in_page(token_db: str) -> None:
    with web_client(token_db, token="s3cret-token") as client:
        form = client.get("/login")
        assert 'name="token"' in form.text and 'name="password"' not in form.text
        bad = client.post("/login", data={"token": "x", "csrf": csrf(client), "next": "/check"})
        assert bad.status_code == 403
        good = client.post(
            "/login", data={"token": "s3cret-token", "csrf": csrf(client), "next": "/check"}
        )
        assert good.status_code == 303 and good.headers["location"] == "/check"
        assert client.get("/check").status_code == 200


def test_a_view_without_a_token_admits_only_users(token_db: str) -> None:
    with web_client(token_db, token=None) as client:
        assert client.get("/lists?token=").headers["location"].startswith("/login")
        refused = client.post("/login", data={"token": "", "csrf": csrf(client)})
        assert refused.status_code == 403


def test_log_in_log_out_and_the_cookie(db: str) -> None:
    with web_client(db) as client:
        wrong = client.post(
            "/login", data={"name": "kim", "password": "wrong password", "csrf": csrf(client)}
        )
        assert wrong.status_code == 403
        assert "The name or the password is wrong" in text_of(wrong)
        token = csrf(client)
        response = client.post(
            "/login", data={"name": "KIM", "password": PASSWORD, "csrf": token, "next": "//evil"}
        )
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        # A new session (and form token) after logging in: the old token is void.
        assert csrf(client, "/lists") != token
        page = client.get("/lists")
        assert page.status_code == 200 and "kim" in page.text
        stolen = client.cookies.get("exportctl_session")
        assert post(client, "/logout", {}).status_code == 303
        assert client.get("/lists").status_code == 303
        # The cookie of the ended session no longer admits (the grant is gone).
        client.cookies.set("exportctl_session", stolen or "")
        assert client.get("/lists").status_code == 303
        # A cookie that is not signed with the view's key is ignored.
        client.cookies.set("exportctl_session", "eyJzaWQiOiAieCJ9.forged.sig")
        assert client.get("/lists").status_code == 303


def test_a_form_without_its_token_is_refused(db: str) -> None:
    with web_client(db) as client:
        login(client, "lee")
        path = "/lists/kr-russia/versions/2024-06/approve"
        assert client.post(path, data={"note": "x"}).status_code == 403
        assert client.post(path, data={"note": "x", "csrf": "forged"}).status_code == 403
        assert version_of(db, "2024-06").status == "draft"
        # Every form of the view is refused without it.
        login(client, "ahn")
        for form in FORMS:
            assert client.post(form, data={}).status_code == 403, form
        # The log-in form too.
        client.cookies.clear()
        refused = client.post("/login", data={"name": "kim", "password": PASSWORD})
        assert refused.status_code == 403
        assert version_of(db, "2024-06").status == "draft"


def test_passwords_are_hashed_with_argon2id_at_its_recommended_cost() -> None:
    """What the tests' quick hasher stands in for (web_fixtures): Argon2id, with at least
    the library's recommended time and memory costs (RFC 9106's second choice)."""
    from argon2 import PasswordHasher, Type
    from web_fixtures import PRODUCTION_HASHER

    hasher, recommended = PRODUCTION_HASHER(), PasswordHasher()
    assert hasher.type is Type.ID
    assert hasher.time_cost >= recommended.time_cost >= 2
    assert hasher.memory_cost >= recommended.memory_cost >= 19 * 1024
    assert hasher.verify(hasher.hash("secret"), "secret")


def test_failed_log_ins_are_slowed(db: str) -> None:
    delay = 0.1  # after the first failure, doubled with each: 0.1, 0.2, 0.4, then 0.8 s
    with web_client(db, login_delay=delay) as client:
        waits = []
        for _attempt in range(3):
            started = time.monotonic()
            response = client.post(
                "/login", data={"name": "kim", "password": "guess", "csrf": csrf(client)}
            )
            waits.append(time.monotonic() - started)
            assert response.status_code == 403
        # Doubled with each failure (a password check alone takes a fraction of this).
        assert waits[0] >= delay and waits[1] >= 2 * delay and waits[2] >= 4 * delay, waits
        # Another name from the same address is slowed too.
        started = time.monotonic()
        client.post("/login", data={"name": "lee", "password": "x", "csrf": csrf(client)})
        assert time.monotonic() - started >= 8 * delay
        # A success is not slowed, and starts the count again.
        login(client, "kim")


def test_log_ins_sent_side_by_side_wait_their_turn(db: str) -> None:
    import asyncio

    import httpx

    from exportctl.web.app import create_app
    from exportctl.web.settings import WebSettings

    app = create_app(WebSettings(db, login_delay=0.2))

    async def race() -> list[float]:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get("/login")
            found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
            assert found is not None
            form = {"name": "kim", "password": "guess", "csrf": found.group(1)}
            started = time.monotonic()

            async def attempt() -> float:
                response = await client.post("/login", data=form)
                assert response.status_code == 403
                return time.monotonic() - started

            return sorted(await asyncio.gather(attempt(), attempt(), attempt()))

    try:
        ends = asyncio.run(race())
    finally:
        app.state.workspace.close()
        app.state.engine.dispose()
    # One after another, each slowed more than the one before: 0.2, 0.4, 0.8 s.
    assert ends[1] - ends[0] >= 0.4 and ends[2] - ends[1] >= 0.8, ends


def test_a_bug_is_one_page_in_both_languages(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from exportctl.web.routes import browse

    def broken(_engine: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(browse.api, "list_lists", broken)
    with web_client(db, raise_bugs=False) as client:
        login(client, "park")
        response = client.get("/lists")
    assert response.status_code == 500
    assert "unexpected RuntimeError (this is a bug in exportctl" in response.text
    assert "boom" not in response.text


def test_a_disabled_user_or_a_new_password_ends_the_session(db: str) -> None:
    with web_client(db) as client:
        login(client, "kim")
        assert client.get("/lists").status_code == 200
        engine = api.open_database(db)
        set_password(engine, "kim", "another long password", actor="ahn")
        assert client.get("/lists").status_code == 303
        login(client, "kim", "another long password")
        assert client.get("/lists").status_code == 200
        disable_user(engine, "kim", actor="ahn")
        engine.dispose()
        assert client.get("/lists").status_code == 303
        refused = client.post(
            "/login",
            data={"name": "kim", "password": "another long password", "csrf": csrf(client)},
        )
        assert refused.status_code == 403


def test_only_this_machines_names_are_answered_on_loopback(db: str) -> None:
    from exportctl.web.server import allowed_hosts

    with web_client(db, allowed_hosts=allowed_hosts("127.0.0.1")) as client:
        assert client.get("/login", headers={"host": "127.0.0.1:8750"}).status_code == 200
        assert client.get("/login", headers={"host": "evil.example"}).status_code == 400


def test_pages_carry_the_security_headers(db: str) -> None:
    with web_client(db) as client:
        headers = client.get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("name", list(USERS))
def test_every_page_for_every_role(db: str, name: str) -> None:
    role = USERS[name]
    allowed = {
        "/screen": role in ("officer", "approver", "admin"),
        "/import": role in ("officer", "approver", "admin"),
        "/users": role == "admin",
    }
    with web_client(db) as client:
        login(client, name)
        for path in [p for p in PAGES if "abc" not in p]:
            response = client.get(path)
            expected = allowed.get(path, True)
            if path == "/":
                assert response.status_code == 303
                continue
            assert response.status_code == (200 if expected else 403), (name, path)
        lists = client.get("/lists/kr-russia").text
        # Each role sees only the forms it may use.
        assert ("/approve" in lists) == (role in ("approver", "admin"))
        assert ("/dates" in lists) == (role != "viewer")


def test_a_viewer_cannot_approve_withdraw_screen_or_manage_users(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        for path, data in [
            ("/lists/kr-russia/versions/2024-06/approve", {"note": "x"}),
            ("/lists/kr-russia/versions/2024-02/withdraw", {"reason": "x", "self": "yes"}),
            ("/users", {"name": "eve", "role": "admin", "password": PASSWORD}),
        ]:
            response = post(client, path, data)
            assert response.status_code == 403, path
            assert "does not allow this" in text_of(response)
    assert version_of(db, "2024-06").status == "draft"
    assert version_of(db, "2024-02").status == "approved"
    assert [e for e in events_of(db) if e.action == "user-add" and "eve" in e.detail] == []


def test_an_officer_cannot_approve(db: str) -> None:
    with web_client(db) as client:
        login(client, "kim")
        response = post(client, "/lists/kr-russia/versions/2024-06/approve", {"self": "yes"})
        assert response.status_code == 403
    assert version_of(db, "2024-06").status == "draft"


# --------------------------------------------------------------------------- the CLI's rules


def test_a_second_person_approves_and_is_the_actor(db: str) -> None:
    with web_client(db) as client:
        login(client, "lee")
        response = post(
            client, "/lists/kr-russia/versions/2024-06/approve", {"note": "checked the notice"}
        )
        assert response.status_code == 303
        page = client.get("/lists/kr-russia").text
    version = version_of(db, "2024-06")
    assert (version.status, version.approved_by, version.one_person) == ("approved", "lee", False)
    event = events_of(db)[-1]
    assert (event.action, event.actor, event.version_label) == ("approve", "lee", "2024-06")
    assert "lee" in page


def test_an_approver_cannot_approve_their_own_import(db: str, tmp_path: Path) -> None:
    workbook = write_list_workbook(
        tmp_path / "xss-v2.xlsx",
        [(1, "847130", "휴대용 컴퓨터", "Laptops", "일반", None)],
        two_row_header=False,
    )
    with web_client(db) as client:
        login(client, "lee")
        token = csrf(client, "/import")
        with workbook.open("rb") as handle:
            imported = client.post(
                "/import",
                data={"csrf": token, "list": "xss", "label": "v2", "effective": "2024-09-01"},
                files={"file": (workbook.name, handle)},
            )
        assert imported.status_code == 200, text_of(imported)[:2000]
        assert "Stored xss v2 as a draft: 1 entries." in text_of(imported)
        path = "/lists/xss/versions/v2/approve"
        refused = post(client, path, {"note": "mine"})
        assert refused.status_code == 409
        # The command line's sentence, word for word.
        assert (
            'version "v2" of "xss" was imported by lee; a second person approves '
            "it (set EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
            "sign-off with --self"
        ) in text_of(refused)
        assert version_of(db, "v2", "xss").status == "draft"
        # Recorded as one person's, as `approve --self` does.
        assert post(client, path, {"self": "yes"}).status_code == 303
    version = version_of(db, "v2", "xss")
    assert (version.approved_by, version.one_person) == ("lee", True)


def test_withdraw_and_reinstate_take_a_reason_and_a_second_person(db: str) -> None:
    with web_client(db) as client:
        login(client, "lee")
        path = "/lists/kr-russia/versions/2024-06/withdraw"
        no_reason = post(client, path, {"reason": ""})
        assert no_reason.status_code == 409
        assert "a withdrawal needs a reason" in text_of(no_reason)
        assert post(client, path, {"reason": "wrong file"}).status_code == 303
        assert version_of(db, "2024-06").status == "withdrawn"
        again = post(client, "/lists/kr-russia/versions/2024-06/reinstate", {"reason": "oops"})
        assert again.status_code == 409
        assert "a second person reinstates it" in text_of(again)
        login(client, "choi")
        back = post(client, "/lists/kr-russia/versions/2024-06/reinstate", {"reason": "oops"})
        assert back.status_code == 303
    assert version_of(db, "2024-06").status == "draft"
    actions = [(e.action, e.actor) for e in events_of(db)[-2:]]
    assert actions == [("withdraw", "lee"), ("reinstate", "choi")]


def test_an_officer_sets_a_drafts_dates(db: str) -> None:
    with web_client(db) as client:
        login(client, "kim")
        path = "/lists/kr-russia/versions/2024-06/dates"
        assert post(client, path, {"effective": "2024. 9. 1."}).status_code == 303
        bad = post(client, path, {"effective": "2024-02-30"})
        assert bad.status_code == 400
    assert str(version_of(db, "2024-06").effective) == "2024-09-01"


# --------------------------------------------------------------------------- hostile input


def test_a_script_in_a_catalogue_cell_is_shown_as_text(db: str, tmp_path: Path) -> None:
    catalogue = tmp_path / "items.csv"
    catalogue.write_text(f"SKU,품명,HS코드\nA-1,{SCRIPT},847130\n", encoding="utf-8")
    with web_client(db) as client:
        login(client, "kim")
        response = upload(client, catalogue, version="2024-06")
        page = client.get(response.headers["location"]).text
        entries = client.get("/lists/xss/versions/v1").text
    for text in (page, entries):
        assert SCRIPT not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in entries and "&lt;img src=x onerror=alert(1)&gt;" in entries


def test_an_upload_over_the_caps_gets_the_clis_sentence(
    db: str, tmp_path: Path, run_cli: RunCli
) -> None:
    from exportctl.limits import Limits

    catalogue = tmp_path / "items.csv"
    lines = ["SKU,품명,HS코드"] + [f"A-{n},품목 {n},847130" for n in range(300)]
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    work = tmp_path / "work"
    for limit, value in (("max_file_bytes", 2000), ("max_rows", 100)):
        cli = run_cli(
            "--limit", f"{limit}={value}", "screen", catalogue, "--list", "kr-russia", db=db
        )
        assert cli.exit_code == 2
        sentence = cli.stderr.strip().removeprefix("Error: ")
        with web_client(db, limits=Limits(**{limit: value}), work_dir=work) as client:
            login(client, "kim")
            response = upload(client, catalogue)
            # Nothing past the cap was kept while the upload was read.
            if limit == "max_file_bytes":
                assert [p for p in work.rglob("*") if p.is_file()] == []
        assert response.status_code in (400, 413)
        assert sentence in text_of(response), (limit, sentence)
    # A body declaring far more than the cap is refused before it is read.
    big = tmp_path / "big.csv"
    big.write_text("\n".join(lines * 20) + "\n", encoding="utf-8")
    assert big.stat().st_size > 100_000
    with web_client(db, limits=Limits(max_file_bytes=1000)) as client:
        login(client, "kim")
        response = upload(client, big)
    assert response.status_code == 413
    assert "the upload: is " in text_of(response) and "(max_file_bytes)" in text_of(response)
    assert [e for e in events_of(db) if e.action == "screen"] == []


def test_a_download_name_cannot_leave_its_folder(db: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    with web_client(db, work_dir=tmp_path / "work") as client:
        login(client, "kim")
        response = upload(client, CATALOGUE, version="2024-06")
        job = response.headers["location"].rsplit("/", 1)[1]
        post(client, f"/screen/{job}/report", {"format": "csv", "lang": "en"})
        page = client.get(f"/screen/{job}").text
        good = re.findall(r'href="(/downloads/[^"]+)"', page)[0]
        assert client.get(good).status_code == 200
        for name in (
            "..%2F..%2Fsecret.txt",
            "%2E%2E%2Fsecret.txt",
            "..%5C..%5Csecret.txt",
            "catalogue.xlsx",  # the upload itself is not a download
            "rows.jsonl",
            "%2Fetc%2Fpasswd",
        ):
            response = client.get(f"/downloads/{job}/{name}")
            assert response.status_code == 404, name
            assert b"not for the web" not in response.content
        assert client.get(f"/downloads/..%2F{job}/{good.rsplit('/', 1)[1]}").status_code == 404


# --------------------------------------------------------------------------- users


def test_an_admin_manages_users(db: str) -> None:
    with web_client(db) as client:
        login(client, "ahn")
        added = post(client, "/users", {"name": "jung", "role": "viewer", "password": PASSWORD})
        assert added.status_code == 303
        short = post(client, "/users", {"name": "yoon", "role": "viewer", "password": "short"})
        assert short.status_code == 400 and "at least 10 characters" in text_of(short)
        taken = post(client, "/users", {"name": "KIM", "role": "viewer", "password": PASSWORD})
        assert 'a user called "kim" exists already' in text_of(taken)
        assert post(client, "/users/jung", {"action": "role", "role": "officer"}).status_code == 303
        page = text_of(client.get("/users"))
        assert "jung" in page
        login(client, "jung")
        assert client.get("/screen").status_code == 200
        login(client, "ahn")
        post(client, "/users/jung", {"action": "disable"})
    actions = [(e.action, e.actor) for e in events_of(db) if e.action.startswith("user-")]
    assert actions[-3:] == [("user-add", "ahn"), ("user-role", "ahn"), ("user-disable", "ahn")]


# --------------------------------------------------------------------------- command line


def test_serve_refuses_another_address_without_users(token_db: str, run_cli: RunCli) -> None:
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "0", db=token_db)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: exportctl serve listens on 0.0.0.0 (not only this machine) only once users "
        "exist: add one with exportctl users add NAME --role admin, or serve on 127.0.0.1"
    )


def test_users_on_the_command_line(db: str, run_cli: RunCli) -> None:
    added = run_cli(
        "users",
        "add",
        "seo",
        "--role",
        "officer",
        "--password-stdin",
        db=db,
        input=PASSWORD + "\n",
        env={"EXPORTCTL_ACTOR": "ahn"},
    )
    assert added.exit_code == 0, added.output
    short = run_cli(
        "users", "add", "han", "--role", "officer", "--password-stdin", db=db, input="short\n"
    )
    assert short.exit_code == 2
    assert short.stderr.strip() == "Error: a password has at least 10 characters"
    bad = run_cli(
        "users", "add", "a b", "--role", "viewer", "--password-stdin", db=db, input=PASSWORD
    )
    assert bad.exit_code == 2 and "is not a user name" in bad.stderr
    listed = json.loads(run_cli("users", "list", "--json", db=db, ok=True).stdout)
    assert {u["name"]: u["role"] for u in listed}["seo"] == "officer"
    assert run_cli("users", "disable", "seo", db=db).exit_code == 0
    again = run_cli("users", "disable", "seo", db=db)
    assert again.exit_code == 2 and again.stderr.strip() == "Error: seo is disabled already"
    missing = run_cli("users", "passwd", "nobody", "--password-stdin", db=db, input=PASSWORD)
    assert missing.stderr.strip() == 'Error: no user is called "nobody"'
    with web_client(db) as client:
        refused = client.post(
            "/login", data={"name": "seo", "password": PASSWORD, "csrf": csrf(client)}
        )
        assert refused.status_code == 403
    event = [e for e in events_of(db) if e.action == "user-add"][-1]
    assert (event.actor, json.loads(event.detail)) == ("ahn", {"role": "officer", "user": "seo"})


def test_serve_prints_an_address_with_a_token_that_admits_a_browser(token_db: str) -> None:
    import subprocess
    import sys

    import httpx

    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "exportctl", "--db", token_db, "serve", "--port", "0",
         "--screen-workers", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1", "EXPORTCTL_ACTOR": "owner",
             "LANG": "C.UTF-8", "XDG_CONFIG_HOME": str(root / "no-such-config")},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        found = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)", lines[1])
        assert found, lines
        base, token = found.groups()
        with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
            assert "Log in to exportctl" in client.get("/lists").text
            page = client.get(f"/lists?token={token}")
            assert page.status_code == 200 and "kr-russia" in page.text
            assert "?token=" not in str(page.url)
            # Another site's name for this address is not answered (DNS rebinding).
            assert client.get("/lists", headers={"host": "attacker.example"}).status_code == 400
    finally:
        process.terminate()
        process.wait(20)
        if process.stdout is not None:
            process.stdout.close()


def test_users_are_kept_alike_on_sqlite_and_postgresql(initialised: str) -> None:
    from exportctl.api.users import authenticate, count_users, list_users
    from exportctl.errors import UserError

    engine = api.open_database(initialised)
    try:
        add_user(engine, "Kim", role="officer", password=PASSWORD, actor="ahn")
        with pytest.raises(UserError, match='a user called "Kim" exists already'):
            add_user(engine, "kim", role="viewer", password=PASSWORD, actor="ahn")
        found = authenticate(engine, "KIM", PASSWORD)
        assert found is not None and (found.name, found.role) == ("Kim", "officer")
        assert authenticate(engine, "kim", "wrong password") is None
        assert authenticate(engine, "nobody", PASSWORD) is None
        disable_user(engine, "kim", actor="ahn")
        assert authenticate(engine, "kim", PASSWORD) is None
        assert count_users(engine) == 1 and count_users(engine, enabled_only=True) == 0
        assert [(u.name, u.enabled) for u in list_users(engine)] == [("Kim", False)]
        assert api.verify_audit_log(engine) == []
    finally:
        engine.dispose()
