"""The change and screening PDFs end to end through the CLI, read back with pypdf.

They are evidence that gets filed and signed: in the chosen language, with the
record of how they were made (local time and zone, operator, version), the
versions' notices and hashes, a sign-off block filled from the approval record,
every font embedded, metadata, bookmarks, and a statement on page 1 when they
list only part of the rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from builders import write_list_workbook
from conftest import RunCli
from pypdf import PdfReader
from test_screen import catalogue, screen_db  # noqa: F401 - fixtures

from exportctl import __version__
from exportctl.hscode import Nomenclature
from exportctl.reports.language import text_for
from exportctl.reports.screening import STATUS_COLOURS

OUTPUT = Path(__file__).parent / "output"
APPROVER = "박승인"
OPERATOR = "김작성"
FONTS = {"ExportctlGothic", "ExportctlGothic-Bold"}


# --------------------------------------------------------------------------- helpers


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _squashed(path: Path) -> str:
    return "".join(_text(path).split())


def _fonts(path: Path) -> dict[str, bool]:
    """Every font any page uses → whether its file is embedded (descendants included)."""
    found: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            embedded = False
            for part in font.get("/DescendantFonts", [font]):
                descriptor = part.get_object().get("/FontDescriptor")
                if descriptor is not None and any(
                    key in descriptor.get_object()
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    embedded = True
            name = str(font["/BaseFont"]).lstrip("/")
            found[name.split("+", 1)[-1]] = embedded
    return found


def _outline(path: Path) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for entry in items:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)

    walk(PdfReader(path).outline)
    return titles


def _render_first_page(path: Path, name: str) -> Path:
    import pypdfium2 as pdfium

    OUTPUT.mkdir(exist_ok=True)
    target = OUTPUT / name
    document = pdfium.PdfDocument(str(path))
    document[0].render(scale=1.6).to_pil().save(target)
    document.close()
    return target


def _rows(codes: list[str], serials: list[int] | None = None) -> list[tuple[Any, ...]]:
    serials = serials or list(range(1, len(codes) + 1))
    return [
        (serial, code, f"품목 {code}", f"Item {code}", "일반산업용 물품", None)
        for serial, code in zip(serials, codes, strict=True)
    ]


@pytest.fixture
def pdf_db(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """kr-test: v1 (40 entries over several HS sections), v2 (the same renumbered),
    v3 (one entry becomes ex, 10 removed, 5 added); approved by :data:`APPROVER`."""
    monkeypatch.setenv("EXPORTCTL_ACTOR", APPROVER)
    every = sorted(Nomenclature.load("2022").codes(6))
    codes = every[:: len(every) // 45][:45]
    v1 = _rows(codes[:40])
    v2 = _rows(codes[:40], list(range(40, 0, -1)))
    v3 = _rows(codes[:30] + codes[40:45])
    v3[0] = (1, f"ex {codes[0]}", *v3[0][2:])
    files = {}
    run_cli("init", db=sqlite_url, ok=True)
    for label, rows, effective in (
        ("v1", v1, "2024-02-24"),
        ("v2", v2, "2024-06-28"),
        ("v3", v3, "2024-09-01"),
    ):
        path = write_list_workbook(tmp_path / f"list-{label}.xlsx", rows)
        files[label] = hashlib.sha256(path.read_bytes()).hexdigest()
        run_cli(
            "import",
            "--create-list",
            "--approve",
            path,
            "--list",
            "kr-test",
            "--version",
            label,
            "--effective",
            effective,
            db=sqlite_url,
            ok=True,
        )
    monkeypatch.setenv("EXPORTCTL_ACTOR", OPERATOR)
    monkeypatch.setenv("TZ", "Asia/Seoul")
    return {"db": sqlite_url, "sha256": files}


def _diff(run_cli: RunCli, db: str, *args: Any, ok: bool | None = True) -> Any:
    return run_cli("diff", "--list", "kr-test", *args, db=db, ok=ok)


# --------------------------------------------------------------------------- change PDF


def test_korean_change_pdf_is_evidence(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any]
) -> None:
    out = tmp_path / "changes.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v3", "--lang", "ko", "-o", out)
    assert not out.with_suffix(".xlsx").exists()  # complete: no companion
    reader = PdfReader(out)
    first = reader.pages[0].extract_text() or ""
    text = _text(out)
    ko = text_for("ko")
    # Page 1: the record, both versions with status, approver and hashes, sign-off.
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d KST \(UTC\+09:00\)", first)
    assert OPERATOR in first and __version__ in first
    for sha in (pdf_db["sha256"]["v1"], pdf_db["sha256"]["v3"]):
        assert sha in "".join(first.split())
    assert "v1" in first and "v3" in first and "2024-09-01" in first
    assert ko("evidence.notice") in first and ko("value.not_recorded") in first
    assert "결재" in first and "작성" in first and "검토" in first and "승인" in first
    assert APPROVER in first  # from the approval record of v3
    assert "이 PDF는 모든 변경 항목을 싣고 있습니다." in first
    # Kinds, values in words, Korean section names, footer.
    for kind in ("추가", "삭제", "변경", "번호 변경", "코드 변경", "분할", "통합"):
        assert kind in text
    assert "아니오" in text and "False" not in text and "True" not in text
    assert ko.section_name("I", "Live animals; animal products") in text
    assert "1 / " in first and "쪽" in first
    # Every kind is listed; an empty one says so.
    squashed = _squashed(out)
    assert "번호변경(연번만이동):0건없음." in squashed
    # The modified table (old/new columns) is on a landscape page.
    wide = [p for p in reader.pages if "변경: 1건" in (p.extract_text() or "")]
    assert wide and all(float(p.mediabox.width) > float(p.mediabox.height) for p in wide)
    assert float(reader.pages[0].mediabox.width) < float(reader.pages[0].mediabox.height)
    _render_first_page(out, "changes-ko-page1.png")


def test_english_change_pdf_words_and_metadata(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any]
) -> None:
    out = tmp_path / "changes.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v3", "--lang", "en", "-o", out)
    text = _text(out)
    assert "Sign-off" in text and "Prepared" in text and "Reviewed" in text
    assert "Added: 5" in text and "Removed: 10" in text
    assert "Renumbered (serial number moved): 0\nNone." in text
    assert "no" in text and "yes" in text and "False" not in text
    assert "page 1 of" in text and "KST (UTC+09:00)" in text
    meta = PdfReader(out).metadata
    assert meta is not None
    assert meta.author == OPERATOR
    assert meta["/Creator"] == f"exportctl {__version__}"
    assert meta.title is not None and meta.title.startswith("Changes to ")
    assert meta.subject and "kr-test" in str(meta["/Keywords"])
    titles = _outline(out)
    assert titles[:3] == ["Report record", "Summary", "Changes by HS section"]
    for kind in ("Added: 5", "Removed: 10", "Modified: 1", "Merged (sub-codes replaced"):
        assert any(title.startswith(kind) for title in titles), (kind, titles)
    assert titles[-1] == "Sources"


def test_every_font_is_embedded_and_none_is_helvetica(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any]
) -> None:
    out = tmp_path / "changes.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v3", "--lang", "en", "-o", out)
    fonts = _fonts(out)
    assert set(fonts) == FONTS  # a Helvetica from the canvas, a table or the chart would show
    assert all(fonts.values())


def test_renumber_only_reissue_is_zero_content_changes(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any]
) -> None:
    summary = _diff(run_cli, pdf_db["db"], "v1", "v2")
    assert "0 content changes; 40 entries renumbered" in summary.stdout
    data = json.loads(_diff(run_cli, pdf_db["db"], "v1", "v2", "--json").stdout)
    assert data["summary"]["content_changes"] == 0 and data["summary"]["renumbered"] == 40
    out = tmp_path / "renumbered.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v2", "--lang", "en", "-o", out)
    first = PdfReader(out).pages[0].extract_text() or ""
    assert "0 content changes; 40 entries renumbered." in first
    out_ko = tmp_path / "renumbered-ko.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v2", "--lang", "ko", "-o", out_ko)
    assert "내용 변경 0건; 번호만 바뀐 항목 40건." in (
        PdfReader(out_ko).pages[0].extract_text() or ""
    )


def test_partial_pdf_says_so_and_writes_the_full_table_beside_it(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any]
) -> None:
    out = tmp_path / "changes.pdf"
    # A report the officer asked for earlier, named like the PDF: never taken (issue 21).
    asked = tmp_path / "changes.xlsx"
    asked.write_bytes(b"kept")
    _diff(run_cli, pdf_db["db"], "v1", "v3", "--pdf-rows", "2", "--lang", "en", "-o", out)
    companion = tmp_path / "changes.full-list.xlsx"
    assert asked.read_bytes() == b"kept" and out.exists() and companion.exists()
    from openpyxl import load_workbook

    book = load_workbook(companion, read_only=True)
    assert "Removed" in book.sheetnames
    book.close()
    first = PdfReader(out).pages[0].extract_text() or ""
    flat = " ".join(first.split())
    assert "This PDF is partial" in flat and "5 of 16 rows are listed" in flat
    assert "The full table is in changes.full-list.xlsx." in flat
    assert "and 8 more: see changes.full-list.xlsx." in " ".join(_text(out).split())
    events = json.loads(run_cli("audit", "--json", db=pdf_db["db"], ok=True).stdout)
    written = [(e["file"], e["detail"]["format"]) for e in events if e["action"] == "report"]
    assert written[-2:] == [("changes.full-list.xlsx", "xlsx"), ("changes.pdf", "pdf")]


def test_the_companion_never_blocks_and_only_a_named_file_is_refused(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any]
) -> None:
    out = tmp_path / "changes.pdf"
    args = ("v1", "v3", "--pdf-rows", "2", "--lang", "en", "-o", out)
    _diff(run_cli, pdf_db["db"], *args)
    first = tmp_path / "changes.full-list.xlsx"
    kept = first.read_bytes()
    # The PDF was named by the officer: replacing it needs --force.
    refused = _diff(run_cli, pdf_db["db"], *args, ok=None)
    assert refused.exit_code == 2 and "changes.pdf already exists" in refused.output
    # A new PDF beside an earlier companion: the earlier one is kept, the next name is used.
    other = tmp_path / "changes-2.pdf"
    first.rename(tmp_path / "changes-2.full-list.xlsx")
    _diff(run_cli, pdf_db["db"], "v1", "v3", "--pdf-rows", "2", "--lang", "en", "-o", other)
    assert (tmp_path / "changes-2.full-list.xlsx").read_bytes() == kept
    assert (tmp_path / "changes-2.full-list-2.xlsx").exists()
    page = " ".join((PdfReader(other).pages[0].extract_text() or "").split())
    assert "The full table is in changes-2.full-list-2.xlsx." in page
    # With --force the PDF and its companion are replaced in place.
    _diff(run_cli, pdf_db["db"], *args, "--force")
    assert first.exists() and not (tmp_path / "changes.full-list-2.xlsx").exists()


def test_contents_page_for_a_long_report(
    tmp_path: Path, run_cli: RunCli, pdf_db: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    short = tmp_path / "short.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v2", "--lang", "en", "-o", short)
    assert "Contents" not in _text(short)  # 40 rows: read from page 1 and the bookmarks
    monkeypatch.setattr("exportctl.reports.pdf_record.CONTENTS_MIN_ROWS", 30)
    long = tmp_path / "long.pdf"
    _diff(run_cli, pdf_db["db"], "v1", "v2", "--lang", "en", "-o", long)
    pages = [page.extract_text() or "" for page in PdfReader(long).pages]
    contents = pages[1]
    assert contents.startswith("Contents")
    # Each heading with the page it is on (the numbers are drawn last, so read last).
    lines = [line.strip() for line in contents.splitlines()[1:]]
    numbers = [int(line) for line in lines if line.isdigit()]
    titles = [line for line in lines if line and not line.isdigit()][: len(numbers)]
    pages_of = dict(zip(titles, numbers, strict=True))
    heading = "Renumbered (serial number moved): 40"
    assert heading in pages[pages_of[heading] - 1]
    assert pages_of["Summary"] == 3 and "Sources" in pages[pages_of["Sources"] - 1]
    assert "Contents" in _outline(long)


# --------------------------------------------------------------------------- screening PDF


@pytest.fixture
def approver(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EXPORTCTL_ACTOR", APPROVER)
    return APPROVER


def _screen(
    run_cli: RunCli,
    db: str,
    catalogue_path: Path,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    *args: Any,
) -> Any:
    monkeypatch.setenv("EXPORTCTL_ACTOR", OPERATOR)
    monkeypatch.setenv("TZ", "Asia/Seoul")
    return run_cli(
        "screen",
        catalogue_path,
        "--list",
        "kr-russia",
        "--as-of",
        "2024-07-01",
        "--compare",
        "2024-02",
        *args,
        "-o",
        out,
        db=db,
        ok=True,
    )


def _colour_operator(hex_colour: str) -> str:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.rl_accel import fp_str

    colour = HexColor(hex_colour)
    return f"{fp_str(colour.red, colour.green, colour.blue)} rg"


def test_korean_screening_pdf_grouped_by_status_in_colour(
    tmp_path: Path,
    run_cli: RunCli,
    approver: str,
    screen_db: str,  # noqa: F811 - fixture
    catalogue: Path,  # noqa: F811 - fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "screen.pdf"
    _screen(run_cli, screen_db, catalogue, out, monkeypatch, "--lang", "ko")
    reader = PdfReader(out)
    first = reader.pages[0].extract_text() or ""
    flat = "".join(first.split())
    assert "KST(UTC+09:00)" in flat and OPERATOR in first and approver in first
    assert "결재" in first and "2024-07-01" in first and "products.xlsx" in first
    assert hashlib.sha256(catalogue.read_bytes()).hexdigest() in flat
    assert "이PDF는해당없음이아닌모든행을싣고있습니다." in flat
    # Groups in order: status changed first, then controlled, review, invalid; clear counted.
    body = "".join("".join((p.extract_text() or "").split()) for p in reader.pages[1:])
    order = [
        "2024-02대비판정변경:",
        "통제대상:4건",
        "검토필요:3건",
        "코드오류:2건",
        "해당없음행:1건",
    ]
    positions = [body.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "사과" not in body
    assert "새로통제대상" in body
    titles = _outline(out)
    assert titles[0] == "보고서 기록"
    assert [t.split(":")[0] for t in titles[1:]] == [
        "2024-02 대비 판정 변경",
        "통제 대상",
        "검토 필요",
        "코드 오류",
    ]
    # Rows are shaded in the XLSX colours of their status.
    content = b"".join(p.get_contents().get_data() for p in reader.pages[1:]).decode("latin-1")
    for status in ("controlled", "review", "invalid"):
        colour = STATUS_COLOURS[status]
        assert colour is not None and _colour_operator(colour) in content, status
    fonts = _fonts(out)
    assert set(fonts) == FONTS and all(fonts.values())
    _render_first_page(out, "screening-ko-page1.png")


def test_partial_screening_pdf_says_so(
    tmp_path: Path,
    run_cli: RunCli,
    screen_db: str,  # noqa: F811 - fixture
    catalogue: Path,  # noqa: F811 - fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "screen.pdf"
    _screen(run_cli, screen_db, catalogue, out, monkeypatch, "--lang", "en", "--pdf-rows", "1")
    first = " ".join((PdfReader(out).pages[0].extract_text() or "").split())
    assert "This PDF is partial" in first and "4 of 12 rows are listed" in first
    assert "the CSV or XLSX report" in first
    text = " ".join(_text(out).split())
    assert "Sign-off" in text and "Controlled: 4" in text and "and 3 more" in text
