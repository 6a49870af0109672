"""What every command prints the same way: errors, warnings and notes with their
prefix in the active language, counts, JSON, and a one-line progress bar.

The CLI alone talks to the terminal; this is the part of it the commands share.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from exportctl.i18n import _, ngettext

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "F",
    "ProgressLine",
    "counted",
    "echo_error",
    "echo_json",
    "echo_note",
    "echo_warning",
    "errors_and_warnings",
    "json_option",
]


def counted(number: int, noun: str) -> str:
    """``1 error``, ``3 errors``, ``1,159 items`` (English only: a noun made plural by
    ``s``; messages a person reads use :func:`errors_and_warnings` or ``ngettext``)."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def errors_and_warnings(errors: int, warnings: int) -> str:
    """``0 errors, 3 warnings`` in the active language."""
    return (
        ngettext("{n:,} error", "{n:,} errors", errors).format(n=errors)
        + ", "
        + ngettext("{n:,} warning", "{n:,} warnings", warnings).format(n=warnings)
    )


def echo_error(message: str) -> None:
    """``Error: message`` on stderr, the prefix in the active language.

    A report's temporary file (``.NAME.exportctl-…part``) is named as the file asked
    for, whatever layer let it into the message.
    """
    if ".part" in message:  # (the check keeps the import off every other error)
        from exportctl.reports.files import name_targets

        message = name_targets(message)
    click.echo(_("Error: {message}").format(message=message), err=True)


def echo_warning(message: str) -> None:
    """``warning: message`` on stderr, the prefix in the active language."""
    click.echo(_("warning: {message}").format(message=message), err=True)


def echo_note(message: str, *, err: bool = True) -> None:
    """``note: message``, the prefix in the active language."""
    click.echo(_("note: {message}").format(message=message), err=err)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class ProgressLine:
    """A one-line progress bar on stderr: rows done of the total, rate and time left."""

    WIDTH = 24
    """Characters of the bar itself."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total: int | None = None
        self.done = 0
        self.started = time.monotonic()
        self.drawn = False

    def set_total(self, total: int) -> None:
        """The rows expected (an estimate is fine: the bar never passes 100 %)."""
        self.total = total

    def __call__(self, done: int) -> None:
        self.done = done
        elapsed = time.monotonic() - self.started
        if self.total:
            share = min(done / self.total, 1.0)
            filled = round(share * self.WIDTH)
            bar = "█" * filled + "·" * (self.WIDTH - filled)
            left = elapsed / share - elapsed if share > 0.01 else None
            eta = (
                ", " + _("{duration} left").format(duration=_duration(left))
                if left is not None
                else ""
            )
            rows = _("{done:,}/{total:,} rows").format(done=done, total=self.total)
            text = f"{self.label} {bar} {share:4.0%} {rows}{eta}"
        else:
            rows = _("{done:,} rows").format(done=done)
            text = f"{self.label}: {rows}, {_duration(elapsed)}"
        click.echo(f"\r{text:<78}", err=True, nl=False)
        self.drawn = True

    def close(self) -> None:
        """End the line so later output starts on a fresh one."""
        if self.drawn:
            click.echo("\r" + " " * 78 + "\r", err=True, nl=False)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else _("{n} s").format(n=seconds)
