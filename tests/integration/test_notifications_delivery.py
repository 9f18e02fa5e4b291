"""Delivery's guarantees with the in-memory mailer: crashes before sending and between the
server's acceptance and the mark; two workers at once never send the same row; digests fold
reminders but not escalations; the inbox; manual retry of failed rows."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select, update
from tests.integration.test_transition_service import draft, fire
from tests.support.world import World

from awardflow.db.models import OutboxMessage, RoleGrant, User
from awardflow.db.models.inbox import NotificationDelivery
from awardflow.db.repositories import notifications as repo
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.notifications.mailers import MemoryMailer
from awardflow.services.context import ServiceContext
from awardflow.services.notifications import deliver_batch, retry, send_digests
from awardflow.settings import MailSettings, Settings

SETTINGS = Settings(
    audit_key="test-audit-key",
    mail=MailSettings(backend="memory", messages_per_second=0, digest_hour=0),
)


class Crash(BaseException):
    """Stands for the process dying (not an error the worker handles)."""


class CrashAfterAccept(MemoryMailer):
    """The server accepts the first message, then the worker dies before marking it."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = True

    async def send(self, message: EmailMessage) -> str:
        answer = await super().send(message)
        if self.armed:
            self.armed = False
            raise Crash
        return answer


class SlowMailer(MemoryMailer):
    async def send(self, message: EmailMessage) -> str:
        await asyncio.sleep(0.005)
        return await super().send(message)


def t0() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=1)


def deliver(w: World, mailer: MemoryMailer, at: datetime, **kw: Any) -> Any:
    return asyncio.run(deliver_batch(w.db, SETTINGS, mailer, now=at, **kw))


def propose(w: World, ctx: ServiceContext) -> int:
    nid = draft(w, ctx)
    fire(w, ctx, nid, "propose", "head_a")
    return nid


def rows(w: World) -> list[OutboxMessage]:
    with w.db.read() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def ids_of(mailer: MemoryMailer) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in mailer.sent)


def test_crash_after_claim_before_send_sends_once(world: World, ctx: ServiceContext) -> None:
    propose(world, ctx)
    at = t0()
    with world.db.write() as s:  # a worker claims, then dies before sending anything
        repo.claim(s, now=at, lease_until=at + timedelta(minutes=15), limit=10, skip_locked=False)
    mailer = MemoryMailer()
    assert deliver(world, mailer, at + timedelta(minutes=5)).claimed == 0  # claim still live
    report = deliver(world, mailer, at + timedelta(minutes=16))
    assert (report.claimed, report.sent, report.messages) == (2, 2, 3)
    assert set(ids_of(mailer).values()) == {1}
    assert all(r.status == "sent" and r.attempts == 2 for r in rows(world))


def test_crash_between_accept_and_mark_resends_same_message_id(
    world: World, ctx: ServiceContext
) -> None:
    propose(world, ctx)
    at = t0()
    mailer = CrashAfterAccept()
    with pytest.raises(Crash):
        deliver(world, mailer, at)
    (first,) = mailer.sent
    assert rows(world)[0].status == "sending"
    report = deliver(world, mailer, at + timedelta(minutes=16))
    assert report.sent == 2
    counts = ids_of(mailer)
    assert counts[str(first["Message-ID"])] == 2  # the one possible repeat, same Message-ID
    assert sorted(counts.values()) == [1, 1, 2]
    with world.db.read() as s:
        ds = s.execute(select(NotificationDelivery)).scalars().all()
    assert len(ds) == 3 and all(d.status == "sent" for d in ds)


def test_two_workers_never_send_the_same_row(world: World, ctx: ServiceContext) -> None:
    """On PostgreSQL the claims use FOR UPDATE SKIP LOCKED; on SQLite writers are serial."""
    propose(world, ctx)
    template = rows(world)[0]
    with world.db.write() as s:
        outbox_repo.add_many(
            s,
            [
                {
                    "kind": "proposed",
                    "dedupe_key": f"copy-{i}",
                    "nomination_id": template.nomination_id,
                    "audit_event_id": template.audit_event_id,
                    "recipient_user_id": None,
                    "recipient_role": "appraiser",
                    "recipient_unit_id": template.recipient_unit_id,
                    "payload": template.payload,
                }
                for i in range(30)
            ],
        )
    at = t0()
    mailer = SlowMailer()
    claimed: list[int] = []

    def worker() -> None:
        while (n := deliver(world, mailer, at, batch=3).claimed) > 0:
            claimed.append(n)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(claimed) == 32
    counts = ids_of(mailer)
    assert len(counts) == 32 * 2 - 1 and set(counts.values()) == {1}  # supervisor row: 1 user
    assert all(r.status == "sent" and r.attempts == 1 for r in rows(world))


