"""Rules over parsed rows and declared counts, collected into a ``ValidationReport``.

Nothing here raises for a bad row: every problem becomes a :class:`Finding`
pointing at its file, sheet, row and column. ``error`` findings keep a file
from becoming a version; ``warning`` findings are reported and stored in the
audit detail.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from exportctl.annex import Serial, parse_serial, serial_findings
from exportctl.entries import Assembler
from exportctl.hscode import (
    CodeProblem,
    ColumnProfile,
    CoverageIndex,
    HSCode,
    Nomenclature,
    Span,
    learn_ahead,
)
from exportctl.i18n import _
from exportctl.identity import Declared as Declared  # the import API has always named it here
from exportctl.identity import Keys, item_key, serial_key
from exportctl.models import Finding, ItemRecord, Severity
from exportctl.readers import LIST_SCHEMA, ParsedRow, Table

if TYPE_CHECKING:
    from exportctl.profiles import Profile

_LIST_FIELD_COUNT = len(LIST_SCHEMA.fields)


def _written(code: str, end: str | None) -> str:
    """The code as listed (a range: both ends), to find an entry listed twice in a file.

    Not the entry's identity across versions (:mod:`exportctl.identity`): a range and
    the single code it starts with are two entries of one file, though either may be
    the other's revision in the next version.
    """
    return code if end is None else f"{code}-{end}"


def _same(fallback: str | None) -> str | None:
    """An import keeps only each entry's serial key (:class:`~exportctl.identity.Keys`)."""
    return fallback


class _Collector:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.findings: list[Finding] = []

    def add(
        self,
        severity: Severity,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        value: str | None = None,
        sheet: bool = True,
    ) -> None:
        column = self.table.columns.get(field) if field else None
        self.findings.append(
            Finding(
                severity=severity,
                rule=rule,
                message=message,
                file=self.table.file,
                sheet=self.table.sheet if sheet else None,
                row=row,
                column=column,
                value=value,
                place=self.table.places.get(row) if row is not None else None,
            )
        )


def build_items(
    table: Table, rows: Iterable[ParsedRow], out: _Collector, nomenclature: Nomenclature
) -> Iterator[ItemRecord]:
    """Turn parsed rows into entries, recording a finding for every problem met.

    Parts, sub-items and continuation lines are read as :class:`exportctl.entries.Assembler`
    says; every part is kept.
    """
    profile, rows = learn_ahead(rows, operator.attrgetter("code"))

    def warn(
        rule: str, message: str, row: int, *, field: str | None = None, value: str | None = None
    ) -> None:
        out.add("warning", rule, message, row=row, field=field, value=value)

    assembler = Assembler(
        lambda parsed: _build_item(table, parsed, profile, out, nomenclature),
        warn,
        serials="serial" in table.columns,
    )
    return assembler.items(rows)


