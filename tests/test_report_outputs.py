"""What every report shares: the words of each language, the registry, delivery and audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from conftest import RunCli

from exportctl.config import Config, resolve_lang, resolve_timezone
from exportctl.errors import ConfigError
from exportctl.reports.language import text_for
from exportctl.reports.registry import REPORTS, formats_of, new_file_mode

NUMERALS = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI".split()


def test_korean_words_and_section_names() -> None:
    ko = text_for("ko")
    assert ko.kind("added") == "추가"
    assert ko.yes_no(True) == "예" and ko.yes_no(False) == "아니오"
    assert ko.number(1402) == "1,402"
    assert ko.section_name("XVI", "Machinery").startswith("기계류")
    names = {numeral: ko.section_name(numeral, "") for numeral in NUMERALS}
    assert len(names) == 21 and all(names.values())
    assert text_for("en").section_name("XVI", "Machinery") == "Machinery"
    with pytest.raises(KeyError):
        ko("no.such.key")


def test_times_are_shown_with_their_zone() -> None:
    from zoneinfo import ZoneInfo

    when = dt.datetime(2024, 8, 30, 0, 30, tzinfo=dt.UTC).astimezone(ZoneInfo("Asia/Seoul"))
    assert text_for("ko").moment(when) == "2024-08-30 09:30:00 KST (UTC+09:00)"


def test_language_comes_from_the_flag_then_config_then_locale() -> None:
    assert resolve_lang("en", {"LANG": "ko_KR.UTF-8"}) == "en"
    assert resolve_lang(None, {"LANG": "ko_KR.UTF-8"}) == "ko"
    assert resolve_lang(None, {"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}) == "en"
    assert resolve_lang(None, {"LANG": "ko_KR.UTF-8"}, Config(lang="en")) == "en"
    assert resolve_lang(None, {}) == "en"
    with pytest.raises(ConfigError, match="lang"):
        resolve_lang(None, {}, Config(lang="fr"))


def test_zone_comes_from_config_then_tz() -> None:
    assert str(resolve_timezone({"TZ": "UTC"}, Config(timezone="Asia/Seoul"))) == "Asia/Seoul"
    assert str(resolve_timezone({"TZ": "Asia/Seoul"})) == "Asia/Seoul"
    with pytest.raises(ConfigError, match="timezone"):
        resolve_timezone({}, Config(timezone="Mars/Olympus"))


def test_every_registered_writer_loads() -> None:
    for (subject, fmt), entry in REPORTS.items():
        assert callable(entry.load()), (subject, fmt)
        assert entry.stream == (fmt in ("csv", "json"))
    assert formats_of("changes") == ("csv", "json", "xlsx", "pdf")


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_every_report_file_follows_the_umask(
    tmp_path: Path, run_cli: RunCli, lists_db: str, umask: int
) -> None:
    catalogue_file = tmp_path / "catalogue.csv"
    catalogue_file.write_text("SKU,Description,HS code\nA1,pump,8413.70\n", encoding="utf-8")
    old = os.umask(umask)
    try:
        outputs = []
        for fmt in ("csv", "xlsx", "pdf", "json"):
            diff_out = tmp_path / f"changes.{fmt}"
            run_cli(
                "diff", "2024-02", "2024-06", "--list", "kr-russia", "-o", diff_out, db=lists_db
            )
            screen_out = tmp_path / f"screen.{fmt}"
            args = ("screen", catalogue_file, "--list", "kr-russia", "-o", screen_out)
            run_cli(*args, db=lists_db, ok=True)
            outputs += [diff_out, screen_out]
        export_out = tmp_path / "export.xlsx"
        run_cli("export", "2024-06", "--list", "kr-russia", "-o", export_out, db=lists_db, ok=True)
        outputs.append(export_out)
        expected = new_file_mode()
    finally:
        os.umask(old)
    assert expected == 0o666 & ~umask
    for path in outputs:
        assert stat.S_IMODE(path.stat().st_mode) == expected, path.name
    assert not list(tmp_path.glob(".*.part")), "a temporary file was left behind"


def test_screening_to_stdout_is_audited_with_the_hash_of_what_was_printed(
    tmp_path: Path, run_cli: RunCli, lists_db: str
) -> None:
    catalogue_file = tmp_path / "catalogue.csv"
    catalogue_file.write_text("SKU,Description,HS code\nA1,pump,8413.70\n", encoding="utf-8")
    args = ("screen", catalogue_file, "--list", "kr-russia", "--format", "csv")
    printed = run_cli(*args, db=lists_db, ok=True).stdout_bytes
    audit = json.loads(run_cli("audit", "--json", db=lists_db, ok=True).stdout)
    events = audit["events"] if isinstance(audit, dict) else audit
    last = events[-1]
    assert last["action"] == "screen"
    assert last["sha256"] == hashlib.sha256(printed).hexdigest()
    assert last["detail"]["output"] == "stdout"
    assert last["detail"]["summary"]["total"] == 1


def test_a_list_made_without_a_name_is_said_and_can_be_renamed(
    tmp_path: Path, run_cli: RunCli, lists_db: str
) -> None:
    from builders import simple_rows, write_list_workbook

    book = write_list_workbook(
        tmp_path / "other.xlsx", simple_rows(["010121"]), two_row_header=False
    )
    args = ("import", "--create-list", book, "--list", "eu-test", "--version", "v1")
    result = run_cli(*args, db=lists_db, ok=True)
    assert "created without a display name" in result.stderr
    assert "exportctl lists rename eu-test" in result.stderr
    again = run_cli("import", book, "--list", "kr-russia", "--version", "v9", db=lists_db)
    assert "display name" not in again.stderr
    run_cli("lists", "rename", "eu-test", "--name", "EU Annex XXIII", db=lists_db, ok=True)
    shown = json.loads(run_cli("lists", "--json", db=lists_db, ok=True).stdout)
    lists = shown["lists"] if isinstance(shown, dict) else shown
    assert {entry["slug"]: entry["name"] for entry in lists}["eu-test"] == "EU Annex XXIII"
    audit = json.loads(run_cli("audit", "--json", db=lists_db, ok=True).stdout)
    events = audit["events"] if isinstance(audit, dict) else audit
    assert events[-1]["action"] == "rename-list"
    detail = events[-1]["detail"]
    assert (detail["from"], detail["to"]) == ("eu-test", "EU Annex XXIII")
    assert detail["list"]["record"]["name"] == "EU Annex XXIII"  # the row it vouches for
    missing = run_cli("lists", "rename", "eu-tset", "--name", "x", db=lists_db)
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_config_shows_the_language_and_zone_in_effect(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('lang = "ko"\ntimezone = "Asia/Seoul"\n', encoding="utf-8")
    monkeypatch.setenv("EXPORTCTL_CONFIG", str(config))
    shown = json.loads(run_cli("config", "--json", ok=True).stdout)
    assert shown["lang"] == "ko" and shown["timezone"] == "Asia/Seoul"
    config.write_text('lang = "fr"\n', encoding="utf-8")
    refused = run_cli("config", "--json")
    assert refused.exit_code == 2 and 'lang "fr"' in refused.stderr
