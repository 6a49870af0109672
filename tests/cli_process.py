"""``python -m exportctl`` as a process of its own, without paying for its imports each run.

The tests that need the CLI in a process (a cap on its address space, a deadline, a kill
mid-import, writers side by side, its exit status and streams as a shell sees them) would
spend most of their time importing pandas, pyarrow and SQLAlchemy again for each run. They
ask a fork server instead: one Python process per test process, started on first use, that
has imported exportctl and its libraries once and forks a child for each run. The child
takes the run's environment, working folder, standard streams and address-space cap, then
runs the package's ``__main__`` as ``python -m exportctl`` does and exits with its status
(a traceback and status 1 for an exception, as the interpreter would). What differs from a
fresh interpreter is only what was imported before the run began; ``test_docs`` and the
web view's ``serve`` test still start the installed entry points from scratch.

Run as a script (``python tests/cli_process.py FD``) it is the server, on the socket FD.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]

PREWARM = (
    "exportctl.cli",
    "exportctl.api",
    "exportctl.api.lookups",
    "exportctl.api.changes",
    "exportctl.readers",
    "exportctl.readers.frames",
    "exportctl.readers.documents",
    "exportctl.screen",
    "exportctl.screen.columnar",
    "exportctl.reports.screening",
    "exportctl.store",
    "pyarrow.compute",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
)
"""What nearly every run imports: imported once in the server."""


# --- the test's side ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finished:
    """A run that ended: its status (minus the signal that killed it), streams, seconds."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


