"""The daily digest: users who chose it (``User.digest``) get one mail a day listing their open
tasks, soonest deadline first, instead of one mail per ladder notice (escalations to
supervisors and the director stay immediate, see ``services.notifications``).

Open tasks: nominations assigned to the user in appraisal, and nominations named by deadline
notices folded into the user's digest in the last ``LOOKBACK`` that are still in the state the
notice was about. The digest is an outbox row (kind ``daily_digest``, dedupe key per user and
local day), so it is sent, retried and deduplicated like every other notification.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from awardflow.db.models import User
from awardflow.db.repositories import notifications as repo
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.notifications.contexts import digest_payload_tasks, facts
from awardflow.notifications.kinds import DigestTask, MessageKind

LOOKBACK = timedelta(days=30)
_FAR = datetime.max.replace(tzinfo=UTC)


def open_tasks(session: Session, user: User, now: datetime) -> list[DigestTask]:
    tasks: dict[int, DigestTask] = {}
    for nom in repo.assigned_open(session, user.id):
        f = facts(session, nom.id)
        tasks[nom.id] = DigestTask(nom.id, f.nominee_name, f.award_name, f.state, f.due_at, f.state)
    for row in repo.digested_since(session, user.id, now - LOOKBACK):
        if row.nomination_id is None or row.nomination_id in tasks:
            continue
        f = facts(session, row.nomination_id)
        if f.state != row.payload.get("state", f.state):
            continue  # the dossier moved on: no longer this user's task
        action = str(row.payload.get("expected_action") or f.state)
        tasks[f.id] = DigestTask(f.id, f.nominee_name, f.award_name, f.state, f.due_at, action)
    return sorted(tasks.values(), key=lambda t: (t.due_at or _FAR, t.nomination_id))


def enqueue_digests(session: Session, now: datetime, tz_name: str, hour: int) -> int:
    """Write today's digest rows (once per user and local day); 0 before ``hour``."""
    local = now.astimezone(ZoneInfo(tz_name))
    if local.hour < hour:
        return 0
    rows = []
    for user in repo.digest_users(session):
        tasks = open_tasks(session, user, now)
        if not tasks:
            continue
        rows.append(
            {
                "kind": MessageKind.DAILY_DIGEST.value,
                "dedupe_key": f"digest:u{user.id}:{local.date().isoformat()}",
                "recipient_user_id": user.id,
                "recipient_role": None,
                "recipient_unit_id": None,
                "nomination_id": None,
                "audit_event_id": None,
                "payload": {"date": local.date().isoformat(), "tasks": digest_payload_tasks(tasks)},
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    outbox_repo.add_many(session, rows)
    return len(rows)
