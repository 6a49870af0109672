"""PDF attachments of the notice: the annex's ruled tables read with pdfplumber.

Korea publishes Annex 2-2 as HWP and PDF, never as a spreadsheet, so the table is
read from the PDF itself. The whole document is read once when it is opened, one
page at a time (each page's objects are released before the next is parsed), and
only the cells' text is kept: a few hundred kilobytes for the full annex, so every
table can be handed out again as the header search asks for it.

What is read:

* Tables are pdfplumber's ruled tables (``lines`` strategies). Only when no page
  of the document has a ruled table are pages read with the ``text`` strategies
  (columns from aligned words): a page of prose would otherwise become a phantom
  table that splits the annex and renumbers ``--table``. A box around text
  (one cell) is no table to pdfplumber either.
* A table continues onto the next page when that page's first table has as many
  columns and no annex title (``[별표 …]``) stands above it. The header printed
  again on each page is dropped there (the rows matching the table's first rows).
* The lines of text above a table on the page where it starts (the notice and
  amendment lines) come first, as one-cell rows, so they become the table's title
  lines; at most :data:`TITLE_LINES`, the nearest, are kept.
* Line breaks in a cell become spaces. A cell merged across columns gives its text
  in its first column; a cell merged down over rows gives it in its first row and
  the rows below are marked as covered there (:attr:`RawRow.covered`).
* A row cut by a page break: when a page's part of a table starts with a row whose
  leading cells are empty, whose text is not a sub-item (``a.``) and the part on
  the page before ended with a row of text, the row continues that entry; its
  empty leading columns are marked covered and a note says so (:attr:`PdfBook.notes`).
* A page whose text runs sideways (a wide table turned a quarter on portrait paper,
  without ``/Rotate`` to turn it back) is turned upright before its tables are
  found, so its rows are the table's rows and not its columns.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.page import DerivedPage, Page
from pdfplumber.pdf import PDF
from pdfplumber.table import Table as PdfTable
from pdfplumber.utils.exceptions import PdfminerException

from exportctl.annex import split_label
from exportctl.errors import InputError, location
from exportctl.i18n import _, ngettext
from exportctl.limits import DEFAULTS, Limits, raise_hint
from exportctl.readers.documents import table_name
from exportctl.readers.guard import Checked
from exportctl.readers.rows import Note, RawRow

MAX_PAGES = DEFAULTS.max_pages
"""Documents with more pages are refused (the full annex has about 40); the
``max_pages`` limit, when set, takes its place."""

TEXT_CHECK_PAGES = 5
"""A document without a single character on its first pages is a scan."""

TITLE_LINES = 12
"""Lines of text above a table kept as its title lines (the header must stay
within the header search rows)."""

HEADER_REPEAT_ROWS = 4
"""At most this many rows at the top of a page's part of a table are compared with
the table's first rows to drop a header printed again."""

_RULED: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_UNRULED: dict[str, Any] = {"vertical_strategy": "text", "horizontal_strategy": "text"}
_ANNEX_TITLE = re.compile(r"^\s*[\[【〔(<［]?\s*별\s*표")
# Cell boxes meet at shared rules; this much overlap is drawing noise, not a span.
_TOLERANCE = 1.0


@dataclass
class _Part:
    """A table's part on one page, as text.

    Attributes:
        page: 1-based page number.
        rows: Cell texts by row and column (``None`` when blank or merged away).
        covered: Per row, the columns covered by a cell merged down from above.
        above: Lines of text between the previous table on the page (or its top)
            and this one.
    """

    page: int
    rows: list[list[str | None]]
    covered: list[frozenset[int]]
    above: list[str]

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass
class _Table:
    """A table as printed, over one or more pages."""

    number: int
    parts: list[_Part] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)


class PdfBook:
    """A PDF read as a book whose sheets are its tables (``table 1``, ``table 2``…).

    Attributes:
        engine: ``"pdfplumber"``.
        sheet_names: The tables in reading order.
        notes: Plain sentences about what the reader did beyond reading cells
            (rows joined across a page break, headers dropped, encryption).
        pages: The number of pages read.
    """

    engine = "pdfplumber"

    def __init__(self, tables: Sequence[_Table], notes: list[Note], pages: int) -> None:
        self._rows = {table_name(table.number): table.rows for table in tables}
        self.sheet_names = list(self._rows)
        self.notes = notes
        self.pages = pages

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """The rows of a table: its title lines, then every row on every page."""
        return iter(self._rows[sheet])

    def height(self, sheet: str) -> int:
        """The number of rows ``rows`` yields for a table."""
        return len(self._rows[sheet])

    def close(self) -> None:
        """Nothing to release: the file was closed once read."""


