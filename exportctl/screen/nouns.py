"""The nouns of a text: noun phrases found by a morphological analyser, not character runs.

A description is matched on what it *names*. Korean text goes through Kiwi
(kiwipiepy), which tags every morpheme: particles (``로서``, ``를``), endings
(``한다``), copulas and verbs are never words, so ``발효조로서`` gives the noun
phrase ``발효조``, and ``젖염소`` gives ``젖 염소``, a compound whose last noun is
``염소``. English (and the Latin words inside Korean text) goes through the same
path with its own rules: lower case, plural folded, British spelling.

A **phrase** is a run of nouns with nothing between them but spaces, written as a
tuple of tokens: ``진공 펌프`` and ``진공펌프`` both give ``("진공", "펌프")``. A stop
word (:mod:`exportctl.screen.lexicon`), a particle, a verb, a number or a
punctuation mark ends it. ``용`` ("for the use of") stays in the phrase as its own
token, so ``무인항공기용 배터리`` is one phrase whose head is ``배터리``: Korean
compounds put the head last, which is how :mod:`exportctl.screen.evidence` tells
a name from a modifier.

Analysis is the expensive step (about 0.1 ms a text); :class:`Analyser` caches it
per distinct text and :meth:`Analyser.could_match` skips texts that hold none of
the words a match needs, so a column of a million descriptions costs one analysis
per distinct description that could match.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from exportctl.screen.lexicon import Lexicon

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

__all__ = ["Analyser", "Phrase", "cas_numbers", "default_analyser", "phrases"]

Phrase = tuple[str, ...]
"""A noun phrase: its tokens in order, the head last."""

USE = "용"
"""The suffix "for the use of": kept in a phrase, never a noun of its own."""
_OF = "의"
"""The particle "of": the nouns before it say whose, like 용 says what for."""

_HANGUL = re.compile(r"[가-힣]")
# Hyphenated Latin words: fibre-optic is "fibre optic" (item masters write both), but
# step-and-repeat, whose parts hold a stop word, is one word.
_LATIN_HYPHENATED = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")
# A hyphen inside a Korean compound (아날로그-디지털 변환기) joins, it does not separate.
_HANGUL_HYPHEN = re.compile(r"(?<=[가-힣])-(?=[가-힣])")
_PLAIN_WORD = re.compile(r"[a-z]{2,}(?:[\-'][a-z]+)*")
_SHORT_DIGIT_WORD = re.compile(r"[0-9][a-z]{1,2}")
_LATIN_SPLIT = re.compile(r"[a-z0-9][a-z0-9\-'.]*|[^\sa-z0-9]")

# Kiwi tags (Sejong tag set): nouns and roots make phrases; the suffixes that make
# nouns of nouns (측정+기, 중력+계, 단조+품) join the noun before them.
_NOUN_TAGS = frozenset({"NNG", "NNP", "XR"})
_NOUN_SUFFIX = "XSN"
_NOUN_PREFIX = "XPN"
_PREDICATE_TAGS = ("V", "XSV", "XSA", "ETM", "EP", "EF", "EC", "ETN")
_LATIN = "SL"

# What is not a word however it is spelt: an Annex 2 control number (2B352.b) and a
# dotted HS code (8414.10); both are read by their own rules elsewhere.
_NOT_WORDS_RE = re.compile(
    r"(?<![0-9A-Za-z])[0-9][A-Ea-e][0-9]{3}(?:\.[0-9A-Za-z]{1,3})*|\d{4}\.\d{2}(?:[.\-]\d{2,4})?"
)

# A CAS registry number: 2-7 digits, 2 digits, a check digit.
_CAS_RE = re.compile(r"(?<![\d-])(\d{2,7})-(\d{2})-(\d)(?![\d-])")


def cas_numbers(text: str | None) -> tuple[str, ...]:
    """The CAS registry numbers in a text whose check digit is right, in order.

    Example:
        >>> cas_numbers("염소 (CAS 7782-50-5), not 7782-50-4")
        ('7782-50-5',)
    """
    if not text or "-" not in text:
        return ()
    found: dict[str, None] = {}
    for m in _CAS_RE.finditer(unicodedata.normalize("NFKC", text)):
        digits = (m.group(1) + m.group(2))[::-1]
        if sum(i * int(d) for i, d in enumerate(digits, 1)) % 10 == int(m.group(3)):
            found.setdefault(m.group(0), None)
    return tuple(found)


@functools.cache
def _kiwi(nouns: tuple[str, ...] = ()) -> Kiwi:
    """The Korean analyser with the lexicon's nouns, loaded once on first use (a second)."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    for noun in nouns:
        kiwi.add_user_word(noun, "NNG")
    return kiwi


