"""The vocabulary a description match uses: stop words, spellings, synonyms, chapters.

Data only, read from ``exportctl/screen/data`` (each file names its source in
its header and in ``SOURCES.md``): the stop words of each language
(``ko.toml``, ``en.toml``), English spellings folded together, groups of names
for the same goods (``synonyms.toml``) and, per Annex 2 control-number category
and group, the HS chapters where such goods are plausibly classified
(``control_chapters.csv``). The engines that use them are
:mod:`exportctl.screen.nouns` and :mod:`exportctl.screen.evidence`.
"""

from __future__ import annotations

import csv
import functools
import io
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Lexicon", "control_chapters"]

_PACKAGE = "exportctl.screen"


def _read(name: str) -> str:
    return resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(_read(name))


@dataclass(frozen=True)
class Lexicon:
    """The words of both languages a match looks past, and the names that mean the same."""

    stop: frozenset[str]
    """Nouns and function words that never count and end a phrase."""
    spelling: Mapping[str, str]
    """English spelling -> the one used (``analyzer`` -> ``analyser``)."""
    synonyms: tuple[tuple[str, ...], ...]
    """Groups of names for the same goods; the first of each is shown."""
    name_ends: tuple[str, ...] = ()
    """Where the name of a list entry ends and its specification begins (``로서``)."""
    nouns: tuple[str, ...] = ()
    """Korean nouns added to the analyser's dictionary whole (``이륜자동차``)."""
    relations: frozenset[str] = frozenset()
    """English words after which a phrase says what for (``for``, ``with``), like ``용``."""
    forms: frozenset[str] = frozenset()
    """Forms goods come in (``봉``, ``모듈``, ``bar``): after a name they leave it the goods."""

    @classmethod
    def load(cls) -> Lexicon:
        """The packaged lexicon, read once."""
        return _packaged()

    def english(self, word: str) -> str:
        """One English word as matched: spelling folded, plural made singular.

        Example:
            >>> Lexicon.load().english("analyzers")
            'analyser'
        """
        found = self.spelling.get(word)
        if found is not None:
            return found
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        return self.spelling.get(word, word)


@functools.cache
def _packaged() -> Lexicon:
    ko, en, synonyms = _toml("ko.toml"), _toml("en.toml"), _toml("synonyms.toml")
    stop = frozenset(ko["stop"]["words"]) | frozenset(en["stop"]["words"])
    groups = tuple(tuple(group) for group in (*synonyms["groups"], *synonyms.get("words", ())))
    ends = (*ko["names"]["ends"], *en["names"]["ends"])
    return Lexicon(
        stop=stop,
        spelling=dict(en.get("spelling", {})),
        synonyms=groups,
        name_ends=ends,
        nouns=tuple(ko.get("dictionary", {}).get("nouns", ())),
        forms=frozenset(ko["forms"]["words"]) | frozenset(en["forms"]["words"]),
        relations=frozenset(en["relations"]["words"]),
    )


@functools.cache
def control_chapters() -> Mapping[str, frozenset[str]]:
    """Annex 2 category and group (``2B``) -> the HS chapters its goods are plausible in.

    Example:
        >>> sorted(control_chapters()["2B"])
        ['84', '85', '90']
    """
    rows = csv.DictReader(io.StringIO(_read("control_chapters.csv")))
    return {row["category"] + row["group"]: frozenset(row["chapters"].split(";")) for row in rows}
