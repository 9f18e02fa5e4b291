"""Delivery against a real SMTP server (aiosmtpd on 127.0.0.1): content, headers, UTF-8
subjects, HTML and text parts, attachments; a refused recipient and a bad address fail their
row with the reason while the others go out; an outage is survived and every message arrives
once."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from tests.integration.test_transition_service import draft, fire
from tests.support.world import World

from awardflow.db.models import OutboxMessage, User
from awardflow.db.models.inbox import InboxItem, NotificationDelivery
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.notifications.mailers import SmtpMailer
from awardflow.services.context import ServiceContext
from awardflow.services.notifications import deliver_batch
from awardflow.settings import MailSettings, Settings

REFUSED = "appraiser2@example.test"


class Sink:
    """Keeps every accepted message; refuses RCPT for ``refuse``."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 2.0.0 accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[Server]:
    server = Server(Sink(frozenset({REFUSED})))
    server.start()
    yield server
    server.stop()


def settings_for(server: Server) -> Settings:
    mail = MailSettings(
        backend="smtp",
        host="127.0.0.1",
        port=server.port,
        message_id_domain="awardflow.test",
        messages_per_second=0,
        timeout_seconds=5,
    )
    return Settings(audit_key="test-audit-key", base_url="https://tdkt.example.vn", mail=mail)


def t0() -> datetime:
    """Outbox rows are stamped with the wall clock, so delivery runs a little after it."""
    return datetime.now(UTC) + timedelta(minutes=1)


def deliver(w: World, settings: Settings, at: datetime) -> Any:
    mailer = SmtpMailer(settings.mail)
    return asyncio.run(deliver_batch(w.db, settings, mailer, now=at))


def propose(w: World, ctx: ServiceContext) -> int:
    nid = draft(w, ctx)
    fire(w, ctx, nid, "propose", "head_a")
    return nid


def rows(w: World) -> list[OutboxMessage]:
    with w.db.read() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_mail_content_headers_and_parts(world: World, ctx: ServiceContext, smtp: Server) -> None:
    with world.db.write() as s:  # appraiser2 reads English; nobody is refused here
        s.execute(update(User).where(User.id == world["appraiser2"]).values(language="en"))
    smtp.sink.refuse = frozenset()
    nid = propose(world, ctx)
    at = t0()
    report = deliver(world, settings_for(smtp), at)
    assert (report.claimed, report.sent, report.messages) == (2, 2, 3)
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp.sink.messages}
    assert set(by_to) == {
        "appraiser1@example.test",
        "appraiser2@example.test",
        "supervisor@example.test",
    }
    vi, en = by_to["appraiser1@example.test"], by_to["appraiser2@example.test"]
    assert vi["Subject"] == (
        "Hồ sơ đề nghị khen thưởng mới: Nguyễn Thị Lan – Giấy khen của Giám đốc Sở"
    )
    assert en["Subject"].startswith("New nomination: Nguyễn Thị Lan")
    assert vi["To"].addresses[0].display_name == "Vũ Thị Mai"
    assert vi["Message-ID"].startswith("<outbox-") and vi["Message-ID"].endswith(
        f"-u{world['appraiser1']}@awardflow.test>"
    )
    text = vi.get_body(("plain",))
    html = vi.get_body(("html",))
    assert text is not None and html is not None
    assert "Trường THPT Chuyên Lê Quý Đôn đã trình hồ sơ" in text.get_content()
    assert f"https://tdkt.example.vn/nominations/{nid}" in text.get_content()
    assert f'href="https://tdkt.example.vn/nominations/{nid}"' in html.get_content()
    assert all(r.status == "sent" and r.sent_at == at for r in rows(world))
    with world.db.read() as s:
        items = s.execute(select(InboxItem)).scalars().all()
        ds = s.execute(select(NotificationDelivery)).scalars().all()
    assert len(items) == 3 and all(i.nomination_id == nid and i.read_at is None for i in items)
    assert {i.title_en[:15] for i in items} == {"New nomination:"}
    assert all(d.status == "sent" and d.response and "accepted" in d.response for d in ds)
    assert deliver(world, settings_for(smtp), t0()).claimed == 0  # nothing twice


