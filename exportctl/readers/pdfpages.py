"""One PDF's pages read into table parts, in the reader's worker process.

:mod:`exportctl.readers.pdf` starts a worker (:class:`~exportctl.readers.box.Worker`)
running :func:`serve`, which opens the PDF, finds its pages in the page tree, and
reads the page ranges it is asked for into :class:`Part` s: each table on a page as
the text of its cells, with the lines of text above it. Everything pdfminer decodes
in the worker counts against ``max_inflated_bytes`` and every page's lines against
the table finder's caps (:mod:`exportctl.readers.pdfcaps`); the parent keeps the
time.

Messages, worker to parent: ``("opened", pages, encrypted)`` once, then for each
request ``("page", n)`` as page ``n`` is begun and ``("parts", parts)`` at the end,
or ``("refused", sentence)`` instead of anything more. Parent to worker:
``(strategy, first, last, check_text)``; closing the channel ends the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import DerivedPage, Page
from pdfplumber.pdf import PDF
from pdfplumber.table import Table as PdfTable
from pdfplumber.utils.exceptions import PdfminerException

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.limits import Limits, over, raise_hint
from exportctl.readers.pdfcaps import (
    PAGE_TREE_DEPTH,
    CappedFinder,
    Exhausted,
    TreeTooDeepError,
    inflation_budget,
    page_tree,
)

TEXT_CHECK_PAGES = 5
"""A document without a single character on its first pages is a scan."""

STRATEGIES: dict[str, dict[str, Any]] = {
    "ruled": {"vertical_strategy": "lines", "horizontal_strategy": "lines"},
    "unruled": {"vertical_strategy": "text", "horizontal_strategy": "text"},
}
"""Strategy name -> pdfplumber's table settings (the name crosses to the worker)."""

# Cell boxes meet at shared rules; this much overlap is drawing noise, not a span.
_TOLERANCE = 1.0


@dataclass
class Part:
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


_INFLATED = N_("its streams decode to more than {cap:,} bytes by page {page}")
_INFLATED_OPENING = N_("its streams decode to more than {cap:,} bytes as it is opened")
_BOMB = N_("stopped as a possible decompression bomb")
_MEMORY = N_("page {page} needs more than the {cap:,} bytes of memory a reader may take")
_MEMORY_OPENING = N_("opening it needs more than the {cap:,} bytes of memory a reader may take")
HOSTILE = N_("stopped as possibly hostile")
"""Why a read was stopped at a cap of time or memory (untranslated)."""


def serve(channel: Connection, path: str, limits: Limits) -> None:
    """The worker: open the PDF, then read the page ranges asked for until the channel closes.

    Every refusal is sent as its sentence (see the module's notes for the messages).
    """
    name = Path(path).name
    reached = [0]  # the page being read; 0 while the file is opened

    def begin(number: int) -> None:
        reached[0] = number
        channel.send(("page", number))

    try:
        with inflation_budget(limits.max_inflated_bytes):
            pdf = open_pdf(Path(path), name)
            pages = page_list(pdf, name, limits)
            channel.send(("opened", len(pages), pdf.doc.encryption is not None))
            while True:
                try:
                    strategy, first, last, check_text = channel.recv()
                except EOFError:
                    return
                parts, _seen = read_range(
                    pages, name, strategy, first, last, limits, check_text=check_text, begin=begin
                )
                channel.send(("parts", parts))
    except InputError as exc:
        channel.send(("refused", exc.message))
    except Exhausted:
        what = _(_INFLATED) if reached[0] else _(_INFLATED_OPENING)
        sentence = over(what, 0, "max_inflated_bytes", limits, _BOMB, page=reached[0])
        channel.send(("refused", sentence))
    except MemoryError:
        what = _(_MEMORY) if reached[0] else _(_MEMORY_OPENING)
        sentence = over(what, 0, "max_reader_memory", limits, HOSTILE, page=reached[0])
        channel.send(("refused", sentence))


def open_pdf(path: Path, name: str) -> PDF:
    """The PDF opened with pdfplumber (its pages are not looked at).

    Raises:
        InputError: pdfminer cannot read it (damaged, or needs a password).
    """
    try:
        return pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise refusal(exc, name) from exc


