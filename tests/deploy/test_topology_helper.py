"""The verbs of tests/support/topology.py that fault-injection tests rely on: a process killed
with SIGKILL takes its whole tree down (no orphan), restarts on the same port; PostgreSQL
killed mid-flight recovers every committed row on restart."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import psutil
import psycopg
import pytest
from tests.support.topology import Postgres, Service, TopologyError, free_port

SERVER = textwrap.dedent(
    """
    import http.server, subprocess, sys
    # a grandchild in its own session, as a worker's flow runs may be
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                             start_new_session=True)
    open(sys.argv[2], "w").write(str(child.pid))
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                                    http.server.SimpleHTTPRequestHandler).serve_forever()
    """
)


def service(tmp_path: Path) -> tuple[Service, Path]:
    port = free_port()
    pid_file = tmp_path / "child.pid"
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-c", SERVER, str(port), str(pid_file)]
    log = tmp_path / "server.log"
    return Service("server", argv, env={}, cwd=tmp_path, log=log, ready_url=url, url=url), pid_file


def test_kill_takes_the_whole_tree_and_restart_comes_back(tmp_path: Path) -> None:
    server, pid_file = service(tmp_path)
    try:
        server.start()
        server.wait_ready(timeout=60)
        with pytest.raises(TopologyError, match="already running"):
            server.start()
        child = int(pid_file.read_text())
        assert psutil.pid_exists(child)
        server.kill()
        assert not server.running and server.process is not None
        assert server.process.returncode == -9
        assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"
        server.restart(timeout=60)
        assert server.is_ready() and server.starts == 2
        second = int(pid_file.read_text())
        assert server.stop(timeout=10) is not None and not server.running
        assert server.stop_seconds is not None and server.stop_seconds < 10
        assert not psutil.pid_exists(second) or psutil.Process(second).status() == "zombie"
        assert "=== start #2" in server.log_tail()
    finally:
        server.stop(timeout=5)


def test_a_service_that_exits_is_reported_with_its_log(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "print('cannot bind'); raise SystemExit(3)"]
    broken = Service("broken", argv, env={}, cwd=tmp_path, log=tmp_path / "b.log", ready_url=None)
    broken.ready_url = f"http://127.0.0.1:{free_port()}"
    broken.start()
    with pytest.raises(TopologyError, match=r"broken exited \(3\)[\s\S]*cannot bind"):
        broken.wait_ready(timeout=30)


@pytest.mark.postgres
def test_postgres_killed_recovers_committed_rows_on_restart() -> None:
    pg = Postgres()
    try:
        pg.start()
        url = pg.create_database("topology_helper").replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (n int)")
            conn.execute("INSERT INTO t VALUES (1)")
        conn = psycopg.connect(url)
        conn.execute("INSERT INTO t VALUES (2)")  # never committed
        pg.kill()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
        pg.start()
        with psycopg.connect(url) as again:
            assert again.execute("SELECT n FROM t").fetchall() == [(1,)]
        pg.restart()
        with psycopg.connect(url) as again:
            assert again.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        root = pg.root
        pg.destroy()
        assert root is None or not root.exists()
