"""Serial numbers as legal annex tables print them: ``12``, ``3의2``, and one part's checks."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Literal

from exportctl.i18n import _, ngettext

_SERIAL_RE = re.compile(r"(\d{1,7})((?:\s*의\s*\d{1,3})*)", re.ASCII)
# A serial in legal item style: 제3호, 제3호의2.
_LEGAL_SERIAL_RE = re.compile(r"제\s*(\d{1,7})\s*호((?:\s*의\s*\d{1,3})*)")
# A whole number as Excel hands it back in text: 12.0, 12.00.
_FLOAT_SERIAL_RE = re.compile(r"(\d{1,7})\.0+", re.ASCII)
# The numbers of a branch part: "의2의3" -> 2, 3.
_BRANCH_RE = re.compile(r"\d+", re.ASCII)


def _fold(text: str) -> str:
    """NFKC-fold (full-width digits and letters) and strip."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True, slots=True)
class Serial:
    """One entry's serial number (연번), with legal branch numbers.

    Attributes:
        text: The serial as people write it, normalised: ``"12"``, ``"3의2"``.
        number: The main number: ``3`` for ``3의2``.
        branches: Branch numbers, each 2 or more: ``(2,)`` for ``3의2``, ``()`` for ``3``.

    Example:
        >>> sorted([Serial.of(4), Serial.of(3, 2)], key=lambda s: s.key)[0].text
        '3의2'
    """

    text: str
    number: int
    branches: tuple[int, ...] = ()

    @classmethod
    def of(cls, number: int, *branches: int) -> Serial:
        """Build a serial from its numbers: ``Serial.of(3, 2)`` is ``3의2``."""
        return cls(f"{number}" + "".join(f"의{b}" for b in branches), number, tuple(branches))

    @property
    def key(self) -> tuple[int, tuple[int, ...]]:
        """A key that sorts naturally: 3 < 3의2 < 3의3 < 4 < 10."""
        return self.number, self.branches

    @property
    def parent(self) -> Serial | None:
        """The serial a branch hangs from: ``3`` for ``3의2``; ``None`` for ``3``."""
        return Serial.of(self.number, *self.branches[:-1]) if self.branches else None


def parse_serial(text: str | None) -> Serial | str | None:
    """Read a serial number cell: ``None`` if blank, a :class:`Serial`, or the text back.

    Serials, after NFKC folding and trimming: ``12``, ``012``, ``12.``, ``12)``, ``(12)``,
    ``3의2``, ``3 의 2``, ``3의2.``, ``３의２``, ``3의2의2``, the legal item style ``제3호``
    and ``제3호의2``, and Excel's float text ``12.0``. Main numbers run from 1 with at most
    seven digits (lists of a million entries are numbered too); branches start at 2, as
    in Korean legislation (there is no ``3의1``). Not serials, returned unchanged: labels
    (``a.``, ``가.``), marks (``※``), ``12-1`` (a legal branch is written with ``의``; a
    hyphen may be a range or a code), ``12.5``, ``0``, ``3의1``, and eight or more digits
    (dates, ten-digit codes).

    Example:
        >>> parse_serial(" (12) ").text, parse_serial("３ 의 ２").text, parse_serial("12.0").text
        ('12', '3의2', '12')
        >>> parse_serial("제3호의2")
        Serial(text='3의2', number=3, branches=(2,))
        >>> parse_serial("12-1"), parse_serial("a."), parse_serial("  ")
        ('12-1', 'a.', None)
    """
    if text is None or not text.strip():
        return None
    s = _fold(text)
    m = _FLOAT_SERIAL_RE.fullmatch(s)
    if m is not None:
        return _serial(m.group(1), "") or text
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    elif s.endswith((".", ")")):
        s = s[:-1].rstrip()
    m = _SERIAL_RE.fullmatch(s) or _LEGAL_SERIAL_RE.fullmatch(s)
    return (_serial(m.group(1), m.group(2)) if m else None) or text


def _serial(number: str, branch_text: str) -> Serial | None:
    main = int(number)
    branches = tuple(int(b) for b in _BRANCH_RE.findall(branch_text))
    if main < 1 or any(b < 2 for b in branches):
        return None
    return Serial.of(main, *branches)


def serial_sort_key(text: str | None) -> tuple[int, int, tuple[int, ...]]:
    """A sort key for stored serial texts: serials naturally, then non-serials, then blanks.

    Non-serials (and blanks) all share one key, so a stable sort keeps their order.

    Example:
        >>> sorted(["10", None, "3의2", "※", "3", "a."], key=serial_sort_key)
        ['3', '3의2', '10', '※', 'a.', None]
    """
    if text is not None and 0 < len(text) <= 7 and text.isascii() and text.isdigit():
        # What parse_serial makes of plain digits, without its folding and patterns
        # (a diff sorts its changes by this key).
        number = int(text)
        return (0, number, ()) if number else (1, 0, ())
    parsed = parse_serial(text)
    if isinstance(parsed, Serial):
        return 0, parsed.number, parsed.branches
    return (1 if parsed is not None else 2), 0, ()


