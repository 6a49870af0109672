"""Workbooks: openpyxl for exact number formats, python-calamine for speed and .xls/.ods.

openpyxl in read-only mode streams rows and gives each cell's number format, which
the HS code normaliser needs to recover ``8471.3`` typed as ``0000.00``. It reads
about 30,000 cells a second; python-calamine is an order of magnitude faster but
knows values only. Note that python-calamine (0.9) loads a sheet's cells into memory
when the sheet is opened; only the Python row objects are made lazily.

Only the code column needs number formats, and only for its numeric cells, so
``read_table`` reads every .xlsx with python-calamine and, when the first numeric
code cell asks, takes that one column's formats from the sheet XML
(``column_formats``, a chunked byte search): the same rows as openpyxl, about five
times faster end to end, and a sheet of codes typed as text is not searched at all
(issue 6). openpyxl remains for sheets whose cells carry no reference (its formats
for the code column, up to ``OPENPYXL_MAX_BYTES`` unpacked), and when asked for.
"""

from __future__ import annotations

import os
import re
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import defusedxml.ElementTree as SafeET
import python_calamine

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.limits import Limits, over, raise_hint
from exportctl.readers.cellrefs import column_name, column_number
from exportctl.readers.guard import Checked
from exportctl.readers.rows import RawRow
from exportctl.readers.xlsx_parts import sheet_parts_in

OPENPYXL_MAX_BYTES = 50 * 1024**2
"""Workbooks that unpack to more than this are read with python-calamine."""

Engine = Literal["auto", "openpyxl", "calamine", "fastexcel"]

_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Za-z]+)(\d+)")


class Book(Protocol):
    """An open workbook whose sheets can be read row by row."""

    engine: str
    sheet_names: list[str]

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """Stream a sheet's rows."""
        ...

    def close(self) -> None:
        """Release the file."""
        ...


@dataclass
class FormulaScan:
    """Formula cells found in a sheet's XML.

    Attributes:
        cached: Formula cells that carry a cached value.
        missing: ``(row, column)`` (1-based row, 0-based column) of formula cells
            without one.
    """

    cached: int = 0
    missing: list[tuple[int, int]] = field(default_factory=list)


def column_index(letters: str) -> int:
    """``"A"`` -> 0, ``"AA"`` -> 26."""
    return column_number(letters) - 1


def column_letters(index: int) -> str:
    """0 -> ``"A"``, 26 -> ``"AA"``."""
    return column_name(index + 1)


def open_book(checked: Checked, engine: Engine = "auto") -> Book:
    """Open a workbook with the engine its kind and size call for.

    Args:
        checked: A file that passed ``guard.check_file``.
        engine: Force ``"openpyxl"`` (xlsx only) or ``"calamine"``; ``"auto"``
            picks openpyxl for .xlsx/.xlsm up to ``OPENPYXL_MAX_BYTES`` unpacked.

    Raises:
        InputError: The workbook cannot be opened.
    """
    if uses_openpyxl(checked, engine):
        return OpenpyxlBook(checked.path, checked.extents)
    if checked.kind in PROBED:
        probe(checked.path, checked.limits)
    return CalamineBook(checked.path)


PROBED = frozenset({"xls", "xlsb"})
"""Binary workbooks, whose declared sizes are not searched before parsing: python-calamine
reads them first in a child process with capped memory (:func:`probe`)."""

PROBE_MARGIN = 512 * 1024**2
"""Address space the probe may use beyond its parent's and the cells' (32 bytes a cell)."""

_OVER_CAP = 10


