"""One annex revision as a workbook, as the notice's PDF and as its HWPX: the same version.

The same rows (two parts, branch numbers, entries defined by specification with
lettered and numbered sub-items naming control numbers, an HS code named in passing,
codes with a leading zero, one entry long enough that the PDF's page break cuts it)
are written with openpyxl, reportlab and ``hwpx_builder``, imported through the real
CLI into one list as versions ``x``, ``p`` and ``h``, and compared with ``diff`` and
``show --json``: nothing but the provenance (``sheet``, ``row``) may differ.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from hwpx_builder import Cell, write_hwpx
from hwpx_builder import Table as HwpxTable
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exportctl.reports.pdf_document import register_hangul_font

SLUG = "annex"
FIELDS = "serial,ex,description,description_en,category,note,sub_items,control_numbers"
NOTICE = ("[별표 2의2] <개정 2024. 6. 28.>", "산업통상자원부고시 제2024-321호(2024. 6. 28.)")
PART_ONE = "1. 이란·파키스탄·시리아 관련 상황허가 대상 품목"
PART_TWO = "2. 러시아·벨라루스 상황허가 대상 품목"
HEADER = (("연번", "HS코드", "품목명", "", "구분", "비고"), ("", "", "국문", "영문", "", ""))
WIDTHS = (30.0, 48.0, 150.0, 160.0, 55.0, 70.0)
"""Columns of the printed table: every word fits its column, so lines break at spaces."""
LONG = " ".join(["이 품목은 여러 쪽에 걸쳐 인쇄되는 긴 기술사양을 가진 품목으로서"] * 40)
"""A specification long enough that no page holds it: the PDF cuts its row in two."""

Row = tuple[str, tuple[str, ...]]
"""A table row below the header: ``section``, ``entry`` or ``sub``, and its six cells."""


def _codes() -> list[str]:
    """HS 2022 subheadings from the start of the table, printed ``0101.21``."""
    text = resources.files("exportctl.data").joinpath("hs2022.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [f"{r['code'][:4]}.{r['code'][4:]}" for r in rows if r["level"] == "6"][:200]


def annex_rows() -> tuple[list[Row], int]:
    """The revision's rows and the number of entries of part 2 (the Russia/Belarus part)."""
    codes = iter(_codes())
    rows: list[Row] = [("section", (PART_ONE, "", "", "", "", ""))]
    for serial in ("1", "2", "3", "3의2", "4", "5", "6", "7", "8", "9"):
        code = next(codes)
        rows.append(("entry", (serial, code, f"품목 {code} 국문", f"Item {code}", "첨단소재", "")))
    rows.append(("section", (PART_TWO, "", "", "", "", "")))
    spec = [
        (
            "수치제어 공작기계(8458.11)로서 다음 각 목의 어느 하나에 해당하는 것",
            "Numerically controlled machine tools (8458.11), as follows:",
            [
                ("a.", "선반으로서 2B001.a에 해당하는 것", "Turning machines, 2B001.a"),
                ("b.", "밀링 기계로서 2B001.b에 해당하는 것", "Milling machines, 2B001.b"),
            ],
        ),
        (
            "반도체 제조 장비로서 다음 각 목의 어느 하나에 해당하는 것",
            "Semiconductor manufacturing equipment, as follows:",
            [
                ("a.", "노광 장비로서 3B001.f에 해당하는 것", "Lithography equipment in 3B001.f"),
                ("1.", "스캔 장비로서 3B001.f.1에 해당하는 것", "Step-and-scan, 3B001.f.1"),
                ("2.", "임프린트 장비로서 3B001.f.2에 해당하는 것", "Imprint equipment, 3B001.f.2"),
                ("b.", "식각 장비로서 3B001.c에 해당하는 것", "Etching equipment in 3B001.c"),
            ],
        ),
        ("좌표측정기로서 2B006.a에 해당하는 것", "Coordinate measuring machines, 2B006.a", []),
    ]
    serials = [str(n) for n in range(1, 140)]
    serials.insert(serials.index("20") + 1, "20의2")
    for n, serial in enumerate(serials):
        if n < len(spec):
            ko, en, subs = spec[n]
            rows.append(("entry", (serial, "", ko, en, "전략물자 관련", "품목명·기술사양 기준")))
            rows += [("sub", ("", "", f"{a} {k}", f"{a} {e}", "", "")) for a, k, e in subs]
        elif serial == "60":
            rows.append(("entry", (serial, "", LONG, "A long specification", "전략물자 관련", "")))
        else:
            code = next(codes)
            note = "2024. 6. 신설" if "의" in serial else ""
            shown = f"ex {code}" if serial == "30" else code
            rows.append(
                ("entry", (serial, shown, f"품목 {code} 국문", f"Item {code}", "사치품", note))
            )
    return rows, len(serials)


