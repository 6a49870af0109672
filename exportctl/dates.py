"""Dates as officers write them: ISO, Korean notice style, compact and with 년월일."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from exportctl.i18n import _

_PATTERNS = (
    # 2024-06-28, 2024/06/28, 2024. 6. 28., 2024.06.28 (one kind of separator per date)
    re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:\s*\.)?"),
    # 20240628
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    # 2024년 6월 28일
    re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"),
)


def parse_date(text: str) -> dt.date:
    """Read a date written the way Korean notices and officers write it.

    Accepted: ISO ``2024-06-28``; notice style ``2024. 6. 28.``, ``2024. 6. 28``,
    ``2024.06.28``, ``2024.6.28.``; ``2024/06/28``; ``20240628``;
    ``2024년 6월 28일``. Full-width digits and punctuation are folded (NFKC) and
    surrounding spaces ignored. A date written with ``-`` or ``/`` must use the
    same separator twice.

    Args:
        text: The date as written.

    Returns:
        The date.

    Raises:
        ValueError: The text is not one of the forms above, or names a day that
            does not exist (``2024. 2. 30.``).

    Examples:
        >>> parse_date("2024. 6. 28.")
        datetime.date(2024, 6, 28)
        >>> parse_date("２０２４년 ６월 ２８일")
        datetime.date(2024, 6, 28)
        >>> parse_date("20240628")
        datetime.date(2024, 6, 28)
        >>> parse_date("2024. 13. 1.")
        Traceback (most recent call last):
        ...
        ValueError: "2024. 13. 1." is not a date (write it like 2024-06-28 or 2024. 6. 28.)
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    for pattern in _PATTERNS:
        match = pattern.fullmatch(folded)
        if match is None:
            continue
        year, month, day = (int(part) for part in match.groups() if part.isdigit())
        try:
            return dt.date(year, month, day)
        except ValueError:
            break
    raise ValueError(
        _('"{text}" is not a date (write it like 2024-06-28 or 2024. 6. 28.)').format(
            text=text.strip()
        )
    )
