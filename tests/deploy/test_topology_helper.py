"""The verbs of tests/support/processes.py that the topology and the fault-injection tests rely
on: a process killed with SIGKILL takes its whole tree down (no orphan), restarts on the same
port; PostgreSQL killed mid-flight recovers every committed row on restart. And how the
topology's workers start their flow runs (forked from a zygote)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import psycopg
import pytest
from tests.support.processes import Postgres, ProcessError, Service, free_port

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
    return Service("server", argv, env={}, cwd=tmp_path, log=log, ready=url, url=url), pid_file


def test_kill_takes_the_whole_tree_and_restart_comes_back(tmp_path: Path) -> None:
    server, pid_file = service(tmp_path)
    try:
        server.start()
        server.wait_ready(timeout=60)
        with pytest.raises(ProcessError, match="already running"):
            server.start()
        child = int(pid_file.read_text())
        assert psutil.pid_exists(child)
        server.kill()
        assert not server.alive() and server.popen is not None
        assert server.popen.returncode == -9
        assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"
        server.restart(timeout=60)
        assert server.is_ready() and server.starts == 2
        second = int(pid_file.read_text())
        assert server.stop(timeout=10) is not None and not server.alive()
        assert server.stop_seconds is not None and server.stop_seconds < 10
        assert not psutil.pid_exists(second) or psutil.Process(second).status() == "zombie"
        assert "=== start #2" in server.tail()
    finally:
        server.stop(timeout=5)


def test_a_service_that_exits_is_reported_with_its_log(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "print('cannot bind'); raise SystemExit(3)"]
    url = f"http://127.0.0.1:{free_port()}"
    broken = Service("broken", argv, env={}, cwd=tmp_path, log=tmp_path / "b.log", ready=url)
    broken.start()
    with pytest.raises(ProcessError, match=r"broken exited \(3\)[\s\S]*cannot bind"):
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


# --- the worker's flow runs, forked from a zygote (src/awardflow/flows/preload.py, zygote.py) --

ZYGOTE = textwrap.dedent(
    """
    import json, os, signal, sys, time
    import anyio
    from prefect.utilities.processutils import run_process
    from awardflow.flows import preload
    from awardflow.flows.zygote import Zygote

    def target(env, cwd, inherited):  # what run_engine does first, then report
        for fd in inherited:
            os.close(fd)
        os.environ.clear(); os.environ.update(env); os.chdir(cwd)
        fds = {}
        for fd in os.listdir("/proc/self/fd"):
            if int(fd) > 2 and os.path.exists(f"/proc/self/fd/{fd}"):
                fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
        with open("child.json", "w") as out:
            json.dump({"env": dict(os.environ), "cwd": os.getcwd(), "ppid": os.getppid(),
                       "fds": fds}, out)
        if env.get("SLEEP"):
            time.sleep(60)
        raise SystemExit(int(env["CODE"]))

    zygote = Zygote.fork(target)
    seen = {"zygote": zygote.pid, "worker": os.getpid()}
    engine = [sys.executable, "-m", "prefect.engine"]
    report = os.path.join(sys.argv[1], "child.json")

    async def main():
        started = []
        class Status:
            def started(self, value):
                started.append(value)
        run = preload.preloaded_run_process(run_process, zygote)
        process = await run(engine, stream_output=True, task_status=Status(),
                            task_status_handler=lambda p: ("handle", p.pid),
                            env={"CODE": "3", "ONLY": "this"}, cwd=sys.argv[1])
        seen["forked"] = {"pid": process.pid, "code": process.returncode,
                          "started": started[-1], "child": json.load(open(report))}
        # anything else is Prefect's own run_process: a new process of the worker
        other = await run([sys.executable, "-c", "raise SystemExit(4)"], stream_output=False)
        seen["other"] = {"code": other.returncode, "type": type(other).__name__}
        # cancelled while it runs: the process is sent SIGTERM and waited for
        with anyio.move_on_after(3):
            await run(engine, stream_output=True, env={"CODE": "0", "SLEEP": "1"},
                      cwd=sys.argv[1])
        seen["cancelled"] = json.load(open(report))["env"].get("SLEEP")

    anyio.run(main)
    seen["alive"] = zygote.alive()
    zygote.close()
    seen["closed"] = not zygote.alive()
    print(json.dumps(seen))
    """
)


def test_a_zygote_forks_each_run_with_its_environment_and_passes_its_exit_code(
    tmp_path: Path,
) -> None:
    """What ``awardflow worker`` does per flow run (``flows/preload.py``): the runner's
    ``python -m prefect.engine`` becomes a fork of a single-threaded copy of the worker, with
    exactly the runner's environment and working directory and none of the zygote's file
    descriptors; its exit code reaches the runner; a cancelled run is terminated; other
    commands run as before. (A fresh interpreter: the zygote must fork a process without
    threads, and pytest's may have some.)"""
    work = tmp_path / "work"
    work.mkdir()
    with (tmp_path / "inherited").open("w") as stray:  # a file the worker happens to hold
        done = subprocess.run(
            [sys.executable, "-c", ZYGOTE, str(work)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            pass_fds=[stray.fileno()],
        )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    forked = seen["forked"]
    assert forked["code"] == 3
    assert forked["started"] == ["handle", forked["pid"]]
    assert forked["child"]["ppid"] == seen["zygote"] != seen["worker"]
    assert forked["child"]["env"] == {"CODE": "3", "ONLY": "this"}
    assert forked["child"]["cwd"] == str(work)
    # none of the zygote's sockets or pipes (or the worker's other files): the fork's own pipes
    # (multiprocessing's two) and its stdin on /dev/null
    extra = sorted(forked["child"]["fds"].values())
    assert [t for t in extra if t != "/dev/null" and not t.startswith("pipe:")] == [], extra
    assert sum(t.startswith("pipe:") for t in extra) == 2, extra
    assert seen["other"] == {"code": 4, "type": "Process"}
    assert seen["cancelled"] == "1"
    assert seen["alive"] and seen["closed"]
