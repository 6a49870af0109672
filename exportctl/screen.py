"""Screening a product catalogue against one version of a control list.

Matching rules (DESIGN.md, "Matching semantics"), decided per catalogue row:

``invalid``
    The row has no usable HS code (blank, malformed or ambiguous). The row is
    reported with the reason, never dropped.
``controlled``
    A list entry without ``ex`` covers the code: the entry's digits are a prefix
    of the catalogue code (a heading ``8471`` covers ``8471.30.1000``). The
    longest such entry decides.
``review``
    A human must decide, because

    * only ``ex`` entries cover the code (part of the heading is controlled);
    * the catalogue code is shorter than a list entry it prefixes (catalogue
      ``8471.30``, entry ``8471.30.1000``): some goods under it are controlled;
    * an entry defined by name or specification (no HS code) shares words with
      the product description (see :class:`WordMatcher`).
``clear``
    Nothing above applies. When the version has entries defined by name and the
    row has no description, the reason says those entries were not checked; a
    catalogue where no row has one is not fully screened
    (:attr:`ScreenSummary.description_checked`).

A code that lost a zero and that neither its number format nor its column
settles is read when only one of its readings exists in HS 2022
(:func:`~exportctl.hscode.settle_lost_zeros`); the result carries the warning.

Lookups go through a prefix index (:class:`ScreenIndex`): at most one dict
lookup per code level (2/4/6/8/10 digits) for covering entries and one for the
entries under a short code, so a row costs the same whether the list has ten
entries or ten thousand. :func:`screen_rows` streams: it reads ahead a sample to
learn the code column's habits, then yields one :class:`ScreenResult` per row.

Example:
    >>> index = ScreenIndex.build(items, slug="kr-russia", label="2024-06")
    >>> summary = ScreenSummary()
    >>> for result in screen_rows(table.rows, index, summary=summary):
    ...     print(result.row, result.status, result.reason)
    >>> summary.to_json()
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from exportctl.bulk import paused_gc
from exportctl.hscode import (
    PROFILE_SAMPLE,
    CodeProblem,
    HSCode,
    learn_ahead,
    settle_lost_zeros,
)
from exportctl.models import ItemRecord

if TYPE_CHECKING:
    from exportctl.readers import ParsedRow

Status = Literal["controlled", "review", "clear", "invalid"]
STATUSES: tuple[Status, ...] = ("controlled", "review", "clear", "invalid")
"""Every status, most severe first (the order of summaries)."""

FAIL_ON: tuple[str, ...] = ("controlled", "review", "invalid")
"""What ``--fail-on`` takes; ``review`` also fails on controlled rows."""


SPECIFIC_WORD_MAX_ENTRIES = 2
"""A word found in at most this many list entries is specific enough to match alone."""

STOP_WORDS = frozenset(
    {
        # Korean: generic nouns, particles and connectives of list wording.
        "기타",
        "부분품",
        "부품",
        "부속품",
        "부속",
        "것",
        "및",
        "등",
        "또는",
        "그",
        "그밖",
        "그밖의",
        "이",
        "의",
        "용",
        "제품",
        "물품",
        "해당",
        "포함",
        "포함한",
        "제외",
        "제외한",
        "류",
        "이상",
        "이하",
        "미만",
        "초과",
        "경우",
        "사용",
        "사용하는",
        "사용되는",
        "위한",
        "만든",
        "제조된",
        "있는",
        "없는",
        "종류",
        "형태",
        "기준",
        "관련",
        "전용",
        "일반",
        "기계",
        "기계류",
        "기기",
        "장치",
        "장비",
        "설비",
        # English.
        "other",
        "others",
        "part",
        "parts",
        "accessory",
        "accessories",
        "and",
        "or",
        "of",
        "the",
        "a",
        "an",
        "for",
        "with",
        "without",
        "not",
        "in",
        "on",
        "by",
        "to",
        "from",
        "thereof",
        "therefor",
        "including",
        "excluding",
        "kind",
        "kinds",
        "used",
        "use",
        "type",
        "nes",
        "n.e.s",
        "article",
        "articles",
        "good",
        "goods",
        "product",
        "products",
        "item",
        "items",
        "whether",
        "etc",
        "than",
        "more",
        "less",
        "exceeding",
        "its",
        "which",
        "such",
        "as",
        "being",
        "made",
        "similar",
        "specified",
        "elsewhere",
        "machine",
        "machinery",
        "apparatus",
        "appliance",
        "equipment",
        "device",
    }
)
"""Words that never count towards a description match: generic list wording."""

# Korean particles and suffixes that glue onto nouns ("기계용" -> "기계").
_KOREAN_SUFFIXES = (
    "에서",
    "으로서",
    "으로써",
    "의",
    "을",
    "를",
    "은",
    "는",
    "및",
    "용",
    "들",
    "와",
    "과",
)
_TOKEN = re.compile(r"[0-9a-z]+|[가-힣]+")
_HANGUL = re.compile(r"[가-힣]")


def _canonical(token: str) -> str:
    """Fold one token: strip a Korean particle, an English plural ``s``."""
    if _HANGUL.match(token):
        if len(token) >= 3:
            for suffix in _KOREAN_SUFFIXES:
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
    return " ".join(t for t in (item.description, item.description_en, item.note) if t)


def entry_label(entry: ItemRecord) -> str:
    """How a result names an entry: ``entry No. 12 (ex 8471.30)``."""
    name = f"entry No. {entry.serial}" if entry.serial is not None else f"entry at row {entry.row}"
    if entry.code:
        return f"{name} ({'ex ' if entry.ex else ''}{HSCode(entry.code).dotted()})"
    return f"{name} (defined by name)"


class Match(NamedTuple):
    """The verdict of one code/description against one version.

    A named tuple rather than a dataclass: one is built per catalogue row.
    """

    status: Status
    """Outcome."""
    entry: ItemRecord | None
    """The deciding entry."""
    reason: str
    """One plain sentence."""
    words: tuple[str, ...] = ()
    """Words that matched a name entry, if that decided."""


class ScreenIndex:
    """A prefix index over the items of one version.

    ``covering`` maps each entry code to its entries, so the entries covering a
    catalogue code are found by looking up each of its prefixes of an entry
    length. ``under`` maps every proper prefix of an entry code to the entries
    below it, for catalogue codes broader than an entry.
    """

    def __init__(
        self,
        items: Sequence[ItemRecord],
        *,
        slug: str,
        label: str,
        effective: str | None = None,
    ) -> None:
        """Build the index.

        Args:
            items: The version's items in list order.
            slug: The list's slug.
            label: The version's label.
            effective: The version's effective date (ISO), for reports.
        """
        self.slug = slug
        self.label = label
        self.effective = effective
        self.size = len(items)
        covering: dict[str, list[ItemRecord]] = {}
        under: dict[str, list[ItemRecord]] = {}
        named: list[ItemRecord] = []
        for item in items:
            if not item.code:
                named.append(item)
                continue
            covering.setdefault(item.code, []).append(item)
            for cut in range(1, len(item.code)):
                under.setdefault(item.code[:cut], []).append(item)
        self.covering = covering
        self.under = under
        self.lengths = tuple(sorted({len(code) for code in covering}))
        self.words = WordMatcher(named, items)
        self._labels = {id(item): entry_label(item) for item in items}
        self._unchecked = (
            f"the row has no description, so the {len(named):,} list entries defined by "
            "name were not checked"
            if len(named) != 1
            else "the row has no description, so the list entry defined by name was not checked"
        )

    def label_of(self, entry: ItemRecord) -> str:
        """:func:`entry_label` of one of this index's entries, computed once."""
        found = self._labels.get(id(entry))
        return found if found is not None else entry_label(entry)

    @classmethod
    def build(
        cls,
        items: Sequence[ItemRecord],
        *,
        slug: str,
        label: str,
        effective: str | None = None,
    ) -> ScreenIndex:
        """Same as the constructor; reads better at call sites."""
        return cls(items, slug=slug, label=label, effective=effective)

    def match_code(
        self, code: str, description: str | None = None, *, shown: str | None = None
    ) -> Match:
        """Screen one normalised code and its product description.

        Args:
            code: Digits only (2 to 10 of them).
            description: The product description, for entries defined by name.
            shown: How to print the code in reasons (dotted from ``code`` when None).

        Returns:
            The verdict, naming the deciding entry.
        """
        best: ItemRecord | None = None
        best_ex: ItemRecord | None = None
        size = len(code)
        for length in self.lengths:
            if length > size:
                break
            for entry in self.covering.get(code[:length], ()):
                if entry.ex:
                    best_ex = entry
                else:
                    best = entry
        if shown is None:
            shown = HSCode(code).dotted()
        if best is not None:
            return Match("controlled", best, f"list {self.label_of(best)} covers {shown}")
        if best_ex is not None:
            return Match(
                "review",
                best_ex,
                f"list {self.label_of(best_ex)} covers only part of its heading; "
                f"check whether {shown} is the controlled part",
            )
        below = self.under.get(code)
        if below:
            more = f" and {len(below) - 1:,} more" if len(below) > 1 else ""
            return Match(
                "review",
                below[0],
                f"{shown} is broader than list {self.label_of(below[0])}{more}: "
                "some goods under it are controlled",
            )
        clear = f"no entry of {self.slug} {self.label} covers {shown}"
        if self.words:
            if not description:
                return Match("clear", None, f"{clear}; {self._unchecked}")
            hit = self.words.match(description)
            if hit is not None:
                return _word_match(hit)
        return Match("clear", None, clear)

    def match_description(self, description: str | None) -> WordHit | None:
        """The name entry a description matches, if any."""
        return self.words.match(description) if self.words else None