class _Token(NamedTuple):
    form: str
    noun: bool
    """True for a noun (Korean or Latin); False for a break (particle, verb, mark)."""
    end: int
    """Offset just past the token, to tell glued tokens from spaced ones."""
    start: int
    predicate: bool = False
    """A verb, adjective or ending: the nouns before it modify what follows."""
    number: bool = False
    """A number: the noun before it is measured (전장 20미터), it names no goods."""


class Analyser:
    """Noun phrases of texts in one lexicon, cached per distinct text.

    Thread-safe for reading; one instance serves a whole screening run.
    """

    def __init__(self, lexicon: Lexicon | None = None, *, cache_size: int = 200_000) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self._cache: dict[str, tuple[Phrase, ...]] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._folds: dict[str, Phrase] | None = None
        self._fold_longest = 0
        self._variant_words: tuple[str, ...] = ()
        # Names written as one Korean word (야시경, 발효탱크) are taught to the analyser
        # whole, so it reads them alike alone and in a sentence; not two-letter ones,
        # which it would then find inside other words (소나 in 비소나).
        single = {
            name
            for group in self.lexicon.synonyms
            for name in group
            if " " not in name and _HANGUL.fullmatch(name[0]) and name.isalnum() and len(name) > 2
        }
        self._nouns = tuple(sorted({*self.lexicon.nouns, *single}))
        self._stop_sizes = sorted(
            {len(w) for w in self.lexicon.stop if len(w) >= 2 and _HANGUL.match(w)}, reverse=True
        )

    def __getstate__(self) -> dict[str, object]:
        # Sent to another process (a screener over Arrow batches): the lock and the
        # cache of analysed texts stay behind; the analyser itself is loaded there.
        state = dict(self.__dict__)
        state["_lock"] = None
        state["_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def fold(self, phrase: Phrase) -> Phrase:
        """``phrase`` with every name of a synonym group replaced by the group's first.

        Names are compared as written without spaces and at token boundaries, so
        ``3차원 측정기`` and ``3차원측정기`` fold alike, and ``드론`` never folds inside
        another word.
        """
        folds = self._folds
        if folds is None:
            folds = self._folds = self._build_folds()
        if not folds:
            return phrase
        out: list[str] = []
        i = 0
        n = len(phrase)
        while i < n:
            joined = ""
            found: tuple[int, Phrase] | None = None
            for j in range(i, n):
                joined += phrase[j]
                if len(joined) > self._fold_longest:
                    break
                canonical = folds.get(joined)
                if canonical is not None:
                    found = (j + 1, canonical)
            if found is None:
                out.append(phrase[i])
                i += 1
            else:
                i, canonical = found
                out.extend(canonical)
        return tuple(out)

    def _build_folds(self) -> dict[str, Phrase]:
        folds: dict[str, Phrase] = {}
        words: set[str] = set()
        for group in self.lexicon.synonyms:
            first = self.raw_phrases(group[0])
            if len(first) != 1:
                continue  # a group whose first name is not one phrase folds nothing
            words.add(first[0][-1])
            for name in group[1:]:
                variant = self.raw_phrases(name)
                # A variant the analyser reads as the group's head alone ("A/D 변환기"
                # as 변환기) would fold every 변환기: it is left out.
                if len(variant) == 1 and _whole(name, variant[0], first[0]):
                    folds.setdefault("".join(variant[0]), first[0])
                    words.add(variant[0][-1])
        self._fold_longest = max((len(k) for k in folds), default=0)
        self._variant_words = tuple(sorted(words))
        return folds

    def phrases(self, text: str | None) -> tuple[Phrase, ...]:
        """The noun phrases of ``text``, synonyms folded to their group's first name.

        Example:
            >>> Analyser().phrases("발효조로서 2B352.b에 해당하는 것")
            (('발효', '조'),)
        """
        if not text:
            return ()
        found = self._cache.get(text)
        if found is not None:
            return found
        found = tuple(self.fold(p) for p in self._raw_phrases(text))
        with self._lock:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[text] = found
        return found

    def prime(self, texts: Iterable[str | None]) -> None:
        """Analyse those of ``texts`` not yet cached, together: the analyser spreads a
        batch over its threads, and :meth:`phrases` then finds each cached (the same
        phrases as one by one)."""
        todo = [text for text in dict.fromkeys(texts) if text and text not in self._cache]
        for start in range(0, len(todo), _BATCH):
            some = todo[start : start + _BATCH]
            prepared = [self._prepared(text) for text in some]
            korean = [_HANGUL_HYPHEN.sub("", each) for each in prepared if _HANGUL.search(each)]
            analysed = iter(_kiwi(self._nouns).tokenize(korean)) if korean else iter(())
            said = iter(korean)
            done: dict[str, tuple[Phrase, ...]] = {}
            for text, each in zip(some, prepared, strict=True):
                if _HANGUL.search(each):
                    tokens = _korean_tokens(next(said), self._nouns, next(analysed))
                else:
                    tokens = _latin_tokens(each)
                done[text] = tuple(self.fold(p) for p in self._group(tokens))
            with self._lock:
                if len(self._cache) + len(done) > self._cache_size:
                    self._cache.clear()
                self._cache.update(done)

    def raw_phrases(self, text: str) -> tuple[Phrase, ...]:
        """The phrases of ``text`` before synonyms are folded (for the lexicon itself)."""
        return tuple(self._raw_phrases(text))

    def name_phrases(self, text: str) -> tuple[tuple[Phrase, bool], ...]:
        """The phrases that name the goods of a list entry's name part, each with
        whether it is *weak*.

        Only those after its last verb or ending count: in ``초점면 배열 소자를 내장한
        것`` the nouns before ``내장한`` say what the goods hold, and ``것`` ("thing")
        names nothing; in ``1C350에 해당하는 화학물질`` the name is ``화학물질``. A noun
        measured by a number (``전장 20미터``) names nothing. A lone noun before a
        generic one (``격리 장비``) is weak: it says what kind, not what goods.
        """
        kept: list[tuple[Phrase, bool]] = []
        for phrase in self._raw_phrases(text, names=True):
            if phrase == _PREDICATE:
                kept.clear()
            elif phrase == _MEASURED:
                if kept:
                    kept.pop()  # 전장 20미터, 대역폭 1 GHz: a measure, not goods
            elif phrase == _GENERIC:
                if kept:
                    kept[-1] = (kept[-1][0], True)
            else:
                kept.append((self.fold(phrase), False))
        return tuple(kept)

    def variant_words(self) -> tuple[str, ...]:
        """The last word of every synonym (as a token): a synonym folds only where it
        stands whole, so a text holding none of these, nor an entry's head noun,
        cannot name an entry."""
        if self._folds is None:
            self._folds = self._build_folds()
        return self._variant_words

    def _hyphenated(self, m: re.Match[str]) -> str:
        parts = m.group(0).split("-")
        if any(part.lower() in self.lexicon.stop for part in parts):
            return "".join(parts)
        return " ".join(parts)

    def _without_generic_tail(self, form: str) -> str:
        """``공작기계`` -> ``공작``: a compound the analyser kept whole loses its generic
        tail, as it does when the analyser splits it (``공작 기계``)."""
        for size in self._stop_sizes:
            if len(form) - size >= 2 and form[-size:] in self.lexicon.stop:
                return form[:-size]
        return form

    def _prepared(self, text: str) -> str:
        """``text`` as it is analysed: control numbers and codes out, hyphenated Latin
        words split or joined."""
        text = _NOT_WORDS_RE.sub(" ; ", unicodedata.normalize("NFKC", text))
        return _LATIN_HYPHENATED.sub(self._hyphenated, text)

    def _raw_phrases(self, text: str, *, names: bool = False) -> Iterator[Phrase]:
        text = self._prepared(text)
        if _HANGUL.search(text):
            tokens = _korean_tokens(_HANGUL_HYPHEN.sub("", text), self._nouns)
        else:
            tokens = _latin_tokens(text)
        yield from self._group(tokens, names)

    def _group(self, tokens: Iterable[_Token], names: bool = False) -> Iterator[Phrase]:
        stop = self.lexicon.stop
        relations = self.lexicon.relations
        current: list[str] = []
        latin_tail = 0  # Latin words ending a Korean phrase (a model or a brand)
        korean = False
        related = False  # the phrase follows "for", "with": it says what for, like 용
        previous: _Token | None = None

        def close() -> Iterator[Phrase]:
            if related:
                current.append(USE)
            yield from _close(current, korean, latin_tail, stop)

        for token in tokens:
            form = token.form
            glued = previous is not None and previous.end == token.start
            after_number = glued and previous is not None and previous.number
            glued = glued and previous is not None and previous.noun
            previous = token
            if token.noun and form in stop and glued and current and _HANGUL.match(form):
                continue  # 공작기계: a generic noun inside a compound is dropped, not a break
            if token.noun and after_number and _HANGUL.match(form):
                continue  # 6축, 20미터: a count or a unit, not goods
            if form == _OF and current and current[-1] != USE:
                # 기관차의 내연기관, 모터사이클의 것: what comes before 의 says whose, as 용
                # says what for; the phrase goes on to the goods.
                current.append(USE)
                continue
            if not token.noun or form in stop:
                if current:
                    size = len(current)
                    yield from close()
                    if names and token.number:
                        yield _MEASURED
                    elif names and token.noun and size == 1:
                        yield _GENERIC
                current, korean, latin_tail = [], False, 0
                related = form in relations
                if names and token.predicate:
                    yield _PREDICATE
                continue
            if form == USE:
                if current:
                    current.append(form)
                    latin_tail = 0
                continue
            is_hangul = _HANGUL.match(form) is not None
            if is_hangul:
                korean = True
                latin_tail = 0
                form = self._without_generic_tail(form)
            else:
                form = self.lexicon.english(form)
                if form in stop:
                    if current:
                        yield from close()
                    current, korean, latin_tail = [], False, 0
                    related = form in relations
                    continue
                latin_tail += 1
            current.append(form)
        if current:
            yield from close()


_BATCH = 4096
"""Texts :meth:`Analyser.prime` hands the analyser at once."""

_PREDICATE: Phrase = ("\x00",)
"""Marks a verb or ending between phrases (only in :meth:`Analyser.name_phrases`)."""
_MEASURED: Phrase = ("\x01",)
"""Marks that the phrase before was followed by a number (only in name_phrases)."""
_GENERIC: Phrase = ("\x02",)
"""Marks that a one-noun phrase was ended by a generic noun (격리 장비)."""


def _whole(name: str, variant: Phrase, canonical: Phrase) -> bool:
    """Whether the analysis of a synonym kept all of it and is not the tail of the name it
    stands for: "A/D 변환기" read as 변환기, or "3차원 측정기" read as 측정기, would fold
    every 변환기 or 측정기."""
    joined, whole = "".join(variant), "".join(canonical)
    letters = sum(1 for c in name if c.isalpha())
    return len(joined) >= letters - 1 and not (len(joined) < len(whole) and whole.endswith(joined))


def _close(
    tokens: list[str], korean: bool, latin_tail: int, stop: frozenset[str]
) -> Iterator[Phrase]:
    """A finished phrase, cut where two tokens together spell a stop word (the analyser
    may split ``부분품`` as ``부분 품``). Latin words after a Korean head (``진공펌프 XDS10``)
    are a phrase of their own, so a model name never hides that the Korean name was the
    head. A ``용`` at the end stays: ``반도체 제조용`` names no goods, it says what for."""
    pieces: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in stop:
            pieces.append([])
            i += 2
            continue
        pieces[-1].append(tokens[i])
        i += 1
    for piece in pieces:
        while piece and piece[0] == USE:
            piece.pop(0)
        if not piece or piece == [USE]:
            continue
        tail = latin_tail if piece is pieces[-1] else 0
        if korean and 0 < tail < len(piece):
            yield tuple(piece[:-tail])
            yield tuple(piece[-tail:])
        else:
            yield tuple(piece)


def _korean_tokens(
    text: str, nouns: tuple[str, ...], morphs: Iterable[Any] | None = None
) -> Iterator[_Token]:
    """Kiwi's morphemes as tokens: nouns (with their noun-making suffix), ``용``, breaks.

    ``morphs`` are the text's morphemes when already analysed (:meth:`Analyser.prime`).
    """
    previous: _Token | None = None
    prefix = ""
    if morphs is None:
        morphs = _kiwi(nouns).tokenize(text)
    for morph in morphs:
        tag = morph.tag
        form = morph.form
        start, end = morph.start, morph.start + morph.len
        if tag == _NOUN_PREFIX:
            prefix = form  # 초 + 전도 -> 초전도, 고 + 순도 -> 고순도
            continue
        if prefix:
            form, prefix = (prefix + form if tag in _NOUN_TAGS else form), ""
        if tag in _NOUN_TAGS:
            token = _Token(form, True, end, start)
        elif tag == _NOUN_SUFFIX and previous is not None and previous.noun:
            if form == USE:
                token = _Token(USE, True, end, start)
            elif previous.end == start and previous.form != USE:
                # 측정 + 기 -> 측정기: the suffix makes one noun of the one before it.
                previous = _Token(previous.form + form, True, end, previous.start)
                continue
            else:
                token = _Token(form, True, end, start)
        elif tag == _LATIN:
            word = form.lower()
            if previous is not None and previous.end == start and previous.form.isdigit():
                # 3 + D -> 3d: a number glued to letters is one word (3D, 500L).
                word = previous.form + word
                start = previous.start
                previous = None
            token = _Token(word, _is_word(word), end, start)
        else:
            predicate = tag.startswith(_PREDICATE_TAGS)
            token = _Token(form, False, end, start, predicate, number=tag == "SN")
        if previous is not None:
            yield previous
        previous = token
    if previous is not None:
        yield previous


def _latin_tokens(text: str) -> Iterator[_Token]:
    """Words of a text without Hangul: lower case; numbers and marks are breaks."""
    for m in _LATIN_SPLIT.finditer(text.lower()):
        word = m.group(0).rstrip(".'-")
        if not word:
            continue
        yield _Token(word, _is_word(word), m.end(), m.start(), number=word[0].isdigit())


def _is_word(word: str) -> bool:
    """A Latin token that can name goods: letters (``pump``, ``spin-forming``), or a
    short number-letter word (``3d``, ``5g``). A model or part number (``vp-200``,
    ``xds10``, ``500l``) identifies no goods and ends the phrase."""
    return _PLAIN_WORD.fullmatch(word) is not None or (
        _SHORT_DIGIT_WORD.fullmatch(word) is not None
    )


def phrases(text: str | None) -> tuple[Phrase, ...]:
    """The noun phrases of ``text`` with the packaged lexicon (see :class:`Analyser`)."""
    return default_analyser().phrases(text)


@functools.cache
def default_analyser() -> Analyser:
    """The one analyser of the process: its cache serves every version screened."""
    return Analyser()
