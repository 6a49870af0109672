"""Writers for change sets, validation findings and screening results."""

from __future__ import annotations

from typing import Literal

Format = Literal["csv", "xlsx", "pdf", "json"]
"""A report format."""
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "pdf", "json")
"""Every report format, in the order help texts list them."""
