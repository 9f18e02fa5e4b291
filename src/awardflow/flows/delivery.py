"""Notification delivery and the daily digest as flows (the logic is in
``services.notifications``: claiming, rendering, sending, retrying)."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger

from awardflow.flows.runtime import runtime
from awardflow.notifications.mailers import mailer_from_settings
from awardflow.services.notifications import deliver_batch, send_digests
from awardflow.settings import get_settings


@flow(name="deliver-notifications")
async def deliver_notifications(
    batch: int = 100, max_batches: int = 50, now: str | None = None
) -> dict[str, int]:
    """Drain the outbox in batches until nothing is due."""
    settings = get_settings()
    mailer = mailer_from_settings(settings.mail)
    moment = datetime.fromisoformat(now) if now else None
    total = {"claimed": 0, "sent": 0, "retrying": 0, "failed": 0}
    for _ in range(max_batches):
        report = await deliver_batch(runtime().db, settings, mailer, batch=batch, now=moment)
        for key in total:
            total[key] += int(getattr(report, key))
        if report.claimed < batch:
            break
    get_run_logger().info("delivery: %s", total)
    return total


@flow(name="daily-digest")
async def daily_digest(now: str | None = None) -> dict[str, int]:
    settings = get_settings()
    moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    report = await send_digests(runtime().db, settings, mailer_from_settings(settings.mail), moment)
    return {"sent": int(report.sent), "failed": int(report.failed)}
