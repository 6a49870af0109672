"""``exportctl demo``: the whole story on the packaged samples, end to end.

The demo reads the sample files shipped inside the package (``exportctl/samples``)
through the command itself; this test does not open ``spreadsheets/``. It runs once for
the session (``demo_run`` in ``conftest.py``); the tests that run it again hand it that
run's read of the notice's PDF, the step that takes the time.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import DemoRun, copy_demo, reuse_reads
from openpyxl import load_workbook

from exportctl.cli import cli


@pytest.fixture
def demo(demo_run: DemoRun) -> tuple[Result, Path]:
    return demo_run.output, demo_run.out


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


def test_demo_reads_the_june_annex_from_the_notices_pdf(demo: tuple[Result, Path]) -> None:
    result, _ = demo
    lines = result.stdout.splitlines()
    pdf = next(line for line in lines if "(the notice's PDF" in line)
    assert pdf.strip() == (
        "러시아벨라루스_상황허가_2024-06.pdf (the notice's PDF, part 2): 1,402 entries, "
        "the same as 2024-02 + additions"
    )
    apart = lines[lines.index(pdf) + 1]
    assert "part 1 (이란·파키스탄·시리아 관련 상황허가 대상 품목, 22 entries)" in apart
    assert "kept apart" in apart


def test_demo_reads_the_real_layout_sample_against_its_notice(demo: tuple[Result, Path]) -> None:
    result, _ = demo
    lines = result.stdout.splitlines()
    real = next(line for line in lines if line.startswith("Real-layout sample"))
    assert real == (
        "Real-layout sample 별표2의2_실제양식_견본.xlsx: 60 entries (20 + 40), 36 sub-items "
        "nested up to depth 3, 63 control numbers (column and texts); the notice's counts "
        "reconcile"
    )
    # A line of its own, after the screening and before the files.
    assert lines[lines.index(real) - 1] == "" and lines[lines.index(real) + 2] == "Files:"


def test_demo_says_when_the_real_layout_counts_do_not_reconcile(
    demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportctl.api.demo as demo_module
    from exportctl.cli.demo import _demo_summary

    monkeypatch.setattr(demo_module, "DEMO_REAL_DECLARED", {1: 20, 2: 41})
    # The demo's last step, on the same sample, declaring one entry more in part 2.
    sample = demo_module.demo_samples()[demo_module.DEMO_REAL]
    real = demo_module._demo_real_layout(sample, lambda _step: None)
    result = dataclasses.replace(demo_run.result, real_layout=real)
    assert result.real_layout is not None and not result.real_layout.reconciles
    assert [f.rule for f in result.real_layout.result.report.errors] == ["count-mismatch"]
    line = next(line for line in _demo_summary(result) if line.startswith("Real-layout"))
    assert line.endswith("the notice's counts DO NOT reconcile")


def test_demo_result_compares_the_pdf_field_by_field(demo_run: DemoRun) -> None:
    result = demo_run.result
    assert result.consolidated_agrees
    assert result.consolidated_changes.changes == ()
    assert result.consolidated_changes.unchanged == 1402
    assert result.consolidated.options.section == "러시아"
    assert result.consolidated.report.file == "러시아벨라루스_상황허가_2024-06.pdf"
    assert [(p.number, p.read, p.stored) for p in result.consolidated.parts] == [
        (1, 22, False),
        (2, 1402, True),
    ]
    items = result.consolidated.report.items
    assert len(items) == 1402 and all(item.sheet.startswith("page ") for item in items)
    assert sum(len([*item.every_sub_item()]) for item in items) == 31
    # Rows the page breaks cut in two were joined, and said so.
    assert "continued-row" in {f.rule for f in result.consolidated.report.warnings}


def test_demo_says_when_the_pdf_differs_in_a_field_keys_do_not_show(
    demo_run: DemoRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportctl.api.demo as demo_module
    from exportctl.cli.demo import _demo_summary

    def one_english_text_changed(read: Any) -> Any:
        items = read.report.items
        items[100] = dataclasses.replace(items[100], description_en="Something else")
        return read

    reuse_reads(monkeypatch, demo_run, one_english_text_changed)
    result = demo_module.run_demo(tmp_path)
    assert not result.consolidated_agrees
    [change] = result.consolidated_changes.changes
    assert (change.kind, change.fields) == ("modified", ("description_en",))
    line = next(line for line in _demo_summary(result) if "(the notice's PDF" in line)
    assert line.endswith("1,402 entries, DIFFERS from 2024-02 + additions (1 modified)")


def test_change_csv_lists_the_243_additions(demo: tuple[Result, Path]) -> None:
    _, out = demo
    from exportctl.reports.csv import CHANGE_COLUMNS
    from exportctl.reports.language import text_for

    # The demo's CSV is for people (the excel dialect): headers and kinds in words.
    en = text_for("en")
    with (out / "changes.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == [en.column(name) for name in CHANGE_COLUMNS]
    rows = [dict(zip(CHANGE_COLUMNS, row, strict=True)) for row in table[1:]]
    assert len(rows) == 243
    assert {row["change"] for row in rows} == {en.kind("added")}
    serials = sorted(int(row["serial"]) for row in rows)
    assert serials == list(range(1160, 1403))


def test_screening_reads_the_classification_and_the_codes_entries_name(
    demo: tuple[Result, Path],
) -> None:
    _, out = demo
    # The demo writes the screening CSV for people: worded headers, codes kept as text.
    with (out / "screening.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    classified = [row for row in rows if "the catalogue's classification" in row["Reason"]]
    assert len(classified) == 5
    assert {row["Status"] for row in classified} == {"review"}
    mentioned = [row for row in rows if "mentions" in row["Reason"]]
    digits = {row["HS code (digits)"].lstrip("\u2060")[:6] for row in mentioned}
    assert digits >= {"840710", "841410", "880622"}


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


@pytest.fixture(scope="module")
def again(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Result:
    """``demo --json`` run again into a folder holding a previous run's files."""
    out = copy_demo(demo_run, tmp_path_factory.mktemp("again") / "demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        reuse_reads(monkeypatch, demo_run)
        result = CliRunner().invoke(
            cli, ["demo", "--out", str(out), "--json", "-q"], catch_exceptions=False
        )
    assert result.exit_code == 0, result.output
    return result


def test_demo_can_run_again_into_the_same_folder(again: Result) -> None:
    import json

    from sqlalchemy import create_engine, text

    data = json.loads(again.stdout)
    assert data["imports"]["2024-06"]["count"] == 1402
    # The previous run's database was replaced, not added to.
    engine = create_engine(f"sqlite:///{data['database']}")
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from version")).scalar_one() == 2
    engine.dispose()


def test_demo_json_gives_the_same_story_as_data(again: Result) -> None:
    import json

    data = json.loads(again.stdout)
    assert data["imports"]["2024-06"]["count"] == 1402
    assert data["annex_pdf"] == {
        "file": "러시아벨라루스_상황허가_2024-06.pdf",
        "entries": 1402,
        "same_as_stored": True,
    }
    assert data["changes"]["added"] == 243 and data["changes"]["reconciles"] is True
    assert data["screening"]["total"] == 313
    assert data["real_layout"] == {
        "file": "별표2의2_실제양식_견본.xlsx",
        "entries": 60,
        "sub_items": 36,
        "depth": 3,
        "control_numbers": 63,
        "parts": {"1": 20, "2": 40},
        "reconciles": True,
    }
    assert set(data["files"]) == {
        "changes.pdf",
        "changes.xlsx",
        "changes.csv",
        "screening.xlsx",
        "screening.csv",
    }


def test_readme_dataframe_example_runs_on_the_demo_database(
    demo: tuple[Result, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The README's DataFrame session, run as a doctest against a copy of the demo's
    database (screening a frame records an audit event)."""
    import doctest
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### DataFrames for analysts", 1)[1]
    session = re.search(r"```pycon\n(.*?)```", section, re.S)
    assert session is not None
    _, out = demo
    monkeypatch.chdir(tmp_path)
    database = shutil.copyfile(out / "exportctl-demo.db", tmp_path / "exportctl-demo.db")
    text = session.group(1).replace("exportctl-demo/exportctl-demo.db", str(database))
    test = doctest.DocTestParser().get_doctest(text, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 12
