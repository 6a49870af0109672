"""The web view's pages through Starlette's test client: versions, entries and their
history, the look-up, changes and their reports, the audit trail, screening an
upload, and the pages' two languages."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from conftest import RunCli
from web_helpers import (
    CATALOGUE,
    events_of,
    login,
    post,
    text_of,
    upload,
    web_client,
)

pytest.importorskip("starlette")

# The fixtures db, token_db and template_db (one database built for the session).
pytest_plugins = ["web_fixtures"]


# --------------------------------------------------------------------------- pages


def test_versions_page_shows_status_notice_dates_counts(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        page = text_of(client.get("/lists/kr-russia"))
    for expected in ("2024-02", "2024-06", "1,159", "1,402", "2024-08-28", "lee", "kim"):
        assert expected in page


def test_entries_search_by_code_words_and_category(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        base = "/lists/kr-russia/versions/2024-06"
        everything = text_of(client.get(base))
        assert "1,402" in everything and "page 1 of 15" in everything
        laptops = text_of(client.get(base + "?code=8471"))
        assert "8471.30" in laptops and "of 1,402 entries" in laptops
        assert re.search(r"\b3 of 1,402 entries", laptops)
        bad = client.get(base + "?code=84x")
        assert bad.status_code == 400
        assert '"84x" is not the start of an HS code' in text_of(bad)
        second = text_of(client.get(base + "?page=2"))
        assert "page 2 of 15" in second


def test_an_entrys_history_across_versions(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        added = text_of(client.get("/lists/kr-russia/entry?key=847150"))
        missing = client.get("/lists/kr-russia/entry?key=999999")
    assert re.search(r"2024-02.*not in this version.*2024-06.*added", added, re.S)
    assert missing.status_code == 404


def test_the_look_up_gives_the_answer_check_gives(db: str, run_cli: RunCli) -> None:
    codes = ["8471.30", "9031.80.9060", "84.7x"]
    cli = run_cli("check", *codes, "--list", "kr-russia", "--json", db=db)
    expected = json.loads(cli.stdout)["results"]
    with web_client(db) as client:
        login(client, "park")
        page = text_of(
            client.get("/check", params={"list": "kr-russia", "codes": "\n".join(codes)})
        )
    rows = re.findall(r'<tr class="(\w+)">', page)
    assert rows == [r["status"] for r in expected]
    for result in expected:
        assert result["reason"] in page


def test_changes_filtered_by_kind(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        page = text_of(client.get("/lists/kr-russia/changes?old=2024-02&new=2024-06"))
        removed = text_of(
            client.get("/lists/kr-russia/changes?old=2024-02&new=2024-06&kind=removed")
        )
    assert "Added (243)" in page and "The figures reconcile." in page
    assert "No change of this kind." in removed


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "json"])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_change_reports_download_as_the_cli_writes_them(db: str, fmt: str, lang: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        made = post(
            client,
            "/lists/kr-russia/changes/report",
            {"old": "2024-02", "new": "2024-06", "kind": "added", "format": fmt, "lang": lang},
        )
        assert made.status_code == 303
        page = client.get(made.headers["location"]).text
        links = re.findall(r'href="(/downloads/[^"]+)"', page)
        assert links
        download = client.get(links[0])
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    body = download.content
    if fmt == "pdf":
        from pypdf import PdfReader

        assert len(PdfReader(io.BytesIO(body)).pages) >= 1
    elif fmt == "json":
        assert len(json.loads(body)["changes"]) == 243
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == 244
    else:
        assert body[:2] == b"PK"
    event = events_of(db)[-1]
    assert (event.action, event.actor) == ("report", "park")
    assert json.loads(event.detail)["language"] == lang


def test_the_audit_trail_and_its_verification(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        intact = text_of(client.get("/audit?verify=1"))
        assert "The audit trail is intact" in intact and "user-add" in intact
        import sqlite3

        with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
            conn.execute("update audit_event set actor = 'mallory' where id = 1")
        broken = text_of(client.get("/audit?verify=1"))
    assert "does NOT verify" in broken and "changed after it was written" in broken


def test_screening_the_sample_item_master(db: str, run_cli: RunCli) -> None:
    cli = run_cli(
        "screen", CATALOGUE, "--list", "kr-russia", "--version", "2024-06", "--json", db=db
    )
    summary = json.loads(cli.stdout)["summary"]
    counts = {status: summary[status] for status in ("controlled", "review", "clear", "invalid")}
    with web_client(db) as client:
        login(client, "kim")
        response = upload(client, CATALOGUE, version="2024-06", compare="2024-02")
        assert response.status_code == 303, text_of(response)[:1000]
        job = response.headers["location"]
        page = text_of(client.get(job))
        for status, n in counts.items():
            assert f"{n:,}" in page, status
        statuses = re.findall(r'<tr class="(\w+)">', page)
        changes = re.findall(r"<td><b>(newly [^<]+)</b></td>", page)
        # Newly controlled rows first.
        assert changes and changes[0] == "newly controlled"
        assert statuses.count("controlled") == counts["controlled"]
        only_review = text_of(client.get(job + "?status=review"))
        assert set(re.findall(r'<tr class="(\w+)">', only_review)) == {"review"}
        made = post(client, job + "/report", {"format": "xlsx", "lang": "ko"})
        assert made.status_code == 303
        link = re.findall(r'href="(/downloads/[^"]+)"', client.get(job).text)[0]
        assert client.get(link).content[:2] == b"PK"
        # Another user cannot see the job or its files.
        login(client, "lee")
        assert client.get(job).status_code == 404
        assert client.get(link).status_code == 404
    event = events_of(db)[-1]
    assert (event.action, event.actor, event.file) == (
        "screen",
        "kim",
        "screening-kr-russia-2024-06-ko.xlsx",
    )


def test_a_sap_text_export_is_screened(db: str, tmp_path: Path) -> None:
    """SAP's "export to spreadsheet": UTF-16 tab-separated text under an .XLS name."""
    text = "자재\t자재내역\tHS코드\nM-1\t휴대용 컴퓨터\t8471.30.0000\nM-2\t볼펜\t9608.10.0000\n"
    export = tmp_path / "EXPORT.XLS"
    export.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    with web_client(db) as client:
        login(client, "kim")
        response = upload(client, export, version="2024-06")
        assert response.status_code == 303, text_of(response)[:1000]
        page = text_of(client.get(response.headers["location"]))
    assert "is not an Excel workbook but tab-separated text (UTF-16)" in page
    assert re.findall(r'<tr class="(\w+)">', page) == ["controlled", "clear"]


