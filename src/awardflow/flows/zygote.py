"""A zygote: a fork of this process, made while it has a single thread, that forks one child
per request and reports the child's pid and then its exit code (``flows/preload.py`` starts the
worker's flow runs with it).

Forking a process that has imported everything costs milliseconds where a new interpreter
costs seconds; forking one that runs threads is unsafe (a lock held by another thread stays
held in the child), so the zygote is made before any thread starts, and it forks each child
through ``multiprocessing``'s ``fork`` start method (which runs the child's target, flushes and
exits it as ``multiprocessing`` children are). Each request carries the child's environment,
working directory and a pipe: the zygote writes the child's pid on it at once and its exit
code when it ends (the zygote reaps it). A child keeps stdin, stdout and stderr and none of
the zygote's other file descriptors, like a subprocess started with ``close_fds``.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import selectors
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

import anyio

#: what a child runs: ``target(env, cwd, inherited)``, ``inherited`` the zygote's file
#: descriptors it must close first
Target = Callable[[Mapping[str, str], "str | None", tuple[int, ...]], None]
_INT = struct.Struct("!i")
_MAX_REQUEST = 1 << 20  # one request: the pickled environment and working directory
LOST = 255  # exit code reported when the zygote vanished mid-run (as Python's forkserver does)


def _write_int(fd: int, value: int) -> None:
    os.write(fd, _INT.pack(value))


def _read_int(fd: int) -> int | None:
    """The next number on ``fd``; ``None`` at end of file (the writer is gone)."""
    data = b""
    while len(data) < _INT.size:
        chunk = os.read(fd, _INT.size - len(data))
        if not chunk:
            return None
        data += chunk
    value: int = _INT.unpack(data)[0]
    return value


def _serve(sock: socket.socket, target: Target) -> None:  # pragma: no cover - in the zygote
    """The zygote's loop: one request (environment, working directory and a pipe) → one
    forked process running ``target``; its pid, then its exit code, go back on that pipe.
    Returns when the worker closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    with selectors.PollSelector() as selector:  # no fd of its own for the children to hold
        selector.register(sock, selectors.EVENT_READ, None)
        while True:
            for key, _ in selector.select():
                if key.data is not None:
                    _reap(selector, *key.data)
                elif not _fork_one(sock, selector, target):
                    return


def _fork_one(
    sock: socket.socket, selector: selectors.BaseSelector, target: Target
) -> bool:  # pragma: no cover - in the zygote
    msg, fds, _, _ = socket.recv_fds(sock, _MAX_REQUEST, 1)
    if not msg:
        return False  # the worker closed its end
    env, cwd = pickle.loads(msg)
    inherited = (sock.fileno(), *_held(selector), *fds)
    process = multiprocessing.get_context("fork").Process(
        target=target, args=(env, cwd, inherited), name="flow-run"
    )
    process.start()
    _write_int(fds[0], process.pid or 0)
    selector.register(process.sentinel, selectors.EVENT_READ, (process, fds[0]))
    return True


def _reap(
    selector: selectors.BaseSelector, process: Any, status: int
) -> None:  # pragma: no cover - in the zygote
    selector.unregister(process.sentinel)
    process.join()
    with suppress(OSError):  # the worker stopped waiting
        _write_int(status, LOST if process.exitcode is None else process.exitcode)
    os.close(status)
    process.close()


def _held(selector: selectors.BaseSelector) -> list[int]:
    """The fds of the flows running in the zygote: the status pipes and the sentinels."""
    held = []
    for key in selector.get_map().values():
        if key.data is not None:
            process, status = key.data
            held += [status, process.sentinel]
    return held


class Zygote:
    """A fork of the worker, made before it starts any thread, that forks the flow runs."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid, self.sock = pid, sock
        self._lock = threading.Lock()

    @classmethod
    def fork(cls, target: Target) -> Zygote | None:
        """The zygote, forking a process that runs ``target`` per request; ``None`` when this
        process has threads (forking it is unsafe)."""
        if threading.active_count() != 1:
            return None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the zygote
            code = 0
            try:
                ours.close()
                # like a subprocess (close_fds): the runs get stdin, stdout and stderr only
                os.closerange(3, theirs.fileno())
                os.closerange(theirs.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
                _serve(theirs, target)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        return cls(pid, ours)

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def start(self, env: Mapping[str, str], cwd: str | None) -> Child:
        """Fork a child (blocking until its pid is known: call it off the event loop)."""
        status_r, status_w = os.pipe()
        try:
            try:
                with self._lock:
                    socket.send_fds(self.sock, [pickle.dumps((dict(env), cwd))], [status_w])
            finally:
                os.close(status_w)
            pid = _read_int(status_r)
        except BaseException:
            os.close(status_r)
            raise
        if pid is None:
            os.close(status_r)
            raise OSError("the zygote exited")
        return Child(pid, status_r)

    def close(self, timeout: float = 5.0) -> None:
        """Close the zygote's socket (it exits) and reap it."""
        self.sock.close()
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


class Child:
    """A forked child as a process object: ``pid``, ``returncode`` once it exited (what
    Prefect's ``ProcessHandle`` reads); it is signalled by pid."""

    def __init__(self, pid: int, status: int) -> None:
        self.pid, self.status = pid, status
        self.returncode: int | None = None

    async def wait(self) -> int:
        """Until the process exits (the zygote writes its exit code); cancelled, it is sent
        SIGTERM first and waited for, as Prefect's ``open_process`` does."""
        try:
            while self.returncode is None:
                await anyio.wait_readable(self.status)
                code = _read_int(self.status)
                self.returncode = LOST if code is None else code
        finally:
            if self.returncode is None:
                with suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGTERM)
                with anyio.CancelScope(shield=True):
                    code = await anyio.to_thread.run_sync(_read_int, self.status)
                    self.returncode = LOST if code is None else code
            os.close(self.status)
        return self.returncode
