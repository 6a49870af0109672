"""The parts of an HWPX document the reader parses, each streaming and under budgets.

``Contents/content.hpf`` lists the sections (its manifest of items and its spine of
references to them), ``META-INF/manifest.xml`` says whether they are encrypted, and
each ``Contents/sectionN.xml`` holds the body. Everything is parsed with expat
(:mod:`exportctl.readers.xmlparse`), building no tree, and counted against the caps
of :mod:`exportctl.limits` as it is read, for the document as a whole:

* ``max_document_bytes``: the XML of the manifests and sections, checked against
  their declared sizes before reading and counted as read;
* ``max_sections``: sections read, each once however often the spine lists it;
  ``max_members``: entries of a manifest;
* ``max_document_cells``: tables and top-level cells kept (a few hundred bytes each);
* ``max_cell_chars``: characters of one paragraph or one cell.

So a document of a hundred sections, each under every per-part check, or a
manifest listing one section 300,000 times, is refused in one sentence instead of
filling memory or taking hours.
"""

from __future__ import annotations

import re
import zipfile
from collections import deque
from dataclasses import dataclass, field
from typing import NoReturn

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import WHILE_READING, Limits, over
from exportctl.readers.xmlparse import Budget, MalformedXmlError, local, new_parser, parse

MANIFEST = "Contents/content.hpf"
ODF_MANIFEST = "META-INF/manifest.xml"

_SECTION = re.compile(r"Contents/section(\d+)\.xml")
# Characters an ``hp:t`` holds as child elements rather than as text.
_INLINE = {"tab": " ", "lineBreak": " ", "fwSpace": " ", "nbSpace": " ", "hyphen": "-"}


@dataclass
class Cell:
    """A top-level table cell as written: its address, span and paragraphs.

    ``line`` is the ``hp:tr`` it is written in (0-based), for a cell without an address.
    """

    line: int
    row: int | None = None
    column: int | None = None
    rows: int = 1
    columns: int = 1
    texts: list[str] = field(default_factory=list)
    chars: int = 0


@dataclass
class Table:
    """One top-level table: the paragraphs above it and its cells by row."""

    titles: list[str]
    written_rows: int = 0
    cells: list[Cell] = field(default_factory=list)
    grid: list[list[str | None]] = field(default_factory=list)
    covered: list[frozenset[int]] = field(default_factory=list)


class Document:
    """The budgets of one document, shared by every part read."""

    def __init__(self, limits: Limits, file: str) -> None:
        self.limits = limits
        self.file = file
        what = _(
            "has more than {value:,} bytes of XML in its manifests and sections, more than "
            "the {cap:,} bytes allowed"
        )
        self.bytes = Budget(limits, "max_document_bytes", what, file, WHILE_READING)
        self.kept = 0  # tables and top-level cells

    def keep(self) -> None:
        """Count one more table or cell kept, or refuse the document."""
        self.kept += 1
        if self.kept > self.limits.max_document_cells:
            cap = self.limits.max_document_cells
            raise InputError(
                over(
                    _("has more than {value:,} table cells, more than the {cap:,} allowed"),
                    cap,
                    "max_document_cells",
                    self.limits,
                    WHILE_READING,
                ),
                file=self.file,
            )

    def refuse_long(self) -> NoReturn:
        """Refuse a paragraph or cell of more than ``max_cell_chars`` characters."""
        cap = self.limits.max_cell_chars
        raise InputError(
            over(
                _(
                    "has a paragraph or table cell of more than {value:,} characters, more "
                    "than the {cap:,} characters allowed"
                ),
                cap,
                "max_cell_chars",
                self.limits,
                WHILE_READING,
            ),
            file=self.file,
        )


def encrypted(archive: zipfile.ZipFile, document: Document) -> bool:
    """Whether the ODF manifest gives any part encryption data (Hangul's password/DRM)."""
    if ODF_MANIFEST not in archive.NameToInfo:
        return False
    found = False

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal found
        found = found or local(name) == "encryption-data"

    parser = new_parser()
    parser.StartElementHandler = start
    try:
        with archive.open(ODF_MANIFEST) as stream:
            parse(parser, stream, ODF_MANIFEST, document.file, document.bytes)
    except MalformedXmlError:
        pass  # a damaged manifest: the encryption data read before the damage counts
    return found


