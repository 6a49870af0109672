"""Writers for change sets, validation findings and screening results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from exportctl.annex import control_numbers
from exportctl.models import SubItem, walk_sub_items

Format = Literal["csv", "xlsx", "pdf", "json"]
"""A report format."""
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "pdf", "json")
"""Every report format, in the order help texts list them."""
XLSX_MAX_ROWS = 1_048_576
"""Rows in an Excel worksheet; longer tables go on into continuation sheets."""


def sheet_title(title: str, part: int) -> str:
    """The name of the ``part``-th sheet of a table (1-based): ``Added``, ``Added (2)``..."""
    return title if part == 1 else f"{title} ({part})"


def sub_item_label(sub: SubItem) -> str:
    """A sub-item's label as a flat text names it: as printed at the top, else by its
    path (``b.1.a.``, ``가.(1)``), so that a nested sub-item is never mistaken for another."""
    if sub.depth == 1:
        return sub.label
    return f"{sub.path}." if sub.label.endswith(".") else sub.path


def sub_items_text(sub_items: Iterable[SubItem]) -> str:
    """Sub-items at every depth as one text cell, in order, each with its English after
    `` / ``: ``a. 3A001.a.3에 해당하는 것; b. …; b.1. …``."""
    return "; ".join(
        f"{sub_item_label(sub)} {sub.full_text}".strip() for sub in walk_sub_items(sub_items)
    )


SUB_ITEM_INDENT = "  "
"""Indent of a sub-item's line in :func:`sub_items_lines`, once per level below the entry."""


def sub_items_lines(sub_items: Iterable[SubItem]) -> str:
    """Sub-items at every depth as one text cell an export can be read back from.

    One line per sub-item, depth first, indented by its depth: its label as printed,
    its text, its English after `` / ``, and, when they are not just the numbers its
    texts name, its own control numbers in braces (``{3A001.a 3A002}``):
    ``a. 3A001.a.3에 해당하는 집적회로 / Integrated circuits``. Texts hold no line
    breaks (readers collapse them), so a line is a sub-item.
    """
    lines: list[str] = []
    for sub in walk_sub_items(sub_items):
        line = f"{SUB_ITEM_INDENT * (sub.depth - 1)}{sub.label} {sub.full_text}".rstrip()
        named = tuple(dict.fromkeys((*control_numbers(sub.text), *control_numbers(sub.text_en))))
        if sub.control_numbers != named:
            line += " {" + " ".join(sub.control_numbers) + "}"
        lines.append(line)
    return "\n".join(lines)
