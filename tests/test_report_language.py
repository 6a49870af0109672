"""Every report in Korean says no English sentence, and its PDF links land (issue 21).

The bundled samples (``exportctl demo``'s database) are reported in every format with
``--lang ko``; the text of each file (PDF via pypdf, XLSX via openpyxl, CSV and JSON
values) must hold no English sentence but the data: English item names from the list
or the HS nomenclature, the catalogue's own descriptions, the list's title. Then every
PDF bookmark and every contents-page link must point at the page its heading is on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from builders import simple_rows, write_list_workbook
from click.testing import CliRunner
from conftest import DemoRun, copy_demo
from english import _ALLOWED_RE, english_sentences
from pypdf import PdfReader

from exportctl.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "exportctl" / "samples"
DATA = Path(__file__).resolve().parents[1] / "exportctl" / "data"


def _run(db: Path, *args: Any) -> None:
    argv = ["--db", str(db), "--lang", "ko", *(str(a) for a in args)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output


@pytest.fixture(scope="module")
def reports(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every report of the samples, in Korean: name → file (made from a copy of the demo)."""
    out = copy_demo(demo_run, tmp_path_factory.mktemp("ko") / "demo")
    db = out / "exportctl-demo.db"
    # A second list for the combined screening and the cross-list comparison.
    other = write_list_workbook(
        out / "other.xlsx",
        simple_rows(["8471.30", "8542.31", "2701.11", "9999.99"]),
        two_row_header=False,
    )
    _run(
        db,
        "import",
        "--create-list",
        "--approve",
        other,
        "--list",
        "other",
        "--version",
        "2024-01",
        "--effective",
        "2024-01-01",
    )
    made: dict[str, Path] = {}
    catalogue = SAMPLES / "catalogue.xlsx"
    for fmt in ("csv", "xlsx", "pdf", "json"):
        made[f"changes.{fmt}"] = path = out / f"changes.{fmt}"
        _run(db, "diff", "2024-02", "2024-06", "--list", "kr-russia", "-o", path, "--force")
        made[f"screening.{fmt}"] = path = out / f"screening.{fmt}"
        _run(
            db,
            "screen",
            catalogue,
            "--list",
            "kr-russia",
            "--version",
            "2024-06",
            "--compare",
            "2024-02",
            "-o",
            path,
            "--force",
        )
    for fmt in ("csv", "xlsx", "json"):  # neither writes a PDF
        made[f"crosslist.{fmt}"] = path = out / f"crosslist.{fmt}"
        _run(db, "compare", "other", "kr-russia", "--as-of", "2024-09-01", "-o", path, "--force")
        made[f"combined.{fmt}"] = path = out / f"combined.{fmt}"
        _run(
            db,
            "screen",
            catalogue,
            "--list",
            "kr-russia",
            "--list",
            "other",
            "--as-of",
            "2024-09-01",
            "-o",
            path,
            "--force",
        )
    return made


# --------------------------------------------------------------------------- text


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", _ALLOWED_RE.sub(" ", text)).strip()


def _data_text() -> str:
    """Text a report shows as data: the samples' cells and the HS nomenclature's names."""
    found: list[str] = []
    for path in SAMPLES.iterdir():
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    found.extend(value for value in row if isinstance(value, str))
            book.close()
        elif path.suffix == ".csv":
            found.append(path.read_bytes().decode("cp949", "replace"))
    for path in DATA.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            found.extend(cell for row in csv.reader(handle) for cell in row)
    found.append("(SAMPLE, not the official list)")  # the list's title, as imported
    return "\n".join(_squash(text) for text in found)


def _json_values(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            # A row's ``reason`` and the head's ``warnings`` are machine form, English in
            # every JSON report (documented in exportctl.reports.screening); ``rule`` and
            # ``values`` beside a reason say it in any language.
            if key not in ("reason", "warnings"):
                yield from _json_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_values(item)
    elif isinstance(value, str):
        yield value


def text_of(path: Path) -> str:
    """What a person reads in ``path``: one line per cell or PDF line."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if path.suffix == ".xlsx":
        lines: list[str] = []
        for sheet in openpyxl.load_workbook(path).worksheets:
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                lines.extend(str(value) for value in row if value is not None)
        return "\n".join(lines)
    if path.suffix == ".json":
        # Keys are the format's field names; the values are what is said.
        return "\n".join(_json_values(json.loads(path.read_text(encoding="utf-8"))))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return "\n".join(cell for row in csv.reader(handle) for cell in row)


@pytest.fixture(scope="module")
def data_text() -> str:
    """:func:`_data_text`, read when a test here runs (not when the suite is collected)."""
    return _data_text()


# English sentences a Korean report may still carry: none.
ELSEWHERE: tuple[str, ...] = ()


@pytest.mark.parametrize(
    "name",
    [f"{kind}.{fmt}" for kind in ("changes", "screening") for fmt in ("csv", "xlsx", "pdf", "json")]
    + [f"{kind}.{fmt}" for kind in ("combined", "crosslist") for fmt in ("csv", "xlsx", "json")],
)
def test_korean_report_has_no_english_sentence(
    reports: dict[str, Path], data_text: str, name: str
) -> None:
    text = text_of(reports[name])
    assert re.search("[가-힣]", text)  # it is a Korean report
    # A run that is part of a data value (wrapped over PDF lines, so compared squashed).
    left = [
        run
        for run in english_sentences(text)
        if _squash(run) not in data_text and not any(known in run for known in ELSEWHERE)
    ]
    assert left == []
    # Two English words escape the three-word rule: the notice line said "notice … of …".
    if reports[name].suffix != ".json":
        assert not re.search(r"\bnotice\b", text), name


# --------------------------------------------------------------------------- links


def _destinations(path: Path) -> tuple[list[str], list[tuple[str, int]], list[tuple[int, int]]]:
    """Pages' squashed text, outline (title, page index), links (on page, to page)."""
    reader = PdfReader(path)
    pages = ["".join((page.extract_text() or "").split()) for page in reader.pages]
    numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    outline: list[tuple[str, int]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    links: list[tuple[int, int]] = []
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots", []) or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            dest = annotation["/Dest"]
            if not isinstance(dest, list):
                dest = reader.named_destinations[str(dest)]
                links.append((index, reader.get_destination_page_number(dest)))
            else:
                links.append((index, numbers[dest[0].idnum]))
    return pages, outline, links


@pytest.mark.parametrize("name", ["changes.pdf", "screening.pdf"])
def test_pdf_bookmarks_and_contents_links_land_on_their_heading(
    reports: dict[str, Path], name: str
) -> None:
    pages, outline, links = _destinations(reports[name])
    assert len(outline) >= 3
    first, *rest = outline
    assert first[1] == 0  # the report's record: the title on page 1
    for title, page in rest:
        squashed = "".join(title.split())
        assert squashed in pages[page], (title, page)
        # The first page after the contents with that heading on it (contents lines repeat it).
        contents = next(i for t, i in outline if t in ("목차",))
        later = [i for i, text in enumerate(pages) if squashed in text and i > contents]
        if page != contents:
            assert page == later[0], (title, page, later)
    if len(pages) > 3:
        assert links, "a long report has a contents page with links"
    listed = [page for _title, page in rest if page != links[0][0]] if links else []
    assert sorted(to for _on, to in links) == sorted(listed)
