"""The value types passed between layers: items, sub-items, findings, reports.

``ItemRecord``, ``Finding`` and ``ValidationReport`` are what readers, validation,
diff, screening and reports exchange. ``ItemRecord`` is a slotted dataclass rather
than a pydantic model because lists of a million of them are built and compared; it
is validated where it enters (``hscode`` and ``validate``) and stored through
:class:`exportctl.models.Item`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from exportctl.hscode.coverage import Span

Severity = Literal["error", "warning"]
"""How much a finding weighs: ``error`` blocks an import, ``warning`` is reported."""


@dataclass(slots=True)
class ItemRecord:
    """An item as the layers above the database see it (the ``show --json`` shape)."""

    serial: str | None
    """Serial as printed (연번), normalised: ``12``, ``3의2``."""
    code: str | None
    """Digits only, or None for items defined by name/specification."""
    level: int | None
    """Length of ``code``."""
    ex: bool
    """Partial heading (``ex``)."""
    description: str
    """Main (Korean) description."""
    description_en: str | None = None
    """English description."""
    category: str | None = None
    """Category printed in the list."""
    note: str | None = None
    """Remarks."""
    sheet: str = ""
    """Sheet of origin."""
    row: int = 0
    """Row of origin (1-based)."""
    original_code: str | None = None
    """Code cell text as found."""
    section: int = 1
    """Number of the annex part the entry belongs to."""
    sub_items: tuple[SubItem, ...] = ()
    """Lettered or numbered sub-items, in order, each holding its own: part of the
    entry, never counted."""
    control_numbers: tuple[str, ...] = ()
    """Annex 2 control numbers named by the entry or its sub-items at any depth
    (``3A001.a.3``)."""
    mentioned_codes: tuple[str, ...] = ()
    """HS codes (digits) named in passing in the entry's text: candidates, never its code."""
    code_end: str | None = None
    """Digits of a range entry's last code (same level as ``code``); None for one code."""
    attributes: dict[str, str] = field(default_factory=dict)
    """Regime attributes by name (``{"tier": "3.A"}``), as the list's profile reads them."""

    def every_sub_item(self) -> Iterator[SubItem]:
        """Its sub-items at every depth, depth first, in order."""
        return walk_sub_items(self.sub_items)

    @property
    def span(self) -> Span | None:
        """What the entry covers (:class:`~exportctl.hscode.Span`); None without a code."""
        if not self.code:
            return None
        return Span(self.code, self.code_end, self.ex)

    def to_json(self, sections: Mapping[int, str] | None = None) -> dict[str, Any]:
        """The item as the JSON outputs show it (without ``original_code``).

        Args:
            sections: Section number -> title; ``section`` is then the title.
        """
        return {
            "section": (sections or {}).get(self.section, self.section),
            "serial": self.serial,
            "code": self.code,
            "level": self.level,
            "ex": self.ex,
            "description": self.description,
            "description_en": self.description_en,
            "category": self.category,
            "note": self.note,
            "sub_items": [sub.to_json() for sub in self.sub_items],
            "control_numbers": list(self.control_numbers),
            "mentioned_codes": list(self.mentioned_codes),
            "sheet": self.sheet,
            "row": self.row,
            "code_end": self.code_end,
            "attributes": dict(self.attributes),
        }


_FULL_TEXT_GLUE = " / "
_HANGUL_LETTER = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def split_full_text(text: str) -> tuple[str, str | None]:
    """``한국어 / English`` as its two halves, as :attr:`SubItem.full_text` joins them: at
    the first `` / `` with Korean before it and Latin but no Korean after it; else the
    text whole (a Korean text holding `` / `` stays one)."""
    start = 0
    while (at := text.find(_FULL_TEXT_GLUE, start)) >= 0:
        head, tail = text[:at], text[at + len(_FULL_TEXT_GLUE) :]
        if _HANGUL_LETTER.search(head) and not _HANGUL_LETTER.search(tail):
            if _LATIN_LETTER.search(tail):
                return head, tail
        start = at + 1
    return text, None


