"""Descriptions matched on nouns, sent to review only on weighed evidence.

Against the bundled sample list (2024-06): its 57 entries defined by name or by
specification are what descriptions can find.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from exportctl.api import ImportOptions, validate_workbook
from exportctl.models import ItemRecord, SubItem
from exportctl.screen import REVIEW_AT, WEIGHTS, NameMatcher, ScreenIndex, phrases
from exportctl.screen.evidence import Hit, decide, entry_chapters
from exportctl.screen.nouns import cas_numbers
from tests.conftest import RunCli

SAMPLES = Path(__file__).resolve().parents[1] / "spreadsheets"
SAMPLE = SAMPLES / "러시아벨라루스_상황허가_2024-06.xlsx"


@pytest.fixture(scope="module")
def sample_items() -> list[ItemRecord]:
    result = validate_workbook(SAMPLE, ImportOptions(slug="kr-russia", label="2024-06"))
    return list(result.report.items)


@pytest.fixture(scope="module")
def index(sample_items: list[ItemRecord]) -> ScreenIndex:
    return ScreenIndex.build(sample_items, slug="kr-russia", label="2024-06")


# Rows whose code no code entry covers (8479.89: machines n.e.s.; 9015.80: instruments).
REVIEWED = [
    ("좌표측정기", "9031.49", "4"),
    ("발효조", "8479.89", "45"),
    ("중력계", "9015.80", "44"),
    ("발효조로서 2B352.b에 해당하는 것", "8479.89", "45"),
    ("3차원 좌표측정기 CMM-3000 (Zeiss)", "9031.49", "4"),
    ("좌표측정기를 포함한 검사 설비", "9031.49", "4"),
    ("진공펌프 VP-200", "8479.89", "6"),
    ("진공 펌프", "8479.89", "6"),
    ("Fermenter 500L", "8479.89", "45"),
    ("COORDINATE MEASURING MACHINES", "9031.49", "4"),
    ("DJI 매빅3 드론", "8806.99", "19"),
    ("해양 중력계", "9015.80", "44"),
    ("위성항법 수신기(GNSS)", "8526.91", "18"),
    ("GNSS 수신기", "8526.91", "18"),
    ("방탄조끼 Level IV", "6211.43", "25"),
]


@pytest.mark.parametrize(("description", "code", "serial"), REVIEWED)
def test_names_written_as_item_masters_write_them_are_found(
    index: ScreenIndex, description: str, code: str, serial: str
) -> None:
    match = index.match_code(code.replace(".", ""), description)
    assert match.status == "review", match.reason
    assert match.entry is not None and match.entry.serial == serial
    assert match.why.rule == "description"
    assert match.why.values["evidence"][0]["kind"] in WEIGHTS


CLEARED = [
    ("젖염소", "0104.20"),  # a dairy goat, not chlorine
    ("시험용 샘플", "8479.89"),  # one generic shared word
    ("산업용 진공 청소기", "8508.19"),  # 진공 only modifies the head
    ("진공펌프 오일", "3403.19"),  # the pump names what the oil is for
    ("공기 압축기", "8479.89"),  # the head noun alone
    ("리튬이온 축전지", "8507.80"),  # the battery, not the equipment that makes it
    ("카메라 가방", "4202.99"),
    ("이를 포함한다", "8479.89"),  # particles, endings and copulas are never words
    ("것으로 해당하는 로서", "8479.89"),
    ("으로", "8479.89"),
]


@pytest.mark.parametrize(("description", "code"), CLEARED)
def test_shared_words_particles_and_homonyms_are_not_evidence(
    index: ScreenIndex, description: str, code: str
) -> None:
    match = index.match_code(code.replace(".", ""), description)
    assert match.status == "clear", match.reason


def test_head_noun_of_a_specification_entry_is_its_name() -> None:
    assert phrases("발효조로서 2B352.b에 해당하는 것") == (("발효조",),)
    assert phrases("진공 펌프") == phrases("진공펌프")
    # Hanja and English in parentheses are words of their own, never glued to the noun.
    assert ("상관습",) in phrases("상관습(商慣習)상의 하이포아염소산칼슘")


def test_one_noun_name_inside_a_compound_needs_a_plausible_chapter(index: ScreenIndex) -> None:
    # 6A007 gravity meters are plausible in chapter 90 (instruments), not in chapter 1.
    assert index.match_code("901580", "해양 중력계").status == "review"
    assert index.match_code("010420", "해양 중력계").status == "clear"


def test_entry_chapters_come_from_mentions_and_control_numbers(
    sample_items: list[ItemRecord],
) -> None:
    by_serial = {item.serial: item for item in sample_items if not item.code}
    assert "90" in entry_chapters(by_serial["44"])  # 6A007
    assert "84" in entry_chapters(by_serial["6"])  # mentions 8414.10
    assert entry_chapters(by_serial["8"]) == frozenset()  # says nothing of chapters


def test_weights_decide_as_documented() -> None:
    entry = ItemRecord(serial="1", code=None, level=None, ex=False, description="x", row=1)
    plausible = [frozenset({"90"})]

    def score(kind: str, code: str | None) -> bool:
        verdict = decide([Hit(entry, kind, ("x",), None, 0)], code, plausible)
        return verdict is not None and verdict.review

    # A whole name and a CAS number decide alone, whatever the chapter.
    for kind in ("name", "cas"):
        assert score(kind, "010420") and score(kind, None)
    # Most of a name decides unless the chapter says otherwise.
    assert score("head-and-modifiers", None) and score("head-and-modifiers", "901580")
    assert not score("head-and-modifiers", "010420")
    # A compound or partial name needs a plausible chapter.
    for kind in ("name-in-compound", "head-and-modifier", "class-name"):
        assert score(kind, "901580") and not score(kind, "010420") and not score(kind, None)
    # A modifier or a head alone never suffices.
    for kind in ("name-as-modifier", "head-only"):
        assert not score(kind, "901580")
    assert REVIEW_AT == 3


def test_cas_numbers_match_exactly_with_their_check_digit() -> None:
    assert cas_numbers("염소 CAS 7782-50-5; 7782-50-4 is not one") == ("7782-50-5",)
    chlorine = ItemRecord(
        serial="1",
        code=None,
        level=None,
        ex=False,
        description="화학물질로서 다음 각 목의 어느 하나에 해당하는 것",
        sub_items=[SubItem("a.", "염소 (CAS 7782-50-5)")],
        row=1,
    )
    matcher = NameMatcher([chlorine])
    verdict = matcher.decide(matcher.hits("Cl2 gas cylinder", "7782-50-5"), "280110")
    assert verdict is not None and verdict.review and verdict.hit.kind == "cas"
    assert matcher.hits("Cl2 gas cylinder", "7782-50-4") == ()


def test_reasons_render_in_korean(index: ScreenIndex) -> None:
    match = index.match_code("903149", "좌표측정기")
    korean = match.why.render("ko")
    assert "연번 4" in korean and "품목명" in korean
    assert "entry" not in korean and "list" not in korean


@pytest.fixture
def sample_db(db_url: str, run_cli: RunCli) -> str:
    """The sample list imported into a new database (SQLite, and PostgreSQL when it runs)."""
    run_cli("init", db=db_url, ok=True)
    run_cli(
        "import", str(SAMPLE), "--list", "kr-russia", "--version", "2024-06",
        "--effective", "2024-08-28", "--create-list", db=db_url, ok=True,
    )  # fmt: skip
    return db_url


def test_screen_cli_reports_the_evidence(tmp_path: Path, run_cli: RunCli, sample_db: str) -> None:
    db = sample_db
    catalogue = tmp_path / "items.csv"
    with catalogue.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["품번", "품목명", "HS부호"])
        writer.writerow(["A1", "발효조로서 바이오 공정용", "8479899000"])
        writer.writerow(["A2", "젖염소", "0104201000"])
        writer.writerow(["A3", "시험용 샘플", "8479899000"])
    result = run_cli(
        "screen", str(catalogue), "--list", "kr-russia", "--version", "2024-06",
        "--format", "json", db=db,
    )  # fmt: skip
    rows = {row["sku"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["A1"]["status"] == "review" and rows["A1"]["rule"] == "description"
    assert rows["A1"]["values"]["evidence"][0]["kind"] == "name"
    assert rows["A2"]["status"] == "clear" and rows["A3"]["status"] == "clear"


def test_a_korean_report_gives_the_reason_in_korean(
    tmp_path: Path, run_cli: RunCli, sample_db: str
) -> None:
    db = sample_db
    catalogue = tmp_path / "items.csv"
    catalogue.write_text("품번,품목명,HS부호\nA1,3차원 좌표측정기,9031499000\n", encoding="utf-8")
    out = tmp_path / "screening.csv"
    run_cli(
        "screen", str(catalogue), "--list", "kr-russia", "--version", "2024-06",
        "--lang", "ko", "-o", str(out), db=db,
    )  # fmt: skip
    with out.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.reader(handle))[1:]
    reason = next(cell for cell in row if "품목명이" in cell)
    assert "연번 4" in reason and "the description" not in reason


def test_what_the_goods_are_for_or_of_is_not_the_goods(index: ScreenIndex) -> None:
    # 의 and "for/with" make the phrase before or after them a modifier, as 용 does.
    assert index.match_code("840731", "모터사이클의 것").status == "clear"
    assert index.match_code("630720", "Life jacket for pleasure boats").status == "clear"
    assert index.match_code("902910", "Pedometer with accelerometer").status == "clear"
    # A different purpose is not the entry's: 선박용 내연기관 is no aircraft engine.
    assert index.match_code("840890", "선박용 내연기관").status == "clear"
    assert index.match_code("840890", "철도용 기관차의 내연기관").status == "clear"


def test_a_count_or_unit_after_a_number_is_no_name() -> None:
    assert phrases("6축 다관절 로봇") == (("다관절", "로봇"),)


def test_a_synonym_read_as_its_head_alone_folds_nothing() -> None:
    # "3차원 측정기" reads as 측정기 once the count is dropped: it must not make every
    # 측정기 a coordinate measuring machine.
    assert phrases("레이저 거리측정기") != phrases("레이저 거리 좌표측정기")
    assert ("좌표측정기",) not in phrases("압력 측정기")


def test_texts_analysed_together_give_the_phrases_of_each_alone() -> None:
    from exportctl.screen.nouns import Analyser

    texts = [description for description, _code, _serial in REVIEWED]
    texts += ["산업용 정밀 펌프", "농업용 드론 키트", "step-and-repeat aligner", "", "2B352.b"]
    together, alone = Analyser(), Analyser()
    together.prime(texts)
    assert set(together._cache) == {text for text in texts if text}
    assert [together.phrases(t) for t in texts] == [alone.phrases(t) for t in texts]
