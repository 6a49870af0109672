"""Rules over parsed rows and declared counts, collected into a ``ValidationReport``.

Nothing here raises for a bad row: every problem becomes a :class:`Finding`
pointing at its file, sheet, row and column. ``error`` findings keep a file
from becoming a version; ``warning`` findings are reported and stored in the
audit detail.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from exportctl.annex import Serial, parse_serial, serial_findings
from exportctl.hscode import (
    CodeProblem,
    ColumnProfile,
    HSCode,
    Nomenclature,
    learn_ahead,
)
from exportctl.models import Finding, ItemRecord, Severity, ValidationReport
from exportctl.readers import ParsedRow, Table


@dataclass(frozen=True, slots=True)
class Declared:
    """Counts the notice declares, all optional."""

    total: int | None = None
    added: int | None = None
    removed: int | None = None


def item_key(item: ItemRecord) -> str:
    """Identity of an item across versions: its code, or its description when it has none."""
    return item.code if item.code else "name:" + " ".join(item.description.split())


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
            )
        )


def build_items(
    table: Table, rows: Iterable[ParsedRow], out: _Collector, nomenclature: Nomenclature
) -> Iterator[ItemRecord]:
    """Turn parsed rows into items, recording a finding for every problem met."""
    profile, rows = learn_ahead(rows, operator.attrgetter("code"))
    for parsed in rows:
        item = _build_item(table, parsed, profile, out, nomenclature)
        if item is not None:
            yield item


def _build_item(
    table: Table,
    parsed: ParsedRow,
    profile: ColumnProfile,
    out: _Collector,
    nomenclature: Nomenclature,
) -> ItemRecord | None:
    values = parsed.values
    row = parsed.row
    raw_code = parsed.code.text if parsed.code is not None else None
    code: str | None = None
    level: int | None = None
    ex = False
    result = profile.normalise(parsed.code) if parsed.code is not None else None
    if isinstance(result, HSCode):
        code, level, ex = result.digits, result.level, result.ex
        if result.recovered:
            out.add(
                "warning",
                "code-recovered",
                f'"{raw_code}" read as {result.dotted()}: {result.recovered}',
                row=row,
                field="code",
                value=raw_code,
            )
        if not nomenclature.known(code):
            older = Nomenclature.load("2017").known(code)
            where = "it is in HS 2017 but not in HS 2022" if older else "it is not in HS 2022"
            out.add(
                "warning",
                "unknown-code",
                f"{result.dotted()} is not a known HS heading: {where}",
                row=row,
                field="code",
                value=raw_code,
            )
    elif isinstance(result, CodeProblem):
        if result.kind == "not-a-code":
            out.add(
                "warning",
                "no-code",
                f'"{result.raw}" in the code column is not an HS code; the item is kept '
                "as defined by its name",
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
                else f'"{result.raw}": {result.reason}',
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
            "the row has neither an HS code nor a description",
            row=row,
            field="description",
        )
        return None
    serial_value = parse_serial(values.get("serial"))
    serial: str | None = None
    if isinstance(serial_value, str):
        out.add(
            "warning",
            "malformed-serial",
            f'serial number "{serial_value}" is neither a number nor a branch number such as '
            "3의2; kept without a serial",
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
        sheet=table.sheet or "",
        row=row,
        # Share the code's string when the cell already held exactly the digits.
        original_code=code if raw_code == code else raw_code,
    )


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
        self.keys: set[str] | None = set() if keep_keys else None
        self._code_rows: dict[str, int] = {}
        self._serial_rows: dict[tuple[int, str], int] = {}
        self._serials: dict[int, list[Serial]] = {}
        self._coded: list[tuple[str, int, str | None]] = []

    def add(self, item: ItemRecord, *, from_base: bool = False) -> None:
        """Check one item against those before it (base items first)."""
        self.count += 1
        code = item.code
        if self.keys is not None:
            self.keys.add(item_key(item))
        if code is not None:
            first = self._code_rows.get(code)
            if first is None:
                self._code_rows[code] = _BASE if from_base else item.row
            elif not from_base:
                where = "the base version" if first == _BASE else f"row {first}"
                self.out.add(
                    "error",
                    "duplicate-code",
                    f"HS code {code} is listed twice (also at {where})",
                    row=item.row,
                    field="code",
                    value=item.original_code,
                )
            if not from_base and item.level is not None:
                self._coded.append((code, item.row, item.original_code))
        serial = item.serial
        if serial is not None:
            # Each part of an annex numbers its entries from 1.
            key = (item.section, serial)
            first_row = self._serial_rows.get(key)
            if first_row is None:
                self._serial_rows[key] = item.row
                parsed = parse_serial(serial)
                if isinstance(parsed, Serial):
                    self._serials.setdefault(item.section, []).append(parsed)
            elif not from_base:
                self.out.add(
                    "error",
                    "duplicate-serial",
                    f"serial number {serial} is used twice (also at row {first_row})",
                    row=item.row,
                    field="serial",
                    value=serial,
                )

    def finish(self) -> list[Finding]:
        """Gaps in serials (warning) and entries covered by a shorter one (warning)."""
        for serials in self._serials.values():
            for found in serial_findings(serials):
                if found.rule == "duplicate-serial":
                    continue  # reported row by row as items arrive
                self.out.add("warning", found.rule, found.message, field="serial")
        codes = self._code_rows
        for code, row, original in self._coded:
            for cut in (2, 4, 6, 8):
                if cut >= len(code):
                    break
                parent = code[:cut]
                if parent in codes:
                    self.out.add(
                        "warning",
                        "overlapping-code",
                        f"HS code {code} is already covered by the entry {parent}",
                        row=row,
                        field="code",
                        value=original,
                    )
                    break
        return self.out.findings


def reconcile(
    report: ValidationReport,
    out: _Collector,
    declared: Declared,
    base_items: Sequence[ItemRecord] | None,
    base_label: str | None,
    new_keys: set[str] | None,
) -> None:
    """Compare the item count and the change against the base with what the notice declares.

    ``new_keys`` are the :func:`item_key` of every item of the version (needed when
    ``base_items`` is given).
    """
    count = report.item_count
    if declared.total is not None and declared.total != count:
        out.add(
            "error",
            "count-mismatch",
            f"the version has {count:,} items but the notice declares {declared.total:,}; "
            "a truncated or wrong file is never stored",
            sheet=True,
        )
    if base_items is None:
        if declared.added is not None or declared.removed is not None:
            out.add(
                "warning",
                "no-base",
                "declared added/removed counts are only checked against a base version; "
                "give --base",
            )
        return
    old_keys = {item_key(i) for i in base_items}
    assert new_keys is not None
    added = len(new_keys - old_keys)
    removed = len(old_keys - new_keys)
    report.added, report.removed = added, removed
    base_count = len(base_items)
    label = f'"{base_label}"' if base_label else "the base"
    if declared.added is not None and declared.added != added:
        out.add(
            "warning",
            "added-mismatch",
            f"the notice declares {declared.added:,} added items but {added:,} are new "
            f"against {label} ({base_count:,} items before, {count:,} after, "
            f"{removed:,} removed)",
        )
    if declared.removed is not None and declared.removed != removed:
        out.add(
            "warning",
            "removed-mismatch",
            f"the notice declares {declared.removed:,} removed items but {removed:,} are gone "
            f"from {label} ({base_count:,} items before, {count:,} after, {added:,} added)",
        )
    if declared.total is not None and (declared.added is not None or declared.removed is not None):
        d_added = declared.added or 0
        d_removed = declared.removed or 0
        if base_count + d_added - d_removed != declared.total:
            out.add(
                "warning",
                "declared-sum",
                f"the declared figures do not add up: base {base_count:,} + added "
                f"{d_added:,} − removed {d_removed:,} = {base_count + d_added - d_removed:,}, "
                f"not the declared total {declared.total:,}",
            )


@dataclass(frozen=True, slots=True)
class Previous:
    """A version a new one is checked against: its ``--base``, or the one in force before it."""

    label: str | None
    """Its label, for messages."""
    items: Sequence[ItemRecord]
    """Its items."""
    named: bool = False
    """True when the user named it with ``--base``."""


REMOVAL_GUARD = 0.5
"""A complete list that would remove more than this share of its base is refused."""


def guard_against_base(
    out: _Collector,
    previous: Previous,
    new_keys: set[str],
    first_serial: str | None,
    declared: Declared,
) -> None:
    """Refuse a file of additions about to be stored as a complete list.

    Two signs, either enough: the file's serial numbers start right after the
    last serial of the base (an additions annex continues the numbering), or the
    new version would remove more than half of the base. The user overrides with
    ``--additions`` (the file is additions) or a ``--declared-removed`` equal to
    the removals found (the notice really removes them).
    """
    old_keys = {item_key(i) for i in previous.items}
    if not old_keys:
        return
    removed = len(old_keys - new_keys)
    if declared.removed is not None and declared.removed == removed:
        return
    numbers = [
        parsed.number
        for i in previous.items
        if i.serial is not None and isinstance(parsed := parse_serial(i.serial), Serial)
    ]
    last = max(numbers) if numbers else None
    first = parse_serial(first_serial)
    first_number = first.number if isinstance(first, Serial) and not first.branches else None
    continues = last is not None and first_number is not None and first_number == last + 1
    removes_most = removed > REMOVAL_GUARD * len(old_keys)
    if not (continues or removes_most):
        return
    label = f'"{previous.label}"' if previous.label else "the previous version"
    share = f"{removed / len(old_keys):.0%}".replace("%", " %")
    signs: list[str] = []
    if continues:
        signs.append(
            f"its serial numbers start at {first_number:,}, right after the last serial of "
            f"{label} ({last:,})"
        )
    signs.append(
        f"as a complete list it would remove {removed:,} of the {len(old_keys):,} items of "
        f"{label} ({share})"
    )
    base_flag = "" if previous.named or not previous.label else f" --base {previous.label}"
    out.add(
        "error",
        "looks-like-additions" if continues else "removes-most-of-base",
        f"{', and '.join(signs)}. If the file holds only the additions, "
        f"import it with{base_flag} --additions; if the notice really removes those items, "
        f"confirm with --declared-removed {removed}",
    )


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
    """Read every row of ``table``, build items and collect findings.

    Args:
        table: An opened table from :func:`exportctl.readers.read_table`.
        declared: Counts from the notice.
        base_items: Items of the base version, when one is given.
        base_label: Label of the base version, for messages.
        additions: The file holds only additions: the result is base + rows.
        nomenclature: HS edition to check codes against (HS 2022 by default).
        sink: Called with each item of the version, in order (the base items first
            with ``additions``), as it is built; the items are then not kept in
            ``report.items``. An import stores them this way, so a large file
            never holds all its items in memory.
        previous: Without ``base_items``, the version in force before this one,
            checked only by the guard against a file of additions stored as a
            complete list (:func:`guard_against_base`).

    Returns:
        The report; ``report.items`` is what would be stored (empty with a
        ``sink``), ``report.item_count`` how many items that is.

    Example:
        >>> report = validate_table(read_table(path, LIST_SCHEMA), declared=Declared(1159))
        >>> report.valid, len(report.items)
    """
    declared = declared or Declared()
    nomenclature = nomenclature or Nomenclature.load("2022")
    out = _Collector(table)
    for header in table.unmapped:
        out.add(
            "warning",
            "unmapped-column",
            f'column "{header}" is not used (map it with --column FIELD="{header}")',
        )
    kept: list[ItemRecord] = []
    emit = sink if sink is not None else kept.append
    compared = Previous(base_label, base_items, named=True) if base_items is not None else previous
    checks = _Checks(table, keep_keys=compared is not None)
    on_base = additions and base_items is not None
    if on_base:
        assert base_items is not None
        for item in base_items:
            checks.add(item, from_base=True)
            emit(item)
    rows_read = 0
    first_serial: str | None = None
    for item in build_items(table, table.rows, out, nomenclature):
        rows_read += 1
        if first_serial is None:
            first_serial = item.serial
        checks.add(item)
        emit(item)
    # Readers add some notes (skipped rows, formulas) only once every row is read.
    file_prefix = f"{table.file}: "
    sheet_prefix = f'sheet "{table.sheet}": '
    for note in table.notes:
        text = note.removeprefix(file_prefix)
        on_sheet = bool(table.sheet) and text.startswith(sheet_prefix)
        out.add("warning", "reader-note", text.removeprefix(sheet_prefix), sheet=on_sheet)
    if rows_read == 0 and not out.findings:
        out.add("error", "no-items", "the table has a header but no items under it")
    if additions and not on_base:
        out.add("error", "no-base", "--additions needs --base: the version it adds to")
    report = ValidationReport(
        file=table.file,
        sheet=table.sheet,
        items=kept,
        rows_read=rows_read,
        item_count=checks.count,
    )
    out.findings.extend(checks.finish())
    reconcile(report, out, declared, base_items, base_label, checks.keys)
    if compared is not None and not additions and checks.keys is not None:
        guard_against_base(out, compared, checks.keys, first_serial, declared)
    severity_order = {"error": 0, "warning": 1}
    report.findings = sorted(out.findings, key=lambda f: (severity_order[f.severity], f.row or 0))
    return report


DECLARED_RULES = frozenset({"added-mismatch", "removed-mismatch", "declared-sum", "no-base"})
"""Warnings about the notice's declared counts: kept on the stored version."""


def declared_warnings(report: ValidationReport) -> list[str]:
    """The declared-count warnings of a report, as sentences to keep on the version.

    Real notices do not always add up (one announced 798 + 682 for a list of
    1,159), so these never block an import; they are recorded so that every
    place that shows the version can say so.
    """
    return [f.message for f in report.findings if f.rule in DECLARED_RULES]


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
            message=(
                f'this file lacks columns that version "{label}" had: {named}; its items are '
                "stored without them (map a differently named column with --column FIELD=HEADER)"
            ),
            file=table.file,
            sheet=table.sheet,
        )
    ]
