"""Read HS-code tables out of spreadsheets laid out for people.

``read_table`` opens a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) or a CSV/TXT
file, refuses hostile or unreadable files with one sentence, picks the sheet,
finds the header under title rows (one or two rows, merged cells included),
maps its columns onto a ``Schema`` and streams the data rows as ``ParsedRow``.

Example:
    >>> table = read_table(Path("list.xlsx"), LIST_SCHEMA)  # doctest: +SKIP
    >>> table.columns["code"], next(table.rows).values["code"]  # doctest: +SKIP
    ('HS코드', '8471.30')
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from exportctl.errors import InputError, RefusedError, location
from exportctl.i18n import N_, _, ngettext
from exportctl.inputs import regular_file
from exportctl.limits import DEFAULTS, Limits
from exportctl.progress import announce_total
from exportctl.readers.csv import garbled_row, looks_like, open_csv
from exportctl.readers.documents import DOCUMENT_ENGINES, open_document, table_name
from exportctl.readers.exported import json_table, read_export
from exportctl.readers.guard import DOCUMENTS, Checked, check_file, checked_file
from exportctl.readers.header import HEADER_SEARCH_ROWS, Located, locate
from exportctl.readers.layout import ParsedRow, Table, build_table
from exportctl.readers.ods import ods_column_formats
from exportctl.readers.rows import Note, RawRow
from exportctl.readers.schema import (
    CATALOGUE_SCHEMA,
    LIST_SCHEMA,
    Schema,
    normalise_header,
    parse_overrides,
)
from exportctl.readers.xlsx import (
    Book,
    CalamineBook,
    ColumnFormats,
    Engine,
    FormulaScan,
    LazyFormats,
    column_formats,
    formula_scanner,
    open_book,
    openpyxl_column_formats,
    sheet_parts,
    uses_openpyxl,
)

__all__ = [
    "CATALOGUE_SCHEMA",
    "LIST_SCHEMA",
    "ParsedRow",
    "Schema",
    "Table",
    "list_sheets",
    "normalise_header",
    "parse_overrides",
    "read_table",
    "sha256_file",
]


def _no_header() -> str:
    return _(
        "no header row with an HS code column found in the first {rows} rows; "
        "name it with --column code=HEADER"
    ).format(rows=HEADER_SEARCH_ROWS)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex, read in chunks.

    Only a regular file is read: a FIFO or a device (``/dev/zero``) would never end.

    Raises:
        InputError: The file is missing, not a regular file or cannot be read.
    """
    regular_file(path)
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(
            _("cannot be read ({reason})").format(reason=exc.strerror), file=str(path)
        ) from exc


