"""The verdict on one code against one version of a list.

This module owns the statuses (:data:`STATUSES`), the prefix index over a
version's entries (:class:`ScreenIndex`) and the verdict it gives a normalised
code and its description (:class:`Match`), and :func:`screen_code`, which
first reads a code that lost its zeros when HS 2022 settles it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from exportctl.hscode import CodeProblem, HSCode, settle_lost_zeros
from exportctl.models import ItemRecord, SubItem
from exportctl.screen.references import References, sub_item_phrase
from exportctl.screen.words import WordHit, WordMatcher, words

Status = Literal["controlled", "review", "clear", "invalid"]
STATUSES: tuple[Status, ...] = ("controlled", "review", "clear", "invalid")
"""Every status, most severe first (the order of summaries)."""


def entry_label(entry: ItemRecord, *, sectioned: bool = False) -> str:
    """How a result names an entry: ``entry No. 12 (ex 8471.30)``.

    Args:
        entry: The entry.
        sectioned: The version has several parts: say which (``entry No. 3의2 of part 2``).
    """
    name = f"entry No. {entry.serial}" if entry.serial is not None else f"entry at row {entry.row}"
    if sectioned:
        name += f" of part {entry.section}"
    if entry.code:
        return f"{name} ({'ex ' if entry.ex else ''}{HSCode(entry.code).dotted()})"
    if entry.sub_items:
        return f"{name} (defined by specification)"
    return f"{name} (defined by name)"


def matching_sub_item(entry: ItemRecord, found: Sequence[str]) -> SubItem | None:
    """The first sub-item of ``entry`` whose text holds one of the words ``found``."""
    wanted = set(found)
    for sub in entry.sub_items:
        if wanted.intersection(words(sub.text)):
            return sub
    return None


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
        sections: Mapping[int, str] | None = None,
    ) -> None:
        """Build the index.

        Args:
            items: The version's items in list order.
            slug: The list's slug.
            label: The version's label.
            effective: The version's effective date (ISO), for reports.
            sections: The version's parts, number -> title; with several, reasons
                name the part of the deciding entry.
        """
        self.slug = slug
        self.sections = dict(sections or {})
        self.sectioned = len(self.sections) > 1 or any(item.section != 1 for item in items)
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
        self.references = References(items)
        self._labels = {id(item): entry_label(item, sectioned=self.sectioned) for item in items}
        self._unchecked = (
            f"the row has no description, so the {len(named):,} list entries defined by "
            "name were not checked"
            if len(named) != 1
            else "the row has no description, so the list entry defined by name was not checked"
        )

    def label_of(self, entry: ItemRecord) -> str:
        """:func:`entry_label` of one of this index's entries, computed once."""
        found = self._labels.get(id(entry))
        return found if found is not None else entry_label(entry, sectioned=self.sectioned)

    @classmethod
    def build(
        cls,
        items: Sequence[ItemRecord],
        *,
        slug: str,
        label: str,
        effective: str | None = None,
        sections: Mapping[int, str] | None = None,
    ) -> ScreenIndex:
        """Same as the constructor; reads better at call sites."""
        return cls(items, slug=slug, label=label, effective=effective, sections=sections)

    def match_code(
        self,
        code: str,
        description: str | None = None,
        *,
        shown: str | None = None,
        classification: str | None = None,
    ) -> Match:
        """Screen one normalised code, its product description and its classification.

        After the code's own entries: a classification naming (or refining, or
        broader than) an Annex 2 control number an entry refers to, then an HS code
        an entry's text mentions, then the words of entries defined by name or
        specification; each gives ``review`` naming the entry (and the sub-item).

        Args:
            code: Digits only (2 to 10 of them).
            description: The product description, for entries defined by name.
            shown: How to print the code in reasons (dotted from ``code`` when None).
            classification: The catalogue's control number for the product
                (``3A001.a.3``), if it has that column.

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
        if classification:
            found = self.match_classification(classification)
            if found is not None:
                return found
        if self.references.codes:
            ref = self.references.by_code(code)
            if ref is not None:
                sub = sub_item_phrase(ref.sub_item)
                return Match(
                    "review",
                    ref.entry,
                    f"list {self.label_of(ref.entry)} mentions {HSCode(ref.value).dotted()}"
                    f"{f' in {sub}' if sub else ''}: its goods may be covered; read the entry",
                )
        clear = f"no entry of {self.slug} {self.label} covers {shown}"
        if self.words:
            if not description:
                return Match("clear", None, f"{clear}; {self._unchecked}")
            hit = self.words.match(description)
            if hit is not None:
                return self.word_match(hit)
        return Match("clear", None, clear)

    def match_classification(self, classification: str) -> Match | None:
        """``review`` when a catalogue classification meets a control number of an entry."""
        found = self.references.by_classification(classification)
        if found is None:
            return None
        ref, number, exact = found
        sub = sub_item_phrase(ref.sub_item)
        where = f"list {self.label_of(ref.entry)}{f', {sub},' if sub else ''}"
        if exact:
            reason = (
                f"the catalogue's classification {number} falls under {ref.value}, named by "
                f"{where} which covers it"
            )
        else:
            reason = (
                f"the catalogue's classification {number} is broader than {ref.value}, named "
                f"by {where} which possibly covers it"
            )
        return Match("review", ref.entry, f"{reason}; read the entry")

    def match_description(self, description: str | None) -> WordHit | None:
        """The name entry a description matches, if any."""
        return self.words.match(description) if self.words else None

    def word_match(self, hit: WordHit) -> Match:
        """The ``review`` verdict of a description matching an entry without a code."""
        sub = sub_item_phrase(matching_sub_item(hit.entry, hit.words))
        return Match(
            "review",
            hit.entry,
            f"the description matches list {self.label_of(hit.entry)}"
            f"{f', {sub},' if sub else ''} on the words " + ", ".join(f'"{w}"' for w in hit.words),
            hit.words,
        )


def screen_code(
    index: ScreenIndex,
    result: HSCode | CodeProblem | None,
    description: str | None,
    classification: str | None = None,
) -> Match:
    """Screen one normalised code cell (or its problem), its description and classification.

    A problem of lost zeros is first given to :func:`settle_lost_zeros`.
    """
    if isinstance(result, CodeProblem):
        result = settle_lost_zeros(result)
    if isinstance(result, HSCode):
        match = index.match_code(
            result.digits, description, shown=result.dotted(), classification=classification
        )
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
        reason += f"; its description also matches list {index.label_of(hit.entry)} on {words_text}"
        return Match("invalid", hit.entry, reason, hit.words)
    return Match("invalid", None, reason)
