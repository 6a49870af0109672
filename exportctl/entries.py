"""Rows into entries the way an annex writes them: parts, sub-items and continuation lines.

A legal annex table is not one row per entry. A title row starts a part of the
annex, each numbered from 1; an entry defined by specification is followed by its
lettered or numbered sub-items (``a.``, ``(1)``), each on its own row with no
serial and no code; and a long sub-item may run on to a row of its own. The
:class:`Assembler` turns such rows into one :class:`~exportctl.models.ItemRecord`
per entry, holding one entry back until the rows that belong to it are read.

Decisions, as the rules apply them:

* A sub-item row has no HS code, a serial cell that is empty or holds a label
  that starts with a letter (``a.``, ``b.1.``: not a number), and a label: in the
  serial cell or at the start of the description. Its English cell, when given,
  is the sub-item's English text (without its own label); its category and note
  cells are not kept. A row with an English cell is no less a sub-item.
* Sub-items nest by their labels' numbering schemes (:mod:`exportctl.annex.outline`):
  ``b.1.a.`` sits under ``b.1.`` under ``b.``. A label that continues no scheme
  open above it is a warning (``sub-item-sequence``) and still a sub-item, never
  an entry, so the entry count ties out.
* A sub-item row with no entry above it in its part is a warning
  (``orphan-sub-item``) and is dropped.
* In a table with a serial column, a row with text but no serial, no code and no
  label that continues nothing is a warning (``unplaced-row``) and is left out:
  counting it as an entry would make the declared total agree by accident.
* A row holding only a description (no serial, code, label, English text,
  category or note) right under an entry with no code that has sub-items is the
  last sub-item running on: its text is appended to that sub-item's and the row
  is a warning (``continued-row``). Anywhere else such a row is an entry defined
  by its name, as it always was.
* ``control_numbers`` come from the entry's control-number column (a list
  column such as ``관련 통제번호``), its description, English text and note, and
  from its sub-items at every depth (each one's own column cell, then its texts),
  each once, in that order; all are read by :func:`exportctl.annex.read_control_numbers`.
  What a control-number cell holds beyond numbers is a warning naming the row
  and column (``unreadable-control-number``, ``reversed-control-range``); the
  numbers read from the rest of the cell are kept. ``mentioned_codes`` come from the
  same texts only for entries without an HS code of their own: a coded entry's
  text names codes about that code, so it mentions none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from exportctl.annex import (
    Label,
    Serial,
    control_numbers,
    mentioned_codes,
    parse_label,
    parse_serial,
    read_control_numbers,
    split_inline,
)
from exportctl.annex.outline import Outline
from exportctl.errors import InputError
from exportctl.i18n import _, ngettext
from exportctl.identity import PartSide, fold_title, item_key, pair_parts
from exportctl.models import ItemRecord, SubItem
from exportctl.readers import ParsedRow, Table

__all__ = [
    "Assembler",
    "Choice",
    "Part",
    "PairedBase",
    "base_parts",
    "entries",
    "fold_title",
    "listing",
    "matching_part",
    "paired_bases",
    "part_name",
]


@dataclass(slots=True)
class Part:
    """A part of the annex as read from the file.

    Attributes:
        number: Its number: as printed, else the next after those before it.
        title: Its title without the number; empty for the part before any title row.
        row: The row of its title; ``None`` for the part before any title row.
        entries: Entries read in it (sub-items are not entries).
        sub_items: Sub-items kept under its entries.
        with_sub_items: Its entries that have sub-items.
    """

    number: int
    title: str
    row: int | None = None
    entries: int = 0
    sub_items: int = 0
    with_sub_items: int = 0


ROW_KINDS = ("entry", "sub_item", "continuation", "title", "left_out")
"""What the :class:`Assembler` reads each row handed to it as (``Assembler.rows``)."""


def part_name(number: int, title: str) -> str:
    """``part 2 "러시아·벨라루스 상황허가 대상 품목"``, or ``part 1`` without a title."""
    if title:
        return _('part {number} "{title}"').format(number=number, title=title)
    return _("part {number}").format(number=number)


class Warn(Protocol):
    """Records a warning about a row (``rule``, ``message``, ``row``), and the cell
    (``field``, ``value``) when it is about one."""

    def __call__(
        self,
        rule: str,
        message: str,
        row: int,
        *,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        """Record it."""


class Assembler:
    """Parsed rows in, entries out, with their part, sub-items and references filled in.

    Args:
        build: Builds the entry of an ordinary row (``None`` when the row makes
            none); called with :attr:`current` already set to the row's part.
        warn: Records the warnings met (``orphan-sub-item``, ``continued-row``,
            ``sub-item-sequence``, ``duplicate-section``, ``unplaced-row``, and the
            control-number column's).
        serials: The table has a serial column, so a row without a serial, code or
            label that continues nothing is not an entry (``unplaced-row``).
    """

    def __init__(
        self,
        build: Callable[[ParsedRow], ItemRecord | None],
        warn: Warn,
        *,
        serials: bool = False,
    ) -> None:
        self._build = build
        self._warn = warn
        self._serials = serials
        self.rows: dict[str, int] = dict.fromkeys(ROW_KINDS, 0)
        """Rows read so far by kind (see :data:`ROW_KINDS`); a row left out has a finding."""
        self.parts: list[Part] = []
        """Every part read so far, in file order."""
        self.current: Part | None = None
        """The part the rows being read belong to."""
        self._held: ItemRecord | None = None
        self._subs = Outline()

    def items(self, rows: Iterable[ParsedRow]) -> Iterator[ItemRecord]:
        """The entries of ``rows``, each handed on once the rows after it are read."""
        counts = self.rows
        for parsed in rows:
            if parsed.section is not None:
                yield from self._release()
                self._open(parsed.section.number, parsed.section.title, parsed.row)
                counts["title"] += 1
                continue
            part = self.current if self.current is not None else self._open(1, "", None)
            listed = self._listed(parsed)
            sub = _sub_item(parsed)
            if sub is not None:
                label, text, text_en = sub
                if self._held is None:
                    self._warn(
                        "orphan-sub-item",
                        _(
                            'sub-item "{label}" has no entry above it in {part}; it was left out'
                        ).format(label=label.text, part=part_name(part.number, part.title)),
                        parsed.row,
                    )
                    counts["left_out"] += 1
                    continue
                problem = self._subs.add(label, text, text_en, listed)
                counts["sub_item"] += 1
                if problem is not None:
                    self._warn(
                        "sub-item-sequence",
                        _(
                            'sub-item "{label}" of entry {entry}: {problem}; it is kept as a '
                            "sub-item, not counted as an entry"
                        ).format(label=label.text, entry=_entry_name(self._held), problem=problem),
                        parsed.row,
                    )
                continue
            if parsed.continued and parsed.code is None and self._held is not None:
                self._join(parsed, listed)
                counts["continuation"] += 1
                continue
            if self._continues(parsed):
                counts["continuation"] += 1
                last = self._subs.append_text(str(parsed.values.get("description")))
                self._warn(
                    "continued-row",
                    _(
                        'the row holds only text, read as the rest of sub-item "{label}" of the '
                        "entry above"
                    ).format(label=last),
                    parsed.row,
                )
                continue
            if self._serials and parsed.code is None and parsed.values.get("serial") is None:
                self._unplaced(parsed)
                counts["left_out"] += 1
                continue
            item = self._build(parsed)
            if item is None:
                counts["left_out"] += 1
                continue
            item.control_numbers = listed
            counts["entry"] += 1
            yield from self._release()
            item.section = part.number
            self._held = item
        yield from self._release()
        if not self.parts:
            self._open(1, "", None)

    def _open(self, number: int | None, title: str, row: int | None) -> Part:
        used = {part.number for part in self.parts}
        given = number
        if number is None or number in used:
            number = max(used, default=0) + 1
        if given is not None and given in used and row is not None:
            self._warn(
                "duplicate-section",
                _(
                    "{part} repeats the number of a part above it; its entries are numbered as "
                    "part {number}"
                ).format(part=part_name(given, title), number=number),
                row,
            )
        part = Part(number, title, row)
        self.parts.append(part)
        self.current = part
        return part

    def _listed(self, parsed: ParsedRow) -> tuple[str, ...]:
        """The numbers of the row's control-number cell; a warning for what is not one."""
        cell = parsed.values.get("control_numbers")
        if cell is None:
            return ()
        reading = read_control_numbers(cell, cell=True)
        kept = (
            _("the cell's other numbers are kept ({numbers})").format(
                numbers=", ".join(reading.numbers)
            )
            if reading.numbers
            else _("no number was read from the cell")
        )
        for problem in reading.problems:
            self._warn(
                problem.rule,
                f"{problem.describe()}; {kept}",
                parsed.row,
                field="control_numbers",
                value=cell,
            )
        return reading.numbers

    def _join(self, parsed: ParsedRow, listed: tuple[str, ...]) -> None:
        """A row under a serial cell merged down from the entry above: the entry goes on."""
        held = self._held
        assert held is not None
        values = parsed.values
        if self._subs:
            self._subs.append_text(values.get("description") or "", listed)
        else:
            held.control_numbers = tuple(dict.fromkeys((*held.control_numbers, *listed)))
            for name in ("description", "description_en", "note"):
                more = values.get(name)
                if more:
                    before = getattr(held, name)
                    setattr(held, name, f"{before} {more}" if before else more)
        self._warn(
            "continued-row",
            _(
                "the row continues entry {entry} (a cell merged down from the row above, or a "
                "row cut by a page break); its text was joined to that entry"
            ).format(entry=_entry_name(held)),
            parsed.row,
        )

    def _unplaced(self, parsed: ParsedRow) -> None:
        """A row with text that is no entry, sub-item or continuation: said, never counted."""
        text = next((value for value in parsed.values.values() if value), "")
        shown = text if len(text) <= 40 else f"{text[:39]}…"
        self._warn(
            "unplaced-row",
            _(
                'the row holds "{text}" but no serial, no HS code and no sub-item label, and '
                "continues no entry above it; it was left out and not counted as an entry"
            ).format(text=shown),
            parsed.row,
        )

    def _continues(self, parsed: ParsedRow) -> bool:
        held = self._held
        if held is None or held.code is not None or not self._subs or parsed.code is not None:
            return False
        values = parsed.values
        return values.get("description") is not None and all(
            value is None for name, value in values.items() if name != "description"
        )

    def _release(self) -> Iterator[ItemRecord]:
        item = self._held
        if item is None:
            return
        self._held = None
        subs = self._subs.sub_items()
        self._subs = Outline()
        if item.code is None and not subs:
            subs = _inline_sub_items(item)
        item.sub_items = subs
        texts = (item.description, item.description_en, item.note)
        # The entry's own control-number cell first (set when it was built), then its
        # texts, then its sub-items' at every depth.
        numbers = [*item.control_numbers]
        numbers += [n for text in texts for n in control_numbers(text)]
        numbers += [n for sub in item.every_sub_item() for n in sub.control_numbers]
        item.control_numbers = tuple(dict.fromkeys(numbers))
        assert self.current is not None
        if subs:
            # Every depth, as the rows read counted them (b.1.a. is a sub-item too).
            self.current.sub_items += sum(1 for _ in item.every_sub_item())
            self.current.with_sub_items += 1
        if item.code is None:
            every = (*texts, *(sub.full_text for sub in item.every_sub_item()))
            named = [code for text in every for code in mentioned_codes(text)]
            item.mentioned_codes = tuple(dict.fromkeys(named))
        assert self.current is not None
        self.current.entries += 1
        yield item


def _inline_sub_items(item: ItemRecord) -> tuple[SubItem, ...]:
    """Sub-items printed inside the entry's own cell, taken out of its descriptions."""
    korean = split_inline(item.description)
    if korean is None:
        return ()
    head, parts = korean
    english = split_inline(item.description_en)
    by_label = dict(english[1]) if english is not None else {}
    item.description = head or item.description
    if english is not None:
        item.description_en = english[0] or item.description_en
    subs = []
    for label, text in parts:
        in_english = by_label.get(label) or None
        numbers = [*control_numbers(text), *control_numbers(in_english)]
        subs.append(SubItem(label, text, tuple(dict.fromkeys(numbers)), in_english))
    return tuple(subs)


def _entry_name(item: ItemRecord) -> str:
    return _("No. {serial}").format(serial=item.serial) if item.serial else _("above")


def _sub_item(parsed: ParsedRow) -> tuple[Label, str, str | None] | None:
    """The label, text and English text of the sub-item a row holds (see the module's
    decisions), or ``None``."""
    if parsed.code is not None:
        return None
    values = parsed.values
    description = values.get("description")
    serial = values.get("serial")
    label: Label | None = None
    text = description or ""
    if serial is not None:
        label = parse_label(serial)
        if (
            label is None
            or label.rest
            or isinstance(parse_serial(serial), Serial)
            or label.steps[0].kind == "digit"
        ):
            return None
    elif description is not None:
        label = parse_label(description)
        if label is None:
            return None
        text = label.rest
    if label is None:
        return None
    english = values.get("description_en")
    if english:
        split = parse_label(english)
        english = split.rest if split is not None else english
    return label, text, english or None


def entries(count: int) -> str:
    """``1 entry``, ``1,402 entries``."""
    return ngettext("{count:,} entry", "{count:,} entries", count).format(count=count)


def listing(parts: Iterable[Part]) -> str:
    """Parts for messages: ``1 "이란·…" (22 entries), 2 "러시아·…" (1,402 entries)``."""
    return ", ".join(f"{part_name(p.number, p.title)} ({entries(p.entries)})" for p in parts)


class Choice:
    """The part ``--section`` asks for: by its number (``2``) or a word of its title.

    A word matches when it is in the title, both NFKC-folded, case-folded and
    without spaces (``러시아`` in ``러시아·벨라루스 상황허가 대상 품목``). Without
    ``--section`` every part is kept.
    """

    def __init__(self, text: str | None) -> None:
        self.text = text
        folded = fold_title(text) if text is not None else ""
        self._number = int(folded) if folded.isdigit() else None
        self._word = folded

    def keeps(self, part: Part | None) -> bool:
        """Whether entries of ``part`` are kept (always without ``--section``)."""
        if self.text is None or part is None:
            return True
        if self._number is not None:
            return part.number == self._number
        return bool(self._word) and self._word in fold_title(part.title)

    def check(self, parts: Sequence[Part], table: Table) -> list[Part]:
        """The parts kept, once every row is read.

        Raises:
            InputError: ``--section`` matches no part, or several.
        """
        kept = [part for part in parts if self.keeps(part)]
        if self.text is None or len(kept) == 1:
            return kept
        message = (
            _(
                '--section "{text}" matches no part; parts found: {parts}; give a part\'s number '
                "or a word of its title only it has"
            )
            if not kept
            else _(
                '--section "{text}" matches {count} parts; parts found: {parts}; give a part\'s '
                "number or a word of its title only it has"
            )
        )
        raise InputError(
            message.format(text=self.text, count=len(kept), parts=listing(parts)),
            file=table.file,
            sheet=table.sheet,
        )


def base_parts(items: Iterable[ItemRecord], sections: Mapping[int, str] | None) -> dict[int, str]:
    """A base version's parts, number -> title: its sections, else its items' part numbers."""
    if sections:
        return dict(sections)
    return dict.fromkeys(sorted({item.section for item in items}), "")


def matching_part(titles: Mapping[int, str], part: Part) -> int | None:
    """The number of the base's part that ``part`` revises as it is read, or ``None``.

    :func:`exportctl.identity.pair_parts` with ``part`` alone on the new side and its
    entries not yet read: a base of one part, else the part of the same title,
    else of the same number (used by ``--additions``, which adds to one part).
    """
    pairs = pair_parts(
        {number: PartSide(title) for number, title in titles.items()},
        {part.number: PartSide(part.title)},
    )
    return next(iter(pairs), None)


@dataclass(frozen=True)
class PairedBase:
    """The base's entries each part of a new version revises (see :func:`paired_bases`)."""

    by_part: dict[int, list[ItemRecord]]
    """New part number -> the base entries of the part it revises; ``[]`` for a part
    that revises none (all its entries are new)."""
    unpaired: dict[int, list[ItemRecord]]
    """Base parts that no new part revises, by number (all their entries are gone)."""


def paired_bases(
    items: Sequence[ItemRecord], titles: Mapping[int, str], new: Mapping[int, PartSide]
) -> PairedBase:
    """Pair the new version's parts with the base's by the one rule ``diff`` uses.

    Args:
        items: The base version's entries.
        titles: Its parts, number -> title (:func:`base_parts`).
        new: The new version's parts with entries, by number: title and entry keys.
    """
    by_number: dict[int, list[ItemRecord]] = {}
    for item in items:
        by_number.setdefault(item.section, []).append(item)
    # Parts that hold no entry pair with nothing, as in diff (a part left out on import).
    old = {
        number: PartSide(
            titles.get(number, ""), frozenset(item_key(item, in_part=True) for item in found)
        )
        for number, found in by_number.items()
    }
    pairs = pair_parts(old, new)
    back = {after: before for before, after in pairs.items()}
    return PairedBase(
        {number: by_number[back[number]] if number in back else [] for number in new},
        {number: found for number, found in by_number.items() if number not in pairs},
    )