def open_book(checked: Checked) -> PdfBook:
    """Read a PDF's tables.

    Args:
        checked: A file that passed ``guard.check_file`` as a PDF.

    Raises:
        InputError: The PDF needs a password, has no text layer, is damaged, has
            more than :data:`MAX_PAGES` pages, or holds no table.
    """
    name = checked.path.name
    notes: list[Note] = []
    pdf = _open(checked.path, name)
    try:
        pages = _page_count(pdf, name, checked.limits)
        if pdf.doc.encryption is not None:
            notes.append(
                Note(
                    "pdf-restricted",
                    _(
                        "encrypted without an open password (copying or printing may be "
                        "restricted); its text was read"
                    ),
                )
            )
        parts = _read_pages(pdf, name, "ruled", checked.path)
        if not parts:
            parts = _read_pages(pdf, name, "unruled", checked.path)
    finally:
        _close(pdf)
    if not parts:
        raise InputError(
            ngettext(
                "has no table on its {pages} page (no ruled table and no text set in columns)",
                "has no table on its {pages} pages (no ruled table and no text set in columns)",
                pages,
            ).format(pages=pages),
            file=name,
        )
    repeats: list[int] = []
    tables = _join(parts, notes, repeats)
    if repeats:
        shown = ", ".join(map(str, repeats[:10])) + (", ..." if len(repeats) > 10 else "")
        notes.append(
            Note(
                "repeated-header",
                ngettext(
                    "the header printed again on {count} page was skipped (pages {pages})",
                    "the header printed again on {count} pages was skipped (pages {pages})",
                    len(repeats),
                ).format(count=len(repeats), pages=shown),
            )
        )
    return PdfBook(tables, notes, pages)


def _open(path: Path, name: str) -> PDF:
    try:
        return pdfplumber.open(path)
    except PdfminerException as exc:
        raise _refusal(exc, name) from exc
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise _refusal(exc, name) from exc


def _refusal(exc: BaseException, name: str) -> InputError:
    """The one sentence for a PDF pdfminer could not read."""
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, PDFPasswordIncorrect):
        return InputError(
            _("is password-protected (encrypted); save a copy without a password"), file=name
        )
    detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return InputError(
        _("cannot be read as PDF: {reason}; it may be damaged").format(reason=detail), file=name
    )


def _close(pdf: PDF) -> None:
    # PDF.close() builds the page list first, which a damaged page tree cannot.
    try:
        pdf.close()
    except Exception:
        pdf.stream.close()


