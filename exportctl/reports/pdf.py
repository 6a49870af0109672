"""The change report as an A4 PDF, to be filed as evidence and signed.

Page 1 is the record a compliance officer signs: what was compared (list, both
versions with their notice, effective date, status and approval, source file and
SHA-256), how the report was made (local time with its zone, operator, exportctl
version, database), whether the PDF lists every change or only the first
``options.pdf_rows`` of each kind (and where the full table is), the verdict,
and the sign-off block (prepared / reviewed / approved). A contents page follows
when the document lists more than :data:`CONTENTS_MIN_ROWS` rows; then the summary
(tie-out, chart and table by HS section) and one part per change kind, every kind
listed ("none" when empty). Tables with old and new values (modified, renumbered,
recoded) are set on landscape pages. Every heading is a bookmark.

Every word comes from the catalogue (:mod:`exportctl.reports.language`) in the
report's language. Korean text is set in an embedded Hangul font
(``fonts/ExportctlGothic-*.ttf``, a subset of NanumGothic under the SIL Open Font
License; see ``fonts/README.md``); the canvas starts in it and the chart is set in
it, so no font is left unembedded.

The fonts, styles, tables and pages every PDF report shares live in
:mod:`exportctl.reports.pdf_document` (re-exported here).

reportlab is imported inside the functions, so importing this module is cheap.

Example:
    >>> write_pdf(changes, Path("changes.pdf"), options=ReportOptions(lang="ko"))
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

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
from exportctl.reports.evidence import Evidence, ReportOptions, info_rows
from exportctl.reports.language import Text, tie_out_sentences
from exportctl.reports.pdf_banners import banner_story, change_banners
from exportctl.reports.pdf_document import (
    FONT_BOLD,
    FONT_REGULAR,
    LANDSCAPE,
    PORTRAIT,
    Outline,
    build_document,
    data_table,
    escape,
    frame_width,
    label_table,
    para,
    register_hangul_font,
    report_styles,
)
from exportctl.reports.pdf_record import (
    CONTENTS_MIN_ROWS,
    build_report,
    completeness,
    signoff_story,
)
from exportctl.reports.tabular import attributes_text

__all__ = [
    "CONTENTS_MIN_ROWS",
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

WIDE_KINDS: frozenset[str] = frozenset({"modified", "renumbered", "recoded"})
"""Kinds whose table has old and new value columns: set on landscape pages."""


def _cell(value: Any, t: Text) -> str:
    """A field value in words: yes/no for booleans, sub-items and numbers as text."""
    from exportctl.reports import sub_items_text

    if value is None:
        return ""
    if isinstance(value, bool):
        return t.yes_no(value)
    if isinstance(value, dict):
        return attributes_text(value)
    if isinstance(value, tuple):
        if value and hasattr(value[0], "label"):
            return sub_items_text(value)
        return " ".join(str(v) for v in value)
    return str(value)


def _part_title(info: VersionInfo | None, number: int, t: Text) -> str:
    title = ""
    if info is not None:
        for part in info.sections:
            if part.number == number:
                title = part.title
    if title:
        return t("pdf.part_titled", number=number, title=title)
    return t("pdf.part", number=number)


def _versions_table(changes: ChangeSet, options: ReportOptions, styles: dict[str, Any]) -> Any:
    """Both versions side by side: notice, effective date, status, source and SHA-256."""
    t = options.text
    zone = options.evidence.generated_at.tzinfo
    sides: list[dict[str, str]] = []
    labels: list[str] = []
    for info in (changes.old_version, changes.new_version):
        found: dict[str, str] = {}
        if info is not None:
            for label, value in info_rows(t, info, zone=zone):
                found[label] = value
                if label not in labels:
                    labels.append(label)
        sides.append(found)
    width = frame_width()
    rows = [
        [para(label, styles["cell_bold"]), *(side.get(label, "") for side in sides)]
        for label in labels
    ]
    return data_table(
        ["", t("pdf.old"), t("pdf.new")],
        rows,
        [width * 0.2, width * 0.4, width * 0.4],
        styles=styles,
    )


def _record_story(
    changes: ChangeSet,
    summary: Summary,
    options: ReportOptions,
    styles: dict[str, Any],
    outline: Outline,
    title: str,
    listed: int,
) -> list[Any]:
    """Page 1: title, report record, versions, partial statement, verdict, sign-off."""
    t = options.text
    evidence = options.evidence
    width = frame_width()
    story: list[Any] = [outline.heading(title, styles["title"], outline=t("pdf.record"))]
    total = len(changes.changes)
    where = options.companion or ""
    banners = change_banners(changes, summary, t, listed=listed, total=total, where=where)
    story += banner_story(banners, styles)
    record = list(evidence.rows(t))
    name = changes.list_name or changes.list_slug
    if name:
        shown = name
        if changes.list_slug and changes.list_slug != name:
            shown = f"{name} ({changes.list_slug})"
        record.append((t("evidence.list"), shown))
    story.extend(label_table(record, width, styles=styles, label_share=0.2))
    story.append(para(t("pdf.versions"), styles["h3"]))
    story.extend(_versions_table(changes, options, styles))
    for info in (changes.old_version, changes.new_version):
        if info is None:
            continue
        if len(info.sections) > 1:
            parts = "; ".join(
                f"{_part_title(info, p.number, t)} {t('pdf.entries', count=t.number(p.item_count))}"
                for p in info.sections
            )
            story.append(para(f"{t('pdf.parts_of', version=info.label)}: {parts}", styles["small"]))
        for warning in info.declared_warnings:
            story.append(
                para(t("pdf.at_import", version=info.label, warning=warning), styles["small"])
            )
    keys = ("report.partial", "pdf.complete")
    story.append(completeness(t, styles, options, listed=listed, total=total, keys=keys))
    verdict = t("pdf.reconciles") if summary.reconciles else t("pdf.not_reconciles")
    story.append(para(verdict, styles["h3"]))
    story.append(
        para(
            t(
                "pdf.content_changes",
                content=t.number(summary.content_changes),
                renumbered=t.number(summary.renumbered),
            ),
            styles["body"],
        )
    )
    new = changes.new_version
    story += signoff_story(
        t,
        operator=evidence.operator,
        prepared_on=evidence.generated_at.date(),
        version=new.label if new is not None else None,
        status=new.status if new is not None else None,
        approved_by=new.status_by if new is not None else None,
        approved_at=new.status_at if new is not None else None,
        zone=evidence.generated_at.tzinfo,
        styles=styles,
        width=width,
    )
    return story


def _chart(summary: Summary, t: Text, styles: dict[str, Any]) -> list[Any]:
    """A stacked bar chart of changes per HS section, one colour per kind; the legend
    inside the drawing, to the right of the plot."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    groups = list(summary.by_section)
    if not groups:
        return [para(t("pdf.no_changes"), styles["body"])]
    kinds = [k for k in CHANGE_KINDS if any(g.counts[k] for g in groups)]
    regular, _bold = register_hangul_font()
    width, height = frame_width(), 60 * mm
    names = [t.kind(k) for k in kinds]
    swatch = 3 * mm
    legend_width = swatch + 2 * mm + max(stringWidth(n, regular, 7) for n in names)
    drawing = Drawing(width, height)
    # The renderer starts a drawing in Helvetica unless told: it would not be embedded.
    drawing.initialFontName, drawing.initialFontSize = regular, 7
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 14 * mm
    chart.width = width - chart.x - legend_width - 8 * mm
    chart.height = height - 20 * mm
    chart.data = [[g.counts[k] for g in groups] for k in kinds]
    chart.categoryAxis.categoryNames = [g.key for g in groups]
    chart.categoryAxis.style = "stacked"
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels, chart.barLabels):
        labels.fontName = regular
        labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda value: f"{int(value):,}"
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
    legend.x, legend.y = width - legend_width, height - 4 * mm
    legend.fontName = regular
    legend.fontSize = 7
    legend.dx = legend.dy = swatch
    legend.dxTextSpace = 2 * mm
    legend.alignment = "right"
    legend.columnMaximum = len(kinds)
    legend.colorNamePairs = [
        (colors.HexColor(KIND_COLOURS[k]), n) for k, n in zip(kinds, names, strict=True)
    ]
    drawing.add(legend)
    drawing.add(String(chart.x, 4 * mm, t("pdf.chart_axis"), fontName=regular, fontSize=7))
    return [drawing]


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 8:
            return step
    return max(1, top // 8)


def _summary_story(
    changes: ChangeSet,
    summary: Summary,
    options: ReportOptions,
    styles: dict[str, Any],
    outline: Outline,
) -> list[Any]:
    t = options.text
    n = t.number
    width = frame_width()
    story: list[Any] = [outline.heading(t("pdf.summary"), styles["h2"])]
    verdict = t("pdf.reconciles") if summary.reconciles else t("pdf.not_reconciles")
    story.append(para(verdict, styles["h3"]))
    story.append(
        para(
            t(
                "pdf.content_changes",
                content=n(summary.content_changes),
                renumbered=n(summary.renumbered),
            ),
            styles["body"],
        )
    )
    rows = [
        [t("pdf.before"), n(summary.before), t("pdf.after"), n(summary.after)],
        [t("pdf.added_all"), n(summary.added), t("pdf.declared_added"), n(summary.declared_added)],
        [
            t("pdf.removed_all"),
            n(summary.removed),
            t("pdf.declared_removed"),
            n(summary.declared_removed),
        ],
        [
            t.kind("modified"),
            n(summary.modified),
            t("pdf.declared_total"),
            n(summary.declared_total),
        ],
        [t("pdf.renumbered_only"), n(summary.renumbered), t("pdf.unchanged"), n(summary.unchanged)],
    ]
    story.extend(
        data_table(
            [],
            rows,
            [width * s for s in (0.27, 0.18, 0.3, 0.25)],
            styles=styles,
            right=(1, 3),
        )
    )
    fields = ", ".join(t.column(f) for f in changes.fields)
    story.append(para(f"{t('pdf.fields')}: {fields}", styles["statement"]))
    for sentence in tie_out_sentences(summary.checks, t):
        story.append(para(f"• {sentence}", styles["body"]))
    kinds = ", ".join(f"{t.kind(k)} {n(summary.kinds.get(k, 0))}" for k in CHANGE_KINDS)
    story.append(para(t("pdf.kinds_line", kinds=kinds), styles["body"]))
    story.append(para(t("pdf.added_removed_note"), styles["small"]))
    story.append(outline.heading(t("pdf.by_section"), styles["h2"], level=1))
    story.extend(_chart(summary, t, styles))
    header = [
        t("pdf.section"),
        t("pdf.section_name"),
        *[t.kind(k) for k in CHANGE_KINDS],
        t("pdf.total"),
    ]
    section_rows = [
        [
            g.key,
            t.section_name(g.key, g.name) if g.name else "",
            *[n(g.counts[k]) if g.counts[k] else "" for k in CHANGE_KINDS],
            n(g.total),
        ]
        for g in summary.by_section
    ]
    number_width = width * 0.075
    widths = [width * 0.07, width - width * 0.07 - number_width * 8, *[number_width] * 8]
    story.extend(data_table(header, section_rows, widths, styles=styles, right=range(2, 2 + 8)))
    return story


def _change_rows(
    kind: ChangeKind, items: list[Change], t: Text, width: float
) -> tuple[list[str], list[list[Any]], list[float]]:
    def ex(change: Change) -> str:
        return "ex " if change.item.ex else ""

    def serial(change: Change) -> str:
        return change.serial if change.serial is not None else ""

    rows: list[list[Any]]
    if kind in ("added", "removed"):
        header = [
            t.column("serial"),
            t.column("code"),
            t.column("description"),
            t.column("description_en"),
            t.column("category"),
        ]
        rows = [
            [
                serial(c),
                ex(c) + dotted(c.code),
                c.item.description,
                c.item.description_en or "",
                c.item.category or "",
            ]
            for c in items
        ]
        return header, rows, [width * s for s in (0.06, 0.13, 0.37, 0.3, 0.14)]
    if kind in WIDE_KINDS:
        header = [
            t.column("serial"),
            t.column("code"),
            t.column("description"),
            t("pdf.field"),
            t("pdf.old_value"),
            t("pdf.new_value"),
        ]
        rows = []
        for c in items:
            first = True
            code = ex(c) + dotted(c.code)
            for name, old, new in c.diffs() if kind != "recoded" else _recode_diffs(c):
                rows.append(
                    [
                        serial(c) if first else "",
                        code if first else "",
                        c.item.description if first else "",
                        t.column(name),
                        _cell(old, t),
                        _cell(new, t),
                    ]
                )
                first = False
        return header, rows, [width * s for s in (0.05, 0.1, 0.23, 0.1, 0.26, 0.26)]
    header = [
        t.column("serial"),
        t.column("code"),
        t("pdf.side"),
        t.column("related_codes"),
        t.column("description"),
    ]
    rows = []
    for c in items:
        side = t("pdf.side_old") if c.old is not None else t("pdf.side_new")
        rows.append(
            [
                serial(c),
                ex(c) + dotted(c.code),
                side,
                ", ".join(dotted(r) for r in c.related),
                c.item.description
                + (f" / {c.item.description_en}" if c.item.description_en else ""),
            ]
        )
    return header, rows, [width * s for s in (0.06, 0.13, 0.08, 0.22, 0.51)]


def _recode_diffs(change: Change) -> list[tuple[str, object, object]]:
    rows: list[tuple[str, object, object]] = [
        ("code", dotted(change.old_code), dotted(change.code))
    ]
    rows.extend(d for d in change.diffs() if d[0] != "code")
    return rows


def _kind_story(
    changes: ChangeSet,
    by_kind: dict[str, list[Change]],
    options: ReportOptions,
    styles: dict[str, Any],
    outline: Outline,
) -> list[Any]:
    """One part per change kind (every kind, "none" when empty), at most
    ``options.pdf_rows`` changes each; wide tables on landscape pages."""
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak

    t = options.text
    limit = options.pdf_rows
    where = options.companion or t("report.partial_elsewhere")
    info = changes.new_version or changes.old_version
    sectioned = changes.sectioned  # a pass over every change: once
    story: list[Any] = []
    current = PORTRAIT
    for kind in CHANGE_KINDS:
        items = by_kind[kind]
        wanted = (LANDSCAPE if kind in WIDE_KINDS else PORTRAIT) if items else current
        if wanted != current:
            story += [NextPageTemplate(wanted), PageBreak()]
            current = wanted
        else:
            story.append(CondPageBreak(40 * mm))
        width = frame_width(current)
        heading = t(
            "pdf.kind_heading", kind=t(f"pdf.kind_title.{kind}"), count=t.number(len(items))
        )
        story.append(outline.heading(heading, styles["h2"]))
        if not items:
            story.append(para(t("pdf.kind_none"), styles["body"]))
            continue
        shown = items[:limit]
        if not sectioned:
            header, rows, widths = _change_rows(kind, shown, t, width)
            story.extend(data_table(header, rows, widths, styles=styles))
        else:
            # Serial numbers restart in each part of the annex: one table per part.
            for number in sorted({c.section for c in shown}):
                part = [c for c in shown if c.section == number]
                every = sum(1 for c in items if c.section == number)
                title = t(
                    "pdf.part_heading", part=_part_title(info, number, t), count=t.number(every)
                )
                story.append(outline.heading(title, styles["h3"], level=1))
                header, rows, widths = _change_rows(kind, part, t, width)
                story.extend(data_table(header, rows, widths, styles=styles))
        if len(items) > len(shown):
            story.append(
                para(
                    t("pdf.more_rows", count=t.number(len(items) - len(shown)), where=where),
                    styles["body"],
                )
            )
    if current != PORTRAIT:
        story += [NextPageTemplate(PORTRAIT), PageBreak()]
    return story


def _sources_story(
    changes: ChangeSet, options: ReportOptions, styles: dict[str, Any], outline: Outline
) -> list[Any]:
    t = options.text
    story: list[Any] = [outline.heading(t("pdf.sources"), styles["h2"])]
    rows: list[tuple[str, Any]] = []
    for info in (changes.old_version, changes.new_version):
        if info is None:
            continue
        sheet = f" [{info.source_sheet}]" if info.source_sheet else ""
        rows.append(
            (
                f"{info.label} · {t('evidence.source')}",
                f"{info.source_file}{sheet}" if info.source_file else "—",
            )
        )
        rows.append((f"{info.label} · SHA-256", info.source_sha256 or "—"))
    rows.extend(options.evidence.rows(t))
    story.extend(label_table(rows, frame_width(), styles=styles, label_share=0.25))
    return story


def write_pdf(
    changes: ChangeSet,
    target: Path | IO[bytes],
    *,
    summary: Summary | None = None,
    generated_at: dt.datetime | None = None,
    options: ReportOptions | None = None,
) -> None:
    """Write the PDF change report (see the module's note for its parts).

    Args:
        changes: The change set (with list and version descriptions).
        target: A path or a binary stream.
        summary: Its summary (computed when not given).
        generated_at: When, without ``options`` (now when not given).
        options: Language, rows per kind, the report's record and the companion
            file's name (English, :data:`~exportctl.reports.evidence.PDF_ROWS`
            rows and the current operator when None).
    """
    from reportlab.platypus import PageBreak

    from exportctl.config import current_actor

    if options is None:
        options = ReportOptions(evidence=Evidence.now(operator=current_actor(), at=generated_at))
    summary = summary or summarise(changes)
    t = options.text
    styles = report_styles()
    by_kind: dict[str, list[Change]] = {kind: [] for kind in CHANGE_KINDS}
    for change in changes.changes:
        by_kind[change.kind].append(change)
    listed = sum(min(len(items), options.pdf_rows) for items in by_kind.values())
    old = changes.old_version.label if changes.old_version else "—"
    new = changes.new_version.label if changes.new_version else "—"
    name = changes.list_name or changes.list_slug or t("pdf.unnamed_list")
    title = t("pdf.title", list=name, old=old, new=new)
    outline = Outline()
    story = _record_story(changes, summary, options, styles, outline, title, listed)
    story.append(PageBreak())
    body = _summary_story(changes, summary, options, styles, outline)
    body += _kind_story(changes, by_kind, options, styles, outline)
    body += _sources_story(changes, options, styles, outline)
    build_report(
        target,
        story,
        body,
        text=t,
        styles=styles,
        options=options,
        outline=outline,
        listed=listed,
        title=title,
        subject=t("pdf.subject_changes"),
        keywords=t("pdf.keywords", list=changes.list_slug or name, versions=f"{old}, {new}"),
    )


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``pdf`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_pdf(changes, path, options=options)
