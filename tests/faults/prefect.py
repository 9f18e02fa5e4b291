"""Prefect for the outage test: its server as a process (booting in the background, because
that takes 25-90 s here), a relay that makes its address refuse connections until switched
on, and a flow process that waits for the server and then catches up."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

from tests.support.faults import base_env
from tests.support.processes import Service, free_port, http_answers


def prefect_server_proc(port: int, log_dir: Path) -> Service:
    """``prefect server start`` on 127.0.0.1:``port``, its own home and SQLite database, no UI."""
    env = base_env(PREFECT_HOME=str(log_dir / "prefect-home"))
    argv = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--no-ui"]
    argv += ["--port", str(port)]
    ready = f"http://127.0.0.1:{port}/api/health"
    return Service("prefect", argv, env=env, log=log_dir / "prefect.log", ready=ready)


class Relay:
    """127.0.0.1:``port`` → 127.0.0.1:``target``, byte for byte, while on. Off, nothing listens
    on ``port`` and every open connection is cut: to a client the server is down."""

    def __init__(self, target: int) -> None:
        self.port, self.target = free_port(), target
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def _call(self, coro: object) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)  # type: ignore[arg-type]

    def on(self) -> None:
        async def start() -> asyncio.Server:
            return await asyncio.start_server(self._handle, "127.0.0.1", self.port)

        server = self._call(start())
        assert isinstance(server, asyncio.Server)
        self._server = server

    def off(self) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()
                for w in list(self._writers):
                    w.close()
                await self._server.wait_closed()
                self._server = None

        self._call(stop())

    def close(self) -> None:
        self.off()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def catch_up() -> None:  # pragma: no cover - runs in a subprocess
    """Import the flows, wait until ``PREFECT_API_URL`` answers, then run the assignment and
    delivery flows against it (each a flow run recorded by that server); print the results."""
    import json

    from awardflow.flows.delivery import deliver_notifications
    from awardflow.flows.work import assign_proposed

    api = os.environ["PREFECT_API_URL"]
    deadline = time.monotonic() + 300
    print(f"waiting for {api}", flush=True)
    while not http_answers(f"{api}/health")():
        if time.monotonic() > deadline:
            raise SystemExit(f"no Prefect server at {api}")
        time.sleep(0.5)
    assigned = asyncio.run(assign_proposed())
    delivered = asyncio.run(deliver_notifications())
    print("CATCH-UP " + json.dumps({"assign": assigned, "deliver": delivered}), flush=True)