def _build_item(
    table: Table,
    parsed: ParsedRow,
    profile: ColumnProfile,
    out: _Collector,
    nomenclature: Nomenclature,
) -> ItemRecord | None:
    values = parsed.values
    row = parsed.row
    for name, value in values.items():
        if value and "\x00" in value:
            # No database column holds a NUL (PostgreSQL refuses it outright).
            out.add(
                "error",
                "nul-character",
                _(
                    "the cell holds a NUL character (\\x00), which no record can keep; "
                    "remove it from the file"
                ),
                row=row,
                field=name,
                value=value.replace("\x00", "\\x00"),
            )
            return None
    raw_code = parsed.code.text if parsed.code is not None else None
    code: str | None = None
    code_end: str | None = None
    level: int | None = None
    ex = False
    result = profile.normalise(parsed.code) if parsed.code is not None else None
    if isinstance(result, HSCode):
        code, code_end, level, ex = result.digits, result.end, result.level, result.ex
        if result.recovered:
            out.add(
                "warning",
                "code-recovered",
                _('"{raw}" read as {code}: {how}').format(
                    raw=raw_code, code=result.dotted(), how=result.recovered
                ),
                row=row,
                field="code",
                value=raw_code,
            )
        unknown = next((c for c in (code, code_end) if c and not nomenclature.known(c)), None)
        if unknown is not None:
            older = Nomenclature.load("2017").known(unknown)
            message = (
                _("{code} is not a known HS heading: it is in HS 2017 but not in HS 2022")
                if older
                else _("{code} is not a known HS heading: it is not in HS 2022")
            )
            out.add(
                "warning",
                "unknown-code",
                message.format(code=HSCode(unknown).dotted()),
                row=row,
                field="code",
                value=raw_code,
            )
    elif isinstance(result, CodeProblem):
        if result.kind == "not-a-code":
            out.add(
                "warning",
                "no-code",
                _(
                    '"{raw}" in the code column is not an HS code; the item is kept as defined '
                    "by its name"
                ).format(raw=result.raw),
                row=row,
                field="code",
                value=result.raw,
            )
        else:
            out.add(
                "error",
                f"{result.kind}-code",
                result.reason
                if result.raw in result.reason
                else _('"{raw}": {reason}').format(raw=result.raw, reason=result.reason),
                row=row,
                field="code",
                value=result.raw,
            )
            code = None
    # Values come from readers.cells.cell_text: stripped, whitespace collapsed, None if blank.
    description = values.get("description") or ""
    description_en = values.get("description_en")
    if code is None and not description and not description_en:
        if isinstance(result, CodeProblem) and result.kind != "not-a-code":
            return None
        out.add(
            "error",
            "empty-item",
            _("the row has neither an HS code nor a description"),
            row=row,
            field="description",
        )
        return None
    raw_serial = values.get("serial")
    serial: str | None = None
    # Most serials are plain numbers as printed: no need to parse them.
    if raw_serial and raw_serial.isdigit() and raw_serial.isascii() and raw_serial[0] != "0":
        serial_value: Serial | str | None = None
        serial = raw_serial
    else:
        serial_value = parse_serial(raw_serial)
    if isinstance(serial_value, str):
        out.add(
            "warning",
            "malformed-serial",
            _(
                'serial number "{serial}" is neither a number nor a branch number such as 3의2; '
                "kept without a serial"
            ).format(serial=serial_value),
            row=row,
            field="serial",
            value=serial_value,
        )
    elif serial_value is not None:
        serial = serial_value.text
    return ItemRecord(
        serial=serial,
        code=code,
        level=level,
        ex=ex,
        description=description or (description_en or ""),
        description_en=description_en,
        # Categories repeat on every row; one shared string each saves memory on large lists.
        category=_intern(values.get("category")),
        note=values.get("note"),
        sheet=parsed.place or table.sheet or "",
        row=row,
        # Share the code's string when the cell already held exactly the digits.
        original_code=code if raw_code == code else raw_code,
        code_end=code_end,
        # Columns a list profile adds (CHPL tier, US price threshold), by attribute name.
        attributes={
            name: value
            for name, value in values.items()
            if value and name not in LIST_SCHEMA.fields
        }
        if len(values) > _LIST_FIELD_COUNT
        else {},
    )


def unmapped_findings(table: Table) -> list[Finding]:
    """A warning for each column of the header no field maps to."""
    out = _Collector(table)
    for header in table.unmapped:
        out.add(
            "warning",
            "unmapped-column",
            _('column "{header}" is not used (map it with --column FIELD="{header}")').format(
                header=header
            ),
        )
    return out.findings


def profile_findings(table: Table, profile: Profile, item: ItemRecord) -> list[Finding]:
    """What a list profile says about one entry: its code level, a range, its attributes.

    Warnings only: the profile states what the regime writes, so an entry that
    departs from it is shown to the officer, never refused.
    """
    # Nearly every entry of a large list departs in nothing: no collector made for it.
    if (
        (item.level is None or item.level in profile.code_levels)
        and (item.code_end is None or profile.ranges)
        and not (profile.attributes and item.attributes)
    ):
        return []
    out = _Collector(table)
    if item.level is not None and item.level not in profile.code_levels:
        levels = ", ".join(str(level) for level in profile.code_levels)
        out.add(
            "warning",
            "code-level",
            _(
                "{code} has {digits} digits; profile {profile} writes codes of {levels} digits"
            ).format(
                code=HSCode(item.code or "00").dotted(),
                digits=item.level,
                profile=profile.name,
                levels=levels,
            ),
            row=item.row,
            field="code",
            value=item.original_code,
        )
    if item.code_end is not None and not profile.ranges:
        out.add(
            "warning",
            "unexpected-range",
            _(
                "the range {range} is one entry, but profile {profile} writes no ranges; check "
                "the cell"
            ).format(range=item.original_code, profile=profile.name),
            row=item.row,
            field="code",
            value=item.original_code,
        )
    for attribute in profile.attributes:
        value = item.attributes.get(attribute.name)
        if attribute.values and value is not None and value not in attribute.values:
            out.add(
                "warning",
                "attribute-value",
                _('{label} "{value}" is not one of profile {profile}\'s: {values}').format(
                    label=attribute.label,
                    value=value,
                    profile=profile.name,
                    values=", ".join(attribute.values),
                ),
                row=item.row,
                field=attribute.name,
                value=value,
            )
    return out.findings


def _intern(text: str | None) -> str | None:
    return sys.intern(text) if text is not None else None


_BASE = -1
"""Row stand-in for an item of the base version (``--additions``)."""