def sections(archive: zipfile.ZipFile, document: Document) -> list[str]:
    """The section parts in reading order: the manifest's spine, else their numbers.

    Each section comes once, at its first place in the spine, and their declared
    sizes together are checked against ``max_document_bytes`` before any is read.

    Raises:
        InputError: A listed section is missing, there is none, more than
            ``max_sections``, or more bytes than ``max_document_bytes``.
    """
    name = document.file
    members = archive.NameToInfo
    listed = _listed_sections(archive, document)
    if listed:
        for part in listed:
            if part not in members:
                raise InputError(
                    _(
                        'part "{part}" listed in {manifest} is missing; the document is '
                        "incomplete (save it again from Hangul)"
                    ).format(part=part, manifest=MANIFEST),
                    file=name,
                )
        found = listed
    else:
        numbered = sorted(
            (int(match.group(1)[:9]), part)
            for part in members
            if (match := _SECTION.fullmatch(part)) is not None
        )
        found = [part for _, part in numbered]
    if not found:
        raise InputError(
            _(
                "has no section part (Contents/section0.xml), so no body text; the document "
                "is incomplete (save it again from Hangul)"
            ),
            file=name,
        )
    limits = document.limits
    if len(found) > limits.max_sections:
        raise InputError(
            over(
                _("has {value:,} sections, more than the {cap:,} sections allowed"),
                len(found),
                "max_sections",
                limits,
            ),
            file=name,
        )
    declared = sum(members[part].file_size for part in found)
    cap = document.bytes.cap
    if document.bytes.used + declared > cap:
        raise InputError(
            over(
                _("has sections that unpack to {value:,} bytes, more than the {cap:,} allowed"),
                declared,
                "max_document_bytes",
                limits,
            ),
            file=name,
        )
    return found


def _listed_sections(archive: zipfile.ZipFile, document: Document) -> list[str]:
    """The section parts ``content.hpf`` lists, in spine order and each once; empty
    when it lists none.

    Raises:
        InputError: The manifest has more entries than ``max_members``, or passes
            ``max_document_bytes``.
    """
    if MANIFEST not in archive.NameToInfo:
        return []
    hrefs: dict[str, str] = {}
    spine: dict[str, None] = {}  # ordered, each idref once
    entries = 0
    limits = document.limits

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal entries
        kind = local(name)
        if kind not in ("item", "itemref"):
            return
        entries += 1
        if entries > limits.max_members:
            what = _("{manifest} lists more than {value:,} entries, more than the {cap:,} allowed")
            raise InputError(
                over(what, limits.max_members, "max_members", limits, manifest=MANIFEST),
                file=document.file,
            )
        if kind == "item":
            href = attrs.get("href", "")
            part = href if href.startswith("Contents/") else f"Contents/{href}"
            if _SECTION.fullmatch(part):
                hrefs.setdefault(attrs.get("id", part), part)
        else:
            spine.setdefault(attrs.get("idref", ""))

    parser = new_parser()
    parser.StartElementHandler = start
    try:
        with archive.open(MANIFEST) as stream:
            parse(parser, stream, MANIFEST, document.file, document.bytes)
    except MalformedXmlError:
        return []  # a damaged manifest: the sections by their numbers
    ordered = dict.fromkeys(hrefs[idref] for idref in spine if idref in hrefs)
    return list(ordered or dict.fromkeys(hrefs.values()))


