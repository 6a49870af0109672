"""The ``exportctl`` command line: a thin shell over :mod:`exportctl.api`.

Each command module registers its commands on the group in :mod:`exportctl.cli.base`.
"""

from __future__ import annotations

from exportctl.cli import (
    browse,
    changes,
    compare,
    convert,
    demo,
    imports,
    lifecycle,
    lookups,
    screen,
    setup,
    web,
)
from exportctl.cli.base import BUG_EXIT_CODE, cli

__all__ = [
    "BUG_EXIT_CODE",
    "cli",
    "browse",
    "changes",
    "compare",
    "convert",
    "demo",
    "imports",
    "lifecycle",
    "lookups",
    "screen",
    "setup",
    "web",
]
