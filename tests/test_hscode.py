"""Tests for exportctl.hscode: parsing cells, column context and the packaged nomenclature."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exportctl.errors import ExportctlError
from exportctl.hscode import (
    CodeCell,
    CodeProblem,
    ColumnProfile,
    HSCode,
    Nomenclature,
    Readings,
    UnknownEditionError,
    chapter,
    covers,
    heading,
    hs6,
    normalise,
    normalise_column,
    read_code,
    reading_edition,
    shown_text,
)

KOREA_MASTER = Path("hs") / "korea-customs" / "관세청_HS부호_20250101.xlsx"


def shared_data() -> Path | None:
    """The shared reference data folder, if this checkout has one next to it."""
    env = os.environ.get("EXPORTCTL_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    for folder in candidates:
        if (folder / KOREA_MASTER).is_file():
            return folder
        if (folder / "data" / KOREA_MASTER).is_file():
            return folder / "data"
    return None


# --------------------------------------------------------------------------- HSCode


@pytest.mark.parametrize(
    ("digits", "dotted"),
    [
        ("84", "84"),
        ("8471", "8471"),
        ("847130", "8471.30"),
        ("84713010", "8471.30.10"),
        ("8471301000", "8471.30.1000"),
    ],
)
def test_dotted_and_level(digits: str, dotted: str) -> None:
    code = HSCode(digits)
    assert code.dotted() == dotted
    assert code.level == len(digits)
    assert str(code) == dotted
    assert str(HSCode(digits, ex=True)) == f"ex {dotted}"


@pytest.mark.parametrize("digits", ["", "8", "847", "8471.30", "84713010001", "８４"])
def test_hscode_rejects_bad_digits(digits: str) -> None:
    with pytest.raises(ValueError, match="HS code digits"):
        HSCode(digits)


# --------------------------------------------------------------------------- normalise: text


@pytest.mark.parametrize(
    ("raw", "digits", "ex"),
    [
        ("8471.30", "847130", False),
        ("8471.30.0000", "8471300000", False),
        ("8471.30.10", "84713010", False),
        ("8471300000", "8471300000", False),
        ("8471 30", "847130", False),
        ("8471-30", "847130", False),
        ("8471–30", "847130", False),
        ("ex 8471.30", "847130", True),
        ("ex8471", "8471", True),
        ("Ex. 8471", "8471", True),
        ("EX 8471.30", "847130", True),
        ("(ex)8471", "8471", True),
        ("(ex) 8471.30", "847130", True),
        ("8471.30 (ex)", "847130", True),
        ("HS 847130", "847130", False),
        ("HS: 8471.30", "847130", False),
        ("hs847130", "847130", False),
        ("HSK 8471.30.1000", "8471301000", False),
        ("HS code 8471.30", "847130", False),
        ("84.71", "8471", False),
        ("8471", "8471", False),
        ("84", "84", False),
        ("010121", "010121", False),
        ("0101.21", "010121", False),
        ("８４７１．３０", "847130", False),
        ("８４７１.30", "847130", False),
        ("  8471.30\n", "847130", False),
        ("8471\n.30", "847130", False),
        ("8471\u00a030", "847130", False),
        ("\u00a08471.30\u00a0", "847130", False),
        ("\u200b8471.30", "847130", False),
        ("8471.30.", "847130", False),
        ("'010121", "010121", False),
        ("8471. 30. 1000", "8471301000", False),
    ],
)
def test_text_forms(raw: str, digits: str, ex: bool) -> None:
    result = normalise(raw)
    assert result == HSCode(digits, ex=ex)
    assert isinstance(result, HSCode)
    assert result.level == len(digits)
    assert result.recovered is None


def test_scientific_text_is_expanded_with_a_note() -> None:
    result = normalise("8.4713E+09")
    assert isinstance(result, HSCode)
    assert result.digits == "8471300000"
    assert result.level == 10
    assert not result.ex
    assert result.recovered == (
        'expanded from scientific notation "8.4713E+09"; digits after 84713 are taken as zeros'
    )


@pytest.mark.parametrize("raw", ["", "   ", "-", "–", "—", "N/A", "n/a", "\u00a0", None])
def test_blank_and_placeholders(raw: str | None) -> None:
    assert normalise(raw) is None


@pytest.mark.parametrize(
    ("raw", "candidates", "reason"),
    [
        (
            "8471.3",
            ("847130", "847103"),
            '"8471.3" may be 8471.30 or 8471.03; format the cell as text',
        ),
        (
            "10121",
            ("010121", "101210"),
            '"10121" has 5 digits; it may be 0101.21 with a lost leading zero or 1012.10 with '
            "a lost trailing zero; format the cell as text",
        ),
        ("101.21", ("010121",), '"101.21" may be 0101.21; format the cell as text'),
        ("847", ("0847", "8470"), None),
        ("8471301", ("08471301", "84713010"), None),
        ("847130100", ("0847130100", "8471301000"), None),
        ("8471.30.100", ("8471301000", "8471300100"), None),
        ("8", ("08", "80"), None),
    ],
)
def test_odd_digit_counts_are_ambiguous(
    raw: str, candidates: tuple[str, ...], reason: str | None
) -> None:
    result = normalise(raw)
    assert isinstance(result, CodeProblem)
    assert result.kind == "ambiguous"
    assert result.raw == raw
    assert result.candidates == candidates
    if reason is not None:
        assert result.reason == reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("84.7x", '"84.7x" is not an HS code'),
        ("8471.30a", '"8471.30a" is not an HS code'),
        ("84713012345", '"84713012345" has 11 digits; HS codes have at most 10'),
        (
            "8471.30, 8471.41",
            '"8471.30, 8471.41" holds more than one code or a range; give one per row',
        ),
        (
            "8471.30~8471",
            '"8471.30~8471" holds more than one code or a range; give one per row',
        ),
        ("٨٤٧١", '"٨٤٧١" is not an HS code'),
    ],
)
def test_malformed(raw: str, reason: str) -> None:
    result = normalise(raw)
    assert result == CodeProblem(raw, "malformed", reason)


@pytest.mark.parametrize("raw", ["해당없음", "승용차", "passenger cars", "HS"])
def test_text_without_digits_is_not_a_code(raw: str) -> None:
    result = normalise(raw)
    assert isinstance(result, CodeProblem)
    assert result.kind == "not-a-code"
    assert result.candidates == ()


# --------------------------------------------------------------------------- normalise: numbers


@pytest.mark.parametrize(
    ("value", "number_format", "digits", "recovered"),
    [
        (847130, None, "847130", None),
        (847130, "General", "847130", None),
        (8471, None, "8471", None),
        (8471.31, None, "847131", None),
        (84.71, None, "8471", None),
        (8471300000.0, None, "8471300000", None),
        (8471300000, "General", "8471300000", None),
        (8471.3, "0000.00", "847130", "trailing zero restored: number format 0000.00"),
        (10121, "000000", "010121", "leading zero restored: number format 000000"),
        (101.21, "0000.00", "010121", "leading zero restored: number format 0000.00"),
        (101.2, "0000.00", "010120", "leading and trailing zeros restored: number format 0000.00"),
        (847130, "000000", "847130", None),
        (101211000, "0000000000", "0101211000", "leading zero restored: number format 0000000000"),
        (
            101211000,
            "0000.00.0000",
            "0101211000",
            "leading zero restored: number format 0000.00.0000",
        ),
        (
            101211000,
            '0000"."00"."0000',
            "0101211000",
            'leading zero restored: number format 0000"."00"."0000',
        ),
        (8471, "0000.00", "847100", "trailing zeros restored: number format 0000.00"),
        (847130, "0000.00", "847130", None),  # the format does not fit: read as General
    ],
)
def test_numbers(
    value: int | float, number_format: str | None, digits: str, recovered: str | None
) -> None:
    result = normalise(value, number_format)
    assert result == HSCode(digits, recovered=recovered)


@pytest.mark.parametrize(
    ("value", "number_format", "candidates", "reason"),
    [
        (
            10121,
            "General",
            ("010121",),
            "the number 10121 has 5 digits; it may be 0101.21 with its leading zero lost; "
            "format the cell as text",
        ),
        (10121, None, ("010121",), None),
        (10121, "@", ("010121",), None),
        (10121, "#####0", ("010121",), None),
        (
            101.21,
            None,
            ("010121",),
            "the number 101.21 may be 0101.21 with its leading zero lost; format the cell as text",
        ),
        (
            8471.3,
            None,
            ("847130",),
            "the number 8471.3 may be 8471.30 with its trailing zero lost; format the cell as text",
        ),
        (101.2, "General", ("010120",), None),
        (84.7, None, ("8470",), None),
        (101211000, None, ("0101211000",), None),
    ],
)
def test_numbers_that_lost_zeros_are_ambiguous(
    value: int | float, number_format: str | None, candidates: tuple[str, ...], reason: str | None
) -> None:
    result = normalise(value, number_format)
    assert isinstance(result, CodeProblem)
    assert result.kind == "ambiguous"
    assert result.candidates == candidates
    if reason is not None:
        assert result.reason == reason


@pytest.mark.parametrize("value", [-847130, float("nan"), float("inf"), 1e-05, 84713012345, True])
def test_numbers_that_are_not_codes(value: int | float) -> None:
    result = normalise(value)
    assert isinstance(result, CodeProblem)
    assert result.kind == "malformed"


@pytest.mark.parametrize(
    ("value", "text"), [(8471.3, "8471.3"), (10121, "10121"), (8471300000.0, "8471300000")]
)
def test_code_cell_renders_numbers_shortest(value: int | float, text: str) -> None:
    cell = CodeCell.of(value, "General")
    assert cell == CodeCell(text, value, "General")


# --------------------------------------------------------------------------- column context


def text_cells(*texts: str) -> list[CodeCell]:
    return [CodeCell.of(t) for t in texts]


SIX_DIGIT_TEXT = text_cells("847130", "847141", "854231", "850440", "901890", "030289")


def test_column_restores_leading_zero_of_a_number() -> None:
    cells = [*SIX_DIGIT_TEXT, CodeCell.of(10121), CodeCell.of(847150)]
    profile = ColumnProfile.learn(cells)
    assert profile.dominant_length == 6
    assert profile.text_keeps_leading_zeros
    assert not profile.national
    assert profile.normalise(cells[-2]) == HSCode(
        "010121", recovered="leading zero restored: column holds 6-digit codes"
    )
    assert profile.normalise(cells[-1]) == HSCode("847150")


def test_column_does_not_restore_a_missing_heading() -> None:
    # 084713 would be chapter 08, but heading 0847 does not exist: not certain.
    cells = [*SIX_DIGIT_TEXT, CodeCell.of(84713)]
    result = normalise_column(cells)[-1]
    assert isinstance(result, CodeProblem)
    assert result.kind == "ambiguous"
    assert result.candidates == ("084713",)


def test_column_keeps_text_as_typed_when_text_keeps_leading_zeros() -> None:
    cells = [*SIX_DIGIT_TEXT, CodeCell.of("10121")]
    result = normalise_column(cells)[-1]
    assert isinstance(result, CodeProblem)
    assert result.kind == "ambiguous"


def test_column_of_text_saved_from_numbers_loses_leading_zeros() -> None:
    cells = text_cells("847130", "847141", "854231", "850440", "901890", "10121")
    profile = ColumnProfile.learn(cells)
    assert not profile.text_keeps_leading_zeros
    assert profile.normalise(cells[-1]) == HSCode(
        "010121", recovered="leading zero restored: column holds 6-digit codes"
    )


def test_column_without_a_clear_majority_restores_nothing() -> None:
    cells = [*text_cells("847130", "8471", "85", "8542.31", "9018"), CodeCell.of(10121)]
    profile = ColumnProfile.learn(cells)
    assert profile.dominant_length is None
    result = profile.normalise(cells[-1])
    assert isinstance(result, CodeProblem)
    assert result.kind == "ambiguous"


def test_column_needs_enough_codes_to_vouch() -> None:
    cells = [*text_cells("847130", "854231"), CodeCell.of(10121)]
    assert ColumnProfile.learn(cells).dominant_length is None
    assert isinstance(normalise_column(cells)[-1], CodeProblem)


def test_column_of_decimal_numbers_restores_trailing_and_leading_zeros() -> None:
    numbers = [8471.31, 8542.31, 8504.41, 9018.9, 8471.41, 101.21, 8526.91, 8548]
    cells = [CodeCell.of(v) for v in numbers]
    profile = ColumnProfile.learn(cells)
    assert profile.decimal_codes
    results = normalise_column(cells)
    assert results[3] == HSCode(
        "901890", recovered="trailing zero restored: column holds codes written dddd.dd"
    )
    assert results[5] == HSCode(
        "010121", recovered="leading zero restored: column holds codes written dddd.dd"
    )
    assert results[0] == HSCode("847131")
    last = results[-1]
    assert isinstance(last, CodeProblem)
    assert last.kind == "ambiguous"
    assert last.candidates == ("8548", "854800")


def test_column_of_dotted_text_restores_a_number() -> None:
    cells = [
        *text_cells("8471.30", "8542.31", "8504.40", "0302.89", "9018.90"),
        CodeCell.of(8471.5),
    ]
    assert normalise_column(cells)[-1] == HSCode(
        "847150", recovered="trailing zero restored: column holds codes written dddd.dd"
    )


def test_fixed_number_format_wins_in_a_column() -> None:
    cells = [*SIX_DIGIT_TEXT, CodeCell.of(8471.3, "0000.00"), CodeCell.of(10121, "000000")]
    results = normalise_column(cells)
    assert results[-2] == HSCode(
        "847130", recovered="trailing zero restored: number format 0000.00"
    )
    assert results[-1] == HSCode("010121", recovered="leading zero restored: number format 000000")


NATIONAL = text_cells(
    "0101211000",
    "0102291010",
    "8471300000",
    "8542311000",
    "0301991090",
    "8504401010",
    "8471411000",
    "8471419000",
    "9018901000",
    "9018909000",
    "01029090",
    "030199409",
    "0207603",
    "02076032",
)


def test_national_column_restores_trailing_zeros() -> None:
    profile = ColumnProfile.learn(NATIONAL)
    assert profile.national
    assert profile.dominant_length == 10
    note = "trailing zeros restored: column holds 10-digit national codes"
    results = normalise_column(NATIONAL)
    assert results[:10] == [HSCode(c.text or "") for c in NATIONAL[:10]]
    assert results[10:] == [
        HSCode("0102909000", recovered=note),
        HSCode("0301994090", recovered=note),
        HSCode("0207603000", recovered=note),
        HSCode("0207603200", recovered=note),
    ]


def test_national_padding_that_collides_is_ambiguous() -> None:
    cells = [*NATIONAL, *text_cells("0102909000", "02076030", "8471500000", "8471600000")]
    results = normalise_column(cells)
    by_text = dict(zip([c.text for c in cells], results, strict=True))
    for text in ("01029090", "0207603", "02076030"):
        result = by_text[text]
        assert isinstance(result, CodeProblem), text
        assert result.kind == "ambiguous"
        assert "collide" in result.reason
    assert by_text["02076032"] == HSCode(
        "0207603200", recovered="trailing zeros restored: column holds 10-digit national codes"
    )


def test_national_needs_text_with_leading_zeros() -> None:
    cells = text_cells(*(["8471300000"] * 9), "847130100")
    profile = ColumnProfile.learn(cells)
    assert profile.dominant_length == 10
    assert not profile.national
    result = profile.normalise(cells[-1])
    assert isinstance(result, CodeProblem)
    assert result.kind == "ambiguous"


def test_number_in_a_national_column_gets_a_leading_zero() -> None:
    cells = [*NATIONAL, CodeCell.of(101211000)]
    assert normalise_column(cells)[-1] == HSCode(
        "0101211000", recovered="leading zero restored: column holds 10-digit codes"
    )


def test_profile_learns_from_a_sample_and_skips_blanks() -> None:
    cells = [*SIX_DIGIT_TEXT, CodeCell(None), CodeCell.of("-"), CodeCell.of(10121)]
    profile = ColumnProfile.learn(iter(cells[:6]))
    assert profile.cells == 6
    assert profile.lengths == {6: 6}
    assert profile.normalise(cells[6]) is None
    assert profile.normalise(cells[7]) is None
    assert profile.normalise(cells[8]) == HSCode(
        "010121", recovered="leading zero restored: column holds 6-digit codes"
    )


def test_not_a_code_and_malformed_survive_the_column() -> None:
    cells = [*SIX_DIGIT_TEXT, CodeCell.of("승용차"), CodeCell.of("84.7x")]
    results = normalise_column(cells)
    assert [r.kind for r in results[-2:] if isinstance(r, CodeProblem)] == [
        "not-a-code",
        "malformed",
    ]


def test_korea_customs_master_pads_to_distinct_codes() -> None:
    folder = shared_data()
    if folder is None:
        pytest.skip(
            "Korea Customs HS master not found: set EXPORTCTL_SHARED_DATA to the folder "
            "holding hs/korea-customs/"
        )
    calamine = pytest.importorskip("python_calamine")
    workbook = calamine.CalamineWorkbook.from_path(str(folder / KOREA_MASTER))
    rows = workbook.get_sheet_by_name("2025.1.1.").to_python()
    assert rows[0][0] == "HS부호"
    cells = [CodeCell.of(row[0]) for row in rows[1:]]
    by_length: dict[int, int] = {}
    for cell in cells:
        by_length[len(cell.text or "")] = by_length.get(len(cell.text or ""), 0) + 1
    assert by_length == {10: 11327, 8: 918, 9: 170, 7: 52}

    profile = ColumnProfile.learn(cells)
    assert profile.national
    assert profile.dominant_length == 10
    results = normalise_column(cells)
    codes = [r for r in results if isinstance(r, HSCode)]
    assert len(codes) == 12467
    assert len({c.digits for c in codes}) == 12467
    assert {c.level for c in codes} == {10}
    assert sum(c.recovered is not None for c in codes) == 918 + 170 + 52
    by_text = dict(zip([c.text for c in cells], results, strict=True))
    assert by_text["01029090"] == HSCode(
        "0102909000", recovered="trailing zeros restored: column holds 10-digit national codes"
    )
    padded = by_text["030199409"]
    assert isinstance(padded, HSCode)
    assert padded.dotted() == "0301.99.4090"
    assert by_text["0207603"] == HSCode(
        "0207603000", recovered="trailing zeros restored: column holds 10-digit national codes"
    )
    assert by_text["8471300000"] == HSCode("8471300000")
    # Every code but the national "household goods" line 2424.00.0000 is in HS 2022.
    hs2022 = Nomenclature.load("2022")
    assert [c.digits for c in codes if not hs2022.known(c.digits)] == ["2424000000"]


# --------------------------------------------------------------------------- one reading


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        ("0101.21", None, "0101.21"),
        (10121, "000000", "010121"),
        (10121, "General", "10121"),
        (10121, None, "10121"),
        (10121, "@", "10121"),
        (101.21, "0000.00", "0101.21"),
        (8471.3, "0000.00", "8471.30"),
        (8471.3, "General", "8471.3"),
        (8471, "0000.00", "8471.00"),
        (8471.305, "0000.00", "8471.31"),  # Excel shows it rounded
        (101211000, "0000000000", "0101211000"),
        (101211000, "0000.00.0000", "0101211000"),  # literal dots left out
        (8471300000, "000000", "8471300000"),  # more digits than the format: all shown
        (847130, "#,##0", "847130"),  # any other format: as General
        (-8471, "000000", "-8471"),
    ],
)
def test_shown_text_is_what_the_cell_shows(
    value: str | int | float, number_format: str | None, shown: str
) -> None:
    assert shown_text(CodeCell.of(value, number_format)) == shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8471.30.1000", "8471301000"),
        ("101211000", "0101211000"),  # 1012.11 does not exist: never 1012.11.0000
        ("10121", "010121"),
        ("8471.3", "847130"),
        ("101.21", "010121"),
        ("1012110", "01012110"),
        ("ex 10121", "010121"),
    ],
)
def test_read_code_restores_zeros_only_into_a_code_that_exists(text: str, expected: str) -> None:
    reading = read_code(text)
    assert isinstance(reading, HSCode) and reading.digits == expected
    assert Nomenclature.load("2022").known(reading.digits)
    assert read_code(CodeCell.of(text)) == reading


def test_read_code_gives_every_real_reading_or_none() -> None:
    both = read_code("90111")
    assert isinstance(both, Readings)
    assert [(c.digits, c.recovered) for c in both.codes] == [
        ("090111", "a leading zero was restored"),
        ("901110", "a trailing zero was restored"),
    ]
    assert both.reason == (
        '"90111" lost a zero: it may be 0901.11 or 9011.10, both HS 2022 subheadings'
    )
    neither = read_code("99999")
    assert isinstance(neither, CodeProblem) and neither.kind == "ambiguous"
    assert "neither 0999.99 nor 9999.90 is an HS 2022 subheading" in neither.reason
    assert read_code(None) is None and read_code("") is None and read_code(" - ") is None


def test_read_code_uses_the_lists_edition() -> None:
    assert reading_edition("HS2017") == reading_edition(" hs 2017") == "2017"
    assert reading_edition(None) == reading_edition("HS2012") == "2022"
    assert read_code("30910", "HS2022") == HSCode(
        "030910", False, "a leading zero was restored because only that reading is an HS 2022 "
        "subheading"
    )  # fmt: skip
    assert isinstance(read_code("30910", "HS2017"), CodeProblem)


def test_codes_read_as_written_look_nothing_up_and_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Most rows hold a code as written: they must not pay for the nomenclature."""

    def refuse(edition: str = "2022") -> Nomenclature:
        raise AssertionError("the nomenclature was consulted")

    monkeypatch.setattr(Nomenclature, "load", staticmethod(refuse))
    for text in ("8471.30", "8471300000", "0101.21.1000", "ex 8536.69", "8.4713E+09", "84.7x"):
        assert read_code(f"{text} ") is read_code(f"{text} ")
    assert isinstance(read_code(CodeCell.of(10121, "000000")), HSCode)
    with pytest.raises(AssertionError, match="consulted"):
        read_code("31415")