class SectionReader:
    """Collects a section's top-level tables and body paragraphs from parse events.

    ``recent`` carries the last body paragraphs across sections: a table at the top
    of a section is still under the title that ended the previous one. Nothing of
    the XML is kept but those paragraphs, the tables and their cells' text.
    """

    def __init__(self, recent: deque[str], document: Document) -> None:
        self.recent = recent
        self.document = document
        self.chars = document.limits.max_cell_chars
        self.tables: list[Table] = []
        self.depth = 0
        self.cells = 0  # open hp:tc elements
        self.table: Table | None = None
        self.cell: Cell | None = None
        self.base = 0  # open paragraphs when the current cell opened
        # Text pieces of each open paragraph, innermost last, their length, and whether
        # it is a body paragraph (a direct child of the section).
        self.paragraphs: list[list[str]] = []
        self.lengths: list[int] = []
        self.body: list[bool] = []
        self.parents: list[str] = []
        self.text_depth = 0  # depth of the open hp:t, 0 outside one

    def start(self, name: str, attrs: dict[str, str]) -> None:
        kind = local(name)
        self.depth += 1
        if self.text_depth:
            if self.depth == self.text_depth + 1:
                self._add(_INLINE.get(kind, ""))
        elif kind == "t":
            self.text_depth = self.depth
        elif kind == "p":
            if self.cell is not None and len(self.paragraphs) > self.base:
                # A paragraph nested in one of the cell's (a table inside the cell):
                # what the outer one holds so far comes first.
                self._flush(self.paragraphs[-1])
            self.paragraphs.append([])
            self.lengths.append(0)
            self.body.append(self.depth == 2)
        elif kind == "tbl" and self.cells == 0:
            if self.paragraphs and self.body[-1]:
                # Text before the table in the paragraph that holds it is above it.
                self._remember(self.paragraphs[-1])
            self.document.keep()
            self.table = Table(titles=list(self.recent))
            self.tables.append(self.table)
        elif kind == "tr" and self.cells == 0 and self.table is not None:
            self.table.written_rows += 1
        elif kind == "tc":
            self.cells += 1
            if self.cells == 1 and self.table is not None:
                self.document.keep()
                self.cell = Cell(line=self.table.written_rows - 1)
                self.base = len(self.paragraphs)
        elif self.cell is not None and self.cells == 1 and self.parents[-1] == "tc":
            if kind == "cellAddr":
                self.cell.row = _number(attrs.get("rowAddr"))
                self.cell.column = _number(attrs.get("colAddr"))
            elif kind == "cellSpan":
                self.cell.rows = max(_number(attrs.get("rowSpan")) or 1, 1)
                self.cell.columns = max(_number(attrs.get("colSpan")) or 1, 1)
        self.parents.append(kind)

    def characters(self, data: str) -> None:
        # Only an hp:t's own text (not what its children hold) is the paragraph's.
        if self.text_depth and self.depth == self.text_depth:
            self._add(data)

    def _add(self, text: str) -> None:
        if not self.paragraphs or not text:
            return
        self.paragraphs[-1].append(text)
        self.lengths[-1] += len(text)
        if self.lengths[-1] > self.chars:
            self.document.refuse_long()

    def end(self, _name: str) -> None:
        kind = self.parents.pop()
        if self.depth == self.text_depth:
            self.text_depth = 0
        self.depth -= 1
        if self.text_depth:
            return
        if kind == "p":
            pieces = self.paragraphs.pop()
            self.lengths.pop()
            body = self.body.pop()
            if self.cell is not None and len(self.paragraphs) >= self.base:
                self._flush(pieces)
            elif body:
                self._remember(pieces)
        elif kind == "tc":
            self.cells -= 1
            if self.cells == 0 and self.cell is not None:
                if self.table is not None:
                    self.table.cells.append(self.cell)
                self.cell = None

    def _flush(self, pieces: list[str]) -> None:
        """Move a cell paragraph's text so far into the cell."""
        assert self.cell is not None
        text = " ".join("".join(pieces).split())
        if text:
            self.cell.texts.append(text)
            self.cell.chars += len(text)
            if self.cell.chars > self.chars:
                self.document.refuse_long()
        pieces.clear()

    def _remember(self, pieces: list[str]) -> None:
        """Keep a body paragraph's text so far as a possible title of the next table."""
        text = " ".join("".join(pieces).split())
        if text:
            self.recent.append(text)
        pieces.clear()


def read_section(
    archive: zipfile.ZipFile, part: str, recent: deque[str], document: Document
) -> list[Table]:
    """The top-level tables of one section, in order; ``recent`` gains its paragraphs.

    Raises:
        InputError: The section is not well-formed XML, declares entities, or passes
            a budget of the document.
    """
    reader = SectionReader(recent, document)
    parser = new_parser()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    try:
        with archive.open(part) as stream:
            parse(parser, stream, part, document.file, document.bytes)
    except MalformedXmlError as exc:
        raise InputError(
            _(
                'part "{part}" is not well-formed XML ({reason}); the document is damaged (save '
                "it again from Hangul, or use the PDF attachment of the same notice)"
            ).format(part=part, reason=exc.reason),
            file=document.file,
        ) from None
    return reader.tables


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not value.lstrip("-").isdigit() or len(value) > 12:
        return None
    return int(value)
