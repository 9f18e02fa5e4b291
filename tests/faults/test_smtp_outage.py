"""The SMTP server down for several minutes: deliveries are attempted and backed off, none
given up early; when the server returns every message arrives, none twice (PostgreSQL,
aiosmtpd).

The delivery service takes its clock (``deliver_batch(now=…)``), so the test drives it through
eight minutes of outage in 15-second steps instead of sleeping: four minutes with the port
closed (connection refused), four with the server up but answering ``421`` to every message.
A few messages go out before the outage, so it starts mid-stream.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.faults.cast import HEAD, build_cast, service_context
from tests.faults.checks import check_delivered
from tests.support.processes import SmtpSink

from awardflow.db.models import OutboxMessage
from awardflow.db.session import Database
from awardflow.notifications.mailers import SmtpMailer
from awardflow.services.notifications import DeliveryReport, deliver_batch
from awardflow.services.transitions import transition
from awardflow.settings import MailSettings, Settings
from awardflow.states import Actor

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

STEP = timedelta(seconds=15)
REFUSED = timedelta(minutes=4)  # then 421 for as long again


def rows(db: Database) -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_smtp_down_for_minutes(fresh_db: Callable[[str], Database]) -> None:
    db = fresh_db("awardflow_faults_smtp")
    cast = build_cast(db, persons_per_unit=30, drafts=30)
    ctx = service_context()
    for i, (nid, unit) in enumerate(cast.drafts):
        with db.write() as s:
            transition(s, ctx, nid, "propose", cast.world.actor(HEAD[unit]))
            if i % 2:
                appraiser = cast["appraiser1"] if i % 4 == 1 else cast["appraiser2"]
                data = {"assignee_id": appraiser}
                transition(s, ctx, nid, "assign", Actor.system(), data=data)
    sink = SmtpSink()
    mail = MailSettings(
        backend="smtp",
        host="127.0.0.1",
        port=sink.port,
        message_id_domain="awardflow.test",
        messages_per_second=0,
        timeout_seconds=5,
    )
    settings = Settings(audit_key="test-audit-key", mail=mail)  # default retry policy
    mailer = SmtpMailer(mail)
    rng = random.Random(3)

    def deliver(at: datetime, batch: int = 500) -> DeliveryReport:
        return asyncio.run(deliver_batch(db, settings, mailer, batch=batch, now=at, rng=rng))

    t0 = datetime.now(UTC) + timedelta(seconds=1)
    sink.start()
    before = deliver(t0, batch=10)  # mid-stream: a few go out, then the server goes away
    assert before.sent == 10
    sink.stop()
    claims, t = 0, t0
    try:
        while t < t0 + 2 * REFUSED:
            if t >= t0 + REFUSED and not sink.up:
                sink.tempfail = True
                sink.start()
            report = deliver(t)
            assert (report.sent, report.failed, report.messages) == (0, 0, 0), report.errors[:3]
            claims += report.claimed
            t += STEP
        waiting = [r for r in rows(db) if r.status != "sent"]
        assert waiting and all(r.status == "pending" and r.last_error for r in waiting)
        attempts = sorted({r.attempts for r in waiting})
        # backed off: 1, 2, 4 min… apart (+ jitter), so a handful of tries in 8 minutes, each
        # counted once, and far from the 8 allowed (default give-up: 8 attempts or 48 h)
        assert claims == sum(r.attempts for r in waiting)
        assert attempts[0] >= 3 and attempts[-1] <= 5 < settings.mail.max_attempts
        assert sink.refused > 0  # the 421 half was really tried
        sink.tempfail = False  # back
        back, polls = t, 0
        while any(r.status != "sent" for r in rows(db)) and t < back + timedelta(hours=1):
            report = deliver(t)
            assert report.failed == 0, report.errors[:3]
            t += STEP
            polls += 1
        recovered = t - back
    finally:
        sink.stop()
    done = check_delivered(db, sink)
    print(
        f"outage 8 min simulated (refused 4, 421 for 4): {len(waiting)} rows waited, attempts "
        f"{attempts}, {claims} claims; all {done.rows} rows / {done.deliveries} mails delivered "
        f"{recovered} (simulated) after the server returned; {done.duplicates} duplicates"
    )
    assert done.duplicates == 0
    assert done.rows == len(rows(db)) == 75  # 30 proposals × 2 rows, 15 assignments
    # the longest wait after the return is one backoff step of the last attempt (+ jitter)
    last = attempts[-1]
    assert recovered <= timedelta(seconds=60 * 2 ** (last - 1) * 1.25) + STEP
