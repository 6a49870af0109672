"""The annex read straight from a PDF, as Korea publishes it (HWP and PDF, no spreadsheet).

PDFs are made here two ways: with reportlab's platypus tables (ruled, the header
repeated on each page, cells merged with ``SPAN``, a row split by the page break)
and drawn line by line on a canvas, with the rules as thin filled rectangles and
the page turned with ``/Rotate`` and written out again by pypdf, as other producers
do. Each is read through the real CLI.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exportctl.errors import InputError
from exportctl.limits import Limits
from exportctl.readers import LIST_SCHEMA, read_table
from exportctl.readers.guard import check_file
from exportctl.readers.pdf import PdfBook, open_book
from exportctl.reports.pdf_document import register_hangul_font

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

RUSSIA = "러시아·벨라루스 상황허가 대상 품목"
NOTICE = "산업통상자원부고시 제2024-123호(2024. 6. 28.)"
AMENDMENT = "[별표 2의2] <개정 2024. 6. 28.>"
HEADER = [["연번", "HS코드", "품목명", "", "비고"], ["", "", "국문", "영문", ""]]
LONG = " ".join(["이 품목은 여러 줄에 걸쳐 인쇄되는 긴 설명을 가진 품목으로서"] * 14)


def _hs_codes() -> list[str]:
    """HS 2022 subheadings from the start of the table: chapters 01-03, zeros in front."""
    text = resources.files("exportctl.data").joinpath("hs2022.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [f"{row['code'][:4]}.{row['code'][4:]}" for row in rows if row["level"] == "6"]


CODES = _hs_codes()[:1500]


def _code(n: int) -> str:
    """The n-th code, printed as the annex prints it: ``0101.21``."""
    return CODES[n]


def _style(size: float = 8) -> ParagraphStyle:
    regular, _bold = register_hangul_font()
    return ParagraphStyle(
        "cell", fontName=regular, fontSize=size, leading=size + 2.5, wordWrap="CJK"
    )


def _annex_rows(entries: int) -> tuple[list[list[Any]], list[tuple[Any, ...]], int]:
    """Data rows of the annex after its section title row.

    Returns:
        The rows, the ``SPAN`` commands they need (table row indexes, header
        counted), and the number of entries.
    """
    cell = _style()
    rows: list[list[Any]] = [
        [f"2. {RUSSIA}", "", "", "", ""],
        ["1", "", Paragraph("전자 장치로서 다음 중 어느 하나에 해당하는 것", cell), "", ""],
        ["", "", Paragraph("a. 3A001.a.3에 해당하는 집적회로", cell), "", ""],
        ["", "", Paragraph("b. 2B350.g에 해당하는 부분품", cell), "", ""],
    ]
    spans: list[tuple[Any, ...]] = [("SPAN", (0, 2), (4, 2))]
    serials = ["2", "3", "3의2", *map(str, range(4, entries))]
    for n, serial in enumerate(serials):
        text = LONG if serial == "27" else f"품목 {_code(n)} 설명"
        rows.append([serial, _code(n), Paragraph(text, cell), f"Item {_code(n)}", ""])
        if serial == "7":
            # A serial cell merged down over the entry's second line.
            rows.append(["", "", Paragraph("(제8407.10호의 것은 제외)", cell), "", ""])
            at = len(HEADER) + len(rows) - 2
            spans.append(("SPAN", (0, at), (0, at + 1)))
    return rows, spans, len(serials) + 1


def annex_pdf(path: Path, *, entries: int = 120, pagesize: Any = A4) -> Path:
    """The annex as the notice's PDF prints it: notice lines, then one ruled table.

    Two header rows repeated on each page; part 2's title row merged across the
    table; entry 1 a specification with sub-items ``a.`` and ``b.``; serial ``3의2``;
    entry 7's serial cell merged down over two rows; entry 27 so long that the page
    break cuts it in two.
    """
    cell = _style(10)
    rows, spans, _count = _annex_rows(entries)
    regular, _bold = register_hangul_font()
    table = Table(
        [*HEADER, *rows],
        colWidths=[40, 60, 230, 110, 50],
        repeatRows=2,
        splitByRow=0,
        splitInRow=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (2, 0), (3, 0)),
                ("SPAN", (4, 0), (4, 1)),
                # reportlab leaves the rule under a repeated header out above a cut row.
                ("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black),
                *spans,
            ]
        )
    )
    story = [
        Paragraph(AMENDMENT.replace("<", "&lt;").replace(">", "&gt;"), cell),
        Paragraph(NOTICE, cell),
        Spacer(1, 12),
        table,
    ]
    SimpleDocTemplate(str(path), pagesize=pagesize).build(story)
    return path


def canvas_pdf(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    rotate: bool = False,
    ruled: bool = True,
    sideways: bool = False,
) -> Path:
    """A ruled table drawn by hand: rules as thin filled rectangles, text placed line by line.

    Twenty rows a page, the header on the first page only. With ``rotate`` each
    page is portrait paper turned by ``/Rotate 90`` and the table drawn turned, so
    it reads as landscape; pypdf writes the file out again. With ``sideways`` the
    table is drawn turned on portrait paper that stays portrait, so its text runs
    up the page. Without ``ruled`` the columns are only text set in line.
    """
    regular, _bold = register_hangul_font()
    widths = [50.0, 80.0, 260.0, 120.0]
    paper = A4
    height = paper[0] if rotate or sideways else paper[1]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=paper)
    per_page = 20
    for start in range(0, len(rows), per_page):
        chunk = rows[start : start + per_page]
        if rotate or sideways:
            canvas.translate(paper[0], 0)
            canvas.rotate(90)
        top = height - 60
        if start == 0:
            canvas.setFont(regular, 10)
            canvas.drawString(40, top, NOTICE)
            top -= 30
        bottom = top - 18 * len(chunk)
        x = 40.0
        for width in [0.0, *widths] if ruled else []:
            x += width
            canvas.rect(x, bottom, 0.6, top - bottom, stroke=0, fill=1)
        for i in range(len(chunk) + 1 if ruled else 0):
            canvas.rect(40, top - 18 * i, sum(widths), 0.6, stroke=0, fill=1)
        canvas.setFont(regular, 8)
        for i, row in enumerate(chunk):
            x = 40.0
            for width, text in zip(widths, row, strict=True):
                canvas.drawString(x + 3, top - 18 * i - 12, text)
                x += width
        canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    if rotate:
        for page in writer.pages:
            page.rotate(90)
    writer.write(path)
    return path


def _book(path: Path) -> PdfBook:
    return open_book(check_file(path))


def _import(run_cli: RunCli, db: str, path: Path, *args: Any) -> Any:
    run_cli("lists", "create", "kr-russia", "--name", RUSSIA, db=db, ok=True)
    return run_cli("import", path, "--list", "kr-russia", "--version", "v1", *args, db=db)


def _items(run_cli: RunCli, db: str) -> list[dict[str, Any]]:
    shown = run_cli("show", "--list", "kr-russia", "--version", "v1", "--json", db=db, ok=True)
    items: list[dict[str, Any]] = json.loads(shown.stdout)["items"]
    return items


def _versions(run_cli: RunCli, db: str) -> list[str]:
    listed = run_cli("versions", "--list", "kr-russia", "--json", db=db, ok=True)
    return [v["label"] for v in json.loads(listed.stdout)]


# --- the annex through the CLI ------------------------------------------------------


def test_annex_pdf_imports_with_every_entry_placed_on_its_page(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    path = annex_pdf(tmp_path / "annex.pdf")
    _rows, _spans, count = _annex_rows(120)
    result = _import(run_cli, initialised, path, "--declared-total", count, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["count"] == count == 120
    assert data["notice"]["number"] == "제2024-123호"
    assert data["notice"]["amendment"] == "<개정 2024. 6. 28.>"
    assert [(s["number"], s["title"]) for s in data["sections"]] == [(2, RUSSIA)]
    assert not [f for f in data["findings"] if f["severity"] == "error"]
    assert data["findings"]
    placed = [f for f in data["findings"] if f["row"] is not None]
    assert placed and all(f["place"].startswith("page ") for f in placed), data["findings"]
    continued = {f["place"] for f in data["findings"] if f["rule"] == "continued-row"}
    # Entry 7's serial cell merged over two rows; entry 27 cut by the page break.
    assert continued == {"page 1, table 1, row 14", "page 2, table 1, row 3"}

    items = _items(run_cli, initialised)
    assert len(items) == count
    serials = [i["serial"] for i in items]
    assert serials[:5] == ["1", "2", "3", "3의2", "4"] and serials[-1] == "119"
    assert len(set(serials)) == count
    spec = items[0]
    assert spec["code"] is None
    assert [s["label"] for s in spec["sub_items"]] == ["a.", "b."]
    assert spec["control_numbers"] == ["3A001.a.3", "2B350.g"]
    by_serial = {i["serial"]: i for i in items}
    assert by_serial["2"]["code"] == CODES[0].replace(".", "") and CODES[0].startswith("0")
    assert by_serial["7"]["description"] == f"품목 {_code(6)} 설명 (제8407.10호의 것은 제외)"
    assert "".join(by_serial["27"]["description"].split()) == "".join(LONG.split())
    assert by_serial["27"]["sheet"] == "page 1, table 1, row 34"
    assert by_serial["28"]["sheet"] == "page 2, table 1, row 4"
    assert by_serial["119"]["sheet"].startswith("page 4, table 1, row ")
    # No header printed again on a page became an entry or joined one.
    assert not [i for i in items if "국문" in (i["description"] or "")]
    assert all(i["sheet"].startswith("page ") and ", table 1, row " in i["sheet"] for i in items)

    checked = run_cli(
        "validate", path, "--list", "kr-russia", "--declared-total", "121", db=initialised
    )
    assert checked.exit_code == 1, checked.output
    assert "annex.pdf, page 2, table 1, row 3: the row continues entry No. 27" in checked.output


def test_rows_handed_on_say_where_they_are_and_what_is_merged(tmp_path: Path) -> None:
    path = annex_pdf(tmp_path / "annex.pdf")
    book = _book(path)
    assert book.sheet_names == ["table 1"] and book.pages == 4
    rows = list(book.rows("table 1"))
    assert [r.values for r in rows[:2]] == [[AMENDMENT], [NOTICE]]
    assert rows[0].place == "page 1, above table 1"
    header, lower, title = rows[2:5]
    assert header.values == ["연번", "HS코드", "품목명", None, "비고"] and not header.covered
    assert lower.values == [None, None, "국문", "영문", None] and lower.covered == {0, 1, 4}
    # Merged across the table: text in its first column, the others blank, not covered.
    assert title.values == [f"2. {RUSSIA}", None, None, None, None] and not title.covered
    cut = next(r for r in rows if r.value(0) == "27")
    assert cut.values[2] is not None and cut.values[2].startswith("이 품목은 여러 줄에 걸쳐")
    assert "\n" not in cut.values[2] and "  " not in cut.values[2]
    numbers = [r.number for r in rows]
    assert numbers == sorted(set(numbers))
    assert [note.rule for note in book.notes] == ["repeated-header"]
    assert "printed again on 3 pages was skipped (pages 2, 3, 4)" in book.notes[0].message
    assert book.height("table 1") == len(rows)

    table = read_table(path, LIST_SCHEMA)
    assert table.sheet == "table 1" and table.title_lines == [AMENDMENT, NOTICE]
    parsed = list(table.rows)
    assert parsed[0].place == "page 1, table 1, row 3" and parsed[0].section is not None
    assert sum(1 for p in parsed if p.code is not None) == 119


def test_a_landscape_page_reads_like_a_portrait_one(tmp_path: Path) -> None:
    book = _book(annex_pdf(tmp_path / "wide.pdf", entries=40, pagesize=landscape(A4)))
    rows = list(book.rows("table 1"))
    coded = [r for r in rows if r.value(1) not in (None, "HS코드")]
    assert [r.values[0] for r in coded][:3] == ["2", "3", "3의2"]
    assert len(coded) == 39 and coded[0].values[1] == _code(0)


def test_a_hand_drawn_table_on_turned_pages(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    rows = [["연번", "HS코드", "품목명", "비고"]]
    rows += [[str(n), _code(n), f"품목 {n}", ""] for n in range(1, 31)]
    for rotate in (False, True):
        path = canvas_pdf(tmp_path / f"drawn-{rotate}.pdf", rows, rotate=rotate)
        assert PdfReader(path).pages[0].rotation == (90 if rotate else 0)
        book = _book(path)
        read = list(book.rows("table 1"))
        assert book.sheet_names == ["table 1"]
        assert read[0].values == [NOTICE] and read[1].values[:2] == ["연번", "HS코드"]
        # Page 2 has no header: its rows still belong to the same table.
        assert read[20].values[:2] == ["19", _code(19)]
        assert read[21].values[:2] == ["20", _code(20)]
        assert read[21].place == "page 2, table 1, row 1"
    result = _import(run_cli, initialised, path, "--declared-total", "30")
    assert result.exit_code == 0, result.output
    items = _items(run_cli, initialised)
    assert [i["serial"] for i in items] == [str(n) for n in range(1, 31)]
    assert items[29]["sheet"] == "page 2, table 1, row 11"
    assert items[0]["code"] == _code(1).replace(".", "")


def test_a_table_set_sideways_on_portrait_paper_is_read_upright(
    run_cli: RunCli, initialised: str, tmp_path: Path
) -> None:
    rows = [["연번", "HS코드", "품목명", "비고"]]
    rows += [[str(n), _code(n), f"품목 {n}", ""] for n in range(1, 31)]
    path = canvas_pdf(tmp_path / "sideways.pdf", rows, sideways=True)
    page = PdfReader(path).pages[0]
    assert page.rotation == 0 and page.mediabox.width < page.mediabox.height
    book = _book(path)
    read = list(book.rows("table 1"))
    assert read[0].values == [NOTICE] and read[1].values == rows[0]
    assert read[21].values[:2] == ["20", _code(20)]
    assert read[21].place == "page 2, table 1, row 1"
    result = _import(run_cli, initialised, path, "--declared-total", "30")
    assert result.exit_code == 0, result.output
    items = _items(run_cli, initialised)
    assert [i["serial"] for i in items] == [str(n) for n in range(1, 31)]
    assert items[0]["code"] == _code(1).replace(".", "")


def test_a_sub_item_heading_a_page_is_its_own_row_not_the_rest_of_one(tmp_path: Path) -> None:
    rows = [["연번", "HS코드", "품목명", "비고"]]
    rows += [[str(n), _code(n), f"품목 {n}", ""] for n in range(1, 19)]
    rows += [["19", "", "전자 장치로서 다음 중 어느 하나에 해당하는 것", ""]]
    rows += [["", "", "a. 3A001.a.3에 해당하는 것", ""], ["", "", "b. 2B350.g에 해당하는 것", ""]]
    book = _book(canvas_pdf(tmp_path / "spec.pdf", rows))
    head = next(r for r in book.rows("table 1") if r.place == "page 2, table 1, row 1")
    assert head.values == [None, None, "a. 3A001.a.3에 해당하는 것", None]
    assert head.covered == frozenset() and book.notes == []


def test_a_table_without_rules_is_read_from_its_columns_of_text(tmp_path: Path) -> None:
    rows = [["연번", "HS코드", "품목명", "비고"]]
    rows += [[str(n), _code(n), f"품목{n}", f"참고{n}"] for n in range(1, 31)]
    table = read_table(canvas_pdf(tmp_path / "plain.pdf", rows, ruled=False), LIST_SCHEMA)
    read = [(p.values["serial"], p.values["code"]) for p in table.rows]
    assert read == [(str(n), _code(n)) for n in range(1, 31)]


def test_table_option_picks_one_of_two_tables(
    run_cli: RunCli, sqlite_url: str, tmp_path: Path
) -> None:
    path = _two_tables(tmp_path / "two.pdf")
    book = _book(path)
    assert book.sheet_names == ["table 1", "table 2"]
    assert next(book.rows("table 2")).values == ["[별표 3] 수출허가 대상 품목"]
    run_cli("init", db=sqlite_url, ok=True)
    both = _import(run_cli, sqlite_url, path)
    assert both.exit_code == 1 and "table 1 (header" in both.output and "--table N" in both.output
    second = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v1", "--table", "2", db=sqlite_url
    )
    assert second.exit_code == 0, second.output
    assert [i["code"] for i in _items(run_cli, sqlite_url)] == [
        _code(n).replace(".", "") for n in range(50, 55)
    ]
    missing = run_cli(
        "import", path, "--list", "kr-russia", "--version", "v2", "--table", "3", db=sqlite_url
    )
    assert missing.exit_code == 2 and "two.pdf: has 2 tables; there is no table 3" in missing.output


def _two_tables(path: Path) -> Path:
    """Two annex tables of the same columns on pages 1 and 2, the second under its title."""
    cell = _style(10)
    regular, _bold = register_hangul_font()
    story: list[Any] = []
    for title, first in (
        ("[별표 2의2] 상황허가 대상 품목", 0),
        ("[별표 3] 수출허가 대상 품목", 50),
    ):
        data = [["연번", "HS코드", "품목명"]]
        data += [[str(n + 1), _code(first + n), f"품목 {n}"] for n in range(5)]
        table = Table(data, colWidths=[50, 80, 200])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                ]
            )
        )
        if story:
            from reportlab.platypus import PageBreak

            story.append(PageBreak())
        story += [Paragraph(title, cell), Spacer(1, 8), table]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


# --- files refused ------------------------------------------------------------------


def _encrypted(path: Path) -> Path:
    canvas = Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", "owner"))
    canvas.drawString(100, 700, "HS code list")
    canvas.save()
    return path


def _scanned(path: Path) -> Path:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    image = Image.new("RGB", (200, 100), "white")
    canvas = Canvas(str(path), pagesize=A4)
    canvas.drawImage(ImageReader(image), 50, 500, width=400, height=200)
    canvas.showPage()
    canvas.save()
    return path


def _truncated(path: Path) -> Path:
    whole = annex_pdf(path.with_name("whole.pdf"), entries=30).read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    return path


def _prose(path: Path) -> Path:
    canvas = Canvas(str(path), pagesize=A4)
    regular, _bold = register_hangul_font()
    canvas.setFont(regular, 10)
    canvas.drawString(60, 780, NOTICE)
    canvas.drawString(60, 760, "전략물자 수출입고시 일부를 다음과 같이 개정한다.")
    canvas.rect(50, 740, 480, 60)  # a box around the text is not a table
    canvas.save()
    return path


def _no_code_column(path: Path) -> Path:
    rows = [["번호", "구분", "내용", "비고"]] + [
        [str(n), "일반", f"내용 {n}", ""] for n in range(5)
    ]
    return canvas_pdf(path, rows)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_encrypted, "is password-protected (encrypted); save a copy without a password"),
        (_scanned, "has no text layer (a scanned image?); exportctl does not do OCR"),
        (_truncated, "cannot be read as PDF: "),
        (_prose, "has no table on its 1 page "),
        (_no_code_column, "no table has a header row with an HS code column"),
    ],
)
def test_unreadable_pdfs_are_refused_in_one_line_and_nothing_is_stored(
    run_cli: RunCli, sqlite_url: str, tmp_path: Path, build: Any, message: str
) -> None:
    path = build(tmp_path / "notice.pdf")
    run_cli("init", db=sqlite_url, ok=True)
    result = _import(run_cli, sqlite_url, path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "notice.pdf" in lines[0] and message in lines[0], result.output
    assert _versions(run_cli, sqlite_url) == []


def test_a_pdf_locked_only_against_copying_is_read(tmp_path: Path) -> None:
    path = annex_pdf(tmp_path / "plain.pdf", entries=10)
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password="", owner_password="owner", permissions_flag=-3904)
    writer.write(locked)
    book = _book(locked)
    assert [r.values for r in book.rows("table 1")] == [
        r.values for r in _book(path).rows("table 1")
    ]
    assert book.notes[0].rule == "pdf-restricted"
    assert "encrypted without an open password" in book.notes[0].message


def test_too_many_pages_are_refused_before_reading(tmp_path: Path) -> None:
    path = annex_pdf(tmp_path / "long.pdf")
    with pytest.raises(InputError, match=r"long.pdf: has more than 3 pages, the most exportctl"):
        open_book(check_file(path, Limits(max_pages=3)))


def test_the_second_half_read_in_another_process_gives_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from exportctl.readers import pdf as pdf_reader

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: PDF pages are read in one process")
    path = annex_pdf(tmp_path / "annex.pdf", entries=200)

    def read() -> list[tuple[Any, ...]]:
        book = _book(path)
        try:
            return [(r.number, r.place, tuple(r.values), r.covered) for r in book.rows("table 1")]
        finally:
            book.close()

    monkeypatch.setattr(pdf_reader, "PARALLEL_MIN_PAGES", 10**6)
    alone = read()
    workers: list[int] = []

    class Counted(pdf_reader._Reader):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            workers.append(self.worker.process.pid or 0)

    monkeypatch.setattr(pdf_reader, "PARALLEL_MIN_PAGES", 2)
    monkeypatch.setattr(pdf_reader, "_Reader", Counted)
    together = read()
    assert len(set(workers)) == 2 and os.getpid() not in workers and together == alone
    assert {place.split(",")[0] for _, place, *_ in together if place} >= {"page 1", "page 5"}
