"""How Korean legal annex tables write their entries: serials, labels, numbers, titles."""

from __future__ import annotations

import datetime as dt
import doctest
import random
from types import ModuleType

import pytest

import exportctl.annex
import exportctl.annex.labels
import exportctl.annex.notice
import exportctl.annex.references
import exportctl.annex.serials
import exportctl.annex.titles
from exportctl.annex import (
    ControlNumberProblem,
    Notice,
    SectionTitle,
    Serial,
    control_numbers,
    label_level,
    mentioned_codes,
    parse_notice,
    parse_notice_number,
    parse_serial,
    read_control_numbers,
    section_title,
    serial_findings,
    serial_sort_key,
    split_label,
)


@pytest.mark.parametrize(
    "module",
    [
        exportctl.annex,
        exportctl.annex.labels,
        exportctl.annex.notice,
        exportctl.annex.references,
        exportctl.annex.serials,
        exportctl.annex.titles,
    ],
    ids=lambda module: module.__name__,
)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0 and (module is exportctl.annex or result.attempted > 0)


# --------------------------------------------------------------------------------- serials


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", ("12", 12, ())),
        ("12.", ("12", 12, ())),
        ("12)", ("12", 12, ())),
        ("(12)", ("12", 12, ())),
        (" 12 ", ("12", 12, ())),
        ("012", ("12", 12, ())),
        ("12.0", ("12", 12, ())),
        ("1402.00", ("1402", 1402, ())),
        ("3의2", ("3의2", 3, (2,))),
        ("3의2.", ("3의2", 3, (2,))),
        ("(3의2)", ("3의2", 3, (2,))),
        ("３의２", ("3의2", 3, (2,))),
        ("3 의 2", ("3의2", 3, (2,))),
        ("3의2의2", ("3의2의2", 3, (2, 2))),
        ("제3호", ("3", 3, ())),
        ("제3호의2", ("3의2", 3, (2,))),
        ("\u300057\u3000", ("57", 57, ())),
        ("1000000", ("1000000", 1000000, ())),
    ],
)
def test_parse_serial_reads_serials(text: str, expected: tuple[str, int, tuple[int, ...]]) -> None:
    serial = parse_serial(text)
    assert isinstance(serial, Serial)
    assert (serial.text, serial.number, serial.branches) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a.",
        "가.",
        "※",
        "12-1",
        "12.5",
        "0",
        "3의1",
        "3의",
        "의2",
        "20240628",
        "8471300000",
        "1,402",
        "제2024-123호",
        "3A001",
        "Ⅰ.",
    ],
)
def test_parse_serial_gives_non_serials_back(text: str) -> None:
    assert parse_serial(text) == text


@pytest.mark.parametrize("text", [None, "", "   ", "\u3000"])
def test_parse_serial_blank(text: str | None) -> None:
    assert parse_serial(text) is None


def test_natural_sort_of_shuffled_serials() -> None:
    ordered = ["1", "2", "3", "3의2", "3의3", "3의10", "4", "9", "10", "10의2", "22", "1402"]
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=serial_sort_key) == ordered
    parsed = [parse_serial(t) for t in shuffled]
    assert [s.text for s in sorted(parsed, key=lambda s: s.key)] == ordered  # type: ignore[union-attr]


def test_sort_key_puts_non_serials_then_blanks_last_and_keeps_their_order() -> None:
    texts = [None, "※", "2", "a.", "1", None, "12-1", "1의2"]
    assert sorted(texts, key=serial_sort_key) == ["1", "1의2", "2", "※", "a.", "12-1", None, None]


def _serials(*texts: str) -> list[Serial]:
    out = [parse_serial(t) for t in texts]
    assert all(isinstance(s, Serial) for s in out)
    return out  # type: ignore[return-value]