def list_sheets(path: Path, limits: Limits = DEFAULTS) -> list[str]:
    """The sheet names of a workbook, in order; empty for CSV.

    Raises:
        InputError: The file is missing, unreadable or refused (see ``read_table``).
    """
    checked = check_file(path, limits)
    if checked.kind in ("csv", "json"):
        return []
    book = open_book(checked, "calamine" if checked.kind != "xlsx" else "openpyxl")
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def read_table(
    path: Path,
    schema: Schema,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    reader: Engine = "auto",
    allow_catalogue: bool = False,
    keep_extra: bool = False,
    table: int | None = None,
    limits: Limits = DEFAULTS,
    checked: Checked | None = None,
) -> Table:
    """Open a file and find the table in it.

    Args:
        path: A .xlsx/.xlsm/.xlsb/.xls/.ods workbook, a .csv/.txt/.tsv file, a PDF or
            HWPX document, or the .json of ``exportctl export``.
        schema: ``LIST_SCHEMA`` or ``CATALOGUE_SCHEMA``.
        sheet: The sheet to read; by default the one sheet whose header names all
            the schema's required columns (a cover or notes sheet may come
            first). When several sheets have such a header, which one is meant
            cannot be told and the file is refused.
        encoding: The encoding of a CSV file; detected when not given.
        overrides: Field -> header text, for headers the alias table does not know
            (``--column code=품목코드``).
        progress: Called with the number of rows read so far, every 1,000 rows.
        reader: ``"auto"`` (.xlsx through python-calamine, with the code
            column's number formats read from the sheet XML when a numeric code
            needs them; other workbooks through python-calamine), or force
            ``"openpyxl"`` or ``"calamine"`` (no number formats); ``"fastexcel"``
            reads an .xlsx with fastexcel for a columnar reader (``Table.source``).
        allow_catalogue: Read with ``LIST_SCHEMA`` a table that has a column
            ``CATALOGUE_SCHEMA`` maps to ``sku`` (refused by default: it is most
            likely a product catalogue given to ``import``).
        keep_extra: Give each row the text of the columns no field maps to
            (``ParsedRow.extra``, aligned with ``Table.unmapped``).
        table: In a PDF or HWPX document, the table to read (1-based, in reading
            order); by default the one whose header names the schema's columns.
        limits: The caps every check and parser on the way keeps to
            (:class:`~exportctl.limits.Limits`; the defaults unless given).
        checked: ``path`` as :func:`~exportctl.readers.guard.check_file` passed it
            under ``limits``, when the caller has just checked it: not checked again
            while the file is unchanged (:func:`~exportctl.readers.guard.checked_file`).

    Returns:
        The table; its ``rows`` stream lazily and can be read once.

    Raises:
        InputError: The file is missing, empty, damaged, encrypted, hostile or
            undecodable; the sheet does not exist; no header, a missing required
            column or two columns for one field; a CSV header garbled by its
            encoding is said so.
        RefusedError: Without ``sheet``, more than one sheet holds a table; read
            with ``LIST_SCHEMA``, the table has a product catalogue's SKU column.
    """
    given = dict(overrides or {})
    parse_overrides([f"{name}={header}" for name, header in given.items()], schema)
    checked = checked_file(path, limits, checked)
    if checked.kind == "json":
        if sheet is not None or table is not None:
            raise InputError(_("is a JSON export and has no sheets or tables"), file=path.name)
        return json_table(checked.path, schema)
    if checked.kind == "csv":
        return _read_csv(
            checked, schema, sheet, encoding, given, progress, allow_catalogue, keep_extra
        )
    if table is not None and checked.kind not in DOCUMENTS:
        raise InputError(_("--table is for PDF and HWPX documents; use --sheet"), file=path.name)
    if checked.kind in DOCUMENTS:
        book: Book = open_document(checked)
        if table is not None:
            if not 1 <= table <= len(book.sheet_names):
                book.close()
                raise InputError(
                    ngettext(
                        "has {count} table; there is no table {table}",
                        "has {count} tables; there is no table {table}",
                        len(book.sheet_names),
                    ).format(count=len(book.sheet_names), table=table),
                    file=path.name,
                )
            sheet = table_name(table)
        formats = False
    elif reader == "fastexcel" and checked.kind == "xlsx":
        # fastexcel reads the sheet once into Arrow columns; the header is found and
        # checked here as for any workbook, and a columnar reader takes the columns
        # (exportctl.readers.frames).
        from exportctl.readers.fastbook import FastexcelBook

        book = FastexcelBook(checked.path)
        formats = True
    elif reader == "auto" and checked.kind == "xlsx":
        # python-calamine for the cells, and the code column's number formats from
        # the sheet XML when a numeric code asks for them: what openpyxl gives, at
        # a tenth of the time (issue 6).
        book = CalamineBook(checked.path)
        formats = True
    else:
        book = open_book(checked, reader)
        formats = False
    try:
        found = _read_book(
            book,
            checked,
            schema,
            sheet,
            given,
            progress,
            formats=formats,
            allow_catalogue=allow_catalogue,
            keep_extra=keep_extra,
        )
        found.source = book
        return found
    except BaseException:
        book.close()
        raise


