"""What every PDF report shares: the embedded Hangul fonts, styles, tables and the A4 page.

Korean text is set in an embedded Hangul font (``fonts/ExportctlGothic-*.ttf``, a
subset of NanumGothic under the SIL Open Font License; see ``fonts/README.md``).
reportlab's built-in CID fonts are never embedded and show nothing on a machine
without Korean fonts, so they are not used.

* :func:`register_hangul_font` registers the fonts once and returns their names;
* :func:`build_document` lays out a story on A4 with the standard footer
  (title, generation time, sources with SHA-256, "page N of M").

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
from collections.abc import Sequence
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
    if all(ord(ch) in covered for ch in text):
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


def report_styles() -> dict[str, Any]:
    """Paragraph styles in the Hangul font: ``title``, ``subtitle``, ``h2``, ``body``,
    ``small``, ``cell``, ``cell_bold`` (CJK word wrap so long Korean text breaks).
    """
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
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
            wordWrap="CJK",
        ),
        "body": ParagraphStyle("body", fontSize=9, leading=12.5, **common),
        "small": ParagraphStyle("small", fontSize=7, leading=9, **common),
        "cell": ParagraphStyle("cell", fontSize=7.5, leading=9.5, **common),
        "cell_bold": ParagraphStyle(
            "cell_bold", fontName=bold, fontSize=7.5, leading=9.5, wordWrap="CJK"
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
) -> list[Any]:
    """Tables of plain-text cells with a repeated, shaded header row.

    Cells that are strings or numbers are wrapped in escaped paragraphs; other
    flowables are used as they are. Rows beyond :data:`ROWS_PER_TABLE` go into
    further tables, each starting with the header.

    Returns:
        The tables, to extend a story with.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    styles = styles or report_styles()
    head = [para(h, styles["cell_bold"]) for h in header]
    style = TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9AA5B1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F5F7FA")]),
        ]
    )
    tables: list[Any] = []
    cells = [[c if hasattr(c, "wrapOn") else para(c, styles["cell"]) for c in row] for row in rows]
    for start in range(0, max(len(cells), 1), ROWS_PER_TABLE):
        chunk = cells[start : start + ROWS_PER_TABLE]
        table = Table([head, *chunk], colWidths=list(col_widths), repeatRows=1, hAlign="LEFT")
        table.setStyle(style)
        tables.append(table)
    return tables


def build_document(
    target: Path | IO[bytes],
    story: list[Any],
    *,
    title: str,
    footer_lines: Sequence[str] = (),
    generated_at: dt.datetime | None = None,
) -> None:
    """Lay ``story`` out on A4 portrait with the standard exportctl footer.

    The footer of every page shows ``footer_lines`` (e.g. source files and their
    SHA-256), then the title, the generation time and "page N of M".

    Args:
        target: A path or a binary stream.
        story: reportlab flowables.
        title: Document title (PDF metadata and footer).
        footer_lines: Extra small lines at the foot of every page.
        generated_at: Time printed in the footer (now, UTC, when not given).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

    regular, _bold = register_hangul_font()
    when = (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp = when.strftime("%Y-%m-%d %H:%M UTC")
    lines = [_printable(line) for line in footer_lines]
    footer_title = _printable(title)
    bottom = (12 + 3.2 * len(lines)) * mm

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Keeps every page until the end so the footer can say "page N of M"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _height = A4
            self.saveState()
            self.setStrokeColorRGB(0.6, 0.6, 0.6)
            self.setLineWidth(0.3)
            self.line(15 * mm, bottom - 2 * mm, width - 15 * mm, bottom - 2 * mm)
            self.setFont(regular, 6.5)
            self.setFillColorRGB(0.3, 0.3, 0.3)
            y = bottom - 5.5 * mm
            for line in lines:
                self.drawString(15 * mm, y, line)
                y -= 3.2 * mm
            self.drawString(15 * mm, y, f"exportctl · {footer_title} · generated {stamp}")
            self.drawRightString(width - 15 * mm, y, f"page {self._pageNumber} of {total}")
            self.restoreState()

    doc = SimpleDocTemplate(
        target if not isinstance(target, Path) else str(target),
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=bottom + 2 * mm,
        title=title,
        author="exportctl",
        subject=title,
    )
    doc.build(story, canvasmaker=NumberedCanvas)


# --------------------------------------------------------------------------- change report
