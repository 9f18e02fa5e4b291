"""Nominations: create a draft, list with filters, read, edit (If-Match), history, eligibility,
the appraiser's checklist and the supervisor's eligibility override."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from awardflow.api.auth import Me
from awardflow.api.deps import IdPath, IdQuery, Limit, Offset, Svc
from awardflow.api.schemas.common import ERRORS, Page
from awardflow.api.schemas.nominations import (
    CriterionIn,
    EligibilityOut,
    EventOut,
    NominationCreate,
    NominationOut,
    NominationPatch,
    OverrideIn,
    RuleOut,
)
from awardflow.db.repositories.api_queries import SORT_KEYS, NominationQuery
from awardflow.errors import InvalidInput
from awardflow.services import nominations, queries
from awardflow.services.visibility import require_nomination
from awardflow.states import NominationState

router = APIRouter(prefix="/api/nominations", tags=["nominations"], responses=ERRORS)

StateName = Annotated[list[NominationState], Query(description="Filter by state (repeatable).")]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The version you read (ETag).")
]


def parse_version(if_match: str | None) -> int | None:
    """``If-Match: 3``, ``"3"`` or ``W/"3"`` → 3; absent → None (no version check)."""
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput(
            "If-Match phải là số phiên bản của hồ sơ.",
            "If-Match must be the nomination's version number.",
            field="If-Match",
        )
    return int(raw)


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


@router.post("", status_code=201, response_model=NominationOut)
def create_nomination(
    body: NominationCreate, svc: Svc, actor: Me, response: Response
) -> NominationOut:
    with svc.db.write() as s:
        nom = nominations.create_draft(s, svc.ctx, actor, **body.model_dump(), now=svc.now())
        out = NominationOut.of(nom, svc.now())
    _etag(response, out.version)
    return out


@router.get("", response_model=Page[NominationOut])
def list_nominations(
    svc: Svc,
    actor: Me,
    state: StateName = [],  # noqa: B006 - FastAPI copies defaults
    round: IdQuery = None,
    unit: IdQuery = None,
    award: IdQuery = None,
    assignee: IdQuery = None,
    overdue: bool = False,
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORT_KEYS) + ")$")] = "id",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NominationOut]:
    now = svc.now()
    query = NominationQuery(
        state=[s.value for s in state],
        round_id=round,
        unit_id=unit,
        award_id=award,
        assignee_id=assignee,
        overdue_at=now if overdue else None,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    with svc.db.read() as s:
        rows, total = queries.list_nominations(s, actor, query)
        items = [NominationOut.of(n, now) for n in rows]
    return Page[NominationOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{nomination_id}", response_model=NominationOut)
def get_nomination(nomination_id: IdPath, svc: Svc, actor: Me, response: Response) -> NominationOut:
    with svc.db.read() as s:
        out = NominationOut.of(require_nomination(s, actor, nomination_id), svc.now())
    _etag(response, out.version)
    return out


@router.patch("/{nomination_id}", response_model=NominationOut)
def edit_nomination(
    nomination_id: IdPath,
    body: NominationPatch,
    svc: Svc,
    actor: Me,
    response: Response,
    if_match: IfMatch = None,
) -> NominationOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    with svc.db.write() as s:
        require_nomination(s, actor, nomination_id)
        nom = nominations.edit(
            s,
            svc.ctx,
            nomination_id,
            actor,
            changes,
            expected_version=parse_version(if_match),
            now=svc.now(),
        )
        out = NominationOut.of(nom, svc.now())
    _etag(response, out.version)
    return out


@router.get("/{nomination_id}/history", response_model=list[EventOut])
def nomination_history(nomination_id: IdPath, svc: Svc, actor: Me) -> list[EventOut]:
    with svc.db.read() as s:
        return [EventOut.of(e) for e in queries.history(s, actor, nomination_id)]


@router.get("/{nomination_id}/eligibility", response_model=EligibilityOut)
def nomination_eligibility(nomination_id: IdPath, svc: Svc, actor: Me) -> EligibilityOut:
    with svc.db.read() as s:
        exp, override = queries.eligibility(s, svc.ctx, actor, nomination_id, svc.now())
    return EligibilityOut(
        award_code=exp.award_code,
        ruleset=exp.ruleset,
        passed=exp.passed,
        override=override,
        rules=[
            RuleOut(
                rule=r.rule,
                name=r.name_vi,
                name_en=r.name_en,
                source=r.source,
                passed=r.passed,
                facts=r.facts_vi,
                facts_en=r.facts_en,
            )
            for r in exp.results
        ],
    )


@router.post("/{nomination_id}/checklist", response_model=NominationOut)
def tick_criterion(nomination_id: IdPath, body: CriterionIn, svc: Svc, actor: Me) -> NominationOut:
    with svc.db.write() as s:
        require_nomination(s, actor, nomination_id)
        nom = nominations.record_criterion(
            s, svc.ctx, nomination_id, actor, body.criterion, body.met, body.note, now=svc.now()
        )
        return NominationOut.of(nom, svc.now())


@router.post("/{nomination_id}/eligibility-override", response_model=NominationOut)
def override_eligibility(
    nomination_id: IdPath, body: OverrideIn, svc: Svc, actor: Me
) -> NominationOut:
    with svc.db.write() as s:
        require_nomination(s, actor, nomination_id)
        nom = nominations.override_eligibility(
            s, svc.ctx, nomination_id, actor, body.reason, now=svc.now()
        )
        return NominationOut.of(nom, svc.now())