def _page_count(pdf: PDF, name: str, limits: Limits) -> int:
    """The number of pages, from the page tree's count before any page is built."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception as exc:
        raise _refusal(exc, name) from exc
    if not isinstance(count, int) or count < 1:
        raise InputError(_("cannot be read as PDF: its page tree has no pages"), file=name)
    cap = limits.max_pages if limits.max_pages != DEFAULTS.max_pages else MAX_PAGES
    if count > cap:
        raise InputError(
            _(
                "has {count:,} pages, more than the {cap:,} exportctl reads (max_pages); save the "
                "annex's pages as a PDF of their own, or if the file is genuine, {hint}"
            ).format(count=count, cap=cap, hint=raise_hint("max_pages")),
            file=name,
        )
    return count


PARALLEL_MIN_PAGES = 12
"""From this many pages on, the second half of the pages is read in a second process."""

_STRATEGIES: dict[str, dict[str, Any]] = {"ruled": _RULED, "unruled": _UNRULED}
"""Strategy name -> table settings (a name crosses to another process)."""


def _read_pages(pdf: PDF, name: str, strategy: str, path: Path) -> list[_Part]:
    """Every table part on every page, in reading order.

    Parsing a page's content is most of the time a PDF costs. On a machine with
    more than one core, a document of :data:`PARALLEL_MIN_PAGES` pages or more
    has its second half read by a forked process while this one reads the first
    half (forked only when this process runs no other thread, so nothing is
    copied mid-work).
    """
    total = len(pdf.pages)
    context = _fork_context() if total >= PARALLEL_MIN_PAGES else None
    if context is None:
        parts, _seen = _read_range(pdf, name, strategy, 1, total, check_text=True)
        return parts
    split = (total + 1) // 2
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        later = pool.submit(_read_range_apart, str(path), name, strategy, split + 1, total)
        parts, _seen = _read_range(pdf, name, strategy, 1, split, check_text=True)
        outcome = later.result()
    if isinstance(outcome, str):
        raise InputError(outcome, file=name)
    return parts + outcome


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """A fork context when forking is available and safe here, else ``None``."""
    if (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def _read_range_apart(
    path: str, name: str, strategy: str, first: int, last: int
) -> list[_Part] | str:
    """:func:`_read_range` in another process; an error comes back as its sentence."""
    try:
        pdf = _open(Path(path), name)
        try:
            parts, _seen = _read_range(pdf, name, strategy, first, last, check_text=False)
        finally:
            _close(pdf)
    except InputError as exc:
        return exc.message
    return parts


def _read_range(
    pdf: PDF, name: str, strategy: str, first: int, last: int, *, check_text: bool
) -> tuple[list[_Part], bool]:
    """The table parts of pages ``first`` to ``last`` (1-based, inclusive)."""
    settings = _STRATEGIES[strategy]
    parts: list[_Part] = []
    text_seen = False
    try:
        pages = pdf.pages
        for number in range(first, last + 1):
            page = pages[number - 1]
            try:
                text_seen = text_seen or bool(page.chars)
                if check_text and not text_seen and number >= TEXT_CHECK_PAGES:
                    break
                parts.extend(_page_parts(page, number, settings))
            finally:
                page.close()
    except InputError:
        raise
    except Exception as exc:  # a damaged content stream or object
        raise _refusal(exc, name) from exc
    if check_text and not text_seen:
        raise InputError(
            _(
                "has no text layer (a scanned image?); exportctl does not do OCR: take the "
                "notice's HWPX or a text PDF"
            ),
            file=name,
        )
    return parts, text_seen


def _page_parts(page: Page, number: int, settings: dict[str, Any]) -> list[_Part]:
    """The table parts of one page, top to bottom, each with the text above it."""
    page = _upright(page)
    if settings is _RULED:
        settings = {**settings, "explicit_horizontal_lines": _open_edges(page)}
    found = page.find_tables(settings)
    found.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    if not found:
        return []
    lines = page.extract_text_lines(return_chars=False)
    parts: list[_Part] = []
    floor = float("-inf")
    for table in found:
        top = table.bbox[1]
        above = [
            " ".join(str(line["text"]).split())
            for line in lines
            if line["top"] >= floor - _TOLERANCE and line["bottom"] <= top + _TOLERANCE
        ]
        rows, covered = _cells(table)
        if rows:
            parts.append(_Part(number, rows, covered, [text for text in above if text]))
        floor = table.bbox[3]
    return parts


def _upright(page: Page) -> Page:
    """The page turned so that most of its text reads left to right.

    pdfminer applies ``/Rotate``, so text is sideways here only when it is drawn so
    on the page as displayed: a landscape table set on portrait paper. Found as is,
    its rules would give the table's columns as rows.
    """
    chars = page.chars
    # A text matrix (a, b, c, d, e, f) draws along (a, b): a quarter turn when a is
    # about 0 (a slanted watermark is not one), running down the page when b < 0.
    sideways = [char for char in chars if abs(char["matrix"][0]) * 10 < abs(char["matrix"][1])]
    if not chars or len(sideways) * 2 <= len(chars):
        return page
    down = sum(1 for char in sideways if char["matrix"][1] < 0)
    return _TurnedPage(page, down * 2 > len(sideways))


class _TurnedPage(DerivedPage):
    """A page turned a quarter: counterclockwise when its text runs down, else clockwise."""

    def __init__(self, parent: Page, down: bool) -> None:
        super().__init__(parent)
        x0, top, x1, bottom = parent.bbox
        self.bbox = (0, 0, bottom - top, x1 - x0)

        def point(x: float, y: float) -> tuple[float, float]:
            return (y - top, x1 - x) if down else (bottom - y, x - x0)

        turned: dict[str, list[dict[str, Any]]] = {}
        for kind, objects in parent.objects.items():
            turned[kind] = [self._turn(obj, point) for obj in objects]
        self._objects = turned

    def _turn(
        self, obj: dict[str, Any], point: Callable[[float, float], tuple[float, float]]
    ) -> dict[str, Any]:
        corners = [point(obj["x0"], obj["top"]), point(obj["x1"], obj["bottom"])]
        left, right = sorted(x for x, _ in corners)
        high, low = sorted(y for _, y in corners)
        turned = dict(obj)
        turned.update(
            x0=left,
            x1=right,
            top=high,
            bottom=low,
            width=right - left,
            height=low - high,
            y0=self.height - low,
            y1=self.height - high,
            doctop=self.initial_doctop + high,
        )
        if "pts" in obj:
            turned["pts"] = [point(x, y) for x, y in obj["pts"]]
        if "upright" in obj:
            turned["upright"] = not obj["upright"]
        return turned


def _open_edges(page: Page) -> list[dict[str, Any]]:
    """Rules closing a table left open at the foot or head of the page.

    Some producers leave out the rule where a page break cuts a row, so the cut
    row's cells are open and would be lost. A rule is drawn across the vertical
    rules where the highest of them starts and the lowest ends: where the table
    already has one, the two merge.
    """
    verticals = [edge for edge in page.vertical_edges if edge["height"] >= _TOLERANCE]
    if len(verticals) < 2:
        return []
    left = min(float(edge["x0"]) for edge in verticals)
    right = max(float(edge["x1"]) for edge in verticals)
    ys = (
        min(float(edge["top"]) for edge in verticals),
        max(float(edge["bottom"]) for edge in verticals),
    )
    return [
        {
            "object_type": "line",
            "x0": left,
            "x1": right,
            "top": y,
            "bottom": y,
            "width": right - left,
            "height": 0.0,
        }
        for y in ys
    ]


def _cells(table: PdfTable) -> tuple[list[list[str | None]], list[frozenset[int]]]:
    """A table's cell texts, and per row the columns a cell merged down covers.

    pdfplumber gives ``None`` for every grid position no cell starts at: either a
    cell to its left spans it (merged across: blank) or one above does (merged
    down: covered).
    """
    boxes = [row.cells for row in table.rows]
    texts = table.extract()
    if not boxes:
        return [], []
    width = len(boxes[0])
    starts = [
        min((box[0] for cells in boxes if (box := cells[j]) is not None), default=float("inf"))
        for j in range(width)
    ]
    rows: list[list[str | None]] = []
    covered: list[frozenset[int]] = []
    for index, (cells, values) in enumerate(zip(boxes, texts, strict=True)):
        row: list[str | None] = []
        under: set[int] = set()
        reach = float("-inf")  # right edge of the last cell started in this row
        for j, box in enumerate(cells):
            if box is not None:
                reach = box[2]
                row.append(_text(values[j]))
                continue
            row.append(None)
            if index and reach <= starts[j] + _TOLERANCE:
                under.add(j)
        rows.append(row)
        covered.append(frozenset(under))
    return rows, covered


def _text(value: str | None) -> str | None:
    """A cell's text with its line breaks made spaces; ``None`` when blank."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def _join(parts: list[_Part], notes: list[Note], repeats: list[int]) -> list[_Table]:
    """Join table parts on consecutive pages into the tables they print."""
    tables: list[_Table] = []
    previous: _Part | None = None
    for part in parts:
        current = tables[-1] if tables else None
        if current is not None and previous is not None and _continues(previous, part):
            _append(current, part, previous, notes, repeats)
        else:
            current = _Table(len(tables) + 1)
            tables.append(current)
            _start(current, part)
        current.parts.append(part)
        previous = part
    for table in tables:
        # The parts' text is now in the rows; only the first part's header is needed.
        table.parts.clear()
    return tables


