"""The byte tests on Arrow text columns answer as the exact tests they stand before."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from exportctl.arrowtext import ascii_printable, by_distinct, digit_runs, may_hold, may_start_with
from exportctl.readers.arrowcells import clean
from exportctl.readers.cells import cell_text

texts = st.lists(
    st.one_of(
        st.none(),
        st.text(alphabet='0123456789.-, "=+@<>r/\t\n가나＝ab', max_size=12),
    ),
    max_size=40,
)


def _sliced(values: list[str | None], start: int) -> pa.Array:
    """The values as a slice of a longer array (offsets not starting at 0)."""
    return pa.array(['padding, "=x'] * start + values + ["tail"], pa.string()).slice(
        start, len(values)
    )


@settings(max_examples=200, deadline=None)
@given(values=texts, start=st.integers(0, 3))
def test_byte_tests_never_miss(values: list[str | None], start: int) -> None:
    column = _sliced(values, start)
    present = [v for v in values if v is not None]
    if any(ch in v for v in present for ch in ',"\r\n'):
        assert may_hold(column, b',"\r\n')
    if any(v[:1] in ("=", "+", "-", "@", "\t", "\r", "＝", "<") for v in present):
        assert may_start_with(column, "=+-@\t\r\uff1d<".encode())
    assert ascii_printable(column) == all(" " <= ch <= "~" for v in present for ch in v)
    lengths, digits = digit_runs(column)
    assert digits.tolist() == [v is not None and v.isascii() and v.isdigit() for v in values]
    assert lengths.tolist() == [len(v.encode()) if v is not None else 0 for v in values]


def test_nothing_to_find() -> None:
    column = pa.array(["KX-0000001", "8471300000", None] * 10)
    assert not may_hold(column, b',"\r\n')
    assert not may_start_with(column, b"=+-@")
    assert ascii_printable(column)


def test_by_distinct_is_the_same_as_each_value() -> None:
    # Long enough, and repeating enough, for the distinct values to be worked out alone.
    values = ["a, b", None, "  x  ", "가\t나", "#N/A", "plain"] * 2000
    column = pa.array(["lead"] + values, pa.string()).slice(1)

    def upper(each: pa.Array) -> pa.Array:
        return pc.utf8_upper(each)

    assert by_distinct(column, upper).to_pylist() == pc.utf8_upper(column).to_pylist()
    # The reader's cleaning goes this way too, and still cleans each cell as cell_text does.
    assert clean(column).to_pylist() == [cell_text(v) for v in values]
