"""What the columnar engine answers with: verdicts in arrays, reasons as shared shapes.

A row's reason is a :class:`Shape`: a rule and its values with the row's code left as
a slot (:data:`CODE`), so a million rows share a few thousand shapes, and a report
renders each shape once per language (:meth:`Shape.sentence`) and puts each row's code
in its place. What a reading says in words (a restored zero, a cell's problem) is
worked out in the language asked for when it is asked (:class:`Reread`), as
:func:`~exportctl.screen.screen_rows` does while a report is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.hscode import HSCode, Readings, read_code
from exportctl.i18n import _, active
from exportctl.screen.reasons import Reason

__all__ = ["CODE", "SLOT", "Reread", "Shape", "Verdicts", "dotted_codes", "reading_warning"]


class _Slot:
    """The row's code (as shown) in a shape's values."""

    def __repr__(self) -> str:
        return "CODE"


CODE: Any = _Slot()
"""Stands for the row's code, as people write it, in :attr:`Shape.values`."""

SLOT = "\x00"
"""Where a rendered sentence takes the row's code (:meth:`Shape.sentence`)."""


class Shape:
    """A reason with the row's code left as a slot: shared by every row it decides."""

    __slots__ = ("_fixed", "rule", "slots", "values")

    def __init__(self, rule: str, values: Mapping[str, Any]) -> None:
        self.rule = rule
        self.values = dict(values)
        self.slots = tuple(key for key, value in self.values.items() if value is CODE)
        self._fixed = None if self.slots else Reason(rule, self.values)

    def reason(self, shown: str | None) -> Reason:
        """The reason of a row whose code is written ``shown``."""
        if self._fixed is not None:
            return self._fixed
        values = dict(self.values)
        for key in self.slots:
            values[key] = shown
        return Reason(self.rule, values)

    def sentence(self, lang: str) -> str:
        """The sentence in ``lang`` with a NUL where the row's code goes."""
        return self.reason(SLOT).render(lang)


class Reread(Shape):
    """The reason of a cell the reference engine screens, worked out in the active
    language when asked: a restored zero or a cell's problem is said in words, in the
    language of the report being written."""

    __slots__ = ("_compute", "_done")

    def __init__(self, compute: Callable[[], Reason]) -> None:
        super().__init__("", {})
        self._compute = compute
        self._done: dict[str, Reason] = {}

    def reason(self, shown: str | None) -> Reason:
        lang = active()
        found = self._done.get(lang)
        if found is None:
            found = self._done[lang] = self._compute()
        return found

    def sentence(self, lang: str) -> str:
        return self.reason(None).render(lang)


@dataclass
class Verdicts:
    """The engine's answer for one batch of rows, one value per row."""

    status: np.ndarray
    """Status as its place in :data:`~exportctl.screen.STATUSES` (``int8``)."""
    entry: np.ndarray
    """The deciding entry's place in the engine's ``entries``, ``-1`` for none."""
    shape: np.ndarray
    """The reason's place in the engine's ``shapes``."""
    words: np.ndarray
    """The matched words' place in the engine's ``words``."""
    warning: np.ndarray
    """The warning's place in the engine's ``warnings``, ``-1`` for none."""
    digits: pa.Array
    """The code read, digits only (null without one)."""
    shown: pa.Array
    """How the reason writes the code where that is not :func:`dotted_codes` of
    :attr:`digits` (a range read from the cell); null elsewhere."""

    def shown_codes(self) -> pa.Array:
        """Every row's code as its reason writes it (null without a code)."""
        dotted = dotted_codes(self.digits)
        if self.shown.null_count == len(self.shown):
            return dotted
        return pc.coalesce(self.shown, dotted)


def reading_warning(text: str, edition: str | None) -> str | None:
    """What :func:`~exportctl.screen.screen_rows` warns of a cell read with zeros put
    back, or read several ways, in the active language; None for any other cell."""
    reading = read_code(text, edition)
    if isinstance(reading, HSCode) and reading.recovered is not None:
        return _("code read as {code}: {how}").format(code=reading.dotted(), how=reading.recovered)
    if isinstance(reading, Readings):
        return _("code may be read as {readings}").format(
            readings=_(" or ").join(f"{each.dotted()} ({each.recovered})" for each in reading.codes)
        )
    return None


def dotted_codes(digits: pa.Array) -> pa.Array:
    """Codes as people write them (``8471``, ``8471.30``, ``8471.30.1000``): vectorised
    :meth:`~exportctl.hscode.HSCode.dotted` over digit strings (null stays null).

    The dots go in by moving bytes: the digits are ASCII, so a code of ``n`` digits
    becomes ``n + 1`` bytes past 4 digits and ``n + 2`` past 6.
    """
    digits = digits.cast(pa.string()) if digits.type != pa.string() else digits
    if isinstance(digits, pa.ChunkedArray):
        digits = digits.combine_chunks()
    n = len(digits)
    if not n:
        return digits
    valid = np.asarray(pc.is_valid(digits).to_numpy(zero_copy_only=False), dtype=bool)
    filled = pc.fill_null(digits, "")
    offsets = np.frombuffer(filled.buffers()[1], dtype=np.int32)[
        filled.offset : filled.offset + n + 1
    ]
    data = filled.buffers()[2]
    source = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    sizes = np.diff(offsets).astype(np.int64)
    grown = sizes + (sizes > 4) + (sizes > 6)
    out_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(grown, out=out_offsets[1:])
    out = np.empty(int(out_offsets[-1]), dtype=np.uint8)
    starts = offsets[:-1].astype(np.int64)
    # One block per length: its codes' bytes as a matrix, copied around the dots.
    for size in np.unique(sizes).tolist():
        if not size:
            continue
        rows = np.flatnonzero(sizes == size)
        place = np.arange(size)
        wide = size + (size > 4) + (size > 6)
        target = np.full((len(rows), wide), ord("."), dtype=np.uint8)
        columns = place + (place >= 4) * (size > 4) + (place >= 6) * (size > 6)
        if len(rows) == n:
            # Every code of one length (the usual catalogue): the bytes are a matrix.
            first = int(starts[0])
            target[:, columns] = source[first : first + n * size].reshape(n, size)
            out[:] = target.reshape(-1)
        else:
            target[:, columns] = source[starts[rows][:, None] + place]
            out[out_offsets[rows][:, None] + np.arange(wide)] = target
    mask = (
        pa.py_buffer(np.packbits(valid, bitorder="little").tobytes()) if not valid.all() else None
    )
    return pa.Array.from_buffers(
        pa.large_string(),
        n,
        [mask, pa.py_buffer(out_offsets.tobytes()), pa.py_buffer(out.tobytes())],
    ).cast(pa.string())