# --------------------------------------------------------------------------- code arithmetic


@pytest.mark.parametrize(
    ("entry", "code", "expected"),
    [
        ("8471", "847130", True),
        ("847130", "8471300000", True),
        ("847130", "847130", True),
        ("847130", "8471", False),
        ("8471", "8472", False),
        ("8471.30", "8471.30.1000", True),
        ("", "8471", False),
    ],
)
def test_covers(entry: str, code: str, expected: bool) -> None:
    assert covers(entry, code) is expected


def test_code_parts() -> None:
    assert hs6("8471301000") == "847130"
    assert hs6("8471") is None
    assert chapter("8471301000") == "84"
    assert heading("847130") == "8471"
    assert heading("84") is None
    with pytest.raises(ValueError, match="at least 2 digits"):
        chapter("8")


# --------------------------------------------------------------------------- nomenclature


@pytest.mark.parametrize(
    ("edition", "chapters", "headings", "subheadings"),
    [("2022", 96, 1228, 5612), ("2017", 96, 1222, 5387)],
)
def test_nomenclature_counts(edition: str, chapters: int, headings: int, subheadings: int) -> None:
    hs = Nomenclature.load(edition)
    assert hs.edition == edition
    assert len(hs.codes(2)) == chapters
    assert len(hs.codes(4)) == headings
    assert len(hs.codes(6)) == subheadings
    # UN Comtrade's reporting aggregate is not an HS heading.
    assert not hs.known("99")
    assert not hs.known("999999")
    assert "77" not in hs.codes(2)


