"""What list entries defined by specification refer to: control numbers and HS codes.

This module owns :class:`References`, built once per version: the Annex 2 control
numbers the entries and their sub-items name (checked against a catalogue's
classification column) and the HS codes their texts mention in passing (candidates,
never an entry's own code). Both are empty for a list of plain HS codes, and then
cost nothing per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from exportctl.annex import control_numbers
from exportctl.hscode import CoverageIndex, HSCode, Span
from exportctl.models import ItemRecord, SubItem

SUB_ITEM_TEXT_MAX = 120
"""Characters of a sub-item's text a reason quotes."""


class Reference(NamedTuple):
    """An entry (and the sub-item, if one) that names a control number or an HS code."""

    entry: ItemRecord
    """The list entry."""
    sub_item: SubItem | None
    """The sub-item naming it, or None when the entry's own text does."""
    value: str
    """The control number or code (digits) named."""


def shorten(text: str, limit: int = SUB_ITEM_TEXT_MAX) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, spaces folded."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class References:
    """Control numbers and mentioned HS codes of one version's entries, looked up fast.

    ``numbers`` maps each control number named to its references; ``refined`` maps
    every dotted prefix of a named number (``3A001``, ``3A001.a`` for ``3A001.a.3``)
    to the references below it. ``codes`` maps each mentioned code to the entries
    mentioning it.
    """

    def __init__(self, items: Sequence[ItemRecord]) -> None:
        """Index the references of ``items`` (a version's entries, in list order)."""
        numbers: dict[str, list[Reference]] = {}
        refined: dict[str, list[Reference]] = {}
        codes: dict[str, list[Reference]] = {}
        for item in items:
            if item.control_numbers or item.sub_items:
                for ref in _number_references(item):
                    numbers.setdefault(ref.value, []).append(ref)
                    parts = ref.value.split(".")
                    for cut in range(1, len(parts)):
                        refined.setdefault(".".join(parts[:cut]), []).append(ref)
            for code in item.mentioned_codes:
                sub = next((s for s in item.every_sub_item() if _mentions(s, code)), None)
                codes.setdefault(code, []).append(Reference(item, sub, code))
        self.numbers = numbers
        self.refined = refined
        self.codes = codes
        self.code_index: CoverageIndex[Reference] = CoverageIndex(
            (Span(code), ref) for code, refs in codes.items() for ref in refs
        )

    def by_classification(self, value: str) -> tuple[Reference, str, bool] | None:
        """The first reference a catalogue classification matches.

        Returns:
            ``(reference, catalogue number, exact)``: ``exact`` when the catalogue
            number equals or refines the entry's (``3A001.a.3`` under ``3A001``), False
            when it is broader (``3A001`` above ``3A001.a.3``: possibly covered).
            None when nothing matches.
        """
        if not self.numbers:
            return None
        found = control_numbers(value)
        for number in found:
            parts = number.split(".")
            for cut in range(len(parts), 0, -1):
                refs = self.numbers.get(".".join(parts[:cut]))
                if refs:
                    return refs[0], number, True
        for number in found:
            refs = self.refined.get(number)
            if refs:
                return refs[0], number, False
        return None

    def by_code(self, code: str) -> Reference | None:
        """The first reference whose mentioned code equals or covers ``code`` (digits);
        of the longest such code when several do."""
        best: Reference | None = None
        level = 0
        for span, ref in self.code_index.covering(code):
            if span.level > level:
                best, level = ref, span.level
        return best


def _number_references(item: ItemRecord) -> list[Reference]:
    """The entry's control numbers, each with the first sub-item naming it."""
    refs: list[Reference] = []
    seen: set[str] = set()
    for sub in item.every_sub_item():
        for number in sub.control_numbers or control_numbers(sub.full_text):
            if number not in seen:
                seen.add(number)
                refs.append(Reference(item, sub, number))
    for number in item.control_numbers:
        if number not in seen:
            seen.add(number)
            refs.append(Reference(item, None, number))
    return refs


def _mentions(sub: SubItem, code: str) -> bool:
    """Whether a sub-item's text names ``code`` (as digits, or dotted)."""
    text = sub.full_text.replace(" ", "")
    return code in text or HSCode(code).dotted() in text