def probe(path: Path, limits: Limits) -> None:
    """Load every sheet of a binary workbook in a forked child whose memory is capped.

    A .xls or .xlsb can declare sizes (a sheet's dimensions, a string table's
    count) that make python-calamine allocate gigabytes and abort, and its records
    are not cheap to search beforehand. So the child loads each sheet first, under
    an address-space cap of the parent's size plus ``max_cells`` cells and
    :data:`PROBE_MARGIN`; if it dies, the parent refuses the file with a sentence
    instead of dying itself. Costs one more parse of a (small: 65,536 rows at most)
    .xls. Skipped where fork is unsafe (another thread running) or unavailable.

    Raises:
        InputError: The child died (memory) or found a sheet past a cap.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return
    reader, writer = os.pipe()
    budget = _address_space() + limits.max_cells * 32 + PROBE_MARGIN
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        code = 0
        try:
            import faulthandler
            import resource  # POSIX only, as fork is

            # What the parser says as it dies (a Rust backtrace, Python's fault
            # handler) is not for the user.
            faulthandler.disable()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 2)
            os.dup2(quiet, 1)

            resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
            found = _probe_sheets(path, limits)
            if found:
                os.write(writer, "\n".join(found).encode("utf-8")[:4000])
                code = _OVER_CAP
        except BaseException:
            code = 0  # damaged: the parent's own open says so
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read().decode("utf-8", "replace")
    _pid, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OVER_CAP:
        sheet, _newline, message = said.partition("\n")
        raise InputError(message, file=path.name, sheet=sheet)
    if os.WIFSIGNALED(status) or (os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0):
        raise InputError(
            _(
                "ran out of memory when read within the room {cap:,} cells take (max_cells): it "
                "declares sizes far beyond its data, so it was refused as possibly hostile; if "
                "the file is genuine, {hint}"
            ).format(cap=limits.max_cells, hint=raise_hint("max_cells")),
            file=path.name,
        )


def _address_space() -> int:
    """This process's address space in bytes (0 when it cannot be told)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _probe_sheets(path: Path, limits: Limits) -> tuple[str, str] | None:
    """In the probe: load each sheet; the first past a cap and why, if any."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            height, width = int(sheet.height or 0), int(sheet.width or 0)
            for value, cap, what in (
                (width, "max_columns", _HAS_COLUMNS),
                (height, "max_rows", _HAS_ROWS),
                (height * width, "max_cells", _HAS_CELLS),
            ):
                if value > getattr(limits, cap):
                    return name, over(_(what), value, cap, limits)
    finally:
        book.close()
    return None


_HAS_COLUMNS = N_("has {value:,} columns, more than the {cap:,} columns allowed")
_HAS_ROWS = N_("has {value:,} rows, more than the {cap:,} rows allowed")
_HAS_CELLS = N_("has {value:,} cells, more than the {cap:,} cells allowed")


def uses_openpyxl(checked: Checked, engine: Engine = "auto") -> bool:
    """Whether ``open_book`` opens this workbook with openpyxl (else python-calamine)."""
    return checked.kind == "xlsx" and (
        engine == "openpyxl" or (engine == "auto" and checked.uncompressed <= OPENPYXL_MAX_BYTES)
    )


def _unreadable(path: Path, exc: BaseException, sheet: str | None = None) -> InputError:
    """The one sentence for a workbook a parser choked on."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(
        _("cannot be read as a workbook; it may be damaged ({reason})").format(reason=detail),
        file=path.name,
        sheet=sheet,
    )


