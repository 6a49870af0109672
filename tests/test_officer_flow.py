"""An officer's flow with no dead ends (issue 21, parts 4 and 5): local time everywhere a
time is printed; withdrawal and reinstatement by a second person; a withdrawn label reused
by the corrected import; ``show`` of today; heading forms to ``check``; a notice imported
twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from conftest import BuildOnce, RunCli
from english import english_sentences
from sqlalchemy import create_engine, text

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

CODES = ["847130", "8471", "850440", "880622", "901310"]


def _rows(codes: list[str] = CODES) -> Any:
    return simple_rows(codes)


def _workbook(tmp_path: Path, name: str, codes: list[str] = CODES) -> Path:
    return write_list_workbook(tmp_path / name, _rows(codes), two_row_header=False)


@pytest.fixture
def flow(
    run_cli: RunCli, initialised: str, monkeypatch: pytest.MonkeyPatch, build_once: BuildOnce
) -> str:
    """kr-russia with v1 (approved at import by kim, effective 2024-02-01)."""
    monkeypatch.setenv("EXPORTCTL_ACTOR", "kim")
    monkeypatch.delenv("TZ", raising=False)

    def build(folder: Path, db: str) -> None:
        run_cli(
            "import", _workbook(folder, "v1.xlsx"), "--list", "kr-russia", "--create-list",
            "--version", "v1", "--effective", "2024-02-01", "--approve", db=db, ok=True,
        )  # fmt: skip

    return build_once(initialised, build)


def _events(run_cli: RunCli, db: str) -> list[dict[str, Any]]:
    return list(json.loads(run_cli("audit", "--json", db=db, ok=True).stdout))


def _stored_times(db: str) -> list[dt.datetime]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(text("select at from audit_event order by id")).scalars().all()
    engine.dispose()
    return [r if isinstance(r, dt.datetime) else dt.datetime.fromisoformat(r) for r in rows]


def _utc(moment: dt.datetime) -> dt.datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


# --------------------------------------------------------------------------- local time


@pytest.mark.parametrize(
    ("how", "offset"), [("config", "+09:00"), ("TZ", "+05:30")], ids=["config", "TZ"]
)
def test_times_are_printed_in_the_configured_zone_and_stored_in_utc(
    tmp_path: Path,
    run_cli: RunCli,
    flow: str,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    offset: str,
) -> None:
    if how == "config":
        config = tmp_path / "config.toml"
        config.write_text('timezone = "Asia/Seoul"\n', encoding="utf-8")
        monkeypatch.setenv("EXPORTCTL_CONFIG", str(config))
        monkeypatch.setenv("TZ", "Asia/Kolkata")  # the config file wins over TZ
    else:
        monkeypatch.setenv("TZ", "Asia/Kolkata")
    versions = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=flow).stdout)
    imported = dt.datetime.fromisoformat(versions[0]["imported_at"])
    approved = dt.datetime.fromisoformat(versions[0]["approved_at"])
    assert versions[0]["imported_at"].endswith(offset)
    assert versions[0]["approved_at"].endswith(offset)
    events = _events(run_cli, flow)
    stored = _stored_times(flow)
    assert [e["at"][-6:] for e in events] == [offset] * len(events)
    # The same instants as stored: only the clock they are read on differs.
    assert [dt.datetime.fromisoformat(e["at"]) for e in events] == [
        _utc(s).replace(microsecond=0) for s in stored
    ]
    assert (
        _utc(stored[0]).tzinfo == dt.UTC
        and _utc(imported) == _utc(stored[0]).replace(microsecond=0)
        or abs(_utc(imported) - _utc(stored[0])) < dt.timedelta(seconds=5)
    )
    local = imported.strftime("%Y-%m-%d %H:%M")
    listed = run_cli("versions", "--list", "kr-russia", db=flow, ok=True).stdout
    assert f"{local} {offset} by kim" in listed
    log = run_cli("audit", db=flow, ok=True).stdout
    first = dt.datetime.fromisoformat(events[0]["at"])
    assert f"{first:%Y-%m-%d %H:%M:%S} {offset}" in log
    head = run_cli("audit", "head", db=flow, ok=True)
    assert offset in head.stderr
    shown = json.loads(run_cli("show", "--list", "kr-russia", "--json", db=flow, ok=True).stdout)
    assert shown["approved_at"] == versions[0]["approved_at"]
    assert dt.datetime.fromisoformat(shown["approved_at"]) == approved
    withdrawn = json.loads(
        run_cli(
            "withdraw", "v1", "--list", "kr-russia", "--reason", "test", "--self", "--json",
            db=flow, ok=True,
        ).stdout
    )  # fmt: skip
    assert withdrawn["withdrawn_at"].endswith(offset)


# --------------------------------------------------------------------------- second person


def test_withdrawal_takes_a_second_person_or_self(
    run_cli: RunCli, flow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _events(run_cli, flow)
    refused = run_cli("withdraw", "v1", "--list", "kr-russia", "--reason", "wrong", db=flow)
    assert refused.exit_code == 2
    assert refused.output == (
        'Error: version "v1" of "kr-russia" was imported by kim; a second person withdraws '
        "it (set EXPORTCTL_ACTOR or log in as the reviewer), or record a one-person "
        "withdrawal with --self\n"
    )
    assert _events(run_cli, flow) == before  # nothing written
    done = run_cli(
        "withdraw", "v1", "--list", "kr-russia", "--reason", "wrong", "--self", db=flow, ok=True
    )
    assert "Withdrew kr-russia v1 (one-person withdrawal): wrong" in done.output
    event = _events(run_cli, flow)[-1]
    assert (event["action"], event["actor"]) == ("withdraw", "kim")
    assert event["detail"]["one_person_withdrawal"] is True
    # The one who withdrew it cannot reinstate it alone either.
    again = run_cli("reinstate", "v1", "--list", "kr-russia", "--reason", "oops", db=flow)
    assert again.exit_code == 2 and "a second person reinstates it" in again.output
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    back = run_cli(
        "reinstate", "v1", "--list", "kr-russia", "--reason", "withdrawn by mistake", "--json",
        db=flow, ok=True,
    )  # fmt: skip
    data = json.loads(back.stdout)
    assert (data["status"], data["approved_by"], data["withdrawn_by"]) == ("approved", "kim", None)
    event = _events(run_cli, flow)[-1]
    assert (event["action"], event["actor"]) == ("reinstate", "lee")
    assert event["detail"]["status_after"] == "approved"
    assert event["detail"]["one_person_reinstatement"] is False
    assert event["detail"]["withdrawn_by"] == "kim"
    # In force again, and the chain vouches for every change.
    shown = json.loads(run_cli("show", "--list", "kr-russia", "--json", db=flow, ok=True).stdout)
    assert shown["version"] == "v1"
    run_cli("audit", "verify", db=flow, ok=True)
    # Withdrawn by someone else than the importer: no --self needed.
    run_cli("withdraw", "v1", "--list", "kr-russia", "--reason", "again", db=flow, ok=True)
    assert _events(run_cli, flow)[-1]["detail"]["one_person_withdrawal"] is False
    not_withdrawn = run_cli("reinstate", "v1", "--list", "kr-russia", "--reason", "x", db=flow)
    assert not_withdrawn.exit_code == 2  # lee withdrew it: needs kim or --self
    run_cli("reinstate", "v1", "--list", "kr-russia", "--reason", "x", "--self", db=flow, ok=True)
    twice = run_cli("reinstate", "v1", "--list", "kr-russia", "--reason", "x", "--self", db=flow)
    assert twice.exit_code == 2
    assert 'is "approved", not withdrawn: there is nothing to reinstate' in twice.output
    run_cli("audit", "verify", db=flow, ok=True)


def test_a_withdrawn_draft_is_reinstated_as_a_draft(
    tmp_path: Path, run_cli: RunCli, flow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(
        "import", _workbook(tmp_path, "v2.xlsx", [*CODES, "851712"]), "--list", "kr-russia",
        "--version", "v2", db=flow, ok=True,
    )  # fmt: skip
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("withdraw", "v2", "--list", "kr-russia", "--reason", "early", db=flow, ok=True)
    monkeypatch.setenv("EXPORTCTL_ACTOR", "park")
    back = run_cli("reinstate", "v2", "--list", "kr-russia", "--reason", "x", "--json", db=flow)
    assert json.loads(back.stdout)["status"] == "draft"
    run_cli("audit", "verify", db=flow, ok=True)


def test_tampered_reinstatement_is_caught(
    run_cli: RunCli, flow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("withdraw", "v1", "--list", "kr-russia", "--reason", "wrong", db=flow, ok=True)
    # Someone puts it back in force with SQL instead of `exportctl reinstate`.
    engine = create_engine(flow)
    with engine.begin() as conn:
        conn.execute(text("update version set status = 'approved' where label = 'v1'"))
    engine.dispose()
    verify = run_cli("audit", "verify", db=flow)
    assert verify.exit_code == 1
    assert "status is 'approved' but the audit chain says 'withdrawn'" in verify.output


# --------------------------------------------------------------------------- label reuse


def test_a_withdrawn_label_is_reused_by_the_corrected_import(
    tmp_path: Path, run_cli: RunCli, flow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = _workbook(tmp_path, "v2-wrong.xlsx", [*CODES, "851712"])
    right = _workbook(tmp_path, "v2.xlsx", [*CODES, "851713"])
    run_cli(
        "import", wrong, "--list", "kr-russia", "--version", "2024-06", "--effective",
        "2024-06-28", "--approve", db=flow, ok=True,
    )  # fmt: skip
    # A version built on it: its record names its base by label.
    run_cli(
        "import", _workbook(tmp_path, "v3.xlsx", [*CODES, "851712", "852580"]), "--list",
        "kr-russia", "--version", "2024-09", "--base", "2024-06", db=flow, ok=True,
    )  # fmt: skip
    taken = run_cli("import", right, "--list", "kr-russia", "--version", "2024-06", db=flow)
    assert taken.exit_code == 2
    assert "withdraw this one first (exportctl withdraw 2024-06 --list kr-russia)" in taken.output
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("withdraw", "2024-06", "--list", "kr-russia", "--reason", "wrong file", db=flow)
    monkeypatch.setenv("EXPORTCTL_ACTOR", "kim")
    run_cli(
        "import", right, "--list", "kr-russia", "--version", "2024-06", "--effective",
        "2024-06-28", db=flow, ok=True,
    )  # fmt: skip
    versions = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=flow).stdout)
    by_label = {v["label"]: v for v in versions}
    assert set(by_label) == {"v1", "2024-06", "2024-06 (withdrawn 1)", "2024-09"}
    assert by_label["2024-06 (withdrawn 1)"]["source_file"] == "v2-wrong.xlsx"
    assert by_label["2024-06 (withdrawn 1)"]["status"] == "withdrawn"
    assert (by_label["2024-06"]["source_file"], by_label["2024-06"]["status"]) == (
        "v2.xlsx",
        "draft",
    )
    relabel = [e for e in _events(run_cli, flow) if e["action"] == "relabel"]
    assert [(e["version"], e["detail"]["to"]) for e in relabel] == [
        ("2024-06", "2024-06 (withdrawn 1)")
    ]
    assert [d["label"] for d in relabel[0]["detail"]["dependants"]] == ["2024-09"]
    run_cli("audit", "verify", db=flow, ok=True)
    # Both stay findable; the old one can be reinstated by name.
    old = run_cli(
        "show", "--list", "kr-russia", "--version", "2024-06 (withdrawn 1)", "--json", db=flow
    )
    assert json.loads(old.stdout)["count"] == 6
    # Reused a second time: the next number.
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("withdraw", "2024-06", "--list", "kr-russia", "--reason", "again", db=flow, ok=True)
    monkeypatch.setenv("EXPORTCTL_ACTOR", "kim")
    run_cli("import", right, "--list", "kr-russia", "--version", "2024-06", db=flow, ok=True)
    labels = [
        v["label"]
        for v in json.loads(run_cli("versions", "--json", "--list", "kr-russia", db=flow).stdout)
    ]
    assert "2024-06 (withdrawn 2)" in labels and "2024-06 (withdrawn 1)" in labels
    run_cli("audit", "verify", db=flow, ok=True)
    run_cli(
        "reinstate", "2024-06 (withdrawn 1)", "--list", "kr-russia", "--reason", "x",
        db=flow, ok=True,
    )  # fmt: skip
    run_cli("audit", "verify", db=flow, ok=True)


def test_a_tampered_withdrawn_version_does_not_give_up_its_label(
    tmp_path: Path, run_cli: RunCli, flow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("withdraw", "v1", "--list", "kr-russia", "--reason", "wrong", db=flow, ok=True)
    engine = create_engine(flow)
    with engine.begin() as conn:
        conn.execute(text("update version set source_file = 'other.xlsx' where label = 'v1'"))
    engine.dispose()
    before = _events(run_cli, flow)
    again = run_cli(
        "import", _workbook(tmp_path, "v1b.xlsx"), "--list", "kr-russia", "--version", "v1",
        db=flow,
    )  # fmt: skip
    assert again.exit_code == 2
    # Refused before the label is looked at: an import first checks the list it goes into.
    assert again.output.startswith(
        "Error: version kr-russia v1: record changed since import: source_file 'v1.xlsx' → "
        "'other.xlsx'"
    )
    assert "run exportctl audit verify" in again.output
    assert _events(run_cli, flow) == before
    labels = [
        v["label"]
        for v in json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=flow).stdout)
    ]
    assert labels == ["v1"]


# --------------------------------------------------------------------------- show, check


def test_show_defaults_to_the_version_in_force_today(
    tmp_path: Path, run_cli: RunCli, flow: str
) -> None:
    run_cli(
        "import", _workbook(tmp_path, "future.xlsx", [*CODES, "851712"]), "--list", "kr-russia",
        "--version", "v9", "--effective", "2099-01-01", "--approve", db=flow, ok=True,
    )  # fmt: skip
    plain = json.loads(run_cli("show", "--list", "kr-russia", "--json", db=flow, ok=True).stdout)
    today = json.loads(
        run_cli("show", "--list", "kr-russia", "--as-of", "today", "--json", db=flow).stdout
    )
    assert plain["version"] == today["version"] == "v1"
    text_out = run_cli("show", "--list", "kr-russia", db=flow, ok=True).stdout
    assert text_out.startswith("kr-russia v1 (effective 2024-02-01): 5 items")
    future = run_cli("show", "--list", "kr-russia", "--version", "v9", "--json", db=flow)
    assert json.loads(future.stdout)["count"] == 6
    both = run_cli("show", "--list", "kr-russia", "--version", "v1", "--as-of", "today", db=flow)
    assert both.exit_code == 2 and "Give --version LABEL or --as-of DATE, not both." in both.output


def test_check_reads_heading_forms_as_the_heading(run_cli: RunCli, flow: str) -> None:
    forms = ["제8471호", "8471호", "HS 8471", "HS8471", "hs 8471", "제 8471 호"]
    result = run_cli("check", "--list", "kr-russia", "8471", *forms, "--json", db=flow)
    results = json.loads(result.stdout)["results"]
    plain = results[0]
    assert plain["status"] == "controlled"
    for typed, each in zip(forms, results[1:], strict=True):
        assert each["input"] == typed
        assert (each["code"], each["digits"], each["status"], each["entry"]) == (
            plain["code"],
            plain["digits"],
            plain["status"],
            plain["entry"],
        ), typed
    shown = run_cli("show", "--list", "kr-russia", "--code", "제8471호", "--json", db=flow)
    same = run_cli("show", "--list", "kr-russia", "--code", "8471", "--json", db=flow)
    assert json.loads(shown.stdout)["items"] == json.loads(same.stdout)["items"] != []
    odd = json.loads(run_cli("check", "--list", "kr-russia", "제조", "--json", db=flow).stdout)
    assert odd["results"][0]["status"] == "invalid"


# --------------------------------------------------------------------------- notice twice


def test_a_notice_imported_twice_is_warned_naming_the_version(
    tmp_path: Path, run_cli: RunCli, flow: str
) -> None:
    first = run_cli(
        "import", _workbook(tmp_path, "a.xlsx", [*CODES, "851712"]), "--list", "kr-russia",
        "--version", "2024-06", "--notice", "제2024-123호", db=flow, ok=True,
    )  # fmt: skip
    assert "already imported" not in first.output
    second = run_cli(
        "import", _workbook(tmp_path, "b.xlsx", [*CODES, "851713"]), "--list", "kr-russia",
        "--version", "2024-07", "--notice", "2024-123", db=flow, ok=True,
    )  # fmt: skip
    assert (
        'notice 제2024-123호 was already imported into "kr-russia" as version "2024-06" (draft); '
        "check that this file is not the same notice again"
    ) in second.output
    ko = run_cli(
        "--lang", "ko", "import", _workbook(tmp_path, "c.xlsx", [*CODES, "851714"]), "--list",
        "kr-russia", "--version", "2024-08", "--notice", "제2024-123호", db=flow, ok=True,
    )  # fmt: skip
    assert '"2024-06"' in ko.output and '"2024-07"' in ko.output
    # The import's own lines are another area's; the notice warnings are Korean.
    warned = [line for line in ko.output.splitlines() if "이미" in line and "고시" in line]
    assert len(warned) == 2
    assert english_sentences("\n".join(warned)) == []


# --------------------------------------------------------------------------- Korean


def test_the_flow_speaks_korean(
    run_cli: RunCli, flow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = run_cli(
        "--lang", "ko", "withdraw", "v1", "--list", "kr-russia", "--reason", "x", db=flow
    )
    assert refused.exit_code == 2 and "--self" in refused.output
    assert english_sentences(refused.output) == []
    done = run_cli(
        "--lang", "ko", "withdraw", "v1", "--list", "kr-russia", "--reason", "잘못된 파일",
        "--self", db=flow, ok=True,
    )  # fmt: skip
    assert english_sentences(done.output) == []
    again = run_cli(
        "--lang", "ko", "reinstate", "v1", "--list", "kr-russia", "--reason", "x", db=flow
    )
    assert again.exit_code == 2 and english_sentences(again.output) == []
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    back = run_cli(
        "--lang", "ko", "reinstate", "v1", "--list", "kr-russia", "--reason", "실수", db=flow,
        ok=True,
    )  # fmt: skip
    assert english_sentences(back.output) == []
