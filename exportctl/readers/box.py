"""A child process that parses a possibly hostile file for its parent, and dies with it.

A document parser (pdfminer under pdfplumber) can be driven by a small file into
work or memory without bound. A reader runs it in a :class:`Worker`, a child
process that

* has its address space capped (``RLIMIT_AS``: its size when it starts plus the
  budget the reader gives), so it fails alone instead of swapping the machine;
* is stopped by its parent when it stays silent past a deadline (the parent keeps
  the clock: a parser stuck in C code cannot miss it);
* never outlives its parent: on Linux the kernel kills it when the parent dies
  (``PR_SET_PDEATHSIG``), and everywhere a thread of the child watches the pipe
  whose other end only the parent holds, and ends the child when it closes. A
  child left behind would block forever, holding the caller's pipes and the
  database files.

The child talks to its parent through one duplex channel of picklable messages.
It is forked when this process runs no other thread (cheap: nothing is imported
again), else spawned (a fork copies locks that other threads may hold mid-work).
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import TYPE_CHECKING, Any

from exportctl.i18n import active, using

if TYPE_CHECKING:  # ForkContext exists only where fork does
    from multiprocessing.context import ForkContext, SpawnContext

ORPHANED = 75
"""Exit status of a worker that ended itself because its parent was gone."""

STOP_WAIT = 2.0
"""Seconds a worker waiting for a message is given to end once its channel closes."""

_PR_SET_PDEATHSIG = 1


class WorkerGone(Exception):
    """The worker ended without its answer.

    Attributes:
        exitcode: Its exit status, or minus the signal that killed it.
    """

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(exitcode)
        self.exitcode = exitcode


class Worker:
    """A child process running ``target(channel, *args)``, in this process's language.

    ``target`` must be a module-level function and ``args`` picklable (a spawned child
    imports the one and unpickles the others). Use as a context manager: leaving it
    ends the child, however the block ends.

    Args:
        target: What the child runs; it talks to the parent through its first argument.
        args: The rest of its arguments.
        memory: Bytes of address space the child may take beyond its size at start.
    """

    def __init__(self, target: Callable[..., None], *args: Any, memory: int) -> None:
        context = _context()
        self.channel, theirs = context.Pipe()
        # A forked child holds a copy of every channel end this process holds; it
        # closes the parent's ends, or it would never see its own channel close. (A
        # spawned child inherits none.)
        ours = (
            [self.channel, *(w.channel for w in _LIVE)]
            if context.get_start_method() == "fork"
            else []
        )
        self.process = context.Process(
            target=_enter, args=(theirs, ours, active(), memory, target, args), daemon=True
        )
        self.process.start()
        theirs.close()
        _LIVE.add(self)
        self.exitcode: int | None = None
        """The child's exit status once stopped (minus the signal that ended it)."""

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop(wait=0.0 if error is not None else STOP_WAIT)

    def send(self, message: Any) -> None:
        """Give the child a message.

        Raises:
            WorkerGone: The child has ended.
        """
        try:
            self.channel.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise self._gone() from None

    def receive(self, timeout: float) -> Any:
        """The child's next message, waiting at most ``timeout`` seconds.

        Raises:
            TimeoutError: Nothing came in time (the child still runs).
            WorkerGone: The child ended without a message left to read.
        """
        if not multiprocessing.connection.wait(
            [self.channel, self.process.sentinel], max(timeout, 0.0)
        ):
            raise TimeoutError
        # A child that answered and ended is ready twice over: its answer comes first.
        if self.channel.poll():
            try:
                return self.channel.recv()
            # A child that died mid-message leaves half of one.
            except (EOFError, OSError, pickle.UnpicklingError):
                pass
        raise self._gone()

    def stop(self, wait: float = STOP_WAIT) -> None:
        """End the child: its channel closes, and it is killed if it has not ended in ``wait`` s."""
        _LIVE.discard(self)
        self.channel.close()
        self.process.join(wait)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.exitcode = self.process.exitcode
        self.process.close()

    def _gone(self) -> WorkerGone:
        self.process.join(STOP_WAIT)
        return WorkerGone(self.process.exitcode)


def ready(workers: Sequence[Worker], timeout: float) -> list[Worker]:
    """The workers with a message to read or that have ended, waiting up to ``timeout``."""
    handles: dict[Any, Worker] = {}
    for worker in workers:
        handles[worker.channel] = worker
        handles[worker.process.sentinel] = worker
    found = multiprocessing.connection.wait(list(handles), max(timeout, 0.0))
    return [worker for worker in workers if any(handles[handle] is worker for handle in found)]


def _context() -> ForkContext | SpawnContext:
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_LIVE: weakref.WeakSet[Worker] = weakref.WeakSet()
"""The workers this process has started and not stopped."""


def _enter(
    channel: Connection,
    parents: list[Connection],
    lang: str,
    memory: int,
    target: Callable[..., None],
    args: tuple[Any, ...],
) -> None:
    """The child's first steps: tie its life to the parent, cap its memory, run."""
    for end in parents:
        end.close()
    _tie_to_parent()
    _quiet()
    _cap_memory(memory)
    try:
        with using(lang):
            target(channel, *args)
    except BaseException:
        # The target answers every error it can; anything else is the parent's
        # "ended without its answer", with no trace on the caller's terminal.
        os._exit(1)
    finally:
        channel.close()


def _tie_to_parent() -> None:
    """End this process when its parent dies (see the module's notes)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # A parent that died before the signal was asked for has already given this
    # process to another; the kernel will not say so again.
    if parent.pid is not None and os.getppid() != parent.pid:
        os._exit(ORPHANED)
    threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()


def _end_with(sentinel: int) -> None:
    """Wait until the parent's end of the pipe closes (the parent died), then end."""
    multiprocessing.connection.wait([sentinel])
    os._exit(ORPHANED)


def _quiet() -> None:
    """Point the standard streams at the null device.

    What a parser says (warnings, a dying library's dump) is not for the user,
    and the caller's standard streams are not held open by the child.
    """
    faulthandler.disable()  # it may write to a copy of the caller's stderr
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    os.close(null)


def _cap_memory(extra: int) -> None:
    """Cap this process's address space at its present size plus ``extra`` bytes."""
    try:
        import resource
    except ImportError:  # not POSIX: no cap
        return
    size = address_space()
    if not size:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def address_space() -> int:
    """This process's address space in bytes (0 when it cannot be told)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
