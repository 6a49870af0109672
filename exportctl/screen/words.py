"""Matching product descriptions against list entries defined by name.

This module owns the words of a text (:func:`words`: folded, stop words left
out) and :class:`WordMatcher`, which finds the entry without an HS code whose
words a product description shares, and says which words (:class:`WordHit`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from exportctl.models import ItemRecord
from exportctl.screen.vocabulary import KOREAN_SUFFIXES, STOP_WORDS

SPECIFIC_WORD_MAX_ENTRIES = 2
"""A word found in at most this many list entries is specific enough to match alone."""


_TOKEN = re.compile(r"[0-9a-z]+|[가-힣]+")
_HANGUL = re.compile(r"[가-힣]")


def _canonical(token: str) -> str:
    """Fold one token: strip a Korean particle, an English plural ``s``."""
    if _HANGUL.match(token):
        if len(token) >= 3:
            for suffix in KOREAN_SUFFIXES:
                if token.endswith(suffix) and len(token) - len(suffix) >= 2:
                    return token[: -len(suffix)]
        return token
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def words(text: str | None) -> list[str]:
    """The meaningful words of a description, folded, in order, without repeats.

    NFKC and lower case; Korean runs and ASCII letter/digit runs are words;
    stop words, single characters and anything starting with a digit (thresholds
    such as ``2,000cc`` or ``10 kg``) are left out.

    Example:
        >>> words("무인기용 부분품 (Parts of drones)")
        ['무인기', 'drone']
    """
    if not text:
        return []
    found: dict[str, None] = {}
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", text).lower()):
        if len(token) < 2 or token[0].isdigit() or token in STOP_WORDS:
            continue
        word = _canonical(token)
        if word not in STOP_WORDS:
            found.setdefault(word, None)
    return list(found)


@dataclass(frozen=True, slots=True)
class WordHit:
    """A name/specification entry whose words appear in a product description."""

    entry: ItemRecord
    """The entry matched."""
    words: tuple[str, ...]
    """The entry's words found in the description, in the entry's order."""


class WordMatcher:
    """Explainable word match of product descriptions against entries without a code.

    An entry matches a description when the description contains at least two of
    the entry's words, or one word that is *specific*: used by at most
    :data:`SPECIFIC_WORD_MAX_ENTRIES` entries of the whole list (so ``drone``
    counts alone, ``machine`` does not). A Korean word also matches inside a
    longer Korean word of the description (``드론`` in ``산업용드론``), because
    Korean compounds are often written without spaces.
    """

    def __init__(self, entries: Sequence[ItemRecord], all_items: Sequence[ItemRecord]) -> None:
        """Index ``entries`` (the name entries); ``all_items`` sets word specificity.

        Args:
            entries: Entries without a code, in list order.
            all_items: Every entry of the version, used to count how common a word is.
        """
        self.entries = tuple(entries)
        frequency: Counter[str] = Counter()
        for item in all_items:
            frequency.update(words(_entry_text(item)))
        self._entry_words: list[tuple[str, ...]] = []
        self._by_word: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            entry_words = tuple(words(_entry_text(entry)))
            self._entry_words.append(entry_words)
            for word in entry_words:
                self._by_word.setdefault(word, []).append(position)
        self._specific = frozenset(
            w for w in self._by_word if frequency[w] <= SPECIFIC_WORD_MAX_ENTRIES
        )
        korean = [w for w in self._by_word if _HANGUL.match(w)]
        self._korean = frozenset(korean)
        self._korean_lengths = tuple(sorted({len(w) for w in korean}))
        # Catalogues repeat descriptions; a bounded cache keeps memory flat.
        self.match: Callable[[str | None], WordHit | None] = lru_cache(maxsize=50_000)(self._match)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def _found_words(self, description: str) -> set[str]:
        product = words(description)
        found = {w for w in product if w in self._by_word}
        if self._korean_lengths:
            for token in product:
                size = len(token)
                if size < 3 or not _HANGUL.match(token):
                    continue
                for length in self._korean_lengths:
                    if length >= size:
                        break
                    for start in range(size - length + 1):
                        piece = token[start : start + length]
                        if piece in self._korean:
                            found.add(piece)
        return found

    def _match(self, description: str | None) -> WordHit | None:
        if not description or not self.entries:
            return None
        found = self._found_words(description)
        if not found:
            return None
        best: WordHit | None = None
        candidates = sorted({p for w in found for p in self._by_word[w]})
        for position in candidates:
            shared = tuple(w for w in self._entry_words[position] if w in found)
            if len(shared) >= 2 or any(w in self._specific for w in shared):
                if best is None or len(shared) > len(best.words):
                    best = WordHit(self.entries[position], shared)
        return best


def _entry_text(item: ItemRecord) -> str:
    texts = (item.description, item.description_en, item.note, *(s.text for s in item.sub_items))
    return " ".join(t for t in texts if t)