def _first_part() -> list[str]:
    texts = [f"{n}" for n in range(1, 23)]
    texts[3:3] = ["3의2", "3의3"]
    return texts


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (_first_part(), []),
        ([f"{n}" for n in range(1, 1403)], []),
        (
            [f"{n}" for n in range(1, 1403) if n not in (17, 18)],
            [("missing-serial", "serial numbers 1–1,402 skip 17, 18", "17")],
        ),
        (
            [f"{n}" for n in range(1, 1403) if not 100 <= n <= 120 and n != 1001],
            [("missing-serial", "serial numbers 1–1,402 skip 100–120, 1,001", "100")],
        ),
        (["1", "2", "3의2", "4"], [("orphan-branch", "branch 3의2 has no entry 3", "3의2")]),
        (
            ["1", "2", "3의2", "3의3", "4"],
            [("orphan-branch", "branch 3의2 has no entry 3", "3의2")],
        ),
        (["1", "2", "3", "3의3", "4"], [("branch-gap", "branch 3의3 comes without 3의2", "3의3")]),
        (
            ["1", "3", "3의2", "3의2"],
            [
                ("missing-serial", "serial numbers 1–3 skip 2", "2"),
                ("duplicate-serial", "serial 3의2 appears 2 times", "3의2"),
            ],
        ),
        (["1", "2", "2", "2"], [("duplicate-serial", "serial 2 appears 3 times", "2")]),
        (["5", "6", "7"], []),
        ([], []),
    ],
)
def test_serial_findings(texts: list[str], expected: list[tuple[str, str, str | None]]) -> None:
    found = serial_findings(_serials(*texts))
    assert [(f.rule, f.message, f.serial) for f in found] == expected


def test_serial_findings_caps_a_long_list_of_gaps() -> None:
    found = serial_findings(_serials(*(f"{n}" for n in range(1, 60, 2))))
    assert found[0].message.endswith("and 19 more")
    assert found[0].message.startswith("serial numbers 1–59 skip 2, 4, 6")


# ------------------------------------------------------------------------------ sub-items


@pytest.mark.parametrize(
    ("text", "expected", "level"),
    [
        ("a. 3A001.a.3에 해당하는 것", ("a.", "3A001.a.3에 해당하는 것"), 1),
        ("o. 2B350.g에 해당하는 밸브", ("o.", "2B350.g에 해당하는 밸브"), 1),
        ("b) 전자 부품", ("b)", "전자 부품"), 1),
        ("(a) 전자 부품", ("(a)", "전자 부품"), 1),
        ("(a)전자 부품", ("(a)", "전자 부품"), 1),
        ("i. 아홉째 항목", ("i.", "아홉째 항목"), 1),
        ("가. 집적회로", ("가.", "집적회로"), 1),
        ("나) 집적회로", ("나)", "집적회로"), 1),
        ("(가) 집적회로", ("(가)", "집적회로"), 1),
        ("하.집적회로", ("하.", "집적회로"), 1),
        ("1. 주파수가 10 GHz 이상인 것", ("1.", "주파수가 10 GHz 이상인 것"), 2),
        ("12) 1C350.64", ("12)", "1C350.64"), 2),
        ("(1) 출력", ("(1)", "출력"), 2),
        ("  2.   ", ("2.", ""), 2),
        ("ii. 두째", ("ii.", "두째"), 3),
        ("(iv) 넷째", ("(iv)", "넷째"), 3),
        ("ａ． 전각", ("a.", "전각"), 1),
    ],
)
def test_split_label(text: str, expected: tuple[str, str], level: int) -> None:
    assert split_label(text) == expected
    assert label_level(expected[0]) == level


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "8471.30",
        "2024. 6. 28.",
        "3A001",
        "1,000 cc",
        "1.5 mm 이상",
        "e.g. 전자",
        "A. 총칙",
        "I. 이란 관련 품목",
        "ab. 둘",
        "(vv) 둘",
        "(2024) 연도",
        "가스터빈",
        "전자 장치",
        "※ 비고",
        "123. 세 자리",
    ],
)
def test_split_label_rejects(text: str | None) -> None:
    assert split_label(text) is None


