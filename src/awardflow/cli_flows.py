"""``awardflow worker`` (serve every deployment) and the embedded stack behind ``awardflow up``:
Prefect's own server on 127.0.0.1 (unless ``PREFECT_API_URL`` names one), the worker and the
API, all stopped cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import typer

from awardflow.settings import Settings, get_settings


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker() -> None:
    """Serve awardflow's Prefect deployments (schedules in flows/serve.py) until stopped."""
    from awardflow.flows.preload import preloaded_flow_runs
    from awardflow.flows.serve import serve_all

    settings = get_settings()
    # each flow run is a fork of a copy of this process, Prefect and the flows imported once
    with preloaded_flow_runs(settings):
        serve_all(settings)


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:  # the child has its own copy of the descriptor
        return subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def run_stack(settings: Settings, *, wait: bool = True) -> list[subprocess.Popen[bytes]]:
    """Start Prefect's server (embedded) and the worker; block until Ctrl-C when ``wait``."""
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(Path("var/prefect").resolve()))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    children: list[subprocess.Popen[bytes]] = []
    api_url = env.get("PREFECT_API_URL")
    if not api_url:
        port = settings.flows.prefect_port
        api_url = f"http://127.0.0.1:{port}/api"
        env["PREFECT_API_URL"] = api_url
        children.append(
            _start(
                [
                    sys.executable,
                    "-m",
                    "prefect",
                    "server",
                    "start",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env,
                Path("var/log/prefect.log"),
            )
        )
        typer.echo(f"awardflow: starting Prefect's server (UI http://127.0.0.1:{port})…")
        deadline = time.monotonic() + 120
        while not _healthy(api_url):
            if time.monotonic() > deadline or children[0].poll() is not None:
                stop(children)
                typer.echo(
                    "awardflow: Prefect's server did not start; see var/log/prefect.log", err=True
                )
                raise typer.Exit(1)
            time.sleep(0.5)
    children.append(
        _start([sys.executable, "-m", "awardflow.cli", "worker"], env, Path("var/log/worker.log"))
    )
    typer.echo(f"awardflow: worker serving the flows against {api_url} (log var/log/worker.log)")
    api_port = str(settings.flows.api_port)
    api = [sys.executable, "-m", "awardflow.cli", "api", "--host", "127.0.0.1", "--port", api_port]
    children.append(_start(api, env, Path("var/log/api.log")))
    typer.echo(
        f"awardflow: API on http://127.0.0.1:{api_port} (OpenAPI at /docs; log var/log/api.log)"
    )
    if wait:
        _wait(children)
    return children


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _wait(children: list[subprocess.Popen[bytes]]) -> None:
    typer.echo("awardflow: running; press Ctrl-C to stop.")
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: same clean shutdown
    try:
        while all(c.poll() is None for c in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop(children)
        typer.echo("awardflow: stopped.")


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child's process group (each stops cleanly on it), then wait; kill what does
    not stop in 20 s. Not SIGINT: started from a script in the background (``nohup``, ``&``),
    ``up`` and its children inherit SIGINT ignored, and would be killed after the wait."""
    for child in reversed(children):
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in reversed(children):
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
