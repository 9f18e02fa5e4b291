"""The one place that names awardflow's deployments and their schedules (Asia/Ho_Chi_Minh).

Assignment and delivery run every minute, the digest daily, sweeps every 15 minutes with a
concurrency limit of 1, submissions every 30 minutes, and every open round and phase closes on
its own date (derived from the loaded campaigns when the worker starts; ``close-due`` runs
nightly as a safety net for campaigns loaded since).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect.schedules import Cron, Interval

from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.flows import work
from awardflow.flows.delivery import daily_digest, deliver_notifications
from awardflow.flows.runtime import runtime
from awardflow.settings import Settings


def _at(day: date, hhmm: str) -> str:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return f"{minute} {hour} {day.day} {day.month} *"


def deployments(settings: Settings, closing: list[tuple[str, int, date]]) -> list[Any]:
    tz, f = settings.timezone, settings.flows
    found: list[Any] = [
        work.assign_proposed.to_deployment(
            "assign-proposed", schedule=Interval(f.assign_every_seconds, timezone=tz)
        ),
        work.sweep_deadlines.to_deployment(
            "sweep-deadlines",
            schedule=Cron(f"*/{f.sweep_every_minutes} * * * *", timezone=tz),
            concurrency_limit=1,
        ),
        work.submit_upward.to_deployment(
            "submit-upward",
            schedule=Cron(f"*/{f.submit_every_minutes} * * * *", timezone=tz),
            concurrency_limit=1,
        ),
        work.close_due.to_deployment(
            "close-due", schedule=Cron("55 23 * * *", timezone=tz), concurrency_limit=1
        ),
    ]
    found.extend(_delivery(settings))
    for kind, ident, day in sorted(closing):
        flow_ = work.close_round if kind == "round" else work.close_phase
        found.append(
            flow_.to_deployment(
                f"close-{kind}-{ident}",
                parameters={f"{kind}_id": ident},
                schedule=Cron(_at(day, f.close_at), timezone=tz),
                concurrency_limit=1,
            )
        )
    return found


def _delivery(settings: Settings) -> list[Any]:
    tz = settings.timezone
    return [
        deliver_notifications.to_deployment(
            "deliver-notifications",
            schedule=Interval(settings.flows.deliver_every_seconds, timezone=tz),
            concurrency_limit=1,
        ),
        daily_digest.to_deployment(
            "daily-digest",
            schedule=Cron(f"0 {settings.mail.digest_hour} * * *", timezone=tz),
            concurrency_limit=1,
        ),
    ]


def closing_dates() -> list[tuple[str, int, date]]:
    with runtime().db.read() as session:
        return campaigns_repo.closing_dates(session)


def serve_all(settings: Settings) -> None:
    """Serve every deployment from this process until interrupted (``awardflow worker``)."""
    from prefect import serve

    # pause_on_shutdown=False: stopping one worker (scaling down, a rolling restart) must not
    # pause every deployment's schedule for all the other workers (Prefect's default does).
    serve(*deployments(settings, closing_dates()), limit=4, pause_on_shutdown=False)