@pytest.mark.parametrize("label", ["a", "3A001", "a. 전자", "A.", ""])
def test_label_level_rejects_non_labels(label: str) -> None:
    with pytest.raises(ValueError, match="is not a sub-item label"):
        label_level(label)


# ------------------------------------------------------------------------ control numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("전자 장치(3A001에 의해 통제되지 않는 것)", ("3A001",)),
        ("a. 3A001.a.3에 해당하는 것", ("3A001.a.3",)),
        ("3A001.a.3.에 규정된 집적회로", ("3A001.a.3",)),
        ("2B350.g에 규정된 밸브 및 1C350.64", ("2B350.g", "1C350.64")),
        ("5A002.a.1.a 및 5a002.a.1.a 참조", ("5A002.a.1.a",)),
        ("0A501, 9E003.a.2 또는 3A001.a.3.", ("0A501", "9E003.a.2", "3A001.a.3")),
        ("３Ａ００１．ｂ에 해당", ("3A001.b",)),
        ("(6A003.b.4.b)", ("6A003.b.4.b",)),
        ("8471.30, 2024년, 1A, EAR99, 13A001, 3F001, 3A0012, A3A001", ()),
        ("HS 8407.10 의 피스톤 내연기관", ()),
        (None, ()),
        ("", ()),
    ],
)
def test_control_numbers(text: str | None, expected: tuple[str, ...]) -> None:
    assert control_numbers(text) == expected


C1_5 = ("3C001", "3C002", "3C003", "3C004", "3C005")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # one number, with its tails
        ("3A001", ("3A001",)),
        ("3A001.a.3", ("3A001.a.3",)),
        ("6A003.b.4.a", ("6A003.b.4.a",)),
        ("1C350.64", ("1C350.64",)),
        ("3a001.a.3", ("3A001.a.3",)),
        (" 3A001.a.3. ", ("3A001.a.3",)),
        ("(3A001.a.3)", ("3A001.a.3",)),
        # glued, no separator
        ("3A0013B001", ("3A001", "3B001")),
        ("3A001.a.33B001", ("3A001.a.3", "3B001")),
        ("3A001.b3B001.c.2", ("3A001.b", "3B001.c.2")),
        ("5A0025D0025E002", ("5A002", "5D002", "5E002")),
        # ranges of entries
        ("3C001∼5", C1_5),
        ("3C001~5", C1_5),
        ("3C001～5", C1_5),
        ("3C001〜5", C1_5),
        ("3C001-3C005", C1_5),
        ("3C001 ~ 3C005", C1_5),
        ("3C001 - 5", C1_5),
        ("3C001–3C005", C1_5),
        ("3C008~10", ("3C008", "3C009", "3C010")),
        ("3C001~3", ("3C001", "3C002", "3C003")),
        ("3C001~1", ("3C001",)),
        # mixed
        ("3B0013C001~5", ("3B001", *C1_5)),
        ("3C001~53D001", (*C1_5, "3D001")),
        ("3A001, 3C001~3", ("3A001", "3C001", "3C002", "3C003")),
        # separated
        ("3A001, 3B001", ("3A001", "3B001")),
        ("3A001,3B001", ("3A001", "3B001")),
        ("3A001/3B001", ("3A001", "3B001")),
        ("3A001; 3B001", ("3A001", "3B001")),
        ("3A001 3B001", ("3A001", "3B001")),
        ("3A001\n3B001.b.4.a", ("3A001", "3B001.b.4.a")),
        ("3A001\r\n\n3B001", ("3A001", "3B001")),
        ("3A001 및 3B001", ("3A001", "3B001")),
        ("3A001및3B001", ("3A001", "3B001")),
        ("3A001 또는 3B001", ("3A001", "3B001")),
        ("3A001、3B001·3C001", ("3A001", "3B001", "3C001")),
        ("3A001 and 3B001 or 3C001", ("3A001", "3B001", "3C001")),
        # full width
        ("３Ａ００１．ａ．３", ("3A001.a.3",)),
        ("３Ａ００１，３Ｂ００１", ("3A001", "3B001")),
        ("３Ｃ００１～５", C1_5),
        # each once, in order
        ("3B001, 3A001, 3B001", ("3B001", "3A001")),
        # cells naming none
        (None, ()),
        ("", ()),
        ("-", ()),
        ("해당없음", ()),
        ("N/A", ()),
    ],
)
def test_control_number_cells(cell: str | None, expected: tuple[str, ...]) -> None:
    reading = read_control_numbers(cell, cell=True)
    assert reading.numbers == expected
    assert reading.problems == ()


