"""Opening a file a person named: the checks every path that reads one goes through.

Whatever a file is for (a list or catalogue to import, a correlation table, a
profile, the config file, the SQLite database), it is looked at before a byte is
read: anything but a regular file is refused, since a FIFO nobody writes to would
never start and a device (``/dev/zero``) would never end. The type is taken from
``stat`` and again from the descriptor opened non-blocking, so nothing swapped in
between is read either. Files read whole (TOML settings) are held to a size cap as
they are read, not only as ``stat`` says.

Workbooks, CSV and documents get the further checks of
:func:`exportctl.readers.guard.check_file`, which starts here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.limits import DEFAULTS, Limits, over

__all__ = ["not_regular", "read_capped", "regular_file"]

_NOT_REGULAR = (
    (stat.S_ISDIR, N_("a directory")),
    (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
    (stat.S_ISCHR, N_("a character device")),
    (stat.S_ISBLK, N_("a block device")),
    (stat.S_ISSOCK, N_("a socket")),
)


def not_regular(mode: int) -> str | None:
    """What a file of this ``st_mode`` is when it is not a regular file (``"a named pipe
    (FIFO)"``, translated), or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    other = N_("not a regular file")
    return _(next((text for test, text in _NOT_REGULAR if test(mode)), other))


def _refuse_special(path: Path, mode: int) -> None:
    what = not_regular(mode)
    if what is None:
        return
    if stat.S_ISDIR(mode):
        raise InputError(_("is a directory, not a file"), file=str(path))
    raise InputError(
        _(
            "is {what}, not a regular file; exportctl reads only files on disk (save the data "
            "to a file and give that)"
        ).format(what=what),
        file=str(path),
    )


def _cannot_read(path: Path, exc: OSError) -> InputError:
    return InputError(_("cannot be read ({reason})").format(reason=exc.strerror), file=str(path))


def _open_regular(path: Path) -> int:
    """A descriptor on ``path``, opened only once ``stat`` says it is a regular file and
    checked again on the descriptor (opened non-blocking: a FIFO cannot stall it).

    Raises:
        InputError: Missing, unreadable, a directory, a FIFO, a device or a socket.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(_("file not found"), file=str(path)) from None
    except OSError as exc:
        raise _cannot_read(path, exc) from exc
    _refuse_special(path, info.st_mode)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise _cannot_read(path, exc) from exc
    try:
        _refuse_special(path, os.fstat(descriptor).st_mode)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def regular_file(path: Path) -> int:
    """Refuse anything but a regular file, without ever blocking; return its size.

    Raises:
        InputError: Missing, a directory, a FIFO, a device or a socket.
    """
    descriptor = _open_regular(path)
    try:
        return os.fstat(descriptor).st_size
    finally:
        os.close(descriptor)


_TOO_LARGE = N_("is {value:,} bytes, more than the {cap:,} bytes allowed")


def read_capped(path: Path, cap: str, limits: Limits = DEFAULTS) -> bytes:
    """The bytes of a file read whole (a profile, the config file), within a cap.

    Args:
        path: The file the person named.
        cap: The name of the cap in :class:`~exportctl.limits.Limits` that bounds it.
        limits: The caps in effect.

    Raises:
        InputError: Not a regular file, unreadable, or larger than the cap (as
            ``stat`` says, or as it turns out while read: a file that grows).
    """
    most: int = getattr(limits, cap)
    descriptor = _open_regular(path)
    with os.fdopen(descriptor, "rb") as handle:
        size = os.fstat(descriptor).st_size
        if size > most:
            raise InputError(over(_(_TOO_LARGE), size, cap, limits), file=str(path))
        try:
            data = handle.read(most + 1)
        except OSError as exc:
            raise _cannot_read(path, exc) from exc
    if len(data) > most:
        raise InputError(over(_(_TOO_LARGE), len(data), cap, limits), file=str(path))
    return data
