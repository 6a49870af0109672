"""One table of every report exportctl writes: (subject, format) → writer.

A writer is ``write(subject, path, options) -> result``: it writes one complete
file at ``path`` (a temporary file chosen here) and returns what the caller wants
back (a screening summary, say, or ``None``). :func:`write_report` does the rest
the same way for every report:

* the file appears only when complete: written beside the target and renamed over
  it, or, for standard output, written to a temporary file and copied out once
  finished, so a failed run never leaves half a report;
* its SHA-256 is taken over exactly the bytes delivered, for the audit log;
* it is created with the permissions the umask gives a new file (``0666 & ~umask``),
  whatever the writer's library would have used.

A new format or subject is one entry in :data:`REPORTS`. Writers are named as
``module:function`` and imported on first use, so this table costs nothing to load.

Example:
    >>> written = write_report("changes", "csv", changes, Path("changes.csv"), ReportOptions())
    >>> written.sha256
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from exportctl.errors import InputError
from exportctl.i18n import using
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.files import publish_file, temp_beside

__all__ = ["REPORTS", "Entry", "Written", "formats_of", "new_file_mode", "write_report"]


@dataclass(frozen=True)
class Entry:
    """One report: where its writer lives and whether it may go to standard output."""

    writer: str
    """``module:function`` of the writer."""
    stream: bool
    """Whether it is text that may be printed to standard output."""

    def load(self) -> Callable[[Any, Path, ReportOptions], Any]:
        """The writer function."""
        module, name = self.writer.split(":")
        function: Callable[[Any, Path, ReportOptions], Any] = getattr(
            importlib.import_module(module), name
        )
        return function


REPORTS: dict[tuple[str, str], Entry] = {
    ("changes", "csv"): Entry("exportctl.reports.csv:change_report", stream=True),
    ("changes", "json"): Entry("exportctl.reports.json:change_report", stream=True),
    ("changes", "xlsx"): Entry("exportctl.reports.xlsx:change_report", stream=False),
    ("changes", "pdf"): Entry("exportctl.reports.pdf:change_report", stream=False),
    ("screening", "csv"): Entry("exportctl.reports.screening_table:csv_report", stream=True),
    ("screening", "json"): Entry("exportctl.reports.screening:json_report", stream=True),
    ("screening", "xlsx"): Entry("exportctl.reports.screening_xlsx:xlsx_report", stream=False),
    ("screening", "pdf"): Entry("exportctl.reports.screening_pdf:pdf_report", stream=False),
    ("combined", "csv"): Entry("exportctl.reports.combined:csv_report", stream=True),
    ("combined", "json"): Entry("exportctl.reports.combined:json_report", stream=True),
    ("combined", "xlsx"): Entry("exportctl.reports.combined:xlsx_report", stream=False),
    ("version", "csv"): Entry("exportctl.reports.export:csv_report", stream=True),
    ("version", "json"): Entry("exportctl.reports.export:json_report", stream=True),
    ("version", "xlsx"): Entry("exportctl.reports.export:xlsx_report", stream=False),
    ("items", "csv"): Entry("exportctl.reports.export:items_csv_report", stream=True),
    ("crosslist", "csv"): Entry("exportctl.reports.crosslist:csv_report", stream=True),
    ("crosslist", "json"): Entry("exportctl.reports.crosslist:json_report", stream=True),
    ("crosslist", "xlsx"): Entry("exportctl.reports.crosslist:xlsx_report", stream=False),
}
"""Every report: ``changes`` (``diff``), ``screening`` (``screen``), ``combined``
(``screen`` against several lists), ``version``
(``export``), ``items`` (``show --csv``), ``crosslist`` (``compare``)."""


def formats_of(subject: str) -> tuple[str, ...]:
    """The formats ``subject`` is written in, in table order."""
    return tuple(fmt for (name, fmt) in REPORTS if name == subject)


def entry_for(subject: str, fmt: str) -> Entry:
    """The table's entry for ``subject`` in ``fmt``.

    Raises:
        InputError: No such report.
    """
    try:
        return REPORTS[(subject, fmt)]
    except KeyError:
        raise InputError(
            f'a {subject} report is not written as "{fmt}" '
            f"(choose {', '.join(formats_of(subject))})"
        ) from None


def new_file_mode() -> int:
    """The permissions a new file gets under the current umask (``0666 & ~umask``)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@dataclass(frozen=True)
