"""Daily look-ups: check codes against a list, find items, export a version.

``check_codes`` screens codes typed by a person through the same path a
catalogue takes (the columnar engine over a one-column catalogue without
descriptions), so ``check`` and ``screen`` cannot disagree about a code.
``filter_items`` / ``select_items`` narrow a version's items by code, words and
category; the code filter asks the screening index
(:func:`exportctl.screen.related.related_entries`), so ``show --code`` lists
the entries ``check`` would name. Exporting a version is
:mod:`exportctl.api.exports`.

Example:
    >>> report = check_codes(engine, "kr-russia", ["8471.30", "84.7x"])
    >>> [(r.dotted, r.status) for r in report.results]
    [('8471.30', 'controlled'), (None, 'invalid')]
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl.api.browse import (
    notice_json,
    resolve_version,
    sections_json,
)
from exportctl.errors import InputError
from exportctl.i18n import _, active
from exportctl.models import ItemRecord, Section, Version

if TYPE_CHECKING:
    from exportctl.reports.evidence import ReportOptions
    from exportctl.screen import ScreenIndex, ScreenResult, Status
    from exportctl.screen.related import Related

__all__ = [
    "CheckReport",
    "CodeCheck",
    "ItemSelection",
    "check_codes",
    "code_lines",
    "filter_items",
    "section_numbers",
    "select_items",
    "write_items_csv",
]


def _version_json(slug: str, version: Version, sections: Sequence[Section] = ()) -> dict[str, Any]:
    return {
        "list": slug,
        "label": version.label,
        "effective": version.effective.isoformat() if version.effective else None,
        "status": version.status,
        "status_text": version.status_text(),
        "declared_warnings": version.warnings(),
        "count": version.item_count,
        "source_file": version.source_file,
        "source_sheet": version.source_sheet or None,
        "sha256": version.source_sha256,
        "hs_edition": version.hs_edition,
        "notice": notice_json(version),
        "sections": sections_json(sections),
    }


# --------------------------------------------------------------------------- check


def _entry_json(entry: ItemRecord | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    from exportctl.hscode import HSCode

    return {
        "section": entry.section,
        "serial": entry.serial,
        "code": HSCode(entry.code).dotted() if entry.code else None,
        "ex": entry.ex,
        "description": entry.description,
    }


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """The verdict on one code as typed."""

    input: str
    """The code as typed."""
    code: str | None
    """Normalised digits, or None when the input is not an HS code."""
    dotted: str | None
    """The code as people write it (``8471.30``, ``8471.30.0000``)."""
    status: Status
    """``controlled``, ``review``, ``clear`` or ``invalid``."""
    reason: str
    """One plain sentence saying why, in English (the JSON's machine form)."""
    said: str = ""
    """The reason in the language active when it was checked (what the terminal shows)."""
    entry: ItemRecord | None = None
    """The deciding list entry, if any."""

    def to_json(self) -> dict[str, Any]:
        """The result in the ``check --json`` shape."""
        return {
            "input": self.input,
            "code": self.dotted,
            "digits": self.code,
            "status": self.status,
            "entry": _entry_json(self.entry),
            "reason": self.reason,
        }


@dataclass(slots=True)
class CheckReport:
    """Codes checked against one version of a list."""

    slug: str
    """The list."""
    version: Version
    """The version checked against."""
    results: list[CodeCheck] = field(default_factory=list)
    """One result per code, in the order given."""
    unchecked_names: int = 0
    """Entries defined by name (no HS code): a code alone cannot be checked against them."""
    sections: list[Section] = field(default_factory=list)
    """The version's parts; with several, reasons name the part of the deciding entry."""

    @property
    def counts(self) -> dict[str, int]:
        """Codes per status, every status present."""
        from exportctl.screen import STATUSES

        found = Counter(r.status for r in self.results)
        return {status: found[status] for status in STATUSES}

    def failing(self, fail_on: Iterable[str]) -> list[CodeCheck]:
        """The results that reach one of ``fail_on`` (``review`` counts controlled too).

        Raises:
            ValueError: ``fail_on`` names something not in :data:`exportctl.screen.FAIL_ON`.
        """
        from exportctl.screen import fail_statuses, failing_statuses

        wanted = set(failing_statuses(fail_statuses(fail_on)))
        return [r for r in self.results if r.status in wanted]

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` object: the version, the counts and one object per code."""
        return {
            "version": _version_json(self.slug, self.version, self.sections),
            "counts": self.counts,
            "unchecked_name_entries": self.unchecked_names,
            "results": [r.to_json() for r in self.results],
        }


def code_lines(lines: Iterable[str]) -> list[str]:
    """The codes of a text, one a line: blank lines and ``#`` comments are skipped.

    A ``#`` starts a comment anywhere on a line (no HS code holds one), so
    ``8471.30  # laptops`` reads as ``8471.30``.
    """
    found: list[str] = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            found.append(text)
    return found


def check_codes(
    engine: Engine,
    slug: str,
    codes: Sequence[str],
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
) -> CheckReport:
    """Check codes against a version of a list, as screening would.

    The codes are screened as the code column of a catalogue without
    descriptions, so each is read as ``screen`` reads a cell holding that text
    (:func:`exportctl.hscode.read_code`: ``10121`` reads as ``0101.21``, the only
    reading the list's HS edition has, and the reason says so), and entries
    defined by name are not matched (a code says nothing about them;
    :attr:`CheckReport.unchecked_names` counts them).

    Args:
        engine: The database.
        slug: The list.
        codes: Codes as typed (``8471.30``, ``847130``, ``ex 8471``...).
        label: Version label.
        as_of: Use the version in force on this date (by default, today).
        include_drafts: Choose by date among drafts too.

    Returns:
        The report, one result per code in the order given.

    Raises:
        InputError: No codes, or both ``label`` and ``as_of``.
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version, or none in force on the date.
    """
    if not codes:
        raise InputError(_("no codes to check"))
    if label is not None and as_of is not None:
        raise InputError(_("give a version label or an --as-of date, not both"))
    if label is None and as_of is None:
        as_of = dt.date.today()
    version = resolve_version(engine, slug, label=label, as_of=as_of, include_drafts=include_drafts)
    index, _items, sections = _screen_index(engine, slug, version)
    report = CheckReport(
        slug=slug, version=version, unchecked_names=len(index.words.entries), sections=sections
    )
    screened = _screen_typed(index, codes, version.hs_edition)
    for typed, result in zip(codes, screened, strict=True):
        reason, said = result.reason, result.reason_in(active())
        if result.code is None and not reason.startswith('"'):
            # A blank or placeholder (N/A, -): screening says "the row has no HS code".
            reason = f'"{typed}" is not an HS code'
            said = _('"{typed}" is not an HS code').format(typed=typed)
        report.results.append(
            CodeCheck(
                input=typed,
                code=result.code,
                dotted=result.shown_code if result.code else None,
                status=result.status,
                reason=reason,
                said=said,
                entry=result.entry,
            )
        )
    return report


# How the notice and officers write a heading around its digits: 제8471호 (the
# notice's own form), 8471호, HS 8471, HS8471. Stripped here, before the one
# code-reading function (exportctl.hscode.read_code) reads what is left, so the
# reading rules stay in one place.
_HEADING_FORM = re.compile(
    r"^\s*(?:(?:HS|H\.S\.)\s*(?:code\s*)?|제\s*)?(?P<code>\d[\d.\s-]*?)\s*(?:호)?\s*$",
    re.IGNORECASE,
)
_HEADING_MARKS = re.compile(r"^\s*(?:HS|H\.S\.|제)|호\s*$", re.IGNORECASE)


def strip_heading_form(typed: str) -> str:
    """``제8471호``, ``8471호``, ``HS 8471``, ``HS8471`` → ``8471``; anything else as typed.

    Example:
        >>> strip_heading_form("제8471호")
        '8471'
    """
    text = unicodedata.normalize("NFKC", typed)
    if not _HEADING_MARKS.search(text):
        return typed
    found = _HEADING_FORM.match(text)
    return found.group("code").strip() if found else typed


def _screen_typed(
    index: ScreenIndex, codes: Sequence[str], edition: str | None
) -> Iterator[ScreenResult]:
    """Codes as typed, screened as the code column of a catalogue without descriptions
    (by the columnar engine, as ``screen`` screens one)."""
    import pyarrow as pa

    from exportctl.readers.cells import code_cell
    from exportctl.readers.frames import FIELDS, Frame
    from exportctl.screen.columnar import ColumnarIndex
    from exportctl.screen.table import ResultTable

    texts = [code_cell(strip_heading_form(typed), None).text for typed in codes]
    columns = {name: pa.nulls(len(texts), pa.string()) for name in FIELDS}
    columns["code"] = pa.array(texts, pa.string())
    data = pa.table({"row": pa.array(range(1, len(texts) + 1), pa.int64()), **columns})
    frame = Frame("", None, {"code": "code"}, [], [], data)
    return ResultTable.screen(frame, ColumnarIndex(index, edition=edition)).results()


def _screen_index(
    engine: Engine, slug: str, version: Version
) -> tuple[ScreenIndex, list[ItemRecord], list[Section]]:
    """The version's entries indexed as screening indexes them (with the list's
    profile), its items and its parts: what ``check`` and ``show --code`` ask (built
    once per version and kept, :mod:`exportctl.api.indexes`)."""
    from exportctl import store
    from exportctl.api.indexes import screen_index

    with store.session_scope(engine) as session:
        store.check_vouched(session, [version])
    return screen_index(engine, slug, version)


# --------------------------------------------------------------------------- show


_PREFIX_SEPARATORS = re.compile(r"[\s.\-]+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _code_prefix(code: str) -> str:
    digits = _PREFIX_SEPARATORS.sub("", unicodedata.normalize("NFKC", strip_heading_form(code)))
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(
            _('"{code}" is not the start of an HS code (digits, dots and spaces only)').format(
                code=code
            )
        )
    return digits


def filter_items(
    items: Iterable[ItemRecord],
    *,
    code: str | None = None,
    search: str | None = None,
    category: str | None = None,
    section: str | None = None,
    sections: Mapping[int, str] | None = None,
    index: ScreenIndex | None = None,
) -> list[ItemRecord]:
    """The items that pass every filter given (filters combine with AND), in order.

    Args:
        items: A version's items.
        code: Digits with or without dots or spaces (``8471``, ``8471.3``): the
            entries ``check`` meets for that code
            (:func:`~exportctl.screen.related.related_entries`): those covering it
            (the heading ``8471`` for ``8471.30``, a range around it), those under
            it (``8471.30.1000`` for ``8471``) and those whose text mentions it
            or a code covering it.
        search: Words that must all appear (case-insensitive, NFKC, as parts of
            words) in the description, the English description, the note or a
            sub-item's text.
        category: Text the category must contain (case-insensitive, NFKC).
        section: A part of the annex: its number (``2``) or a word of its title
            (``러시아``), as :func:`section_numbers`.
        sections: The version's parts, number -> title (needed for ``section``).
        index: ``items`` indexed for screening (built from them when None).

    Returns:
        The matching items.

    Raises:
        InputError: A code prefix that is not digits (or empty), an empty search or
            category, or a section that names no part.

    Example:
        >>> [i.code for i in filter_items(items, code="8471.3")]
        ['8471', '847130', '8471301000']
    """
    return _filtered(
        items,
        code=code,
        search=search,
        category=category,
        section=section,
        sections=sections,
        index=index,
    )[0]


def _filtered(
    items: Iterable[ItemRecord],
    *,
    code: str | None,
    search: str | None,
    category: str | None,
    section: str | None,
    sections: Mapping[int, str] | None,
    index: ScreenIndex | None,
    edition: str | None = None,
) -> tuple[list[ItemRecord], dict[int, Related], str | None]:
    """:func:`filter_items`, how each item kept relates to ``code`` (by ``id``), and how
    the code was read when not as written (``code read as 8471.30: …``)."""
    items = list(items)
    prefix = _code_prefix(code) if code is not None else None
    related: dict[int, Related] = {}
    note: str | None = None
    if code is not None and prefix is not None:
        from exportctl.screen import ScreenIndex
        from exportctl.screen.related import related_entries

        if index is None:
            index = ScreenIndex.build(items, slug="", label="")
        # The code as check reads it (8471.3 is 8471.30 when only that exists);
        # the start of a code that is none (847) stays a prefix.
        read = next(_screen_typed(index, [code], edition))
        note = read.warning
        related = {id(found.entry): found for found in related_entries(index, read.code or prefix)}
    needles = _fold(search).split() if search is not None else None
    if needles == []:
        raise InputError(_("the search text is empty"))
    wanted = _fold(category).strip() if category is not None else None
    if wanted == "":
        raise InputError(_("the category text is empty"))
    parts = section_numbers(section, sections or {}) if section is not None else None
    kept: list[ItemRecord] = []
    for item in items:
        if parts is not None and item.section not in parts:
            continue
        if prefix is not None and id(item) not in related:
            continue
        if needles is not None:
            texts = (item.description, item.description_en, item.note)
            subs = (sub.full_text for sub in item.every_sub_item())
            text = _fold(" ".join(t for t in (*texts, *subs) if t))
            if not all(needle in text for needle in needles):
                continue
        if wanted is not None and (not item.category or wanted not in _fold(item.category)):
            continue
        kept.append(item)
    return kept, {id(item): related[id(item)] for item in kept if id(item) in related}, note


def section_numbers(section: str, sections: Mapping[int, str]) -> frozenset[int]:
    """The parts ``section`` names: a number, or words all found in a part's title.

    Args:
        section: ``2``, ``러시아``, ``벨라루스 품목`` (case-insensitive, NFKC).
        sections: The version's parts, number -> title.

    Raises:
        InputError: Nothing given, or no part matches (the parts are listed).

    Example:
        >>> section_numbers("러시아", {1: "이란 …", 2: "러시아·벨라루스 상황허가 대상 품목"})
        frozenset({2})
    """
    wanted = _fold(section).split()
    if not wanted:
        raise InputError(_("the section text is empty"))
    if len(wanted) == 1 and wanted[0].isdigit():
        found = frozenset({int(wanted[0])}) & frozenset(sections or {1: ""})
    else:
        found = frozenset(
            number
            for number, title in sections.items()
            if all(word in _fold(title) for word in wanted)
        )
    if not found:
        known = "; ".join(f"{number} {title}".strip() for number, title in sorted(sections.items()))
        raise InputError(
            _('no part of the version matches "{section}" (parts: {known})').format(
                section=section, known=known or "1"
            )
        )
    return found


@dataclass(slots=True)
class ItemSelection:
    """A version's items narrowed by :func:`filter_items`."""

    slug: str
    """The list."""
    version: Version
    """The version shown."""
    items: list[ItemRecord]
    """The items that matched, in list order."""
    total: int
    """Items of the version before filtering."""
    filters: dict[str, str] = field(default_factory=dict)
    """The filters given (``code``, ``search``, ``category``, ``section``)."""
    sections: list[Section] = field(default_factory=list)
    """The version's parts, by number."""
    related: dict[int, Related] = field(default_factory=dict)
    """With a code filter: how each item kept relates to the code, by ``id(item)``."""
    code_read: str | None = None
    """How the code filtered on was read when not as written, as ``check`` says it."""

    @property
    def titles(self) -> dict[int, str]:
        """Part number -> title."""
        return {part.number: part.title for part in self.sections}

    def relation(self, item: ItemRecord) -> Related | None:
        """How ``item`` relates to the code filtered on (None without one)."""
        return self.related.get(id(item))


def select_items(
    engine: Engine,
    slug: str,
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
    code: str | None = None,
    search: str | None = None,
    category: str | None = None,
    section: str | None = None,
) -> ItemSelection:
    """A version (by label or date) and its items that pass :func:`filter_items`.

    Args:
        engine: The database.
        slug: The list.
        label: Version label.
        as_of: Use the version in force on this date.
        include_drafts: Choose by date among drafts too.
        code: Code prefix, as :func:`filter_items`.
        search: Words that must all appear, as :func:`filter_items`.
        category: Text the category must contain.
        section: A part's number or a word of its title, as :func:`filter_items`.

    Returns:
        The selection, with the version's item count before filtering.

    Raises:
        InputError: As :func:`filter_items`, or neither a label nor a date.
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version, or none in force on the date.
    """
    version = resolve_version(engine, slug, label=label, as_of=as_of, include_drafts=include_drafts)
    # The code filter asks the index check and screen ask: one coverage path.
    index, items, sections = _screen_index(engine, slug, version)
    given = {"code": code, "search": search, "category": category, "section": section}
    filters = {name: value for name, value in given.items() if value is not None}
    titles = {part.number: part.title for part in sections}
    kept, related, note = _filtered(
        items,
        code=code,
        search=search,
        category=category,
        section=section,
        sections=titles,
        index=index,
        edition=version.hs_edition,
    )
    return ItemSelection(slug, version, kept, len(items), filters, sections, related, note)


def write_items_csv(
    engine: Engine,
    selection: ItemSelection,
    target: Path | IO[Any],
    options: ReportOptions,
) -> str:
    """Write a selection as CSV (``show --csv``) and record it in the audit log.

    Goes the way of every report (:func:`exportctl.api.outputs.publish`): written
    whole to a temporary file, recorded with the SHA-256 of its bytes (action
    ``show``), then delivered to ``target`` (a path, or a stream such as
    ``sys.stdout``).

    Args:
        engine: The database (its audit log).
        selection: The items, from :func:`select_items`.
        target: Where to write.
        options: Language and CSV dialect, and the record of who made it.

    Returns:
        The SHA-256 of the bytes delivered.
    """
    from exportctl.api.outputs import publish

    written = publish(
        engine,
        "items",
        "csv",
        selection.items,
        target,
        options,
        action="show",
        slug=selection.slug,
        label=selection.version.label,
        detail={
            "items": len(selection.items),
            "total": selection.total,
            "filters": dict(selection.filters),
        },
    )
    return written.sha256
