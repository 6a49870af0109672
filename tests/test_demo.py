"""``exportctl demo``: the whole story on the packaged samples, end to end.

The demo reads the sample workbooks shipped inside the package (``exportctl/samples``)
through the command itself; this test does not open ``spreadsheets/``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from exportctl.cli import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result, out


def test_demo_prints_the_counts_and_where_files_went(demo: tuple[Result, Path]) -> None:
    result, out = demo
    output = result.stdout
    for figure in ("1,159", "243", "1,402"):
        assert figure in output
    assert "not the official list" in output
    assert "0 errors" in output
    for name in ("changes.pdf", "changes.xlsx", "changes.csv", "screening.xlsx"):
        assert name in output
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    assert str(out / "exportctl-demo.db") in output
    assert "newly controlled" in output


def test_demo_checks_the_russia_part_of_the_two_part_annex(demo: tuple[Result, Path]) -> None:
    result, _ = demo
    lines = result.stdout.splitlines()
    consolidated = next(line for line in lines if "(consolidated annex" in line)
    assert "part 2 러시아·벨라루스" in consolidated
    assert "1,402 items, the same items as 2024-02 + additions" in consolidated
    apart = lines[lines.index(consolidated) + 1]
    assert "part 1 (이란·파키스탄·시리아 관련 상황허가 대상 품목, 22 entries)" in apart
    assert "kept apart" in apart


def test_demo_result_keeps_part_one_apart(tmp_path: Path) -> None:
    from exportctl.api import run_demo

    result = run_demo(tmp_path)
    assert result.consolidated_agrees
    assert result.consolidated.options.section == "러시아"
    assert [(p.number, p.read, p.stored) for p in result.consolidated.parts] == [
        (1, 22, False),
        (2, 1402, True),
    ]
    assert result.consolidated.report.item_count == 1402


def test_change_csv_lists_the_243_additions(demo: tuple[Result, Path]) -> None:
    _, out = demo
    with (out / "changes.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 243
    assert {row["change"] for row in rows} == {"added"}
    serials = sorted(int(row["serial"]) for row in rows)
    assert serials == list(range(1160, 1403))


def test_screening_reads_the_classification_and_the_codes_entries_name(
    demo: tuple[Result, Path],
) -> None:
    _, out = demo
    with (out / "screening.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    classified = [row for row in rows if "the catalogue's classification" in row["reason"]]
    assert len(classified) == 5
    assert {row["status"] for row in classified} == {"review"}
    mentioned = [row for row in rows if "mentions" in row["reason"]]
    assert {row["code"][:6] for row in mentioned} >= {"840710", "841410", "880622"}


def test_change_xlsx_summary_ties_out(demo: tuple[Result, Path]) -> None:
    _, out = demo
    workbook = load_workbook(out / "changes.xlsx", read_only=True)
    try:
        values = {
            value
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        }
    finally:
        workbook.close()
    texts = {v.replace(",", "") for v in values if isinstance(v, str)}
    numbers = {v for v in values if isinstance(v, int)} | {int(t) for t in texts if t.isdigit()}
    assert {1159, 243, 1402} <= numbers


def test_change_pdf_shows_the_counts(demo: tuple[Result, Path]) -> None:
    from pypdf import PdfReader

    _, out = demo
    text = "\n".join(page.extract_text() for page in PdfReader(out / "changes.pdf").pages)
    for figure in ("1,159", "243", "1,402"):
        assert figure in text
    assert "러시아" in text or "kr-russia" in text


def test_demo_can_run_again_into_the_same_folder(demo: tuple[Result, Path]) -> None:
    _, out = demo
    again = CliRunner().invoke(cli, ["demo", "--out", str(out), "-q"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "1,402" in again.stdout
