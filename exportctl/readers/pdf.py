"""PDF attachments of the notice: the annex's ruled tables read with pdfplumber.

Korea publishes Annex 2-2 as HWP and PDF, never as a spreadsheet, so the table is
read from the PDF itself. The whole document is read once when it is opened, one
page at a time (each page's objects are released before the next is parsed), and
only the cells' text is kept: a few hundred kilobytes for the full annex, so every
table can be handed out again as the header search asks for it.

The pages are read in worker processes (:mod:`exportctl.readers.pdfpages`), never
in the caller's: a PDF is a program of sorts, and a small one can ask for gigabytes
or days. The worker counts what it decodes and each page's ruled lines
(:mod:`exportctl.readers.pdfcaps`), has its memory capped and dies with its parent
(:mod:`exportctl.readers.box`); this module keeps each page's time.

What is read:

* Tables are pdfplumber's ruled tables (``lines`` strategies). Only when no page
  of the document has a ruled table are pages read with the ``text`` strategies
  (columns from aligned words): a page of prose would otherwise become a phantom
  table that splits the annex and renumbers ``--table``. A box around text
  (one cell) is no table to pdfplumber either.
* A table continues onto the next page when that page's first table has as many
  columns and no annex title (``[별표 …]``) stands above it. The header printed
  again on each page is dropped there (the rows matching the table's first rows).
* The lines of text above a table on the page where it starts (the notice and
  amendment lines) come first, as one-cell rows, so they become the table's title
  lines; at most :data:`TITLE_LINES`, the nearest, are kept.
* Line breaks in a cell become spaces. A cell merged across columns gives its text
  in its first column; a cell merged down over rows gives it in its first row and
  the rows below are marked as covered there (:attr:`RawRow.covered`).
* A row cut by a page break: when a page's part of a table starts with a row whose
  leading cells are empty, whose text is not a sub-item (``a.``) and the part on
  the page before ended with a row of text, the row continues that entry; its
  empty leading columns are marked covered and a note says so (:attr:`PdfBook.notes`).
* A page whose text runs sideways (a wide table turned a quarter on portrait paper,
  without ``/Rotate`` to turn it back) is turned upright before its tables are
  found, so its rows are the table's rows and not its columns.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from exportctl.annex import split_label
from exportctl.errors import InputError, location
from exportctl.i18n import N_, _, ngettext
from exportctl.limits import over
from exportctl.readers.box import STOP_WAIT, Worker, WorkerGone, ready
from exportctl.readers.documents import table_name
from exportctl.readers.guard import Checked
from exportctl.readers.pdfpages import HOSTILE, Part, serve
from exportctl.readers.rows import Note, RawRow

TITLE_LINES = 12
"""Lines of text above a table kept as its title lines (the header must stay
within the header search rows)."""

HEADER_REPEAT_ROWS = 4
"""At most this many rows at the top of a page's part of a table are compared with
the table's first rows to drop a header printed again."""

_ANNEX_TITLE = re.compile(r"^\s*[\[【〔(<［]?\s*별\s*표")


@dataclass
class _Table:
    """A table as printed, over one or more pages."""

    number: int
    parts: list[Part] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)


class PdfBook:
    """A PDF read as a book whose sheets are its tables (``table 1``, ``table 2``…).

    Attributes:
        engine: ``"pdfplumber"``.
        sheet_names: The tables in reading order.
        notes: Plain sentences about what the reader did beyond reading cells
            (rows joined across a page break, headers dropped, encryption).
        pages: The number of pages read.
    """

    engine = "pdfplumber"

    def __init__(self, tables: Sequence[_Table], notes: list[Note], pages: int) -> None:
        self._rows = {table_name(table.number): table.rows for table in tables}
        self.sheet_names = list(self._rows)
        self.notes = notes
        self.pages = pages

    def rows(self, sheet: str) -> Iterator[RawRow]:
        """The rows of a table: its title lines, then every row on every page."""
        return iter(self._rows[sheet])

    def height(self, sheet: str) -> int:
        """The number of rows ``rows`` yields for a table."""
        return len(self._rows[sheet])

    def close(self) -> None:
        """Nothing to release: the file was closed once read."""


