"""Restarting in a second: the kill test forks its API and delivery processes from a
process that has imported everything already (see :class:`Zygote`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.support import faults
from tests.support.faults import api_env, delivery_env
from tests.support.processes import REPO, Service, SmtpSink, free_port, http_answers


class Zygote:
    """A process that imports the API and the delivery worker once, then forks a fresh
    process for each (re)start, like gunicorn's preload. The forked process is the one that
    serves and the one SIGKILLed: its own database pool, its own in-flight requests and
    claims, nothing shared with the zygote but imported code. A cold start costs 5 s of
    imports here (25-45 s when the machine is busy); a fork costs well under one."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        argv = [sys.executable, "-c", "from tests.faults.zygote import zygote; zygote()"]
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        with log.open("ab") as err:
            self.popen = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
            )

    def fork(self, role: str, log: Path, timeout: float = 180.0) -> int:
        import select

        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.popen.stdin.write(f"{role} {log}\n".encode())
        self.popen.stdin.flush()
        ready, _, _ = select.select([self.popen.stdout], [], [], timeout)
        line = self.popen.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            raise RuntimeError(f"zygote did not fork {role}: {self.log.read_text()[-3000:]}")
        return int(line)

    def close(self) -> None:
        if self.popen.stdin is not None:
            self.popen.stdin.close()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        if self.popen.stdout is not None:
            self.popen.stdout.close()


class ForkedProc(Service):
    """A :class:`Service` whose process is forked by a :class:`Zygote` (same interface)."""

    def __init__(
        self, zygote: Zygote, role: str, log: Path, ready: Callable[[], bool] | None = None
    ) -> None:
        super().__init__(role, [], env={}, log=log, ready=ready)
        self.zygote, self.role = zygote, role
        self._pid: int | None = None

    @property
    def pid(self) -> int:
        assert self._pid is not None
        return self._pid

    def alive(self) -> bool:
        if self._pid is None:
            return False
        try:
            os.kill(self._pid, 0)  # the zygote ignores SIGCHLD: a dead child vanishes at once
        except ProcessLookupError:
            return False
        return True

    def start(self) -> Service:
        self.started_at, self.ready_seconds = time.monotonic(), None
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            out.write(f"\n===== start #{self.starts + 1} at {time.time():.3f} =====\n".encode())
        self._pid = self.zygote.fork(self.role, self.log)
        self.starts += 1
        return self

    def _signal(self, sig: int, timeout: float) -> bool:
        if not self.alive():
            return True
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.alive()

    def kill(self) -> None:
        assert self._signal(signal.SIGKILL, 10), f"{self.name} survived SIGKILL"

    def stop(self, timeout: float = 10.0) -> None:
        if not self._signal(signal.SIGTERM, timeout):
            self.kill()


def zygote() -> None:  # pragma: no cover - runs in a subprocess
    """Import and build the API app (no connection is opened before the fork), then fork one
    child per line ``ROLE LOGFILE`` read on stdin (``api`` serves that app with uvicorn on
    ``FAULTS_API_PORT`` as ``awardflow api`` does; ``delivery`` runs the delivery loop) and
    answer each line with the child's pid."""
    import uvicorn

    import awardflow.services.notifications  # noqa: F401 - imported once, for the children
    from awardflow.api.app import create_app
    from awardflow.settings import get_settings

    app = create_app(get_settings())  # gunicorn's --preload: routes built once
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    for line in sys.stdin:
        role, log = line.split(maxsplit=1)
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.setsid()
                fd = os.open(log.strip(), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                if role == "api":
                    port = int(os.environ["FAULTS_API_PORT"])
                    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")
                else:
                    faults.delivery_loop()
            finally:
                os._exit(1)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


def forked_pair(
    database_url: str, sink: SmtpSink, log_dir: Path, **mail: str
) -> tuple[Zygote, ForkedProc, str, ForkedProc]:
    """A zygote, and the API (with its base URL) and delivery processes it forks."""
    port = free_port()
    env = {
        **api_env(database_url, log_dir),
        **delivery_env(database_url, sink, log_dir, **mail),
        "FAULTS_API_PORT": str(port),
    }
    zyg = Zygote(env, log_dir / "zygote.log")
    url = f"http://127.0.0.1:{port}"
    api = ForkedProc(zyg, "api", log_dir / "api.log", http_answers(f"{url}/api/me"))
    worker = ForkedProc(zyg, "delivery", log_dir / "delivery.log")
    worker.ready = faults.pid_written(Path(env["FAULTS_READY_FILE"]), worker)
    return zyg, api, url, worker
