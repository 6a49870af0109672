"""Every command that takes a file opens it through the same checks.

The commands are found in the Click tree, not listed by hand: a parameter of type
``click.Path`` or ``click.File``, or a text parameter named like a file
(``…file``, ``…path``, ``…table``, ``…url``...), names a file. Each such
parameter is given a FIFO nobody writes to, ``/dev/zero`` (through a symbolic
link named like a data file, so that no check of the name stops it first), a
zip bomb, and a sparse file that declares nearly 2 GiB; the database (``--db``)
and the config file (``EXPORTCTL_CONFIG``) get the same. Each run is a process of its
own, capped at 2 GB of address space and 20 seconds, so a regression fails
here instead of hanging or eating the machine, and must end with exit 2 and one
sentence naming the file, the database unchanged.

A new command with a file parameter fails
:func:`test_every_file_parameter_is_fed_hostile_files` until :data:`INVOCATIONS`
says how to call it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cli_process
import click
import pytest
from builders import simple_rows, write_list_workbook
from test_hostile_files import database_state, zip_bomb

from exportctl.cli import cli
from exportctl.limits import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 2 * 1024**3
"""Address space of each run: far below what any of the files would cost if read."""
SECONDS = 20.0
"""A refusal takes a second; the slow machines of CI get a wide margin."""
ZERO = Path("/dev/zero")

_FILE_WORDS = re.compile(r"(?:^|_)(?:file|path|table|catalogue|target|output|dir|folder|url)$")
"""Names of text parameters that hold a file (``profile_file``, ``out_dir``, ``db_url``)."""


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield prefix, group
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def _spelling(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def file_parameters() -> list[str]:
    """``"convert --table"``, ``"import FILE"``, ``" --db"``...: every parameter naming a file."""
    found = []
    for path, command in _commands(cli):
        for param in command.params:
            typed = isinstance(param.type, click.Path | click.File)
            named = param.type is click.STRING and _FILE_WORDS.search(param.name or "")
            if typed or named:
                found.append(f"{' '.join(path)} {_spelling(param)}")
    return sorted(found)


INVOCATIONS: dict[str, tuple[str, ...]] = {
    " --db": ("--db", "{file}", "versions", "--list", "x"),
    "import FILE": ("import", "{file}", "--list", "x", "--version", "v2"),
    "validate FILE": ("validate", "{file}", "--list", "x"),
    "screen CATALOGUE": ("screen", "{file}", "--list", "x"),
    "convert --table": ("convert", "base", "--list", "x", "--to", "HS2017", "--table", "{file}"),
    "lists create --profile-file": (
        "lists",
        "create",
        "y",
        "--name",
        "Y",
        "--profile-file",
        "{file}",
    ),
    "lists set-profile --profile-file": ("lists", "set-profile", "x", "--profile-file", "{file}"),
    "diff --output": ("diff", "base", "base", "--list", "x", "-o", "{file}"),
    "compare --output": ("compare", "x", "x", "-o", "{file}"),
    "export --output": ("export", "base", "--list", "x", "-o", "{file}"),
    "screen --output": ("screen", "{catalogue}", "--list", "x", "-o", "{file}"),
    "db backup FILE": ("db", "backup", "{file}"),
    "demo --out": ("demo", "--out", "{file}"),
}
"""How each file parameter is called: ``{file}`` is the hostile file, ``{catalogue}`` a
real one (for a parameter that needs another file to get as far as its own)."""

WRITTEN: dict[str, str] = {
    "diff --output": "a report is written there",
    "compare --output": "a report is written there",
    "export --output": "an export is written there",
    "screen --output": "a report is written there",
    "db backup FILE": "the backup is written there",
    "demo --out": "a folder the demo writes into",
}
"""Parameters naming a file written, not read: fed only the FIFO and the device (a bomb
or a large regular file is a file like any other to write over, with --force)."""

INIT_ONLY: dict[str, str] = {}
"""Exceptions: file parameters not fed hostile files at all, with the reason (none)."""


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    says: str
    """What the refusal of a file read must say (beyond naming the file)."""
    written: tuple[str, ...] = ()
    """What the refusal of a file to write may say (one of them): what it is."""


CASES = (
    Case("FIFO", "fifo.csv", "named pipe (FIFO)", ("named pipe (FIFO)", "not a regular file")),
    Case("/dev/zero", "zero.csv", "character device", ("character device", "symbolic link")),
    Case("zip bomb", "bomb.xlsx", ""),
    Case("sparse 2 GiB", "huge.json", ""),
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile files, made once: a FIFO, a link to /dev/zero, a bomb, a sparse file."""
    folder = tmp_path_factory.mktemp("hostile")
    os.mkfifo(folder / "fifo.csv")
    (folder / "zero.csv").symlink_to(ZERO)
    zip_bomb(folder / "bomb.xlsx")
    with (folder / "huge.json").open("wb") as sparse:
        sparse.truncate(DEFAULTS.max_file_bytes - 1024)
    return folder


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str
    seconds: float


