"""The title row that starts a part of an annex (``2. 러시아·벨라루스 상황허가 대상 품목``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from exportctl.annex.labels import split_label
from exportctl.annex.references import control_numbers, mentioned_codes
from exportctl.annex.serials import Serial, _fold, parse_serial

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