class OpenpyxlBook:
    """An .xlsx/.xlsm workbook opened with openpyxl in read-only, cached-values mode."""

    engine = "openpyxl"

    def __init__(self, path: Path, extents: Mapping[str, tuple[int, int]] | None = None) -> None:
        self.path = path
        self.extents = extents or {}
        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it drops (data validation, styles);
                # none of them matter for reading values.
                warnings.simplefilter("ignore")
                import openpyxl  # loaded when a workbook is read with it, not at start-up

                self._book: Any = openpyxl.load_workbook(
                    path, read_only=True, data_only=True, keep_links=False
                )
        # openpyxl raises whatever its XML and zip layers raise on a damaged file.
        except Exception as exc:
            raise _unreadable(path, exc) from exc
        self.sheet_names: list[str] = list(self._book.sheetnames)

    def height(self, sheet: str) -> int | None:
        """Rows of a sheet, as its dimension says (for progress only)."""
        return getattr(self._book[sheet], "max_row", None)

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """Stream a sheet's rows with their cells (for number formats)."""
        sheet_obj = self._book[sheet]
        if not hasattr(sheet_obj, "iter_rows"):  # a chart sheet
            return iter(())
        # Some writers store a wrong <dimension ref="A1">; read-only mode would
        # then stop after A1. Forget it and read what is there: up to the extent the
        # check measured, for openpyxl pads each row to its last cell, and a formatted
        # empty cell at XFD would make every row 16,384 wide.
        sheet_obj.reset_dimensions()
        if sheet not in self.extents:
            return self._stream(sheet, sheet_obj.iter_rows(min_row=1, min_col=1))
        rows, columns = self.extents[sheet]
        return self._stream(
            sheet,
            sheet_obj.iter_rows(
                min_row=1, min_col=1, max_row=max(rows, 1), max_col=max(columns, 1)
            ),
        )

    def _stream(self, sheet: str, source: Iterator[Any]) -> Iterator[RawRow]:
        number = 0
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cells = next(source)
            except StopIteration:
                return
            except Exception as exc:
                raise _unreadable(self.path, exc, sheet) from exc
            number += 1
            yield RawRow(number, [cell.value for cell in cells], cells)

    def close(self) -> None:
        """Close the zip archive openpyxl keeps open in read-only mode."""
        if self._book is not None:
            self._book.close()
            self._book = None


class CalamineBook:
    """Any workbook python-calamine reads: xlsx, xlsm, xlsb, xls, ods."""

    engine = "calamine"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._book: Any = python_calamine.CalamineWorkbook.from_path(str(path))
        except python_calamine.PasswordError as exc:
            raise InputError(
                _("is password-protected; save an unprotected copy"), file=path.name
            ) from exc
        # python-calamine raises its own errors and plain ones (ValueError, OSError).
        except Exception as exc:
            raise _unreadable(path, exc) from exc
        self.sheet_names = list(self._book.sheet_names)
        self._heights: dict[str, int | None] = {}

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """Stream a sheet's rows; numbering follows the sheet even when it starts below A1."""
        try:
            sheet_obj = self._book.get_sheet_by_name(sheet)
        except Exception as exc:
            raise _unreadable(self.path, exc, sheet) from exc
        self._heights[sheet] = int(getattr(sheet_obj, "height", 0) or 0) or None
        return self._stream(sheet_obj)

    def height(self, sheet: str) -> int | None:
        """Rows of a sheet already opened with :meth:`rows` (for progress only)."""
        return self._heights.get(sheet)

    @staticmethod
    def _stream(sheet_obj: Any) -> Iterator[RawRow]:
        # python-calamine's iter_rows() starts at the sheet's first row (A1) but at
        # the first *used* column; pad columns so indexes match openpyxl's.
        start = sheet_obj.start
        first_col = start[1] if start else 0
        pad: list[object] = [None] * first_col
        for offset, values in enumerate(sheet_obj.iter_rows()):
            yield RawRow(offset + 1, pad + values if pad else values)

    def close(self) -> None:
        """Release the workbook."""
        if self._book is not None:
            self._book.close()
            self._book = None


