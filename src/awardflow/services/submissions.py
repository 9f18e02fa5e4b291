"""Submissions upward (trình cấp trên): council-approved nominations whose award is beyond the
organiser's authority are gathered per round and receiving authority into one package with a
batch key, and its items are submitted through the transition service, as one batch.

Idempotent by batch key: the key is derived from the round, the authority and the items, so a
re-run after a crash finds the same submission and only submits what is still waiting.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from awardflow.db.models import Submission
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import nominations as noms_repo
from awardflow.db.repositories import submissions as repo
from awardflow.errors import InvalidInput, NotFound
from awardflow.services.context import ServiceContext
from awardflow.services.transition_batch import BatchItem, transition_all
from awardflow.states import Actor, NominationState, Trigger


def _authority_kinds(session: Session, round_id: int, authority_unit_id: int) -> list[str]:
    """Which deciding authorities this unit stands for in the round's campaign (both, when the
    province's receiving office is also the route to the centre)."""
    rnd = campaigns_repo.round_(session, round_id)
    if rnd is None:
        raise NotFound("Không có đợt xét này.", "No such round.", field="round_id")
    campaign = campaigns_repo.campaign(session, rnd.campaign_id)
    assert campaign is not None
    kinds = [
        kind
        for kind, unit in (
            ("province", campaign.authority_unit_id),
            ("centre", campaign.central_authority_unit_id),
        )
        if unit == authority_unit_id
    ]
    if kinds:
        return kinds
    raise InvalidInput(
        "Đơn vị này không phải cấp có thẩm quyền nhận hồ sơ của phong trào.",
        "This unit is not a receiving authority of the campaign.",
        field="authority_unit_id",
    )


def batch_key(round_id: int, authority_unit_id: int, nomination_ids: list[int]) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(nomination_ids))).encode()).hexdigest()
    return f"r{round_id}-a{authority_unit_id}-{digest[:16]}"


def prepare_submission(
    session: Session,
    ctx: ServiceContext,
    *,
    round_id: int,
    authority_unit_id: int,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> Submission | None:
    """Package what is waiting for this authority and submit each item; None if nothing waits.

    ``actor``: the director who signs the submission (the audit events name her); None when
    the submission flow runs on its schedule (the events name the system)."""
    now = now or datetime.now(UTC)
    kinds = _authority_kinds(session, round_id, authority_unit_id)
    for stopped in repo.unfinished(session, round_id, authority_unit_id):
        submit_items(session, ctx, stopped, now=now, actor=actor)
    waiting = repo.approved_for_authority(session, round_id, kinds)
    if not waiting:
        return None
    ids = [nid for nid, *_ in waiting]
    key = batch_key(round_id, authority_unit_id, ids)
    submission = repo.by_batch_key(session, key)
    if submission is None:
        submission = Submission(
            round_id=round_id,
            authority_unit_id=authority_unit_id,
            batch_key=key,
            status="prepared",
            created_at=now,
            manifest={
                "batch_key": key,
                "round_id": round_id,
                "authority_unit_id": authority_unit_id,
                "items": [
                    {
                        "order": i,
                        "nomination_id": nid,
                        "nominee": name,
                        "award": code,
                        "award_name": award_name,
                    }
                    for i, (nid, name, code, award_name) in enumerate(waiting, start=1)
                ],
            },
        )
        repo.add(session, submission)
        session.flush()
        repo.add_items(session, submission.id, ids)
    submit_items(session, ctx, submission, now=now, actor=actor)
    return submission


def submit_items(
    session: Session,
    ctx: ServiceContext,
    submission: Submission,
    *,
    now: datetime,
    actor: Actor | None = None,
) -> list[int]:
    """Fire ``submit`` for every item still council-approved (a re-run skips the done ones)."""
    system = actor or Actor.system("submission")
    data = {"submission": submission.batch_key}
    states = noms_repo.states(session, repo.item_ids(session, submission.id))
    done = [nid for nid, state in states.items() if state is NominationState.COUNCIL_APPROVED]
    items = [BatchItem(nid, Trigger.SUBMIT, system, data=data) for nid in done]
    transition_all(session, ctx, items, now=now)  # a refusal aborts the package
    submission.status = "submitted"
    return done
