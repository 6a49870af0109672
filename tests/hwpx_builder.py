"""Write small HWPX documents (OWPML, as Hangul saves them) for tests and samples.

Self-contained (standard library only) and deterministic: members are written in a
fixed order (``mimetype`` first and stored, the rest sorted) with a fixed
timestamp, so the same blocks always give the same bytes.

Example:
    >>> write_hwpx(path, ["[별표 2의2]", Table([["연번", "HS코드"], ["1", "0101.21"]])])
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"
HH = "http://www.hancom.co.kr/hwpml/2011/head"
HC = "http://www.hancom.co.kr/hwpml/2011/core"
OPF = "http://www.idpf.org/2007/opf/"
ODF = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
MIMETYPE = b"application/hwp+zip"
STAMP = (2024, 6, 28, 0, 0, 0)


@dataclass
class Cell:
    """A table cell: its paragraphs (a nested ``Table`` among them) and its span.

    Attributes:
        content: The text (``\\n`` separates paragraphs), or paragraphs: a text, a
            table, or a tuple of texts and tables written in one paragraph.
        rows: How many rows it spans down (``rowSpan``).
        columns: How many columns it spans across (``colSpan``).
    """

    content: str | Sequence[str | Table | tuple[str | Table, ...]] = ""
    rows: int = 1
    columns: int = 1


@dataclass
class Table:
    """A table as written: each row lists only the cells that start in it.

    A cell is a ``Cell``, a string, or ``None`` for an empty cell. Cells are
    addressed (``hp:cellAddr``) in the first column no cell above or to the left
    takes, as Hangul does.

    Attributes:
        rows: The rows.
        reverse: Write each row's cells in reverse order (addresses still right).
        addresses: Write ``hp:cellAddr``; off to test a reader's fallback.
    """

    rows: Sequence[Sequence[Cell | str | None]]
    reverse: bool = False
    addresses: bool = True


Block = str | Table
"""A body paragraph's text, or a table in a paragraph of its own."""


def write_hwpx(
    path: Path,
    *sections: Sequence[Block],
    page_header: str | None = None,
    encrypted: bool = False,
    replace: Mapping[str, bytes | None] | None = None,
) -> Path:
    """Write an HWPX document.

    Args:
        path: Where to write it.
        sections: Each section's blocks, in order.
        page_header: A running page header (``hp:header``) in the first section.
        encrypted: Declare encryption data for the sections in ``META-INF/manifest.xml``,
            as a password or DRM-protected document does.
        replace: Member name -> bytes to write instead (``None`` leaves the member out).

    Returns:
        ``path``.
    """
    members: dict[str, bytes] = {
        "version.xml": _version(),
        "settings.xml": _xml(
            '<ha:HWPApplicationSetting xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app"/>'
        ),
        "META-INF/container.xml": _container(),
        "META-INF/manifest.xml": _manifest(len(sections), encrypted),
        "Contents/content.hpf": _package(len(sections)),
        "Contents/header.xml": _xml(
            f'<hh:head xmlns:hh="{HH}" version="1.4" secCnt="{len(sections)}">'
            '<hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/>'
            "</hh:head>"
        ),
        "Preview/PrvText.txt": "\n".join(
            block for blocks in sections for block in blocks if isinstance(block, str)
        ).encode("utf-8"),
    }
    for number, blocks in enumerate(sections):
        members[f"Contents/section{number}.xml"] = _section(
            blocks, page_header if number == 0 else None
        )
    for name, data in (replace or {}).items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    with zipfile.ZipFile(path, "w") as archive:
        mimetype = zipfile.ZipInfo("mimetype", STAMP)
        archive.writestr(mimetype, MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for name in sorted(members):
            info = zipfile.ZipInfo(name, STAMP)
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name], compress_type=zipfile.ZIP_DEFLATED)
    return path


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>' + body).encode("utf-8")


def _version() -> bytes:
    return _xml(
        '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
        'tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="1" buildNumber="0" '
        'os="1" xmlVersion="1.4" application="Hancom Office Hangul" appVersion="12.0.0.1"/>'
    )


def _container() -> bytes:
    return _xml(
        '<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container">'
        "<ocf:rootfiles>"
        '<ocf:rootfile full-path="Contents/content.hpf" '
        'media-type="application/hwpml-package+xml"/>'
        '<ocf:rootfile full-path="Preview/PrvText.txt" media-type="text/plain"/>'
        "</ocf:rootfiles></ocf:container>"
    )


def _manifest(count: int, encrypted: bool) -> bytes:
    entries = []
    for number in range(count):
        data = (
            "<odf:encryption-data checksum-type="
            f'"{ODF}#sha256-1k" checksum="AAAA">'
            '<odf:algorithm algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
            'initialisation-vector="AAAA"/>'
            '<odf:key-derivation key-derivation-name="urn:oasis:names:tc:opendocument:'
            'xmlns:manifest:1.0#pbkdf2" key-size="32" iteration-count="1024" salt="AAAA"/>'
            "</odf:encryption-data>"
            if encrypted
            else ""
        )
        entries.append(
            f'<odf:file-entry full-path="Contents/section{number}.xml" '
            f'media-type="application/xml">{data}</odf:file-entry>'
        )
    return _xml(f'<odf:manifest xmlns:odf="{ODF}">{"".join(entries)}</odf:manifest>')


