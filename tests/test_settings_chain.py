"""Every setting of a list and a version is under the audit chain (issue 22, item 5).

A list's profile, name and jurisdiction, a version's notice and dates and an
entry's code are changed with raw SQL, as someone with the database's password
would, on SQLite and PostgreSQL; then the commands that decide or report with
them (screen, check, diff, export, compare, convert) refuse in one sentence
(exit 2, nothing written) and ``audit verify`` names the change. A profile
changed through ``exportctl lists set-profile`` is an audited action and is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from conftest import BuildOnce, RunCli
from sqlalchemy import create_engine, text

from exportctl.models import ControlList
from exportctl.store.digests import LIST_DIGEST_COLUMNS

CODES_02 = ["847130", "850440", "854231"]
CODES_06 = [*CODES_02, "880610"]
VERIFY = "run exportctl audit verify to see every change"


def _one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


@pytest.fixture
def listed(run_cli: RunCli, initialised: str, build_once: BuildOnce) -> str:
    """kr-russia (KR, default profile): 2024-02 and 2024-06, approved on import (built once
    per test process on SQLite and copied)."""

    def build(folder: Path, db: str) -> None:
        run_cli(
            "lists", "create", "kr-russia", "--name", "Russia", "--jurisdiction", "KR",
            db=db, ok=True,
        )  # fmt: skip
        for label, codes, day in (
            ("2024-02", CODES_02, "2024-02-24"),
            ("2024-06", CODES_06, "2024-06-28"),
        ):
            book = write_list_workbook(folder / f"{label}.xlsx", simple_rows(codes))
            run_cli(
                "import", book, "--list", "kr-russia", "--version", label, "--effective", day,
                "--approve", db=db, ok=True,
            )  # fmt: skip

    return build_once(initialised, build)


@pytest.fixture
def products(tmp_path: Path) -> Path:
    path = tmp_path / "products.csv"
    path.write_text(
        "SKU,제품명,HS코드\nA-1,노트북,8471.30.1000\nA-2,변압기,8504.40.1000\nA-3,사과,0808.10\n",
        encoding="utf-8",
    )
    return path


def _sql(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _screen(run_cli: RunCli, url: str, products: Path, *args: Any) -> Any:
    return run_cli(
        "screen", products, "--list", "kr-russia", "--as-of", "2024-07-01", *args, db=url
    )


TAMPERING = {
    "profile": (
        "update control_list set profile = 'us-746'",
        "list kr-russia: changed since the import of 2024-06 (event 4): profile None → 'us-746'",
    ),
    "name": (
        "update control_list set name = 'Other'",
        "list kr-russia: changed since the import of 2024-06 (event 4): name 'Russia' → 'Other'",
    ),
    "jurisdiction": (
        "update control_list set jurisdiction = 'EU'",
        "list kr-russia: changed since the import of 2024-06 (event 4): jurisdiction 'KR' → 'EU'",
    ),
    "notice number": (
        "update version set notice_number = '제2099-1호' where label = '2024-06'",
        "version kr-russia 2024-06: record changed since import: notice_number",
    ),
    "effective date": (
        "update version set effective = '2099-01-01' where label = '2024-06'",
        "version kr-russia 2024-06: record changed since import: effective '2024-06-28' → "
        "'2099-01-01'",
    ),
    "other version's status": (
        "update version set status = 'withdrawn' where label = '2024-02'",
        "version kr-russia 2024-02: status is 'withdrawn' but the audit chain says 'approved'",
    ),
    "entry code": (
        "update item set code = '850450' where code = '850440' and version_id = "
        "(select id from version where label = '2024-06')",
        "version kr-russia 2024-06: items changed since import",
    ),
    "part title": (
        "update section set title = '기타' where version_id = "
        "(select id from version where label = '2024-06')",
        "version kr-russia 2024-06: sections changed since import",
    ),
}


def _commands(tmp_path: Path, products: Path) -> dict[str, tuple[Any, ...]]:
    return {
        "screen": (
            "screen", products, "--list", "kr-russia", "--as-of", "2024-07-01",
            "-o", tmp_path / "screen.xlsx",
        ),
        "check": ("check", "8471.30", "--list", "kr-russia", "--version", "2024-06"),
        "diff": ("diff", "2024-02", "2024-06", "--list", "kr-russia", "-o", tmp_path / "d.csv"),
        "export": ("export", "2024-06", "--list", "kr-russia", "-o", tmp_path / "e.json"),
        "compare": ("compare", "kr-russia", "kr-russia", "-o", tmp_path / "c.csv"),
    }  # fmt: skip


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_setting_changed_outside_exportctl_is_refused_and_named(
    listed: str, run_cli: RunCli, products: Path, tmp_path: Path, case: str
) -> None:
    sql, named = TAMPERING[case]
    for args in _commands(tmp_path, products).values():
        run_cli(*args, db=listed)  # before: each works (compare of a list with itself aside)
    outputs = {p for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".csv", ".json")}
    for out in outputs:
        out.unlink()
    _sql(listed, sql)
    for name, args in _commands(tmp_path, products).items():
        result = run_cli(*args, db=listed)
        assert result.exit_code == 2, (name, result.output)
        assert _one_line(result.stderr), (name, result.stderr)
        assert result.stderr.startswith(f"Error: {named}"), (name, result.stderr)
        assert result.stderr.rstrip().endswith(VERIFY), (name, result.stderr)
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".csv", ".json")]
    verified = run_cli("audit", "verify", db=listed)
    assert verified.exit_code == 1
    assert any(line.startswith(named) for line in verified.stdout.splitlines()), verified.stdout


def test_a_profile_changed_by_sql_no_longer_screens_clear(
    listed: str, run_cli: RunCli, products: Path
) -> None:
    """The probe's case: us-746 by SQL made every hit review and --fail-on controlled pass."""
    before = _screen(run_cli, listed, products, "--fail-on", "controlled")
    assert before.exit_code == 1, before.output
    _sql(listed, "update control_list set profile = 'us-746'")
    after = _screen(run_cli, listed, products, "--fail-on", "controlled")
    assert after.exit_code == 2 and "profile None → 'us-746'" in after.stderr
    assert after.stdout == ""


