"""The project's own output comes back (issue 20, item 6).

A version written by ``exportctl export`` (XLSX, CSV in each dialect, JSON) imports
again as a new version of the same list, and ``diff --json`` between the two finds
nothing added, removed or modified: entries, parts and their titles, sub-items nested
as printed, control numbers (a sub-item's own too) and regime attributes all come back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import annex_grid, write_annex_xlsx
from conftest import RunCli

import exportctl
from exportctl.readers.exported import parse_sub_items
from exportctl.readers.schema import EXPORT_COLUMNS as SPELLINGS
from exportctl.readers.schema import export_columns
from exportctl.reports.export import EXPORT_COLUMNS, SHOW_COLUMNS
from exportctl.reports.language import text_for

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

SAMPLE = Path(exportctl.__file__).parent / "samples" / "러시아벨라루스_상황허가_2024-06.xlsx"

FORMATS: list[tuple[str, tuple[str, ...]]] = [
    ("xlsx", ("--lang", "en")),
    ("xlsx", ("--lang", "ko")),
    ("csv", ("--csv-dialect", "excel", "--lang", "en")),
    ("csv", ("--csv-dialect", "excel", "--lang", "ko")),
    ("csv", ("--csv-dialect", "plain")),
    ("json", ()),
]
FORMAT_IDS = ["xlsx-en", "xlsx-ko", "csv-excel-en", "csv-excel-ko", "csv-plain", "json"]

IRAN = "1. 이란·파키스탄·시리아 관련 상황허가 대상 품목"
RUSSIA = "2. 러시아·벨라루스 상황허가 대상 품목"

# Two parts with titles; sub-items three deep in two numbering schemes, a sub-item whose
# control number is only in its control-number cell, English sub-item texts, an ex
# entry, a range, a leading-zero code, a branch serial and a note that starts a formula.
TREE_PARTS: list[tuple[str, list[Any]]] = [
    (
        IRAN,
        [
            (1, "0101.21", "말", "Horses", None, None),
            (
                2,
                None,
                "전자 장치로서 다음 중 어느 하나에 해당하는 것",
                "Electronic items:",
                None,
                None,
            ),
            (
                None,
                None,
                "a. 3A001.a.3에 해당하는 집적회로",
                "Integrated circuits in 3A001.a.3",
                None,
                None,
            ),
            (None, None, "b. 다음 각 목의 장비", "Equipment as follows:", None, None),
            (None, None, "b.1. 신호 분석기", "b.1. Signal analysers", "3A002.c", None),
            (None, None, "b.1.a. 3A002.c.1에 해당하는 것", None, None, None),
            (None, None, "b.1.b. 3A002.c.2에 해당하는 것", None, "3A002.c.2 3B001", None),
            (None, None, "b.2. 주파수 합성기", None, None, None),
        ],
    ),
    (
        RUSSIA,
        [
            (
                1,
                "ex 8471.30",
                "휴대용 자동자료처리기계",
                "Portable ADP machines",
                "4A003",
                "+ 부분품 포함",
            ),
            ("1의2", "8471.41 ~ 8471.49", "기타 자동자료처리기계", None, None, None),
            (2, None, "레이더 장치", "Radar", None, None),
            (None, None, "(1) 항공기용", None, None, None),
            (None, None, "(가) 6A008.d에 해당하는 것", None, None, None),
            (None, None, "(나) 기타", None, "6A008.e", None),
            (None, None, "(2) 선박용", None, None, None),
            (3, "9013.10.1000", "망원경 조준기", "Telescopic sights", None, "-부분품 제외"),
        ],
    ),
]


def _export(
    run_cli: RunCli, url: str, slug: str, label: str, path: Path, args: tuple[str, ...]
) -> None:
    run_cli("export", "--list", slug, label, "-o", path, *args, db=url, ok=True)


def _diff(run_cli: RunCli, url: str, slug: str, old: str, new: str) -> dict[str, Any]:
    result = run_cli("diff", "--list", slug, old, new, "--json", db=url, ok=True)
    return json.loads(result.stdout)


def _shown(run_cli: RunCli, url: str, slug: str, label: str) -> list[dict[str, Any]]:
    result = run_cli("show", "--list", slug, "--version", label, "--json", db=url, ok=True)
    items = json.loads(result.stdout)["items"]
    # Where each entry was read is the one thing an export read back changes.
    return [{k: v for k, v in item.items() if k not in ("sheet", "row")} for item in items]


def _read_back(
    run_cli: RunCli, url: str, tmp_path: Path, slug: str, *declared: str
) -> dict[str, dict[str, Any]]:
    """Export ``original`` in every format, import each as a new version, diff each."""
    summaries: dict[str, dict[str, Any]] = {}
    for (fmt, args), name in zip(FORMATS, FORMAT_IDS, strict=True):
        path = tmp_path / f"{slug}-{name}.{fmt}"
        _export(run_cli, url, slug, "original", path, args)
        label = f"from-{name}"
        run_cli(
            "import", path, "--list", slug, "--version", label, "--effective", "2024-08-28",
            *declared, db=url, ok=True,
        )  # fmt: skip
        changes = _diff(run_cli, url, slug, "original", label)
        assert changes["versions"]["to"]["sections"] == changes["versions"]["from"]["sections"]
        summaries[name] = changes["summary"]
    return summaries


def _nothing_changed(summary: dict[str, Any]) -> tuple[int, int, int, int]:
    return (summary["added"], summary["removed"], summary["modified"], summary["unchanged"])


def test_the_sample_annex_comes_back_from_every_format(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    run_cli(
        "import", SAMPLE, "--list", "kr-russia", "--create-list", "--version", "original",
        "--effective", "2024-08-28", "--declared-total", "2=1402", db=initialised, ok=True,
    )  # fmt: skip
    summaries = _read_back(
        run_cli, initialised, tmp_path, "kr-russia", "--declared-total", "2=1402"
    )
    assert {name: _nothing_changed(s) for name, s in summaries.items()} == dict.fromkeys(
        FORMAT_IDS, (0, 0, 0, 1424)
    )


@pytest.fixture
def tree(run_cli: RunCli, initialised: str, tmp_path: Path) -> str:
    path = write_annex_xlsx(tmp_path / "tree.xlsx", annex_grid(TREE_PARTS))
    run_cli(
        "import", path, "--list", "tree", "--create-list", "--version", "original",
        "--effective", "2024-08-28", "--declared-total", "1=2", "--declared-total", "2=4",
        db=initialised, ok=True,
    )  # fmt: skip
    return initialised


def test_sub_items_control_numbers_and_parts_come_back_from_every_format(
    run_cli: RunCli, tree: str, tmp_path: Path
) -> None:
    original = _shown(run_cli, tree, "tree", "original")
    spec = original[1]
    assert [(s["path"], [c["path"] for c in s["sub_items"]]) for s in spec["sub_items"]] == [
        ("a", []),
        ("b", ["b.1", "b.2"]),
    ]
    b1 = spec["sub_items"][1]["sub_items"][0]
    assert b1["control_numbers"] == ["3A002.c"] and b1["text_en"] == "Signal analysers"
    assert b1["sub_items"][1]["control_numbers"] == ["3A002.c.2", "3B001"]
    radar = original[4]
    assert radar["sub_items"][0]["sub_items"][1]["control_numbers"] == ["6A008.e"]
    assert original[2]["ex"] and original[3]["code_end"] == "847149"

    summaries = _read_back(
        run_cli, tree, tmp_path, "tree", "--declared-total", "1=2", "--declared-total", "2=4"
    )
    assert {name: _nothing_changed(s) for name, s in summaries.items()} == dict.fromkeys(
        FORMAT_IDS, (0, 0, 0, 6)
    )
    for name in FORMAT_IDS:
        assert _shown(run_cli, tree, "tree", f"from-{name}") == original, name


def test_regime_attributes_come_back(run_cli: RunCli, initialised: str, tmp_path: Path) -> None:
    path = tmp_path / "chpl.csv"
    path.write_text(
        "tier,hs_code,hs_description_and_representative_part\n"
        "1,8542.31,Processors\n3.A,8471.50,Processing units\n4.A,,Parts of drones\n",
        encoding="utf-8",
    )
    run_cli("lists", "create", "chpl", "--name", "CHPL", "--profile", "chpl", db=initialised)
    run_cli(
        "import", path, "--list", "chpl", "--version", "original", "--effective", "2024-08-28",
        db=initialised, ok=True,
    )  # fmt: skip
    summaries = _read_back(run_cli, initialised, tmp_path, "chpl")
    assert {name: _nothing_changed(s) for name, s in summaries.items()} == dict.fromkeys(
        FORMAT_IDS, (0, 0, 0, 3)
    )
    shown = _shown(run_cli, initialised, "chpl", "from-csv-plain")
    # The list has no serials: the entry named without a code is an entry all the same.
    assert [(item["code"], item["attributes"]) for item in shown] == [
        ("854231", {"tier": "1"}),
        ("847150", {"tier": "3.A"}),
        (None, {"tier": "4.A"}),
    ]


def test_other_json_is_refused_in_one_sentence(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    path = tmp_path / "list.json"
    path.write_text('{"items": [{"code": "8471.30"}]}', encoding="utf-8")
    result = run_cli(
        "import", path, "--list", "x", "--create-list", "--version", "1", db=initialised
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: list.json: is not a version exported by exportctl (only the JSON "
        "`exportctl export` writes can be imported; save other lists as XLSX or CSV)\n"
    )


def test_a_yes_no_cell_in_other_words_is_refused_with_its_place(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    path = tmp_path / "edited.csv"
    path.write_text(
        "section,serial,code,code_digits,ex,description,sub_items\n1,1,8471.30,847130,maybe,X,\n",
        encoding="utf-8",
    )
    result = run_cli(
        "import", path, "--list", "x", "--create-list", "--version", "1", db=initialised
    )
    assert result.exit_code == 2
    assert result.stderr == (
        'Error: edited.csv, row 2, column "ex": "maybe" is not a yes/no word '
        "(false, no, true, yes, 아니오, 예)\n"
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_export_header_is_known_and_repeats_claim_no_field(lang: str) -> None:
    words = text_for(lang)
    for columns in (EXPORT_COLUMNS, SHOW_COLUMNS):
        keys = [{"sheet": "source_sheet", "row": "source_row"}.get(c, c) for c in columns]
        assert export_columns([words.column(k) for k in keys]) == dict(enumerate(keys))
    assert export_columns(list(EXPORT_COLUMNS)) == dict(enumerate(EXPORT_COLUMNS))
    assert set(SPELLINGS) == set(EXPORT_COLUMNS)
    # A list that shares some words with the export is not taken for one.
    assert export_columns(["No.", "HS code", "Description", "Note"]) is None


def test_sub_items_cell_reads_labels_texts_english_and_own_numbers() -> None:
    cell = "a. 집적회로 / Integrated circuits\n  1. 기타 {3A001 3B001}\n  2.  / Other"
    assert parse_sub_items(cell) == [
        ("a.", "집적회로", "Integrated circuits", None),
        ("1.", "기타", None, ("3A001", "3B001")),
        ("2.", "", "Other", None),
    ]


def test_columns_that_repeat_another_claim_no_field(
    run_cli: RunCli, tree: str, tmp_path: Path
) -> None:
    path = tmp_path / "exported.xlsx"
    _export(run_cli, tree, "tree", "original", path, ("--lang", "en"))
    result = run_cli("validate", path, "--list", "tree", "--json", db=tree)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    fields = {c["header"]: c["field"] for c in report["structure"]["columns"]}
    assert fields["HS code"] == "code" and fields["HS code (digits)"] is None
    assert fields["Sub-items"] == "sub_items" and fields["Annex part title"] == "section_title"
    repeats = ("Code digits", "Codes mentioned", "Code as written", "Source file", "Source row")
    assert [fields[header] for header in repeats] == [None] * len(repeats)
    assert not [f for f in report["findings"] if f["rule"] == "unmapped-column"]
