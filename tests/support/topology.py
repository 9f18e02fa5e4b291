"""awardflow's production topology as local processes, without Docker (docker-compose.yml's
services, one process each, on 127.0.0.1 with free ports):

- ``pg``: a PostgreSQL cluster (run as the ``postgres`` user, like ``tests/support/pg.py``)
  holding two databases, awardflow's and Prefect's;
- ``prefect``: ``prefect server start`` on PostgreSQL (asyncpg);
- ``workers``: N ``awardflow worker`` processes serving the deployments;
- ``apis``: N ``awardflow api`` processes (the replicas);
- ``smtp``: an SMTP sink (aiosmtpd, Mailpit's part) the workers deliver mail to.

Each long-running process is a :class:`Service` that can be started, waited for, stopped
(SIGTERM, as ``docker stop`` does), killed (SIGKILL to its whole process tree, as a crash) and
restarted; ``pg`` and ``smtp`` have the same verbs. :meth:`Topology.report` gives every log's
tail for a failure message, and leaving the ``with`` block stops everything, also on failure::

    with Topology(tmp_path, workers=2, apis=2) as topo:
        topo.start(seed=lambda t: t.awardflow("campaign", "load", "plan.yaml"))
        topo.apis[0].url, topo.prefect_api_url, topo.database_url
        topo.workers[1].kill(); topo.workers[1].restart()
        run_id = topo.prefect_client.run_deployment("assign-proposed/assign-proposed")
        topo.prefect_client.wait(run_id)

``AWARDFLOW_TEST_PG_URL`` points at an existing server instead (then ``pg`` cannot be stopped).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import psutil
from tests.support import pg

BIN = Path(sys.executable).parent
READY_TIMEOUT = float(os.environ.get("AWARDFLOW_TOPOLOGY_READY_TIMEOUT", "240"))
#: Settings of the test process that must not leak into the topology's processes.
_PRIVATE_PREFIXES = ("AWARDFLOW_", "PREFECT_")


class TopologyError(RuntimeError):
    """A process of the topology did not start, did not get ready, or a command failed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _kill_tree(procs: Iterable[psutil.Process], *, reaped_by_caller: int | None = None) -> None:
    """SIGKILL every process and wait until they are gone, except the caller's own child
    ``reaped_by_caller`` (its exit status belongs to its ``Popen``)."""
    procs = list(procs)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs([p for p in procs if p.pid != reaped_by_caller], timeout=10)


