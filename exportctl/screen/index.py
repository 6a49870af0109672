"""The verdict on one code against one version of a list.

This module owns the statuses (:data:`STATUSES`), the prefix index over a
version's entries (:class:`ScreenIndex`) and the verdict it gives a normalised
code and its description (:class:`Match`), and :func:`screen_code`, the
verdict on a code cell as :func:`~exportctl.hscode.read_code` read it (each
reading screened when it has several).

Catalogue codes are taken to be HSK (:data:`CATALOGUE_NOMENCLATURE`): item
masters are kept by Korean exporters, in the tariff lines they declare under,
and no setting says otherwise. A list whose profile writes another national
nomenclature (EU CN, US HTS) meets them at HS-6 (:func:`~exportctl.hscode.across`).
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
    across,
)
from exportctl.models import ItemRecord
from exportctl.screen.evidence import NameMatcher, Verdict
from exportctl.screen.reasons import Reason, entry_value, sub_value
from exportctl.screen.references import References

if TYPE_CHECKING:
    from exportctl.profiles import Profile

Status = Literal["controlled", "review", "clear", "invalid"]
STATUSES: tuple[Status, ...] = ("controlled", "review", "clear", "invalid")
"""Every status, most severe first (the order of summaries)."""

CATALOGUE_NOMENCLATURE = "HSK"
"""The nomenclature of catalogue codes past HS-6: Korea's HSK (see the module's note)."""

_SHARED = ("HS", CATALOGUE_NOMENCLATURE)
"""Profile nomenclatures whose codes mean the same as the catalogue's at every digit
(``HS``: a list that writes HS codes only, no national lines)."""


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


class Match(NamedTuple):
    """The verdict of one code/description against one version.

    A named tuple rather than a dataclass: one is built per catalogue row.
    """

    status: Status
    """Outcome."""
    entry: ItemRecord | None
    """The deciding entry."""
    why: Reason
    """Why, as a rule id and its values (:class:`~exportctl.screen.reasons.Reason`)."""
    words: tuple[str, ...] = ()
    """Words of the description that named an entry, if that decided."""

    @property
    def reason(self) -> str:
        """:attr:`why` as one English sentence."""
        return str(self.why)


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
        self.items: tuple[ItemRecord, ...] = tuple(items)
        """The version's entries in list order (the columnar engine numbers them so)."""
        named: list[ItemRecord] = []
        coded: list[tuple[Span, ItemRecord]] = []
        # Entries of another nomenclature whose national tail is not all zeros: they meet a
        # catalogue code at HS-6 only, so a hit is ``review`` (never ``controlled`` or clear).
        tails: list[tuple[Span, ItemRecord]] = []
        self.nomenclature = profile.nomenclature if profile is not None else CATALOGUE_NOMENCLATURE
        foreign = self.nomenclature not in _SHARED
        for item in items:
            if not item.code:
                named.append(item)
                continue
            span = Span(item.code, item.code_end, item.ex)
            if foreign:
                span, doubt = across(span)
                if doubt:
                    tails.append((span, item))
                    continue
            coded.append((span, item))
        self.coverage: CoverageIndex[ItemRecord] = CoverageIndex(coded)
        self.tails: CoverageIndex[ItemRecord] = CoverageIndex(tails)
        self.profile = profile
        self.controls_reason = profile.reason if profile is not None else None
        self.words = NameMatcher(named)
        self.references = References(items)
        self._entries = {id(item): entry_value(item, sectioned=self.sectioned) for item in items}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        # Entries are known by identity, which a copy (another process) does not keep.
        self._entries = {
            id(item): entry_value(item, sectioned=self.sectioned) for item in self.items
        }

    def label_of(self, entry: ItemRecord) -> str:
        """:func:`entry_label` of one of this index's entries, computed once."""
        return entry_label(entry, sectioned=self.sectioned)

    def entry_of(self, entry: ItemRecord) -> dict[str, object]:
        """An entry as a reason's value (:func:`~exportctl.screen.reasons.entry_value`)."""
        found = self._entries.get(id(entry))
        return found if found is not None else entry_value(entry, sectioned=self.sectioned)

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
        cas: str | None = None,
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
            cas: The catalogue's CAS number cell, if it has that column.

        Returns:
            The verdict, naming the deciding entry.
        """
        best, best_ex = self.coverage.deciding(code)
        if shown is None:
            shown = HSCode(code).dotted()
        if best is not None:
            if self.controls_reason is not None:
                why = Reason(
                    "code-covered-profile",
                    {
                        "entry": self.entry_of(best),
                        "code": shown,
                        "profile": self.profile.name if self.profile else "",
                        "why": self.controls_reason,
                    },
                )
                return Match("review", best, why)
            return Match(
                "controlled",
                best,
                Reason("code-covered", {"entry": self.entry_of(best), "code": shown}),
            )
        if best_ex is not None:
            why = Reason("ex-partial", {"entry": self.entry_of(best_ex), "code": shown})
            return Match("review", best_ex, why)
        if self.tails:
            tail = self.match_tail(code, shown)
            if tail is not None:
                return tail
        below = self.coverage.narrower(code)
        if self.tails:
            below = [*below, *self.tails.narrower(code)]
        if below:
            values: dict[str, object] = {"entry": self.entry_of(below[0]), "code": shown}
            if len(below) > 1:
                values["more"] = len(below) - 1
            rule = "broader-more" if len(below) > 1 else "broader"
            return Match("review", below[0], Reason(rule, values))
        if classification:
            found = self.match_classification(classification)
            if found is not None:
                return found
        if self.references.codes:
            ref = self.references.by_code(code)
            if ref is not None:
                why = Reason(
                    "mentioned-code",
                    {
                        "entry": self.entry_of(ref.entry),
                        "within": sub_value(ref.sub_item),
                        "mentioned": HSCode(ref.value).dotted(),
                    },
                )
                return Match("review", ref.entry, why)
        clear = {"slug": self.slug, "label": self.label, "code": shown}
        if self.words:
            if not description and not cas:
                named = len(self.words.entries)
                if named == 1:
                    return Match("clear", None, Reason("clear-unchecked-one", clear))
                return Match("clear", None, Reason("clear-unchecked", {**clear, "count": named}))
            verdict = self.words.decide(self.words.hits(description, cas), code)
            if verdict is not None and verdict.review:
                return self.description_match(verdict)
        return Match("clear", None, Reason("clear", clear))

    def match_tail(self, code: str, shown: str) -> Match | None:
        """``review`` when an entry of another nomenclature meets ``code`` at HS-6 and
        only the national digits past it could tell them apart."""
        plain, ex = self.tails.deciding(code)
        entry = plain if plain is not None else ex
        if entry is None:
            return None
        values = {
            "entry": self.entry_of(entry),
            "code": shown,
            "hs6": HSCode(code[:6]).dotted(),
            "nomenclature": self.nomenclature,
            "catalogue": CATALOGUE_NOMENCLATURE,
        }
        return Match("review", entry, Reason("national-tail", values))

    def match_classification(self, classification: str) -> Match | None:
        """``review`` when a catalogue classification meets a control number of an entry."""
        found = self.references.by_classification(classification)
        if found is None:
            return None
        ref, number, exact = found
        why = Reason(
            "classification" if exact else "classification-broader",
            {
                "number": number,
                "value": ref.value,
                "entry": self.entry_of(ref.entry),
                "sub": sub_value(ref.sub_item),
            },
        )
        return Match("review", ref.entry, why)

    def match_description(
        self, description: str | None, code: str | None = None, cas: str | None = None
    ) -> Verdict | None:
        """The weighed evidence a description (and CAS cell) gives, with the row's code
        for its chapter; None without any. Whether it is enough: :attr:`Verdict.review`."""
        if not self.words or not (description or cas):
            return None
        return self.words.decide(self.words.hits(description, cas), code)

    def evidence_of(self, verdict: Verdict) -> list[dict[str, object]]:
        """A verdict's evidence as a reason's value: each kind that fired, with its words."""
        hit = verdict.hit
        found: list[dict[str, object]] = [{"kind": hit.kind, "words": list(hit.words)}]
        if verdict.chapter is not None and verdict.code is not None:
            found.append({"kind": f"chapter-{verdict.chapter}", "chapter": verdict.code[:2]})
        return found

    def description_match(self, verdict: Verdict) -> Match:
        """The ``review`` verdict of a description naming an entry without a code."""
        hit = verdict.hit
        why = Reason(
            "description",
            {
                "entry": self.entry_of(hit.entry),
                "sub": sub_value(hit.sub_item),
                "evidence": self.evidence_of(verdict),
                "score": verdict.score,
            },
        )
        return Match("review", hit.entry, why, hit.words)


def screen_code(
    index: ScreenIndex,
    result: CodeReading,
    description: str | None,
    classification: str | None = None,
    cas: str | None = None,
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
            result.digits,
            description,
            shown=result.dotted(),
            classification=classification,
            cas=cas,
        )
        if result.recovered:
            why = Reason(
                "read-as",
                {"reason": match.why.to_json(), "code": result.dotted(), "note": result.recovered},
            )
            return Match(match.status, match.entry, why, match.words)
        return match
    if isinstance(result, Readings):
        return _screen_readings(index, result, description, classification, cas)
    values: dict[str, object]
    if isinstance(result, CodeProblem):
        problem = (
            result.reason if result.reason.startswith('"') else f'"{result.raw}" {result.reason}'
        )
        rule, values = "invalid", {"problem": problem}
    else:
        rule, values = "no-code", {}
    verdict = index.match_description(description, None, cas)
    if verdict is not None and verdict.review:
        hit = verdict.hit
        values = {
            **values,
            "entry": index.entry_of(hit.entry),
            "evidence": index.evidence_of(verdict),
        }
        return Match("invalid", hit.entry, Reason(f"{rule}-described", values), hit.words)
    return Match("invalid", None, Reason(rule, values))


def _screen_readings(
    index: ScreenIndex,
    readings: Readings,
    description: str | None,
    classification: str | None,
    cas: str | None,
) -> Match:
    """Screen each reading of a cell: when they agree, that status; when they do not,
    ``review`` naming each reading and what it gives, never ``clear``."""
    matches = [
        index.match_code(
            code.digits,
            description,
            shown=code.dotted(),
            classification=classification,
            cas=cas,
        )
        for code in readings.codes
    ]
    # The most severe reading names the entry: a row that may be controlled points at why.
    decided = min(matches, key=lambda match: STATUSES.index(match.status))
    each = [
        {"code": code.dotted(), "status": match.status, "reason": match.why.to_json()}
        for code, match in zip(readings.codes, matches, strict=True)
    ]
    values = {"problem": readings.reason, "each": each}
    if all(match.status == decided.status for match in matches):
        return Match(decided.status, decided.entry, Reason("readings", values), decided.words)
    return Match("review", decided.entry, Reason("readings-differ", values), decided.words)