def run(*args: str, home: Path, env: dict[str, str] | None = None, stdin: int | None = None) -> Ran:
    """``python -m exportctl ARGS`` with this checkout's code, 2 GB, 20 s, its own folders, in
    a process forked for it (:mod:`cli_process`)."""
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "EXPORTCTL_CONFIG": str(home / "config.toml"),
        "EXPORTCTL_PROFILES": str(home / "profiles"),
        "EXPORTCTL_ACTOR": "tester",
        "LANG": "C.UTF-8",
        **(env or {}),
    }
    for name in ("EXPORTCTL_DATABASE_URL", "EXPORTCTL_LIST", "LC_ALL", "LC_MESSAGES"):
        environ.pop(name, None)
    done = cli_process.run(
        ["--db", str(home / "exportctl.db"), *args],
        env=environ,
        stdin=stdin,
        memory=MEMORY_LIMIT,
        timeout=SECONDS,
    )
    return Ran(done.returncode, done.stdout, done.stderr, done.seconds)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an empty config file and a database holding list x, version base."""
    folder = tmp_path_factory.mktemp("home")
    (folder / "config.toml").write_text("", encoding="utf-8")
    rows = simple_rows(["8471.30", "8471.41"])
    base = write_list_workbook(folder / "base.xlsx", rows)
    write_list_workbook(folder / "catalogue.xlsx", rows)
    for args in (
        ("init",),
        ("import", str(base), "--list", "x", "--version", "base", "--create-list", "--approve")
        + ("--effective", "2024-01-01"),
    ):
        done = run(*args, home=folder)
        assert done.code == 0, done.err
    return folder


def _one_sentence(ran: Ran, file: Path, *, usage_allowed: bool) -> str:
    """The error line, after checking the run ended as a refusal should."""
    lines = [line for line in ran.err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert ran.code == 2, (ran.code, ran.err[-2000:])
    assert "Traceback" not in ran.err and "bug in exportctl" not in ran.err, ran.err[-2000:]
    assert len(errors) == 1, lines
    if not usage_allowed:
        assert lines == errors, lines
    # --db is made an absolute, resolved path (the URL reports record): the link's
    # target may be what is named.
    assert file.name in errors[0] or os.path.realpath(file) in errors[0], errors[0]
    assert ".part" not in ran.err
    assert ran.seconds < SECONDS
    return errors[0]


def test_every_file_parameter_is_fed_hostile_files() -> None:
    found = set(file_parameters()) - set(INIT_ONLY)
    assert found == set(INVOCATIONS), (
        "say in INVOCATIONS how to call each command that takes a file (or in INIT_ONLY "
        f"why it is left out): {sorted(found ^ set(INVOCATIONS))}"
    )
    assert set(WRITTEN) <= set(INVOCATIONS)


def _feeds() -> list[tuple[str, Case]]:
    return [
        (key, case)
        for key in sorted(INVOCATIONS)
        for case in CASES
        if key not in WRITTEN or case.name in ("FIFO", "/dev/zero")
    ]


@pytest.mark.parametrize(("key", "case"), _feeds(), ids=lambda v: getattr(v, "name", v))
def test_a_hostile_file_is_refused_in_one_sentence(
    hostile: Path, home: Path, key: str, case: Case
) -> None:
    file = hostile / case.file
    args = [arg.format(file=file, catalogue=home / "catalogue.xlsx") for arg in INVOCATIONS[key]]
    before = database_state(home / "exportctl.db")
    ran = run(*args, home=home)
    written = key in WRITTEN
    said = _one_sentence(ran, file, usage_allowed=written)
    if written:
        assert any(words in said for words in case.written), said
    else:
        assert case.says in said, said
    assert ran.out == ""
    assert database_state(home / "exportctl.db") == before
    assert not (home / "profiles" / "fifo.toml").exists()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_config_file_is_opened_as_every_input(hostile: Path, home: Path, case: Case) -> None:
    file = hostile / case.file
    ran = run("versions", "--list", "x", home=home, env={"EXPORTCTL_CONFIG": str(file)})
    said = _one_sentence(ran, file, usage_allowed=False)
    assert "config file" in said and "does not exist" not in said
    assert case.says in said, said


def test_init_refuses_a_database_that_is_a_fifo_or_a_device(hostile: Path, home: Path) -> None:
    for name in ("fifo.csv", "zero.csv"):
        ran = run("--db", str(hostile / name), "init", home=home)
        said = _one_sentence(ran, hostile / name, usage_allowed=False)
        assert "not a database file" in said
    assert not list(hostile.glob("*-wal")) and not Path(f"{ZERO}-wal").exists()


def test_check_reads_standard_input_within_its_caps(home: Path) -> None:
    with ZERO.open("rb") as zeros:
        ran = run("check", "-", "--list", "x", home=home, stdin=zeros.fileno())
    assert ran.code == 2, ran.err
    assert ran.err.startswith("Error: standard input: has a line (line 1) of at least ")
    assert "(max_line_bytes)" in ran.err and ran.err.count("\n") == 1
    codes = home / "codes.txt"
    codes.write_text("8471.30\n" * 2000 + "# a comment\n", encoding="utf-8")
    with codes.open("rb") as piped:
        ran = run(
            "--limit",
            "max_stdin_bytes=10000",
            "check",
            "-",
            "--list",
            "x",
            home=home,
            stdin=piped.fileno(),
        )
    assert ran.code == 2
    assert "standard input: holds at least 10,00" in ran.err and "(max_stdin_bytes)" in ran.err
    with codes.open("rb") as piped:
        ran = run("check", "-", "--list", "x", "--json", home=home, stdin=piped.fileno())
    assert ran.code == 0, ran.err