def _package(count: int) -> bytes:
    items = ['<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>']
    spine = ['<opf:itemref idref="header" linear="yes"/>']
    for number in range(count):
        items.append(
            f'<opf:item id="section{number}" href="Contents/section{number}.xml" '
            'media-type="application/xml"/>'
        )
        spine.append(f'<opf:itemref idref="section{number}" linear="yes"/>')
    return _xml(
        f'<opf:package xmlns:opf="{OPF}" version="" unique-identifier="" id="">'
        "<opf:metadata><opf:title/><opf:language>ko</opf:language></opf:metadata>"
        f"<opf:manifest>{''.join(items)}</opf:manifest>"
        f"<opf:spine>{''.join(spine)}</opf:spine></opf:package>"
    )


def _section(blocks: Sequence[Block], page_header: str | None) -> bytes:
    parts = [_first_paragraph(page_header)]
    for block in blocks:
        if isinstance(block, Table):
            parts.append(_paragraph(_table(block)))
        else:
            parts.extend(_paragraph(_run(line)) for line in block.split("\n"))
    return _xml(
        f'<hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}" xmlns:hc="{HC}" xmlns:hh="{HH}">'
        + "".join(parts)
        + "</hs:sec>"
    )


def _first_paragraph(page_header: str | None) -> str:
    """The section's first paragraph: its page settings, and the running header."""
    controls = (
        '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000">'
        '<hp:pagePr landscape="WIDELY" width="59528" height="84186" gutterType="LEFT_ONLY"/>'
        "</hp:secPr>"
        '<hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" '
        'sameSz="1" sameGap="0"/></hp:ctrl>'
    )
    if page_header is not None:
        controls += (
            '<hp:ctrl><hp:header id="1" applyPageType="BOTH">'
            '<hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" vertAlign="TOP">'
            f"{_paragraph(_run(page_header))}</hp:subList></hp:header></hp:ctrl>"
        )
    return _paragraph(f'<hp:run charPrIDRef="0">{controls}</hp:run>')


def _paragraph(runs: str) -> str:
    return (
        '<hp:p id="0" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" '
        f'merged="0">{runs}<hp:linesegarray><hp:lineseg textpos="0" vertpos="0" '
        'vertsize="1000" textheight="1000" baseline="850" spacing="600" horzpos="0" '
        'horzsize="42520" flags="393216"/></hp:linesegarray></hp:p>'
    )


def _run(text: str) -> str:
    """A paragraph's text in two runs, as a change of character shape splits it; tabs as hp:tab."""
    if not text:
        return '<hp:run charPrIDRef="0"/>'
    half = len(text) // 2
    tab = '<hp:tab width="4000" leader="0" type="1"/>'
    first, second = (escape(part).replace("\t", tab) for part in (text[:half], text[half:]))
    return (
        f'<hp:run charPrIDRef="0"><hp:t>{first}</hp:t></hp:run>'
        f'<hp:run charPrIDRef="1"><hp:t>{second}</hp:t></hp:run>'
    )


def _table(table: Table) -> str:
    taken: set[tuple[int, int]] = set()
    width = 0
    rows: list[str] = []
    for row_index, row in enumerate(table.rows):
        column = 0
        cells: list[str] = []
        for item in row:
            cell = item if isinstance(item, Cell) else Cell(item or "")
            while (row_index, column) in taken:
                column += 1
            taken.update(
                (row_index + down, column + across)
                for down in range(cell.rows)
                for across in range(cell.columns)
            )
            cells.append(_cell(cell, row_index, column, table.addresses))
            column += cell.columns
            width = max(width, column)
        if table.reverse:
            cells.reverse()
        rows.append(f"<hp:tr>{''.join(cells)}</hp:tr>")
    return (
        '<hp:run charPrIDRef="0">'
        '<hp:tbl id="0" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" '
        f'textFlow="BOTH_SIDES" lock="0" dropcapstyle="None" pageBreak="CELL" '
        f'repeatHeader="1" rowCnt="{len(table.rows)}" colCnt="{width}" cellSpacing="0" '
        'borderFillIDRef="3" noAdjust="0">'
        '<hp:sz width="42520" widthRelTo="ABSOLUTE" height="2000" heightRelTo="ABSOLUTE" '
        'protect="0"/><hp:pos treatAsChar="0" affectLSpacing="0" flowWithText="1" '
        'allowOverlap="0" holdAnchorAndSO="0" vertRelTo="PARA" horzRelTo="COLUMN" '
        'vertAlign="TOP" horzAlign="LEFT" vertOffset="0" horzOffset="0"/>'
        '<hp:outMargin left="283" right="283" top="283" bottom="283"/>'
        '<hp:inMargin left="510" right="510" top="141" bottom="141"/>'
        f"{''.join(rows)}</hp:tbl><hp:t/></hp:run>"
    )


def _cell(cell: Cell, row: int, column: int, addresses: bool) -> str:
    content = cell.content.split("\n") if isinstance(cell.content, str) else cell.content
    paragraphs = "".join(
        _paragraph(
            "".join(
                _table(run) if isinstance(run, Table) else _run(run)
                for run in (part if isinstance(part, tuple) else (part,))
            )
        )
        for part in content
    )
    address = f'<hp:cellAddr colAddr="{column}" rowAddr="{row}"/>' if addresses else ""
    return (
        '<hp:tc name="" header="0" hasMargin="0" protect="0" editable="0" dirty="0" '
        'borderFillIDRef="3"><hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" '
        'vertAlign="CENTER" linkListIDRef="0" linkListNextIDRef="0" textWidth="0" '
        f'textHeight="0" hasTextRef="0" hasNumRef="0">{paragraphs}</hp:subList>{address}'
        f'<hp:cellSpan colSpan="{cell.columns}" rowSpan="{cell.rows}"/>'
        f'<hp:cellSz width="{7000 * cell.columns}" height="1000"/>'
        '<hp:cellMargin left="510" right="510" top="141" bottom="141"/></hp:tc>'
    )