def sheet_parts(path: Path) -> dict[str, str]:
    """Map sheet names to their XML part inside an .xlsx (empty when it cannot tell)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sheet_parts_in(archive)
    except (zipfile.BadZipFile, OSError):
        return {}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def scan_formulas(path: Path, part: str) -> FormulaScan:
    """Find formula cells in a sheet part, and those without a cached value.

    A cheap byte search decides whether the sheet has formulas at all; only then
    is its XML parsed (streaming) to locate cells whose ``<f>`` has no ``<v>``.

    Args:
        path: The .xlsx file.
        part: The sheet's part name, e.g. ``xl/worksheets/sheet1.xml``.
    """
    scan = FormulaScan()
    try:
        with zipfile.ZipFile(path) as archive:
            if not _has_formula(archive, part):
                return scan
            with archive.open(part) as stream:
                _locate_formulas(stream, scan)
    except (KeyError, zipfile.BadZipFile, OSError, SafeET.ParseError) as exc:
        raise _unreadable(path, exc) from exc
    return scan


def _has_formula(archive: zipfile.ZipFile, part: str, chunk: int = 4 * 1024 * 1024) -> bool:
    tail = b""
    with archive.open(part) as stream:
        while block := stream.read(chunk):
            data = tail + block
            # Two substring searches cost less than the regex; it runs only after a hit.
            if (b"<f" in data or b":f" in data) and _FORMULA.search(data):
                return True
            tail = block[-16:]
    return False


def _locate_formulas(stream: Any, scan: FormulaScan) -> None:
    row = 0
    column = -1
    sheet_data: Any = None
    for event, element in SafeET.iterparse(stream, events=("start", "end")):
        name = _local(element.tag)
        if event == "start":
            if name == "row":
                row = int(element.get("r") or row + 1)
                column = -1
            elif name == "sheetData":
                sheet_data = element
            continue
        if name == "c":
            match = _CELL_REF.fullmatch(element.get("r") or "")
            column = column_index(match.group(1)) if match else column + 1
            children = {_local(child.tag): child for child in element}
            if "f" in children:
                value = children.get("v")
                # An empty <v/> is what writers that do not compute leave behind;
                # only a string result ("str") may legitimately be empty.
                if "is" in children or (
                    value is not None and (value.text or element.get("t") == "str")
                ):
                    scan.cached += 1
                else:
                    scan.missing.append((row, column))
        elif name == "row" and sheet_data is not None:
            sheet_data.clear()


def formula_scanner(path: Path) -> Callable[[str], FormulaScan | None]:
    """A function giving the formula scan of a sheet by name (``None`` if unknown)."""
    parts = sheet_parts(path)

    def scan(sheet: str) -> FormulaScan | None:
        part = parts.get(sheet)
        return scan_formulas(path, part) if part else None

    return scan


@dataclass
class ColumnFormats:
    """Number formats of one column's cells, read from the sheet XML.

    Attributes:
        default: The format of a cell with no style (``cellXfs`` entry 0).
        by_row: 1-based row -> format, for the column's cells whose format differs.
    """

    default: str
    by_row: dict[int, str]

    def get(self, row: int) -> str:
        """The format of the column's cell in ``row``."""
        return self.by_row.get(row, self.default)


_STYLE_ATTR = re.compile(rb'\ss="(\d+)"')
_BARE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])(?![^>]*\sr=)")


def _cell_formats(archive: zipfile.ZipFile) -> list[str]:
    """Style index -> number format text, as openpyxl reports ``cell.number_format``."""
    try:
        styles = SafeET.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return ["General"]
    custom: dict[int, str] = {}
    xf_ids: list[int] = []
    for element in styles:
        name = _local(element.tag)
        if name == "numFmts":
            for fmt in element:
                custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "General")
        elif name == "cellXfs":
            xf_ids = [int(xf.get("numFmtId", "0")) for xf in element]
    if all(i == 0 or custom.get(i) for i in xf_ids):
        # No built-in format but General (id 0) is named: openpyxl, which costs a
        # fifth of a second to import, is not needed to spell them.
        return [custom.get(i) or "General" for i in xf_ids] or ["General"]
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    return [custom.get(i) or BUILTIN_FORMATS.get(i, "General") for i in xf_ids] or ["General"]


