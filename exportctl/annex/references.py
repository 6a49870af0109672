"""What an entry's text refers to: Annex 2 control numbers and HS codes named in passing."""

from __future__ import annotations

import re

from exportctl.annex.notice import _date
from exportctl.annex.serials import _fold
from exportctl.hscode import HSCode, normalise

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
