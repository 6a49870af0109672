"""The change report as an A4 PDF for the compliance file and for management.

Korean text is set in an embedded Hangul font (``fonts/ExportctlGothic-*.ttf``, a
subset of NanumGothic under the SIL Open Font License; see ``fonts/README.md``).
reportlab's built-in CID fonts are never embedded and show nothing on a machine
without Korean fonts, so they are not used.

The fonts, styles, tables and page every PDF report shares live in
:mod:`exportctl.reports.pdf_document` (re-exported here).

reportlab is imported inside the functions, so importing this module is cheap.

Example:
    >>> regular, bold = register_hangul_font()
    >>> styles = report_styles()
    >>> build_document(Path("out.pdf"), [para("기타 <b>", styles["body"])], title="Test")
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
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.pdf_document import (
    FONT_BOLD,
    FONT_REGULAR,
    build_document,
    data_table,
    escape,
    para,
    register_hangul_font,
    report_styles,
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


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``pdf`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_pdf(changes, path, generated_at=options.evidence.generated_at)
