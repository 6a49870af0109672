"""Every command documents itself with an example; --help and -h work."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from exportctl.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_command_has_help_with_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output


def test_version_and_top_level_help() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output.startswith("exportctl, version ")
    assert "Example:" in runner.invoke(cli, ["--help"]).output


def test_library_modules_import_without_touching_disk_or_database() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import exportctl, exportctl.hscode, exportctl.api, exportctl.diff;"
        "assert 'exportctl.cli' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_does_not_import_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from exportctl.cli import cli;"
        "CliRunner().invoke(cli, ['--help']);"
        "heavy = [m for m in ('pandas', 'openpyxl', 'reportlab', 'sqlalchemy', 'xlsxwriter')"
        " if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_limit_help_names_every_cap() -> None:
    from exportctl.limits import NAMES

    help_text = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
    missing = [name for name in NAMES if name not in help_text]
    assert not missing, f"--limit help does not name {missing}"
