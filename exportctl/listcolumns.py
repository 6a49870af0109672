"""A clean list workbook read and checked a column at a time: the import's fast path.

Most large lists are one part of plainly written entries: a serial, a code (a
10-digit one written ``dddd.dd-dddd`` or as its ten digits, a subheading written
``dddd.dd``), texts. For such a file every rule of
:func:`exportctl.parts.validate_annex` gives the same answer for every row (one entry
per row, no sub-item, no continuation, no finding about a row), so the rules are
asked of whole columns instead (fastexcel's Arrow columns, cleaned by
:mod:`exportctl.readers.arrowcells` as ``cell_text`` cleans a cell), and the rows to
store are made straight from the columns.

Whenever anything in the file is not plain (a row that is not surely data, a code
written another way, a duplicate, an unknown code, a control-number column, a part
title, a cell fastexcel may have typed, a code under a number format), :func:`read_clean_list`
answers ``None`` and the import reads the file row by row as always
(``tests/test_import_columns.py`` checks that both ways store the same).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.annex import control_numbers
from exportctl.annex.references import CONTROL_HINT
from exportctl.entries import ROW_KINDS, Part
from exportctl.errors import ExportctlError
from exportctl.hscode import Nomenclature
from exportctl.identity import Declared
from exportctl.limits import DEFAULTS, Limits
from exportctl.models import ValidationReport
from exportctl.parts import AnnexReport, PartReport, declared_for
from exportctl.readers import LIST_SCHEMA, Schema, Table, read_table
from exportctl.readers.arrowcells import clean, clean_codes, to_bool
from exportctl.readers.fastbook import FastexcelBook, FastexcelError, fixed_styles
from exportctl.readers.frames import sheet_cells
from exportctl.readers.guard import Checked
from exportctl.reconcile import reconcile
from exportctl.structure import structure_of
from exportctl.validate import _Checks, _Collector, unmapped_findings

__all__ = ["CleanList", "read_clean_list"]

_CODES = {
    10: r"^[0-9]{4}\.[0-9]{2}[.\-][0-9]{4}$|^[0-9]{10}$",
    6: r"^[0-9]{4}\.[0-9]{2}$",
}
"""Codes as lists print them, by level: ``8471.30-1000``, ``8471301000``, ``8471.30``.
Each is read by ``hscode.normalise`` as its digits whatever the column's other codes,
whether the cell holds it as text or as a number (a number comes as its shortest
digits, as ``cell_text`` writes it: ``8471.3`` is no code here). The column's context
changes only other cells (a number ``8471`` among ``dddd.dd`` codes, a text of 7 to 9
digits among 10-digit ones, a code with a zero lost), which are read row by row."""

_SERIAL = r"^[1-9][0-9]*$"
"""A serial as most lists print it: what ``_build_item`` keeps as it is."""


_TEXTS = ("serial", "description", "description_en", "category", "note")

_VARYING = (
    "position",
    "serial",
    "code",
    "description",
    "description_en",
    "category",
    "note",
    "sheet",
    "row",
    "original_code",
    "control_numbers",
)
"""The item columns :meth:`CleanList.rows` gives (then ``level`` when the codes' levels
differ)."""
_FROM_COLUMNS = (
    "serial",
    "code",
    "description",
    "description_en",
    "category",
    "note",
    "original_code",
)


@dataclass
class CleanList:
    """A list read as columns, every row an entry of one part (see the module's note)."""

    table: Table
    """The table as the header search found it (its ``rows`` are not read)."""
    numbers: np.ndarray
    """Row number of each entry in the sheet."""
    columns: dict[str, pa.Array]
    """``serial``, ``code`` (digits), ``original_code`` and the texts, one value per entry."""
    control: dict[int, str]
    """Entry index -> its control numbers, space-separated, for the few entries naming any."""
    skipped: dict[str, int]
    """Rows under the header not handed on, by kind."""
    level: int | None = 10
    """The level of every code, or ``None`` when they differ (then ``columns["level"]``)."""

    def __len__(self) -> int:
        return len(self.numbers)

    def validate(
        self,
        declared: Declared,
        declared_parts: Mapping[int, Declared] | None,
        counting: str = "entries",
    ) -> AnnexReport:
        """The report :func:`exportctl.parts.validate_annex` gives for the same rows."""
        table = self.table
        count = len(self)
        out = _Collector(table)
        out.findings.extend(unmapped_findings(table))
        for note in table.notes:
            out.add("warning", note.rule, note.message, sheet=note.sheet is not None)
        part = Part(1, "", None, entries=count)
        checks = _Checks(table, keep_keys=False)
        serials = self.columns["serial"]
        plain = serials.drop_null()
        checks.take_plain(count, count, plain.cast(pa.int64()).to_pylist())
        report = ValidationReport(
            file=table.file, sheet=table.sheet, items=[], rows_read=count, item_count=count
        )
        out.findings.extend(checks.finish())
        wanted = declared_for([part], declared, declared_parts or {}, table)
        changes = reconcile(out, wanted[1], count, None, None, None, part="")
        del counting  # every entry has a code: both ways of counting agree
        if changes is not None:
            report.added, report.removed = changes
        order = {"error": 0, "warning": 1}
        report.findings = sorted(out.findings, key=lambda f: (order[f.severity], f.row or 0))
        read = dict.fromkeys(ROW_KINDS, 0)
        read["entry"] = count
        structure = structure_of(table.header_rows, table.mapping, read, self.skipped, [part])
        return AnnexReport(report, [PartReport(1, "", count, count, True, wanted[1])], structure)

    def names(self) -> tuple[str, ...]:
        """The item columns :meth:`rows` gives, in order; the others are :meth:`fixed` or
        empty (no sub-item, mentioned code, range end or attribute)."""
        level = ("level",) if self.level is None else ()
        return (*_VARYING, *level)

    def fixed(self, version_id: int) -> dict[str, int]:
        """The item columns holding the same number in every row."""
        level = {"level": self.level} if self.level is not None else {}
        return {"version_id": version_id, **level, "ex": False, "section": 1}

    def rows(self, chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
        """The values of :meth:`names` for each entry, in list order."""
        sheet = self.table.sheet or ""
        for start in range(0, len(self), chunk):
            end = min(start + chunk, len(self))
            values = [
                self.columns[name].slice(start, end - start).to_pylist() for name in _FROM_COLUMNS
            ]
            control: list[str | None] = [None] * (end - start)
            for at, text in self.control.items():
                if start <= at < end:
                    control[at - start] = text
            serial, code, description, english, category, note, original = values
            level = (
                []
                if self.level is not None
                else [self.columns["level"].slice(start, end - start).to_pylist()]
            )
            yield from zip(
                range(start, end),
                serial,
                code,
                description,
                english,
                category,
                note,
                itertools.repeat(sheet),
                self.numbers[start:end].tolist(),
                original,
                control,
                *level,
                strict=False,
            )


def read_clean_list(
    path: Path,
    schema: Schema,
    *,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    limits: Limits = DEFAULTS,
    levels: tuple[int, ...] = (10,),
    progress: Callable[[int], None] | None = None,
    checked: Checked | None = None,
) -> CleanList | None:
    """The list's entries as columns, or ``None`` when the file is not plain enough to be
    sure that reading it row by row would give the same (see the module's note).
    ``checked`` is the file as the caller has just checked it (see
    :func:`~exportctl.readers.read_table`).

    Raises:
        InputError: As :func:`~exportctl.readers.read_table` raises it (the file is
            then refused by the row reader alike).
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm") or schema.fields != LIST_SCHEMA.fields:
        return None
    if not set(levels) & set(_CODES):
        return None
    try:
        table = read_table(
            path,
            schema,
            sheet=sheet,
            overrides=overrides,
            reader="fastexcel",
            limits=limits,
            checked=checked,
        )
    except FastexcelError:
        return None
    except ExportctlError:
        return None  # said by the row reader, as it says it
    try:
        found = _clean(path, table, levels)
    except FastexcelError:
        found = None
    finally:
        close = getattr(table.rows, "close", None)
        if callable(close):
            close()
        # The sheet as fastexcel read it is not read again (the entries are columns of
        # their own now): released before the rows are stored.
        if isinstance(table.source, FastexcelBook):
            table.source.close()
    if found is not None and progress is not None:
        progress(len(found))
    return found


def _clean(path: Path, table: Table, levels: tuple[int, ...]) -> CleanList | None:
    book = table.source
    rules = table.rules
    if not isinstance(book, FastexcelBook) or rules is None or table.sheet is None:
        return None
    # A part title above the header is the first row handed on: read row by row.
    first = next(table.rows, None)
    if first is None or first.section is not None:
        return None
    styles = fixed_styles(path)
    if styles is None or styles:
        return None  # a code under a number format that fixes its digits: cells differ
    data = sheet_cells(table, book)
    if data is None or not data[1].size:
        return None
    cells, numbers = data
    count = numbers.size
    mapped = {name: index for index, _text, name in table.mapping if name is not None}
    if "control_numbers" in mapped:
        return None

    def raw(index: int) -> pa.Array:
        return cells[index] if index < len(cells) else pa.nulls(count, pa.string())

    code_text, code_cell = clean_codes(raw(mapped["code"]))
    texts = {name: clean(raw(index)) for name, index in mapped.items() if name != "code"}
    for name in _TEXTS:
        texts.setdefault(name, pa.nulls(count, pa.string()))
    # Surely data (RowRules.plain): a code other than the header's, a value left of it.
    sure = to_bool(pc.and_(pc.is_valid(code_text), pc.not_equal(code_text, rules.header_code)))
    left = np.zeros(count, dtype=bool)
    for name, index in mapped.items():
        if index < rules.code_index:
            left |= to_bool(pc.is_valid(texts[name] if name != "code" else code_text))
    sure &= left
    if not sure.all():
        return None  # a blank row, a footnote, a title, a repeated header: row by row
    code = code_cell
    digits, level = _codes(code, levels)
    if digits is None or pc.count_distinct(digits).as_py() != count:
        return None
    known = pa.array(sorted(Nomenclature.load("2022").codes(6)), pa.string())
    if not pc.all(pc.is_in(pc.utf8_slice_codeunits(digits, 0, 6), value_set=known)).as_py():
        return None
    kept_texts = {name: texts[name] for name in _TEXTS}
    for column in (*kept_texts.values(), code):
        if pc.any(pc.match_substring(column, "\x00")).as_py():
            return None
    serial = kept_texts["serial"]
    if "serial" in mapped:
        present = serial.drop_null()
        if not pc.all(pc.match_substring_regex(present, _SERIAL)).as_py():
            return None
        if pc.count_distinct(present).as_py() != len(present):
            return None
        if len(present) and pc.max(pc.utf8_length(present)).as_py() > 7:
            return None
    description = pc.coalesce(kept_texts["description"], kept_texts["description_en"], "")
    english = kept_texts["description_en"]
    note = kept_texts["note"]
    control = _control(description, english, note)
    skipped = dict.fromkeys(("blank", "footnote", "repeated_header"), 0)
    return CleanList(
        table,
        numbers,
        {
            "serial": serial,
            "code": digits,
            "original_code": code,
            "description": description,
            "description_en": english,
            "category": kept_texts["category"],
            "note": note,
            **({"level": level} if not isinstance(level, int) else {}),
        },
        control,
        skipped,
        level if isinstance(level, int) else None,
    )


def _codes(code: pa.Array, levels: tuple[int, ...]) -> tuple[pa.Array | None, int | pa.Array]:
    """The digits of each code and its level (one for all, or each code's), or ``None``
    when a code is written otherwise (:data:`_CODES`), is of a level the profile does
    not take, or a subheading is also the start of a 10-digit code (one entry covers
    the other: said row by row)."""
    forms = {level: pc.match_substring_regex(code, pattern) for level, pattern in _CODES.items()}
    if not pc.all(pc.or_(forms[10], forms[6])).as_py():
        return None, 0
    digits = pc.replace_substring_regex(code, r"[.\-]", "")
    found = [level for level, matched in forms.items() if pc.any(matched).as_py()]
    if not set(found) <= set(levels):
        return None, 0
    if len(found) == 1:
        return digits, found[0]
    six = digits.filter(forms[6])
    if pc.any(
        pc.is_in(pc.utf8_slice_codeunits(digits, 0, 6).filter(forms[10]), value_set=six)
    ).as_py():
        return None, 0
    return digits, pc.if_else(forms[10], 10, 6)


def _control(description: pa.Array, english: pa.Array, note: pa.Array) -> dict[int, str]:
    """The control numbers of the entries whose texts name any, by entry index (as
    ``Assembler._release`` gathers them: its texts in order, each number once)."""
    hint = np.zeros(len(description), dtype=bool)
    for column in (description, english, note):
        hint |= to_bool(pc.match_substring_regex(column, CONTROL_HINT))
    found: dict[int, str] = {}
    for at in np.flatnonzero(hint).tolist():
        texts = (description[at].as_py(), english[at].as_py(), note[at].as_py())
        numbers = [n for text in texts for n in control_numbers(text)]
        joined = " ".join(dict.fromkeys(numbers))
        if joined:
            found[at] = joined
    return found