# --------------------------------------------------------------------------- languages


def test_pages_follow_the_browsers_language_and_the_toggle(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        korean = client.get("/lists", headers={"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"})
        assert "통제 목록" in korean.text and '<html lang="ko">' in korean.text
        english = client.get("/lists", headers={"accept-language": "en-US,en"})
        assert "Control lists" in english.text
        toggled = client.get("/lang/ko?next=/lists/kr-russia")
        assert toggled.headers["location"] == "/lists/kr-russia"
        assert "통제 목록" in client.get("/lists", headers={"accept-language": "en"}).text
        # The library's own sentences come in the page's language too.
        error = client.get("/lists/kr-russia/versions/2024-06?code=84x")
        assert "HS 코드" in error.text or "HS" in error.text
        assert error.text != english.text
        assert client.get("/lang/en?next=https://evil.example").headers["location"] == "/"


def test_every_template_word_has_both_languages() -> None:
    from exportctl.i18n import _ as say
    from exportctl.i18n import using

    folder = Path(__file__).resolve().parents[1] / "exportctl" / "web" / "templates"
    keys = set()
    for template in folder.glob("*.html"):
        keys |= set(re.findall(r"""_\(["'](web\.[a-z0-9_.]+)["']\)""", template.read_text()))
    assert len(keys) > 100
    for key in keys:
        for lang in ("en", "ko"):
            with using(lang):
                assert say(key) != key, (lang, key)


def test_sub_items_are_shown_as_their_tree_and_parts_can_be_chosen(db: str) -> None:
    with web_client(db) as client:
        login(client, "park")
        page = client.get("/lists/annex/versions/sample").text
        second = client.get("/lists/annex/versions/sample?section=2").text
    # Three levels deep: a list inside a list inside a list.
    assert re.search(
        r'<ul class="tree">(?:(?!</ul>).)*<ul class="tree">(?:(?!</ul>).)*<ul class="tree">',
        page,
        re.S,
    )
    assert '<select name="section">' in page
    assert "of 60 entries" in html.unescape(page) and "of 60 entries" in html.unescape(second)
    assert re.search(r"\b40 of 60 entries", html.unescape(second))
