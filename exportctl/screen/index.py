"""The verdict on one code against one version of a list.

This module owns the statuses (:data:`STATUSES`), the prefix index over a
version's entries (:class:`ScreenIndex`) and the verdict it gives a normalised
code and its description (:class:`Match`), and :func:`screen_code`, the
verdict on a code cell as :func:`~exportctl.hscode.read_code` read it (each
reading screened when it has several).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from exportctl.hscode import (
    CodeProblem,
    CodeReading,
    CoverageIndex,
    HSCode,
    Readings,
    Span,
)
from exportctl.models import ItemRecord, SubItem
from exportctl.screen.references import References, sub_item_phrase
from exportctl.screen.words import WordHit, WordMatcher, words

if TYPE_CHECKING:
    from exportctl.profiles import Profile

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
        return f"{name} ({Span(entry.code, entry.code_end, entry.ex)})"
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
    """The entries of one version, indexed by what they cover.

    ``coverage`` (:class:`~exportctl.hscode.CoverageIndex`) answers which entries
    cover a catalogue code (by level, range, ``ex``) and which lie under a code
    broader than them: the one rule validation and the diff use too. With a
    profile whose description controls (US Part 746), a code an entry covers is
    ``review``, with the profile's reason.
    """

    def __init__(
        self,
        items: Sequence[ItemRecord],
        *,
        slug: str,
        label: str,
        effective: str | None = None,
        sections: Mapping[int, str] | None = None,
        profile: Profile | None = None,
    ) -> None:
        """Build the index.

        Args:
            items: The version's items in list order.
            slug: The list's slug.
            label: The version's label.
            effective: The version's effective date (ISO), for reports.
            sections: The version's parts, number -> title; with several, reasons
                name the part of the deciding entry.
            profile: The list's regime profile; when its description controls, a
                code hit is ``review`` with its reason (:attr:`Profile.reason`).
        """
        self.slug = slug
        self.sections = dict(sections or {})
        self.sectioned = len(self.sections) > 1 or any(item.section != 1 for item in items)
        self.label = label
        self.effective = effective
        self.size = len(items)
        named: list[ItemRecord] = []
        coded: list[tuple[Span, ItemRecord]] = []
        for item in items:
            if item.code:
                coded.append((Span(item.code, item.code_end, item.ex), item))
            else:
                named.append(item)
        self.coverage: CoverageIndex[ItemRecord] = CoverageIndex(coded)
        self.profile = profile
        self.controls_reason = profile.reason if profile is not None else None
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
        profile: Profile | None = None,
    ) -> ScreenIndex:
        """Same as the constructor; reads better at call sites."""
        return cls(
            items, slug=slug, label=label, effective=effective, sections=sections, profile=profile
        )

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
        best, best_ex = self.coverage.deciding(code)
        if shown is None:
            shown = HSCode(code).dotted()
        if best is not None:
            if self.controls_reason is not None:
                return Match(
                    "review",
                    best,
                    f"list {self.label_of(best)} covers {shown} by its code; under "
                    f"profile {self.profile.name if self.profile else ''}: "
                    f"{self.controls_reason}",
                )
            return Match("controlled", best, f"list {self.label_of(best)} covers {shown}")
        if best_ex is not None:
            return Match(
                "review",
                best_ex,
                f"list {self.label_of(best_ex)} covers only part of its heading; "
                f"check whether {shown} is the controlled part",
            )
        below = self.coverage.narrower(code)
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
    result: CodeReading,
    description: str | None,
    classification: str | None = None,
) -> Match:
    """Screen one code cell as :func:`~exportctl.hscode.read_code` read it, its
    description and classification.

    A code read with zeros put back says so in the reason. A cell that reads as
    several existing codes (:class:`~exportctl.hscode.Readings`) is screened as
    each: when they agree, that status; when they do not, ``review``, never
    ``clear``; the reason names every reading and what it gives. A problem is
    ``invalid``: ``read_code`` has already tried the nomenclature of the list's
    edition on a cell that lost zeros.
    """
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
    if isinstance(result, Readings):
        return _screen_readings(index, result, description, classification)
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


def _screen_readings(
    index: ScreenIndex, readings: Readings, description: str | None, classification: str | None
) -> Match:
    """Screen each reading of a cell; a disagreement is ``review`` (issue 19)."""
    matches = [
        index.match_code(
            code.digits, description, shown=code.dotted(), classification=classification
        )
        for code in readings.codes
    ]
    # The most severe reading names the entry: a row that may be controlled points at why.
    decided = min(matches, key=lambda match: STATUSES.index(match.status))
    each = "; ".join(
        f"as {code.dotted()} it is {match.status} ({match.reason})"
        for code, match in zip(readings.codes, matches, strict=True)
    )
    if all(match.status == decided.status for match in matches):
        return Match(decided.status, decided.entry, f"{readings.reason}: {each}", decided.words)
    return Match(
        "review",
        decided.entry,
        f"{readings.reason}, and they screen differently: {each}; find out which code is meant",
        decided.words,
    )