_OTHER_CELL_OPENINGS = (b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r", b":c ", b":c>", b":c/")


def _references_first(data: bytes) -> bool:
    """Whether every cell tag is written ``<c r="…"`` (Excel, openpyxl, xlsxwriter do).

    Counted with ``bytes.count``, five times faster than a regex over each tag.
    Text that merely looks like a tag only sends the caller to the regex.
    """
    referenced = data.count(b'<c r="')
    return (
        referenced > 0
        and referenced == data.count(b"<c ")
        and not any(opening in data for opening in _OTHER_CELL_OPENINGS)
    )


def column_formats(
    path: Path, part: str, column: int, chunk: int = 4 * 1024 * 1024
) -> ColumnFormats | None:
    """The number formats of one column of a sheet, without loading the sheet's cells.

    openpyxl would give them too, at about 30,000 cells a second for the whole
    sheet; a byte search for the column's ``<c r="C…">`` tags is a hundred times
    faster. The sheet XML is searched a chunk at a time, so memory stays flat
    whatever the sheet's size. ``None`` when the sheet has cells without a
    reference (``r``), whose column only a full parse can tell.

    Args:
        path: The .xlsx file.
        part: The sheet's part name.
        column: 0-based column.
        chunk: Bytes of unpacked XML searched at a time.
    """
    letters = column_letters(column).encode("ascii")
    quick = re.compile(rb'<c r="' + letters + rb'(\d+)"[^>]*>')
    general = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br=\"" + letters + rb'(\d+)"[^>]*>')
    by_row: dict[int, str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            formats = _cell_formats(archive)
            default = formats[0]
            with archive.open(part) as stream:
                pending = b""
                while True:
                    block = stream.read(chunk)
                    data = pending + block
                    if block:
                        # Search up to the last tag opening; the rest waits for more bytes.
                        cut = data.rfind(b"<")
                        data, pending = data[:cut], data[cut:]
                    if _references_first(data):
                        tag = quick
                    elif _BARE_CELL.search(data):
                        return None
                    else:
                        tag = general
                    _note_formats(tag, data, formats, default, by_row)
                    if not block:
                        break
    except (KeyError, zipfile.BadZipFile, OSError, SafeET.ParseError, ValueError):
        return None
    return ColumnFormats(default, by_row)


def _note_formats(
    tag: re.Pattern[bytes], data: bytes, formats: list[str], default: str, by_row: dict[int, str]
) -> None:
    for match in tag.finditer(data):
        style = _STYLE_ATTR.search(match.group(0))
        if style is None:
            continue
        index = int(style.group(1))
        found = formats[index] if index < len(formats) else "General"
        if found != default:
            by_row[int(match.group(1))] = found


def openpyxl_column_formats(path: Path, sheet: str, column: int) -> ColumnFormats:
    """The number formats of one column as openpyxl reads them (any sheet XML).

    For sheets :func:`column_formats` cannot search; it parses the whole sheet.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
            try:
                sheet_obj = book[sheet]
                sheet_obj.reset_dimensions()
                by_row = {
                    cells[0].row: str(cells[0].number_format)
                    for cells in sheet_obj.iter_rows(min_col=column + 1, max_col=column + 1)
                    if cells and getattr(cells[0], "row", None) is not None
                }
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises what its XML and zip layers raise
        raise _unreadable(path, exc, sheet) from exc
    return ColumnFormats("General", by_row)


class LazyFormats:
    """A column's number formats, looked up only when the first numeric cell asks.

    A code column typed as text never needs them, so a sheet of text codes is not
    searched at all.
    """

    def __init__(self, load: Callable[[], ColumnFormats | None]) -> None:
        self._load: Callable[[], ColumnFormats | None] | None = load
        self._formats: ColumnFormats | None = None

    def get(self, row: int) -> str | None:
        """The number format of the column's cell in ``row`` (``None`` when unknown)."""
        if self._load is not None:
            self._formats, self._load = self._load(), None
        return self._formats.get(row) if self._formats is not None else None
