"""Progress callbacks between the library and whoever draws them.

Library functions take ``progress: Callable[[int], None]``, called with the rows
done so far. A caller that can show a total and the time left gives a callable
that also has ``set_total(rows)``; readers announce the rows they expect through
:func:`announce_total`, which does nothing for a plain function.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int], None]
"""Called with the number of rows done so far."""


def announce_total(progress: Progress | None, total: int | None) -> None:
    """Tell ``progress`` how many rows to expect, when it wants to know."""
    if progress is None or not total:
        return
    set_total = getattr(progress, "set_total", None)
    if callable(set_total):
        set_total(total)
