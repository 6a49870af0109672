"""Every entry a code meets, as ``check`` and ``screen`` see it: what ``show --code`` lists.

:meth:`ScreenIndex.match_code <exportctl.screen.ScreenIndex.match_code>` gives a
code one verdict and names one deciding entry. :func:`related_entries` asks the
same index the same question (its :class:`~exportctl.hscode.CoverageIndex` and
the codes entries mention, :class:`~exportctl.screen.references.References`)
and gives back every entry that answers it, each with how it relates. So
``show --code X`` names the entries ``check X`` would name, and lists nothing
exactly when ``check X`` finds no entry by code (issue 19).

Example:
    >>> index = ScreenIndex.build(items, slug="kr-russia", label="2024-06")
    >>> [(r.relation, r.via) for r in related_entries(index, "880622")]
    [('mentions', '8806.22')]
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from exportctl.hscode import HSCode
from exportctl.models import ItemRecord
from exportctl.screen.index import ScreenIndex

__all__ = ["RELATIONS", "Related", "Relation", "related_entries"]

Relation = Literal["covers", "partial", "under", "mentions"]
"""How an entry relates to a code: it ``covers`` it (controlled), covers it only as
its description says (``partial``, an ``ex`` entry: review), lies ``under`` it (the
code is broader: review), or its text ``mentions`` the code or one covering it
(review: read the entry)."""

RELATIONS: tuple[Relation, ...] = ("covers", "partial", "under", "mentions")
"""Every relation, strongest first: an entry meeting a code in several ways is
given the first."""


class Related(NamedTuple):
    """One entry a code meets."""

    entry: ItemRecord
    """The list entry."""
    relation: Relation
    """How it relates to the code."""
    via: str
    """What relates, dotted: the entry's code or range (``ex 8471.30``), or the code
    its text mentions (``8806.22``)."""

    def to_json(self) -> dict[str, str]:
        """``{"relation", "via"}``, as ``show --json`` gives it beside an item."""
        return {"relation": self.relation, "via": self.via}


def related_entries(index: ScreenIndex, code: str) -> list[Related]:
    """Every entry of ``index`` that ``code`` meets, each once with its strongest relation.

    The entries covering the code (shortest level first), then those under it,
    then those whose text mentions it or a code covering it: the relations
    :meth:`ScreenIndex.match_code` decides by, so the entry ``check`` names is
    always among them, and there are none exactly when ``check`` (a code without
    a description) says clear.

    Args:
        index: A version's entries, as screening indexes them.
        code: Digits (2 to 10), or the start of a code (``84713`` for 8471.3).

    Returns:
        The related entries; empty when the code meets none.
    """
    found: dict[int, Related] = {}
    for span, entry in index.coverage.covering(code):
        found.setdefault(id(entry), Related(entry, "partial" if span.ex else "covers", str(span)))
    # An entry of another nomenclature meeting the code at HS-6 only: covered or not is
    # for a person to read, as with ``ex`` (the verdict is ``review``).
    for _span, entry in index.tails.covering(code):
        own = entry.span
        found.setdefault(id(entry), Related(entry, "partial", str(own) if own else ""))
    for entry in [*index.coverage.narrower(code), *index.tails.narrower(code)]:
        own = entry.span
        found.setdefault(id(entry), Related(entry, "under", str(own) if own else ""))
    for mention, ref in index.references.code_index.covering(code):
        found.setdefault(
            id(ref.entry), Related(ref.entry, "mentions", HSCode(mention.start).dotted())
        )
    return list(found.values())
