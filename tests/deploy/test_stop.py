"""``awardflow up`` stops its children with SIGTERM: started from a script in the background, a
process and its children inherit SIGINT ignored, and a SIGINT would leave them running until
the 20 s wait ends in SIGKILL."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from awardflow.cli_flows import _start, stop

SLEEPER = "import time\nprint('ready', flush=True)\nwhile True: time.sleep(0.1)\n"


def test_children_that_ignore_sigint_stop_at_once(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `nohup awardflow up &` starts
    try:
        child = _start([sys.executable, "-c", SLEEPER], {}, log)
    finally:
        signal.signal(signal.SIGINT, before)
    deadline = time.monotonic() + 10
    while "ready" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    t0 = time.monotonic()
    stop([child])
    assert time.monotonic() - t0 < 5
    assert child.returncode == -signal.SIGTERM  # stopped by the request, not killed after it