def _read_csv(
    checked: Checked,
    schema: Schema,
    sheet: str | None,
    encoding: str | None,
    overrides: Mapping[str, str],
    progress: Callable[[int], None] | None,
    allow_catalogue: bool,
    keep_extra: bool = False,
) -> Table:
    name = checked.path.name
    if sheet is not None:
        raise InputError(
            _('is a CSV file and has no sheets (asked for sheet "{sheet}")').format(sheet=sheet),
            file=name,
        )
    source = open_csv(checked.path, encoding, checked.limits)
    announce_total(progress, source.estimated_rows)
    try:
        # The top rows are kept to tell a garbled header from a missing one.
        top = _top_rows(source.rows)
        located = locate(itertools.chain(top, source.rows), schema, overrides)
        if located is None:
            raise InputError(
                _no_csv_header(top, source.encoding, encoding, checked.path), file=name
            )
        if not allow_catalogue:
            _refuse_catalogue(located, schema, file=name, sheet=None)
        exported = read_export(
            located,
            schema,
            overrides,
            file=name,
            sheet=None,
            notes=source.notes,
            on_close=source.handle.close,
        )
        if exported is not None:
            return exported
        found = build_table(
            located,
            schema,
            overrides,
            file=name,
            sheet=None,
            notes=source.notes,
            progress=progress,
            on_close=source.handle.close,
            keep_extra=keep_extra,
        )
        found.source = source
        return found
    except BaseException:
        source.handle.close()
        raise


def _top_rows(rows: Iterator[RawRow]) -> list[RawRow]:
    """The rows ``locate`` searches for a header, read ahead."""
    top: list[RawRow] = []
    for row in rows:
        top.append(row)
        if row.number >= HEADER_SEARCH_ROWS:
            break
    return top


def _no_csv_header(top: list[RawRow], used: str, given: str | None, path: Path) -> str:
    """Why no header was found in a CSV: said plainly when the text looks garbled.

    With ``--encoding`` given, the advice names the encoding the bytes look like
    (:func:`~exportctl.readers.csv.looks_like`), never the one just given.
    """
    found = garbled_row(top)
    if found is None:
        return _no_header()
    number, sample, question_marks = found
    values = {"rows": HEADER_SEARCH_ROWS, "sample": sample, "row": number}
    if question_marks:
        return _(
            "no header row with an HS code column found in the first {rows} rows; the text "
            'has question marks in place of letters ("{sample}" in row {row}), so it was saved '
            'in an encoding without Korean letters: save it again from Excel as "CSV UTF-8"'
        ).format(**values)
    if given is not None:
        # Latin-1 and the like decode any byte: the garbling, not an error, shows the
        # guess was wrong, so the bytes are asked what they look like instead.
        guess = looks_like(path, [given])
        if guess is None:
            guess = "UTF-8" if used.replace("-", "").lower() == "cp949" else "CP949"
        other = guess.lower()
        return _(
            "no header row with an HS code column found in the first {rows} rows; the text "
            'decoded with --encoding {given} looks garbled ("{sample}" in row {row}), so the '
            "encoding is the likely cause: omit --encoding to detect it, or try --encoding "
            "{other}"
        ).format(given=given, other=other, **values)
    return _(
        "no header row with an HS code column found in the first {rows} rows; the text read "
        'as {used} looks garbled ("{sample}" in row {row}), so the encoding is the likely '
        "cause: pass the file's encoding with --encoding (e.g. --encoding utf-16), or export "
        "it again if it was saved garbled"
    ).format(used=used, **values)


_KIND_OF_TABLE = {"list": N_("a control list"), "catalogue": N_("a product catalogue")}


def _complete(located: Located, schema: Schema) -> bool:
    """Whether a header names all the schema's required fields."""
    return all(field in located.layout.fields for field in schema.required)


