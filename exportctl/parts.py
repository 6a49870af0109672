"""Validating an annex part by part: choosing parts, their declared counts and their base.

An annex holds several parts, each numbered from 1 (``1. 이란·파키스탄·시리아 관련 …``,
``2. 러시아·벨라루스 …``). :func:`validate_annex` reads the whole table once, keeps
the parts asked for (``--section``), and checks each kept part on its own against
what the notice declares for it and against the same part of the base version.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from exportctl.entries import (
    Assembler,
    Choice,
    PairedBase,
    Part,
    base_parts,
    entries,
    listing,
    matching_part,
    paired_bases,
    part_name,
)
from exportctl.errors import InputError
from exportctl.hscode import Nomenclature, learn_ahead
from exportctl.i18n import _
from exportctl.identity import Keys, PartSide, named
from exportctl.models import ItemRecord, ValidationReport
from exportctl.readers import ParsedRow, Table
from exportctl.reconcile import Previous, guard_against_base, reconcile
from exportctl.structure import Structure, structure_of
from exportctl.validate import Declared, _build_item, _Checks, _Collector, unmapped_findings

__all__ = ["AnnexReport", "PartReport", "declared_for", "validate_annex", "validate_table"]


@dataclass(frozen=True, slots=True)
class PartReport:
    """One part of the annex after validation.

    Attributes:
        number: Its number as stored (with ``--additions``, the base part's number).
        title: Its title; empty when the file has no part titles.
        count: Entries stored in it (base entries included with ``--additions``).
        read: Entries read from the file in it.
        stored: False for a part left out by ``--section``.
        declared: What the notice declares for it.
    """

    number: int
    title: str
    count: int
    read: int
    stored: bool
    declared: Declared = Declared()


@dataclass(slots=True)
class AnnexReport:
    """A validation report with the parts of the annex it covers."""

    report: ValidationReport
    """Findings and counts over the parts stored."""
    parts: list[PartReport]
    """Every part, in file order (with ``--additions``, the base's other parts after)."""
    structure: Structure | None = None
    """How the file was understood: its header's columns and what each row was read as."""

    @property
    def stored(self) -> list[PartReport]:
        """The parts stored (or to be stored)."""
        return [part for part in self.parts if part.stored]


def validate_annex(
    table: Table,
    *,
    declared: Declared | None = None,
    base_items: Sequence[ItemRecord] | None = None,
    base_label: str | None = None,
    additions: bool = False,
    nomenclature: Nomenclature | None = None,
    sink: Callable[[ItemRecord], None] | None = None,
    previous: Previous | None = None,
    section: str | None = None,
    declared_parts: Mapping[int, Declared] | None = None,
    base_sections: Mapping[int, str] | None = None,
    counting: str = "entries",
) -> AnnexReport:
    """Read every row of ``table``, build its entries part by part and collect findings.

    Each part of the annex numbers its entries from 1 and is checked on its own:
    serials, duplicate codes, the declared counts, and the change against the
    same part of the base (matched by title, else by number; a base of one part
    is the base of whichever part is stored).

    Args:
        table: An opened table from :func:`exportctl.readers.read_table`.
        declared: Counts from the notice, for the one part stored.
        base_items: Items of the base version, when one is given.
        base_label: Label of the base version, for messages.
        additions: The file holds only additions: the result is base + rows, the
            rows going into the base's matching part.
        nomenclature: HS edition to check codes against (HS 2022 by default).
        sink: Called with each item of the version, in order (the base items first
            with ``additions``), as it is built; the items are then not kept in
            ``report.items``. An import stores them this way, so a large file
            never holds all its items in memory.
        previous: Without ``base_items``, the version in force before this one,
            checked only by the guard against a file of additions stored as a
            complete list (:func:`guard_against_base`).
        section: Keep only the part with this number (``"2"``) or with this word
            in its title (``"러시아"``); the others are read, counted and left out.
        declared_parts: Counts from the notice by part number (``--declared-total 2=1402``).
        base_sections: The base version's parts, number -> title.
        counting: What the declared counts count, as the list profile says:
            ``entries`` (every entry) or ``coded`` (entries with an HS code only).

    Returns:
        The report (``report.items`` is what would be stored, empty with a
        ``sink``) and the parts.

    Raises:
        InputError: ``section`` matches no part or several; ``declared_parts``
            names a part not stored; plain ``declared`` counts with several parts
            stored; ``additions`` with several parts stored.
    """
    declared = declared or Declared()
    nomenclature = nomenclature or Nomenclature.load("2022")
    out = _Collector(table)
    muted = _Collector(table)
    out.findings.extend(unmapped_findings(table))
    kept: list[ItemRecord] = []
    emit = sink if sink is not None else kept.append
    compared = (
        Previous(base_label, base_items, named=True, sections=base_sections)
        if base_items is not None
        else previous
    )
    choice = Choice(section)
    keep_keys = compared is not None
    checks: dict[int, _Checks] = {}

    def checks_of(number: int) -> _Checks:
        found = checks.get(number)
        if found is None:
            found = checks[number] = _Checks(table, keep_keys=keep_keys)
        return found

    on_base = additions and base_items is not None
    titles = base_parts(base_items or (), base_sections)
    if on_base:
        assert base_items is not None
        for item in base_items:
            checks_of(item.section).add(item, from_base=True)
            emit(item)
    profile, rows = learn_ahead(table.rows, operator.attrgetter("code"))
    assembler: Assembler

    def build(parsed: ParsedRow) -> ItemRecord | None:
        into = out if choice.keeps(assembler.current) else muted
        return _build_item(table, parsed, profile, into, nomenclature)

    def warn(
        rule: str, message: str, row: int, *, field: str | None = None, value: str | None = None
    ) -> None:
        into = out if choice.keeps(assembler.current) else muted
        into.add("warning", rule, message, row=row, field=field, value=value)

    assembler = Assembler(build, warn, serials="serial" in table.columns)
    stored_as: dict[int, int] = {}
    first_serials: dict[int, str | None] = {}
    rows_read = 0
    for item in assembler.items(rows):
        part = assembler.current
        if not choice.keeps(part):
            continue
        assert part is not None
        number = stored_as.get(part.number)
        if number is None:
            matched = matching_part(titles, part) if on_base else None
            number = stored_as[part.number] = matched if matched is not None else part.number
            first_serials[number] = item.serial
        item.section = number
        rows_read += 1
        checks_of(number).add(item)
        emit(item)
    # Readers add some notes (skipped rows, formulas) only once every row is read.
    for note in table.notes:
        out.add("warning", note.rule, note.message, sheet=note.sheet is not None)
    stored = choice.check(assembler.parts, table)
    for part in assembler.parts:
        if part not in stored:
            out.add(
                "warning",
                "section-left-out",
                _("{part} ({entries}) was read and left out: not in --section {section}").format(
                    part=part_name(part.number, part.title),
                    entries=entries(part.entries),
                    section=section,
                ),
                row=part.row,
            )
    if additions and len(stored) > 1:
        raise InputError(
            _(
                "--additions adds to one part, but the file has {count}: {parts}; choose one "
                "with --section"
            ).format(count=len(stored), parts=listing(stored)),
            file=table.file,
            sheet=table.sheet,
        )
    if rows_read == 0 and not on_base and not _declared_empty(declared, declared_parts):
        # A version with no entries would clear every product screened against it.
        out.add(
            "error",
            "no-items",
            _(
                "no entry was read under the header (every row was empty, a footnote or left "
                "out); if the notice really declares an empty list, give --declared-total 0"
            ),
        )
    if additions and not on_base:
        out.add("error", "no-base", _("--additions needs --base: the version it adds to"))
    report = ValidationReport(
        file=table.file,
        sheet=table.sheet,
        items=kept,
        rows_read=rows_read,
        item_count=sum(c.count for c in checks.values()),
    )
    for each in checks.values():
        out.findings.extend(each.finish())
    wanted = declared_for(stored, declared, declared_parts or {}, table)
    # The base's parts paired with the stored ones by the rule diff uses, so the
    # import's added and removed are diff's (exportctl.identity.pair_parts).
    sides = {
        part.number: _side(part, checks.get(stored_as.get(part.number, part.number)))
        for part in stored
    }
    bases = paired_bases(base_items, titles, sides) if base_items is not None else None
    guards = (
        paired_bases(compared.items, base_parts(compared.items, compared.sections), sides)
        if compared is not None and not additions
        else None
    )
    changes: list[tuple[int, int]] = []
    parts: list[PartReport] = []
    several = len(stored) > 1
    for part in assembler.parts:
        if part not in stored:
            parts.append(PartReport(part.number, part.title, 0, part.entries, False))
            continue
        number = stored_as.get(part.number, part.number)
        part_checks = checks.get(number) or _Checks(table, keep_keys=keep_keys)
        prefix = f"{part_name(part.number, part.title)}: " if several else ""
        part_base = None
        if bases is not None:
            part_base = bases.by_part.get(part.number, [])
            if not part_base and base_items and not on_base:
                out.add(
                    "warning",
                    "no-base-section",
                    prefix
                    + _('"{base}" has no part like {part}; its {entries} count as added').format(
                        base=base_label,
                        part=part_name(part.number, part.title),
                        entries=entries(part_checks.count),
                    ),
                )
        count, counted_base, counted_keys = part_checks.count, part_base, part_checks.keys
        if counting == "coded":
            # The regime's totals count coded entries only (the list profile says so).
            count = part_checks.coded
            if part_base is not None:
                counted_base = [item for item in part_base if item.code]
            if counted_keys is not None:
                counted_keys = Keys(
                    {key: f for key, f in counted_keys.fallbacks.items() if not named(key)}
                )
        found = reconcile(
            out,
            wanted[part.number],
            count,
            counted_base,
            base_label,
            counted_keys,
            part=prefix,
        )
        if found is not None:
            changes.append(found)
        if compared is not None and guards is not None and part_checks.keys is not None:
            guard_items = guards.by_part.get(part.number)
            if guard_items:
                guard_against_base(
                    out,
                    Previous(compared.label, guard_items, compared.named),
                    part_checks.keys,
                    first_serials.get(number),
                    wanted[part.number],
                )
        title = part.title or (titles.get(number, "") if on_base else "")
        parts.append(
            PartReport(number, title, part_checks.count, part.entries, True, wanted[part.number])
        )
    if bases is not None and not additions:
        changes.extend(_dropped(out, bases, titles, base_label))
    if changes:
        report.added = sum(added for added, _ in changes)
        report.removed = sum(removed for _, removed in changes)
    # With --additions, the base's other parts are carried over unchanged.
    for number, each in checks.items():
        if number not in stored_as.values():
            parts.append(PartReport(number, titles.get(number, ""), each.count, 0, True))
    severity_order = {"error": 0, "warning": 1}
    report.findings = sorted(out.findings, key=lambda f: (severity_order[f.severity], f.row or 0))
    structure = structure_of(
        table.header_rows, table.mapping, assembler.rows, table.skipped, assembler.parts
    )
    return AnnexReport(report, parts, structure)


def _side(part: Part, checks: _Checks | None) -> PartSide:
    """A stored part as :func:`~exportctl.identity.pair_parts` sees it."""
    keys = checks.keys if checks is not None else None
    return PartSide(part.title, frozenset(keys.fallbacks) if keys is not None else frozenset())


def _dropped(
    out: _Collector, bases: PairedBase, titles: Mapping[int, str], base_label: str | None
) -> list[tuple[int, int]]:
    """The base's parts that no part of the file revises: their entries are removed.

    ``diff`` counts them removed, so the import says so and counts them too.
    """
    found: list[tuple[int, int]] = []
    for number, items in bases.unpaired.items():
        out.add(
            "warning",
            "base-part-dropped",
            _(
                '"{base}" has {part} ({entries}), which this version does not: they count as '
                "removed"
            ).format(
                base=base_label,
                part=part_name(number, titles.get(number, "")),
                entries=entries(len(items)),
            ),
        )
        found.append((0, len(items)))
    return found


def declared_for(
    stored: Sequence[Part],
    declared: Declared,
    by_part: Mapping[int, Declared],
    table: Table,
) -> dict[int, Declared]:
    """What the notice declares for each part stored, by part number.

    Plain counts (``--declared-total 1402``) are for the one part stored; counts
    by part (``--declared-total 2=1402``) for the part of that number.

    Raises:
        InputError: Plain counts with several parts stored, or counts for a part
            that is not stored.
    """
    numbers = {part.number for part in stored}
    unknown = sorted(set(by_part) - numbers)
    if unknown:
        raise InputError(
            _(
                "declared counts are given for part {number}, which is not stored; parts "
                "stored: {parts}"
            ).format(number=unknown[0], parts=listing(stored)),
            file=table.file,
            sheet=table.sheet,
        )
    plain = declared != Declared()
    if plain and len(stored) > 1:
        raise InputError(
            _(
                "the file has {count} parts ({parts}), so a plain declared count cannot tell "
                "which it is for: give it per part (--declared-total 2=1402) or choose one part "
                "with --section"
            ).format(count=len(stored), parts=listing(stored)),
            file=table.file,
            sheet=table.sheet,
        )
    found: dict[int, Declared] = {}
    for part in stored:
        mine = by_part.get(part.number, Declared())
        found[part.number] = Declared(
            mine.total if mine.total is not None else declared.total,
            mine.added if mine.added is not None else declared.added,
            mine.removed if mine.removed is not None else declared.removed,
        )
    return found


def _declared_empty(declared: Declared, declared_parts: Mapping[int, Declared] | None) -> bool:
    """Whether the notice says the list is empty (``--declared-total 0``)."""
    totals = [declared.total, *(d.total for d in (declared_parts or {}).values())]
    given = [total for total in totals if total is not None]
    return bool(given) and not any(given)


def validate_table(
    table: Table,
    *,
    declared: Declared | None = None,
    base_items: Sequence[ItemRecord] | None = None,
    base_label: str | None = None,
    additions: bool = False,
    nomenclature: Nomenclature | None = None,
    sink: Callable[[ItemRecord], None] | None = None,
    previous: Previous | None = None,
) -> ValidationReport:
    """Read every row of ``table``, build items and collect findings (every part kept).

    Example:
        >>> report = validate_table(read_table(path, LIST_SCHEMA), declared=Declared(1159))
        >>> report.valid, len(report.items)
    """
    return validate_annex(
        table,
        declared=declared,
        base_items=base_items,
        base_label=base_label,
        additions=additions,
        nomenclature=nomenclature,
        sink=sink,
        previous=previous,
    ).report
