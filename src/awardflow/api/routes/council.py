"""Council sessions: create, open, attendance, agenda, secret ballots, close, minutes.

A ballot's response, and every later read, says only that it was recorded: the agenda shows
how many ballots an item has, never what anyone chose (the minutes carry the totals only).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from awardflow.api.auth import Me
from awardflow.api.deps import IdPath, Limit, Offset, Svc
from awardflow.api.schemas.common import ERRORS, Ack, Page
from awardflow.api.schemas.misc import (
    AgendaItemOut,
    AttendanceIn,
    BallotIn,
    BallotOut,
    BallotPaperIn,
    BallotPaperOut,
    CloseIn,
    SessionCreate,
    SessionOut,
)
from awardflow.db.repositories import api_lookups as lk
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import council as council_repo
from awardflow.errors import InvalidInput, NotFound
from awardflow.services import council
from awardflow.services.visibility import campaign_filter, require_council_session

router = APIRouter(prefix="/api/council/sessions", tags=["council"], responses=ERRORS)


@router.post("", status_code=201, response_model=SessionOut)
def create_session(body: SessionCreate, svc: Svc, actor: Me) -> SessionOut:
    with svc.db.write() as s:
        row = council.create_session(s, svc.ctx, actor, **body.model_dump(), now=svc.now())
        return SessionOut.model_validate(row)


@router.get("", response_model=Page[SessionOut])
def list_sessions(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Page[SessionOut]:
    with svc.db.read() as s:
        rows, total = q.council_sessions(s, campaign_filter(actor), limit, offset)
        items = [SessionOut.model_validate(r) for r in rows]
    return Page[SessionOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{session_id}", response_model=SessionOut)
def get_session(session_id: IdPath, svc: Svc, actor: Me) -> SessionOut:
    with svc.db.read() as s:
        require_council_session(s, actor, session_id)
        row = council_repo.get_session(s, session_id)
        assert row is not None
        return SessionOut.model_validate(row)


@router.post("/{session_id}/open", response_model=Ack)
def open_session(session_id: IdPath, svc: Svc, actor: Me) -> Ack:
    with svc.db.write() as s:
        require_council_session(s, actor, session_id)
        scheduled = council.open_session(s, svc.ctx, actor, session_id, now=svc.now())
    return Ack(detail={"scheduled": scheduled})


@router.post("/{session_id}/attendance", response_model=Ack)
def record_attendance(session_id: IdPath, body: AttendanceIn, svc: Svc, actor: Me) -> Ack:
    with svc.db.write() as s:
        require_council_session(s, actor, session_id)
        council.record_attendance(
            s, svc.ctx, actor, session_id, body.user_id, body.present, now=svc.now()
        )
    return Ack()


@router.get("/{session_id}/agenda", response_model=list[AgendaItemOut])
def agenda(session_id: IdPath, svc: Svc, actor: Me) -> list[AgendaItemOut]:
    with svc.db.read() as s:
        require_council_session(s, actor, session_id)
        cast = lk.ballots_cast(s, session_id)
        return [
            AgendaItemOut(
                nomination_id=i.nomination_id,
                position=i.position,
                outcome=i.outcome,
                ballots_cast=cast.get(i.nomination_id, 0),
            )
            for i in council_repo.agenda(s, session_id)
        ]


@router.post("/{session_id}/ballots", status_code=201, response_model=BallotOut)
def cast_ballot(session_id: IdPath, body: BallotIn, svc: Svc, actor: Me) -> BallotOut:
    with svc.db.write() as s:
        require_council_session(s, actor, session_id)
        council.cast_ballot(
            s,
            svc.ctx,
            actor,
            session_id,
            body.nomination_id,
            body.choice,
            written_for=body.written_for,
            now=svc.now(),
        )
    return BallotOut(session_id=session_id, nomination_id=body.nomination_id)


@router.post("/{session_id}/ballot-papers", status_code=201, response_model=BallotPaperOut)
def cast_ballot_paper(
    session_id: IdPath, body: BallotPaperIn, svc: Svc, actor: Me
) -> BallotPaperOut:
    """One member's ballot paper: a secret ballot on each listed dossier, all or none (the
    first that cannot be taken refuses the paper; its error's ``field`` is ``votes.<id>``)."""
    votes = {v.nomination_id: v.choice for v in body.votes}
    if len(votes) != len(body.votes):
        raise InvalidInput(
            "Mỗi hồ sơ chỉ được ghi một lần trên phiếu bầu.",
            "Each dossier may appear only once on a ballot paper.",
            field="votes",
        )
    with svc.db.write() as s:
        require_council_session(s, actor, session_id)
        taken = council.cast_ballot_paper(
            s, svc.ctx, actor, session_id, votes, written_for=body.written_for, now=svc.now()
        )
    return BallotPaperOut(session_id=session_id, ballots=taken)


@router.post("/{session_id}/close")
def close_session(session_id: IdPath, body: CloseIn, svc: Svc, actor: Me) -> dict[str, Any]:
    with svc.db.write() as s:
        require_council_session(s, actor, session_id)
        return council.close_session(
            s, svc.ctx, actor, session_id, chair_tiebreak=body.chair_tiebreak, now=svc.now()
        )


@router.get("/{session_id}/minutes")
def minutes(session_id: IdPath, svc: Svc, actor: Me) -> dict[str, Any]:
    with svc.db.read() as s:
        require_council_session(s, actor, session_id)
        row = council_repo.get_session(s, session_id)
        if row is None or row.minutes is None:
            raise NotFound(
                "Phiên họp chưa có biên bản.",
                "The session has no minutes yet.",
                field="session_id",
            )
        return dict(row.minutes)