class _Checks:
    """Duplicate codes and serials, overlapping entries and item keys, one item at a time.

    Keeps a few small values per item rather than the items, so that an import
    can hand its items on as they are built (``validate_table``'s ``sink``).
    Duplicates are found as items arrive; gaps in serials and overlaps once all
    have arrived (:meth:`finish`), since a shorter entry may come later.
    """

    def __init__(self, table: Table, *, keep_keys: bool) -> None:
        self.out = _Collector(table)
        self.count = 0
        self.coded = 0
        """Entries with an HS code (what a profile counting ``coded`` counts)."""
        self.keys: Keys | None = Keys() if keep_keys else None
        """Every entry's key within its part (:mod:`exportctl.identity`), when a base or a
        previous version is to be compared."""
        self._code_rows: dict[str, int] = {}
        self._serial_rows: dict[str, int] = {}
        # Plain serials as integers; only branch numbers (3의2) as Serial objects.
        self._plain: set[int] = set()
        self._branched: list[Serial] = []
        self._spans: list[Span] = []
        self._coded: list[tuple[Span, int, str | None]] = []

    def add(self, item: ItemRecord, *, from_base: bool = False) -> None:
        """Check one item against those before it (base items first)."""
        self.count += 1
        code = item.code
        if self.keys is not None:
            self.keys.add(item_key(item, in_part=True), serial_key(item, in_part=True))
        if code is not None:
            self.coded += 1
            span = Span(code, item.code_end, item.ex)
            self._spans.append(span)
            code = _written(code, item.code_end)
            first = self._code_rows.get(code)
            if first is None:
                self._code_rows[code] = _BASE if from_base else item.row
            elif not from_base:
                where = (
                    _("the base version") if first == _BASE else _("row {row}").format(row=first)
                )
                self.out.add(
                    "error",
                    "duplicate-code",
                    _("HS code {code} is listed twice (also at {where})").format(
                        code=code, where=where
                    ),
                    row=item.row,
                    field="code",
                    value=item.original_code,
                )
            if not from_base and item.level is not None:
                self._coded.append((span, item.row, item.original_code))
        serial = item.serial
        if serial is not None:
            # One check per part: each part of an annex numbers its entries from 1.
            first_row = self._serial_rows.get(serial)
            if first_row is None:
                self._serial_rows[serial] = item.row
                if serial.isdigit() and serial.isascii():
                    self._plain.add(int(serial))
                else:
                    parsed = parse_serial(serial)
                    if isinstance(parsed, Serial):
                        self._branched.append(parsed)
            elif not from_base:
                self.out.add(
                    "error",
                    "duplicate-serial",
                    _("serial number {serial} is used twice (also at row {row})").format(
                        serial=serial, row=first_row
                    ),
                    row=item.row,
                    field="serial",
                    value=serial,
                )

    def take_plain(self, count: int, coded: int, serials: Iterable[int]) -> None:
        """Take ``count`` entries at once (``coded`` with a code), known to hold no
        duplicate, no range and no branch number, whose serials are ``serials``
        (the columnar import, :mod:`exportctl.listcolumns`)."""
        self.count += count
        self.coded += coded
        self._plain.update(serials)

    def finish(self) -> list[Finding]:
        """Gaps in serials (warning) and entries covered by a shorter one (warning)."""
        if self._plain or self._branched:
            for found in serial_findings(self._branched, self._plain):
                if found.rule == "duplicate-serial":
                    continue  # reported row by row as items arrive
                self.out.add("warning", found.rule, found.message, field="serial")
        if not self._coded:
            return self.out.findings
        index = CoverageIndex((span, span) for span in self._spans)
        for span, row, original in self._coded:
            parent = _covered_by(index, span)
            if parent is not None:
                self.out.add(
                    "warning",
                    "overlapping-code",
                    _("HS code {code} is already covered by the entry {entry}").format(
                        code=_span_key(span), entry=_span_key(parent)
                    ),
                    row=row,
                    field="code",
                    value=original,
                )
        return self.out.findings


def _span_key(span: Span) -> str:
    return span.start if span.end is None else f"{span.start}-{span.end}"


def _covered_by(index: CoverageIndex[Span], span: Span) -> Span | None:
    """The shortest other entry whose coverage holds all of ``span``'s, if any."""
    for other, _count in index.covering(span.start):
        if other.start == span.start and other.end == span.end:
            continue  # the entry itself, or a duplicate (reported as one)
        if span.end is None or other.covers(span.end):
            return other
    return None


def columns_lost(table: Table, label: str, before: Mapping[str, str]) -> list[Finding]:
    """A warning naming the columns the earlier version had and this file lacks.

    Args:
        table: The file being imported.
        label: The earlier version (the base, or the one in force before).
        before: That version's field → header as written in its file.
    """
    gone = [(name, header) for name, header in before.items() if name not in table.columns]
    if not gone:
        return []
    named = ", ".join(f'"{header}" ({name})' for name, header in gone)
    return [
        Finding(
            severity="warning",
            rule="columns-lost",
            message=_(
                'this file lacks columns that version "{label}" had: {columns}; its items are '
                "stored without them (map a differently named column with --column FIELD=HEADER)"
            ).format(label=label, columns=named),
            file=table.file,
            sheet=table.sheet,
        )
    ]