def test_a_profile_set_through_exportctl_is_audited_and_used(
    listed: str, run_cli: RunCli, products: Path
) -> None:
    result = run_cli(
        "lists", "set-profile", "kr-russia", "--profile", "us-746", "--reason", "BIS list",
        db=listed,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "List kr-russia now follows profile us-746.\n"
    screened = _screen(run_cli, listed, products, "--fail-on", "controlled", "--format", "json")
    assert screened.exit_code == 0, screened.output
    statuses = [row["status"] for row in json.loads(screened.stdout)["rows"]]
    assert "controlled" not in statuses and "review" in statuses
    events = json.loads(run_cli("audit", "--json", db=listed, ok=True).stdout)
    last = [event for event in events if event["action"] == "set-profile"][-1]
    assert last["list"] == "kr-russia" and last["actor"]
    assert (last["detail"]["from"], last["detail"]["to"], last["detail"]["reason"]) == (
        None,
        "us-746",
        "BIS list",
    )
    assert last["detail"]["list"]["record"]["profile"] == "us-746"
    assert run_cli("audit", "verify", db=listed).exit_code == 0
    again = run_cli("lists", "set-profile", "kr-russia", "--profile", "us-746", db=listed)
    assert again.exit_code == 2 and "already follows profile us-746" in again.stderr
    unknown = run_cli("lists", "set-profile", "kr-russia", "--profile", "nope", db=listed)
    assert unknown.exit_code == 2 and _one_line(unknown.stderr)


def test_a_rename_and_a_profile_change_are_refused_on_a_tampered_list(
    listed: str, run_cli: RunCli
) -> None:
    """Either would vouch for the tampered row in its event."""
    _sql(listed, "update control_list set jurisdiction = 'EU'")
    for args in (
        ("lists", "rename", "kr-russia", "--name", "New"),
        ("lists", "set-profile", "kr-russia", "--profile", "eu-833"),
    ):
        result = run_cli(*args, db=listed)
        assert result.exit_code == 2 and VERIFY in result.stderr, result.output
    engine = create_engine(listed)
    with engine.connect() as conn:
        assert tuple(conn.execute(text("select name, profile from control_list")).one()) == (
            "Russia",
            None,
        )
    engine.dispose()


def test_an_import_into_a_tampered_list_is_refused(
    listed: str, run_cli: RunCli, tmp_path: Path
) -> None:
    book = write_list_workbook(tmp_path / "2024-09.xlsx", simple_rows([*CODES_06, "900110"]))
    _sql(listed, "update control_list set profile = 'eu-833'")
    result = run_cli("import", book, "--list", "kr-russia", "--version", "2024-09", db=listed)
    assert result.exit_code == 2 and result.stderr.startswith("Error: list kr-russia: changed")
    shown = run_cli("versions", "--list", "kr-russia", "--json", db=listed, ok=True).stdout
    assert "2024-09" not in [version["label"] for version in json.loads(shown)]


def test_a_list_added_outside_exportctl_is_named(listed: str, run_cli: RunCli) -> None:
    _sql(
        listed,
        "insert into control_list (slug, name, created_at) "
        "values ('eve', 'Eve', '2024-01-01 00:00:00')",
    )
    verified = run_cli("audit", "verify", db=listed)
    assert (verified.exit_code, verified.stdout.splitlines()) == (
        1,
        ["list eve: not in the audit chain (no event records it): added outside exportctl"],
    )


def test_the_list_digest_covers_every_stored_column() -> None:
    """A column added to control_list must be put in the list's digest (a scheme 2)."""
    columns = set(ControlList.__table__.c.keys()) - {"id"}  # type: ignore[attr-defined]
    assert columns == set(LIST_DIGEST_COLUMNS)


def test_a_tampered_version_is_not_carried_into_a_new_one(
    listed: str, run_cli: RunCli, tmp_path: Path
) -> None:
    """Converting it, or importing additions on it, would have the chain vouch for the change."""
    adds = write_list_workbook(tmp_path / "adds.xlsx", simple_rows(["900110"], start=5))
    _sql(
        listed,
        "update item set description = 'forged' where version_id = "
        "(select id from version where label = '2024-06')",
    )
    for args in (
        ("convert", "2024-06", "--list", "kr-russia", "--to", "HS2017"),
        (
            "import", adds, "--list", "kr-russia", "--version", "2024-09", "--base", "2024-06",
            "--additions",
        ),
    ):  # fmt: skip
        result = run_cli(*args, db=listed)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Error: version kr-russia 2024-06: items changed")
    shown = json.loads(run_cli("versions", "--list", "kr-russia", "--json", db=listed).stdout)
    assert len(shown) == 2
