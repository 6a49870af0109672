"""The HS nomenclature shipped with exportctl: :class:`Nomenclature`.

Each edition is read from ``exportctl/data`` (``hs2022.csv``, ``hs2017.csv`` and
``sections.csv``, found as package resources) on first use and cached, so
importing this module touches no disk.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from importlib import resources

from exportctl.errors import ExportctlError

__all__ = ["EDITIONS", "Nomenclature", "UnknownEditionError"]

EDITIONS = ("2022", "2017")
"""HS editions shipped in ``exportctl/data``."""


class UnknownEditionError(ExportctlError, ValueError):
    """An HS edition that exportctl does not ship."""


class Nomenclature:
    """One edition of the HS nomenclature: chapters, headings and subheadings.

    Data: datasets/harmonized-system (UN Comtrade), ODC-PDDL-1.0; see
    ``exportctl/data/NOTICE.md``. UN Comtrade's reporting aggregate ``99``/``9999``/
    ``999999`` is not included.

    Example:
        >>> hs = Nomenclature.load("2022")
        >>> hs.known("8471300000"), hs.description("847130")[:23]
        (True, 'Automatic data processi')
    """

    __slots__ = ("_chapter_sections", "_descriptions", "_section_names", "edition")

    def __init__(
        self,
        edition: str,
        rows: Iterable[tuple[str, str, str]],
        sections: Iterable[tuple[str, str]],
    ) -> None:
        """Build an edition from ``(code, section, description)`` rows and section names."""
        self.edition = edition
        self._descriptions: dict[str, str] = {}
        self._chapter_sections: dict[str, str] = {}
        for code, section, description in rows:
            self._descriptions[code] = description
            if len(code) == 2:
                self._chapter_sections[code] = section
        self._section_names = dict(sections)

    @classmethod
    def load(cls, edition: str = "2022") -> Nomenclature:
        """The packaged edition, read on first use and cached.

        Args:
            edition: ``"2022"`` or ``"2017"``.

        Raises:
            UnknownEditionError: For any other edition (also a ``ValueError``).
        """
        return _load(str(edition))

    def codes(self, level: int) -> frozenset[str]:
        """All codes of one level: 2 (chapters), 4 (headings) or 6 (subheadings)."""
        return frozenset(c for c in self._descriptions if len(c) == level)

    def known(self, digits: str) -> bool:
        """True when the code exists in this edition.

        Chapters, headings and subheadings must exist themselves; an 8- or 10-digit
        national code is known when its six-digit subheading is.
        """
        n = len(digits)
        if n in (2, 4, 6):
            return digits in self._descriptions
        if n in (8, 10):
            return digits[:6] in self._descriptions
        return False

    def description(self, digits: str) -> str | None:
        """The description of the deepest known level of the code (6, then 4, then 2)."""
        for k in (6, 4, 2):
            if len(digits) >= k:
                found = self._descriptions.get(digits[:k])
                if found is not None:
                    return found
        return None

    def section(self, digits: str) -> tuple[str, str] | None:
        """The section of the code's chapter: ``("XVI", "Machinery and ...")``."""
        numeral = self._chapter_sections.get(digits[:2])
        if numeral is None:
            return None
        return numeral, self._section_names.get(numeral, "")

    def __repr__(self) -> str:
        return f"Nomenclature(edition={self.edition!r})"


def _read_data(name: str) -> list[list[str]]:
    text = resources.files("exportctl.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))[1:]


@functools.cache
def _load(edition: str) -> Nomenclature:
    if edition not in EDITIONS:
        raise UnknownEditionError(
            f"unknown HS edition {edition!r}; choose one of {', '.join(EDITIONS)}"
        )
    rows = (
        (code, section, description)
        for code, _, section, description in _read_data(f"hs{edition}.csv")
    )
    sections = ((numeral, name) for numeral, name in _read_data("sections.csv"))
    return Nomenclature(edition, rows, sections)


@functools.cache
def _known_headings() -> frozenset[str]:
    return frozenset().union(*(_load(e).codes(4) for e in EDITIONS))