def _refuse_catalogue(located: Located, schema: Schema, *, file: str, sheet: str | None) -> None:
    """Refuse a product catalogue read as a control list (``import`` given a catalogue).

    An unmapped column that ``CATALOGUE_SCHEMA`` reads as ``sku`` gives it away;
    a column the user mapped with ``--column`` is mapped, so no longer counts.

    Raises:
        RefusedError: Naming the column and the ``screen`` command to use instead.
    """
    if schema.name != LIST_SCHEMA.name:
        return
    for column in located.layout.unmapped:
        if any(CATALOGUE_SCHEMA.lookup(label) == "sku" for label in (column.text, *column.labels)):
            message = _(
                'this looks like a product catalogue (column "{column}"), not a control list; '
                "to screen it use: exportctl screen {file} --list SLUG; if it really is a list, "
                'map its columns with --column (e.g. --column note="{column}")'
            ).format(column=column.text, file=file)
            raise RefusedError(f"{location(file, sheet)}: {message}")


def _refuse_other_tables(
    book: Book,
    chosen: tuple[str, Located],
    others: list[str],
    schema: Schema,
    overrides: Mapping[str, str],
    *,
    file: str,
) -> None:
    """Refuse a workbook in which more than one sheet holds a table and none was named.

    Only the header search rows of each other sheet are used (``locate``), but
    python-calamine loads a sheet whole when it is opened: the check costs a
    workbook of one sheet nothing, one of several sheets their loading.

    Raises:
        RefusedError: Listing the sheets and their header rows.
    """
    found = [chosen]
    for other in others:
        located = locate(book.rows(other), schema, overrides)
        if located is not None and _complete(located, schema):
            found.append((other, located))
    if len(found) < 2:
        return
    header_in = _("{name} (header in row {row})")
    kind = _KIND_OF_TABLE.get(schema.name)
    what = _(kind) if kind else schema.name
    if book.engine in DOCUMENT_ENGINES:
        numbered = ", ".join(
            header_in.format(name=location(None, name), row=located.layout.header_row)
            for name, located in found
        )
        message = _(
            "{count} tables each hold {what}: {tables}; which one is meant cannot be told, so "
            "choose one with --table N"
        ).format(count=len(found), what=what, tables=numbered)
        raise RefusedError(f"{file}: {message}")
    listed = ", ".join(
        header_in.format(name=f'"{name}"', row=located.layout.header_row) for name, located in found
    )
    message = _(
        "{count} sheets each hold {what}: {sheets}; which one is meant cannot be told, so "
        "choose one with --sheet NAME"
    ).format(count=len(found), what=what, sheets=listed)
    raise RefusedError(f"{file}: {message}")


_NO_FORMATS = N_(
    "read with python-calamine, which gives no number formats; codes typed as numbers are "
    "read as the General format shows them, without zeros a format may add"
)


def _formats_loader(
    checked: Checked, sheet: str, column: int, notes: list[Note]
) -> Callable[[], ColumnFormats | None]:
    """Read the number formats of a sheet's code column, from its XML or with openpyxl.

    Sheets whose cells carry no reference need openpyxl's full parse; beyond
    ``OPENPYXL_MAX_BYTES`` unpacked that is too slow, and codes typed as numbers
    are then recovered from the column's values only (noted).
    """

    def load() -> ColumnFormats | None:
        part = sheet_parts(checked.path).get(sheet)
        found = column_formats(checked.path, part, column) if part is not None else None
        if found is not None:
            return found
        if uses_openpyxl(checked):
            return openpyxl_column_formats(checked.path, sheet, column)
        notes.append(Note("no-number-formats", _(_NO_FORMATS), sheet))
        return None

    return load


