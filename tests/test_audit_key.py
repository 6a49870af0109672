"""An audit key kept outside the database signs every event, so a forged append is caught.

Without a key, someone able to write to the database can change a setting and
append a well-formed event vouching for it (its hash recomputed, the chain
linked): ``audit verify`` passes, as the README says. With the key
(``EXPORTCTL_AUDIT_KEY`` or ``audit_key_file``) the forged event carries no
signature and both ``audit verify`` and the commands that use the list refuse it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import RunCli
from sqlalchemy import create_engine, text

from exportctl.store.audit import append_event
from exportctl.store.digests import list_vouch

KEY = "3f1c9a7e5b2d4c6a8e0f1b3d5c7a9e2f"
OTHER_KEY = "0000000000000000ffffffffffffffff"


@pytest.fixture
def keyed(tmp_path: Path, run_cli: RunCli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """kr-russia with 2024-06 approved, every event written with the audit key."""
    monkeypatch.setenv("EXPORTCTL_AUDIT_KEY", KEY)
    run_cli("init", db=db_url, ok=True)
    run_cli("lists", "create", "kr-russia", "--name", "Russia", db=db_url, ok=True)
    book = write_list_workbook(tmp_path / "2024-06.xlsx", simple_rows(["847130", "850440"]))
    run_cli(
        "import", book, "--list", "kr-russia", "--version", "2024-06", "--effective",
        "2024-06-28", "--approve", db=db_url, ok=True,
    )  # fmt: skip
    return db_url


@pytest.fixture
def products(tmp_path: Path) -> Path:
    path = tmp_path / "products.csv"
    path.write_text("SKU,제품명,HS코드\nA-1,노트북,8471.30.1000\n", encoding="utf-8")
    return path


def _forge_a_profile_change(url: str) -> int:
    """What someone with the database's password and exportctl's source would do: change
    the profile and append a set-profile event vouching for it, hash and link recomputed."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("update control_list set profile = 'us-746'"))
        new_id, _ = append_event(
            conn,
            action="set-profile",
            actor="kim",
            list_slug="kr-russia",
            detail={"from": None, "to": "us-746", "list": list_vouch(conn, "kr-russia")},
        )
    engine.dispose()
    return new_id


def _macs(url: str) -> list[str | None]:
    engine = create_engine(url)
    with engine.connect() as conn:
        macs = list(conn.execute(text("select mac from audit_event order by id")).scalars())
    engine.dispose()
    return macs


def test_every_event_is_signed_and_verify_says_what_the_key_proves(
    keyed: str, run_cli: RunCli
) -> None:
    macs = _macs(keyed)
    assert len(macs) == 3 and all(mac and len(mac) == 64 for mac in macs)
    result = run_cli("audit", "verify", db=keyed)
    assert result.exit_code == 0, result.output
    assert result.stdout == "The audit chain and every version are intact.\n"
    assert result.stderr.startswith(
        "(Signed with the audit key from EXPORTCTL_AUDIT_KEY from event 1 on: no event since "
        "was appended or rewritten without the key"
    )
    shown = json.loads(run_cli("audit", "verify", "--json", db=keyed, ok=True).stdout)
    assert shown["key"] == {
        "used": True,
        "source": "EXPORTCTL_AUDIT_KEY",
        "signed_from": 1,
        "last": 3,
    }


def test_a_forged_append_is_caught_with_the_key_and_not_without(
    keyed: str, run_cli: RunCli, products: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = _forge_a_profile_change(keyed)
    screen = ("screen", products, "--list", "kr-russia", "--version", "2024-06")
    # Without the key the forgery is consistent: the limit the README states.
    monkeypatch.delenv("EXPORTCTL_AUDIT_KEY")
    unkeyed = run_cli("audit", "verify", db=keyed)
    assert unkeyed.exit_code == 0, unkeyed.output
    assert "No audit key was given" in unkeyed.stderr
    assert run_cli(*screen, db=keyed).exit_code == 0
    # With it, the event is named, and the list it vouches for is not used.
    monkeypatch.setenv("EXPORTCTL_AUDIT_KEY", KEY)
    verified = run_cli("audit", "verify", db=keyed)
    assert (verified.exit_code, verified.stdout.splitlines()) == (
        1,
        [
            f"audit event {forged} (set-profile): not signed with the audit key, so appended "
            "without it (forged, or written by an exportctl run without the key)"
        ],
    )
    refused = run_cli(*screen, db=keyed)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"Error: audit event {forged} (set-profile): not signed")
    assert "run exportctl audit verify" in refused.stderr


def test_another_key_or_removed_signatures_are_named(
    keyed: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCTL_AUDIT_KEY", OTHER_KEY)
    other = run_cli("audit", "verify", db=keyed)
    assert other.exit_code == 1
    assert other.stdout.splitlines()[0] == (
        "audit event 1 (create-list): its signature is not the audit key's "
        "(signed with another key, or forged)"
    )
    monkeypatch.setenv("EXPORTCTL_AUDIT_KEY", KEY)
    engine = create_engine(keyed)
    with engine.begin() as conn:
        conn.execute(text("update audit_event set mac = null"))
    engine.dispose()
    stripped = run_cli("audit", "verify", db=keyed)
    assert (stripped.exit_code, stripped.stdout.splitlines()) == (
        1,
        [
            "no audit event is signed with the audit key given: the chain was written "
            "without it, or its signatures were removed"
        ],
    )


def test_the_key_from_a_file_named_by_the_config(
    keyed: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXPORTCTL_AUDIT_KEY")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "audit.key").write_text(KEY + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('audit_key_file = "keys/audit.key"\n', encoding="utf-8")
    monkeypatch.setenv("EXPORTCTL_CONFIG", str(config))
    result = run_cli("audit", "verify", db=keyed)
    assert result.exit_code == 0, result.output
    assert f"from {tmp_path / 'keys' / 'audit.key'} from event 1 on" in result.stderr
    run_cli("lists", "rename", "kr-russia", "--name", "Russia/Belarus", db=keyed, ok=True)
    assert all(_macs(keyed))


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ({"EXPORTCTL_AUDIT_KEY": "short"}, "the audit key from EXPORTCTL_AUDIT_KEY is too short"),
        ({"audit_key_file": "missing.key"}, "missing.key (audit_key_file) is missing"),
        ({"audit_key_file": "fifo.key"}, "fifo.key (audit_key_file) is missing or not a regular"),
        ({"audit_key_file": "big.key"}, "big.key is larger than 4096 bytes"),
        ({"audit_key_file": "k\x00ey"}, '"audit_key_file" holds a NUL character'),
    ],
    ids=["short", "missing", "fifo", "big", "nul"],
)
def test_an_unusable_key_is_one_sentence(
    keyed: str,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: dict[str, str],
    said: str,
) -> None:
    monkeypatch.delenv("EXPORTCTL_AUDIT_KEY")
    os.mkfifo(tmp_path / "fifo.key")
    (tmp_path / "big.key").write_bytes(b"k" * 5000)
    for name, value in setting.items():
        if name.startswith("EXPORTCTL_"):
            monkeypatch.setenv(name, value)
        else:
            config = tmp_path / "config.toml"
            config.write_text(f"{name} = {json.dumps(value)}\n", encoding="utf-8")
            monkeypatch.setenv("EXPORTCTL_CONFIG", str(config))
    before = _macs(keyed)
    for args in (("audit", "verify"), ("lists", "rename", "kr-russia", "--name", "X")):
        result = run_cli(*args, db=keyed)
        assert result.exit_code == 2, result.output
        assert said in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert _macs(keyed) == before
