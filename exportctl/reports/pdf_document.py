"""What every PDF report shares: the embedded Hangul fonts, styles, tables and the A4 page.

Korean text is set in an embedded Hangul font (``fonts/ExportctlGothic-*.ttf``, a
subset of NanumGothic under the SIL Open Font License; see ``fonts/README.md``).
reportlab's built-in CID fonts are never embedded and show nothing on a machine
without Korean fonts, so they are not used.

* :func:`register_hangul_font` registers the fonts once and returns their names;
* :func:`build_document` lays out a story on A4 (portrait pages, and landscape
  pages for wide tables: :data:`PORTRAIT`, :data:`LANDSCAPE`) with the standard
  footer (title, local generation time with its zone, "page N of M" in the
  report's language), the document's metadata, every font embedded (the canvas
  starts in the Hangul font, so no base-14 Helvetica is ever referenced), and the
  bookmarks (PDF outline) and contents page of :class:`Outline`.

reportlab is imported inside the functions, so importing this module is cheap.

Example:
    >>> regular, bold = register_hangul_font()
    >>> styles = report_styles()
    >>> build_document(Path("out.pdf"), [para("기타 <b>", styles["body"])], title="Test")
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import unicodedata
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape as _xml_escape

FONT_REGULAR = "ExportctlGothic"
"""Registered name of the regular Hangul font."""
FONT_BOLD = "ExportctlGothic-Bold"
"""Registered name of the bold Hangul font."""

_FONT_FILES = {
    FONT_REGULAR: "ExportctlGothic-Regular.ttf",
    FONT_BOLD: "ExportctlGothic-Bold.ttf",
}
_lock = threading.Lock()
_covered: dict[str, frozenset[int]] = {}
# Characters NanumGothic lacks and that have no compatibility form it has.
_FALLBACK = {"\u2212": "-"}


ROWS_PER_TABLE = 250
"""Long tables are cut into tables of this many rows (each with its header), which
keeps reportlab's page splitting fast on reports of thousands of changes."""


def register_hangul_font() -> tuple[str, str]:
    """Register the embedded Hangul fonts with reportlab (once per process).

    Also registers them as a family, so ``<b>`` in a :class:`Paragraph` set in the
    regular font switches to the bold one.

    Returns:
        The registered names of the regular and the bold font, for ``fontName``.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file in _FONT_FILES.items():
            if name in registered:
                continue
            data = resources.files("exportctl.reports").joinpath("fonts", file).read_bytes()
            font = TTFont(name, io.BytesIO(data))
            pdfmetrics.registerFont(font)
            _covered[name] = frozenset(font.face.charToGlyph)
        if FONT_REGULAR not in registered:
            addMapping(FONT_REGULAR, 0, 0, FONT_REGULAR)
            addMapping(FONT_REGULAR, 1, 0, FONT_BOLD)
            addMapping(FONT_REGULAR, 0, 1, FONT_REGULAR)
            addMapping(FONT_REGULAR, 1, 1, FONT_BOLD)
    return FONT_REGULAR, FONT_BOLD


def _printable(text: str) -> str:
    """Replace characters the font lacks by their compatibility form where it has that.

    Half-width corner brackets ``｢｣`` (common in Korean legal text) become ``「」``.
    Other missing characters are kept: their text still extracts.
    """
    covered = _covered.get(FONT_REGULAR)
    if not covered:
        return text
    if covered.issuperset(map(ord, text)):
        return text
    out: list[str] = []
    for ch in text:
        if ord(ch) in covered:
            out.append(ch)
            continue
        folded = _FALLBACK.get(ch) or unicodedata.normalize("NFKC", ch)
        out.append(folded if all(ord(c) in covered for c in folded) else ch)
    return "".join(out)


def escape(text: Any) -> str:
    """Text made safe for reportlab ``Paragraph`` markup: ``<``, ``>``, ``&`` escaped,
    line breaks kept, characters the font lacks replaced where possible; ``None`` → ``""``.
    """
    if text is None:
        return ""
    return _xml_escape(_printable(str(text))).replace("\n", "<br/>")


PORTRAIT = "portrait"
"""Page template of A4 portrait pages (the default)."""
LANDSCAPE = "landscape"
"""Page template of A4 landscape pages, for tables with old and new columns."""
MARGIN_MM = 15
"""Left, right and top margin."""


def frame_width(template: str = PORTRAIT) -> float:
    """Width in points of the text frame of ``template``'s pages."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm

    size = landscape(A4) if template == LANDSCAPE else A4
    return float(size[0]) - 2.0 * MARGIN_MM * float(mm)


