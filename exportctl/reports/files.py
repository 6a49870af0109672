"""Writing report files so that a reader never sees half of one, and never loses one.

A report is written to a temporary file beside its target, named
``.NAME.exportctl-HOST-PID-RANDOM.part``, then published: created exclusively at a new
name (:func:`publish_file`), or renamed over a file the caller lets it replace.
Temporary files whose process has died (a killed run) are removed by the next run
that writes to the same folder.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from exportctl.errors import InputError
from exportctl.i18n import _


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only when the block succeeds.

    Raises:
        OSError: Writing failed; it names ``path``, never the temporary file.
    """
    temp = temp_beside(path)
    try:
        yield temp
        publish_file(temp, path, replace=True)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise naming_target(exc, temp, path) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def naming_target(exc: OSError, temp: Path, target: Path) -> OSError:
    """``exc``, or the same error naming ``target`` when it names ``temp``: a person
    asked for ``target`` and has never heard of our temporary file."""
    if exc.filename is None or os.fspath(exc.filename) != str(temp):
        return exc
    return OSError(exc.errno, exc.strerror, str(target))


def publish_file(temp: Path, target: Path, *, replace: bool) -> None:
    """Move ``temp`` to ``target``: over it when ``replace``, else only if it is absent.

    Raises:
        InputError: ``target`` exists and ``replace`` is false.
        OSError: Anything else; it names ``target``, never ``temp``.
    """
    try:
        if replace:
            os.replace(temp, target)
            return
        try:
            # A hard link is created only where no name exists: the kernel decides
            # between two runs, with no window in which both see the name free.
            os.link(temp, target)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EOPNOTSUPP):
                raise
            # A file system without hard links: reserve the name exclusively, then
            # rename over the (empty, ours) reservation.
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.replace(temp, target)
        else:
            temp.unlink(missing_ok=True)
    except FileExistsError:
        raise InputError(
            _(
                "{path} was created by someone else while this report was being written; "
                "it is left as it is: choose another name, or give --force to replace it."
            ).format(path=target)
        ) from None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(target)) from None


_TEMP = re.compile(r"\.exportctl-([0-9a-f]{8})-(\d+)-[^/]*\.part$")
"""How a report's temporary file is named: ``.NAME.exportctl-HOST-PID-RANDOM.part``,
HOST being 8 hex digits of this machine's name: a folder shared by several machines
(NFS) holds others' temporary files, whose process ids mean nothing here."""


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_beside(target: Path) -> Path:
    """A new, empty temporary file in ``target``'s folder, named after it and this process.

    Temporary files left there by runs that were killed (their process no longer
    exists) are removed first, so a crash never leaves one for good.
    """
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temps(folder)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.exportctl-{_host()}-{os.getpid()}-", suffix=".part", dir=folder
        )
    except OSError as exc:
        # The folder refuses new files (read-only, a system folder): said of the
        # file asked for, not of the temporary name tried.
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    os.close(handle)
    return Path(name)


_TEMP_IN_TEXT = re.compile(
    r"(?<![^/\\\s'\"(])\.(?P<name>[^/\\\n]+?)\.exportctl-[0-9a-f]{8}-\d+-[^/\\\s'\"]*?\.part"
)
"""A temporary file of ours named in a message (its folder, if any, stays before it)."""


def name_targets(text: str) -> str:
    """``text`` with each temporary file of ours named as the file it stands for
    (``/out/.r.csv.exportctl-…-x1.part`` → ``/out/r.csv``): the last guard that a
    message never names a file the person did not ask for."""
    return _TEMP_IN_TEXT.sub(lambda found: found["name"], text)


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the report temporary files in ``folder`` whose process has died.

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    host = _host()
    try:
        names = [p for p in folder.iterdir() if p.name.startswith(".") and _TEMP.search(p.name)]
    except OSError:
        return removed
    for path in names:
        match = _TEMP.search(path.name)
        if match is None or match.group(1) != host or _alive(int(match.group(2))):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user's counts as alive)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