def open_book(checked: Checked) -> PdfBook:
    """Read a PDF's tables.

    The pages are read in worker processes (:class:`_Reader`), under the caps
    ``checked.limits`` gives: pages, decoded bytes, ruled lines, time and memory.

    Args:
        checked: A file that passed ``guard.check_file`` as a PDF.

    Raises:
        InputError: The PDF needs a password, has no text layer, is damaged, is
            over a cap, or holds no table.
    """
    name = checked.path.name
    notes: list[Note] = []
    with ExitStack() as stack:
        readers = [_Reader(checked, stack)]
        pages, encrypted = _opened(readers[0])
        if pages >= PARALLEL_MIN_PAGES and (os.cpu_count() or 1) > 1:
            readers.append(_Reader(checked, stack))
            _opened(readers[1])
        if encrypted:
            notes.append(
                Note(
                    "pdf-restricted",
                    _(
                        "encrypted without an open password (copying or printing may be "
                        "restricted); its text was read"
                    ),
                )
            )
        parts = _read_pages(readers, "ruled", pages)
        if not parts:
            parts = _read_pages(readers, "unruled", pages)
    if not parts:
        raise InputError(
            ngettext(
                "has no table on its {pages} page (no ruled table and no text set in columns)",
                "has no table on its {pages} pages (no ruled table and no text set in columns)",
                pages,
            ).format(pages=pages),
            file=name,
        )
    repeats: list[int] = []
    tables = _join(parts, notes, repeats)
    if repeats:
        shown = ", ".join(map(str, repeats[:10])) + (", ..." if len(repeats) > 10 else "")
        notes.append(
            Note(
                "repeated-header",
                ngettext(
                    "the header printed again on {count} page was skipped (pages {pages})",
                    "the header printed again on {count} pages was skipped (pages {pages})",
                    len(repeats),
                ).format(count=len(repeats), pages=shown),
            )
        )
    return PdfBook(tables, notes, pages)


PARALLEL_MIN_PAGES = 12
"""From this many pages on, on a machine with more than one core, the second half of the
pages is read by a second worker while the first reads the first half."""


class _Reader:
    """A worker reading the PDF (:func:`pdfpages.serve`), and the clock the parent keeps on it.

    Each page the worker begins (and the opening of the file) has ``max_page_seconds``:
    past that the worker is stopped and the file refused naming the page. The worker
    ends with the ``stack`` it is started in.
    """

    def __init__(self, checked: Checked, stack: ExitStack) -> None:
        self.name = checked.path.name
        self.limits = checked.limits
        self.page = 0
        self.busy = True
        self.deadline = time.monotonic() + self.limits.max_page_seconds
        self.worker = Worker(
            serve, str(checked.path), checked.limits, memory=self.limits.max_reader_memory
        )
        # A worker waiting for work ends as soon as its channel closes; a busy one is killed.
        stack.callback(lambda: self.worker.stop(wait=0.0 if self.busy else STOP_WAIT))

    def ask(self, strategy: str, first: int, last: int, *, check_text: bool) -> None:
        try:
            self.worker.send((strategy, first, last, check_text))
        except WorkerGone as gone:
            raise InputError(self._gone(gone.exitcode), file=self.name) from None
        self.busy = True
        self.deadline = time.monotonic() + self.limits.max_page_seconds

    def take(self) -> tuple[Any, ...] | None:
        """The worker's answer if one is in, else ``None`` (without waiting).

        Raises:
            InputError: The worker refused the file, overran its time, or died.
        """
        while True:
            try:
                message: tuple[Any, ...] = self.worker.receive(0.0)
            except TimeoutError:
                if time.monotonic() < self.deadline:
                    return None
                raise InputError(self._slow(), file=self.name) from None
            except WorkerGone as gone:
                raise InputError(self._gone(gone.exitcode), file=self.name) from None
            if message[0] == "page":
                self.page = message[1]
                self.deadline = time.monotonic() + self.limits.max_page_seconds
                continue
            if message[0] == "refused":
                raise InputError(message[1], file=self.name)
            self.busy = False
            return message

    def wait(self) -> tuple[Any, ...]:
        """The worker's next answer, waiting for it (within the time of each page)."""
        while True:
            answer = self.take()
            if answer is not None:
                return answer
            ready([self.worker], self.deadline - time.monotonic())

    def _slow(self) -> str:
        seconds = self.limits.max_page_seconds
        if self.page:
            what = ngettext(
                "page {page} took more than {cap:,} second to read",
                "page {page} took more than {cap:,} seconds to read",
                seconds,
            )
        else:
            what = ngettext(
                "opening it took more than {cap:,} second",
                "opening it took more than {cap:,} seconds",
                seconds,
            )
        return over(what, seconds, "max_page_seconds", self.limits, HOSTILE, page=self.page)

    def _gone(self, exitcode: int | None) -> str:
        how = (
            _("killed by signal {number}").format(number=-exitcode)
            if exitcode is not None and exitcode < 0
            else _("exit status {number}").format(number=exitcode)
        )
        if self.page:
            what = _(
                "its reader stopped at page {page} ({how}), perhaps out of the {cap:,} bytes "
                "of memory it may take"
            )
        else:
            what = _(
                "its reader stopped as it opened the file ({how}), perhaps out of the {cap:,} "
                "bytes of memory it may take"
            )
        return over(what, 0, "max_reader_memory", self.limits, _DAMAGED, page=self.page, how=how)


