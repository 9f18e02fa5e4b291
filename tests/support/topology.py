"""awardflow's production topology as local processes, without Docker (docker-compose.yml's
services, one process each, on 127.0.0.1 with free ports):

- ``pg``: a PostgreSQL server holding two databases, awardflow's and Prefect's (a cluster of
  the topology's own, or the test session's when given its URL);
- ``prefect``: ``prefect server start`` on PostgreSQL (asyncpg);
- ``workers``: N ``awardflow worker`` processes serving the deployments;
- ``apis``: N ``awardflow api`` processes (the replicas);
- ``smtp``: an SMTP sink (aiosmtpd, Mailpit's part) the workers deliver mail to.

Each long-running process is a :class:`~tests.support.processes.Service` that can be started,
waited for, stopped (SIGTERM, as ``docker stop`` does), killed (SIGKILL to its whole process
tree, as a crash) and restarted; ``pg`` and ``smtp`` have the same verbs. :meth:`Topology.report`
gives every log's tail for a failure message, and leaving the ``with`` block stops everything,
also on failure::

    with Topology(tmp_path, workers=2, apis=2) as topo:
        topo.start(seed=lambda t: t.awardflow("campaign", "load", "plan.yaml"))
        topo.apis[0].url, topo.prefect_api_url, topo.database_url
        topo.workers[1].kill(); topo.workers[1].restart()
        run_id = topo.prefect_client.run_deployment("assign-proposed/assign-proposed")
        topo.prefect_client.wait(run_id)

Python's start-up is most of the cost on a busy machine, so nothing waits for it in turn: the
API and worker processes start with Prefect's server and import awardflow at once, then wait
at a gate (docker-compose.yml's ``depends_on``) until :meth:`Topology.start` opens it — the
APIs once the migrations ran, the workers once Prefect answers and the seed is loaded — and
then run ``awardflow api`` / ``awardflow worker`` exactly as the console script does.
A restart after that starts at once.

``AWARDFLOW_TEST_PG_URL`` points at an existing server instead (then ``pg`` cannot be stopped).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from tests.support.processes import (
    Postgres,
    ProcessError,
    Service,
    SmtpSink,
    free_port,
)

BIN = Path(sys.executable).parent
#: Settings of the test process that must not leak into the topology's processes.
_PRIVATE_PREFIXES = ("AWARDFLOW_", "PREFECT_")
#: ``awardflow ARGS`` behind a gate: import ``MODULES`` now (``module:function`` also calls
#: it), run the command once ``GATE`` exists (``python -c GATED GATE MODULES ARGS...``)
GATED = textwrap.dedent(
    """
    import os, sys, time
    from importlib import import_module
    gate, modules, *args = sys.argv[1:]
    for name in modules.split(","):
        module, _, function = name.partition(":")
        imported = import_module(module)
        if function:
            getattr(imported, function)()
    while not os.path.exists(gate):
        time.sleep(0.05)
    from awardflow.cli import app
    sys.argv = ["awardflow", *args]
    sys.exit(app())
    """
)
#: what each gated command imports (and builds) while it waits: what it would do first
_API_IMPORTS = "awardflow.cli,awardflow.api.app,uvicorn"
_WORKER_IMPORTS = "awardflow.cli,awardflow.flows.serve,prefect.runner,awardflow.flows.preload:warm"


class TopologyError(ProcessError):
    """A process of the topology did not start, did not get ready, or a command failed."""


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
            time.sleep(0.2)

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
            time.sleep(0.2)

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
        server_url: str | None = None,
    ) -> None:
        """``server_url``: a running PostgreSQL server (a URL without a database) to create
        the two databases on, e.g. the test session's; by default a cluster of its own."""
        self.root = root
        self.token = secrets.token_hex(4)
        self.pg = Postgres(server_url or os.environ.get("AWARDFLOW_TEST_PG_URL"))
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
        self.gates = root / "gates"
        self.prefect = self._service(
            "prefect",
            [
                str(BIN / "prefect"),
                *("server", "start", "--host", "127.0.0.1", "--port", str(self.prefect_port)),
            ],
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
            argv,
            env={},  # set by _refresh_env once the databases exist
            cwd=self.root,
            log=self.root / "logs" / f"{name}.log",
            ready=ready,
            url=url,
        )

    def _gated(self, gate: str, imports: str, *args: str) -> list[str]:
        return [sys.executable, "-c", GATED, str(self.gates / gate), imports, *args]

    def _api(self, i: int) -> Service:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        argv = self._gated("apis", _API_IMPORTS, "api", "--host", "127.0.0.1", "--port", str(port))
        return self._service(f"api-{i + 1}", argv, ready=f"{url}/api/health", url=url)

    def _worker(self, i: int) -> Service:
        """``url`` is the runner's own web server (PREFECT_RUNNER_SERVER_*), for /health."""
        url = f"http://127.0.0.1:{free_port()}"
        argv = self._gated("workers", _WORKER_IMPORTS, "worker")
        return self._service(f"worker-{i + 1}", argv, ready=f"{url}/health", url=url)

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
        """The server and two fresh databases (awardflow's and Prefect's), the SMTP sink."""
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

    def open_gate(self, name: str) -> None:
        """Let the gated processes ``name`` ("apis", "workers") run their command."""
        self.gates.mkdir(parents=True, exist_ok=True)
        (self.gates / name).touch()

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

    def start(
        self,
        seed: Callable[[Topology], None] | None = None,
        meanwhile: Callable[[Topology], None] | None = None,
    ) -> None:
        """Everything, in docker-compose.yml's order, each process importing meanwhile: the
        databases; Prefect's server, the APIs and the workers start (the last two at their
        gates); the migrations (the ``migrate`` one-shot), then the APIs' gate opens;
        ``seed`` (what the workers read when they start: the campaigns' closing dates); the
        workers' gate once Prefect answers (at start they register the deployments); then
        ``meanwhile`` (more set-up, while they do). Waits until all are ready."""
        self.start_database()
        for service in self.services:
            service.start()
        self.awardflow("db", "upgrade")
        self.open_gate("apis")
        if seed is not None:
            seed(self)
        self.prefect.wait_ready()
        self.open_gate("workers")
        if meanwhile is not None:
            meanwhile(self)
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
            state = "running" if s.alive() else f"exited {s.popen.returncode if s.popen else '-'}"
            parts.append(f"----- {s.name} ({state}) {s.log}\n{s.tail(lines)}")
        parts.append(f"----- postgres\n{self.pg.tail(lines)}")
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
