"""A user's input never ends in exit 3: a --db file that is not a database, and a NUL
in any setting or argument, on SQLite and PostgreSQL (issue 22, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli
from sqlalchemy.exc import DataError

from exportctl.cli.base import _database_error_sentence
from exportctl.config import current_actor
from exportctl.errors import ConfigError

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)


def _one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


@pytest.mark.parametrize("content", [b"not a database\n", PNG, b"SQLite format 2\x00" + bytes(90)])
@pytest.mark.parametrize("as_url", [False, True])
def test_a_db_file_that_is_not_a_database_is_one_sentence(
    tmp_path: Path, run_cli: RunCli, content: bytes, as_url: bool
) -> None:
    fake = tmp_path / "x.db"
    fake.write_bytes(content)
    db = f"sqlite:///{fake}" if as_url else str(fake)
    for args in (("lists",), ("init",), ("audit", "verify")):
        result = run_cli(*args, db=db)
        assert result.exit_code == 2, (args, result.output)
        assert "is not an SQLite database" in result.stderr and _one_line(result.stderr)
        assert str(fake) in result.stderr
    assert fake.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_an_empty_db_file_becomes_a_new_database(tmp_path: Path, run_cli: RunCli) -> None:
    empty = tmp_path / "new.db"
    empty.touch()
    run_cli("init", db=str(empty), ok=True)
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")


def _lists(run_cli: RunCli, db: str) -> list[str]:
    shown = json.loads(run_cli("lists", "--json", db=db, ok=True).stdout)
    rows = shown if isinstance(shown, list) else shown.get("lists", [])
    return [row["slug"] for row in rows]


def test_a_nul_in_the_config_files_actor_is_refused_before_any_write(
    tmp_path: Path, run_cli: RunCli, initialised: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('actor = "kim\\u0000compliance"\n', encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setenv("EXPORTCTL_CONFIG", str(config))
        result = run_cli("lists", "create", "kr-test", "--name", "Test", db=initialised)
    assert result.exit_code == 2, result.output
    assert "NUL" in result.stderr and str(config) in result.stderr and _one_line(result.stderr)
    assert "kr-test" not in _lists(run_cli, initialised)


SETTINGS = {
    "database": "sqlite:///elsewhere.db",
    "actor": "kim.compliance",
    "timezone": "Asia/Seoul",
    "lang": "ko",
    "default_list": "kr-test",
    "audit_key_file": "audit.key",
}


@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_a_nul_in_any_config_setting_is_refused_before_any_write(
    tmp_path: Path, run_cli: RunCli, initialised: str, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """Every key of the config file, for every kind of command, on SQLite and PostgreSQL
    (the environment and the command line cannot carry a NUL into a real process)."""
    value = SETTINGS[key]
    config = tmp_path / "config.toml"
    config.write_text(f'{key} = "{value[:3]}\\u0000{value[3:]}"\n', encoding="utf-8")
    products = tmp_path / "products.csv"
    products.write_text("SKU,제품명,HS코드\nA-1,노트북,8471.30\n", encoding="utf-8")
    commands = (
        ("lists", "create", "kr-test", "--name", "Test"),
        ("import", products, "--list", "kr-test", "--version", "v1", "--create-list"),
        ("screen", products, "--list", "kr-test"),
        ("audit", "verify"),
        ("config",),
    )
    with monkeypatch.context() as patch:
        patch.setenv("EXPORTCTL_CONFIG", str(config))
        for args in commands:
            result = run_cli(*args, db=initialised)
            assert result.exit_code == 2, (args, result.output)
            assert f'"{key}" holds a NUL character' in result.stderr, (args, result.stderr)
            assert _one_line(result.stderr), (args, result.stderr)
    assert "kr-test" not in _lists(run_cli, initialised)


@pytest.mark.parametrize(
    "args",
    [
        ("lists", "create", "kr-test", "--name", "Te\x00st"),
        ("lists", "create", "kr\x00test", "--name", "Test"),
        ("lists", "create", "kr-test", "--name", "Test", "--reason", "why\x00not"),
    ],
)
def test_a_nul_in_an_argument_is_refused_before_any_write(
    run_cli: RunCli, initialised: str, args: tuple[str, ...]
) -> None:
    result = run_cli(*args, db=initialised)
    assert result.exit_code == 2, result.output
    assert "NUL character" in result.stderr and _one_line(result.stderr)
    assert "kr-test" not in _lists(run_cli, initialised)


def test_a_nul_in_exportctl_actor_is_refused() -> None:
    with pytest.raises(ConfigError, match="EXPORTCTL_ACTOR"):
        current_actor({"EXPORTCTL_ACTOR": "kim\x00"})
    assert current_actor({"EXPORTCTL_ACTOR": "kim"}) == "kim"


def test_a_nul_postgresql_refuses_is_one_sentence_not_a_bug() -> None:
    refused = DataError(
        "INSERT ...", {}, Exception("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    )
    sentence = _database_error_sentence(refused)
    assert sentence is not None and "NUL" in sentence


def test_the_refusals_are_said_in_korean(tmp_path: Path, run_cli: RunCli) -> None:
    from english import english_sentences

    fake = tmp_path / "x.db"
    fake.write_bytes(PNG)
    for args in (("--db", str(fake), "lists"), ("lists", "create", "a\x00b", "--name", "x")):
        result = run_cli("--lang", "ko", *args)
        assert result.exit_code == 2 and _one_line(result.stderr), result.output
        assert english_sentences(result.stderr) == [], result.stderr


def test_a_refused_korean_command_leaves_the_language_as_it_found_it() -> None:
    """Click keeps a context's resources open when parsing fails; the language must not
    outlive the command (the next one in the process would speak Korean)."""
    from click.testing import CliRunner

    from exportctl.cli import cli
    from exportctl.i18n import active

    result = CliRunner().invoke(cli, ["--lang", "ko", "lists", "create", "a\x00b", "--name", "x"])
    assert result.exit_code == 2 and "U+0000" in result.output
    assert active() == "en"
