"""The tie-out of a change set: :func:`summarise` and its :class:`Summary`.

Checks that the counts add up and agree with the figures the new version's notice
declares, says so in plain sentences, and groups the changes by HS section and
chapter (:class:`GroupCount`) for the reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from exportctl.diff.changeset import CHANGE_KINDS, ChangeSet
from exportctl.i18n import N_, _, active, using
from exportctl.identity import Check, Declared, tie_out

__all__ = ["Check", "GroupCount", "Summary", "summarise"]


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Changes in one HS section or chapter, by kind."""

    key: str
    """Section numeral (``XVI``), chapter (``84``), or ``—`` for items without a code."""
    name: str
    """Section or chapter name ('' when unknown)."""
    counts: dict[str, int]
    """Changes of each kind (every kind present)."""

    @property
    def total(self) -> int:
        """All changes in the group."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts that tie out, the notice's declared figures, and a verdict in words."""

    before: int
    """Items in the old version."""
    after: int
    """Items in the new version."""
    added: int
    """Items only in the new version."""
    removed: int
    """Items only in the old version."""
    modified: int
    """``modified`` changes."""
    unchanged: int
    """Matched items with no change in the compared fields."""
    kinds: dict[str, int]
    """Changes of each kind."""
    declared_total: int | None
    """Item count the notice declares for the new version."""
    declared_added: int | None
    """Additions the notice declares."""
    declared_removed: int | None
    """Removals the notice declares."""
    reconciles: bool
    """True when the counts add up and agree with every declared figure."""
    by_section: tuple[GroupCount, ...] = ()
    """Changes by HS section (in section order; items without a code last)."""
    by_chapter: tuple[GroupCount, ...] = ()
    """Changes by HS chapter."""
    checks: tuple[Check, ...] = ()
    """The checks behind :attr:`statements`, as data (same order)."""

    @property
    def statements(self) -> tuple[str, ...]:
        """One plain sentence per check, ending in whether it holds, in the language
        active when they are read (a report in another language: :meth:`statements_in`)."""
        return self.statements_in(active())

    def statements_in(self, lang: str) -> tuple[str, ...]:
        """:attr:`statements` in ``lang`` (``en`` or ``ko``)."""
        with using(lang):
            return tuple(
                _("{statement}: {verdict}.").format(
                    statement=_(_SENTENCES[check.name]).format(**check.figures),
                    verdict=_("reconciles") if check.ok else _("DOES NOT RECONCILE"),
                )
                for check in self.checks
            )

    @property
    def renumbered(self) -> int:
        """Entries whose serial number moved and nothing else (``renumbered`` changes)."""
        return self.kinds.get("renumbered", 0)

    @property
    def content_changes(self) -> int:
        """Changes to what the list controls: every change but a serial number move.

        A re-issue that only renumbers reads "0 content changes; N entries renumbered".
        """
        return sum(self.kinds.values()) - self.renumbered

    def to_json(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON report."""
        return {
            "before": self.before,
            "after": self.after,
            "added": self.added,
            "removed": self.removed,
            "modified": self.modified,
            "unchanged": self.unchanged,
            "content_changes": self.content_changes,
            "renumbered": self.renumbered,
            "kinds": dict(self.kinds),
            "declared": {
                "total": self.declared_total,
                "added": self.declared_added,
                "removed": self.declared_removed,
            },
            "reconciles": self.reconciles,
            # Machine-read: the sentences stay English whatever the terminal speaks.
            "statements": list(self.statements_in("en")),
            "by_section": [
                {"section": g.key, "name": g.name, "total": g.total, **g.counts}
                for g in self.by_section
            ],
            "by_chapter": [
                {"chapter": g.key, "total": g.total, **g.counts} for g in self.by_chapter
            ],
        }


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for a, b in zip(numeral, [*numeral[1:], ""], strict=True):
        v = values.get(a, 0)
        total += -v if b and values.get(b, 0) > v else v
    return total


_SENTENCES = {
    "sum": N_(
        "{before:,} before + {added:,} added − {removed:,} removed = {computed:,}; "
        "the new version has {after:,} items"
    ),
    "declared_total": N_("the notice declares {declared:,} items; the new version has {after:,}"),
    "declared_added": N_("the notice declares {declared:,} added; {added:,} codes are new"),
    "declared_removed": N_("the notice declares {declared:,} removed; {removed:,} codes are gone"),
    "declared_sum": N_(
        "declared figures: {before:,} + {added:,} − {removed:,} = {computed:,} "
        "against the declared total {declared:,}"
    ),
}
"""The plain sentence of each tie-out check, by :attr:`Check.name`."""

_last: tuple[ChangeSet, str, Summary] | None = None
"""The last summary made, with its change set: a ``diff`` asks for it several times
(audit detail, report, exit status), and a 200,000-change set takes seconds."""


def summarise(changes: ChangeSet, *, edition: str = "2022") -> Summary:
    """Tie the change set out and group it by HS section and chapter.

    The last result is kept and given again for the same change set (the same
    object: a change set is immutable).

    Checks that ``before + added − removed = after`` and, where the new version's
    notice declared them, that the total, additions and removals agree and that
    the declared figures add up among themselves.

    Args:
        changes: A change set; its ``new_version`` supplies the declared figures.
        edition: HS edition used to name sections and chapters.

    Returns:
        The summary.
    """
    global _last
    if _last is not None and _last[0] is changes and _last[1] == edition:
        return _last[2]
    summary = _summarise(changes, edition)
    _last = (changes, edition, summary)
    return summary


def _summarise(changes: ChangeSet, edition: str) -> Summary:
    from exportctl.hscode import Nomenclature

    nomenclature = Nomenclature.load(edition)
    new_info = changes.new_version
    declared_total = new_info.declared_total if new_info is not None else None
    declared_added = new_info.declared_added if new_info is not None else None
    declared_removed = new_info.declared_removed if new_info is not None else None
    before, after = changes.before, changes.after
    added, removed = changes.added, changes.removed

    # The same tie-out an import makes against its base (exportctl.identity).
    data = tie_out(
        before, after, added, removed, Declared(declared_total, declared_added, declared_removed)
    )

    by_section: dict[str, Counter[str]] = {}
    section_names: dict[str, str] = {}
    by_chapter: dict[str, Counter[str]] = {}
    for change in changes.changes:
        code = change.code
        if code:
            found = nomenclature.section(code)
            sec, name = found if found is not None else ("?", "")
            chap = code[:2]
        else:
            sec, name, chap = "—", "", "—"
        section_names[sec] = name
        by_section.setdefault(sec, Counter())[change.kind] += 1
        by_chapter.setdefault(chap, Counter())[change.kind] += 1

    def full(counter: Counter[str]) -> dict[str, int]:
        return {kind: counter.get(kind, 0) for kind in CHANGE_KINDS}

    def section_order(key: str) -> tuple[int, int]:
        roman = _roman(key)
        return (0, roman) if roman else (1, 0 if key == "?" else 1)

    sections = tuple(
        GroupCount(key, section_names.get(key, ""), full(by_section[key]))
        for key in sorted(by_section, key=section_order)
    )
    chapters = tuple(
        GroupCount(key, nomenclature.description(key) or "" if key != "—" else "", full(counter))
        for key, counter in sorted(by_chapter.items(), key=lambda kv: (kv[0] == "—", kv[0]))
    )
    return Summary(
        before=before,
        after=after,
        added=added,
        removed=removed,
        modified=changes.modified,
        unchanged=changes.unchanged,
        kinds={str(kind): n for kind, n in changes.counts().items()},
        declared_total=declared_total,
        declared_added=declared_added,
        declared_removed=declared_removed,
        reconciles=all(check.ok for check in data),
        by_section=sections,
        by_chapter=chapters,
        checks=tuple(data),
    )