def _deadline_row(w: World, nid: int, key: str, **recipient: Any) -> dict[str, Any]:
    base = {"recipient_user_id": None, "recipient_role": None, "recipient_unit_id": None}
    return {
        **base,
        **recipient,
        "kind": key.split(":")[0],
        "dedupe_key": key,
        "nomination_id": nid,
        "audit_event_id": None,
        "payload": {
            "level": 0 if key.startswith("deadline_reminder") else 1,
            "due_at": "2026-11-25T10:00:00+00:00",
            "state": "in_appraisal",
            "expected_action": "appraise",
        },
    }


def test_digest_folds_reminders_and_keeps_escalations(world: World, ctx: ServiceContext) -> None:
    nid = propose(world, ctx)
    fire(world, ctx, nid, "claim", "appraiser1")
    with world.db.write() as s:
        s.execute(
            update(User)
            .where(User.id.in_([world["appraiser1"], world["supervisor"]]))
            .values(digest=True)
        )
        outbox_repo.add_many(
            s,
            [
                _deadline_row(
                    world, nid, "deadline_reminder:1", recipient_user_id=world["appraiser1"]
                ),
                _deadline_row(
                    world,
                    nid,
                    "deadline_due:1",
                    recipient_role="supervisor",
                    recipient_unit_id=world["so"],
                ),
            ],
        )
    at = t0()
    mailer = MemoryMailer()
    deliver(world, mailer, at)
    subjects = [str(m["Subject"]) for m in mailer.sent]
    assert any(s.startswith("Đến hạn hôm nay") for s in subjects)  # escalation: immediate
    assert not any(s.startswith("Nhắc hạn") for s in subjects)  # folded into the digest
    with world.db.read() as s:
        inbox = repo.inbox(s, world["appraiser1"])
    assert {i.kind for i in inbox} >= {"deadline_reminder", "assigned"}
    before = len(mailer.sent)
    asyncio.run(send_digests(world.db, SETTINGS, mailer, at))
    asyncio.run(send_digests(world.db, SETTINGS, mailer, at + timedelta(minutes=1)))
    digests = [m for m in mailer.sent[before:] if "Công việc ngày" in str(m["Subject"])]
    assert len(digests) == 1  # once a day
    (digest,) = digests
    assert digest["To"].addresses[0].addr_spec == "appraiser1@example.test"
    body = digest.get_body(("plain",))
    assert body is not None and "Nguyễn Thị Lan" in body.get_content()
    assert f"/nominations/{nid}" in body.get_content()


def test_inbox_list_and_mark_read(world: World, ctx: ServiceContext) -> None:
    nid = propose(world, ctx)
    deliver(world, MemoryMailer(), t0())
    with world.db.write() as s:
        (item,) = repo.inbox(s, world["supervisor"], unread_only=True)
        assert item.nomination_id == nid and item.title_vi.startswith("Hồ sơ đề nghị")
        assert item.title_en.startswith("New nomination") and "Kính gửi" in item.body
        assert repo.mark_read(s, world["supervisor"], [item.id], t0()) == 1
    with world.db.read() as s:
        assert repo.inbox(s, world["supervisor"], unread_only=True) == []


def test_no_recipient_fails_and_manual_retry_delivers(world: World, ctx: ServiceContext) -> None:
    with world.db.write() as s:  # nobody supervises: the proposal notice cannot go out
        grant = s.execute(select(RoleGrant).where(RoleGrant.role == "supervisor")).scalar_one()
        supervisor_grant = (grant.user_id, grant.unit_id)
        s.delete(grant)
    propose(world, ctx)
    at = t0()
    mailer = MemoryMailer()
    report = deliver(world, mailer, at)
    assert (report.sent, report.failed) == (1, 1)
    failed = [r for r in rows(world) if r.status == "failed"]
    assert len(failed) == 1 and "no recipient" in (failed[0].last_error or "")
    with world.db.write() as s:
        s.add(
            RoleGrant(user_id=supervisor_grant[0], role="supervisor", unit_id=supervisor_grant[1])
        )
    assert retry(world.db, None, at) == [failed[0].id]
    assert deliver(world, mailer, at + timedelta(seconds=1)).sent == 1
    assert len(mailer.sent) == 3 and all(r.status == "sent" for r in rows(world))
