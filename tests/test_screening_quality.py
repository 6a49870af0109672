"""The labelled item names of ``tests/data/screening_labels.csv``: their shape, checked
against the 2024-06 sample list.

The figures screening reaches on them (recall, false reviews) are benchmark figures
(``benchmarks/quality.py``), not asserted here: this file only keeps the set honest,
so that every positive belongs to an entry defined by name or specification and every
row's code says nothing by itself, leaving the description to decide.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import exportctl
from exportctl.hscode import Nomenclature

LABELS = Path(__file__).parent / "data" / "screening_labels.csv"
COLUMNS = ("description", "hs_code", "expected", "entry", "lang", "kind", "note")
EXPECTED = {"positive": "review", "hard-negative": "clear"}
SAMPLES = Path(exportctl.__file__).parent / "samples"
SLUG = "kr-russia"


@pytest.fixture(scope="module")
def labels() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def sample_list(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The 2024-06 sample version, imported as ``exportctl demo`` imports it."""
    folder = tmp_path_factory.mktemp("quality")
    engine = exportctl.open_database(f"sqlite:///{folder / 'samples.db'}", create=True)
    exportctl.create_list(engine, SLUG, name="sample", actor="test")
    for name, options in (
        (
            "러시아벨라루스_상황허가_2024-02.xlsx",
            exportctl.ImportOptions(slug=SLUG, label="2024-02", effective=dt.date(2024, 2, 24)),
        ),
        (
            "러시아벨라루스_상황허가_2024-06_추가.xlsx",
            exportctl.ImportOptions(
                slug=SLUG,
                label="2024-06",
                effective=dt.date(2024, 8, 28),
                base="2024-02",
                additions=True,
            ),
        ),
    ):
        assert exportctl.import_workbook(engine, SAMPLES / name, options).stored
    yield engine
    engine.dispose()


def test_the_set_is_large_and_covers_both_languages_and_kinds(
    labels: list[dict[str, str]],
) -> None:
    assert len(labels) >= 300
    counts = Counter((row["kind"], row["lang"]) for row in labels)
    assert set(counts) == {(kind, lang) for kind in EXPECTED for lang in ("ko", "en")}
    positives = sum(n for (kind, _lang), n in counts.items() if kind == "positive")
    assert 0.45 <= positives / len(labels) <= 0.65


def test_every_row_is_complete_and_consistent(labels: list[dict[str, str]]) -> None:
    subheadings = Nomenclature.load("2022").codes(6)
    for number, row in enumerate(labels, start=2):
        where = f"screening_labels.csv, row {number}"
        assert row["description"].strip() and row["note"].strip(), where
        assert row["expected"] == EXPECTED[row["kind"]], where
        assert bool(row["entry"]) == (row["kind"] == "positive"), where
        code = row["hs_code"]
        assert code.isdigit() and len(code) in (6, 10), where
        assert code[:6] in subheadings, f"{where}: {code} is not under an HS 2022 subheading"
    descriptions = Counter(row["description"].casefold() for row in labels)
    assert [text for text, n in descriptions.items() if n > 1] == []


def test_every_positive_names_an_entry_defined_by_name(
    labels: list[dict[str, str]], sample_list: Engine
) -> None:
    _version, items = exportctl.show_version(sample_list, SLUG, label="2024-06")
    named = {item.serial for item in items if item.code is None}
    assert len(named) == 57
    entries = {row["entry"] for row in labels if row["kind"] == "positive"}
    assert entries - named == set()


def test_no_code_decides_by_itself(labels: list[dict[str, str]], sample_list: Engine) -> None:
    """Every code is clear on its own: a positive whose code alone gave review (a code an
    entry mentions) would be found by its code and measure nothing about descriptions."""
    codes = sorted({row["hs_code"] for row in labels})
    report = exportctl.check_codes(sample_list, SLUG, codes, label="2024-06")
    decided = {result.input: result.reason for result in report.results if result.status != "clear"}
    assert decided == {}