SerialRule = Literal["missing-serial", "orphan-branch", "branch-gap", "duplicate-serial"]


@dataclass(frozen=True, slots=True)
class SerialFinding:
    """Something wrong with a part's serial numbers.

    Attributes:
        rule: ``missing-serial``, ``orphan-branch`` (``3의2`` without ``3``),
            ``branch-gap`` (``3의3`` without ``3의2``) or ``duplicate-serial``.
        message: One plain sentence: ``"serial numbers 1–1,402 skip 17, 18"``.
        serial: The serial concerned (the first skipped one for ``missing-serial``).
    """

    rule: SerialRule
    message: str
    serial: str | None = None


_MAX_LISTED = 10  # a missing-serial message names this many gaps, then counts the rest


def serial_findings(
    serials: Sequence[Serial], plain: AbstractSet[int] = frozenset()
) -> list[SerialFinding]:
    """Check one part's serials (in sheet order): gaps, orphan branches, branch gaps, duplicates.

    Call it once per part: each part numbers its entries from 1. Main numbers are checked
    from the lowest to the highest present, in one finding; a number that only has
    branches (``3의2`` without ``3``) is an orphan branch, reported once, not also a gap,
    and a branch is never a gap. The other findings follow in the serials' order. Time is
    linear in the serials plus the span of main numbers.

    ``plain`` adds main numbers without branches, each once, as plain integers: a list
    of a million entries need not become a million :class:`Serial` objects.

    Example:
        >>> s = [Serial.of(n) for n in (1, 2, 5)] + [Serial.of(7, 2), Serial.of(7, 2)]
        >>> [f.message for f in serial_findings(s)]  # doctest: +NORMALIZE_WHITESPACE
        ['serial numbers 1–7 skip 3, 4, 6', 'serial 7의2 appears 2 times',
         'branch 7의2 has no entry 7']
    """
    findings: list[SerialFinding] = []
    counts = Counter(s.key for s in serials)
    numbers = {s.number for s in serials} | plain if serials else plain
    if numbers:
        low, high = min(numbers), max(numbers)
        missing = [n for n in range(low, high + 1) if n not in numbers]
        if missing:
            text = _("serial numbers {low:,}–{high:,} skip {missing}").format(
                low=low, high=high, missing=_runs(missing)
            )
            findings.append(SerialFinding("missing-serial", text, f"{missing[0]}"))
    seen: set[tuple[int, tuple[int, ...]]] = set()
    orphaned: set[tuple[int, tuple[int, ...]]] = set()
    for s in serials:
        if s.key in seen:
            continue
        seen.add(s.key)
        if counts[s.key] > 1:
            text = ngettext(
                "serial {serial} appears {count} time",
                "serial {serial} appears {count} times",
                counts[s.key],
            ).format(serial=s.text, count=counts[s.key])
            findings.append(SerialFinding("duplicate-serial", text, s.text))
        parent = s.parent
        if parent is None:
            continue
        known = parent.key in counts or (not parent.branches and parent.number in plain)
        if not known and parent.key not in orphaned:
            orphaned.add(parent.key)
            text = _("branch {branch} has no entry {parent}").format(
                branch=s.text, parent=parent.text
            )
            findings.append(SerialFinding("orphan-branch", text, s.text))
        if s.branches[-1] > 2:
            before = Serial.of(s.number, *s.branches[:-1], s.branches[-1] - 1)
            if before.key not in counts:
                text = _("branch {branch} comes without {before}").format(
                    branch=s.text, before=before.text
                )
                findings.append(SerialFinding("branch-gap", text, s.text))
    return findings


def _runs(missing: list[int]) -> str:
    """``[17, 18, 40, 41, 42]`` -> ``"17, 18, 40–42"``; long lists end "and N more"."""
    runs: list[str] = []
    start = prev = missing[0]
    for n in [*missing[1:], -1]:
        if n == prev + 1:
            prev = n
            continue
        if prev - start >= 2:
            runs.append(f"{start:,}–{prev:,}")
        else:
            runs.extend(f"{k:,}" for k in range(start, prev + 1))
        start = prev = n
    if len(runs) > _MAX_LISTED:
        return _("{listed} and {count} more").format(
            listed=", ".join(runs[:_MAX_LISTED]), count=len(runs) - _MAX_LISTED
        )
    return ", ".join(runs)
