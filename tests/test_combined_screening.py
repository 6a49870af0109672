"""Screening one catalogue against several lists at once: a status per list per row and
an overall verdict, in the text summary and in every report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import RunCli
from openpyxl import load_workbook

from exportctl.hscode import Nomenclature
from exportctl.screen.combined import overall_status


@pytest.fixture
def two_lists(tmp_path: Path, run_cli: RunCli, lists_db: str) -> tuple[str, Path]:
    """kr-russia (from lists_db) and a small second list holding one code the first lacks."""
    codes = sorted(Nomenclature.load("2022").codes(6))
    book = write_list_workbook(
        tmp_path / "other.xlsx", simple_rows([codes[0], codes[1500]]), two_row_header=False
    )
    run_cli("lists", "create", "other", "--name", "Other list", db=lists_db, ok=True)
    args = ("import", book, "--list", "other", "--version", "o1", "--effective", "2024-01-01")
    run_cli(*args, "--approve", db=lists_db, ok=True)
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "SKU,Description,HS code\n"
        f"A1,in both,{codes[0]}\n"
        f"A2,only in other,{codes[1500]}\n"
        "A3,in neither,9701.91\n"
        "A4,bad code,84.7x\n",
        encoding="utf-8",
    )
    return lists_db, catalogue


def test_overall_is_the_most_severe_status() -> None:
    assert overall_status(["clear", "controlled"]) == "controlled"
    assert overall_status(["clear", "review"]) == "review"
    assert overall_status(["invalid", "invalid"]) == "invalid"
    assert overall_status(["clear", "clear"]) == "clear"


def test_text_summary_gives_each_list_and_the_overall_verdict(
    run_cli: RunCli, two_lists: tuple[str, Path]
) -> None:
    db, catalogue = two_lists
    args = ("screen", catalogue, "--list", "kr-russia", "--list", "other", "--as-of", "2024-09-01")
    out = run_cli(*args, db=db, ok=True).stdout
    assert "against kr-russia 2024-06 and other o1: 4 rows; overall 2 controlled" in out
    assert "kr-russia 2024-06: 4 rows, 1 controlled" in out
    assert "other o1: 4 rows, 2 controlled" in out
    assert "kr-russia=clear  other=controlled" in out


def test_reports_carry_a_status_per_list_and_are_audited(
    tmp_path: Path, run_cli: RunCli, two_lists: tuple[str, Path]
) -> None:
    db, catalogue = two_lists
    base = ("screen", catalogue, "--list", "kr-russia", "--list", "other", "--as-of", "2024-09-01")
    plain = run_cli(*base, "--format", "csv", "--csv-dialect", "plain", db=db, ok=True).stdout
    rows = list(csv.DictReader(io.StringIO(plain)))
    assert [r["overall"] for r in rows] == ["controlled", "controlled", "clear", "invalid"]
    assert rows[1]["status_kr-russia"] == "clear" and rows[1]["status_other"] == "controlled"
    korean = run_cli(*base, "--format", "csv", "--lang", "ko", db=db, ok=True).stdout
    header = next(csv.reader(io.StringIO(korean.lstrip("\ufeff"))))
    assert "종합 판정" in header and "other: 판정" in header
    assert "통제 대상" in korean
    data = json.loads(run_cli(*base, "--json", db=db, ok=True).stdout)
    assert data["overall"]["controlled"] == 2 and data["overall"]["total"] == 4
    assert [run["list"] for run in data["lists"]] == ["kr-russia", "other"]
    assert data["rows"][1]["lists"]["other"]["status"] == "controlled"
    target = tmp_path / "both.xlsx"
    run_cli(*base, "-o", target, "--lang", "ko", db=db, ok=True)
    book = load_workbook(target)
    sheet = book["심사 결과"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][5] == "종합 판정" and values[2][5] == "통제 대상"
    summary = [str(c.value) for row in book["요약"].iter_rows() for c in row if c.value]
    assert "목록 kr-russia" in summary and "목록 other" in summary
    audit = json.loads(run_cli("audit", "--json", db=db, ok=True).stdout)
    events = audit["events"] if isinstance(audit, dict) else audit
    last = events[-1]
    assert last["action"] == "screen" and last["detail"]["lists"] == {
        "kr-russia": "2024-06",
        "other": "o1",
    }
    assert last["detail"]["overall"]["controlled"] == 2


def test_several_lists_refuse_what_names_one_version(
    tmp_path: Path, run_cli: RunCli, two_lists: tuple[str, Path]
) -> None:
    db, catalogue = two_lists
    base = ("screen", catalogue, "--list", "kr-russia", "--list", "other")
    for extra in (("--version", "2024-06"), ("--compare", "2024-02"), ("-o", tmp_path / "x.pdf")):
        result = run_cli(*base, *extra, db=db)
        assert result.exit_code == 2, extra
    failing = run_cli(*base, "--as-of", "2024-09-01", "--fail-on", "controlled", db=db)
    assert failing.exit_code == 1 and "other:" in failing.stderr


def test_a_catalogue_of_another_edition_is_refused_in_words(
    run_cli: RunCli, two_lists: tuple[str, Path]
) -> None:
    db, catalogue = two_lists
    base = ("screen", catalogue, "--list", "kr-russia", "--as-of", "2024-09-01")
    refused = run_cli(*base, "--catalogue-edition", "HS2017", db=db)
    assert refused.exit_code == 2
    assert "codes are HS2017 but kr-russia 2024-06 is a list of HS2022" in refused.stderr
    assert "exportctl convert 2024-06 --list kr-russia --to HS2017" in refused.stderr
    run_cli(*base, "--catalogue-edition", "2022", db=db, ok=True)
    both = (*base, "--list", "other", "--catalogue-edition", "HS2017")
    assert run_cli(*both, db=db).exit_code == 2


def test_several_lists_read_the_catalogue_once(
    run_cli: RunCli, two_lists: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pass: the catalogue is read once whatever the number of lists, and the file
    is checked and opened once too."""
    import exportctl.readers.frames as frames

    reads: list[Path] = []
    real = frames.read_frame

    def counted(path: Path, **options: object) -> frames.Frame:
        reads.append(path)
        return real(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(frames, "read_frame", counted)
    db, catalogue = two_lists
    args = ("screen", catalogue, "--list", "kr-russia", "--list", "other", "--as-of", "2024-09-01")
    run_cli(*args, "--format", "csv", db=db, ok=True)
    assert reads == [catalogue]
