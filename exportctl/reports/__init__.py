"""Writers for change sets, validation findings and screening results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from exportctl.models import SubItem

Format = Literal["csv", "xlsx", "pdf", "json"]
"""A report format."""
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "pdf", "json")
"""Every report format, in the order help texts list them."""
XLSX_MAX_ROWS = 1_048_576
"""Rows in an Excel worksheet; longer tables go on into continuation sheets."""


def sheet_title(title: str, part: int) -> str:
    """The name of the ``part``-th sheet of a table (1-based): ``Added``, ``Added (2)``..."""
    return title if part == 1 else f"{title} ({part})"


def sub_items_text(sub_items: Iterable[SubItem]) -> str:
    """Sub-items as one text cell, in order: ``a. 3A001.a.3에 해당하는 것; b. …``."""
    return "; ".join(f"{sub.label} {sub.text}".strip() for sub in sub_items)
