"""Line-oriented input read within bounds: each line, each record and the whole.

A text stream is read a line at a time with a bound on the read itself
(``readline(n)``), so a line that never ends (``/dev/zero`` on standard input, a
2 GB file of one line) costs at most one cap's worth before it is refused. A
record that runs over several lines (a CSV field with quoted line breaks) is held
to its own cap, and the whole stream to another: the csv module keeps a record
whole in memory, and standard input has no size to check beforehand.

Characters are counted, not bytes: in every encoding read here a character takes
at least one byte, so a count of characters over a cap of bytes is at least that
many bytes (the messages say "at least").

Example:
    >>> lines = BoundedLines(sys.stdin, _("standard input"), limits, total="max_stdin_bytes")
    >>> codes = [line.strip() for line in lines]  # doctest: +SKIP
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.limits import DEFAULTS, Limits, over

__all__ = ["BoundedLines"]

_AS_READ = N_("refused as it was read")
"""Why a stream over a cap is refused: it was found out while reading, not before."""
_RUNS_ON = N_(
    "refused as it was read (a quote that opens a field and never closes runs on over the "
    "lines below it)"
)
"""Why a record over its cap is refused, and the usual cause."""


class BoundedLines(Iterator[str]):
    """The lines of a text stream (line ends kept), each read within ``max_line_bytes``.

    Refuses, with one sentence naming ``name`` and the line or record:

    * a line longer than ``max_line_bytes``;
    * more lines than ``max_rows``;
    * a record (the lines since the last :meth:`end_record`) of more than
      ``max_record_chars`` characters, when ``records`` is true;
    * more in all than the cap named by ``total`` (``max_file_bytes`` for a file,
      ``max_stdin_bytes`` for standard input).

    Attributes:
        line: Lines read so far.
        record_start: The line the current record starts on.
    """

    def __init__(
        self,
        handle: IO[str],
        name: str,
        limits: Limits = DEFAULTS,
        *,
        total: str = "max_file_bytes",
        records: bool = False,
    ) -> None:
        self._readline = handle.readline
        self._name = name
        self._limits = limits
        self._total_cap = total
        # Two more than the cap: room for a CR LF after a line of exactly the cap.
        self._size = limits.max_line_bytes + 2
        self._most: int = getattr(limits, total)
        self._records = records
        self._record_most = limits.max_record_chars if records else sys.maxsize
        self._record_chars = 0
        self._read = 0
        self._lines: list[str] = []
        self.line = 0
        self.record_start = 1

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        # The hot path of every CSV import: one comparison per cap, the sentence
        # only when one of them is passed.
        text = self._readline(self._size)
        if not text:
            raise StopIteration
        self.line += 1
        length = len(text)
        self._read += length
        self._record_chars += length
        if (
            length > self._limits.max_line_bytes
            or self.line > self._limits.max_rows
            or self._read > self._most
            or self._record_chars > self._record_most
        ):
            self._check(text)
        if self._records:
            self._lines.append(text)
        return text

    def end_record(self) -> list[str]:
        """The lines of the record just read; the next line starts a new one."""
        lines, self._lines = self._lines, []
        self._record_chars = 0
        self.record_start = self.line + 1
        return lines

    def _check(self, text: str) -> None:
        """Refuse the cap ``text`` passed (a line of exactly the cap and its line end
        passes none)."""
        limits = self._limits
        length = len(text.rstrip("\r\n"))
        if length > limits.max_line_bytes:
            self._refuse(
                _(
                    "has a line (line {number:,}) of at least {value:,} bytes, more than the "
                    "{cap:,} bytes allowed"
                ),
                length,
                "max_line_bytes",
                number=self.line,
            )
        if self.line > limits.max_rows:
            self._refuse(
                _("has more than {value:,} lines, more than the {cap:,} lines allowed"),
                limits.max_rows,
                "max_rows",
            )
        if self._read > self._most:
            self._refuse(
                _("holds at least {value:,} bytes, more than the {cap:,} bytes allowed"),
                self._read,
                self._total_cap,
            )
        if self._record_chars > self._record_most:
            self._refuse(
                _(
                    "has a record (from line {number:,}) of more than {value:,} characters, "
                    "more than the {cap:,} characters allowed"
                ),
                self._record_chars,
                "max_record_chars",
                _RUNS_ON,
                number=self.record_start,
            )

    def _refuse(
        self, what: str, value: int, cap: str, why: str = _AS_READ, **values: object
    ) -> None:
        raise InputError(over(what, value, cap, self._limits, why, **values), file=self._name)
