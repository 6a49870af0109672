"""The web view in a real browser: headless Chromium (the system's, Debian's package
``chromium``) driven by Playwright against the view served by uvicorn on loopback.

An officer logs in, looks a code up, searches a version, uploads the sample item
master, downloads the screening PDF (its pages counted against the one the command
line writes); an approver then approves the draft the officer imported.

Set ``EXPORTCTL_SCREENSHOTS=FOLDER`` to keep a screenshot of each main page there
(the README's come from ``EXPORTCTL_SCREENSHOTS=docs``).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import RunCli
from web_helpers import CATALOGUE, PASSWORD, copy_db

from exportctl import api

pytest.importorskip("playwright")
pytest.importorskip("uvicorn")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = os.environ.get("EXPORTCTL_SCREENSHOTS")

# The fixture template_db (one database built for the session).
pytest_plugins = ["web_fixtures"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason="no Chromium on this machine (Debian: apt-get install chromium)",
)


@pytest.fixture
def served(template_db: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The web view over a copy of the test database, served by uvicorn on a free port."""
    import uvicorn

    from exportctl.web.app import create_app
    from exportctl.web.server import allowed_hosts, listen
    from exportctl.web.settings import WebSettings

    url = copy_db(template_db, tmp_path)
    settings = WebSettings(url, login_delay=0.0, allowed_hosts=allowed_hosts("127.0.0.1"))
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", url
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def _shot(page: object, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.evaluate("document.fonts.ready")  # type: ignore[attr-defined]
        page.screenshot(path=str(Path(SHOTS) / f"web-{name}.png"), full_page=False)  # type: ignore[attr-defined]


def _log_in(page: object, base: str, name: str) -> None:
    page.goto(base + "/lists")  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(base + "/lists")  # type: ignore[attr-defined]


def test_an_officer_screens_and_an_approver_signs_off(
    served: tuple[str, str], tmp_path: Path, run_cli: RunCli
) -> None:
    from playwright.sync_api import expect, sync_playwright
    from pypdf import PdfReader

    base, db = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            locale="ko-KR", viewport={"width": 1280, "height": 860}, accept_downloads=True
        )
        page = context.new_page()
        try:
            # Every page asks for a log-in first.
            page.goto(base + "/lists/kr-russia")
            expect(page.locator("input[name=password]")).to_be_visible()
            _log_in(page, base, "kim")
            expect(page.locator("h1")).to_have_text("통제 목록")
            _shot(page, "lists")

            # A code looked up from the box on the first page.
            page.fill("input[name=codes]", "8471.30")
            page.select_option("form[role=search] select[name=list]", "kr-russia")
            page.click("form[role=search] button")
            row = page.locator("table.results tbody tr").first
            expect(row).to_have_class("controlled")
            expect(row.locator("td.status")).to_have_text("통제 대상")

            # A version's entries searched by code prefix.
            page.goto(base + "/lists/kr-russia/versions/2024-06")
            page.fill("input[name=code]", "8471")
            page.click("form[role=search] button[type=submit]")
            expect(page.locator("tbody tr")).to_have_count(3)
            expect(page.locator("tbody")).to_contain_text("8471.30")
            # Sub-items as their tree, three deep, in the annex's own layout.
            page.goto(base + "/lists/annex/versions/sample?section=2")
            expect(page.locator("ul.tree ul.tree ul.tree").first).to_be_visible()
            _shot(page, "entries")

            # The sample item master, screened against the draft, compared with February.
            page.goto(base + "/screen")
            page.set_input_files("input[name=file]", str(CATALOGUE))
            page.select_option("select[name=list]", "kr-russia")
            page.select_option("select[name=version]", "2024-06")
            page.select_option("select[name=compare]", "2024-02")
            page.click("form.stack button[type=submit]")
            page.wait_for_url(f"{base}/screen/*")
            first = page.locator("table.results tbody tr").first
            expect(first).to_contain_text("새로 통제 대상")
            _shot(page, "screening")

            # Its PDF report, downloaded.
            page.select_option("select[name=format]", "pdf")
            page.select_option("select[name=lang]", "ko")
            page.click("form.filters button[type=submit]")
            with page.expect_download() as waiting:
                page.click("a.download")
            pdf = tmp_path / "screening.pdf"
            waiting.value.save_as(pdf)
            pages = len(PdfReader(pdf).pages)
            cli_pdf = tmp_path / "cli.pdf"
            run_cli(
                "screen", CATALOGUE, "--list", "kr-russia", "--version", "2024-06",
                "--compare", "2024-02", "--lang", "ko", "-o", cli_pdf, db=db, ok=True,
            )  # fmt: skip
            assert pages == len(PdfReader(cli_pdf).pages) > 1

            # The officer has no approve button; the approver has.
            page.goto(base + "/lists/kr-russia")
            expect(page.locator("form[action$='/approve']")).to_have_count(0)
            page.click("header form button")  # log out
            _log_in(page, base, "lee")
            page.goto(base + "/lists/kr-russia")
            draft = page.locator("tr", has=page.locator("form[action$='2024-06/approve']"))
            draft.locator("summary").click()
            draft.locator("input[name=note]").fill("고시 제2024-999호와 대조함")
            _shot(page, "versions")
            draft.locator("form[action$='/approve'] button").click()
            page.wait_for_url(base + "/lists/kr-russia")
            expect(page.locator("tbody tr").first).to_contain_text("lee")
            expect(page.locator("tbody tr").first.locator(".pill")).to_have_text("승인")

            page.goto(base + "/lists/kr-russia/changes?old=2024-02&new=2024-06")
            _shot(page, "changes")
            page.goto(base + "/check?codes=8471.30%0A9031.80.9060%0A84.7x&list=kr-russia")
            _shot(page, "check")
        finally:
            context.close()
            browser.close()
    engine = api.open_database(db)
    try:
        june = next(v for v in api.list_versions(engine, "kr-russia") if v.label == "2024-06")
        events = api.audit_log(engine)
    finally:
        engine.dispose()
    assert (june.status, june.approved_by, june.imported_by) == ("approved", "lee", "kim")
    done = [(e.action, e.actor) for e in events]
    assert ("screen", "kim") in done and done[-1] == ("approve", "lee")
