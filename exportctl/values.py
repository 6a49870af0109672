"""Checks on values before they reach the database: text, counts and encodings.

A value the database cannot hold (a NUL character on PostgreSQL, an integer past
64 bits, a label longer than its column) is refused here with one sentence naming
the option, instead of failing deep inside a transaction.

Example:
    >>> check_text("2024-06", "--version")
    '2024-06'
    >>> check_count(99999999999999999999, "--declared-total")
    Traceback (most recent call last):
    ...
    exportctl.errors.InputError: --declared-total 99999999999999999999 is not a count ...
"""

from __future__ import annotations

import codecs
import re

from exportctl.errors import InputError
from exportctl.i18n import _

__all__ = ["MAX_COUNT", "check_count", "check_encoding", "check_text"]

MAX_COUNT = 100_000_000
"""The largest count a notice can declare: far above any real list, far below the
database's integer range."""
LABEL_LENGTH = 100
"""Longest label, slug or sheet name (the width of those columns)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(value: str, what: str, *, max_length: int = LABEL_LENGTH) -> str:
    """``value`` if it is text the database can hold in a column of ``max_length``.

    Raises:
        InputError: It is empty, too long, or holds a NUL or another control character.
    """
    if not value.strip():
        raise InputError(_("{what} is empty").format(what=what))
    found = _CONTROL.search(value)
    if found:
        raise InputError(
            _("{what} holds the control character U+{code}; type it again").format(
                what=what, code=f"{ord(found.group()):04X}"
            )
        )
    if len(value) > max_length:
        raise InputError(
            _("{what} is {length:,} characters long; at most {most} fit").format(
                what=what, length=len(value), most=max_length
            )
        )
    return value


def check_count(value: int, what: str) -> int:
    """``value`` if it is a count between 0 and :data:`MAX_COUNT`.

    Raises:
        InputError: It is negative or beyond :data:`MAX_COUNT`.
    """
    if not 0 <= value <= MAX_COUNT:
        raise InputError(
            _("{what} {value} is not a count between 0 and {most:,}").format(
                what=what, value=value, most=MAX_COUNT
            )
        )
    return value


def check_encoding(name: str) -> str:
    """``name`` if it is a text encoding Python knows (``cp949``, ``utf-8``…).

    Codecs that turn text into text (``rot13``) or bytes into bytes (``base64``,
    ``zlib``) are refused: they are not the encoding of a file.

    Raises:
        InputError: An unknown name, or a codec that is not a text encoding.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(
            _('"{name}" is not a known text encoding (e.g. utf-8, cp949)').format(name=name)
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(_('"{name}" is not a text encoding (e.g. utf-8, cp949)').format(name=name))
    return name
