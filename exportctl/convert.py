"""Convert a list's entries from one HS edition to another through a correlation table.

:func:`convert_items` is a pure function: entries in, converted entries and what
needs review out; storing the result as a draft version is
:func:`exportctl.api.convert.convert_version`'s job.

The rules, entry by entry (``table`` is e.g. HS2022 → HS2017):

* **Six digits, 1:1**: the code becomes its counterpart (unchanged when the same).
* **Six digits, n:1** (merged): the code becomes its counterpart, marked ``ex`` (the
  new subheading also holds goods the entry did not cover) and for review.
* **Six digits, 1:n or n:n** (split or reshuffled): the entry keeps its code, marked
  for review; the candidates go in its note and its ``mentioned_codes``, so that the
  officer picks, and screening still sees them. Nothing is dropped or widened silently.
* **8 or 10 digits**: converted by their six-digit subheading. The national suffix is
  kept only when that subheading converts 1:1 (the national lines under it then still
  have a home); a kept suffix on a renumbered subheading is marked for review, since
  national tariffs renumber their lines too. Otherwise as six digits, for review.
* **Chapters and headings**: converted when every subheading under them maps inside one
  chapter or heading of the same level and nothing from outside maps into it; when
  something does, the new code is marked ``ex`` and for review; when their subheadings
  spread over several headings (chapters), the entry keeps its code, for review, with
  those headings as candidates.
* A code the table does not hold keeps its code, for review. Entries defined by name
  (no code) are carried over unchanged.

Every entry for review gets a note ``변환 검토 필요 / to check: 8471.30 → 8471.41,
8471.49 (1:n, HS2022 → HS2017)``. Correlation tables are not legal instruments
(:data:`exportctl.hscode.correlation.LEGAL_NOTICE`).

Example:
    >>> conversion = convert_items(items, bundled("HS2022", "HS2017"))
    >>> conversion.counts
    {'unchanged': 769, 'converted': 7, 'review': 569, 'no_code': 57}
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from exportctl.hscode import HSCode
from exportctl.hscode.correlation import CorrelationTable, Relationship
from exportctl.i18n import N_, _
from exportctl.models import ItemRecord

__all__ = [
    "REVIEW_MARK",
    "Conversion",
    "ConvertedEntry",
    "Outcome",
    "convert_item",
    "convert_items",
]

Outcome = Literal["unchanged", "converted", "review", "no_code"]
"""What happened to an entry."""

OUTCOMES: tuple[Outcome, ...] = ("unchanged", "converted", "review", "no_code")

REVIEW_MARK = "변환 검토 필요 / to check"
"""How a note starts when the entry's conversion must be checked. The note is stored in
the entry (data read by officers in either language), so it keeps both; what the
terminal says uses :meth:`ConvertedEntry.reason_said` in the active language."""

NOT_IN_TABLE = N_("{source} {old} is not in the table")
KEPT_SUFFIX = N_("national subdivision kept on a renumbered subheading: check the national tariff")
MERGED = N_("merged: the new subheading also covers goods the entry did not")
SUFFIX_DROPPED = N_("national subdivision dropped")
SPLIT = N_("split: choose the subheadings the entry now means")
SUFFIX_TO_REDO = N_("national subdivision to redo")
NOTHING_UNDER = N_("no subheading under {prefix} is in the table")
SPREAD = N_("its subheadings now lie in several codes")
INFLOW = N_("codes from elsewhere now fall under it too")


@dataclass(frozen=True, slots=True)
class ConvertedEntry:
    """One entry before and after conversion.

    Attributes:
        before: The entry as stored in the version converted.
        after: The entry as the new version stores it.
        outcome: ``unchanged``, ``converted``, ``review`` or ``no_code``.
        relationship: The code's relationship in the table (``None``: not in it, or no code).
        candidates: The counterparts (digits), for entries to review.
        reason: Why the entry is to review, in a few words (English: the audit log and
            ``--json`` keep it as written).
        note: The note added to the entry (``변환 검토 필요 / to check: ...``), if any.
        because: The reason's phrases as marked for the catalogue, filled with ``values``.
        values: What the phrases name (``source``, ``code``, ``prefix``).
    """

    before: ItemRecord
    after: ItemRecord
    outcome: Outcome
    relationship: Relationship | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""
    note: str = ""
    because: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    def reason_said(self) -> str:
        """The reason in the active language."""
        values = dict(self.values)
        return "; ".join(_(phrase).format(**values) for phrase in self.because)

    def to_json(self) -> dict[str, Any]:
        """The entry in the ``review`` list of the audit event and of ``convert --json``."""
        return {
            "serial": self.before.serial,
            "section": self.before.section,
            "code": self.before.code,
            "ex": self.before.ex,
            "new_code": self.after.code,
            "new_ex": self.after.ex,
            "relationship": self.relationship,
            "candidates": list(self.candidates),
            "reason": self.reason,
            "note": self.note,
        }


@dataclass(slots=True)
class Conversion:
    """A version's entries converted: one :class:`ConvertedEntry` per entry, in order."""

    table: CorrelationTable
    entries: list[ConvertedEntry]

    @property
    def items(self) -> list[ItemRecord]:
        """The converted entries as the new version stores them."""
        return [entry.after for entry in self.entries]

    @property
    def review(self) -> list[ConvertedEntry]:
        """The entries marked for review."""
        return [entry for entry in self.entries if entry.outcome == "review"]

    @property
    def counts(self) -> dict[str, int]:
        """Entries per outcome, every outcome present."""
        found = Counter(entry.outcome for entry in self.entries)
        return {outcome: found[outcome] for outcome in OUTCOMES}