@dataclass(frozen=True, slots=True)
class SubItem:
    """A lettered or numbered part of an entry defined by specification (``a.``, ``b.1.``).

    Sub-items nest as the annex prints them (``b.`` > ``b.1.`` > ``b.1.a.``); each
    holds its own, in order.
    """

    label: str
    """The label as printed: ``a.``, ``(1)``, ``가.``, ``b.1.a.``."""
    text: str
    """Its (Korean, or only) text, without the label."""
    control_numbers: tuple[str, ...] = ()
    """Annex 2 control numbers its own texts name (not its sub-items')."""
    text_en: str | None = None
    """Its English text, when the list gives one."""
    path: str = ""
    """The labels from the entry down to it, without their last dots: ``b.1.a``,
    ``가.(1)``. Left empty, the label's own (a sub-item directly under its entry)."""
    sub_items: tuple[SubItem, ...] = ()
    """The sub-items under it, in order."""

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", label_key(self.label))

    @property
    def depth(self) -> int:
        """1 directly under the entry, 2 under a sub-item, and so on."""
        return len(path_parts(self.path))

    @property
    def full_text(self) -> str:
        """The text and its English after `` / `` (how both read as one text)."""
        if self.text_en is None:
            return self.text
        return f"{self.text} / {self.text_en}" if self.text else self.text_en

    def walk(self) -> Iterator[SubItem]:
        """It and every sub-item under it, depth first, in order."""
        yield self
        for sub in self.sub_items:
            yield from sub.walk()

    def every_control_number(self) -> tuple[str, ...]:
        """Its control numbers and those of every sub-item under it, each once, in order."""
        return tuple(dict.fromkeys(n for sub in self.walk() for n in sub.control_numbers))

    def to_json(self) -> dict[str, Any]:
        """``{label, path, text, text_en, control_numbers, sub_items}``, nested."""
        return {
            "label": self.label,
            "path": self.path,
            "text": self.text,
            "text_en": self.text_en,
            "control_numbers": list(self.control_numbers),
            "sub_items": [sub.to_json() for sub in self.sub_items],
        }


def label_key(label: str) -> str:
    """A label as one step of a path: without spaces and its last dot (``b.1.a.`` -> ``b.1.a``)."""
    key = "".join(label.split())
    return key[:-1] if key.endswith(".") else key


def path_parts(path: str) -> list[str]:
    """The steps of a sub-item path: ``b.1.a`` -> ``[b, 1, a]``, ``가.(1)`` -> ``[가, (1)]``."""
    return [part for part in path.split(".") if part]


def walk_sub_items(sub_items: Iterable[SubItem]) -> Iterator[SubItem]:
    """Every sub-item of a tree, depth first, in order."""
    for sub in sub_items:
        yield from sub.walk()


ITEM_FIELDS: tuple[str, ...] = (
    "section",
    "serial",
    "code",
    "level",
    "ex",
    "description",
    "description_en",
    "category",
    "note",
    "sub_items",
    "control_numbers",
    "mentioned_codes",
    "sheet",
    "row",
)
"""Field order of tabular exports (and of ``ItemRecord.to_json`` but its last keys,
:data:`ITEM_JSON_FIELDS`)."""

ITEM_JSON_FIELDS: tuple[str, ...] = (*ITEM_FIELDS, "code_end", "attributes")
"""Keys of ``ItemRecord.to_json``: :data:`ITEM_FIELDS`, then a range's end and the
regime attributes (not yet tabular columns)."""


@dataclass(slots=True)
class Finding:
    """One thing validation or screening found, pointing at a cell where it can."""

    severity: Severity
    """``error`` blocks an import; ``warning`` is reported only."""
    rule: str
    """Stable identifier of the check, e.g. ``duplicate-code``."""
    message: str
    """One plain sentence."""
    file: str
    """File name."""
    sheet: str | None = None
    """Sheet, if any."""
    row: int | None = None
    """1-based row, if any."""
    column: str | None = None
    """Header of the column as written in the file, if any."""
    value: str | None = None
    """The offending value, if any."""
    place: str | None = None
    """Where the row is in a printed document (``page 3, table 1, row 5``): said in
    place of ``sheet`` and ``row`` for files without sheet rows (PDF, HWPX)."""

    def to_json(self) -> dict[str, Any]:
        """The finding in the ``--json`` shape."""
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "place": self.place,
        }


@dataclass(slots=True)
class ValidationReport:
    """Findings about one file plus the counts they were judged against."""

    file: str
    """File name."""
    sheet: str | None
    """Sheet read."""
    items: list[ItemRecord] = field(default_factory=list)
    """The items as they would be stored (the full version for ``--additions``)."""
    findings: list[Finding] = field(default_factory=list)
    """Everything found, errors first in file order."""
    added: int | None = None
    """Items added relative to the base version, if a base was given."""
    removed: int | None = None
    """Items removed relative to the base version, if a base was given."""
    rows_read: int = 0
    """Data rows read from the file (before an additions merge)."""
    item_count: int = 0
    """Items of the version (base included with ``--additions``), kept in ``items`` or not."""

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity ``error``."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity ``warning``."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when nothing blocks storing the version."""
        return not self.errors
