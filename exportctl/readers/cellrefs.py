"""Cell references as spreadsheets write them (``XFD5``): columns as letters and
numbers, and the patterns that find a reference past a given one.

One home for A1 arithmetic: the pre-scan (:mod:`exportctl.readers.prescan`) and the
workbook readers (:mod:`exportctl.readers.xlsx`) both count columns here.
"""

from __future__ import annotations

import re

from exportctl.readers.xmlparse import whole_number

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""The letters of a column name."""
DIGITS = "0123456789"
"""The digits of a row number."""
_TEXT_REF = re.compile(r"([A-Za-z]*)(\d+)", re.ASCII)


def column_number(letters: str) -> int:
    """``"A"`` -> 1, ``"XFD"`` -> 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def column_name(number: int) -> str:
    """1 -> ``"A"``, 16384 -> ``"XFD"``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def greater(value: str, alphabet: str) -> str:
    """A regex for strings over ``alphabet`` that exceed ``value``.

    Row numbers and column letters compare as their length, then as text: a
    longer string, or one of the same length that is greater at its first
    difference. Nested, so a reference fails on its first characters:
    ``greater("L", UPPER)`` is ``(?:[A-Z]{2,}|[M-Z])``.
    """
    first, last = alphabet[0], alphabet[-1]
    every = f"[{first}-{last}]"
    return f"(?:{every}{{{len(value) + 1},}}|{_same_length_greater(value, alphabet)})"


def _same_length_greater(value: str, alphabet: str) -> str:
    first, last = alphabet[0], alphabet[-1]
    if not value:
        return "(?!)"
    head, rest = value[0], value[1:]
    position = alphabet.index(head)
    branches = []
    if position + 1 < len(alphabet):
        tail = f"[{first}-{last}]{{{len(rest)}}}" if rest else ""
        branches.append(f"[{alphabet[position + 1]}-{last}]{tail}")
    if rest:
        branches.append(f"{re.escape(head)}{_same_length_greater(rest, alphabet)}")
    return "(?:" + "|".join(branches) + ")" if branches else "(?!)"


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"XFD5"`` -> ``(5, 16384)``; ``"5"`` -> ``(5, 0)``; ``None`` for what no reader
    takes for a reference (python-calamine refuses the file, openpyxl too)."""
    match = _TEXT_REF.fullmatch(ref)
    if match is None:
        return None
    letters = match.group(1)
    column = column_number(letters) if len(letters) <= 6 else 10**9
    return whole_number(match.group(2)) or 0, column
