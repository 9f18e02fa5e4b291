"""Submissions, the inbox and stored summaries, narrowed to what the actor may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from awardflow.db.models import Submission
from awardflow.db.models.campaign import Summary
from awardflow.db.models.inbox import InboxItem
from awardflow.db.repositories import api_lookups as lk
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import notifications as inbox_repo
from awardflow.errors import NotFound
from awardflow.services import submissions as submissions_service
from awardflow.services.context import ServiceContext
from awardflow.services.visibility import authority_paths, campaign_filter, require_role
from awardflow.states import Actor, Role


def prepare(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    round_id: int,
    authority_unit_id: int,
    now: datetime,
) -> Submission | None:
    require_role(actor, Role.SUPERVISOR, Role.DIRECTOR)
    rnd = campaigns_repo.round_(session, round_id)
    if rnd is None or rnd.campaign_id not in q.campaign_ids_under(session, campaign_filter(actor)):
        raise NotFound("Không có đợt xét này.", "No such round.", field="round_id")
    # A director signs the submission herself (the audit events name her); a supervisor or an
    # admin only starts what the submission flow would do on its schedule (the system submits).
    signer = actor if Role.DIRECTOR in actor.roles() else None
    return submissions_service.prepare_submission(
        session, ctx, round_id=round_id, authority_unit_id=authority_unit_id, now=now, actor=signer
    )


def submissions(
    session: Session, actor: Actor, limit: int, offset: int
) -> tuple[Sequence[Submission], int]:
    return q.submissions(session, campaign_filter(actor), authority_paths(actor), limit, offset)


def submission(session: Session, actor: Actor, submission_id: int) -> Submission:
    row = lk.submission_visible(
        session, submission_id, campaign_filter(actor), authority_paths(actor)
    )
    if row is None:
        raise NotFound("Không có bộ hồ sơ trình này.", "No such submission.", field="submission_id")
    return row


def item_ids(session: Session, submission_id: int) -> list[int]:
    return lk.submission_items(session, submission_id)


def inbox(session: Session, actor: Actor, unread: bool, limit: int) -> Sequence[InboxItem]:
    if actor.user_id is None:
        return []
    return inbox_repo.inbox(session, actor.user_id, unread_only=unread, limit=limit)


def mark_read(session: Session, actor: Actor, item_id: int, now: datetime) -> None:
    if actor.user_id is None or not inbox_repo.mark_read(session, actor.user_id, [item_id], now):
        owned = [i.id for i in inbox(session, actor, False, 1000)]
        if item_id not in owned:
            raise NotFound("Không có thông báo này.", "No such notification.", field="item_id")


def summaries(
    session: Session, actor: Actor, limit: int, offset: int
) -> tuple[Sequence[Summary], int]:
    return q.summaries(session, campaign_filter(actor, with_office=True), limit, offset)


def summary(session: Session, actor: Actor, summary_id: int) -> Summary:
    row = q.summary_visible(session, summary_id, campaign_filter(actor, with_office=True))
    if row is None:
        raise NotFound("Không có báo cáo này.", "No such summary.", field="summary_id")
    return row