def report_styles() -> dict[str, Any]:
    """Paragraph styles in the Hangul font: ``title``, ``subtitle``, ``h2``, ``h3``,
    ``body``, ``statement`` (body after a table), ``notice`` (a boxed statement),
    ``small``, ``cell``, ``cell_bold``, ``cell_right`` (CJK word wrap so long Korean
    text breaks).
    """
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm

    regular, bold = register_hangul_font()
    common: dict[str, Any] = {"fontName": regular, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle(
            "title", fontName=bold, fontSize=16, leading=21, spaceAfter=2 * mm, wordWrap="CJK"
        ),
        "subtitle": ParagraphStyle("subtitle", fontSize=10, leading=14, **common),
        "h2": ParagraphStyle(
            "h2",
            fontName=bold,
            fontSize=12,
            leading=16,
            spaceBefore=4 * mm,
            spaceAfter=2 * mm,
            wordWrap="CJK",
        ),
        "h3": ParagraphStyle(
            "h3",
            fontName=bold,
            fontSize=9.5,
            leading=13,
            spaceBefore=2 * mm,
            spaceAfter=1 * mm,
            wordWrap="CJK",
        ),
        "body": ParagraphStyle("body", fontSize=9, leading=12.5, **common),
        "statement": ParagraphStyle(
            "statement", fontSize=9, leading=12.5, spaceBefore=3 * mm, **common
        ),
        "notice": ParagraphStyle(
            "notice",
            fontName=bold,
            fontSize=9,
            leading=12.5,
            wordWrap="CJK",
            borderColor=colors.HexColor("#C62828"),
            borderWidth=0.8,
            borderPadding=2 * mm,
            backColor=colors.HexColor("#FDECEA"),
            spaceBefore=3 * mm,
            spaceAfter=3 * mm,
        ),
        "small": ParagraphStyle("small", fontSize=7, leading=9, **common),
        "cell": ParagraphStyle("cell", fontSize=7.5, leading=9.5, **common),
        "cell_bold": ParagraphStyle(
            "cell_bold", fontName=bold, fontSize=7.5, leading=9.5, wordWrap="CJK"
        ),
        "cell_right": ParagraphStyle(
            "cell_right", fontSize=7.5, leading=9.5, alignment=TA_RIGHT, **common
        ),
    }


