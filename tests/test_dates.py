"""Dates as officers write them on notices and on the command line."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

import exportctl.dates
from exportctl.dates import parse_date

JUNE_28 = dt.date(2024, 6, 28)


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-28",
        "2024-6-28",
        "2024. 6. 28.",
        "2024. 6. 28",
        "2024.06.28",
        "2024.6.28.",
        "2024/06/28",
        "20240628",
        "2024년 6월 28일",
        "2024년6월28일",
        "２０２４．６．２８．",
        "２０２４년 ６월 ２８일",
        "  2024. 6. 28.  ",
        "\u30002024-06-28\u3000",
    ],
)
def test_accepted_forms(text: str) -> None:
    assert parse_date(text) == JUNE_28


@pytest.mark.parametrize(
    "text",
    [
        "2024. 13. 1.",
        "2024. 2. 30.",
        "2023-02-29",
        "20241301",
        "2024-06/28",
        "24. 6. 28.",
        "2024-06",
        "2024년 6월",
        "June 28, 2024",
        "2024-06-28 10:00",
        "",
        "   ",
    ],
)
def test_refused_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a date \(write it like 2024-06-28"):
        parse_date(text)


def test_message_quotes_what_was_written() -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(" 2024. 13. 1. ")
    assert str(caught.value) == (
        '"2024. 13. 1." is not a date (write it like 2024-06-28 or 2024. 6. 28.)'
    )


def test_leap_day() -> None:
    assert parse_date("2024. 2. 29.") == dt.date(2024, 2, 29)


def test_docstring_examples() -> None:
    assert doctest.testmod(exportctl.dates).failed == 0
