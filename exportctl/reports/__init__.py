"""Writers for change sets, validation findings and screening results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

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