def _read_book(
    book: Book,
    checked: Checked,
    schema: Schema,
    sheet: str | None,
    overrides: Mapping[str, str],
    progress: Callable[[int], None] | None,
    *,
    formats: bool = False,
    allow_catalogue: bool = False,
    keep_extra: bool = False,
) -> Table:
    """Find the table in a workbook.

    With ``formats``, ``book`` is python-calamine standing in for openpyxl: the
    code column's number formats are read when a numeric code cell needs them
    (see ``_formats_loader``).
    """
    name = checked.path.name
    if sheet is not None and sheet not in book.sheet_names:
        listed = ", ".join(f'"{each}"' for each in book.sheet_names)
        raise InputError(
            _('has no sheet "{sheet}"; sheets: {sheets}').format(sheet=sheet, sheets=listed),
            file=name,
        )
    candidates = [sheet] if sheet is not None else book.sheet_names
    scan = formula_scanner(checked.path) if checked.kind == "xlsx" else None
    ahead: Future[FormulaScan | None] | None = None
    if scan is not None and book.engine == "calamine" and candidates:
        # python-calamine parses a sheet without holding the GIL: meanwhile the
        # first candidate's XML is searched for formulas on another core.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exportctl-formulas")
        ahead = pool.submit(scan, candidates[0])
        pool.shutdown(wait=False)
    chosen: tuple[str, Located] | None = None
    after: list[str] = []
    for index, candidate in enumerate(candidates):
        located = locate(book.rows(candidate), schema, overrides)
        if located is None:
            continue
        if _complete(located, schema):
            chosen = (candidate, located)
            after = candidates[index + 1 :]
            break
        chosen = chosen or (candidate, located)
    if chosen is None:
        if book.engine in DOCUMENT_ENGINES:
            if sheet is not None:
                raise InputError(
                    _(
                        "{table} has no header row with an HS code column in its first {rows} "
                        "rows; name the column with --column code=HEADER"
                    ).format(table=location(None, sheet), rows=HEADER_SEARCH_ROWS),
                    file=name,
                )
            tables = len(book.sheet_names)
            raise InputError(
                ngettext(
                    "no table has a header row with an HS code column in its first {rows} rows "
                    "({count} table read); choose the table with --table N and name the column "
                    "with --column code=HEADER",
                    "no table has a header row with an HS code column in its first {rows} rows "
                    "({count} tables read); choose the table with --table N and name the column "
                    "with --column code=HEADER",
                    tables,
                ).format(rows=HEADER_SEARCH_ROWS, count=tables),
                file=name,
            )
        if sheet is not None:
            raise InputError(_no_header(), file=name, sheet=sheet)
        listed = ", ".join(f'"{each}"' for each in book.sheet_names)
        raise InputError(
            _(
                "no sheet has a header row with an HS code column in its first {rows} rows "
                "(sheets: {sheets}); choose the sheet with --sheet and name the column with "
                "--column code=HEADER"
            ).format(rows=HEADER_SEARCH_ROWS, sheets=listed),
            file=name,
        )
    sheet_name, located = chosen
    height = getattr(book, "height", None)
    if progress is not None and height is not None:
        announce_total(progress, height(sheet_name))
    if not allow_catalogue:
        _refuse_catalogue(located, schema, file=name, sheet=sheet_name)
    if after:
        _refuse_other_tables(book, chosen, after, schema, overrides, file=name)
    notes: list[Note] = list(getattr(book, "notes", ()))
    formulas = None
    code_formats: LazyFormats | None = None
    code_columns = located.layout.fields.get("code", [])
    if formats and code_columns:
        code_formats = LazyFormats(
            _formats_loader(checked, sheet_name, code_columns[0].index, notes)
        )
    elif checked.kind == "ods" and code_columns:
        column = code_columns[0].index
        code_formats = LazyFormats(lambda: ods_column_formats(checked.path, sheet_name, column))
    if scan is not None:
        same = ahead is not None and sheet_name == candidates[0]
        formulas = ahead.result() if ahead is not None and same else scan(sheet_name)
        if book.engine == "calamine" and code_formats is None:
            notes.append(Note("no-number-formats", _(_NO_FORMATS), sheet_name))
    exported = read_export(
        located, schema, overrides, file=name, sheet=sheet_name, notes=notes, on_close=book.close
    )
    if exported is not None:
        return exported
    return build_table(
        located,
        schema,
        overrides,
        file=name,
        sheet=sheet_name,
        notes=notes,
        formulas=formulas,
        progress=progress,
        on_close=book.close,
        code_formats=code_formats,
        keep_extra=keep_extra,
    )
