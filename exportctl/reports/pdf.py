"""The change report as an A4 PDF for the compliance file and for management.

Korean text is set in an embedded Hangul font (``fonts/ExportctlGothic-*.ttf``, a
subset of NanumGothic under the SIL Open Font License; see ``fonts/README.md``).
reportlab's built-in CID fonts are never embedded and show nothing on a machine
without Korean fonts, so they are not used.

Two pieces are shared with other PDF reports (screening):

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

from exportctl.diff import (
    CHANGE_KINDS,
    Change,
    ChangeKind,
    ChangeSet,
    Summary,
    VersionInfo,
    dotted,
    summarise,
)

__all__ = [
    "FONT_BOLD",
    "FONT_REGULAR",
    "build_document",
    "data_table",
    "escape",
    "para",
    "register_hangul_font",
    "report_styles",
    "write_pdf",
]

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

KIND_TITLES: dict[str, str] = {
    "added": "Added",
    "removed": "Removed",
    "modified": "Modified",
    "renumbered": "Renumbered (serial number moved)",
    "recoded": "Recoded (same entry, new code)",
    "split": "Split (a code replaced by its sub-codes)",
    "merged": "Merged (sub-codes replaced by their parent)",
}
"""Section title of each change kind."""

KIND_COLOURS: dict[str, str] = {
    "added": "#2E7D32",
    "removed": "#C62828",
    "modified": "#1565C0",
    "renumbered": "#9E9E9E",
    "recoded": "#6A1B9A",
    "split": "#EF6C00",
    "merged": "#00838F",
}
"""Bar colour of each change kind in the chart."""

_SHORT = {
    "added": "add",
    "removed": "rem",
    "modified": "mod",
    "renumbered": "renum",
    "recoded": "recode",
    "split": "split",
    "merged": "merge",
}

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


def _version_line(role: str, info: VersionInfo | None) -> str:
    if info is None:
        return role
    effective = f"effective {info.effective.isoformat()}" if info.effective else "undated"
    count = f", {info.item_count:,} items" if info.item_count is not None else ""
    by = f" by {info.status_by}" if info.status_by else ""
    notice = f"; {info.notice}" if info.notice else ""
    return f"{role}: {info.label} ({effective}{count}; {info.status}{by}{notice})"


def _sections_line(info: VersionInfo) -> str | None:
    """``2024-06 parts: part 1 (…) 12 entries; part 2 (…) 40 entries``, with several parts."""
    if len(info.sections) < 2:
        return None
    parts = "; ".join(f"{p.shown} {p.item_count:,} entries" for p in info.sections)
    return f"{info.label} parts: {parts}"


def _source_lines(changes: ChangeSet) -> list[str]:
    lines = []
    for role, info in (("from", changes.old_version), ("to", changes.new_version)):
        if info is not None and info.source_file:
            sheet = f" [{info.source_sheet}]" if info.source_sheet else ""
            lines.append(
                f"{role} {info.label}: {info.source_file}{sheet} SHA-256 {info.source_sha256}"
            )
    return lines


def _fmt(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _chart(summary: Summary, styles: dict[str, Any]) -> list[Any]:
    """A stacked bar chart of changes per HS section, one colour per kind."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    groups = list(summary.by_section)
    if not groups:
        return [para("No changes.", styles["body"])]
    kinds = [k for k in CHANGE_KINDS if any(g.counts[k] for g in groups)]
    regular, _bold = register_hangul_font()
    width, height = 180 * mm, 55 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = width - 50 * mm, height - 22 * mm
    chart.data = [[g.counts[k] for g in groups] for k in kinds]
    chart.categoryAxis.categoryNames = [g.key for g in groups]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max(g.total for g in groups)
    chart.valueAxis.valueMax = max(1, top) * 1.1
    chart.valueAxis.valueStep = _nice_step(top)
    chart.barWidth = 6
    chart.groupSpacing = 4
    for index, kind in enumerate(kinds):
        chart.bars[index].fillColor = colors.HexColor(KIND_COLOURS[kind])
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 35 * mm, height - 10 * mm
    legend.fontName = regular
    legend.fontSize = 7
    legend.alignment = "right"
    legend.colorNamePairs = [(colors.HexColor(KIND_COLOURS[k]), k) for k in kinds]
    drawing.add(legend)
    drawing.add(String(12 * mm, 4 * mm, "HS section", fontName=regular, fontSize=7))
    return [drawing]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 8:
            return step
    return max(1, top // 8)


def _summary_story(changes: ChangeSet, summary: Summary, styles: dict[str, Any]) -> list[Any]:
    from reportlab.lib.units import mm

    body = styles["body"]
    story: list[Any] = []
    verdict = (
        "The figures reconcile."
        if summary.reconciles
        else "The figures DO NOT reconcile: see the statements below."
    )
    story.append(para(verdict, styles["h2"]))
    rows = [
        ["Items before", _fmt(summary.before), "Items after", _fmt(summary.after)],
        [
            "Added (all new codes)",
            _fmt(summary.added),
            "Declared added",
            _fmt(summary.declared_added),
        ],
        [
            "Removed (all codes gone)",
            _fmt(summary.removed),
            "Declared removed",
            _fmt(summary.declared_removed),
        ],
        ["Modified", _fmt(summary.modified), "Declared total", _fmt(summary.declared_total)],
        ["Unchanged", _fmt(summary.unchanged), "Fields compared", ", ".join(changes.fields)],
    ]
    story.extend(
        data_table(
            ["Count", "", "Notice", ""], rows, [45 * mm, 35 * mm, 45 * mm, 55 * mm], styles=styles
        )
    )
    for statement in summary.statements:
        story.append(para("• " + statement, body))
    kinds = ", ".join(f"{summary.kinds[k]:,} {k}" for k in CHANGE_KINDS if summary.kinds.get(k))
    story.append(para(f"Changes by kind: {kinds or 'none'}.", body))
    story.append(
        para(
            "“Added” and “removed” count every code found in only one version, including "
            "codes that the change tables explain as recoded, split or merged.",
            styles["small"],
        )
    )
    story.append(para("Changes by HS section", styles["h2"]))
    story.extend(_chart(summary, styles))
    header = ["Section", "Name", *[_SHORT[k] for k in CHANGE_KINDS], "Total"]
    rows2 = [
        [g.key, _shorten(g.name, 60), *[g.counts[k] or "" for k in CHANGE_KINDS], g.total]
        for g in summary.by_section
    ]
    widths = [14 * mm, 66 * mm, *[12 * mm] * len(CHANGE_KINDS), 16 * mm]
    story.extend(data_table(header, rows2, widths, styles=styles))
    return story


def _change_rows(
    kind: ChangeKind, items: list[Change]
) -> tuple[list[str], list[list[Any]], list[float]]:
    from reportlab.lib.units import mm

    def ex(change: Change) -> str:
        return "ex " if change.item.ex else ""

    rows: list[list[Any]]

    if kind in ("added", "removed"):
        header = ["No.", "HS code", "품목명 (description)", "English description", "Category"]
        rows = [
            [
                c.serial if c.serial is not None else "",
                ex(c) + dotted(c.code),
                c.item.description,
                c.item.description_en or "",
                c.item.category or "",
            ]
            for c in items
        ]
        return header, rows, [11 * mm, 24 * mm, 65 * mm, 55 * mm, 25 * mm]
    if kind in ("modified", "renumbered", "recoded"):
        header = ["No.", "HS code", "품목명 (description)", "Field", "Old", "New"]
        rows = []
        for c in items:
            first = True
            code = ex(c) + dotted(c.code)
            for name, old, new in c.diffs() if kind != "recoded" else _recode_diffs(c):
                rows.append(
                    [
                        (c.serial if c.serial is not None else "") if first else "",
                        code if first else "",
                        c.item.description if first else "",
                        name,
                        "" if old is None else old,
                        "" if new is None else new,
                    ]
                )
                first = False
        return header, rows, [11 * mm, 22 * mm, 40 * mm, 20 * mm, 43.5 * mm, 43.5 * mm]
    header = ["No.", "HS code", "Version", "Related codes", "품목명 (description)"]
    rows = []
    for c in items:
        side = "old" if c.old is not None else "new"
        rows.append(
            [
                c.serial if c.serial is not None else "",
                ex(c) + dotted(c.code),
                side,
                ", ".join(dotted(r) for r in c.related),
                c.item.description
                + (f" / {c.item.description_en}" if c.item.description_en else ""),
            ]
        )
    return header, rows, [11 * mm, 24 * mm, 14 * mm, 40 * mm, 91 * mm]


def _recode_diffs(change: Change) -> list[tuple[str, object, object]]:
    rows: list[tuple[str, object, object]] = [
        ("code", dotted(change.old_code), dotted(change.code))
    ]
    rows.extend(d for d in change.diffs() if d[0] != "code")
    return rows


def write_pdf(
    changes: ChangeSet,
    target: Path | IO[bytes],
    *,
    summary: Summary | None = None,
    generated_at: dt.datetime | None = None,
) -> None:
    """Write the PDF change report.

    Title with the list and both versions (labels, effective dates, counts); the
    tie-out summary and its verdict; a bar chart and table of changes by HS
    section; then one table per change kind; sources with SHA-256 in every
    page's footer and in a closing annex.

    Args:
        changes: The change set (with list and version descriptions for a full
            title and footer).
        target: A path or a binary stream.
        summary: Its summary (computed when not given).
        generated_at: Time printed in the footer (now, UTC, when not given).
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Spacer

    summary = summary or summarise(changes)
    styles = report_styles()
    old = changes.old_version.label if changes.old_version else "old"
    new = changes.new_version.label if changes.new_version else "new"
    name = changes.list_name or changes.list_slug or "control list"
    title = f"Changes to {name}: {old} → {new}"
    story: list[Any] = [para(title, styles["title"])]
    if changes.list_name and changes.list_slug and changes.list_name != changes.list_slug:
        story.append(para(f"List: {changes.list_slug}", styles["subtitle"]))
    story.append(para(_version_line("From", changes.old_version), styles["subtitle"]))
    story.append(para(_version_line("To", changes.new_version), styles["subtitle"]))
    for info in (changes.old_version, changes.new_version):
        if info is not None:
            line = _sections_line(info)
            if line is not None:
                story.append(para(line, styles["subtitle"]))
            for warning in info.declared_warnings:
                story.append(para(f"{info.label}, at import: {warning}", styles["subtitle"]))
    story.append(Spacer(1, 3 * mm))
    story.extend(_summary_story(changes, summary, styles))
    for kind in CHANGE_KINDS:
        items = changes.of_kind(kind)
        if not items:
            continue
        story.append(CondPageBreak(40 * mm))
        story.append(para(f"{KIND_TITLES[kind]}: {len(items):,}", styles["h2"]))
        if not changes.sectioned:
            header, rows, widths = _change_rows(kind, items)
            story.extend(data_table(header, rows, widths, styles=styles))
            continue
        # Serial numbers restart in each part of the annex: one table per part.
        info = changes.new_version or changes.old_version
        for number in sorted({c.section for c in items}):
            part = [c for c in items if c.section == number]
            shown = info.section_title(number) if info is not None else f"part {number}"
            story.append(para(f"{shown}: {len(part):,}", styles["cell_bold"]))
            header, rows, widths = _change_rows(kind, part)
            story.extend(data_table(header, rows, widths, styles=styles))
    sources = _source_lines(changes)
    story.append(para("Sources", styles["h2"]))
    for line in sources or ["No source files recorded."]:
        story.append(para(line, styles["body"]))
    generated = (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    story.append(
        para(f"Generated by exportctl on {generated:%Y-%m-%d %H:%M:%S} UTC.", styles["body"])
    )
    build_document(target, story, title=title, footer_lines=sources, generated_at=generated)
