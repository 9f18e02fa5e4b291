"""Moving parts for the tests that run awardflow as processes (tests/deploy's topology,
tests/faults): a :class:`Service` (a process that can be started, waited for, stopped with
SIGTERM, killed with SIGKILL and restarted), a :class:`Postgres` cluster of the test's own
(restartable, killable), and an :class:`SmtpSink` (aiosmtpd) that keeps every message and can
go down or answer 421.

Imports stay light at module level: the fault tests' delivery subprocess imports this module.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psutil
from tests.support import pg

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = float(os.environ.get("AWARDFLOW_TOPOLOGY_READY_TIMEOUT", "240"))


class ProcessError(RuntimeError):
    """A process did not start, did not get ready, or exited."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_answers(url: str) -> Callable[[], bool]:
    """Ready when ``url`` answers with any status below 500 (a 401 is an answer; a health
    check's 503 is not)."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status) < 500
        except urllib.error.HTTPError as err:
            return err.code < 500
        except OSError:
            return False

    return check


def tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def kill_tree(procs: Iterable[psutil.Process], *, reaped_by_caller: int | None = None) -> None:
    """SIGKILL every process and wait until they are gone, except the caller's own child
    ``reaped_by_caller`` (its exit status belongs to its ``Popen``)."""
    procs = list(procs)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs([p for p in procs if p.pid != reaped_by_caller], timeout=10)


class Service:
    """One long-running process in its own session (process group), its output appended to
    ``log``; ready when ``ready`` says so (a URL that answers, or any check)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: Mapping[str, str],
        log: Path,
        cwd: Path = REPO,
        ready: str | Callable[[], bool] | None = None,
        url: str | None = None,
    ) -> None:
        self.name, self.argv, self.env, self.cwd, self.log = name, argv, dict(env), cwd, log
        self.ready = http_answers(ready) if isinstance(ready, str) else ready
        self.url = url
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.started_at = 0.0
        #: seconds from the last start to ready, and of the last stop (for timing reports)
        self.ready_seconds: float | None = None
        self.stop_seconds: float | None = None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> Service:
        if self.alive():
            raise ProcessError(f"{self.name} is already running (pid {self.pid})")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.started_at, self.ready_seconds = time.monotonic(), None
        with self.log.open("ab") as out:
            header = f"\n=== start #{self.starts} at {time.time():.3f}: {' '.join(self.argv)}\n"
            out.write(header.encode())
            out.flush()
            self.popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def is_ready(self) -> bool:
        return self.alive() and (self.ready is None or self.ready())

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Wait until ready; the seconds this call waited. Raises with the log's tail if the
        process exits or is not ready within ``timeout``."""
        began = time.monotonic()
        deadline = began + timeout
        while not self.is_ready():
            if not self.alive():
                code = self.popen.returncode if self.popen else None
                raise ProcessError(f"{self.name} exited ({code}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise ProcessError(f"{self.name} not ready in {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.1)
        if self.ready_seconds is None:
            self.ready_seconds = time.monotonic() - self.started_at
        return time.monotonic() - began

    def _tree(self) -> list[psutil.Process]:
        if not self.alive() or self.pid is None:
            return []
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM to the process group (``docker stop``), then SIGKILL what is left after
        ``timeout``; the exit code."""
        if self.popen is None:
            return None
        begun = time.monotonic()
        tree = self._tree()
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        # children may sit in process groups of their own: none may outlive us
        kill_tree(p for p in tree[1:] if p.is_running())
        self.stop_seconds = time.monotonic() - begun
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL the process and every descendant at once: a crash, nothing cleaned up."""
        if self.popen is None:
            return
        kill_tree(self._tree(), reaped_by_caller=self.popen.pid)
        self.popen.wait(timeout=30)

    def restart(self, *, wait: bool = True, timeout: float = READY_TIMEOUT) -> None:
        self.stop()
        self.start()
        if wait:
            self.wait_ready(timeout)

    def tail(self, lines: int = 60) -> str:
        return tail(self.log, lines)


class Postgres:
    """A PostgreSQL cluster on a free port (run as ``postgres`` under root, like
    ``tests/support/pg.py``), restartable and killable on the same data and port; or the
    server at ``external`` (a URL without a database), which cannot be stopped."""

    def __init__(self, external: str | None = None, *, max_connections: int = 300) -> None:
        self.external = external.rstrip("/") if external else None
        self.max_connections = max_connections
        self.root: Path | None = None
        self.port = 0
        self._running = False

    @property
    def url(self) -> str:
        if self.external:
            return self.external
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return bool(self.external) or self._running

    def _data(self) -> str:
        assert self.root is not None
        return str(self.root / "data")

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        cmd = pg._as_postgres([pg._pg_bin("pg_ctl"), "-D", self._data(), *args])
        return subprocess.run(cmd, capture_output=True, timeout=120)

    def start(self) -> Postgres:
        if self.external or self._running:
            return self
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="awardflow-test-pg-"))
            os.chmod(self.root, 0o777)
            self.port = free_port()
            init = [pg._pg_bin("initdb"), "-D", self._data(), "-A", "trust", "-U", "postgres"]
            subprocess.run(pg._as_postgres([*init, "-E", "UTF8"]), check=True, capture_output=True)
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c max_connections={self.max_connections}"
        )
        done = self._pg_ctl("-o", opts, "-l", str(self.root / "log"), "-w", "start")
        if done.returncode != 0:
            raise ProcessError(f"PostgreSQL did not start: {done.stderr.decode()}\n{self.tail()}")
        self._running = True
        return self

    def _refuse_external(self, verb: str) -> None:
        if self.external:
            raise ProcessError(f"cannot {verb} the external server {self.external}")

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast`` (clients are disconnected, work in flight rolls back)."""
        self._refuse_external("stop")
        if self._running:
            self._pg_ctl("-m", mode, "-w", "stop")
            self._running = False

    def kill(self) -> None:
        """SIGKILL the postmaster and its backends: the next start runs crash recovery."""
        self._refuse_external("kill")
        if not self._running or self.root is None:
            return
        pid = int((self.root / "data" / "postmaster.pid").read_text().split()[0])
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            kill_tree([root, *root.children(recursive=True)])
        self._running = False

    def restart(self) -> float:
        """Stop (``-m fast``: every session is terminated) and start again; seconds it took."""
        began = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - began

    def create_database(self, name: str) -> str:
        return pg.create_database(self.url, name)

    def destroy(self) -> None:
        if self.external or self.root is None:
            return
        if self._running:
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def tail(self, lines: int = 40) -> str:
        return tail(self.root / "log", lines) if self.root else "(external server)"


class SmtpSink:
    """An SMTP server on 127.0.0.1 (aiosmtpd) keeping every message; stop it for an outage,
    or set ``tempfail`` to have it up but answering ``421`` to every sender."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.tempfail = False
        self.refused = 0
        #: called once, after the next message is kept and before the client gets its 250
        self.on_accept: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._controller: Any = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.tempfail:
            with self._lock:
                self.refused += 1
            return "421 4.3.2 Service not available, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self._lock:
            self.messages.append(msg)
            hook, self.on_accept = self.on_accept, None
        if hook is not None:
            hook()
        return "250 2.0.0 accepted"

    @property
    def up(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def by_message_id(self) -> Counter[str]:
        """How many times each Message-ID arrived (a duplicate counts above 1)."""
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)
