"""How Korean legal annex tables write their entries (별표 2의2 and its kind).

Pure text rules, no I/O: serial numbers with legal branch numbers (``3의2``) and the
checks over a part's serials, sub-item labels (``a.``, ``(1)``, ``가.``), Annex 2 control
numbers (``3A001.a.3``), HS codes named in passing, part titles, and the notice a
revision belongs to.

Example:
    >>> parse_serial("3의2").key
    (3, (2,))
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Literal

from exportctl.dates import parse_date
from exportctl.hscode import HSCode, normalise

# A plain serial: 12, 012, 3의2, 3 의 2, 3의2의2 (NFKC-folded, wrapper removed).
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


# --------------------------------------------------------------------------------- serials


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
            text = f"serial numbers {low:,}–{high:,} skip {_runs(missing)}"
            findings.append(SerialFinding("missing-serial", text, f"{missing[0]}"))
    seen: set[tuple[int, tuple[int, ...]]] = set()
    orphaned: set[tuple[int, tuple[int, ...]]] = set()
    for s in serials:
        if s.key in seen:
            continue
        seen.add(s.key)
        if counts[s.key] > 1:
            text = f"serial {s.text} appears {counts[s.key]} times"
            findings.append(SerialFinding("duplicate-serial", text, s.text))
        parent = s.parent
        if parent is None:
            continue
        known = parent.key in counts or (not parent.branches and parent.number in plain)
        if not known and parent.key not in orphaned:
            orphaned.add(parent.key)
            text = f"branch {s.text} has no entry {parent.text}"
            findings.append(SerialFinding("orphan-branch", text, s.text))
        if s.branches[-1] > 2:
            before = Serial.of(s.number, *s.branches[:-1], s.branches[-1] - 1)
            if before.key not in counts:
                text = f"branch {s.text} comes without {before.text}"
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
        return f"{', '.join(runs[:_MAX_LISTED])} and {len(runs) - _MAX_LISTED} more"
    return ", ".join(runs)


# ------------------------------------------------------------------------------ sub-items

_KOREAN_LETTERS = "가나다라마바사아자차카타파하"
_ROMANS = frozenset("ii iii iv vi vii viii ix xi xii xiii xiv xv xvi xvii xviii xix xx".split())
# A sub-item label at the start of a text: (a) (ii) (1) (가), 가. 나) (no space needed
# after these), or a. b) ii. 1. 1) followed by a space or the end (so 8471.30, 3A001,
# 1,000 cc and e.g. are not labels; a year has too many digits).
_LABEL_RE = re.compile(
    rf"""(?P<label>
        \((?P<paren>[a-z]|[ivx]{{2,5}}|\d{{1,2}}|[{_KOREAN_LETTERS}])\)
      | (?P<korean>[{_KOREAN_LETTERS}])[.)]
      | (?P<plain>[a-z]|[ivx]{{2,5}}|\d{{1,2}})[.)](?=\s|$)
    )\s*(?P<rest>.*)""",
    re.VERBOSE | re.DOTALL,
)


def split_label(text: str | None) -> tuple[str, str] | None:
    """Split a sub-item label off a text: ``(label, rest)``, or ``None`` without one.

    Labels: ``a.`` ``a)`` ``(a)``, ``가.`` ``나)`` ``(가)`` (가 to 하), ``1.`` ``1)`` ``(1)``
    (one or two digits), roman ``ii.`` ``(iv)``. Latin letters are lower case, as Annex 2
    prints them (``A.``, ``I.`` start titles). ``a.`` and ``1.`` need a space or the end
    after them, bracketed and Korean labels do not. The label comes back trimmed, the
    rest stripped; full-width forms are folded (NFKC).

    Example:
        >>> split_label(" a. 3A001.a.3에 해당하는 것")
        ('a.', '3A001.a.3에 해당하는 것')
        >>> split_label("(1)주파수"), split_label("가.전자 장치")
        (('(1)', '주파수'), ('가.', '전자 장치'))
        >>> [split_label(t) for t in ("8471.30", "2024. 6. 28.", "3A001", "1,000 cc")]
        [None, None, None, None]
    """
    if text is None:
        return None
    m = _LABEL_RE.match(_fold(text))
    if m is None:
        return None
    core = m.group("paren") or m.group("plain") or ""
    if len(core) > 1 and core.isalpha() and core not in _ROMANS:
        return None
    return m.group("label"), m.group("rest").strip()


def label_level(label: str) -> int:
    """The kind of a sub-item label: 1 letters, 2 numbers, 3 roman numerals.

    The level names the kind, not the depth. A lone ``i``, ``v`` or ``x`` is a letter
    (Annex 2 letters run ``a.`` to ``o.``); roman numerals are read from ``ii`` on.

    Raises:
        ValueError: The text is not a label.

    Example:
        >>> label_level("a."), label_level("(가)"), label_level("1)"), label_level("(ii)")
        (1, 1, 2, 3)
    """
    split = split_label(label)
    if split is None or split[1]:
        raise ValueError(f'"{label}" is not a sub-item label')
    core = split[0].strip("().")
    if core.isdigit():
        return 2
    return 3 if core in _ROMANS else 1


# ------------------------------------------------------------------------ control numbers

# An Annex 2 / Wassenaar control number: digit, category letter A-E, three digits, then
# .tail parts (one or two lower-case letters, or up to three digits); not glued to
# other letters or digits, so a Korean particle after it (3A001에) ends it, and the
# sentence period after 3A001.a.3. is not part of it.
_CONTROL_RE = re.compile(
    r"(?<![0-9A-Za-z])([0-9][A-Ea-e][0-9]{3}(?:\.(?:[a-z]{1,2}|[0-9]{1,3}))*)(?![0-9A-Za-z])"
)


_CONTROL_HINT = re.compile(r"[0-9０-９][A-Ea-eＡ-Ｅａ-ｅ][0-9０-９]")
"""A digit, a category letter and a digit: a text without it names no control number."""


def control_numbers(text: str | None) -> tuple[str, ...]:
    """Every Annex 2 control number in a text, in order, each once.

    A control number is a digit, a category letter A–E, three digits and optional
    ``.tail`` parts: ``3A001``, ``3A001.a.3``, ``2B350.g``, ``1C350.64``, ``5A002.a.1.a``.
    The category letter comes back upper case, the rest as printed. Not control numbers:
    HS codes (``8471.30``), years, ``1A`` alone, and US classifications such as
    ``EAR99`` (they are not Annex 2 numbers).

    Example:
        >>> control_numbers("3a001.a.3. 또는 2B350.g에 해당하는 것(3A001에 의해 통제되지 않는 것)")
        ('3A001.a.3', '2B350.g', '3A001')
    """
    if not text or not _CONTROL_HINT.search(text):
        return ()
    found = _CONTROL_RE.findall(_fold(text))
    return tuple(dict.fromkeys(m[0] + m[1].upper() + m[2:] for m in found))


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


# ------------------------------------------------------------------------- section titles

# Mirrors exportctl.readers.layout._FOOTNOTE_START (this module does no I/O and does not
# import the readers), plus 비고 (remarks): a footnote's first characters.
_FOOTNOTE_RE = re.compile(
    r"(※|\*|주\s*[:)]|\(주\)|notes?\s*:|출처|source\s*:|비고\s*[:)])", re.IGNORECASE
)
# Header words: a row holding one is the table's header, not a title.
_HEADER_RE = re.compile(r"연번|순번|일련번호|품목명|품명|세번|hs\s*코드|hs\s*code", re.IGNORECASE)
# The annex's own heading or amendment marker ([별표 2의2], <개정 ...>, ... 고시 제...).
_ANNEX_HEAD_RE = re.compile(r"^[\[(]?\s*별표|^[<〈]\s*(?:개정|신설)|고시\s*제")
# A part's number: 제1부 / 제2편 / Part 1 (strong), Ⅰ. / II. (roman, folded from Ⅰ by
# NFKC; strong), 1. / 2) (weak: a numbered sub-item looks the same).
_PART_PREFIX_RE = re.compile(
    r"제\s*(?P<part>\d{1,2})\s*(?:부|편)\s*[.:]?"
    r"|(?i:part)\s+(?P<en>\d{1,2})\s*[.:]?"
    r"|(?P<roman>[IVX]{1,4})\s*[.)]"
    r"|(?P<arabic>\d{1,2})\s*[.)]"
)
# A whole text in brackets: [러시아·벨라루스], 【…】, 〔…〕.
_BRACKETED_RE = re.compile(r"[\[【〔]\s*([^\]】〕]+?)\s*[\]】〕]")
# Words that name a part of an export-control annex (needed when the prefix is weak).
_PART_WORDS_RE = re.compile(
    r"품목|상황허가|대상|러시아|벨라루스|이란|파키스탄|시리아|북한|국가|지역|(?i:part|section|items)"
)
_ROMAN_NUMERALS = {r: n for n, r in enumerate("I II III IV V VI VII VIII IX X".split(), 1)}
_WEAK_TITLE_MAX = 60  # characters of a title without a strong prefix (제1부, Ⅰ., [..])


@dataclass(frozen=True, slots=True)
class SectionTitle:
    """A part of the annex, as its title row names it.

    Attributes:
        number: The part's number (``1`` for ``1.``, ``제1부``, ``Ⅰ.``), or ``None``.
        title: The title without the number prefix or brackets.
    """

    number: int | None
    title: str


def section_title(cells: Sequence[str | None]) -> SectionTitle | None:
    """Read a row as the title of a part of the annex, or ``None``.

    The row holds one text, other cells empty (or the same text, as merged cells read
    back). Strong forms: ``제1부 …``, ``Part 1 …``, ``Ⅰ. …``/``I. …``, ``[러시아·벨라루스]``.
    Weak forms, ``1. …`` and no prefix, look like a sub-item or a stray text, so they must
    name a part (품목, 상황허가, 대상, a country, …), not end in ``것`` like spec sentences,
    and have at most 60 characters. ``가. …`` is a sub-item, never a title. Never titles
    either: footnotes (``※``, ``*``, ``주:``, ``비고:``), headers (연번, HS코드, 품목명),
    the annex heading (``[별표 2의2]``, ``<개정 …>``), a serial, ``a.``/``(1)`` sub-items,
    texts naming control numbers or HS codes, and fewer than three letters.

    Example:
        >>> section_title(["2. 러시아·벨라루스 상황허가 대상 품목", None, "", None])
        SectionTitle(number=2, title='러시아·벨라루스 상황허가 대상 품목')
        >>> section_title(["Ⅱ. 러시아·벨라루스"] * 2).number, section_title(["※ 대상 품목"])
        (2, None)
    """
    texts = {_fold(c) for c in cells if c is not None and c.strip()}
    if len(texts) != 1:
        return None
    text = texts.pop()
    if (
        _FOOTNOTE_RE.match(text)
        or _HEADER_RE.search(text)
        or _ANNEX_HEAD_RE.search(text)
        or isinstance(parse_serial(text), Serial)
    ):
        return None
    number: int | None = None
    strong = True
    bracketed = _BRACKETED_RE.fullmatch(text)
    prefix = _PART_PREFIX_RE.match(text)
    if bracketed is not None:
        title = bracketed.group(1)
    elif prefix is not None:
        title = text[prefix.end() :].strip()
        digits = prefix.group("part") or prefix.group("en") or prefix.group("arabic")
        number = int(digits) if digits else _ROMAN_NUMERALS.get(prefix.group("roman"), 0)
        strong = prefix.group("arabic") is None
    elif split_label(text) is not None:
        return None
    else:
        title, strong = text, False
    if (
        number == 0
        or sum(ch.isalpha() for ch in title) < 3
        or control_numbers(title)
        or mentioned_codes(title)
    ):
        return None
    if not strong and (
        _PART_WORDS_RE.search(title) is None
        or title.rstrip(" .").endswith("것")
        or len(title) > _WEAK_TITLE_MAX
    ):
        return None
    return SectionTitle(number, title)


# --------------------------------------------------------------------------------- notice


# A date as exportctl.dates.parse_date reads it: 2024. 6. 28., 2024.06.28, 2024-06-28,
# 2024/06/28 (one kind of separator per date), 2024년 6월 28일.
_DATE = (
    r"\d{4}\s*(?P<sep>[-/.])\s*\d{1,2}\s*(?P=sep)\s*\d{1,2}(?:\s*\.)?"
    r"|\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일"
)
_DATE_RE = re.compile(_DATE)
# A notice number with its authority and the date in brackets after it:
# 산업통상자원부고시 제2024-123호(2024. 6. 28.), 산업통상부 고시 제2025-7호.
_NOTICE_RE = re.compile(
    r"(?:(?P<authority>[가-힣]+?(?:부|처|청|위원회))\s*)?고시\s*"
    r"제\s*(?P<year>\d{4})\s*-\s*(?P<seq>\d{1,5})\s*호"
    rf"(?:\s*\(\s*(?P<date>{_DATE})\s*\))?"
)
# The notice date on its own: 고시일: 2024.06.28, 고시일자 2024. 6. 28.
_NOTICE_DATE_RE = re.compile(rf"고시\s*일(?:자)?\s*:?\s*(?P<date>{_DATE})")
# An amendment marker: <개정 2023. 4. 28., 2024. 6. 28.>, <신설 2023. 4. 28.>, 〈개정 …〉.
_AMENDMENT_RE = re.compile(r"[<〈]\s*(?:전문개정|일부개정|개정|신설)[^>〉]*[>〉]")
# A notice number as a user types it: 2024-123, 제2024-123호, 고시 제2024-123호.
_NOTICE_NUMBER_RE = re.compile(
    r"(?:[가-힣]*\s*고시\s*)?(제\s*)?(\d{4})\s*-\s*(\d{1,5})(?(1)\s*호|(?:\s*호)?)"
)


@dataclass(frozen=True, slots=True)
class Notice:
    """The public notice a revision of the annex belongs to.

    Attributes:
        number: The notice number, normalised: ``"제2024-123호"``.
        authority: The issuing ministry as printed: ``"산업통상자원부"``, ``"산업통상부"``.
        date: The notice date, when a title line gives it.
        amendment: The amendment marker as printed (NFKC-folded):
            ``"<개정 2023. 4. 28., 2024. 6. 28.>"``.
        amended: The marker's last date, the latest amendment.
    """

    number: str | None = None
    authority: str | None = None
    date: datetime.date | None = None
    amendment: str | None = None
    amended: datetime.date | None = None


def parse_notice(lines: Iterable[str | None]) -> Notice:
    """Read the notice's identity from the title lines above a table's header.

    Read: the number with its authority and a date in brackets
    (``산업통상자원부고시 제2024-123호(2024. 6. 28.)``, ``산업통상부 고시 제2025-7호``), a date
    line (``고시일: 2024.06.28``) and an amendment marker (``[별표 2의2] <개정 2023. 4. 28.,
    2024. 6. 28.>``: its last date is the amendment). Each field comes from the first line
    giving it (``None`` lines skipped); the notice date is never guessed from the
    amendment. Dates read as :func:`exportctl.dates.parse_date` does; impossible ones are
    left out.

    Example:
        >>> n = parse_notice(["[별표 2의2] <개정 2023. 4. 28., 2024. 6. 28.>",
        ...                   "산업통상자원부고시 제2024-0123호(2024. 6. 28.)"])
        >>> n.number, n.authority, n.date, n.amended
        ('제2024-123호', '산업통상자원부', datetime.date(2024, 6, 28), datetime.date(2024, 6, 28))
    """
    n = Notice()
    for s in (_fold(line) for line in lines if line is not None):
        m = _NOTICE_RE.search(s)
        if m is not None and n.number is None:
            number = f"제{m['year']}-{int(m['seq'])}호"
            n = replace(n, number=number, authority=m["authority"])
            if m["date"] and n.date is None:
                n = replace(n, date=_date(m["date"]))
        m = _NOTICE_DATE_RE.search(s)
        if m is not None and n.date is None:
            n = replace(n, date=_date(m["date"]))
        m = _AMENDMENT_RE.search(s)
        if m is not None and n.amendment is None:
            dates = [d for d in map(_date, (d[0] for d in _DATE_RE.finditer(m[0]))) if d]
            n = replace(n, amendment=m[0], amended=dates[-1] if dates else None)
    return n


def _date(text: str) -> datetime.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def parse_notice_number(text: str) -> str:
    """Normalise a notice number a user gives (``--notice``) to ``제2024-123호``.

    Accepted: ``2024-123``, ``제2024-123호``, ``제 2024 - 123 호``, ``고시 제2024-123호``,
    ``산업통상자원부고시 제2024-123호``, ``2024-0123``; full-width forms are folded.

    Raises:
        ValueError: The text is not a notice number (``제3호``, ``2024``, ``2024-0``).

    Example:
        >>> parse_notice_number("고시 제2024-123호"), parse_notice_number("2024-0123")
        ('제2024-123호', '제2024-123호')
    """
    m = _NOTICE_NUMBER_RE.fullmatch(_fold(text))
    if m is None or int(m.group(3)) == 0:
        raise ValueError(
            f'"{text.strip()}" is not a notice number (write it like 2024-123 or 제2024-123호)'
        )
    return f"제{m.group(2)}-{int(m.group(3))}호"
