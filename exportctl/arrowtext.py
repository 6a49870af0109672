"""Quick tests of an Arrow text column's bytes, a whole column at once.

A regular expression over a million cells costs a tenth of a second or more; most
columns hold none of the characters it looks for. These tests read the column's UTF-8
bytes as one NumPy array (no copy) and answer whether any value *may* hold them, so a
caller runs its exact test only on a column that may: each answers True whenever the
exact test could find something (bytes under a null count too), never the other way.

Example:
    >>> may_hold(pa.array(["KX-0001", "8471.30"]), b',"\\r\\n')
    False
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ascii_printable", "by_distinct", "digit_runs", "may_hold", "may_start_with"]


def _parts(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """The value bytes of a string column and its ``len + 1`` offsets into them (``None``
    for a column of another type)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.type == pa.string():
        width: type[np.integer] = np.int32
    elif column.type == pa.large_string():
        width = np.int64
    else:
        return None
    buffers = column.buffers()
    n = len(column)
    if buffers[1] is None:
        return np.zeros(0, np.uint8), np.zeros(n + 1, np.int64)
    offsets = np.frombuffer(buffers[1], dtype=width)[column.offset : column.offset + n + 1]
    data = buffers[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    first = int(offsets[0]) if n else 0
    return raw[first : int(offsets[-1]) if n else 0], offsets.astype(np.int64) - first


def _table(chars: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    return table


def may_hold(column: pa.Array | pa.ChunkedArray, chars: bytes) -> bool:
    """Whether any value of ``column`` may hold one of the bytes ``chars``."""
    parts = _parts(column)
    if parts is None:
        return True
    data, _offsets = parts
    if not data.size:
        return False
    # A copy and a byte search per character (memchr) beat reading each byte through
    # a table by an order of magnitude; a slice at a time, to keep memory flat.
    wanted = [bytes((char,)) for char in set(chars)]
    for start in range(0, data.size, _SLICE):
        piece = data[start : start + _SLICE].tobytes()
        if any(char in piece for char in wanted):
            return True
    return False


_SLICE = 1 << 22
"""Bytes of a column copied at a time by :func:`may_hold`."""


def may_start_with(column: pa.Array | pa.ChunkedArray, chars: bytes) -> bool:
    """Whether any value of ``column`` may start with one of the bytes ``chars`` (a UTF-8
    character by its first byte)."""
    parts = _parts(column)
    if parts is None:
        return True
    data, offsets = parts
    starts = offsets[:-1][np.diff(offsets) > 0]
    return bool(starts.size) and bool(_table(chars)[data[starts]].any())


def ascii_printable(column: pa.Array | pa.ChunkedArray) -> bool:
    """Whether every byte of ``column``'s values is printable ASCII (space to ``~``)."""
    parts = _parts(column)
    if parts is None:
        return False
    data, _offsets = parts
    return not data.size or bool(data.min() >= 0x20 and data.max() <= 0x7E)


def digit_runs(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Per value of a text column, its length in bytes and whether each of them is an
    ASCII digit (a null counts as neither: length 0, not digits)."""
    parts = _parts(column)
    if parts is None:
        raise TypeError(f"not a text column: {column.type}")
    data, offsets = parts
    lengths = np.diff(offsets)
    digits = lengths > 0
    # Each byte that is not a digit marks the value it falls in (found by its offset).
    others = np.flatnonzero((data < 0x30) | (data > 0x39))
    digits[np.searchsorted(offsets, others, side="right") - 1] = False
    if column.null_count:
        valid = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        lengths = np.where(valid, lengths, 0)
        digits &= valid
    return lengths, digits


def by_distinct(column: pa.Array, each: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``each(column)``, worked out once per distinct value when values repeat (a
    catalogue's descriptions do): ``each`` must give one value per value, in order."""
    if len(column) < 4096:
        return each(column)
    found = pc.dictionary_encode(column)
    if 2 * len(found.dictionary) > len(column):
        return each(column)
    return pc.take(each(found.dictionary), found.indices)