class Service:
    """One long-running process of the topology, in its own session (process group)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log: Path,
        ready_url: str | None = None,
        url: str | None = None,
    ) -> None:
        self.name, self.argv, self.env, self.cwd, self.log = name, argv, dict(env), cwd, log
        self.ready_url, self.url = ready_url, url
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.started_at = 0.0
        #: seconds from the last start to ready, and of the last stop (for timing reports)
        self.ready_seconds: float | None = None
        self.stop_seconds: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            raise TopologyError(f"{self.name} is already running (pid {self.pid})")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.started_at, self.ready_seconds = time.monotonic(), None
        with self.log.open("ab") as out:
            out.write(f"\n=== start #{self.starts}: {' '.join(self.argv)}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def is_ready(self) -> bool:
        return self.running and (self.ready_url is None or _http_ok(self.ready_url))

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if self.process is None or self.process.poll() is not None:
                code = self.process.returncode if self.process else None
                raise TopologyError(f"{self.name} exited ({code}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise TopologyError(f"{self.name} not ready in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)
        if self.ready_seconds is None:
            self.ready_seconds = time.monotonic() - self.started_at

    def _tree(self) -> list[psutil.Process]:
        if not self.running or self.pid is None:
            return []
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (``docker stop``), then SIGKILL what is left after ``timeout``; the exit code."""
        if self.process is None:
            return None
        begun = time.monotonic()
        tree = self._tree()
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # flow-run subprocesses may sit in their own process groups: none may outlive us
        _kill_tree(p for p in tree[1:] if p.is_running())
        self.stop_seconds = time.monotonic() - begun
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL the process and every descendant at once: a crash, nothing cleaned up."""
        if self.process is None:
            return
        _kill_tree(self._tree(), reaped_by_caller=self.process.pid)
        self.process.wait()

    def restart(self, *, wait: bool = True, timeout: float = READY_TIMEOUT) -> None:
        self.stop()
        self.start()
        if wait:
            self.wait_ready(timeout)

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log, lines)


class Postgres:
    """A PostgreSQL cluster on a free port, restartable on the same data and port."""

    def __init__(self, external: str | None = None) -> None:
        """Its own cluster, or the server at ``external`` (a URL without a database)."""
        self.external = external.rstrip("/") if external else None
        self.root: Path | None = None
        self.port = 0
        self._running = False

    @property
    def server_url(self) -> str:
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

    def start(self) -> None:
        if self.external or self._running:
            return
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="awardflow-topology-pg-"))
            os.chmod(self.root, 0o777)
            self.port = free_port()
            init = [pg._pg_bin("initdb"), "-D", self._data(), "-A", "trust", "-U", "postgres"]
            subprocess.run(pg._as_postgres([*init, "-E", "UTF8"]), check=True, capture_output=True)
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=300"
        )
        done = self._pg_ctl("-o", opts, "-l", str(self.root / "log"), "-w", "start")
        if done.returncode != 0:
            raise TopologyError(
                f"PostgreSQL did not start: {done.stderr.decode()}\n{self.log_tail()}"
            )
        self._running = True

    def _refuse_external(self, verb: str) -> None:
        if self.external:
            raise TopologyError(f"cannot {verb} the external server AWARDFLOW_TEST_PG_URL")

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
            _kill_tree([root, *root.children(recursive=True)])
        self._running = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        return pg.create_database(self.server_url, name)

    def destroy(self) -> None:
        if self.external or self.root is None:
            return
        if self._running:
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.root / "log", lines) if self.root else "(external server)"


class SmtpSink:
    """An SMTP server on 127.0.0.1 keeping every message (aiosmtpd); stop it for an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self._lock:
            self.messages.append(msg)
        return "250 2.0.0 accepted"

    @property
    def running(self) -> bool:
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