@pytest.mark.parametrize(
    ("cell", "numbers", "problems"),
    [
        ("3C005~1", (), (("reversed-range", "3C005~1"),)),
        ("3A001, 3C005-3C001", ("3A001",), (("reversed-range", "3C005-3C001"),)),
        ("3C001~3D005", (), (("unreadable", "3C001~3D005"),)),
        ("3C001~150", (), (("long-range", "3C001~150"),)),
        ("3A001, 3X001; 3B001", ("3A001", "3B001"), (("unreadable", "3X001"),)),
        ("3A001 (관련 없음)", ("3A001",), (("unreadable", "관련 없음"),)),
        ("EAR99", (), (("unreadable", "EAR99"),)),
        ("8471.30", (), (("unreadable", "8471.30"),)),
        ("3A0012", (), (("unreadable", "3A0012"),)),
        ("3A001.a.1~3", ("3A001.a.1",), (("unreadable", "~3"),)),
        ("3A001.A.3", ("3A001",), (("unreadable", "A.3"),)),
        ("3C001 ~ ", ("3C001",), (("unreadable", "~"),)),
        ("확인 중", (), (("unreadable", "확인 중"),)),
    ],
)
def test_control_number_cell_problems(
    cell: str, numbers: tuple[str, ...], problems: tuple[tuple[str, str], ...]
) -> None:
    reading = read_control_numbers(cell, cell=True)
    assert reading.numbers == numbers
    assert [(p.kind, p.text) for p in reading.problems] == list(problems)


def test_problems_say_what_was_not_read() -> None:
    assert ControlNumberProblem("reversed-range", "3C005~1").describe() == (
        'the range "3C005~1" runs backwards, so none of it was read'
    )
    assert ControlNumberProblem("unreadable", "3X001").describe() == (
        '"3X001" is not a control number (such as 3A001.a.3)'
    )


def test_a_text_reads_numbers_as_a_cell_does_and_leaves_its_words() -> None:
    text = "3C001~3 및 3A0013B001에 해당하는 것(3C005~1은 제외)"
    reading = read_control_numbers(text)
    assert reading.numbers == ("3C001", "3C002", "3C003", "3A001", "3B001")
    assert control_numbers(text) == reading.numbers
    assert [p.kind for p in reading.problems] == ["reversed-range"]


# ------------------------------------------------------------------------ mentioned codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("불꽃점화식 왕복 피스톤 내연기관(8407.10)", ("840710",)),
        ("8407.10.1000 및 8407.10-2000", ("8407101000", "8407102000")),
        ("8407.10.10에 해당하는 것", ("84071010",)),
        ("제8407호의 엔진", ("8407",)),
        ("제8407.10호에 해당하는 것", ("840710",)),
        ("부분품(제8471호)", ("8471",)),
        ("제84류에 해당하는 기계", ("84",)),
        ("HS 8407의 엔진", ("8407",)),
        ("HS코드 840710인 것", ("840710",)),
        ("hs code: 8471.30", ("847130",)),
        ("(8407.10), (8407.10), 8407.10.", ("840710",)),
        ("８４０７．１０", ("840710",)),
        ("8501.10 또는 8501.20 (HS 8501)", ("850110", "850120", "8501")),
        ("2005.10.10 이후", ()),
        ("2005.10 균질화한 채소", ("200510",)),
        ("2024년 3,000cc 초과 10킬로그램 이하", ()),
        ("2024. 6. 28. 개정", ()),
        ("2024.06.28 개정", ()),
        ("(2024) 고시", ()),
        ("1500.00 mm 이상, 2500.50kg 이하, 1000.00% ", ()),
        ("1,000.50 또는 1.8407.10", ()),
        ("3A001.a.3 및 1C350.64, 5A002.a.1.a", ()),
        ("3의2, 12., 제3호, 제2024-123호", ()),
        ("8407.101", ()),
        (None, ()),
        ("", ()),
    ],
)
def test_mentioned_codes(text: str | None, expected: tuple[str, ...]) -> None:
    assert mentioned_codes(text) == expected


