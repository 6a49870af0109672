"""What an entry's text refers to: Annex 2 control numbers and HS codes named in passing."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from exportctl.annex.notice import _date
from exportctl.annex.serials import _fold
from exportctl.hscode import HSCode, normalise
from exportctl.i18n import _

# An Annex 2 / Wassenaar control number: digit, category letter A-E, three digits, then
# .tail parts (one or two lower-case letters, or up to three digits).
_BASE = r"[0-9][A-Ea-e][0-9]{3}"
_TAIL = r"\.(?:[a-z]{1,2}|[0-9]{1,3})"
# Where a number ends: the start of another glued to it (3A0013B001), or anything but
# a letter or digit, so a Korean particle after it (3A001에) ends it and the sentence
# period after 3A001.a.3. is not part of it.
_END = rf"(?={_BASE}|[^0-9A-Za-z]|$)"
# Where the first number of a run starts: not glued to letters or digits before it
# (13A001 and A3A001 name none).
_START = re.compile(rf"(?<![0-9A-Za-z])(?={_BASE})")

CONTROL_HINT = r"[0-9０-９][A-Ea-eＡ-Ｅａ-ｅ][0-9０-９]"
"""A digit, a category letter, a digit: a text without it names no control number
(also searched for over whole columns by the columnar list reader)."""
_CONTROL_HINT = re.compile(CONTROL_HINT)

RANGE_MAX = 100
"""Most entries one range may span; a longer one (3A001~999) is a typing error, not a
list, and would fill every record of a large file with a thousand numbers."""

# A word between numbers, between punctuation: commas, slashes, semicolons, brackets,
# the period ending a number, the middle dot, spaces and line breaks.
_TOKEN = re.compile(r"[^\s,/;、·()\[\]{}.]+")

ProblemKind = Literal["unreadable", "reversed-range", "long-range"]
ControlRule = Literal["unreadable-control-number", "reversed-control-range"]
"""The rule ids of :attr:`ControlNumberProblem.rule` (see :mod:`exportctl.rules`)."""


@dataclass(frozen=True, slots=True)
class ControlNumberProblem:
    """A part of a control-number cell that could not be read as numbers.

    Attributes:
        kind: ``unreadable`` (not a control number), ``reversed-range`` (``3C005~1``:
            the last entry before the first) or ``long-range`` (more than
            :data:`RANGE_MAX` entries).
        text: That part, as written (NFKC-folded).
    """

    kind: ProblemKind
    text: str

    @property
    def rule(self) -> ControlRule:
        """The rule id of the finding it makes in a control-number column."""
        if self.kind == "reversed-range":
            return "reversed-control-range"
        return "unreadable-control-number"

    def describe(self) -> str:
        """Why the part was not read, in one clause."""
        if self.kind == "reversed-range":
            return _('the range "{text}" runs backwards, so none of it was read').format(
                text=self.text
            )
        if self.kind == "long-range":
            return _(
                'the range "{text}" spans more than {count} entries, so none of it was read'
            ).format(text=self.text, count=RANGE_MAX)
        return _('"{text}" is not a control number (such as 3A001.a.3)').format(text=self.text)


@dataclass(frozen=True, slots=True)
class ControlNumberReading:
    """What a control-number cell or a text holds.

    Attributes:
        numbers: Every control number, in order, each once; a range (``3C001~5``)
            as each entry it spans.
        problems: The parts not read (a cell's only: in a text, anything but numbers
            is the text's words; a reversed or too long range, in either).
    """

    numbers: tuple[str, ...]
    problems: tuple[ControlNumberProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Words:
    item: re.Pattern[str]
    separators: frozenset[str]
    none: frozenset[str]


@functools.cache
def _words() -> _Words:
    """The separators, range marks and empty-cell words of ``data/control_numbers.toml``."""
    text = resources.files(__package__).joinpath("data", "control_numbers.toml")
    data = tomllib.loads(text.read_text(encoding="utf-8"))
    marks = "".join(re.escape(mark) for mark in data["ranges"]["marks"])
    # A range names its last entry in full (3C001-3C005) or by its last digits (3C001~5).
    item = re.compile(
        rf"(?P<base>{_BASE})"
        rf"(?:[ \t]*[{marks}][ \t]*(?P<end>{_BASE}|[0-9]{{1,3}}){_END}"
        rf"|(?P<tail>(?:{_TAIL})*){_END})"
    )
    return _Words(
        item=item,
        separators=frozenset(word.casefold() for word in data["separators"]["words"]),
        none=frozenset(word.casefold() for word in data["none"]["cells"]),
    )


def read_control_numbers(text: str | None, *, cell: bool = False) -> ControlNumberReading:
    """Read the Annex 2 control numbers of a control-number cell or of a text.

    The one reading of control numbers: a list's control-number column, an entry's and
    a sub-item's text, and a catalogue's classification column are all read here.
    A control number is a digit, a category letter A–E, three digits and optional
    ``.tail`` parts: ``3A001``, ``3A001.a.3``, ``2B350.g``, ``1C350.64``, ``5A002.a.1.a``;
    the category letter comes back upper case, the rest as printed. Read as well:
    numbers glued with no separator (``3A0013B001``: 3A001 and 3B001) and ranges of
    entries (``3C001~5``, ``3C001∼5``, ``3C001-3C005``, ``3C001 ~ 3C005``: 3C001 to
    3C005; a range of tails such as ``3A001.a.1~3`` is not read), also glued
    (``3B0013C001~5``). Separators (``,`` ``/`` ``;``, spaces, line breaks, ``및``,
    ``또는``...) and range marks are data (``data/control_numbers.toml``); full-width
    characters are folded (NFKC). Not control numbers: HS codes (``8471.30``), years,
    ``1A`` alone, US classifications such as ``EAR99``, numbers glued to other letters
    or digits (``13A001``, ``3A0012``).

    Args:
        text: The cell's or the text's content.
        cell: ``text`` is a control-number cell: anything in it that is neither a
            number nor a separator is a problem (in a text it is the text's words),
            and a cell holding only ``-`` or ``해당없음`` names none.

    Returns:
        The numbers and, for what was not read, the problems.

    Example:
        >>> read_control_numbers("3A0013B001, 3C001~3").numbers
        ('3A001', '3B001', '3C001', '3C002', '3C003')
        >>> read_control_numbers("3C005~1 및 3X001", cell=True).problems[1].describe()
        '"3X001" is not a control number (such as 3A001.a.3)'
    """
    if not text:
        return ControlNumberReading(())
    folded = _fold(text)
    words = _words()
    if cell and folded.casefold() in words.none:
        return ControlNumberReading(())
    if not _CONTROL_HINT.search(folded):
        if cell and folded:
            return ControlNumberReading((), tuple(_gap(folded, words)))
        return ControlNumberReading(())
    numbers: list[str] = []
    problems: list[ControlNumberProblem] = []
    pos = read_to = 0
    while (start := _START.search(folded, pos)) is not None:
        at = start.start()
        run = False
        while (m := words.item.match(folded, at)) is not None:
            if not run and cell:
                problems.extend(_gap(folded[read_to:at], words))
            run = True
            _expand(m, numbers, problems)
            at = read_to = m.end()
        pos = at if run else at + 1
    if cell:
        problems.extend(_gap(folded[read_to:], words))
    return ControlNumberReading(tuple(dict.fromkeys(numbers)), tuple(problems))


def control_numbers(text: str | None) -> tuple[str, ...]:
    """Every Annex 2 control number in a text, in order, each once.

    :func:`read_control_numbers` over a text: numbers, glued numbers and ranges are
    read as there; the rest of the text is its words.

    Example:
        >>> control_numbers("3a001.a.3. 또는 2B350.g에 해당하는 것(3A001에 의해 통제되지 않는 것)")
        ('3A001.a.3', '2B350.g', '3A001')
    """
    if not text or not _CONTROL_HINT.search(text):
        return ()
    return read_control_numbers(text).numbers


def _number(base: str) -> str:
    return base[0] + base[1].upper() + base[2:]


def _expand(m: re.Match[str], numbers: list[str], problems: list[ControlNumberProblem]) -> None:
    """Add the numbers one match names: a number with its tails, or a range's entries."""
    first = _number(m["base"])
    end = m["end"]
    if end is None:
        numbers.append(first + m["tail"])
        return
    last = _number(end) if len(end) == 5 else first[: 5 - len(end)] + end
    if last[:2] != first[:2]:
        problems.append(ControlNumberProblem("unreadable", m[0]))
        return
    low, high = int(first[2:]), int(last[2:])
    if high < low:
        problems.append(ControlNumberProblem("reversed-range", m[0]))
    elif high - low >= RANGE_MAX:
        problems.append(ControlNumberProblem("long-range", m[0]))
    else:
        numbers.extend(f"{first[:2]}{n:03d}" for n in range(low, high + 1))


def _gap(text: str, words: _Words) -> list[ControlNumberProblem]:
    """What a cell holds between its numbers, when it is more than separators: from its
    first word that is not a separator to its last."""
    kept = [m for m in _TOKEN.finditer(text) if m[0].casefold() not in words.separators]
    if not kept:
        return []
    return [ControlNumberProblem("unreadable", text[kept[0].start() : kept[-1].end()])]


# ------------------------------------------------------------------------ mentioned codes

# A code in legal style: 제84류 (chapter), 제8407호, 제8407.10호, 제8407.10-1000호.
_LEGAL_CODE_RE = re.compile(
    r"제\s*(\d{2})\s*류|제\s*(\d{4}(?:[.\-]\d{2}(?:[.\-](?:\d{2}|\d{4}))?)?)\s*호", re.ASCII
)
# A code after an HS prefix: HS 8407, HS코드 840710, HS code: 8471.30, HS 8407.10-1000.
_HS_CODE_RE = re.compile(
    r"(?<![A-Za-z])HS\s*(?:코드|code)?\s*(?:번호)?\s*[:]?\s*(\d{4}(?:[.\-]?\d{2}){0,3})(?![\d])",
    re.IGNORECASE,
)
# A dotted code: 8407.10, 8407.10.1000, 8407.10-1000, 8407.10.10; not part of a longer
# number (1,000.50 or 1.8407.10) and not followed by more digits.
_DOTTED_CODE_RE = re.compile(
    r"(?<![\d.,A-Za-z])(\d{4})\.(\d{2})(?:[.\-](\d{4}|\d{2}))?(?![.\-]?\d)", re.ASCII
)
# A unit right after a dotted number makes it a measurement (1500.00 mm, 2500.50 kg).
_UNIT_RE = re.compile(
    r"\s*(?:%|°|℃|µ|μ|(?:[kMGnm]?(?:m|g|W|V|Hz|Pa|s)|bar|rpm|cc|[lLK]|Ω)(?![A-Za-z])"
    r"|킬로|밀리|센티|미터|그램|와트|볼트|헤르츠|메가|기가|나노|마이크로)"
)


def mentioned_codes(text: str | None) -> tuple[str, ...]:
    """HS codes an entry's text names in passing, as digits, in order, each once.

    Read: ``8407.10``, ``8407.10.1000``, ``8407.10-1000``, ``(8407.10)``, ``제8407호``,
    ``제8407.10호``, ``(제8471호)``, the chapter ``제84류``, ``HS 8407``, ``HS코드 840710``;
    each kept only when :func:`exportctl.hscode.normalise` reads it as an HS code.
    Not read: bare numbers, even bracketed (``2024``, ``(2024)``, ``3,000cc``,
    ``10킬로그램``: years and quantities look the same); dates (``2024. 6. 28.``, and
    ``2024.06.28`` when a real date, over the look-alike 8-digit code); dotted numbers
    followed by a unit (``1500.00 mm``); ``84.07`` (a decimal); control numbers; serials.

    Example:
        >>> mentioned_codes("왕복 피스톤 내연기관(8407.10) 및 부분품(제8409호), HS 8407.10")
        ('840710', '8409')
        >>> mentioned_codes("2024. 6. 28. 고시, 배기량 3,000cc 초과, 10킬로그램 이하")
        ()
    """
    if not text:
        return ()
    s = _fold(text)
    found: list[tuple[int, str]] = []
    for m in _LEGAL_CODE_RE.finditer(s):
        found.append((m.start(), m.group(1) or m.group(2)))
    for m in _HS_CODE_RE.finditer(s):
        found.append((m.start(1), m.group(1)))
    for m in _DOTTED_CODE_RE.finditer(s):
        if not _is_date(m) and _UNIT_RE.match(s, m.end()) is None:
            found.append((m.start(), m.group(0)))
    found.sort(key=lambda pair: pair[0])
    codes = (normalise(raw) for _, raw in found)
    return tuple(dict.fromkeys(c.digits for c in codes if isinstance(c, HSCode)))


def _is_date(m: re.Match[str]) -> bool:
    """Whether a dotted ``YYYY.MM.DD`` match reads as a real date (19xx or 20xx)."""
    year, day = m.group(1), m.group(3)
    return (
        day is not None and len(day) == 2 and year[:2] in ("19", "20") and _date(m[0]) is not None
    )