def _word_match(hit: WordHit) -> Match:
    return Match(
        "review",
        hit.entry,
        f"the description matches list {entry_label(hit.entry)} on the words "
        + ", ".join(f'"{w}"' for w in hit.words),
        hit.words,
    )


@dataclass(slots=True)
class ScreenResult:
    """The verdict on one catalogue row."""

    row: int
    """1-based row in the file (or sheet)."""
    sku: str | None
    """SKU as read."""
    description: str | None
    """Product description as read."""
    code: str | None
    """Normalised code (digits), None when the row has no usable code."""
    original_code: str | None
    """The code cell's text as found."""
    status: Status
    """Outcome against the version screened."""
    reason: str
    """One plain sentence saying why."""
    entry: ItemRecord | None = None
    """The deciding list entry."""
    words: tuple[str, ...] = ()
    """Words that matched a name entry."""
    previous_status: Status | None = None
    """Outcome against the compared (older) version, with ``--compare``."""
    previous_entry: ItemRecord | None = None
    """The entry that decided against the compared version."""
    extra: tuple[str | None, ...] = ()
    """The catalogue's other columns, aligned with :attr:`ScreenReport.extra_columns`."""
    warning: str | None = None
    """Set when the code was not read as written: ``code read as 0101.21: ...``."""

    @property
    def changed(self) -> bool:
        """True when a compared version gave a different status."""
        return self.previous_status is not None and self.previous_status != self.status

    @property
    def change(self) -> str:
        """``newly controlled``, ``newly for review``, ``no longer controlled``… or ``""``."""
        if not self.changed:
            return ""
        if self.status == "controlled":
            return "newly controlled"
        if self.previous_status == "controlled":
            return "no longer controlled"
        if self.status == "review" and self.previous_status == "clear":
            return "newly for review"
        return f"{self.previous_status} → {self.status}"

    @property
    def shown_code(self) -> str | None:
        """The code as people write it (``8471.30``), or the cell text when unusable."""
        return HSCode(self.code).dotted() if self.code else self.original_code

    def to_json(self) -> dict[str, Any]:
        """The row in the ``screen --format json`` shape."""
        return {
            "row": self.row,
            "sku": self.sku,
            "description": self.description,
            "code": self.code,
            "original_code": self.original_code,
            "status": self.status,
            "previous_status": self.previous_status,
            "entry": entry_json(self.entry),
            "words": list(self.words),
            "reason": self.reason,
            "warning": self.warning,
            "extra": list(self.extra),
        }