def test_nomenclature_is_cached() -> None:
    assert Nomenclature.load("2022") is Nomenclature.load()


@pytest.mark.parametrize(
    ("digits", "known"),
    [
        ("84", True),
        ("8471", True),
        ("847130", True),
        ("8471300000", True),
        ("84713010", True),
        ("847199", False),
        ("8471990000", False),
        ("77", False),
        ("847", False),
        ("", False),
    ],
)
def test_known_2022(digits: str, known: bool) -> None:
    assert Nomenclature.load("2022").known(digits) is known


def test_editions_differ() -> None:
    # 8541.51 (semiconductor-based transducers) is new in HS 2022.
    assert Nomenclature.load("2022").known("854151")
    assert not Nomenclature.load("2017").known("854151")


def test_description_uses_the_deepest_known_level() -> None:
    hs = Nomenclature.load("2022")
    assert hs.description("847130") == (
        "Automatic data processing machines; portable, weighing not more than 10kg, "
        "consisting of at least a central processing unit, a keyboard and a display"
    )
    assert hs.description("8471309000") == hs.description("847130")
    assert hs.description("847199") == hs.description("8471")
    assert hs.description("01") == "Animals; live"
    assert hs.description("7700") is None


def test_section() -> None:
    hs = Nomenclature.load("2022")
    section = hs.section("8471")
    assert section is not None
    assert section[0] == "XVI"
    assert section[1].startswith("Machinery and mechanical appliances; electrical equipment;")
    assert hs.section("0101") == ("I", "live animals; animal products")
    assert hs.section("7700") is None
    assert Nomenclature.load("2017").section("930100") == (
        "XIX",
        "Arms and ammunition; parts and accessories thereof",
    )


