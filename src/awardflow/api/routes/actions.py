"""Actions on a nomination: the triggers the caller may fire now (with reasons when not), and
firing one with ``If-Match`` and an optional ``Idempotency-Key``.

The route owns the transaction, so it also owns the one retry idempotency needs: when two
requests with the same key race (PostgreSQL, read committed), the loser fails on the key's
primary key at commit and answers with the winner's stored result instead of a 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from sqlalchemy.exc import IntegrityError

from awardflow.api.auth import Me
from awardflow.api.deps import IdPath, Svc
from awardflow.api.routes.nominations import IfMatch, parse_version
from awardflow.api.schemas.common import ERRORS
from awardflow.api.schemas.nominations import ActionIn, ActionOut, TransitionOut
from awardflow.db.repositories import idempotency as idem_repo
from awardflow.services import transitions
from awardflow.services.visibility import nomination_filter, require_nomination
from awardflow.states import Actor

router = APIRouter(prefix="/api/nominations", tags=["actions"], responses=ERRORS)

IdemKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=120,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="A repeat with the same key returns the first response.",
    ),
]


def scoped_key(actor: Actor, key: str | None) -> str | None:
    """Keys are per user: another user's identical key never replays someone else's result."""
    return f"u{actor.user_id}:{key}" if key else None


@router.get("/{nomination_id}/actions", response_model=list[ActionOut])
def list_actions(nomination_id: IdPath, svc: Svc, actor: Me) -> list[ActionOut]:
    with svc.db.read() as s:
        require_nomination(s, actor, nomination_id)
        verdicts = transitions.actions_for(s, svc.ctx, nomination_id, actor, svc.now())
    return [ActionOut.of(v) for v in verdicts if not v.forbidden or v.allowed]


@router.post("/{nomination_id}/actions/{trigger}", response_model=TransitionOut)
def fire_action(
    nomination_id: IdPath,
    trigger: str,
    body: ActionIn,
    svc: Svc,
    actor: Me,
    response: Response,
    if_match: IfMatch = None,
    idempotency_key: IdemKey = None,
) -> TransitionOut:
    key = scoped_key(actor, idempotency_key)
    try:
        with svc.db.write() as s:
            result = transitions.transition(
                s,
                svc.ctx,
                nomination_id,
                trigger,
                actor,
                expected_version=parse_version(if_match),
                comment=body.comment,
                data=body.data,
                idempotency_key=key,
                now=svc.now(),
                visible=nomination_filter(actor),
            )
    except IntegrityError:
        if key is None:
            raise
        with svc.db.read() as s:
            stored = idem_repo.get(s, key)
            if stored is None:
                raise
            result = transitions.TransitionResult(**{**stored.response, "replayed": True})
    response.headers["ETag"] = f'"{result.version}"'
    return TransitionOut(**result.as_dict())
