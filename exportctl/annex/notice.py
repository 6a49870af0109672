"""The notice a revision belongs to: number, issuer, date and amendment marker."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from exportctl.annex.serials import _fold
from exportctl.dates import parse_date

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
