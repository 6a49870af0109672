"""What sends a row to review when no code entry decides: evidence, weighed in one place.

An entry defined by name or specification (no HS code of its own) is found by a
product's description. A shared word is not enough: officers who get thousands
of reviews on ``으로`` or ``시험`` stop reading them. Each kind of evidence has a
weight (:data:`WEIGHTS`); a row goes to review when the evidence for one entry
reaches :data:`REVIEW_AT`.

Kinds of evidence, from the noun phrases of :mod:`exportctl.screen.nouns`:

``name``
    The entry's name is the head of a phrase of the description: ``3차원
    좌표측정기`` for ``좌표측정기로서 2B006.a에 해당하는 것``. Decides alone.
``class-name``
    The name of an entry defined by its sub-items ("집적회로로서 다음 각 목의 어느
    하나에 해당하는 것"): only some goods of that name are meant. Needs a plausible
    chapter.
``name-in-compound``
    A one-noun name ends a longer compound (``젖염소`` ⊃ ``염소``): a kind of the
    named goods, or a homonym. Needs a plausible HS chapter.
``head-and-modifiers`` / ``head-and-modifier``
    The phrase's head is the name's head and most of the name's other nouns are
    there (``가스 압축기`` for ``고압 가스 압축기``): decides alone unless
    the chapter is implausible; fewer
    (``공작 스핀들`` for ``수치제어 공작기계용 스핀들``) needs a plausible
    chapter.
``name-as-modifier`` / ``head-only``
    The whole name, but something else is the head (``진공펌프 오일``), or the
    head alone. Never enough, even in a plausible chapter.
``cas``
    A CAS number of the entry in the description or the CAS column. Decides alone.
``chapter``
    The row's HS chapter is one where the entry's goods are plausibly classified
    (from the codes the entry mentions and its control numbers' categories,
    :func:`~exportctl.screen.lexicon.control_chapters`): adds; a chapter where they
    are not takes away. Unknown (no code, or an entry that says nothing of
    chapters) is neutral.

The catalogue's control numbers and the codes an entry mentions are evidence
too (:mod:`exportctl.screen.references`); their weights are here, both deciding.

Matching is split so that a column engine can run it over whole columns:
:meth:`NameMatcher.hits` depends on the description only (computed once per
distinct description), :func:`decide` adds the row's chapter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from exportctl.models import ItemRecord, SubItem
from exportctl.screen.lexicon import control_chapters
from exportctl.screen.nouns import USE, Analyser, Phrase, cas_numbers, default_analyser

__all__ = [
    "REVIEW_AT",
    "WEIGHTS",
    "Hit",
    "NameMatcher",
    "Verdict",
    "decide",
    "entry_chapters",
]

WEIGHTS: Mapping[str, int] = {
    "name": 5,
    "cas": 5,
    "control-number": 5,
    "mentioned-code": 5,
    "head-and-modifiers": 3,
    "name-in-compound": 2,
    "class-name": 2,
    "head-and-modifier": 2,
    "name-as-modifier": 1,
    "head-only": 1,
    "chapter-plausible": 1,
    "chapter-implausible": -2,
}
"""The weight of each kind of evidence. The whole table is the policy: a test pins
which combinations reach :data:`REVIEW_AT` and which do not."""

REVIEW_AT = 3
"""Total weight from which a row goes to review: a name decides alone; a compound or
partial name needs a plausible chapter; a shared modifier or head never suffices."""


class Hit(NamedTuple):
    """The best evidence a description gives for one entry (before the row's chapter)."""

    entry: ItemRecord
    """The entry."""
    kind: str
    """Kind of evidence (a key of :data:`WEIGHTS`)."""
    words: tuple[str, ...]
    """The words that matched: the entry's name as the description has it, or the CAS."""
    sub_item: SubItem | None
    """The sub-item whose name matched, when not the entry's own."""
    position: int
    """The entry's position among the matcher's entries (ties go to the first)."""


class Verdict(NamedTuple):
    """Evidence for one entry, weighed with the row's chapter."""

    hit: Hit
    """The description's evidence."""
    chapter: str | None
    """``plausible``, ``implausible`` or None (unknown)."""
    score: int
    """Total weight."""
    code: str | None = None
    """The row's code the chapter was taken from."""

    @property
    def review(self) -> bool:
        """True when the weight reaches :data:`REVIEW_AT`."""
        return self.score >= REVIEW_AT

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind that fired, the chapter's too."""
        if self.chapter is None:
            return (self.hit.kind,)
        return (self.hit.kind, f"chapter-{self.chapter}")


class _Name(NamedTuple):
    tokens: Phrase
    joined: str
    nouns: frozenset[str]
    """The name's nouns but its head (``용`` is no noun)."""
    size: int
    """Nouns in the name, the head included."""
    sub_item: SubItem | None
    entry_has_subs: bool
    """The entry is defined by its sub-items: its own name names a class."""
    weak: bool = False
    """A lone noun before a generic one (격리 장비, 레이더 장비): it may say what kind
    rather than what goods, so alone it needs a plausible chapter."""


def entry_chapters(entry: ItemRecord) -> frozenset[str]:
    """HS chapters where an entry's goods are plausibly classified; empty when unknown.

    From the codes its text mentions and the categories of its control numbers
    (its own and its sub-items'), through :func:`control_chapters`.
    """
    chapters = {code[:2] for code in entry.mentioned_codes}
    table = control_chapters()
    numbers = list(entry.control_numbers)
    for sub in entry.every_sub_item():
        numbers.extend(sub.control_numbers)
    for number in numbers:
        found = table.get(number[:2].upper())
        if found:
            chapters.update(found)
    return frozenset(chapters)


class NameMatcher:
    """Finds the entries without an HS code a description names, with the evidence.

    Built once per version from its entries defined by name or specification.
    """

    def __init__(self, entries: Sequence[ItemRecord], analyser: Analyser | None = None) -> None:
        self.entries = tuple(entries)
        self._analyser = analyser
        self._names: list[list[_Name]] = []
        self._by_head: dict[str, list[tuple[int, _Name]]] = {}
        self._by_joined: dict[str, list[tuple[int, _Name]]] = {}
        self._cas: dict[str, list[int]] = {}
        self._chapters = [entry_chapters(entry) for entry in self.entries]
        self._could: re.Pattern[str] | None = None
        self._needles: tuple[str, ...] = ()
        self._built = False
        self._hits: dict[str, tuple[Hit, ...]] = {}

    @property
    def analyser(self) -> Analyser:
        """The analyser (loaded on first use: its model costs seconds and memory)."""
        if self._analyser is None:
            self._analyser = default_analyser()
        return self._analyser

    def _build(self) -> None:
        """Analyse the entries' names, on the first description: a run that screens no
        description (``check``, a catalogue of codes) never loads the analyser."""
        self._built = True
        for position, entry in enumerate(self.entries):
            names = self._entry_names(entry)
            self._names.append(names)
            for name in names:
                self._by_head.setdefault(name.tokens[-1], []).append((position, name))
                self._by_joined.setdefault(name.joined, []).append((position, name))
            for number in _entry_cas(entry):
                self._cas.setdefault(number, []).append(position)
        # A description holding none of the entries' head nouns, nor a word of a
        # synonym, cannot name an entry: it is not analysed at all (the common case,
        # and the costly step skipped). English words are looked for by their first
        # letters, since the text may spell a plural.
        needles = {_needle(w) for w in (*self._by_head, *self.analyser.variant_words())}
        needles.discard("")
        ordered = sorted(needles, key=len, reverse=True)
        pattern = "|".join(re.escape(n) for n in ordered)
        self._could = re.compile(pattern, re.IGNORECASE) if self._by_head and pattern else None
        self._needles = tuple(ordered) if self._could is not None else ()

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __getstate__(self) -> dict[str, object]:
        # Sent to another process: the evidence found per description stays behind.
        state = dict(self.__dict__)
        state["_hits"] = {}
        return state

    def needles(self) -> tuple[str, ...]:
        """What a description must contain, case aside, for its words to be analysed:
        the entries' head nouns and the synonyms' last words (a Latin word by its stem).
        A description holding none of them gets no evidence from its words, only from
        CAS numbers (:attr:`has_cas`); empty when no entry has a name to look for."""
        if not self._built:
            self._build()
        return self._needles

    @property
    def has_cas(self) -> bool:
        """Whether an entry names a CAS number (a description or CAS cell may then
        give evidence without any of the :meth:`needles`)."""
        if not self._built:
            self._build()
        return bool(self._cas)

    def _entry_names(self, entry: ItemRecord) -> list[_Name]:
        names: list[_Name] = []
        seen: set[str] = set()
        texts: list[tuple[str | None, SubItem | None]] = [
            (entry.description, None),
            (entry.description_en, None),
        ]
        texts += [(sub.full_text, sub) for sub in entry.every_sub_item()]
        for text, sub in texts:
            for part in _name_texts(text, self.analyser.lexicon.name_ends):
                for phrase, weak in self.analyser.name_phrases(part):
                    joined = "".join(phrase)
                    if joined in seen:
                        if sub is not None:
                            # "무인항공기로서 9A012.a에 해당하는 것" under 무인항공기 …: the
                            # sub-item names the goods themselves, not a class.
                            names = [
                                n._replace(sub_item=sub)
                                if n.joined == joined and n.sub_item is None
                                else n
                                for n in names
                            ]
                        continue
                    seen.add(joined)
                    nouns = [t for t in phrase if t != USE]
                    if sub is not None and any(n.joined.endswith(joined) for n in names):
                        continue  # "Cameras specified in 6A003.b.4" under thermal cameras
                    names.append(
                        _Name(
                            phrase,
                            joined,
                            frozenset(nouns[:-1]),
                            len(nouns),
                            sub,
                            bool(entry.sub_items),
                            weak,
                        )
                    )
        return names

    def names(self, entry: ItemRecord) -> list[Phrase]:
        """The names an entry is known by (its own, its sub-items', their aliases)."""
        if not self._built:
            self._build()
        for position, known in enumerate(self.entries):
            if known is entry:
                return [name.tokens for name in self._names[position]]
        return []

    def prime(self, descriptions: Iterable[str | None]) -> None:
        """Analyse together the words of those ``descriptions`` that :meth:`hits` would
        analyse one by one (see :meth:`~exportctl.screen.nouns.Analyser.prime`)."""
        if not self._built:
            self._build()
        could = self._could
        if could is not None:
            self.analyser.prime(text for text in descriptions if text and could.search(text))

    def hits(self, description: str | None, cas: str | None = None) -> tuple[Hit, ...]:
        """The evidence ``description`` (and a CAS column) gives, best hit per entry.

        Cached per distinct description: rows repeat them.
        """
        if not description and not cas:
            return ()
        key = f"{description or ''}\x00{cas or ''}"
        found = self._hits.get(key)
        if found is None:
            found = self._find(description or "", cas)
            if len(self._hits) >= 200_000:
                self._hits.clear()
            self._hits[key] = found
        return found

    def _find(self, description: str, cas: str | None) -> tuple[Hit, ...]:
        if not self._built:
            self._build()
        best: dict[int, Hit] = {}
        if self._cas:
            for number in (*cas_numbers(description), *cas_numbers(cas)):
                for position in self._cas.get(number, ()):
                    best[position] = Hit(self.entries[position], "cas", (number,), None, position)
        if self._could is not None and self._could.search(description):
            for phrase in self.analyser.phrases(description):
                self._phrase_hits(phrase, best)
        return tuple(best[p] for p in sorted(best))

    def _phrase_hits(self, phrase: Phrase, best: dict[int, Hit]) -> None:
        forms = self.analyser.lexicon.forms
        self._weigh(phrase, best)
        # 마레이징강 봉, 위성항법 수신기 모듈: a form the goods come in leaves the name
        # before it the goods.
        while len(phrase) > 1 and phrase[-1] in forms:
            phrase = phrase[:-1]
            self._weigh(phrase, best)

    def _weigh(self, phrase: Phrase, best: dict[int, Hit]) -> None:
        joined = "".join(phrase)
        offsets = [0]
        for token in phrase:
            offsets.append(offsets[-1] + len(token))
        bounds = set(offsets)
        head = phrase[-1]
        tokens = set(phrase)
        # Candidates: names spelt by a run of whole tokens (the analyser may write a
        # name as one token or several), and names sharing the phrase's head noun.
        candidates: dict[int, list[tuple[int, _Name]]] = {}
        for i, start in enumerate(offsets[:-1]):
            for stop in offsets[i + 1 :]:
                for found in self._by_joined.get(joined[start:stop], ()):
                    candidates.setdefault(id(found[1]), []).append(found)
        for found in self._by_head.get(head, ()):
            candidates.setdefault(id(found[1]), []).append(found)
        for (position, name), *_ in candidates.values():
            kind = _kind(phrase, joined, bounds, head, tokens, name)
            if kind is None:
                continue
            if kind == "name" and name.weak:
                kind = "head-and-modifier"
            elif kind.startswith("head-and") and _purposes_differ(phrase, name.tokens):
                kind = "head-only"  # 선박용 내연기관 is not 항공기용 … 내연기관
            elif kind == "name" and name.sub_item is None and name.entry_has_subs:
                kind = "class-name"
            known = best.get(position)
            if known is None or WEIGHTS[kind] > WEIGHTS[known.kind]:
                words = name.tokens if kind != "head-only" else (head,)
                best[position] = Hit(self.entries[position], kind, words, name.sub_item, position)

    def decide(self, hits: Sequence[Hit], code: str | None) -> Verdict | None:
        """The verdict for the row: the best-weighed entry, or None without evidence.

        Args:
            hits: :meth:`hits` of the row's description.
            code: The row's HS code (digits), for the chapter; None when unknown.
        """
        return decide(hits, code, self._chapters)


def decide(
    hits: Sequence[Hit], code: str | None, chapters: Sequence[frozenset[str]]
) -> Verdict | None:
    """Weigh each hit with the row's chapter and keep the heaviest (the first on ties).

    Args:
        hits: The description's evidence.
        code: The row's code (digits) or None.
        chapters: Per entry position, the chapters its goods are plausible in.
    """
    best: Verdict | None = None
    chapter = code[:2] if code else None
    for hit in hits:
        plausible = chapters[hit.position]
        if chapter is None or not plausible or hit.kind in _DECIDING:
            state = None
        else:
            state = "plausible" if chapter in plausible else "implausible"
        score = WEIGHTS[hit.kind] + (WEIGHTS[f"chapter-{state}"] if state else 0)
        if best is None or score > best.score:
            best = Verdict(hit, state, score, code)
    return best


_DECIDING = frozenset({"name", "cas"})
"""Evidence the chapter does not weigh: a whole name or a CAS number names the goods
whatever code the row carries (a wrong code is exactly what screening must catch)."""


def _kind(
    phrase: Phrase,
    joined: str,
    bounds: set[int],
    head: str,
    tokens: set[str],
    name: _Name,
) -> str | None:
    """How a description phrase relates to one name, or None when it does not."""
    target = name.joined
    start = len(joined) - len(target)
    if joined.endswith(target) and start in bounds:
        if start == 0 or name.size > 1 or _after_use(phrase, start) or _specific(target):
            return "name"  # 레저용 요트: a purpose before the name leaves it the goods
        return "name-in-compound"
    start = joined.find(target)
    while start >= 0:
        if start in bounds and start + len(target) in bounds:
            return "name-as-modifier"
        start = joined.find(target, start + 1)
    if head == name.tokens[-1]:
        shared = len(name.nouns & tokens)
        if not shared:
            return "head-only"
        return "head-and-modifiers" if 2 * shared > len(name.nouns) else "head-and-modifier"
    return None


SHORT_NAME = 3
"""Hangul letters up to which a one-word name may be a homonym inside a compound
(염소 the goat in 젖염소, 중수 in 중수도): such a name needs its chapter. A longer
Korean noun (무인항공기, 좌표측정기) names the same goods wherever it ends a phrase.
An English word is always weighed (radar, camera)."""


def _specific(word: str) -> bool:
    return len(word) > SHORT_NAME and _HANGUL_RE.fullmatch(word) is not None


def _purposes_differ(phrase: Phrase, name: Phrase) -> bool:
    """Whether both say what they are for (``X용``) and say different things."""
    ours, theirs = _purpose(phrase), _purpose(name)
    return ours is not None and theirs is not None and ours != theirs


def _purpose(phrase: Phrase) -> str | None:
    for i, token in enumerate(phrase[1:], 1):
        if token == USE:
            return phrase[i - 1]
    return None


def _after_use(phrase: Phrase, start: int) -> bool:
    """Whether the token just before offset ``start`` of the joined phrase is ``용``."""
    offset = 0
    for token in phrase:
        offset += len(token)
        if offset == start:
            return token == USE
    return False


def _name_texts(text: str | None, ends: Sequence[str]) -> list[str]:
    """The parts of an entry's text that name goods: each language's part up to where
    its specification begins, and aliases in parentheses that hold no number."""
    if not text:
        return []
    found: list[str] = []
    for part in text.split(" / "):
        aliases = [a for a in _PARENS.findall(part) if not any(c.isdigit() for c in a)]
        bare = _PARENS.sub(" ", part)
        cut = len(bare)
        lowered = bare.lower()
        for end in ends:
            at = lowered.find(end)
            if 0 < at < cut:
                cut = at
        found.append(bare[:cut])
        found.extend(aliases)
    return found


_PARENS = re.compile(r"\(([^()]*)\)")
_LATIN_RE = re.compile(r"[a-z]")
_HANGUL_RE = re.compile(r"[가-힣]+")


def _needle(word: str) -> str:
    """What a text must contain to hold ``word``: a Latin word's stem, a Korean word."""
    if _LATIN_RE.match(word):
        return word[: max(3, len(word) - 3)]
    return word


def _entry_cas(entry: ItemRecord) -> tuple[str, ...]:
    texts = [entry.description, entry.description_en, entry.note]
    texts += [sub.full_text for sub in entry.every_sub_item()]
    found: dict[str, None] = {}
    for text in texts:
        for number in cas_numbers(text):
            found.setdefault(number, None)
    return tuple(found)
