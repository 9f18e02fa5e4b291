"""Moving parts for the fault-injection tests (tests/faults): processes on 127.0.0.1 that can
be started, SIGKILLed and restarted; a PostgreSQL cluster of the test's own that can be
restarted under load; an SMTP sink (aiosmtpd) that can go down or answer 421; and the delivery
loop a killable worker process runs.

Imports stay light at module level: the delivery subprocess imports this module too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
JWT_SECRET = "fault-injection-jwt-secret-" + "x" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_answers(url: str) -> Callable[[], bool]:
    """Ready when ``url`` answers with any status below 500 (a 401 is an answer)."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status) < 500
        except urllib.error.HTTPError as err:
            return err.code < 500
        except OSError:
            return False

    return check


class Proc:
    """One child process in its own process group, its output appended to a log file."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: Mapping[str, str],
        log: Path,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.name, self.argv, self.env, self.log, self.ready = name, argv, dict(env), log, ready
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> Proc:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            out.write(f"\n===== start #{self.starts + 1} at {time.time():.3f} =====\n".encode())
            out.flush()
            self.popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        return self

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds until ``ready()``; raises with the log's tail if it dies or times out."""
        began = time.monotonic()
        while self.ready is not None and not self.ready():
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.1)
        return time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean-up, no flushing, like a power cut."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=30)

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def base_env(**extra: str) -> dict[str, str]:
    """The environment of every child: the repository importable, no Prefect analytics."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    env.update(extra)
    return env


def api_env(database_url: str, log_dir: Path, **extra: str) -> dict[str, str]:
    """Settings of an API process (the tests mint tokens with the same secret)."""
    return base_env(
        AWARDFLOW_DATABASE_URL=database_url,
        AWARDFLOW_AUDIT_KEY="test-audit-key",
        AWARDFLOW_API__JWT_SECRET=JWT_SECRET,
        AWARDFLOW_EVIDENCE__STORE_DIR=str(log_dir / "files"),
        **extra,
    )


def api_proc(database_url: str, log_dir: Path, **extra: str) -> tuple[Proc, str]:
    """``awardflow api`` (uvicorn) on a free port; returns the process and its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "awardflow.cli", "api", "--host", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    env = api_env(database_url, log_dir, **extra)
    proc = Proc("api", [*argv, "--port", str(port)], env, log_dir / "api.log")
    proc.ready = http_answers(f"{url}/api/me")
    return proc, url


# --- PostgreSQL: a cluster of the test's own, so restarting it never touches the session's --


class PgCluster:
    """initdb + pg_ctl on a temporary directory and a free port (as ``postgres`` under root)."""

    def __init__(self) -> None:
        from tests.support import pg

        self._pg = pg
        self.root = tempfile.mkdtemp(prefix="awardflow-faults-pg-")
        os.chmod(self.root, 0o777)
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _ctl(self, *args: str) -> None:
        pg = self._pg
        cmd = pg._as_postgres([pg._pg_bin("pg_ctl"), "-D", self.data, *args])
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start(self) -> PgCluster:
        pg = self._pg
        args = ["-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        initdb = pg._as_postgres([pg._pg_bin("initdb"), *args])
        subprocess.run(initdb, check=True, capture_output=True, timeout=120)
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=100"
        )
        self._ctl("-o", opts, "-l", f"{self.root}/log", "-w", "start")
        return self

    def restart(self) -> float:
        """``pg_ctl restart -m fast``: every session is terminated; seconds it took."""
        began = time.monotonic()
        self._ctl("-m", "fast", "-l", f"{self.root}/log", "-w", "restart")
        return time.monotonic() - began

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


# --- SMTP: aiosmtpd on 127.0.0.1 that keeps every message and can be down or refuse with 421 --


class SmtpSink:
    """Counts every accepted message by Message-ID (duplicates show as counts above 1)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.by_message_id: Counter[str] = Counter()
        self.tempfail = False  # answer MAIL FROM with 421: up, but not accepting
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
        import email
        import email.policy

        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.by_message_id[str(msg["Message-ID"])] += 1
            hook, self.on_accept = self.on_accept, None
        if hook is not None:
            hook()
        return "250 2.0.0 accepted"

    @property
    def up(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> Counter[str]:
        with self._lock:
            return Counter(self.by_message_id)


def mail_env(sink: SmtpSink, **extra: str) -> dict[str, str]:
    """Settings of a process that mails to ``sink``."""
    return {
        "AWARDFLOW_MAIL__BACKEND": "smtp",
        "AWARDFLOW_MAIL__HOST": "127.0.0.1",
        "AWARDFLOW_MAIL__PORT": str(sink.port),
        "AWARDFLOW_MAIL__MESSAGES_PER_SECOND": "0",
        "AWARDFLOW_MAIL__TIMEOUT_SECONDS": "5",
        "AWARDFLOW_MAIL__MESSAGE_ID_DOMAIN": "awardflow.test",
        **extra,
    }


def delivery_env(database_url: str, sink: SmtpSink, log_dir: Path, **extra: str) -> dict[str, str]:
    """Settings of a delivery process mailing to ``sink``; it writes its pid to
    ``FAULTS_READY_FILE`` when it is about to claim its first batch."""
    return base_env(
        AWARDFLOW_DATABASE_URL=database_url,
        AWARDFLOW_AUDIT_KEY="test-audit-key",
        FAULTS_READY_FILE=str(log_dir / "delivery.ready"),
        **mail_env(sink, **extra),
    )


def pid_written(path: Path, proc: Proc) -> Callable[[], bool]:
    """Ready when ``path`` holds ``proc``'s pid (a delivery loop writes it when it starts)."""

    def ready() -> bool:
        try:
            return path.read_text() == str(proc.pid)
        except OSError:
            return False

    return ready


def delivery_loop() -> None:  # pragma: no cover - runs in the delivery subprocess
    """What the ``deliver-notifications`` flow does, in a loop, without Prefect's orchestration:
    claim a batch, send, mark; sleep briefly when nothing is due. Settings come from the
    environment, exactly as a worker's would."""
    import asyncio

    from awardflow.db.session import Database
    from awardflow.notifications.mailers import mailer_from_settings
    from awardflow.services.notifications import deliver_batch
    from awardflow.settings import get_settings

    settings = get_settings()
    db = Database(settings.database_url)
    mailer = mailer_from_settings(settings.mail)
    Path(os.environ["FAULTS_READY_FILE"]).write_text(str(os.getpid()))

    async def run() -> None:
        while True:
            report = await deliver_batch(db, settings, mailer, batch=10)
            if report.claimed:
                print(f"claimed {report.claimed} sent {report.sent} mails {report.messages}")
            else:
                await asyncio.sleep(0.2)

    asyncio.run(run())