def para(text: Any, style: Any) -> Any:
    """A ``Paragraph`` of plain text (escaped here; never pass markup)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    styles: dict[str, Any] | None = None,
    row_colours: Sequence[str | None] | None = None,
    right: Sequence[int] = (),
) -> list[Any]:
    """Tables of plain-text cells with a repeated, shaded header row.

    Cells that are strings or numbers are wrapped in escaped paragraphs; other
    flowables are used as they are. Rows beyond :data:`ROWS_PER_TABLE` go into
    further tables, each starting with the header.

    Args:
        header: Column headers (an empty header list leaves the header row out).
        rows: The cells.
        col_widths: Column widths in points.
        styles: From :func:`report_styles`.
        row_colours: A background colour (``#RRGGBB``) or ``None`` per row; rows
            without one alternate white and light grey.
        right: Indexes of columns set flush right (numbers).

    Returns:
        The tables, to extend a story with.
    """
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Table, TableStyle

    styles = styles or report_styles()
    head = [para(h, styles["cell_bold"]) for h in header]
    first = 1 if head else 0
    regular, _bold = register_hangul_font()
    base = [
        # Tables set their cells' font even for paragraphs: Helvetica unless told.
        ("FONT", (0, 0), (-1, -1), regular, 7.5),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9AA5B1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if head:
        base.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")))
    if row_colours is None:
        base.append(
            ("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.white, colors.HexColor("#F5F7FA")])
        )
    right_set = set(right)
    for column in right_set:
        base.append(("ALIGN", (column, first), (column, -1), "RIGHT"))
    cell, cell_right = styles["cell"], styles["cell_right"]
    font, size = cell.fontName, cell.fontSize
    base.append(("LEADING", (0, 0), (-1, -1), cell.leading))
    # Room for text in each column once padding is taken off.
    room = [w - 6.5 for w in col_widths]

    def make(value: Any, column: int) -> Any:
        if hasattr(value, "wrapOn"):
            return value
        text = _printable("" if value is None else str(value))
        # Text that fits on one line is drawn as it is: a paragraph per cell costs a
        # millisecond to lay out, and a large report has tens of thousands of cells.
        if "\n" not in text and stringWidth(text, font, size) <= room[column]:
            return text
        return para(text, cell_right if column in right_set else cell)

    cells = [[make(c, i) for i, c in enumerate(row)] for row in rows]
    tables: list[Any] = []
    for start in range(0, max(len(cells), 1), ROWS_PER_TABLE):
        chunk = cells[start : start + ROWS_PER_TABLE]
        commands = list(base)
        if row_colours is not None:
            for offset, colour in enumerate(row_colours[start : start + ROWS_PER_TABLE]):
                if colour:
                    line = offset + first
                    commands.append(("BACKGROUND", (0, line), (-1, line), colors.HexColor(colour)))
        data = [head, *chunk] if head else chunk
        if not data:
            continue
        table = Table(data, colWidths=list(col_widths), repeatRows=first, hAlign="LEFT")
        table.setStyle(TableStyle(commands))
        tables.append(table)
    return tables


def label_table(
    rows: Sequence[tuple[str, Any]],
    width: float,
    *,
    styles: dict[str, Any],
    label_share: float = 0.3,
) -> list[Any]:
    """A two-column table of labels (bold) and values, without a header row."""
    bold = styles["cell_bold"]
    cells = [[para(label, bold), value] for label, value in rows]
    return data_table([], cells, [width * label_share, width * (1 - label_share)], styles=styles)


# --------------------------------------------------------------------------- outline


class Outline:
    """Bookmarks (the PDF outline) and, when wanted, a contents page listing them.

    :meth:`heading` gives a heading paragraph that, where it lands, sets a bookmark
    at its level; :meth:`contents` gives the contents lines for every heading made,
    whose page numbers are filled in when the document is saved (one pass: no
    second layout run as with reportlab's ``TableOfContents``).
    """

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, int]] = []
        self.pages: dict[str, int] = {}
        """Bookmark key → page number, filled while the document is laid out."""
        self.pending: dict[int, list[tuple[float, float, str]]] = {}
        """Page number → contents lines (right x, baseline y, key) still to number."""
        self.spots: dict[int, list[tuple[str, float, float]]] = {}
        """Page number → bookmarks (key, left x, top y) to set when that page is written."""

    def heading(self, text: str, style: Any, *, level: int = 0, outline: str | None = None) -> Any:
        """A heading paragraph that bookmarks itself (``outline`` is the bookmark title,
        the heading's text when None)."""
        from reportlab.platypus import Paragraph

        key = f"h{len(self.entries)}"
        title = outline if outline is not None else text
        self.entries.append((_printable(title), key, level))
        pages, spots = self.pages, self.spots

        class Heading(Paragraph):  # type: ignore[misc]
            def draw(self) -> None:
                canvas = self.canv
                # The destination is set when the page is written (NumberedCanvas.save):
                # pages are held back until the end for "page N of M", and a bookmark
                # set now would point at the page object the document has open, page 1.
                page = canvas.getPageNumber()
                left, top = canvas.absolutePosition(0, self.height)
                spots.setdefault(page, []).append((key, left, top))
                canvas.addOutlineEntry(_printable(title), key, level=level, closed=level > 0)
                pages[key] = page
                super().draw()

        return Heading(escape(text), style)

    def contents(self, heading: str, styles: dict[str, Any]) -> list[Any]:
        """The contents page: ``heading`` and one line per heading made so far but
        the first (the title of page 1); make every other heading first."""
        from reportlab.lib.units import mm
        from reportlab.platypus import Flowable

        regular, _bold = register_hangul_font()
        outline = self
        listed = self.entries[1:]
        story: list[Any] = [outline.heading(heading, styles["h2"])]

        class Line(Flowable):  # type: ignore[misc]
            def __init__(self, title: str, key: str, level: int) -> None:
                super().__init__()
                self.title, self.key, self.level = title, key, level

            def wrap(self, available_width: float, _height: float) -> tuple[float, float]:
                self.width = available_width
                return available_width, 5 * mm

            def draw(self) -> None:
                canvas = self.canv
                size = 9 if self.level == 0 else 8
                canvas.setFont(regular, size)
                x = 4 * mm * self.level
                y = 1.5 * mm
                canvas.drawString(x, y, self.title)
                end = x + canvas.stringWidth(self.title, regular, size) + 2 * mm
                canvas.setStrokeColorRGB(0.7, 0.7, 0.7)
                canvas.setDash(0.5, 2)
                canvas.line(end, y, self.width - 12 * mm, y)
                canvas.setDash()
                right, base = canvas.absolutePosition(self.width, y)
                left, top = canvas.absolutePosition(x, y + size)
                canvas.linkRect("", self.key, (left, base - 1, right, top), relative=0)
                page = canvas.getPageNumber()
                outline.pending.setdefault(page, []).append((right, base, self.key))

        for title, key, level in listed:
            story.append(Line(title, key, level))
        return story


# --------------------------------------------------------------------------- document


def build_document(
    target: Path | IO[bytes],
    story: list[Any],
    *,
    title: str,
    footer_lines: Sequence[str] = (),
    generated_at: dt.datetime | None = None,
    footer: Callable[[int, int], tuple[str, str]] | None = None,
    author: str = "exportctl",
    subject: str | None = None,
    keywords: str = "",
    creator: str = "exportctl",
    outline: Outline | None = None,
) -> None:
    """Lay ``story`` out on A4 with the standard exportctl footer.

    Pages are portrait unless the story switches to :data:`LANDSCAPE` (with
    ``NextPageTemplate(LANDSCAPE)`` and a page break). The footer of every page
    shows ``footer_lines`` (e.g. source files and their SHA-256), then the left
    and right texts ``footer(page, total)`` gives (by default the title with the
    generation time, and "page N of M").

    Args:
        target: A path or a binary stream.
        story: reportlab flowables.
        title: Document title (PDF metadata).
        footer_lines: Extra small lines at the foot of every page.
        generated_at: Time of the default footer (now, UTC, when not given).
        footer: ``(page, total) -> (left, right)`` texts of the last footer line.
        author: PDF metadata: who made it.
        subject: PDF metadata (the title when None).
        keywords: PDF metadata.
        creator: PDF metadata: the program (``exportctl 1.2.0``).
        outline: The bookmarks and contents lines the story's headings made.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    regular, _bold = register_hangul_font()
    if footer is None:
        when = (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        stamp = when.strftime("%Y-%m-%d %H:%M UTC")
        plain_title = _printable(title)

        def footer(page: int, total: int) -> tuple[str, str]:
            return f"exportctl · {plain_title} · generated {stamp}", f"page {page} of {total}"

    lines = [_printable(line) for line in footer_lines]
    bottom = (12 + 3.2 * len(lines)) * mm
    margin = MARGIN_MM * mm
    make_footer = footer
    pending = outline.pending if outline is not None else {}
    pages_of = outline.pages if outline is not None else {}
    spots = outline.spots if outline is not None else {}

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Keeps every page until the end so the footer can say "page N of M"
        and the contents page can give each heading's page."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = regular
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                for key, left, top in spots.get(self._pageNumber, ()):
                    self.bookmarkPage(key, fit="XYZ", left=left, top=top)
                self._numbers()
                self._footer(total)
                super().showPage()
            if outline is not None:
                self.showOutline()
            super().save()

        def _numbers(self) -> None:
            lines = pending.get(self._pageNumber)
            if not lines:
                return
            self.saveState()
            self.setFont(regular, 9)
            for right, base, key in lines:
                self.drawRightString(right, base, str(pages_of.get(key, "")))
            self.restoreState()

        def _footer(self, total: int) -> None:
            width = float(self._pagesize[0])
            self.saveState()
            self.setStrokeColorRGB(0.6, 0.6, 0.6)
            self.setLineWidth(0.3)
            self.line(margin, bottom - 2 * mm, width - margin, bottom - 2 * mm)
            size = 6.5
            self.setFont(regular, size)
            self.setFillColorRGB(0.3, 0.3, 0.3)
            y = bottom - 5.5 * mm
            for line in lines:
                self.drawString(margin, y, _fit(line, width - 2 * margin, regular, size))
                y -= 3.2 * mm
            left, right = make_footer(self._pageNumber, total)
            right_width = self.stringWidth(right, regular, size)
            room = width - 2 * margin - right_width - 4 * mm
            self.drawString(margin, y, _fit(_printable(left), room, regular, size))
            self.drawRightString(width - margin, y, right)
            self.restoreState()

    doc = BaseDocTemplate(
        target if not isinstance(target, Path) else str(target),
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=bottom + 2 * mm,
        title=_printable(title),
        author=author,
        subject=subject if subject is not None else _printable(title),
        keywords=keywords,
        creator=creator,
        initialFontName=regular,
    )
    templates = []
    for name, size in ((PORTRAIT, A4), (LANDSCAPE, landscape(A4))):
        frame = Frame(
            margin,
            bottom + 2 * mm,
            size[0] - 2 * margin,
            size[1] - margin - bottom - 2 * mm,
            id=name,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size))
    doc.addPageTemplates(templates)
    from reportlab import rl_config

    # Streams are compressed either way; their ASCII85 armour (pure Python here) took a
    # fifth of the time of a large report and makes the file a quarter larger.
    armour = rl_config.useA85
    rl_config.useA85 = 0
    try:
        doc.build(story, canvasmaker=NumberedCanvas)
    finally:
        rl_config.useA85 = armour


def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` shortened with "…" to fit ``width`` (footer lines only; tables wrap)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# --------------------------------------------------------------------------- evidence