def test_mentioned_codes_in_a_spec_entry() -> None:
    text = (
        "전자 장치 및 부분품(제8542호)으로서 3A001에 의해 통제되지 않는 것\n"
        "a. 3A001.a.3에 해당하는 것(8542.31)\n"
        "b. 2B350.g의 밸브(8481.80-2000), 배기량 1,000 cc 이하"
    )
    assert mentioned_codes(text) == ("8542", "854231", "8481802000")
    assert control_numbers(text) == ("3A001", "3A001.a.3", "2B350.g")


# ------------------------------------------------------------------------- section titles

RUSSIA = "러시아·벨라루스 상황허가 대상 품목"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            ["1. 이란·파키스탄·시리아 관련 상황허가 대상 품목"],
            (1, "이란·파키스탄·시리아 관련 상황허가 대상 품목"),
        ),
        ([f"2. {RUSSIA}", None, "", None, None], (2, RUSSIA)),
        ([f"2. {RUSSIA}"] * 5, (2, RUSSIA)),
        ([None, f"  2.  {RUSSIA} ", None], (2, RUSSIA)),
        ([f"2) {RUSSIA}"], (2, RUSSIA)),
        ([f"제2부 {RUSSIA}"], (2, RUSSIA)),
        (["제 1 편. 이란 관련"], (1, "이란 관련")),
        (["[러시아·벨라루스]"], (None, "러시아·벨라루스")),
        (["【러시아·벨라루스】", "【러시아·벨라루스】"], (None, "러시아·벨라루스")),
        ([f"Ⅱ. {RUSSIA}"], (2, RUSSIA)),
        (["Ⅳ. 기타 통제 목록"], (4, "기타 통제 목록")),
        ([f"II. {RUSSIA}"], (2, RUSSIA)),
        (["I. 일반 산업용 물품"], (1, "일반 산업용 물품")),
        (["Part 2 Russia and Belarus items"], (2, "Russia and Belarus items")),
        ([RUSSIA], (None, RUSSIA)),
        ([f"2. {RUSSIA} <신설 2023. 4. 28.>"], (2, f"{RUSSIA} <신설 2023. 4. 28.>")),
    ],
)
def test_section_title(cells: list[str | None], expected: tuple[int | None, str]) -> None:
    title = section_title(cells)
    assert title == SectionTitle(*expected)


@pytest.mark.parametrize(
    "cells",
    [
        # footnotes
        ["※ 상황허가 대상 품목은 러시아·벨라루스로 수출하는 경우에 한한다"],
        ["* 러시아·벨라루스 대상 품목"],
        ["주: 러시아·벨라루스 대상 품목"],
        ["(주) 러시아·벨라루스 대상 품목"],
        ["비고: 대상 품목의 범위"],
        # header rows
        ["연번", "HS코드", "품목명"],
        ["연번 HS코드 품목명"],
        ["품목명"] * 3,
        # the annex heading and its amendment marker
        ["[별표 2의2] <개정 2023. 4. 28., 2024. 6. 28.>"],
        ["<개정 2024. 6. 28.>"],
        ["산업통상자원부고시 제2024-123호"],
        # data rows and serials
        ["1", "8471.30", "컴퓨터"],
        ["3의2", None, None],
        [None, None, "12"],
        ["1402."],
        # sub-items and spec texts
        ["a. 3A001.a.3에 해당하는 것"],
        ["(1) 러시아 대상 품목"],
        ["가. 러시아·벨라루스 대상 품목"],
        ["1. 주파수가 10 GHz 이상인 것"],
        ["2. 러시아로 수출되는 전자 장치로서 3A001에 의해 통제되지 않는 것"],
        ["1. 대상 품목(8407.10)"],
        ["전자 장치 및 그 부분품으로서 다른 항목에 규정되지 않은 것"],
        ["전자 장치"],
        # too short, no words, or no number
        ["1. 가"],
        ["Ⅱ."],
        ["[12]"],
        ["VV. 러시아 품목"],
        ["0. 러시아 품목"],
        [f"1. {RUSSIA} " + "가" * 60],
        # empty rows
        [],
        [None, "", "  "],
    ],
)
def test_not_a_section_title(cells: list[str | None]) -> None:
    assert section_title(cells) is None


