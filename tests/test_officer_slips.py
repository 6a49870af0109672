"""An officer's ordinary slips are refused or said loudly, and every mistake has a way back.

Each test is one of the mistakes reproduced on the sample files, rebuilt here on
small workbooks, run through the real CLI on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import BuildOnce, RunCli
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, func, select, text

from exportctl.models import AuditEvent, ControlList, Item, Version

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

CODES = (
    "030111 030119 030191 030192 030193 030194 030195 030199 030211 030213 "
    "030214 030219 030221 030222 030223 030224 030229 030231 030232 030233"
).split()
BASE = CODES[:10]
ADDED = CODES[10:14]


def _counts(url: str) -> tuple[int, int, int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = tuple(
            conn.execute(select(func.count()).select_from(t.__table__)).scalar_one()  # type: ignore[attr-defined]
            for t in (ControlList, Version, Item, AuditEvent)
        )
    engine.dispose()
    return counts  # type: ignore[return-value]


@pytest.fixture
def listed(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:
    """A database with list ``kr-russia`` and its approved version ``v1`` (serials 1-10)."""

    def build(folder: Path, db: str) -> None:
        run_cli("lists", "create", "kr-russia", "--name", "Korea test list", db=db, ok=True)
        base = write_list_workbook(folder / "base.xlsx", simple_rows(BASE))
        run_cli(
            "import", base, "--list", "kr-russia", "--version", "v1", "--effective", "2024-02-24",
            "--approve", db=db, ok=True,
        )  # fmt: skip

    return build_once(initialised, build)


def _additions(tmp_path: Path) -> Path:
    """Rows 11-14: serials continue the base, as an additions annex does."""
    return write_list_workbook(tmp_path / "added.xlsx", simple_rows(ADDED, start=11))


def test_forgotten_additions_flag_is_refused_with_both_ways_forward(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    before = _counts(listed)
    path = _additions(tmp_path)
    result = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--effective", "2024-08-28",
        "--base", "v1", db=listed,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert 'serial numbers start at 11, right after the last serial of "v1" (10)' in (result.stdout)
    assert "would remove 10 of the 10 items" in result.output
    assert "--additions" in result.output and "--declared-removed 10" in result.output
    assert _counts(listed) == before
    # The way forward it names works.
    ok = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--effective", "2024-08-28",
        "--base", "v1", "--additions", db=listed, ok=True,
    )  # fmt: skip
    assert "14 items (4 added, 0 removed against v1)" in ok.output


def test_forgotten_base_is_refused_against_the_version_in_force(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    before = _counts(listed)
    result = run_cli(
        "import", _additions(tmp_path), "--list", "kr-russia", "--version", "v2",
        "--effective", "2024-08-28", db=listed,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "--base v1 --additions" in result.output
    assert _counts(listed) == before


def test_removing_most_of_the_base_needs_the_declared_removals(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = write_list_workbook(tmp_path / "new.xlsx", simple_rows(BASE[:3] + ADDED))
    args = ["import", path, "--list", "kr-russia", "--version", "v2", "--base", "v1"]
    refused = run_cli(*args, db=listed)
    assert refused.exit_code == 1, refused.output
    assert "would remove 7 of the 10 items" in refused.output
    assert "serial numbers start" not in refused.output
    wrong = run_cli(*args, "--declared-removed", "6", db=listed)
    assert wrong.exit_code == 1, wrong.output
    run_cli(*args, "--declared-removed", "7", db=listed, ok=True)


def test_a_wrong_version_is_withdrawn_and_its_file_imported_again(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _additions(tmp_path)
    # Forced through as a complete list: the mistake the guard exists for.
    run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--effective", "2024-08-28",
        "--base", "v1", "--declared-removed", "10", "--approve", db=listed, ok=True,
    )  # fmt: skip
    shown = run_cli(
        "show", "--list", "kr-russia", "--as-of", "2024-09-01", "--json", db=listed, ok=True
    )
    assert json.loads(shown.stdout)["count"] == 4
    run_cli(
        "withdraw", "v2", "--list", "kr-russia", "--reason", "imported without --additions",
        "--self", db=listed, ok=True,
    )  # fmt: skip
    shown = run_cli(
        "show", "--list", "kr-russia", "--as-of", "2024-09-01", "--json", db=listed, ok=True
    )
    assert json.loads(shown.stdout)["version"] == "v1"
    listed_versions = run_cli("versions", "--list", "kr-russia", db=listed, ok=True).output
    assert "WITHDRAWN" in listed_versions and "imported without --additions" in listed_versions
    # The same file imports again, the right way, under a new label.
    run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2b", "--effective", "2024-08-28",
        "--base", "v1", "--additions", "--approve", db=listed, ok=True,
    )  # fmt: skip
    shown = run_cli(
        "show", "--list", "kr-russia", "--as-of", "2024-09-01", "--json", db=listed, ok=True
    )
    assert (json.loads(shown.stdout)["version"], json.loads(shown.stdout)["count"]) == ("v2b", 14)
    actions = [e["action"] for e in json.loads(run_cli("audit", "--json", db=listed).stdout)]
    assert actions.count("withdraw") == 1
    run_cli("audit", "verify", db=listed, ok=True)


def test_a_typo_in_the_list_name_never_creates_a_list(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    before = _counts(listed)
    result = run_cli(
        "import", _additions(tmp_path), "--list", "kr-rusia", "--version", "v9", db=listed
    )
    assert result.exit_code == 1, result.output
    assert 'no control list "kr-rusia"; did you mean "kr-russia"?' in result.output
    assert "--create-list" in result.output
    assert _counts(listed) == before
    created = run_cli(
        "import", _additions(tmp_path), "--list", "kr-rusia", "--version", "v9", "--create-list",
        "--list-name", "Another list", db=listed, ok=True,
    )  # fmt: skip
    assert "kr-rusia v9" in created.output
    names = {x["slug"]: x["name"] for x in json.loads(run_cli("lists", "--json", db=listed).stdout)}
    assert names == {"kr-russia": "Korea test list", "kr-rusia": "Another list"}


def test_lists_create_refuses_a_taken_or_malformed_slug(run_cli: RunCli, listed: str) -> None:
    taken = run_cli("lists", "create", "kr-russia", "--name", "again", db=listed)
    assert taken.exit_code == 2 and "Korea test list" in taken.output
    bad = run_cli("lists", "create", "KR Russia!", "--name", "x", db=listed)
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_columns_the_base_had_are_named_when_missing(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["HS코드", "품목명"])
    for code in BASE + ADDED:
        ws.append([code, f"품목 {code}"])
    wb.save(tmp_path / "two-columns.xlsx")
    result = run_cli(
        "import", tmp_path / "two-columns.xlsx", "--list", "kr-russia", "--version", "v2",
        "--base", "v1", db=listed, ok=True,
    )  # fmt: skip
    assert 'lacks columns that version "v1" had' in result.output
    for header in ("연번", "영문", "구분", "비고"):
        assert header in result.output


def test_a_declared_mismatch_is_kept_on_the_version_and_shown(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    run_cli(
        "import", _additions(tmp_path), "--list", "kr-russia", "--version", "v2", "--base", "v1",
        "--additions", "--declared-added", "5", "--declared-total", "14", db=listed, ok=True,
    )  # fmt: skip
    versions = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=listed).stdout)
    warnings = [w for v in versions if v["label"] == "v2" for w in v["declared_warnings"]]
    assert any("declares 5 added items but 4 are new" in w for w in warnings), warnings
    assert any("do not add up" in w for w in warnings), warnings
    text = run_cli("versions", "--list", "kr-russia", db=listed, ok=True).output
    assert "declares 5 added items" in text
    diff = run_cli("diff", "v1", "v2", "--list", "kr-russia", "--include-drafts", db=listed)
    assert "declares 5 added items" in diff.output
    assert diff.exit_code == 1  # the declared figures do not reconcile
    report = tmp_path / "changes.json"
    run_cli("diff", "v1", "v2", "--list", "kr-russia", "-o", report, db=listed)
    to = json.loads(report.read_text(encoding="utf-8"))["versions"]["to"]
    assert to["status"] == "draft"
    assert any("declares 5 added items" in w for w in to["declared_warnings"])
    shown = run_cli("show", "--list", "kr-russia", "--version", "v2", db=listed, ok=True)
    assert "declares 5 added items" in shown.output
    exported = tmp_path / "v2.xlsx"
    run_cli("export", "v2", "--list", "kr-russia", "-o", exported, db=listed, ok=True)
    sheet = load_workbook(exported)["Version"]
    rows = list(sheet.iter_rows(values_only=True))
    assert any(k == "Declared counts" and "declares 5 added" in str(v) for k, v, *_ in rows)
    assert ("Status", "draft") in [(k, v) for k, v, *_ in rows]


def test_drafts_are_not_in_force_until_a_second_person_approves(
    run_cli: RunCli, listed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_ACTOR", "kim")
    run_cli(
        "import", _additions(tmp_path), "--list", "kr-russia", "--version", "v2", "--base", "v1",
        "--additions", "--effective", "2024. 8. 28.", db=listed, ok=True,
    )  # fmt: skip
    as_of = ["show", "--list", "kr-russia", "--as-of", "2024.09.01", "--json"]
    passed_over = run_cli(*as_of, db=listed, ok=True)
    assert json.loads(passed_over.stdout)["version"] == "v1"
    assert "v2 (effective 2024-08-28) is a draft awaiting approval" in passed_over.stderr
    drafts = run_cli(*as_of, "--include-drafts", db=listed, ok=True)
    assert json.loads(drafts.stdout)["version"] == "v2"
    same = run_cli("approve", "v2", "--list", "kr-russia", db=listed)
    assert same.exit_code == 2 and "imported by kim" in same.output
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("approve", "v2", "--list", "kr-russia", "--note", "checked", db=listed, ok=True)
    approved = run_cli(*as_of, db=listed, ok=True)
    assert json.loads(approved.stdout)["version"] == "v2" and not approved.stderr
    again = run_cli("approve", "v2", "--list", "kr-russia", db=listed)
    assert again.exit_code == 2 and "lee" in again.output
    versions = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=listed).stdout)
    v2 = next(v for v in versions if v["label"] == "v2")
    assert (v2["status"], v2["approved_by"], v2["one_person"]) == ("approved", "lee", False)
    assert v2["effective"] == "2024-08-28"


def test_one_person_sign_off_is_recorded_as_such(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    run_cli(
        "import", _additions(tmp_path), "--list", "kr-russia", "--version", "v2", "--base", "v1",
        "--additions", "--effective", "2024-08-28", db=listed, ok=True,
    )  # fmt: skip
    result = run_cli("approve", "v2", "--list", "kr-russia", "--self", "--json", db=listed, ok=True)
    assert json.loads(result.stdout)["one_person"] is True


def test_reversed_diff_warns_and_old_spelling_still_works(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    run_cli(
        "import", _additions(tmp_path), "--list", "kr-russia", "--version", "v2", "--base", "v1",
        "--additions", "--effective", "2024-08-28", "--approve", db=listed, ok=True,
    )  # fmt: skip
    reversed_ = run_cli("diff", "kr-russia", "v2", "v1", db=listed)
    assert reversed_.exit_code == 0, reversed_.output
    assert "after NEW v1" in reversed_.output
    assert "deprecated" in reversed_.output
    by_date = run_cli("diff", "2024-03-01", "2024-09-01", "--list", "kr-russia", db=listed, ok=True)
    assert "v1 → v2" in by_date.output


def test_reports_are_never_overwritten_without_force(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    target = tmp_path / "changes.csv"
    target.write_text("evidence\n", encoding="utf-8")
    refused = run_cli("diff", "v1", "v1", "--list", "kr-russia", "-o", target, db=listed)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "evidence\n"
    run_cli("diff", "v1", "v1", "--list", "kr-russia", "-o", target, "--force", db=listed, ok=True)
    assert target.read_text(encoding="utf-8") != "evidence\n"


def test_two_list_sheets_and_a_catalogue_are_refused_on_import(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    before = _counts(listed)
    wb = Workbook()
    for index, title in enumerate(("별표2", "별표2의2")):
        ws = wb.active if index == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append(["연번", "HS코드", "품목명"])
        ws.append([1, CODES[index], "품목"])
    wb.save(tmp_path / "two.xlsx")
    two = run_cli(
        "import", tmp_path / "two.xlsx", "--list", "kr-russia", "--version", "v2", db=listed
    )
    assert two.exit_code == 1 and "--sheet" in two.output and "별표2의2" in two.output
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["품번", "제품명", "HS코드"])
    ws.append(["KX-1", "요트", "890310"])
    wb.save(tmp_path / "catalogue.xlsx")
    cat = run_cli(
        "import", tmp_path / "catalogue.xlsx", "--list", "kr-russia", "--version", "v2", db=listed
    )
    assert cat.exit_code == 1 and "exportctl screen" in cat.output
    assert _counts(listed) == before


def test_config_file_gives_the_default_list_and_actor(
    run_cli: RunCli, listed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('default_list = "kr-russia"\nactor = "park"\n', encoding="utf-8")
    monkeypatch.setenv("EXPORTCTL_CONFIG", str(config))
    monkeypatch.delenv("EXPORTCTL_ACTOR", raising=False)
    versions = json.loads(run_cli("versions", "--json", db=listed, ok=True).stdout)
    assert [v["label"] for v in versions] == ["v1"]
    shown = json.loads(run_cli("config", "--json", db=listed, ok=True).stdout)
    assert (shown["config_file"], shown["default_list"], shown["actor"]) == (
        str(config),
        "kr-russia",
        "park",
    )
    run_cli("withdraw", "v1", "--reason", "test", db=listed, ok=True)
    events = json.loads(run_cli("audit", "--json", db=listed).stdout)
    assert events[-1]["actor"] == "park"
    config.write_text('default_lsit = "kr-russia"\n', encoding="utf-8")
    typo = run_cli("versions", db=listed)
    assert typo.exit_code == 2 and 'unknown key "default_lsit"' in typo.output


def test_quiet_leaves_only_data(run_cli: RunCli, listed: str) -> None:
    quiet = run_cli("lists", "create", "eu-833", "--name", "EU", "--quiet", db=listed, ok=True)
    assert quiet.output == ""
    loud = run_cli("lists", "create", "us-746", "--name", "US", db=listed, ok=True)
    assert "Created list us-746" in loud.output
    data = run_cli("versions", "--list", "kr-russia", "-q", "--json", db=listed, ok=True)
    assert json.loads(data.stdout)[0]["label"] == "v1"


# ----------------------------------------------------------- issue 19: no approval without a date

UNDATED = (
    'Error: version "v2" of "kr-russia" has no effective date, so no by-date question would '
    "choose it; give it one first: exportctl dates v2 --list kr-russia --effective YYYY-MM-DD\n"
)


def _import_undated(run_cli: RunCli, db: str, tmp_path: Path, label: str = "v2") -> Path:
    path = _additions(tmp_path)
    run_cli(
        "import", path, "--list", "kr-russia", "--version", label, "--base", "v1", "--additions",
        db=db, ok=True,
    )  # fmt: skip
    return path


def _sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_a_version_without_a_date_is_approved_only_once_dated(
    run_cli: RunCli, listed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_ACTOR", "kim")
    _import_undated(run_cli, listed, tmp_path)
    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    before = _counts(listed)
    refused = run_cli("approve", "v2", "--list", "kr-russia", db=listed)
    assert (refused.exit_code, refused.stdout, refused.stderr) == (2, "", UNDATED)
    assert _counts(listed) == before

    monkeypatch.setenv("EXPORTCTL_ACTOR", "kim")
    dated = run_cli(
        "dates", "v2", "--list", "kr-russia", "--effective", "2024. 8. 28.",
        "--notice-date", "2024-06-28", "--json", db=listed, ok=True,
    )  # fmt: skip
    shown = json.loads(dated.stdout)
    assert (shown["status"], shown["effective"], shown["notice_date"]) == (
        "draft",
        "2024-08-28",
        "2024-06-28",
    )
    event = json.loads(run_cli("audit", "--json", db=listed).stdout)[-1]
    assert (event["action"], event["actor"], event["version"]) == ("dates", "kim", "v2")
    assert (event["detail"]["effective_before"], event["detail"]["effective_after"]) == (
        None,
        "2024-08-28",
    )
    assert event["detail"]["record"]["effective"] == "2024-08-28"
    run_cli("audit", "verify", db=listed, ok=True)

    monkeypatch.setenv("EXPORTCTL_ACTOR", "lee")
    run_cli("approve", "v2", "--list", "kr-russia", db=listed, ok=True)
    as_of = run_cli("show", "--list", "kr-russia", "--as-of", "2024-09-01", "--json", db=listed)
    assert json.loads(as_of.stdout)["version"] == "v2" and not as_of.stderr
    frozen = run_cli("dates", "v2", "--list", "kr-russia", "--effective", "2024-09-01", db=listed)
    assert frozen.exit_code == 2
    assert frozen.stderr == (
        'Error: version "v2" of "kr-russia" is approved: its dates are part of what was '
        "approved and stay as they are; withdraw it and import its file again with --effective\n"
    )
    run_cli("audit", "verify", db=listed, ok=True)
    no_date = run_cli("dates", "v2", "--list", "kr-russia", db=listed)
    assert no_date.exit_code == 2 and "Give --effective DATE, --notice-date DATE or both." in (
        no_date.stderr
    )


def test_dates_set_on_a_draft_are_vouched_for_by_the_audit_chain(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    _import_undated(run_cli, listed, tmp_path)
    # A row changed behind exportctl's back is not dated (its new digest would vouch for it).
    _sql(listed, "update version set source_file = 'other.xlsx' where label = 'v2'")
    before = _counts(listed)
    refused = run_cli("dates", "v2", "--list", "kr-russia", "--effective", "2024-08-28", db=listed)
    assert refused.exit_code == 2
    assert refused.stderr == (
        'Error: version "v2" of "kr-russia" no longer matches the audit chain, so its dates '
        "are not changed; run exportctl audit verify\n"
    )
    assert _counts(listed) == before
    _sql(listed, "update version set source_file = 'added.xlsx' where label = 'v2'")
    run_cli("dates", "v2", "--list", "kr-russia", "--effective", "2024-08-28", db=listed, ok=True)
    run_cli("audit", "verify", db=listed, ok=True)
    dates_event = json.loads(run_cli("audit", "--json", db=listed).stdout)[-1]["id"]
    _sql(listed, "update version set effective = '2024-07-01' where label = 'v2'")
    tampered = run_cli("audit", "verify", db=listed)
    assert tampered.exit_code == 1
    assert (
        f"version kr-russia v2: record changed since its dates were set (event {dates_event}): "
        "effective '2024-08-28' → '2024-07-01'"
    ) in tampered.output


def test_import_approve_needs_an_effective_date(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    before = _counts(listed)
    refused = run_cli(
        "import", _additions(tmp_path), "--list", "kr-russia", "--version", "v2", "--base", "v1",
        "--additions", "--approve", db=listed,
    )  # fmt: skip
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Error: --approve needs --effective DATE: a version approved without an effective date "
        "is never chosen by date, so the one before it would stay in force\n"
    )
    assert _counts(listed) == before


def test_an_approved_version_without_a_date_is_named_by_every_question_by_date(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _import_undated(run_cli, listed, tmp_path)
    # As a database from before approval needed a date may hold it: approved, with the
    # approve event that exportctl wrote then (checked against the row by every command).
    from exportctl.store.audit import append_event

    engine = create_engine(listed)
    with engine.begin() as conn:
        conn.execute(
            text(
                "update version set status = 'approved', approved_by = 'lee', "
                "approved_at = imported_at where label = 'v2'"
            )
        )
        append_event(
            conn,
            action="approve",
            actor="lee",
            list_slug="kr-russia",
            version_label="v2",
            detail={"status_before": "draft", "status_after": "approved", "note": None},
        )
    engine.dispose()
    warning = (
        'warning: kr-russia v1 was used; "v2" is approved but has no effective date, so it is '
        "never chosen by date; withdraw it (exportctl withdraw v2 --list kr-russia --reason "
        '"no effective date") and import its file again with --effective DATE\n'
    )
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("SKU,Description,HS code\nF-1,fish,0302.11\n", encoding="utf-8")
    day = ("--as-of", "2024-09-01")
    asked = {
        "show": ("show", "--list", "kr-russia", *day, "--json"),
        "check": ("check", "0302.11", "--list", "kr-russia", *day, "--json"),
        "check today": ("check", "0302.11", "--list", "kr-russia", "--json"),
        "screen": ("screen", catalogue, "--list", "kr-russia", *day, "--json"),
    }
    for name, args in asked.items():
        result = run_cli(*args, db=listed)
        assert result.exit_code == 0, (name, result.output)
        data = json.loads(result.stdout)
        version = data["version"]["label"] if name.startswith("check") else data["version"]
        assert version == "v1", name
        assert result.stderr == warning, name
    by_label = run_cli("show", "--list", "kr-russia", "--version", "v2", "--json", db=listed)
    assert json.loads(by_label.stdout)["status"] == "approved" and not by_label.stderr
    # The way out it names works.
    run_cli(
        "withdraw",
        "v2",
        "--list",
        "kr-russia",
        "--reason",
        "no effective date",
        "--self",
        db=listed,
        ok=True,
    )
    run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2b", "--base", "v1", "--additions",
        "--effective", "2024-08-28", "--approve", db=listed, ok=True,
    )  # fmt: skip
    mended = run_cli(*asked["show"], db=listed)
    assert json.loads(mended.stdout)["version"] == "v2b" and not mended.stderr


def test_an_undated_draft_is_named_when_drafts_count(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    _import_undated(run_cli, listed, tmp_path)
    args = ("show", "--list", "kr-russia", "--as-of", "2024-09-01", "--json")
    plain = run_cli(*args, db=listed, ok=True)
    assert not plain.stderr
    drafts = run_cli(*args, "--include-drafts", db=listed, ok=True)
    assert json.loads(drafts.stdout)["version"] == "v1"
    assert drafts.stderr == (
        'warning: kr-russia v1 was used; "v2" is a draft without an effective date; give it '
        "one: exportctl dates v2 --list kr-russia --effective YYYY-MM-DD\n"
    )