def write_xlsx(path: Path, rows: list[Row]) -> Path:
    """The workbook: notice rows, merged two-row header, section rows merged across."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "별표2의2"
    sheet["A1"], sheet["A2"] = NOTICE
    for col in (1, 2, 5, 6):
        sheet.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    sheet.merge_cells(start_row=4, start_column=3, end_row=4, end_column=4)
    for r, header in enumerate(HEADER, start=4):
        for c, text in enumerate(header, start=1):
            if text:
                sheet.cell(r, c, text)
    for r, (kind, cells) in enumerate(rows, start=6):
        if kind == "section":
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
        for c, text in enumerate(cells, start=1):
            if text:
                sheet.cell(r, c, text).number_format = "@"
    workbook.save(path)
    return path


def write_pdf(path: Path, rows: list[Row]) -> Path:
    """The notice's PDF: notice lines, one ruled table on A4, header on every page."""
    regular, _bold = register_hangul_font()
    style = ParagraphStyle("cell", fontName=regular, fontSize=7, leading=8.6)

    def text(value: str) -> Paragraph | str:
        return Paragraph(value, style) if value else ""

    data: list[list[Paragraph | str]] = [[text(v) for v in header] for header in HEADER]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (1, 0), (1, 1)),
        ("SPAN", (2, 0), (3, 0)),
        ("SPAN", (4, 0), (4, 1)),
        ("SPAN", (5, 0), (5, 1)),
        ("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black),
    ]
    for kind, cells in rows:
        if kind == "section":
            commands.append(("SPAN", (0, len(data)), (-1, len(data))))
        data.append([text(value) for value in cells])
    table = Table(data, colWidths=list(WIDTHS), repeatRows=2, splitByRow=0, splitInRow=1)
    table.setStyle(TableStyle(commands))
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    story = [
        Paragraph(NOTICE[0].replace("<", "&lt;").replace(">", "&gt;"), body),
        Paragraph(NOTICE[1], body),
        Spacer(1, 8),
        table,
    ]
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=36, rightMargin=36, invariant=1).build(
        story
    )
    return path


def write_hwpx_file(path: Path, rows: list[Row]) -> Path:
    """The notice's HWPX: notice paragraphs, one table with merged header cells."""
    table: list[list[Cell | str | None]] = [
        [Cell("연번", rows=2), Cell("HS코드", rows=2), Cell("품목명", columns=2)]
        + [Cell("구분", rows=2), Cell("비고", rows=2)],
        ["국문", "영문"],
    ]
    for kind, cells in rows:
        if kind == "section":
            table.append([Cell(cells[0], columns=6)])
        else:
            table.append([value or None for value in cells])
    return write_hwpx(path, [*NOTICE, HwpxTable(table)])


def _show(run_cli: RunCli, db: str, label: str) -> list[dict[str, Any]]:
    shown = run_cli("show", "--list", SLUG, "--version", label, "--json", db=db, ok=True)
    items: list[dict[str, Any]] = json.loads(shown.stdout)["items"]
    return items


def test_workbook_pdf_and_hwpx_of_one_revision_import_as_the_same_version(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    rows, count = annex_rows()
    files = {
        "x": write_xlsx(tmp_path / "annex.xlsx", rows),
        "p": write_pdf(tmp_path / "annex.pdf", rows),
        "h": write_hwpx_file(tmp_path / "annex.hwpx", rows),
    }
    run_cli("lists", "create", SLUG, "--name", "상황허가 대상 품목", db=initialised, ok=True)
    for label, path in files.items():
        imported = run_cli(
            "import", path, "--list", SLUG, "--version", label, "--section", "러시아",
            "--declared-total", count, "--json", db=initialised,
        )  # fmt: skip
        assert imported.exit_code == 0, imported.output
        data = json.loads(imported.stdout)
        assert data["count"] == count == 140
        assert data["notice"]["number"] == "제2024-321호"
        assert not [f for f in data["findings"] if f["severity"] == "error"]
        rules = {f["rule"] for f in data["findings"]}
        assert "section-left-out" in rules
        if label == "p":
            # The page breaks cut the long entry's row, and the reader joined it.
            assert {"continued-row", "repeated-header"} <= rules, data["findings"]

    for other in ("p", "h"):
        diff = run_cli(
            "diff", "x", other, "--list", SLUG, "--include-drafts", "--fields", FIELDS, "--json",
            db=initialised,
        )  # fmt: skip
        assert diff.exit_code == 0, diff.output
        report = json.loads(diff.stdout)
        assert report["changes"] == [], json.dumps(report["changes"][:3], ensure_ascii=False)
        summary = report["summary"]
        assert summary["reconciles"] is True
        assert (summary["before"], summary["after"], summary["unchanged"]) == (count, count, count)
        assert summary["added"] == summary["removed"] == summary["modified"] == 0

    shown = {label: _show(run_cli, initialised, label) for label in files}
    provenance = {"sheet", "row"}
    workbook = [{k: v for k, v in item.items() if k not in provenance} for item in shown["x"]]
    for other in ("p", "h"):
        assert [{k: v for k, v in i.items() if k not in provenance} for i in shown[other]] == (
            workbook
        )
    # What the three agree on is the revision as written.
    by_serial = {item["serial"]: item for item in shown["x"]}
    assert list(by_serial)[:3] == ["1", "2", "3"] and "20의2" in by_serial
    assert by_serial["1"]["mentioned_codes"] == ["845811"]
    # 1. and 2. are numbered under a. (issue 20: sub-items nest).
    assert [
        (s["path"], [c["path"] for c in s["sub_items"]]) for s in by_serial["2"]["sub_items"]
    ] == [
        ("a", ["a.1", "a.2"]),
        ("b", []),
    ]
    assert by_serial["2"]["control_numbers"] == ["3B001.f", "3B001.f.1", "3B001.f.2", "3B001.c"]
    assert by_serial["60"]["description"] == LONG
    assert by_serial["30"]["ex"] is True
    leading = [item["code"] for item in shown["x"] if item["code"]]
    assert leading[0].startswith("0") and len(leading) == count - 4
    assert shown["p"][0]["sheet"].startswith("page 1, table 1")
    assert shown["h"][0]["sheet"].startswith("table 1")


@pytest.fixture
def rows() -> list[Row]:
    return annex_rows()[0]


def test_the_three_files_are_written_from_the_same_rows(rows: list[Row]) -> None:
    entries = [cells for kind, cells in rows if kind == "entry"]
    assert len(entries) == 150 and sum(1 for kind, _ in rows if kind == "sub") == 6
    assert len({cells[2] for cells in entries}) == len(entries)