def _dotted(digits: str) -> str:
    return HSCode(digits).dotted()


def _review_note(
    code: str, candidates: Sequence[str], relationship: str, table: CorrelationTable
) -> str:
    shown = ", ".join(_dotted(c) for c in candidates) if candidates else "?"
    return f"{REVIEW_MARK}: {_dotted(code)} → {shown} ({relationship}, {table.direction})"


def _with_note(item: ItemRecord, note: str) -> str:
    return f"{item.note}; {note}" if item.note else note


def _review(
    item: ItemRecord,
    table: CorrelationTable,
    relationship: Relationship | None,
    candidates: Sequence[str],
    because: tuple[str, ...],
    *,
    code: str | None = None,
    ex: bool | None = None,
    **values: str,
) -> ConvertedEntry:
    assert item.code is not None
    new_code = code or item.code
    note = _review_note(item.code, candidates, relationship or "not in the table", table)
    after = dataclasses.replace(
        item,
        code=new_code,
        level=len(new_code),
        ex=item.ex if ex is None else ex,
        note=_with_note(item, note),
        mentioned_codes=tuple(dict.fromkeys((*item.mentioned_codes, *candidates))),
    )
    reason = "; ".join(phrase.format(**values) for phrase in because)
    return ConvertedEntry(
        item,
        after,
        "review",
        relationship,
        tuple(candidates),
        reason,
        note,
        because,
        tuple(values.items()),
    )


def _moved(item: ItemRecord, code: str, table: CorrelationTable) -> ConvertedEntry:
    assert item.code is not None
    if code == item.code:
        return ConvertedEntry(item, item, "unchanged", "1:1")
    note = f"{table.source} {_dotted(item.code)} → {table.target} {_dotted(code)} (1:1)"
    after = dataclasses.replace(item, code=code, level=len(code), note=_with_note(item, note))
    return ConvertedEntry(item, after, "converted", "1:1", note=note)


def _subheading(item: ItemRecord, table: CorrelationTable) -> ConvertedEntry:
    assert item.code is not None
    six, suffix = item.code[:6], item.code[6:]
    relationship = table.relationship(six)
    targets = table.targets(six)
    if relationship is None:
        return _review(
            item, table, None, (), (NOT_IN_TABLE,), source=table.source, old=_dotted(six)
        )
    if relationship == "1:1":
        moved = _moved(item, targets[0] + suffix, table)
        if suffix and moved.outcome == "converted":
            return _review(
                item,
                table,
                "1:1",
                targets,
                (KEPT_SUFFIX,),
                code=targets[0] + suffix,
            )
        return moved
    if relationship == "n:1":
        merged = (MERGED, SUFFIX_DROPPED) if suffix else (MERGED,)
        return _review(item, table, relationship, targets, merged, code=targets[0], ex=True)
    split = (SPLIT, SUFFIX_TO_REDO) if suffix else (SPLIT,)
    return _review(item, table, relationship, targets, split)


def _group(item: ItemRecord, table: CorrelationTable) -> ConvertedEntry:
    """A chapter or heading: converted when its subheadings land in one code of its level."""
    assert item.code is not None
    prefix, level = item.code, len(item.code)
    under = table.under(prefix)
    if not under:
        return _review(item, table, None, (), (NOTHING_UNDER,), prefix=prefix)
    landed = sorted({target[:level] for code in under for target in table.targets(code)})
    inflow = any(
        not source.startswith(prefix)
        for code in under
        for target in table.targets(code)
        for source in table.sources(target)
    )
    if len(landed) > 1:
        relationship: Relationship = "n:n" if inflow else "1:n"
        return _review(item, table, relationship, landed, (SPREAD,))
    if inflow:
        return _review(item, table, "n:1", landed, (INFLOW,), code=landed[0], ex=True)
    return _moved(item, landed[0], table)


def convert_item(item: ItemRecord, table: CorrelationTable) -> ConvertedEntry:
    """One entry converted through ``table`` (see the module's note)."""
    if item.code is None:
        return ConvertedEntry(item, item, "no_code")
    if len(item.code) >= 6:
        return _subheading(item, table)
    return _group(item, table)


def convert_items(items: Sequence[ItemRecord], table: CorrelationTable) -> Conversion:
    """Every entry of a version converted through ``table``, in order.

    Args:
        items: The entries of the version converted (their codes in ``table.source``).
        table: The correlation table, oriented from the version's edition.

    Returns:
        The converted entries and what to review.
    """
    return Conversion(table, [convert_item(item, table) for item in items])
