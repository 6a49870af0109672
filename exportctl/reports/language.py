"""The words of reports in each language: labels, headers, verdicts, section names.

Every word a report shows a person is a keyed message of the one gettext catalogue
(:mod:`exportctl.i18n`: ``kind.added``, ``pdf.title``…, with its text in the English
and the Korean catalogue), and the Korean names of the 21 HS sections come from
``exportctl/data/sections_ko.csv`` (its source is in ``data/NOTICE.md``). A report
writer asks a :class:`Text` for a key and never spells a label itself, so a
language is one more catalogue, not a change to each writer. A report carries its
own language (``--lang`` of the command), whatever language the terminal speaks.

Values read as words (``예``/``아니오`` or ``yes``/``no``) and numbers with
thousands separators.

Example:
    >>> t = text_for("ko")
    >>> t("kind.added")
    '추가'
    >>> t.number(1402)
    '1,402'
    >>> t.yes_no(True)
    '예'
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterable
from importlib import resources
from typing import Any

from exportctl.i18n import LANGUAGES, translations

__all__ = ["LANGUAGES", "Text", "text_for", "tie_out_sentences"]


@functools.cache
def _section_names_ko() -> dict[str, str]:
    data = resources.files("exportctl.data").joinpath("sections_ko.csv").read_text("utf-8")
    return {row["section"]: row["name"] for row in csv.DictReader(io.StringIO(data))}


class Text:
    """The words of one language.

    ``t(key, **values)`` gives the label of ``key`` with ``{name}`` fields filled in;
    a key the catalogue lacks is an error, never an empty cell.
    """

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f'unknown language "{lang}" (choose {", ".join(LANGUAGES)})')
        self.lang = lang
        self._catalogue = translations(lang)

    def __call__(self, key: str, /, **values: Any) -> str:
        text = self._catalogue.gettext(key)
        if text == key:
            raise KeyError(f'no text "{key}" in language {self.lang}')
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """Whether the catalogue holds ``key``."""
        return self._catalogue.gettext(key) != key

    def get(self, key: str, default: str) -> str:
        """The label of ``key``, or ``default`` when the catalogue has none."""
        text = self._catalogue.gettext(key)
        return default if text == key else text

    def yes_no(self, value: bool | None) -> str:
        """``예``/``아니오`` or ``yes``/``no``; empty for ``None``."""
        if value is None:
            return ""
        return self("value.yes" if value else "value.no")

    def number(self, value: int | float | None) -> str:
        """A number with thousands separators (``1,402``); ``—`` for ``None``."""
        if value is None:
            return "—"
        return f"{value:,}"

    def date(self, value: dt.date | None) -> str:
        """A date as ``2024-06-28`` (ISO 8601 reads the same in both languages)."""
        return value.isoformat() if value is not None else self("value.undated")

    def moment(self, value: dt.datetime) -> str:
        """A time with its zone: ``2026-11-29 15:51:14 KST (UTC+09:00)``."""
        zone = value.tzname() or ""
        offset = value.strftime("%z")
        shown = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
        name = f"{zone} " if zone and not zone.startswith(("+", "-")) and zone != "UTC" else ""
        return f"{value:%Y-%m-%d %H:%M:%S} {name}({shown})"

    def notice(
        self, number: str | None, date: dt.date | str | None, amendment: str | None = None
    ) -> str:
        """A notice as reports name it: ``고시 제2024-123호 (2024-06-28), <개정 …>`` or
        ``notice 제2024-123호 of 2024-06-28, <…>``; parts not known left out, ``""``
        when nothing is (the number and the amendment marker are quoted as printed)."""
        when = date.isoformat() if isinstance(date, dt.date) else date
        parts: list[str] = []
        if number and when:
            parts.append(self("notice.number_date", number=number, date=when))
        elif number:
            parts.append(self("notice.number", number=number))
        elif when:
            parts.append(self("notice.date", date=when))
        if amendment:
            parts.append(amendment)
        return ", ".join(parts)

    def section_name(self, numeral: str, english: str) -> str:
        """The name of HS section ``numeral`` (``XVI``); ``english`` is the English name."""
        if self.lang == "ko":
            return _section_names_ko().get(numeral, english)
        return english

    def column(self, name: str) -> str:
        """The header of report column ``name`` (``code_digits`` → ``HS code (digits)``)."""
        return self.get(f"column.{name}", name)

    def kind(self, kind: str) -> str:
        """The name of a change kind (``added`` → ``Added`` / ``추가``)."""
        return self(f"kind.{kind}")

    def status(self, status: str) -> str:
        """The name of a version status or screening verdict."""
        return self(f"status.{status}")


@functools.cache
def text_for(lang: str) -> Text:
    """The :class:`Text` of ``lang`` (``en`` or ``ko``), made once."""
    return Text(lang)


def tie_out_sentences(checks: Iterable[Any], text: Text) -> list[str]:
    """The tie-out checks of a change summary (:class:`exportctl.identity.Check`) said in
    ``text``'s language, one sentence each ending in whether it holds.

    The summary's own ``statements`` are English whatever the report's language; every
    report says the checks from their data instead, with the PDF's words.
    """
    said = []
    for check in checks:
        figures = {key: text.number(value) for key, value in check.figures.items()}
        outcome = text("pdf.check.ok") if check.ok else text("pdf.check.failed")
        said.append(f"{text(f'pdf.check.{check.name}', **figures)}: {outcome}.")
    return said