def _continues(previous: _Part, part: _Part) -> bool:
    """Whether ``part`` goes on with the table ``previous`` belongs to.

    ``previous`` is the part read just before: when it is on the page before,
    it is that page's last table and ``part`` is its page's first.
    """
    return (
        part.page == previous.page + 1
        and part.width == previous.width
        and not any(_ANNEX_TITLE.match(line) for line in part.above)
    )


def _start(table: _Table, part: _Part) -> None:
    """Open a table with the title lines above it and its first part's rows."""
    label = location(None, table_name(table.number))
    above = _("page {page}, above {table}")
    for text in part.above[-TITLE_LINES:]:
        table.rows.append(
            RawRow(len(table.rows) + 1, [text], place=above.format(page=part.page, table=label))
        )
    _add_rows(table, part, skip=0)


def _append(
    table: _Table, part: _Part, previous: _Part, notes: list[Note], repeats: list[int]
) -> None:
    """Add a part on a later page: drop its repeated header, join a row cut in two."""
    first = table.parts[0]
    skip = 0
    while (
        skip < min(HEADER_REPEAT_ROWS, len(part.rows) - 1, len(first.rows))
        and part.rows[skip] == first.rows[skip]
        and any(text is not None for text in part.rows[skip])
    ):
        skip += 1
    if skip:
        repeats.append(part.page)
    lead = part.rows[skip] if skip < len(part.rows) else []
    cut = _cut_row(lead, previous)
    if cut:
        # Validation joins the row to its entry and says so (rule continued-row).
        part.covered[skip] = part.covered[skip] | cut
    _add_rows(table, part, skip)


def _cut_row(lead: Sequence[str | None], previous: _Part) -> frozenset[int]:
    """The empty leading columns of a row cut by the page break, else none."""
    first = next((j for j, text in enumerate(lead) if text is not None), None)
    if not first or not previous.rows:
        return frozenset()
    if all(text is None for text in previous.rows[-1]):
        return frozenset()
    if split_label(lead[first]) is not None:
        return frozenset()
    return frozenset(range(first))


def _add_rows(table: _Table, part: _Part, skip: int) -> None:
    label = location(None, table_name(table.number))
    where = _("page {page}, {table}, row {row}")
    for index in range(skip, len(part.rows)):
        table.rows.append(
            RawRow(
                len(table.rows) + 1,
                part.rows[index],
                place=where.format(page=part.page, table=label, row=index + 1),
                covered=part.covered[index],
            )
        )
