"""exportctl: keep export-control lists of HS codes straight."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