# --------------------------------------------------------------------------------- notice

JUNE_28 = dt.date(2024, 6, 28)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["[별표 2의2] <개정 2023. 4. 28., 2024. 6. 28.>", "상황허가 대상 품목(제6조 관련)"],
            Notice(None, None, None, "<개정 2023. 4. 28., 2024. 6. 28.>", JUNE_28),
        ),
        (
            ["산업통상자원부고시 제2024-123호(2024. 6. 28.)"],
            Notice("제2024-123호", "산업통상자원부", JUNE_28),
        ),
        (
            ["전략물자 수출입고시", "산업통상부 고시 제2025-7호", None, ""],
            Notice("제2025-7호", "산업통상부"),
        ),
        (
            ["고시 제2024-0123호", "고시일: 2024.06.28"],
            Notice("제2024-123호", None, JUNE_28),
        ),
        (
            ["고시일자 2024-06-28", "산업통상자원부 고시 제 2024 - 123 호 ( 2024. 6. 28. )"],
            Notice("제2024-123호", "산업통상자원부", JUNE_28),
        ),
        (
            [
                "전략물자 수출입고시 [별표 2의2] 〈신설 2023. 4. 28.〉",
                "산업통상자원부고시 제2023-77호(2023. 4. 28.)",
                "산업통상자원부고시 제2024-123호(2024. 6. 28.)",
            ],
            Notice(
                "제2023-77호",
                "산업통상자원부",
                dt.date(2023, 4, 28),
                "〈신설 2023. 4. 28.〉",
                dt.date(2023, 4, 28),
            ),
        ),
        (
            ["[별표 2의2] <개정 2024. 2. 30.>", "고시일: 2024. 13. 1."],
            Notice(None, None, None, "<개정 2024. 2. 30.>", None),
        ),
        (
            ["［별표 2의2］ ＜개정 2024. 6. 28.＞"],
            Notice(None, None, None, "<개정 2024. 6. 28.>", JUNE_28),
        ),
        (["연번", "HS코드", "품목명", None], Notice()),
        ([], Notice()),
    ],
)
def test_parse_notice(lines: list[str | None], expected: Notice) -> None:
    assert parse_notice(lines) == expected


def test_parse_notice_reads_a_generator_once() -> None:
    lines = (line for line in ["산업통상자원부고시 제2024-123호", "<개정 2024. 6. 28.>"])
    assert parse_notice(lines) == Notice(
        "제2024-123호", "산업통상자원부", None, "<개정 2024. 6. 28.>", JUNE_28
    )


@pytest.mark.parametrize(
    "text",
    [
        "2024-123",
        "제2024-123호",
        "고시 제2024-123호",
        "산업통상자원부고시 제2024-123호",
        "산업통상부 고시 제2024-123호",
        " 제 2024 - 123 호 ",
        "2024-0123",
        "2024-123호",
        "２０２４－１２３",
    ],
)
def test_parse_notice_number(text: str) -> None:
    assert parse_notice_number(text) == "제2024-123호"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123",
        "2024",
        "제3호",
        "123호",
        "2024-0",
        "제2024-123",
        "24-123",
        "2024/123",
        "2024-123-1",
    ],
)
def test_parse_notice_number_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a notice number"):
        parse_notice_number(text)