class Forked:
    """A running child of the server: :class:`subprocess.Popen`'s ``wait``, ``poll``,
    ``send_signal`` and ``kill`` for a process the test did not start itself."""

    def __init__(self, server: _Server, pid: int) -> None:
        self._server = server
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._server.status(self.pid, timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self._server.status(self.pid, timeout=timeout)
            if self.returncode is None:
                raise subprocess.TimeoutExpired(["exportctl"], timeout or 0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class _Server:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.socket = ours
        self.ended: dict[int, int] = {}
        self.owner = os.getpid()

    def start(
        self,
        args: Sequence[str],
        env: Mapping[str, str],
        cwd: Path | str | None,
        streams: tuple[int, int, int],
        memory: int | None,
        code: str | None,
    ) -> Forked:
        request = {
            "args": [str(arg) for arg in args],
            "env": dict(env),
            "cwd": str(cwd or os.getcwd()),
            "memory": memory,
            "code": code,
        }
        socket.send_fds(self.socket, [json.dumps(request).encode()], list(streams))
        while True:
            message = self._receive()
            if "started" in message:
                return Forked(self, message["started"])
            if "error" in message:
                raise RuntimeError(f"the CLI fork server could not start a run: {message}")

    def status(self, pid: int, *, timeout: float | None) -> int | None:
        """The exit status of ``pid``, or None if it still runs after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.ended:
            if deadline is not None and not self._ready(max(0.0, deadline - time.monotonic())):
                return None
            self._receive()
        return self.ended[pid]

    def _ready(self, timeout: float) -> bool:
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            return bool(selector.select(timeout))

    def _receive(self) -> dict[str, Any]:
        data = self.socket.recv(1 << 16)
        if not data:
            raise RuntimeError(f"the CLI fork server ended (status {self.process.poll()})")
        message: dict[str, Any] = json.loads(data)
        if "ended" in message:
            self.ended[message["ended"]] = message["returncode"]
        return message


_server: _Server | None = None


def _the_server() -> _Server:
    global _server
    if _server is None or _server.owner != os.getpid() or _server.process.poll() is not None:
        _server = _Server()
    return _server


def spawn(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None = None,
    stdin: int | None = None,
    stdout: int | None = None,
    stderr: int | None = None,
    memory: int | None = None,
    code: str | None = None,
) -> Forked:
    """Start ``python -m exportctl ARGS`` (``python -c CODE ARGS`` when ``code`` is given)
    with ``env`` as its whole environment; each stream is a file descriptor (``None``:
    ``/dev/null``); ``memory`` caps its address space (``RLIMIT_AS``, bytes)."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        streams = (
            null if stdin is None else stdin,
            null if stdout is None else stdout,
            null if stderr is None else stderr,
        )
        return _the_server().start(args, env, cwd, streams, memory, code)
    finally:
        os.close(null)


class Captured(Forked):
    """A run started by :func:`popen`: its output goes to files read at its end."""

    def __init__(self, forked: Forked, out: IO[bytes], err: IO[bytes]) -> None:
        super().__init__(forked._server, forked.pid)
        self._files = (out, err)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the end (:class:`subprocess.TimeoutExpired` past ``timeout``); its
        stdout and stderr."""
        self.wait(timeout)
        texts = []
        for file in self._files:
            file.seek(0)
            texts.append(file.read().decode())
            file.close()
        return texts[0], texts[1]


def popen(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None = None,
    stdin: int | None = None,
    memory: int | None = None,
    code: str | None = None,
) -> Captured:
    """Start ``python -m exportctl ARGS`` (or ``python -c CODE ARGS``), its stdout and stderr
    captured (as :class:`subprocess.Popen` with both ``PIPE``, read by
    :meth:`Captured.communicate`)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    try:
        forked = spawn(
            args, env=env, cwd=cwd, stdin=stdin, stdout=out.fileno(), stderr=err.fileno(),
            memory=memory, code=code,
        )  # fmt: skip
    except BaseException:
        out.close()
        err.close()
        raise
    return Captured(forked, out, err)


def run(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None = None,
    stdin: int | None = None,
    input: bytes | None = None,
    memory: int | None = None,
    timeout: float | None = None,
) -> Finished:
    """``python -m exportctl ARGS`` to its end, its output captured (as
    :func:`subprocess.run` with ``capture_output=True, text=True``): the child is killed and
    :class:`subprocess.TimeoutExpired` raised past ``timeout`` seconds."""
    given: IO[bytes] | None = None
    if input is not None:
        given = tempfile.TemporaryFile()
        given.write(input)
        given.seek(0)
        stdin = given.fileno()
    started = time.monotonic()
    try:
        child = popen(args, env=env, cwd=cwd, stdin=stdin, memory=memory)
    finally:
        if given is not None:
            given.close()
    try:
        out, err = child.communicate(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    return Finished(child.wait(), out, err, time.monotonic() - started)


# --- the server's side --------------------------------------------------------------------


def _child(request: dict[str, Any], streams: list[int]) -> NoReturn:
    """In the forked child: become ``python -m exportctl ARGS`` and exit with its status."""
    import locale
    import resource
    import runpy
    import traceback

    code: int = 1
    try:
        for target, fd in enumerate(streams):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        try:
            locale.setlocale(locale.LC_CTYPE, "")
        except locale.Error:
            locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
        if request["memory"] is not None:
            cap = int(request["memory"])
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        # The standard streams as the interpreter opens them at start (PEP 538/540: UTF-8
        # under a C or UTF-8 locale, surrogates escaped there).
        coding = os.environ.get("PYTHONIOENCODING", "").partition(":")
        encoding = coding[0] or locale.getpreferredencoding(False)
        lenient = locale.setlocale(locale.LC_CTYPE) in ("C", "POSIX", "C.UTF-8", "C.utf8")
        errors = coding[2] or ("surrogateescape" if lenient else "strict")
        sys.stdin = sys.__stdin__ = open(0, encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = open(  # noqa: SIM115
            1, "w", encoding=encoding, errors=errors, closefd=False
        )
        sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
            2, "w", encoding=encoding, errors="backslashreplace", closefd=False, buffering=1
        )
        sys.path[0] = os.getcwd()
        try:
            if request["code"] is None:
                sys.argv = [str(ROOT / "exportctl" / "__main__.py"), *request["args"]]
                runpy.run_module("exportctl", run_name="__main__", alter_sys=True)
            else:
                sys.argv = ["-c", *request["args"]]
                exec(compile(request["code"], "<string>", "exec"), {"__name__": "__main__"})
            code = 0
        except SystemExit as stop:
            if stop.code is None:
                code = 0
            elif isinstance(stop.code, int):
                code = stop.code
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
    except BaseException:
        os.write(2, traceback.format_exc().encode())
    # Out through the server's loop to the interpreter's own ending: threads joined, exit
    # handlers run (coverage.py saves what it measured in this child), streams flushed.
    raise SystemExit(code & 0xFF)


def serve(fd: int) -> None:
    """Answer the test process on socket ``fd`` until it closes it."""
    import importlib

    channel = socket.socket(fileno=fd)
    for name in PREWARM:
        importlib.import_module(name)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is channel:
                data, fds, _flags, _address = socket.recv_fds(channel, 1 << 20, 3)
                if not data:
                    return
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    channel.close()
                    os.close(wake_read)
                    os.close(wake_write)
                    _child(json.loads(data), fds)
                for stream in fds:
                    os.close(stream)
                channel.send(json.dumps({"started": pid}).encode())
            else:
                os.read(wake_read, 4096)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            returncode = os.waitstatus_to_exitcode(status)
            channel.send(json.dumps({"ended": pid, "returncode": returncode}).encode())


if __name__ == "__main__":
    serve(int(sys.argv[1]))