class Written:
    """A report delivered."""

    sha256: str
    """SHA-256 of the bytes delivered."""
    size: int
    """Their number."""
    result: Any
    """What the writer returned."""
    path: Path | None
    """The file written (``None`` for standard output)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Pending:
    """A report written to a temporary file, waiting to be delivered (:meth:`deliver`).

    Used as a context manager: the temporary file is removed on leaving, delivered
    or not, so a failure between writing and delivering leaves nothing behind.
    """

    def __init__(
        self, temp: Path, target: Path | IO[Any], result: Any, *, replaces: bool = False
    ) -> None:
        self.temp = temp
        self.target = target
        self.result = result
        self.replaces = replaces
        """Whether the target file existed when the report was begun (the caller let
        it be replaced, ``--force``); otherwise delivering creates it exclusively."""
        self.sha256 = _sha256(temp)
        self.size = temp.stat().st_size

    def deliver(self) -> Written:
        """Put the file at its target, or copy it to the stream.

        A target that did not exist when the report was begun is created
        exclusively: if another run put a file there meanwhile, that file stays
        and this delivery is refused (two runs to one new name: one succeeds, one
        is refused, none is silently lost). A target that existed is replaced.

        Raises:
            InputError: The target appeared while the report was written.
            OSError: Delivering failed; it names the target, never the temporary file.
        """
        if isinstance(self.target, Path):
            publish_file(self.temp, self.target, replace=self.replaces)
            return Written(self.sha256, self.size, self.result, self.target)
        stream = self.target
        binary = getattr(stream, "buffer", None)
        stream.flush()
        out = binary if binary is not None else stream
        with self.temp.open("rb") as handle:
            if binary is None and not _is_binary(stream):
                out.write(handle.read().decode("utf-8"))
            else:
                shutil.copyfileobj(handle, out, 1 << 20)
        out.flush()
        return Written(self.sha256, self.size, self.result, None)

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, *exc: object) -> None:
        self.temp.unlink(missing_ok=True)


def _is_binary(stream: IO[Any]) -> bool:
    mode = getattr(stream, "mode", "")
    return isinstance(mode, str) and "b" in mode or not hasattr(stream, "encoding")


def prepare_report(
    subject: str, fmt: str, data: Any, target: Path | IO[Any], options: ReportOptions
) -> Pending:
    """Write a report to a temporary file, ready to :meth:`Pending.deliver`.

    The file is beside ``target`` when it is a path (so delivering is a rename),
    else in the temporary folder.

    Raises:
        InputError: No such report, or a binary format asked for a stream.
    """
    entry = entry_for(subject, fmt)
    if not isinstance(target, Path) and getattr(target, "write", None) is None:
        # Python sets sys.stdout to None when the process starts with it closed.
        raise OSError(errno.EBADF, "standard output is closed")
    if isinstance(target, Path) and target.is_symlink():
        # Allowed by the caller (``--force``): the report goes where the link points.
        target = target.resolve()
    if not isinstance(target, Path) and not entry.stream:
        raise InputError(f"a {fmt} report needs a file: give -o FILE.{fmt}")
    if isinstance(target, Path):
        # The caller has already refused an existing file unless it may be replaced.
        replaces = target.exists()
        temp = temp_beside(target)
    else:
        replaces = False
        # For standard output, in the temporary folder, named (and cleaned) alike.
        temp = temp_beside(Path(tempfile.gettempdir()) / "stdout")
    try:
        # Sentences built while the report is written (warnings, notes, reasons that
        # screening makes as rows stream through) are said in the report's language,
        # whatever the terminal speaks.
        with using(options.lang):
            result = entry.load()(data, temp, options)
        os.chmod(temp, new_file_mode())
        return Pending(temp, target, result, replaces=replaces)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if isinstance(target, Path) and exc.filename == str(temp):
            # Say the file the person asked for, not our temporary one.
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_report(
    subject: str, fmt: str, data: Any, target: Path | IO[Any], options: ReportOptions
) -> Written:
    """Write a report and deliver it (see the module's note).

    Args:
        subject: ``changes``, ``screening`` or ``version``.
        fmt: A format of that subject (:func:`formats_of`).
        data: What the writer reports on.
        target: A file path, or a stream such as ``sys.stdout`` (text formats only).
        options: Language, dialect, evidence.

    Returns:
        The hash, size and the writer's result.
    """
    with prepare_report(subject, fmt, data, target, options) as pending:
        return pending.deliver()
