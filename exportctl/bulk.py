"""Pausing Python's cycle collector while a run builds many long-lived objects.

An import builds an item per row and keeps them all until they are stored; a diff
loads two versions. None of these objects form reference cycles, so reference
counting frees them, but the cycle collector still re-scans the growing heap each
time enough objects have been allocated: on a 1,000,000-row import 18 full
collections took about a third of the run. Commands that process a whole file
therefore run under :func:`paused_gc`, which restores the collector afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cycle collector for the block (or decorated call), then restore it.

    Nested uses are fine: only the outermost one re-enables the collector, and only
    if it was enabled on entry. Reference counting keeps working throughout.

    Example:
        >>> with paused_gc():
        ...     items = list(build_items(table, table.rows, out, nomenclature))
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