class PrefectClient:
    """The few calls of Prefect's REST API the tests need (no ``import prefect`` here)."""

    TERMINAL = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.http = httpx.Client(base_url=api_url, timeout=30.0)

    def close(self) -> None:
        self.http.close()

    def deployment_id(self, name: str, timeout: float = 60.0) -> str:
        """The id of ``flow-name/deployment-name``, waiting for a worker to register it."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.http.get(f"/deployments/name/{name}")
            if response.status_code == 200:
                return str(response.json()["id"])
            if time.monotonic() > deadline:
                raise TopologyError(f"deployment {name} not registered: {response.text}")
            time.sleep(0.5)

    def deployments(self) -> list[dict[str, Any]]:
        response = self.http.post("/deployments/filter", json={"limit": 200})
        response.raise_for_status()
        return list(response.json())

    def run_deployment(self, name: str, parameters: Mapping[str, Any] | None = None) -> str:
        """Create a flow run of ``name`` due now (``prefect deployment run``); its id."""
        body = {"parameters": dict(parameters or {})}
        response = self.http.post(
            f"/deployments/{self.deployment_id(name)}/create_flow_run", json=body
        )
        response.raise_for_status()
        return str(response.json()["id"])

    def flow_run(self, run_id: str) -> dict[str, Any]:
        response = self.http.get(f"/flow_runs/{run_id}")
        response.raise_for_status()
        return dict(response.json())

    def wait(self, run_id: str, timeout: float = 180.0) -> dict[str, Any]:
        """The flow run once it reached a terminal state (raises after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.flow_run(run_id)
            if run["state_type"] in self.TERMINAL:
                return run
            if time.monotonic() > deadline:
                raise TopologyError(f"flow run {run['name']} still {run['state_name']}")
            time.sleep(0.5)

    def flow_runs(self) -> list[dict[str, Any]]:
        response = self.http.post(
            "/flow_runs/filter", json={"limit": 200, "sort": "START_TIME_ASC"}
        )
        response.raise_for_status()
        return list(response.json())


class Topology:
    """The processes of docker-compose.yml on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        root: Path,
        *,
        workers: int = 2,
        apis: int = 2,
        smtp: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.token = secrets.token_hex(4)
        self.pg = Postgres(os.environ.get("AWARDFLOW_TEST_PG_URL"))
        self.smtp = SmtpSink() if smtp else None
        self.database_url = ""
        self.prefect_database_url = ""
        self.prefect_port = free_port()
        self.prefect_api_url = f"http://127.0.0.1:{self.prefect_port}/api"
        self.extra_env = dict(env or {})
        self.secrets = {
            "AWARDFLOW_AUDIT_KEY": secrets.token_hex(32),
            "AWARDFLOW_API__JWT_SECRET": secrets.token_hex(32),
            "AWARDFLOW_WEB__SECRET_KEY": secrets.token_hex(32),
        }
        self.prefect = self._service(
            "prefect",
            ["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.prefect_port)],
            ready=f"{self.prefect_api_url}/health",
            url=self.prefect_api_url,
        )
        self.apis = [self._api(i) for i in range(apis)]
        self.workers = [self._worker(i) for i in range(workers)]
        self._prefect_client: PrefectClient | None = None

    # --- what every process gets ----------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The environment of every awardflow process (also for :meth:`awardflow` commands)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE_PREFIXES)}
        var = self.root / "var"
        base.update(
            {
                "PYTHONUNBUFFERED": "1",
                "DO_NOT_TRACK": "1",
                "PREFECT_HOME": str(self.root / "prefect-home"),
                "PREFECT_API_URL": self.prefect_api_url,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "AWARDFLOW_DATABASE_URL": self.database_url,
                "AWARDFLOW_BASE_URL": self.apis[0].url if self.apis else "http://127.0.0.1",
                "AWARDFLOW_EVIDENCE__STORE_DIR": str(var / "files"),
                "AWARDFLOW_FLOWS__GATEWAY_FOLDER": str(var / "submissions"),
                "AWARDFLOW_MAIL__FILE_DIR": str(var / "mail"),
                **self.secrets,
            }
        )
        if self.smtp is not None:
            base.update(
                {
                    "AWARDFLOW_MAIL__BACKEND": "smtp",
                    "AWARDFLOW_MAIL__HOST": "127.0.0.1",
                    "AWARDFLOW_MAIL__PORT": str(self.smtp.port),
                    "AWARDFLOW_MAIL__MESSAGES_PER_SECOND": "0",
                }
            )
        else:
            base["AWARDFLOW_MAIL__BACKEND"] = "file"
        base.update(self.extra_env)
        return base

    def _service(self, name: str, argv: list[str], *, ready: str, url: str) -> Service:
        return Service(
            name,
            [str(BIN / argv[0]), *argv[1:]],
            env={},  # set by _refresh_env once the databases exist
            cwd=self.root,
            log=self.root / "logs" / f"{name}.log",
            ready_url=ready,
            url=url,
        )

    def _api(self, i: int) -> Service:
        url = f"http://127.0.0.1:{free_port()}"
        argv = ["awardflow", "api", "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1]]
        return self._service(f"api-{i + 1}", argv, ready=f"{url}/api/health", url=url)

    def _worker(self, i: int) -> Service:
        """``url`` is the runner's own web server (PREFECT_RUNNER_SERVER_*), for /health."""
        url = f"http://127.0.0.1:{free_port()}"
        return self._service(
            f"worker-{i + 1}", ["awardflow", "worker"], ready=f"{url}/health", url=url
        )

    def _refresh_env(self) -> None:
        common = self.env()
        self.prefect.env = {
            **common,
            "PREFECT_API_DATABASE_CONNECTION_URL": self.prefect_database_url,
            "PREFECT_UI_ENABLED": "false",
        }
        for api in self.apis:
            api.env = dict(common)
        for worker in self.workers:
            assert worker.url is not None
            port = worker.url.rsplit(":", 1)[1]
            worker.env = {
                **common,
                # the runner's /health: its last poll for due runs was recent
                "PREFECT_RUNNER_SERVER_ENABLE": "true",
                "PREFECT_RUNNER_SERVER_HOST": "127.0.0.1",
                "PREFECT_RUNNER_SERVER_PORT": port,
                "PREFECT_RUNNER_POLL_FREQUENCY": common.get("PREFECT_RUNNER_POLL_FREQUENCY", "2"),
            }

    # --- starting and stopping --------------------------------------------------------------

    @property
    def services(self) -> list[Service]:
        return [self.prefect, *self.workers, *self.apis]

    @property
    def prefect_client(self) -> PrefectClient:
        if self._prefect_client is None:
            self._prefect_client = PrefectClient(self.prefect_api_url)
        return self._prefect_client

    def start_database(self) -> None:
        """The cluster and two fresh databases (awardflow's and Prefect's)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.pg.start()
        url = self.pg.create_database(f"awardflow_{self.token}")
        self.database_url = url
        prefect = self.pg.create_database(f"prefect_{self.token}")
        self.prefect_database_url = prefect.replace(
            "postgresql+psycopg://", "postgresql+asyncpg://"
        )
        if self.smtp is not None:
            self.smtp.start()
        self._refresh_env()

    def awardflow(
        self, *args: str, input: str | None = None, timeout: float = 300.0, check: bool = True
    ) -> str:
        """Run ``awardflow ARGS`` with the topology's settings (``input`` on its stdin); its
        output (stdout + stderr)."""
        done = subprocess.run(
            [str(BIN / "awardflow"), *args],
            env=self.env(),
            cwd=self.root,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = done.stdout + done.stderr
        if check and done.returncode != 0:
            raise TopologyError(f"awardflow {' '.join(args)} exited {done.returncode}:\n{output}")
        return output

    def wait_ready(self, services: Iterable[Service] | None = None) -> None:
        todo = list(services) if services is not None else self.services
        with ThreadPoolExecutor(max_workers=max(1, len(todo))) as pool:
            for future in [pool.submit(s.wait_ready) for s in todo]:
                future.result()

    def start(self, seed: Callable[[Topology], None] | None = None) -> None:
        """Everything, in docker-compose.yml's order: the database; Prefect's server (booting
        meanwhile); the migrations (the ``migrate`` one-shot); the API replicas; ``seed``; the
        workers once Prefect is up (at start they register the deployments and read the
        campaigns' closing dates, so they come after ``seed``). Waits until all are ready."""
        self.start_database()
        self.prefect.start()
        self.awardflow("db", "upgrade")
        for api in self.apis:
            api.start()
        if seed is not None:
            seed(self)
        self.prefect.wait_ready()
        for worker in self.workers:
            worker.start()
        self.wait_ready()

    def stop(self) -> None:
        """Stop every process (the workers and APIs together, then Prefect, the database);
        never raises, so it is safe in ``finally`` blocks."""
        if self._prefect_client is not None:
            self._prefect_client.close()
            self._prefect_client = None

        def quietly(service: Service) -> None:
            with contextlib.suppress(Exception):
                service.stop(timeout=20)

        with ThreadPoolExecutor(max_workers=len(self.services)) as pool:
            list(pool.map(quietly, [*self.workers, *self.apis]))
        quietly(self.prefect)
        if self.smtp is not None:
            self.smtp.stop()
        with contextlib.suppress(Exception):
            self.pg.destroy()

    def timings(self) -> str:
        """``name ready/stop seconds`` for each process, e.g. ``api-1 18.2/0.9``."""

        def fmt(value: float | None) -> str:
            return "-" if value is None else f"{value:.1f}"

        return ", ".join(
            f"{s.name} {fmt(s.ready_seconds)}/{fmt(s.stop_seconds)}" for s in self.services
        )

    def report(self, lines: int = 40) -> str:
        """Each process's state and log tail, for a failure message."""
        parts = []
        for s in self.services:
            state = (
                "running" if s.running else f"exited {s.process.returncode if s.process else '-'}"
            )
            parts.append(f"----- {s.name} ({state}) {s.log}\n{s.log_tail(lines)}")
        parts.append(f"----- postgres\n{self.pg.log_tail(lines)}")
        return "\n".join(parts)

    def __enter__(self) -> Topology:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            print(self.report(), file=sys.stderr)
        self.stop()
