"""Messages a person can act on: they name the person's own files, never a temporary
one; a command that only reads creates nothing; conflicting options are refused."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import RunCli

READ_ONLY = (
    ("versions", "--list", "x"),
    ("show", "--list", "x"),
    ("diff", "a", "b", "--list", "x"),
    ("check", "8471.30", "--list", "x"),
    ("compare", "x", "y"),
    ("lists",),
    ("audit",),
    ("audit", "verify"),
    ("audit", "head"),
    ("export", "a", "--list", "x", "-o", "{out}"),
    ("db", "backup", "{out}"),
)
"""Commands that only read the database (backup and export write a file, not to it)."""


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_command_that_reads_refuses_a_missing_database_and_creates_nothing(
    run_cli: RunCli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "no" / "such" / "exportctl.db"
    args = [arg.format(out=tmp_path / "out.csv") for arg in command]
    done = run_cli(*args, db=str(missing))
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"Error: no such database {missing}; run `exportctl init` to create it, or give --db "
        "the exportctl database\n"
    )
    assert not (tmp_path / "no").exists()
    assert not (tmp_path / "out.csv").exists()


def test_a_command_that_writes_refuses_a_missing_database_too(
    run_cli: RunCli, tmp_path: Path
) -> None:
    book = write_list_workbook(tmp_path / "list.xlsx", simple_rows(["8471.30"]))
    missing = tmp_path / "no" / "exportctl.db"
    done = run_cli("import", book, "--list", "x", "--version", "v1", db=str(missing))
    assert done.exit_code == 2 and "no such database" in done.stderr
    assert not (tmp_path / "no").exists()
    # init creates it, folder and all.
    run_cli("init", db=str(missing), ok=True)
    assert missing.is_file()


def test_json_and_csv_together_are_a_usage_error(run_cli: RunCli, initialised: str) -> None:
    done = run_cli("show", "--list", "x", "--json", "--csv", db=initialised)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == "Error: Give --json or --csv, not both."


def test_a_folder_that_refuses_the_report_is_named_never_the_temporary_file(
    run_cli: RunCli, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    book = write_list_workbook(tmp_path / "list.xlsx", simple_rows(["8471.30", "8471.41"]))
    run_cli(
        "import", book, "--list", "x", "--version", "v1", "--create-list", "--approve",
        "--effective", "2024-01-01", db=sqlite_url, ok=True,
    )  # fmt: skip
    made = tempfile.mkstemp

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        # What a read-only folder says: the name tried is the temporary one.
        name = Path(str(kwargs["dir"])) / f"{kwargs['prefix']}x1y2{kwargs['suffix']}"
        raise PermissionError(errno.EACCES, "Permission denied", str(name))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    for command in (
        ("export", "v1", "--list", "x", "-o", str(tmp_path / "list.csv")),
        ("diff", "v1", "v1", "--list", "x", "-o", str(tmp_path / "changes.xlsx")),
        ("screen", str(book), "--list", "x", "-o", str(tmp_path / "screening.pdf")),
    ):
        done = run_cli(*command, db=sqlite_url)
        assert done.exit_code == 2, done.output
        assert ".part" not in done.stderr and "exportctl-" not in done.stderr
        assert done.stderr == f"Error: {command[-1]}: permission denied\n"
    monkeypatch.setattr(tempfile, "mkstemp", made)
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*"))


def test_a_temporary_name_in_any_message_is_said_as_its_target() -> None:
    from exportctl.reports.files import name_targets

    said = "cannot write '/out/.my list.csv.exportctl-0a1b2c3d-4242-k_9z.part': disk full"
    assert name_targets(said) == "cannot write '/out/my list.csv': disk full"
    assert name_targets("notes.part and x.y .a.csv") == "notes.part and x.y .a.csv"


def test_a_config_folder_under_a_file_means_no_config_file(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a config file that is there and is not a regular file is refused: a path
    that cannot exist (its folder is a file) is no config file, as before."""
    (tmp_path / "plain").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "plain"))
    assert run_cli("config").exit_code == 0
    (tmp_path / "folder" / "exportctl").mkdir(parents=True)
    (tmp_path / "folder" / "exportctl" / "config.toml").mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "folder"))
    done = run_cli("config")
    assert done.exit_code == 2
    assert done.stderr.startswith(
        "Error: config file "
    ) and "is a directory, not a regular file" in (done.stderr)