_DAMAGED = N_("it may be damaged or hostile")


def _read_pages(readers: list[_Reader], strategy: str, pages: int) -> list[Part]:
    """Every table part on every page, in reading order, from one or two workers.

    The first worker reads the first half and checks for a text layer; the second,
    if any, the rest. A refusal of the first half comes first, as it would reading
    alone.
    """
    split = (pages + 1) // 2 if len(readers) > 1 else pages
    readers[0].ask(strategy, 1, split, check_text=True)
    if len(readers) > 1:
        readers[1].ask(strategy, split + 1, pages, check_text=False)
    answers: dict[int, list[Part]] = {}
    refusals: dict[int, InputError] = {}
    while len(answers) + len(refusals) < len(readers):
        waiting = [i for i in range(len(readers)) if i not in answers and i not in refusals]
        soonest = min(readers[i].deadline for i in waiting)
        ready([readers[i].worker for i in waiting], soonest - time.monotonic())
        for i in waiting:
            try:
                answer = readers[i].take()
            except InputError as refused:
                if i == 0:
                    raise
                refusals[i] = refused
                continue
            if answer is not None:
                answers[i] = answer[1]
    if refusals:
        raise refusals[min(refusals)]
    return [part for i in sorted(answers) for part in answers[i]]


def _opened(reader: _Reader) -> tuple[int, bool]:
    """The page count and encryption a worker found opening the file."""
    answer = reader.wait()
    return int(answer[1]), bool(answer[2])


def _join(parts: list[Part], notes: list[Note], repeats: list[int]) -> list[_Table]:
    """Join table parts on consecutive pages into the tables they print."""
    tables: list[_Table] = []
    previous: Part | None = None
    for part in parts:
        current = tables[-1] if tables else None
        if current is not None and previous is not None and _continues(previous, part):
            _append(current, part, previous, notes, repeats)
        else:
            current = _Table(len(tables) + 1)
            tables.append(current)
            _start(current, part)
        current.parts.append(part)
        previous = part
    for table in tables:
        # The parts' text is now in the rows; only the first part's header is needed.
        table.parts.clear()
    return tables


def _continues(previous: Part, part: Part) -> bool:
    """Whether ``part`` goes on with the table ``previous`` belongs to.

    ``previous`` is the part read just before: when it is on the page before,
    it is that page's last table and ``part`` is its page's first.
    """
    return (
        part.page == previous.page + 1
        and part.width == previous.width
        and not any(_ANNEX_TITLE.match(line) for line in part.above)
    )


def _start(table: _Table, part: Part) -> None:
    """Open a table with the title lines above it and its first part's rows."""
    label = location(None, table_name(table.number))
    above = _("page {page}, above {table}")
    for text in part.above[-TITLE_LINES:]:
        table.rows.append(
            RawRow(len(table.rows) + 1, [text], place=above.format(page=part.page, table=label))
        )
    _add_rows(table, part, skip=0)


def _append(
    table: _Table, part: Part, previous: Part, notes: list[Note], repeats: list[int]
) -> None:
    """Add a part on a later page: drop its repeated header, join a row cut in two."""
    first = table.parts[0]
    skip = 0
    while (
        skip < min(HEADER_REPEAT_ROWS, len(part.rows) - 1, len(first.rows))
        and part.rows[skip] == first.rows[skip]
        and any(text is not None for text in part.rows[skip])
    ):
        skip += 1
    if skip:
        repeats.append(part.page)
    lead = part.rows[skip] if skip < len(part.rows) else []
    cut = _cut_row(lead, previous)
    if cut:
        # Validation joins the row to its entry and says so (rule continued-row).
        part.covered[skip] = part.covered[skip] | cut
    _add_rows(table, part, skip)


def _cut_row(lead: Sequence[str | None], previous: Part) -> frozenset[int]:
    """The empty leading columns of a row cut by the page break, else none."""
    first = next((j for j, text in enumerate(lead) if text is not None), None)
    if not first or not previous.rows:
        return frozenset()
    if all(text is None for text in previous.rows[-1]):
        return frozenset()
    if split_label(lead[first]) is not None:
        return frozenset()
    return frozenset(range(first))


def _add_rows(table: _Table, part: Part, skip: int) -> None:
    label = location(None, table_name(table.number))
    where = _("page {page}, {table}, row {row}")
    for index in range(skip, len(part.rows)):
        table.rows.append(
            RawRow(
                len(table.rows) + 1,
                part.rows[index],
                place=where.format(page=part.page, table=label, row=index + 1),
                covered=part.covered[index],
            )
        )
