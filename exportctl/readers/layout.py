"""Streaming a table's clean rows once its header is found (:mod:`.header`).

Rows are skipped when wholly empty, when they repeat the header, and when they are
footnotes; part titles of an annex are handed on; cells merged down and places on
paper (PDF, HWPX) travel with each row.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from exportctl.annex import SectionTitle, section_title
from exportctl.errors import InputError, location
from exportctl.hscode import CodeCell
from exportctl.i18n import _, ngettext
from exportctl.readers.cells import cell_text, code_cell
from exportctl.readers.header import (
    Column,
    Layout,
    Located,
    check_layout,
)
from exportctl.readers.rows import CodeFormats, Note, RawRow
from exportctl.readers.schema import Schema
from exportctl.readers.xlsx import FormulaScan

PROGRESS_EVERY = 1000
"""The progress callback is called after this many rows."""

FOOTNOTE_MIN_LENGTH = 15
"""A lone first-column text at least this long (with words in it) is a footnote."""

SKIPPED = ("blank", "footnote", "repeated_header")
"""The kinds of rows under a header that a table does not hand on (``Table.skipped``)."""

_FOOTNOTE_START = re.compile(r"(※|\*|주\s*[:)]|\(주\)|notes?\s*:|출처|source\s*:)", re.IGNORECASE)


@dataclass(slots=True)
class ParsedRow:
    """One data row, cleaned and mapped onto the schema's fields.

    Attributes:
        row: 1-based row number in the sheet, or line number in the CSV.
        values: Field -> cleaned text (``None`` when blank), for every schema field.
        code: The code cell exactly as read (with number and number format when
            numeric); ``None`` when blank.
        extra: Cleaned text of the columns that map to no field, aligned with
            ``Table.unmapped``; empty unless the table was built with ``keep_extra``.
        section: Set on a row that is the title of a part of the annex
            (``2. 러시아·벨라루스 상황허가 대상 품목``); its ``values`` are then all
            ``None`` and ``code`` is ``None``. Only tables read with ``LIST_SCHEMA``
            hand such rows on.
        place: The row's place in a printed document (``page 3, table 1, row 5``),
            for files without sheet rows (PDF, HWPX); ``None`` otherwise.
        continued: The row's serial cell is covered by the serial cell of the row
            above, merged down: the row continues that entry.
    """

    row: int
    values: dict[str, str | None]
    code: CodeCell | None
    extra: tuple[str | None, ...] = ()
    section: SectionTitle | None = None
    place: str | None = None
    continued: bool = False


@dataclass
class Table:
    """A table found in a file, with its rows streamed lazily.

    Attributes:
        file: File name only, for messages.
        sheet: Sheet name; ``None`` for CSV.
        header_row: 1-based row of the header (the lower row of a two-row header).
        columns: Field -> header text as written in the file.
        unmapped: Headers of columns that map to no field.
        notes: Plain sentences about hazards met. Notes about skipped rows are
            added once ``rows`` has been read to the end.
        rows: The data rows, one pass; blank and footnote rows already skipped.
        title_lines: The text of each non-blank row above the header, in order
            (each row's distinct cell texts joined by a space): where an annex
            prints its name, amendment marker and notice number.
        places: Row number -> place in the printed document (``page 3, table 1,
            row 5``) for files without sheet rows (PDF, HWPX), filled as rows stream.
    """

    file: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    unmapped: list[str]
    notes: list[Note]
    rows: Iterator[ParsedRow]
    title_lines: list[str] = field(default_factory=list)
    places: dict[int, str] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows under the header that were not handed on, by kind (``blank``, ``footnote``,
    ``repeated_header``); complete once ``rows`` has been read to the end."""
    header_rows: tuple[int, int] = (0, 0)
    """The first and last row of the header block (the same for a one-row header)."""
    mapping: list[tuple[int, str, str | None]] = field(default_factory=list)
    """Every header column in order: 0-based index, header text, field or ``None``."""
    rules: RowRules | None = None
    """What tells a data row from the other rows under the header (one home for the
    rows streamed here and for a reader that reads the data again as columns)."""
    source: object | None = None
    """What the rows are read from (a CSV file's encoding and delimiter, a workbook),
    for a reader that reads the data again as columns (:mod:`exportctl.readers.frames`)."""


def _section_row(values: Sequence[object], first_column: int) -> SectionTitle | None:
    """The part title a row holds (see :func:`exportctl.annex.section_title`), or ``None``.

    The title must start at or left of the table's first column, as a title row
    merged across the table does; a lone text in the description column is an
    entry or a continuation line, not a title. It must also be numbered (``2.``,
    ``제2부``, ``Ⅱ.``) or bracketed (``[러시아·벨라루스]``): an unnumbered sentence
    under the table (``위 품목에 대하여는 … 상황허가를 받아야 함``) names the same
    things a title does and stays a footnote, as it always was.
    """
    texts = [cell_text(value) for value in values]
    first = next((index for index, text in enumerate(texts) if text is not None), None)
    if first is None or first > first_column:
        return None
    title = section_title(texts)
    if title is None or title.number is not None:
        return title
    lead = texts[first] or ""
    return title if lead.lstrip().startswith(_BRACKETS) else None


_BRACKETS = ("[", "【", "〔", "［")


def _is_footnote(row: RawRow, code: str | None, code_index: int, first_column: int) -> bool:
    """Whether a row is a footnote (see ``build_table``).

    Stops at the first non-empty cell unless the row could be a lone long text,
    so a data row costs one or two cell conversions.
    """
    values = row.values
    found = next(
        (
            (index, text)
            for index, value in enumerate(values)
            if value is not None and value != "" and (text := cell_text(value)) is not None
        ),
        None,
    )
    if found is None:
        return False
    index, text = found
    if code is not None and index != code_index:
        return False
    if _FOOTNOTE_START.match(text):
        return True
    if index > first_column or len(text) < FOOTNOTE_MIN_LENGTH:
        return False
    if sum(char.isalpha() for char in text) < 5:
        return False
    return all(
        value is None or value == "" or cell_text(value) is None
        for value in itertools.islice(values, index + 1, None)
    )


@dataclass(frozen=True)
class RowRules:
    """What tells a table's data rows from its other rows: blank rows, repeated
    headers, part titles and footnotes (see :func:`build_table`)."""

    layout: Layout
    """The header."""
    code_slot: int
    """Place of the code among a row's mapped texts."""
    code_index: int
    """0-based column of the code."""
    leading: tuple[int, ...]
    """Places of the mapped texts left of the code column."""
    first_column: int
    """0-based first column of the header."""
    header_code: str
    """The code column's own header text (a row holding it repeats the header)."""
    sections: bool
    """Part titles are rows of their own (a list, not a catalogue)."""

    def plain(self, texts: Sequence[str | None]) -> bool:
        """Whether a row is surely data: a code other than the header's and a mapped
        value left of it (no other rule can then apply)."""
        code = texts[self.code_slot]
        if code is None or code == self.header_code:
            return False
        leading = self.leading
        if len(leading) == 1:
            return texts[leading[0]] is not None
        return any(texts[slot] is not None for slot in leading)

    def kind(
        self, row: RawRow, texts: Sequence[str | None]
    ) -> tuple[str | None, SectionTitle | None]:
        """What a row is: ``blank``, ``repeated_header``, ``section`` (with its title),
        ``footnote``, or ``None`` for a data row.

        Args:
            row: The row as read.
            texts: The cleaned texts of its mapped columns, in field order.
        """
        cells = row.values
        if texts.count(None) == len(texts) and all(cell_text(value) is None for value in cells):
            return "blank", None
        code_text = texts[self.code_slot]
        layout = self.layout
        if code_text is None and layout.height > 1 and layout.repeats(list(map(cell_text, cells))):
            return "repeated_header", None
        if self.sections and code_text is None:
            title = _section_row(cells, self.first_column)
            if title is not None:
                return "section", title
        leading = self.leading
        # A row with a code and a value left of the code column is never a footnote.
        if not (
            code_text is not None
            and (
                texts[leading[0]] is not None
                if len(leading) == 1
                else any(texts[slot] is not None for slot in leading)
            )
        ) and _is_footnote(row, code_text, self.code_index, self.first_column):
            return "footnote", None
        if code_text is not None and code_text == self.header_code:
            return "repeated_header", None
        return None, None


def row_rules(located: Located, schema: Schema, mapped: Mapping[str, Column]) -> RowRules:
    """The :class:`RowRules` of a table whose header is ``located``."""
    code_column = mapped["code"]
    code_index = code_column.index
    names = tuple(name for name in schema.fields if name in mapped)
    indexes = tuple(mapped[name].index for name in names)
    return RowRules(
        layout=located.layout,
        code_slot=names.index("code"),
        code_index=code_index,
        leading=tuple(slot for slot, index in enumerate(indexes) if index < code_index),
        first_column=min(column.index for column in located.layout.columns),
        header_code=code_column.labels[-1],
        sections=schema.name == "list",
    )


def build_table(
    located: Located,
    schema: Schema,
    overrides: Mapping[str, str],
    *,
    file: str,
    sheet: str | None,
    notes: list[Note],
    formulas: FormulaScan | None = None,
    progress: Callable[[int], None] | None = None,
    on_close: Callable[[], None] | None = None,
    code_formats: CodeFormats | None = None,
    keep_extra: bool = False,
) -> Table:
    """Check the header and return a ``Table`` whose rows stream from ``located``.

    Rows are skipped when wholly empty, when they repeat the header (printed
    lists repeat it on each page), and when they are footnotes: the first
    non-empty cell starts with ``※``, ``*``, ``주:``, ``주)``, ``(주)``,
    ``Note:`` or ``출처``, or the row holds a single long text in its first
    column. A row with an HS code is never a footnote unless the text is in the
    code column itself. Read with ``LIST_SCHEMA``, a row holding only the title of
    a part of the annex (``2. 러시아·벨라루스 상황허가 대상 품목``, see
    :func:`exportctl.annex.section_title`) is handed on with ``ParsedRow.section``
    set, never skipped as a footnote.

    Args:
        located: The header and the rows after it.
        schema: The schema the columns were mapped onto.
        overrides: Field -> header the user named with ``--column``.
        file: File name for messages.
        sheet: Sheet name for messages; ``None`` for CSV.
        notes: Notes gathered so far; the table keeps adding to this list.
        formulas: Formula cells of the sheet, when known.
        progress: Called with the number of rows read, every ``PROGRESS_EVERY`` rows.
        on_close: Called once when the rows are exhausted or discarded.
        code_formats: Number formats of the code column, when read apart from
            the cells (see ``xlsx.column_formats``).
        keep_extra: Fill ``ParsedRow.extra`` with the unmapped columns' text (a
            screening report hands them back); off for imports, which drop them.

    Raises:
        InputError: Bad header (see ``check_layout``) or a formula in a mapped
            column without a cached value.
    """
    layout = located.layout
    check_layout(layout, located.hits, schema, overrides, file=file, sheet=sheet)
    mapped = {name: columns[0] for name, columns in layout.fields.items()}
    fields = {column.index: name for name, column in mapped.items()}
    place = location(None, sheet) if sheet else file
    if formulas is not None:
        _check_formulas(formulas, mapped, layout, file=file, sheet=sheet, notes=notes, place=place)

    places: dict[int, str] = {}
    skipped: dict[str, int] = dict.fromkeys(SKIPPED, 0)
    rules = row_rules(located, schema, mapped)
    rows = _stream(
        located,
        schema,
        mapped,
        rules,
        notes=notes,
        places=places,
        skipped=skipped,
        place=place,
        sheet=sheet,
        progress=progress,
        code_formats=code_formats,
        extra=tuple(column.index for column in layout.unmapped) if keep_extra else (),
        sections=schema.name == "list",
    )
    if on_close is not None:
        rows = _closing(rows, on_close)
        # A table whose rows are never read still releases its file when dropped.
        weakref.finalize(rows, on_close)
    return Table(
        file=file,
        sheet=sheet,
        header_row=layout.header_row,
        columns={name: mapped[name].text for name in schema.fields if name in mapped},
        unmapped=[column.text for column in layout.unmapped],
        notes=notes,
        rows=rows,
        title_lines=list(located.title_lines),
        places=places,
        skipped=skipped,
        header_rows=(layout.header_row - layout.height + 1, layout.header_row),
        mapping=[
            (column.index, column.text, fields.get(column.index)) for column in layout.columns
        ],
        rules=rules,
    )


def _closing(rows: Iterator[ParsedRow], on_close: Callable[[], None]) -> Iterator[ParsedRow]:
    try:
        yield from rows
    finally:
        on_close()


def _check_formulas(
    formulas: FormulaScan,
    mapped: Mapping[str, Column],
    layout: Layout,
    *,
    file: str,
    sheet: str | None,
    notes: list[Note],
    place: str,
) -> None:
    by_index = {column.index: column for column in mapped.values()}
    ignored = 0
    for row, index in formulas.missing:
        column = by_index.get(index)
        if column is not None and row > layout.header_row - layout.height:
            raise InputError(
                _("formula with no cached value; open and save the file in Excel, or paste values"),
                file=file,
                sheet=sheet,
                row=row,
                column=column.text,
            )
        ignored += 1
    if formulas.cached:
        notes.append(
            Note(
                "formula-cached",
                ngettext(
                    "{count} formula cell read from its cached value",
                    "{count} formula cells read from their cached values",
                    formulas.cached,
                ).format(count=formulas.cached),
                sheet,
            )
        )
    if ignored:
        notes.append(
            Note(
                "formula-outside",
                ngettext(
                    "{count} formula cell outside the mapped columns has no cached value and "
                    "was read as blank",
                    "{count} formula cells outside the mapped columns have no cached value and "
                    "were read as blank",
                    ignored,
                ).format(count=ignored),
                sheet,
            )
        )


def _stream(
    located: Located,
    schema: Schema,
    mapped: Mapping[str, Column],
    rules: RowRules,
    *,
    notes: list[Note],
    places: dict[int, str],
    skipped: dict[str, int],
    place: str,
    sheet: str | None,
    progress: Callable[[int], None] | None,
    code_formats: CodeFormats | None = None,
    extra: tuple[int, ...] = (),
    sections: bool = False,
) -> Iterator[ParsedRow]:
    code_index = rules.code_index
    serial_index = mapped["serial"].index if "serial" in mapped else None
    first_column = rules.first_column
    names = tuple(name for name in schema.fields if name in mapped)
    indexes = tuple(mapped[name].index for name in names)
    complete = names == tuple(schema.fields)
    template: dict[str, str | None] = dict.fromkeys(schema.fields)
    code_slot = rules.code_slot
    footnotes: list[int] = []
    repeated = 0
    blank = 0
    read = 0
    countdown = PROGRESS_EVERY
    above = located.above
    if sections and above is not None:
        # A part's title printed above the header names the part the table opens with.
        title = _section_row(above.values, first_column)
        if title is not None:
            if above.place is not None:
                places[above.number] = above.place
            yield ParsedRow(above.number, dict(template), None, section=title, place=above.place)
    for row in itertools.chain(located.buffered, located.rest):
        read += 1
        countdown -= 1
        if not countdown:
            countdown = PROGRESS_EVERY
            if progress is not None:
                progress(read)
        cells = row.values
        try:
            texts = [cell_text(cells[index]) for index in indexes]
        except IndexError:  # a short row (CSV)
            width = len(cells)
            texts = [cell_text(cells[index]) if index < width else None for index in indexes]
        if not rules.plain(texts):
            kind, title = rules.kind(row, texts)
            if kind is not None:
                if kind == "blank":
                    blank += 1
                elif kind == "repeated_header":
                    repeated += 1
                elif kind == "footnote":
                    footnotes.append(row.number)
                else:
                    if row.place is not None:
                        places[row.number] = row.place
                    yield ParsedRow(
                        row.number, dict(template), None, section=title, place=row.place
                    )
                continue
        code_text = texts[code_slot]
        if complete:
            values = dict(zip(names, texts, strict=True))
        else:
            values = dict(template)
            values.update(zip(names, texts, strict=True))
        # A code cell cell_text() reads as blank is blank to code_cell() too.
        cell = None
        if code_text is not None:
            raw_code = cells[code_index]
            if raw_code.__class__ is str:
                # What code_cell() does for text, kept inline: one call fewer per row.
                # Number formats only matter for numbers (hscode.normalise).
                cell = CodeCell(raw_code.strip(), None, None)
            else:
                number_format = (
                    row.number_format(code_index)
                    if code_formats is None
                    else code_formats.get(row.number)
                )
                found = code_cell(raw_code, number_format)
                cell = found if found.text is not None else None
        kept: tuple[str | None, ...] = ()
        if extra:
            width = len(cells)
            kept = tuple(cell_text(cells[index]) if index < width else None for index in extra)
        if row.place is None and not row.covered:
            yield ParsedRow(row.number, values, cell, kept)
        else:
            if row.place is not None:
                places[row.number] = row.place
            yield ParsedRow(
                row.number,
                values,
                cell,
                kept,
                place=row.place,
                continued=serial_index is not None and serial_index in row.covered,
            )
    if progress is not None and read % PROGRESS_EVERY:
        progress(read)
    skipped.update(blank=blank, footnote=len(footnotes), repeated_header=repeated)
    note_skipped(notes, footnotes, repeated, sheet)


def note_skipped(
    notes: list[Note], footnotes: Sequence[int], repeated: int, sheet: str | None
) -> None:
    """Add the notes saying which footnote rows and how many repeated headers were skipped."""
    if footnotes:
        shown = ", ".join(map(str, footnotes[:5])) + (", ..." if len(footnotes) > 5 else "")
        notes.append(
            Note(
                "footnote-rows",
                ngettext(
                    "{count} footnote row skipped (rows {rows})",
                    "{count} footnote rows skipped (rows {rows})",
                    len(footnotes),
                ).format(count=len(footnotes), rows=shown),
                sheet,
            )
        )
    if repeated:
        notes.append(
            Note(
                "repeated-header",
                ngettext(
                    "{count} repeated header row skipped",
                    "{count} repeated header rows skipped",
                    repeated,
                ).format(count=repeated),
                sheet,
            )
        )