def test_summary_attachment(world: World, smtp: Server, tmp_path: Path) -> None:
    report_file = tmp_path / "so-ket-giai-doan-1.xlsx"
    report_file.write_bytes(b"PK\x03\x04 fake workbook")
    with world.db.write() as s:
        outbox_repo.add_many(
            s,
            [
                {
                    "kind": "summary_ready",
                    "dedupe_key": "summary:3",
                    "nomination_id": None,
                    "audit_event_id": None,
                    "recipient_user_id": world["director"],
                    "recipient_role": None,
                    "recipient_unit_id": None,
                    "payload": {
                        "summary_id": 3,
                        "title": "Sơ kết giai đoạn 1",
                        "attachment_path": str(report_file),
                    },
                }
            ],
        )
    assert deliver(world, settings_for(smtp), t0()).messages == 1
    (msg,) = smtp.sink.messages
    assert msg["Subject"] == "Báo cáo đã sẵn sàng: Sơ kết giai đoạn 1"
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "so-ket-giai-doan-1.xlsx"
    assert part.get_content() == b"PK\x03\x04 fake workbook"
    assert "đính kèm" in (msg.get_body(("plain",)) or msg).get_content()


def test_refused_and_bad_recipients_fail_their_row(
    world: World, ctx: ServiceContext, smtp: Server
) -> None:
    with world.db.write() as s:
        s.execute(update(User).where(User.id == world["supervisor"]).values(email="not an address"))
    propose(world, ctx)
    report = deliver(world, settings_for(smtp), t0())
    assert (report.claimed, report.failed, report.messages) == (2, 2, 1)
    got = [m["To"].addresses[0].addr_spec for m in smtp.sink.messages]
    assert got == ["appraiser1@example.test"]  # the other appraiser was refused, not skipped
    office, supervisor = rows(world)
    assert office.status == "failed" and "550" in (office.last_error or "")
    assert REFUSED in (office.last_error or "")
    assert supervisor.status == "failed" and "invalid recipient address" in (
        supervisor.last_error or ""
    )


def test_outage_then_recovery_delivers_each_once(
    world: World, ctx: ServiceContext, smtp: Server
) -> None:
    smtp.sink.refuse = frozenset()
    settings = settings_for(smtp)
    propose(world, ctx)
    smtp.stop()
    at = t0()
    first = deliver(world, settings, at)
    assert (first.claimed, first.retrying, first.messages) == (2, 2, 0)
    for r in rows(world):
        assert r.status == "pending" and r.attempts == 1 and r.last_error
        assert r.next_attempt_at >= at + timedelta(seconds=60)
    assert deliver(world, settings, at + timedelta(seconds=30)).claimed == 0  # backing off
    second = deliver(world, settings, at + timedelta(minutes=5))
    assert second.retrying == 2 and all(r.attempts == 2 for r in rows(world))
    smtp.start()
    third = deliver(world, settings, at + timedelta(hours=1))
    assert (third.sent, third.messages) == (2, 3)
    assert len(smtp.sink.messages) == 3
    assert len({m["Message-ID"] for m in smtp.sink.messages}) == 3
    assert all(r.status == "sent" and r.attempts == 3 for r in rows(world))
    assert deliver(world, settings, at + timedelta(hours=2)).claimed == 0


def test_gives_up_after_max_attempts(world: World, ctx: ServiceContext, smtp: Server) -> None:
    settings = settings_for(smtp)
    settings.mail.max_attempts = 2
    propose(world, ctx)
    smtp.stop()
    at = t0()
    deliver(world, settings, at)
    deliver(world, settings, at + timedelta(hours=1))
    assert all(r.status == "failed" and r.attempts == 2 for r in rows(world))
