"""The columnar engine gives every row the verdict the row engine gives it.

``screen_rows`` (one row at a time) is the reference; the columnar engine
(:class:`~exportctl.screen.columnar.ColumnarIndex` and
:class:`~exportctl.screen.table.ResultTable`) is what ``screen`` runs. Hypothesis
generates catalogues whose code cells take every spelling ``read_code`` handles (and
a few it refuses), whose descriptions mix the entries' names with particles and
noise, with classification and CAS cells, screened against versions with chapters,
headings, national lines, ranges, ``ex`` entries, entries defined by name or by
specification, CAS numbers and mentioned codes; under the default profile, one whose
description controls (US Part 746) and one of another nomenclature (EU CN). Both
engines must give the same status, deciding entry, reason (rule, values and the
sentence in each language), matched words, warning and compared status.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportctl.hscode import CodeCell, HSCode
from exportctl.i18n import using
from exportctl.models import ItemRecord, SubItem
from exportctl.profiles import load_profile
from exportctl.readers.frames import FIELDS, Frame
from exportctl.readers.layout import ParsedRow
from exportctl.screen import ScreenIndex, ScreenSummary, entry_json, screen_rows
from exportctl.screen.columnar import ColumnarIndex
from exportctl.screen.table import ResultTable

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _entry(serial: int, code: str | None, description: str, **more: object) -> ItemRecord:
    return ItemRecord(
        str(serial),
        code,
        len(code) if code else None,
        bool(more.pop("ex", False)),
        description,
        more.pop("en", None),  # type: ignore[arg-type]
        row=serial + 4,
        **more,  # type: ignore[arg-type]
    )


def _entries() -> list[ItemRecord]:
    """A version with every kind of entry screening knows."""
    drone_parts = (
        SubItem("a.", "무인항공기로서 9A012.a에 해당하는 것", ("9A012.a",)),
        SubItem("b.", "집적회로로서 3A001.a.3에 해당하는 것", ("3A001.a.3",)),
    )
    return [
        _entry(1, "88", "항공기와 그 부분품"),
        _entry(2, "8471", "자동자료처리기계"),
        _entry(3, "847130", "휴대용 컴퓨터"),
        _entry(4, "8517620000", "통신기기"),
        _entry(5, "901380", "광학기기", ex=True),
        _entry(6, "852691", "무선항법기기", code_end="852692"),
        _entry(7, "85423100", "프로세서"),
        _entry(8, "090111", "커피"),
        _entry(9, "901110", "입체현미경"),
        _entry(10, "8471", "자동자료처리기계 (ex)", ex=True),
        _entry(11, None, "무인항공기(드론) 및 그 부분품", en="Unmanned aerial vehicles (drones)"),
        _entry(12, None, "열화상 카메라 모듈", en="Thermal imaging camera modules"),
        _entry(13, None, "고압 가스 압축기"),
        _entry(14, None, "염소 (CAS 7782-50-5)"),
        _entry(
            15,
            None,
            "집적회로로서 다음 각 목의 어느 하나에 해당하는 것",
            sub_items=drone_parts,
            control_numbers=("3A001",),
        ),
        _entry(16, None, "반도체 제조장비 (8486.20에 해당하는 것)", mentioned_codes=("848620",)),
        # A single code inside a range of its level, and two ranges that overlap.
        _entry(17, "852692", "레이더"),
        _entry(18, "852690", "무선기기", code_end="852691", ex=True),
    ]


ENTRIES = _entries()
PREVIOUS = [entry for entry in ENTRIES if entry.serial not in ("3", "12")]
ONE_NAME = [entry for entry in ENTRIES if entry.code or entry.serial == "11"]
"""A version with one entry defined by name (its unchecked rows say so in the singular)."""

CODES = [
    "88",
    "8802",
    "880240",
    "8802400000",
    "8471",
    "847130",
    "8471301000",
    "84713010",
    "8471.30",
    "8471.30.1000",
    "8471.30-1000",
    "84.71",
    "84",
    "85",
    "8517",
    "851762",
    "8517620000",
    "8517621000",
    "901380",
    "9013800000",
    "9013",
    "852691",
    "8526915000",
    "852692",
    "8526920000",
    "852690",
    "8526901000",
    "852693",
    "8526",
    "85423100",
    "8542310000",
    "854231",
    "8542",
    "090111",
    "0901",
    "901110",
    "9011",
    "848620",
    "8486201000",
    "8486",
    "010121",
    "0101",
]
ODD = [
    "10121",
    "90111",
    "8471.3",
    "101211000",
    "84.7x",
    "-",
    "N/A",
    "abc",
    "8.4713E+09",
    "HS 8471.30",
    "ex 8471.30",
    "8471 30 10",
    "８４７１",
    "8471.30 - 8471.50",
    "0",
    "1",
    "123456789012",
    "제84류",
    "Chapter 88",
]
WORDS = [
    "무인항공기",
    "드론",
    "부분품",
    "열화상",
    "카메라",
    "모듈",
    "고압",
    "가스",
    "압축기",
    "염소",
    "젖염소",
    "집적회로",
    "프로세서",
    "레저용",
    "요트",
    "로서",
    "의",
    "용",
    "및",
    "산업용",
    "부품",
    "세트",
    "pump",
    "valve",
    "drone",
    "cameras",
    "7782-50-5",
]


def _spellings(code: str) -> list[str]:
    if not code.isdigit():
        return [code]
    dotted = HSCode(code).dotted()
    return [code, dotted, f"HS {dotted}", f" {dotted} ", f"{code}\u200b"]


code_cells = st.one_of(
    st.none(),
    st.sampled_from(CODES).flatmap(lambda code: st.sampled_from(_spellings(code))),
    st.sampled_from(ODD),
    st.text("0123456789", min_size=1, max_size=11),
)
descriptions = st.one_of(
    st.none(),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map("".join),
)
classifications = st.one_of(st.none(), st.sampled_from(["3A001.a.3", "3A001", "3B001", "9A012"]))
cas_cells = st.one_of(st.none(), st.sampled_from(["7782-50-5", "64-17-5", "7782-50-4"]))
rows = st.lists(st.tuples(code_cells, descriptions, classifications, cas_cells), max_size=25)


def _index(items: list[ItemRecord], profile: str | None, label: str) -> ScreenIndex:
    return ScreenIndex.build(
        items, slug="test", label=label, profile=load_profile(profile) if profile else None
    )


def _frame(catalogue: list[tuple[str | None, ...]]) -> Frame:
    columns: dict[str, list[object]] = {name: [] for name in ("row", *FIELDS)}
    for n, (code, description, classification, cas) in enumerate(catalogue, start=2):
        columns["row"].append(n)
        columns["sku"].append(f"SKU-{n}")
        columns["description"].append(description)
        columns["code"].append(code.strip() if code and code.strip() else None)
        columns["classification"].append(classification)
        columns["cas"].append(cas)
    data = pa.table({name: pa.array(values) for name, values in columns.items()})
    data = data.cast(pa.schema([("row", pa.int64())] + [(name, pa.string()) for name in FIELDS]))
    return Frame("catalogue.csv", None, {"code": "HS"}, [], [], data)


def _parsed(catalogue: list[tuple[str | None, ...]]) -> list[ParsedRow]:
    parsed = []
    for n, (code, description, classification, cas) in enumerate(catalogue, start=2):
        text = code.strip() if code and code.strip() else None
        values = {
            "sku": f"SKU-{n}",
            "description": description,
            "code": text,
            "classification": classification,
            "cas": cas,
        }
        parsed.append(ParsedRow(n, values, CodeCell(text, None, None) if text else None))
    return parsed


def _said(results: object) -> list[dict[str, object]]:
    out = []
    for result in results:  # type: ignore[attr-defined]
        row = result.to_json()
        row["ko"] = result.reason_in("ko")
        row["previous_status"] = result.previous_status
        row["previous_entry"] = entry_json(result.previous_entry)
        out.append(row)
    return out


def _both(
    catalogue: list[tuple[str | None, ...]],
    profile: str | None,
    edition: str | None,
    entries: list[ItemRecord] = ENTRIES,
) -> tuple[object, ...]:
    index, before = _index(entries, profile, "2024-06"), _index(PREVIOUS, profile, "2024-02")
    summary = ScreenSummary()
    reference = _said(
        screen_rows(_parsed(catalogue), index, previous=before, summary=summary, edition=edition)
    )
    table = ResultTable.screen(
        _frame(catalogue),
        ColumnarIndex(index, edition=edition),
        ColumnarIndex(before, edition=edition),
    )
    return reference, summary.to_json(), _said(table.results()), table.count(ScreenSummary())


@pytest.mark.parametrize(
    ("profile", "entries"),
    [(None, ENTRIES), ("us-746", ENTRIES), ("eu-833", ENTRIES), (None, ONE_NAME)],
    ids=["kr", "us-746", "eu-833", "one-name"],
)
@SETTINGS
@given(catalogue=rows, edition=st.sampled_from([None, "HS2017"]))
def test_columnar_and_row_engines_agree(
    profile: str | None,
    entries: list[ItemRecord],
    catalogue: list[tuple[str | None, ...]],
    edition: str | None,
) -> None:
    reference, summary, columnar, counted = _both(catalogue, profile, edition, entries)
    assert columnar == reference
    assert counted.to_json() == summary  # type: ignore[attr-defined]


@SETTINGS
@given(catalogue=rows)
def test_reasons_render_alike_in_every_language(catalogue: list[tuple[str | None, ...]]) -> None:
    """The vectorised rendering of reasons (a report's column) says each row's sentence."""
    index = _index(ENTRIES, None, "2024-06")
    table = ResultTable.screen(_frame(catalogue), ColumnarIndex(index))
    for lang in ("en", "ko"):
        with using(lang):
            expected = [result.reason_in(lang) for result in table.results()]
            assert table.reasons(lang).to_pylist() == expected


cells_of_text = st.one_of(
    st.none(),
    st.sampled_from(
        ["=SUM(A1)", '2" pipe, "steel"', "line\nbreak", "-3", "@x", "<r>x</r>", "plain"]
    ),
    st.text(max_size=8),
)


@pytest.mark.parametrize("dialect", ["excel", "plain"])
@pytest.mark.parametrize("lang", ["en", "ko"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogue=rows, extra=st.lists(cells_of_text, max_size=25), compared=st.booleans())
def test_csv_from_the_table_is_the_row_writers_csv(
    tmp_path_factory: pytest.TempPathFactory,
    dialect: str,
    lang: str,
    catalogue: list[tuple[str | None, ...]],
    extra: list[str | None],
    compared: bool,
) -> None:
    """The CSV written from the table's columns is byte for byte the one written row by
    row, in both dialects and languages, with compared statuses and kept columns."""
    from exportctl.reports.evidence import ReportOptions
    from exportctl.reports.screening import write_csv
    from exportctl.reports.screening_table import write_csv_table
    from exportctl.screen import ScreenReport

    frame = _frame(catalogue)
    kept = (extra + [None] * len(catalogue))[: len(catalogue)]
    frame.data = frame.data.append_column("extra:0", pa.array(kept, pa.string()))
    frame.extra_names, frame.unmapped = ["extra:0"], ["비고"]
    index = _index(ENTRIES, None, "2024-06")
    before = ColumnarIndex(_index(PREVIOUS, None, "2024-02")) if compared else None
    table = ResultTable.screen(frame, ColumnarIndex(index), before)

    def report() -> ScreenReport:
        return ScreenReport(
            slug="test",
            version="2024-06",
            effective=None,
            compare="2024-02" if compared else None,
            file="catalogue.csv",
            sheet=None,
            sha256="0" * 64,
            columns={"code": "HS", "description": "품명"},
            results=table,
            summary=table.count(ScreenSummary()),
            extra_columns=["비고"],
            table=table,
        )

    options = ReportOptions(lang=lang, csv_dialect=dialect)  # type: ignore[arg-type]
    folder = tmp_path_factory.mktemp("csv")
    with using(lang):
        with (folder / "rows.csv").open("w", encoding="utf-8", newline="") as out:
            write_csv(report(), out, options)
        write_csv_table(report(), folder / "table.csv", options)
    assert (folder / "table.csv").read_bytes() == (folder / "rows.csv").read_bytes()


def test_an_engine_sent_to_another_process_screens_alike() -> None:
    """A version indexed once can be pickled (a screener of Arrow batches built once and
    sent to workers) and screens as before, after it has screened too."""
    import pickle

    catalogue = [
        ("8471", "무인항공기", None, None),
        ("90111", None, None, None),
        ("847130", "열화상 카메라", "3A001", None),
        ("8486201000", None, None, "7782-50-5"),
    ]
    engine = ColumnarIndex(_index(ENTRIES, "eu-833", "2024-06"))
    before = _said(ResultTable.screen(_frame(catalogue), engine).results())
    copy = pickle.loads(pickle.dumps(engine))
    assert _said(ResultTable.screen(_frame(catalogue), copy).results()) == before
