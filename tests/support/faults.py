"""What the fault-injection tests (tests/faults) run as processes: the settings of an API and
of a delivery process, the API process itself, and the delivery loop a killable worker process
runs. The moving parts (processes that can be SIGKILLed and restarted, a PostgreSQL cluster of
the test's own, the SMTP sink that can go down or answer 421) are tests/support/processes.py's.

Imports stay light at module level: the delivery subprocess imports this module too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support.processes import REPO, Service, SmtpSink, free_port

JWT_SECRET = "fault-injection-jwt-secret-" + "x" * 32


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


def api_proc(database_url: str, log_dir: Path, **extra: str) -> tuple[Service, str]:
    """``awardflow api`` (uvicorn) on a free port; returns the process and its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "awardflow.cli", "api", "--host", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    env = api_env(database_url, log_dir, **extra)
    argv += ["--port", str(port)]
    proc = Service("api", argv, env=env, log=log_dir / "api.log", ready=f"{url}/api/me")
    return proc, url


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


def pid_written(path: Path, proc: Service) -> Callable[[], bool]:
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