def refusal(exc: BaseException, name: str) -> InputError:
    """The one sentence for a PDF pdfminer could not read.

    Raises:
        MemoryError: What ran out was memory, not the file's soundness (pdfplumber
            wraps pdfminer's errors, this one too).
    """
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, MemoryError):
        raise cause
    if isinstance(cause, PDFPasswordIncorrect):
        return InputError(
            _("is password-protected (encrypted); save a copy without a password"), file=name
        )
    detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return InputError(
        _("cannot be read as PDF: {reason}; it may be damaged").format(reason=detail), file=name
    )


def page_list(pdf: PDF, name: str, limits: Limits) -> list[Page]:
    """The pages of the page tree (never its ``/Count``), refused past ``max_pages``.

    Raises:
        InputError: Too many pages, none, a tree nested too deep, or a damaged page.
    """
    try:
        found = page_tree(pdf.doc, limits.max_pages)
    except TreeTooDeepError:
        raise InputError(
            _(
                "cannot be read as PDF: its page tree is nested more than {depth} levels deep; "
                "it may be damaged"
            ).format(depth=PAGE_TREE_DEPTH),
            file=name,
        ) from None
    except Exception as exc:
        raise refusal(exc, name) from exc
    if not found:
        raise InputError(_("cannot be read as PDF: its page tree has no pages"), file=name)
    if len(found) > limits.max_pages:
        raise InputError(
            _(
                "has more than {cap:,} pages, the most exportctl reads (max_pages); save the "
                "annex's pages as a PDF of their own, or if the file is genuine, {hint}"
            ).format(cap=limits.max_pages, hint=raise_hint("max_pages")),
            file=name,
        )
    pages: list[Page] = []
    top = 0.0
    try:
        for number, (objid, attrs) in enumerate(found, start=1):
            page = Page(pdf, PDFPage(pdf.doc, objid, attrs, None), number, initial_doctop=top)
            top += float(page.height)
            pages.append(page)
    except Exception as exc:
        raise refusal(exc, name) from exc
    return pages


def read_range(
    pages: list[Page],
    name: str,
    strategy: str,
    first: int,
    last: int,
    limits: Limits,
    *,
    check_text: bool,
    begin: Callable[[int], None] = lambda number: None,
) -> tuple[list[Part], bool]:
    """The table parts of pages ``first`` to ``last`` (1-based, inclusive).

    Args:
        begin: Told each page's number as it is begun.

    Returns:
        The parts, and whether any page of the range has text.

    Raises:
        InputError: A page over a cap, or damaged; with ``check_text``, no text
            on the first pages (a scan).
    """
    settings = STRATEGIES[strategy]
    parts: list[Part] = []
    text_seen = False
    try:
        for number in range(first, last + 1):
            begin(number)
            page = pages[number - 1]
            try:
                text_seen = text_seen or bool(page.chars)
                if check_text and not text_seen and number >= TEXT_CHECK_PAGES:
                    break
                parts.extend(_page_parts(page, number, settings, limits))
            finally:
                page.close()
    except InputError:
        raise
    except Exception as exc:  # a damaged content stream or object
        raise refusal(exc, name) from exc
    if check_text and not text_seen:
        raise InputError(
            _(
                "has no text layer (a scanned image?); exportctl does not do OCR: take the "
                "notice's HWPX or a text PDF"
            ),
            file=name,
        )
    return parts, text_seen


def _page_parts(page: Page, number: int, settings: dict[str, Any], limits: Limits) -> list[Part]:
    """The table parts of one page, top to bottom, each with the text above it."""
    page = _upright(page)
    if settings is STRATEGIES["ruled"]:
        settings = {**settings, "explicit_horizontal_lines": _open_edges(page)}
    found = CappedFinder(page, settings, number=number, limits=limits).tables
    found.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    if not found:
        return []
    lines = page.extract_text_lines(return_chars=False)
    parts: list[Part] = []
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
            parts.append(Part(number, rows, covered, [text for text in above if text]))
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
