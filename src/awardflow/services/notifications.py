"""Deliver the notification outbox (issue 5): claim due rows, resolve recipients, render,
send one message per recipient, and record the outcome with retries and backoff.

Guarantees: a row is claimed before it is sent (two workers never send the same row); each
recipient has a delivery record marked right after the server accepts, so a crash resends
only to recipients not yet marked, with the same Message-ID (``message.message_id``). The
flow owns scheduling; this module owns no loop and never sleeps between batches.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from awardflow.db.models import OutboxMessage, User
from awardflow.db.models.inbox import InboxItem, NotificationDelivery
from awardflow.db.repositories import notifications as repo
from awardflow.db.session import Database
from awardflow.notifications.contexts import attachment_of, build_context
from awardflow.notifications.kinds import DEADLINE_KINDS, MessageKind, nomination_id_of
from awardflow.notifications.mailers import Mailer, PermanentMailError, TemporaryMailError
from awardflow.notifications.message import BadAddress, build_message, check_address, message_id
from awardflow.notifications.render import LANGUAGES, Rendered, language_of, render
from awardflow.settings import MailSettings, Settings

log = logging.getLogger(__name__)
_ESCALATED_TO = frozenset({"supervisor", "director"})


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0  # rows fully delivered
    retrying: int = 0
    failed: int = 0
    messages: int = 0  # mails accepted by the server
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Claim:
    id: int
    attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class _Pending:
    delivery_id: int
    user_name: str
    address: str | None
    msg_id: str
    rendered: Rendered


def backoff(attempts: int, mail: MailSettings, rng: random.Random) -> timedelta:
    """Exponential (base·2^(n−1), capped) with up to ``retry_jitter`` random extra."""
    delay = min(mail.retry_max_seconds, mail.retry_base_seconds * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay * (1 + rng.uniform(0, mail.retry_jitter)))


def _folded_into_digest(row: OutboxMessage, user: User) -> bool:
    """Digest users get ladder notices in the daily digest; escalations stay immediate."""
    if not user.digest or row.kind not in DEADLINE_KINDS:
        return False
    escalated = int(row.payload.get("level", 0)) >= 1 and row.recipient_role in _ESCALATED_TO
    return not escalated


def _prepare(session: Session, settings: Settings, outbox_id: int) -> list[_Pending] | str:
    """Create missing deliveries and inbox items; return what is left to send (or a reason
    why nothing can be sent)."""
    row = repo.outbox_row(session, outbox_id)
    assert row is not None
    users = repo.recipients(session, row)
    if not users:
        return "no recipient: nobody holds the role at this unit (or the user is inactive)"
    ctx = build_context(session, row)
    done = repo.deliveries(session, row.id)
    pending: list[_Pending] = []
    for user in users:
        lang = language_of(user.language)
        by_lang = {
            lg: render(
                MessageKind(row.kind),
                lg,
                ctx,
                user_name=user.full_name,
                base_url=settings.base_url,
                tz_name=settings.timezone,
            )
            for lg in LANGUAGES
        }
        delivery = done.get(user.id)
        if delivery is None:
            status = "digested" if _folded_into_digest(row, user) else "pending"
            if status == "pending" and not user.email:
                status = "skipped"  # no address: the inbox item is the notification
            delivery = NotificationDelivery(
                outbox_id=row.id,
                user_id=user.id,
                address=user.email,
                status=status,
                message_id=message_id(
                    row.id, row.dedupe_key, user.id, settings.mail.message_id_domain
                ),
            )
            item = InboxItem(
                user_id=user.id,
                outbox_id=row.id,
                kind=row.kind,
                title_vi=by_lang["vi"].subject[:300],
                title_en=by_lang["en"].subject[:300],
                body=by_lang[lang].text,
                nomination_id=nomination_id_of(ctx) or row.nomination_id,
            )
            repo.add_delivery(session, delivery, item)
        if delivery.status == "pending":
            pending.append(
                _Pending(
                    delivery.id, user.full_name, user.email, delivery.message_id, by_lang[lang]
                )
            )
    return pending


async def _send_all(
    db: Database,
    settings: Settings,
    mailer: Mailer,
    claim: _Claim,
    pending: list[_Pending],
    now: datetime,
) -> tuple[str | None, str | None]:
    """Send to each pending recipient; returns (temporary error, permanent errors)."""
    with db.read() as s:
        row = repo.outbox_row(s, claim.id)
        assert row is not None
        attachment = attachment_of(row)
    permanent: list[str] = []
    for p in pending:
        try:
            address = check_address(p.address)
            msg = build_message(
                p.rendered,
                sender=settings.mail.sender,
                to_name=p.user_name,
                to_address=address,
                msg_id=p.msg_id,
                date=now,
                attachment=attachment,
            )
            answer = await mailer.send(msg)
        except (BadAddress, PermanentMailError) as err:
            permanent.append(f"{p.address}: {err}")
            with db.write() as s:
                repo.mark_delivery(s, p.delivery_id, status="failed", error=str(err)[:1000])
            continue
        except TemporaryMailError as err:
            return str(err), None  # the server is unwell: stop, retry the row later
        with db.write() as s:
            repo.mark_delivery(s, p.delivery_id, status="sent", response=answer, sent_at=now)
    return None, "; ".join(permanent) or None


async def _deliver(
    db: Database, settings: Settings, mailer: Mailer, claim: _Claim, now: datetime
) -> tuple[str, str | None, int]:
    """One claimed row: (outcome sent|temporary|failed, error, mails accepted)."""
    with db.write() as s:
        prepared = _prepare(s, settings, claim.id)
    if isinstance(prepared, str):
        return "failed", prepared, 0
    temporary, permanent = await _send_all(db, settings, mailer, claim, prepared, now)
    with db.read() as s:
        sent = [d for d in repo.deliveries(s, claim.id).values() if d.status == "sent"]
    accepted = sum(1 for d in sent if d.sent_at == now)
    if temporary:
        return "temporary", temporary, accepted
    if permanent:
        return "failed", permanent, accepted
    return "sent", None, accepted


def _finish(
    db: Database,
    mail: MailSettings,
    claim: _Claim,
    outcome: str,
    error: str | None,
    now: datetime,
    rng: random.Random,
) -> str:
    values: dict[str, object]
    if outcome == "temporary":
        give_up = claim.attempts >= mail.max_attempts or now - claim.created_at >= timedelta(
            hours=mail.give_up_after_hours
        )
        outcome = "failed" if give_up else "retrying"
    if outcome == "sent":
        values = {"status": repo.SENT, "sent_at": now, "last_error": None}
    elif outcome == "retrying":
        when = now + backoff(claim.attempts, mail, rng)
        values = {"status": repo.PENDING, "next_attempt_at": when, "last_error": error}
    else:
        values = {"status": repo.FAILED, "last_error": error}
    with db.write() as s:
        if outcome == "sent":
            ids = [d.message_id for d in repo.deliveries(s, claim.id).values()]
            values["message_id"] = ids[0] if len(ids) == 1 else None
        if not repo.finish(s, claim.id, claim.attempts, **values):
            log.warning("outbox row %s: claim lost before finishing", claim.id)
    return outcome


async def deliver_batch(
    db: Database,
    settings: Settings,
    mailer: Mailer,
    *,
    batch: int = 100,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Claim up to ``batch`` due outbox rows and deliver them; never raises for one row."""
    now = now or datetime.now(UTC)
    rng = rng or random.Random()
    mail = settings.mail
    lease = now + timedelta(minutes=mail.claim_timeout_minutes)
    with db.write() as s:
        rows = repo.claim(s, now=now, lease_until=lease, limit=batch, skip_locked=not db.is_sqlite)
        claims = [_Claim(r.id, r.attempts, r.created_at) for r in rows]
    report = DeliveryReport(claimed=len(claims))
    for claim in claims:
        try:
            outcome, error, accepted = await _deliver(db, settings, mailer, claim, now)
        except Exception as err:  # a bad row (e.g. a template bug) must not stop the batch
            log.exception("outbox row %s: delivery failed", claim.id)
            outcome, error, accepted = "temporary", f"{type(err).__name__}: {err}"[:1000], 0
        report.messages += accepted
        final = _finish(db, mail, claim, outcome, error, now, rng)
        setattr(report, final, getattr(report, final) + 1)
        if error:
            report.errors.append(f"#{claim.id}: {error}")
    return report


def retry(db: Database, ids: list[int] | None, now: datetime | None = None) -> list[int]:
    """Failed rows back to pending (``ids=None``: all failed); the CLI's ``notify retry``."""
    with db.write() as s:
        return repo.requeue(s, ids, now or datetime.now(UTC))


def list_by_status(db: Database, status: str, limit: int = 100) -> list[OutboxMessage]:
    with db.read() as s:
        return list(repo.by_status(s, status, limit))


async def send_digests(
    db: Database, settings: Settings, mailer: Mailer, now: datetime | None = None
) -> DeliveryReport:
    """Queue today's digests (from ``settings.mail.digest_hour`` local time) and deliver."""
    from awardflow.notifications.digest import enqueue_digests

    now = now or datetime.now(UTC)
    with db.write() as s:
        enqueue_digests(s, now, settings.timezone, settings.mail.digest_hour)
    return await deliver_batch(db, settings, mailer, now=now)