@pytest.mark.parametrize("edition", ["2012", "HS2022", ""])
def test_unknown_edition(edition: str) -> None:
    with pytest.raises(UnknownEditionError, match="unknown HS edition") as caught:
        Nomenclature.load(edition)
    assert isinstance(caught.value, ExportctlError)
    assert isinstance(caught.value, ValueError)


def test_profile_cache_gives_the_uncached_results() -> None:
    """Repeated cells come from the profile's cache; they must read as on first sight."""
    import exportctl.hscode.columns as hscode

    cells = [CodeCell.of(c) for c in ("847130", "847141", "854231", "850440", "901890")]
    cells += [CodeCell.of(10121), CodeCell.of(10121.0), CodeCell.of("10121"), CodeCell.of(8471.3)]
    cells += [CodeCell.of(8471.3, "0000.00"), CodeCell.of("8471.3"), CodeCell.of(None)]
    cells += [CodeCell.of("84.7x"), CodeCell.of(True)]  # type: ignore[arg-type]
    profile = ColumnProfile.learn(cells)
    fresh = [ColumnProfile.learn(cells).normalise(cell) for cell in cells]
    assert [profile.normalise(cell) for cell in cells] == fresh
    assert [profile.normalise(cell) for cell in cells] == fresh  # now from the cache
    hscode_size = hscode.CACHE_SIZE
    try:
        hscode.CACHE_SIZE = 2
        small = ColumnProfile.learn(cells)
        assert [small.normalise(cell) for cell in cells * 2] == fresh * 2
    finally:
        hscode.CACHE_SIZE = hscode_size