def entry_json(entry: ItemRecord | None) -> dict[str, Any] | None:
    """The ``{"serial", "code", "description"}`` object naming a deciding entry."""
    if entry is None:
        return None
    return {
        "serial": entry.serial,
        "code": entry.code,
        "ex": entry.ex,
        "description": entry.description,
    }


def fail_statuses(fail_on: str | Iterable[str]) -> tuple[str, ...]:
    """Parse ``--fail-on`` values: names from :data:`FAIL_ON`, comma-separated or apart.

    Args:
        fail_on: ``"review"``, ``"controlled,invalid"`` or ``["review", "invalid"]``.

    Returns:
        The names given, in order, each once.

    Raises:
        ValueError: An unknown name, or none at all.
    """
    parts = [fail_on] if isinstance(fail_on, str) else list(fail_on)
    names = [name.strip().lower() for part in parts for name in part.split(",")]
    names = [name for name in names if name]
    unknown = [name for name in names if name not in FAIL_ON]
    if unknown or not names:
        given = ", ".join(repr(name) for name in unknown) or "nothing"
        raise ValueError(f"--fail-on takes {', '.join(FAIL_ON)} (comma-separated), not {given}")
    return tuple(dict.fromkeys(names))


def failing_statuses(names: Iterable[str]) -> tuple[Status, ...]:
    """The row statuses that fail for ``names``; ``review`` brings ``controlled`` in."""
    wanted = set(names)
    if "review" in wanted:
        wanted.add("controlled")
    return tuple(status for status in STATUSES if status in wanted)