@pytest.mark.parametrize(
    "raw",
    [
        "8471.30-1000",
        "0101.21-0028",
        "8471.30-10",
        "8471.30.1000",
        "8471.30.10",
        "8471.30",
        "84.71",
    ],
)
def test_common_spellings_shortcut_agrees_with_the_parser(raw: str) -> None:
    """The regex shortcut for usual spellings gives what the full text parser gives."""
    from exportctl.hscode import _BODY_RE, _SEP_RE, _from_groups

    assert _BODY_RE.fullmatch(raw)
    assert normalise(raw) == _from_groups(raw, _SEP_RE.split(raw), False)


def test_decimal_number_in_a_column_of_six_digit_codes_gets_its_zero_back() -> None:
    cells = [CodeCell.of(v) for v in (847130, 850440, 903180, 880240, 271012, 8471.3, 101.21)]
    results = normalise_column(cells)
    assert isinstance(results[5], HSCode) and results[5].digits == "847130"
    assert results[5].recovered == "trailing zero restored: column holds 6-digit codes"
    assert isinstance(results[6], HSCode) and results[6].digits == "010121"
    # Without a column to go by, the same number stays ambiguous.
    alone = normalise(8471.3)
    assert isinstance(alone, CodeProblem) and alone.kind == "ambiguous"