@dataclass(slots=True)
class ScreenSummary:
    """Counts of a screening run, filled while results stream."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    """Rows per status."""
    total: int = 0
    """Rows screened."""
    changes: Counter[str] = field(default_factory=Counter)
    """With a compared version: rows per change (``newly controlled``…)."""
    compared: bool = False
    """True when a previous version was screened too."""
    name_entries: int = 0
    """Entries of the version defined by name (no HS code): only a description finds them."""
    description_column: str | None = None
    """Header of the catalogue's description column; None when it has none."""
    described: int = 0
    """Rows with a description."""
    recovered: int = 0
    """Rows whose code was read with zeros put back (each carries a warning)."""

    def add(self, result: ScreenResult) -> None:
        """Count one result."""
        self.total += 1
        self.counts[result.status] += 1
        if result.description:
            self.described += 1
        if result.warning is not None:
            self.recovered += 1
        if result.previous_status is not None:
            self.compared = True
            if result.previous_status != result.status:
                self.changes[result.change] += 1

    @property
    def changed(self) -> int:
        """Rows whose status differs between the compared versions."""
        return sum(self.changes.values())

    @property
    def description_checked(self) -> bool:
        """False when the version has entries defined by name and no row had a description.

        Complete once every result has been counted.
        """
        return self.name_entries == 0 or self.total == 0 or self.described > 0

    @property
    def description_warning(self) -> str | None:
        """The sentence saying the name entries were not checked, or None when they were."""
        if self.description_checked:
            return None
        n = self.name_entries
        entries = (
            f"the {n:,} list entries defined by name (no HS code) were NOT checked"
            if n != 1
            else "the list entry defined by name (no HS code) was NOT checked"
        )
        if self.description_column is None:
            return (
                f"no description column: {entries}; map the column with --column description=HEADER"
            )
        return (
            f'the description column "{self.description_column}" is empty in every row: '
            f"{entries}; fill it in or map another column with --column description=HEADER"
        )

    @property
    def warnings(self) -> list[str]:
        """Plain sentences about what the run could not do as asked (empty when none)."""
        found: list[str] = []
        warning = self.description_warning
        if warning is not None:
            found.append(warning)
        if self.recovered:
            found.append(
                f"{self.recovered:,} codes were read with zeros put back "
                "(each such row's reason says how); check them"
            )
        return found

    def hits(self, fail_on: str | Iterable[str]) -> int:
        """Rows whose status fails ``fail_on`` (see :func:`fail_statuses`).

        ``controlled`` counts controlled rows; ``review`` counts controlled and
        review rows (a row worse than review fails too); ``invalid`` counts
        invalid rows. Several names add up.

        Raises:
            ValueError: ``fail_on`` names something else.
        """
        return sum(self.counts[status] for status in failing_statuses(fail_statuses(fail_on)))

    def failures(self, fail_on: str | Iterable[str]) -> list[str]:
        """Why the run fails ``fail_on``, one sentence each; empty when it passes.

        Rows count as in :meth:`hits`, named per status. With ``review``, a run
        whose descriptions could not be checked fails too, rows or not: a name
        entry that was not checked is not clear.

        Raises:
            ValueError: ``fail_on`` names something else.
        """
        names = fail_statuses(fail_on)
        flag = f"--fail-on {','.join(names)}"
        reasons: list[str] = []
        statuses = failing_statuses(names)
        hits = sum(self.counts[status] for status in statuses)
        if hits:
            each = ", ".join(
                f"{self.counts[status]:,} {status}" for status in statuses if self.counts[status]
            )
            rows = "1 row fails" if hits == 1 else f"{hits:,} rows fail"
            reasons.append(f"{rows} {flag}: {each}.")
        warning = self.description_warning
        if "review" in names and warning is not None:
            reasons.append(f"{flag}: {warning}.")
        return reasons

    def to_json(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON report."""
        data: dict[str, Any] = {status: self.counts[status] for status in STATUSES}
        data["total"] = self.total
        data["description_checked"] = self.description_checked
        data["recovered"] = self.recovered
        if self.compared:
            data["changed"] = self.changed
            data["newly_controlled"] = self.changes["newly controlled"]
            data["no_longer_controlled"] = self.changes["no longer controlled"]
            data["changes"] = dict(sorted(self.changes.items()))
        return data


def screen_code(
    index: ScreenIndex,
    result: HSCode | CodeProblem | None,
    description: str | None,
) -> Match:
    """Screen one normalised code cell (or its problem) and its description.

    A problem of lost zeros is first given to :func:`settle_lost_zeros`.
    """
    if isinstance(result, CodeProblem):
        result = settle_lost_zeros(result)
    if isinstance(result, HSCode):
        match = index.match_code(result.digits, description, shown=result.dotted())
        if result.recovered:
            return Match(
                match.status,
                match.entry,
                f"{match.reason} (code read as {result.dotted()}: {result.recovered})",
                match.words,
            )
        return match
    if isinstance(result, CodeProblem):
        reason = (
            result.reason if result.reason.startswith('"') else f'"{result.raw}" {result.reason}'
        )
    else:
        reason = "the row has no HS code"
    hit = index.match_description(description)
    if hit is not None:
        words_text = ", ".join(f'"{w}"' for w in hit.words)
        reason += f"; its description also matches list {entry_label(hit.entry)} on {words_text}"
        return Match("invalid", hit.entry, reason, hit.words)
    return Match("invalid", None, reason)


def screen_rows(
    rows: Iterable[ParsedRow],
    index: ScreenIndex,
    *,
    previous: ScreenIndex | None = None,
    summary: ScreenSummary | None = None,
    sample: int = PROFILE_SAMPLE,
) -> Iterator[ScreenResult]:
    """Screen catalogue rows one by one, in file order.

    The first ``sample`` rows are read ahead to learn how the code column is
    written (:meth:`ColumnProfile.learn`); after that rows stream, so memory
    does not grow with the catalogue.

    Args:
        rows: Parsed rows with ``sku``, ``description`` and the ``code`` cell.
        index: The version to screen against.
        previous: An older version to compare with; fills ``previous_status``.
        summary: Counts are added here as results are yielded.
        sample: Rows read ahead to learn the code column.

    Yields:
        One result per row, invalid rows included, with the row's
        :attr:`~exportctl.readers.ParsedRow.extra` cells.
    """
    if summary is not None:
        summary.name_entries = len(index.words.entries)
    profile, rows = learn_ahead(rows, operator.attrgetter("code"), sample)
    normalise = profile.normalise
    match_code = index.match_code
    for parsed in rows:
        cell = parsed.code
        normalised = normalise(cell) if cell is not None and cell.text else None
        values = parsed.values
        description = values.get("description")
        code: str | None = None
        warning: str | None = None
        if isinstance(normalised, HSCode) and normalised.recovered is None:
            # screen_code() without the call: most rows hold a code read as written.
            code = normalised.digits
            match = match_code(code, description, shown=normalised.dotted())
        else:
            # Only cells not read as written pay for the nomenclature look-up.
            if isinstance(normalised, CodeProblem):
                normalised = settle_lost_zeros(normalised)
            if isinstance(normalised, HSCode):
                code = normalised.digits
                warning = f"code read as {normalised.dotted()}: {normalised.recovered}"
            match = screen_code(index, normalised, description)
        # Positional: one is built per row (field order of ScreenResult).
        result = ScreenResult(
            parsed.row,
            values.get("sku"),
            description,
            code,
            cell.text if cell is not None else None,
            match.status,
            match.reason,
            match.entry,
            match.words,
            None,
            None,
            parsed.extra,
            warning,
        )
        if previous is not None:
            before = screen_code(previous, normalised, description)
            result.previous_status = before.status
            result.previous_entry = before.entry
        if summary is not None:
            summary.add(result)
        yield result


@dataclass
class ScreenReport:
    """A screening run: what was screened against what, and its results as a stream.

    ``results`` can be read once; ``summary`` is complete after it has been read
    to the end (writers in :mod:`exportctl.reports.screening` do that).
    """

    slug: str
    """List screened against."""
    version: str
    """Label of the version screened against."""
    effective: str | None
    """That version's effective date (ISO)."""
    compare: str | None
    """Label of the older version compared with, if any."""
    file: str
    """Catalogue file name."""
    sheet: str | None
    """Catalogue sheet read (None for CSV)."""
    sha256: str
    """SHA-256 of the catalogue file."""
    columns: dict[str, str]
    """Field -> catalogue header used."""
    results: Iterator[ScreenResult]
    """One result per catalogue row, in file order (one pass)."""
    summary: ScreenSummary = field(default_factory=ScreenSummary)
    """Counts, filled while ``results`` is read."""
    notes: list[str] = field(default_factory=list)
    """Plain sentences about the catalogue (unmapped columns, reader notes); readers add
    some (skipped footnote rows) while ``results`` is read, so it is complete after."""
    extra_columns: list[str] = field(default_factory=list)
    """Headers of the catalogue's other columns, as written; results carry their cells
    in :attr:`ScreenResult.extra` and the reports copy them beside the verdict."""
    status: str = "approved"
    """Status of the version screened against: ``draft`` only with ``--include-drafts``
    (or a label naming a draft), ``withdrawn`` only by label."""

    def __post_init__(self) -> None:
        self.summary.description_column = self.columns.get("description")

    @property
    def description_checked(self) -> bool:
        """See :attr:`ScreenSummary.description_checked` (complete after ``results``)."""
        return self.summary.description_checked

    @property
    def warnings(self) -> list[str]:
        """See :attr:`ScreenSummary.warnings` (complete after ``results``)."""
        return self.summary.warnings

    def header_json(self) -> dict[str, Any]:
        """Everything of the JSON report but ``summary`` and ``rows``."""
        return {
            "list": self.slug,
            "version": self.version,
            "effective": self.effective,
            "compare": self.compare,
            "file": self.file,
            "sheet": self.sheet,
            "sha256": self.sha256,
            "status": self.status,
            "description_checked": self.description_checked,
            "warnings": self.warnings,
            "extra_columns": list(self.extra_columns),
        }

    @paused_gc()
    def drain(self) -> ScreenSummary:
        """Read the remaining results, only to count them; returns the summary."""
        for _ in self.results:
            pass
        return self.summary
