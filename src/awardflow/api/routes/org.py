"""Campaigns (read; admin loads a definition), rounds, award forms, units, users (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from awardflow.api.auth import Me
from awardflow.api.deps import IdPath, IdQuery, Limit, Offset, Svc
from awardflow.api.schemas.common import ERRORS, Page
from awardflow.api.schemas.misc import (
    AwardOut,
    CampaignDetail,
    CampaignLoaded,
    CampaignOut,
    GrantIn,
    GrantOut,
    RoundOut,
    UnitOut,
    UserCreate,
    UserOut,
)
from awardflow.db.repositories import api_lookups as lk
from awardflow.services import auth as auth_service
from awardflow.services import directory
from awardflow.services.visibility import require_admin

router = APIRouter(prefix="/api", tags=["organisation"], responses=ERRORS)

_DEFINITION = Body(
    media_type="application/yaml",
    description="The campaign definition, YAML or JSON (errors name line and field).",
    max_length=2_000_000,
)


@router.get("/campaigns", response_model=Page[CampaignOut])
def list_campaigns(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Page[CampaignOut]:
    with svc.db.read() as s:
        rows, total = lk.campaigns(s, limit, offset)
        items = [CampaignOut.model_validate(c) for c in rows]
    return Page[CampaignOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/campaigns/{campaign_id}", response_model=CampaignDetail)
def get_campaign(campaign_id: IdPath, svc: Svc, actor: Me) -> CampaignDetail:
    with svc.db.read() as s:
        return CampaignDetail.model_validate(directory.campaign(s, campaign_id))


@router.post("/campaigns", status_code=201, response_model=CampaignLoaded)
def load_campaign(svc: Svc, actor: Me, definition: Annotated[str, _DEFINITION]) -> CampaignLoaded:
    require_admin(actor)
    with svc.db.write() as s:
        result = directory.load_campaign_text(s, actor, definition, "upload.yaml")
    return CampaignLoaded(
        campaign_id=result.campaign_id,
        version=result.version,
        created=result.created,
        unchanged=result.unchanged,
    )


@router.get("/rounds", response_model=list[RoundOut])
def list_rounds(svc: Svc, actor: Me, campaign: IdQuery = None) -> list[RoundOut]:
    with svc.db.read() as s:
        return [RoundOut.model_validate(r) for r in lk.rounds(s, campaign)]


@router.get("/awards", response_model=list[AwardOut])
def list_awards(svc: Svc, actor: Me, campaign: IdQuery = None) -> list[AwardOut]:
    with svc.db.read() as s:
        return [AwardOut.model_validate(a) for a in lk.awards(s, campaign)]


@router.get("/units", response_model=list[UnitOut])
def list_units(svc: Svc, actor: Me) -> list[UnitOut]:
    """The unit tree, parents before children (ordered by materialised path)."""
    with svc.db.read() as s:
        return [UnitOut.model_validate(u) for u in directory.units(s)]


@router.get("/users", response_model=Page[UserOut])
def list_users(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Page[UserOut]:
    with svc.db.read() as s:
        rows, total = directory.users(s, actor, limit, offset)
    return Page[UserOut](
        items=[UserOut(**u) for u in rows], total=total, limit=limit, offset=offset
    )


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserCreate, svc: Svc, actor: Me) -> UserOut:
    require_admin(actor)
    with svc.db.write() as s:
        user = auth_service.create_user(s, **body.model_dump())
        return UserOut(**directory.user_view(s, user))


@router.post("/users/{user_id}/grants", status_code=201, response_model=GrantOut)
def grant_role(user_id: IdPath, body: GrantIn, svc: Svc, actor: Me) -> GrantOut:
    require_admin(actor)
    with svc.db.write() as s:
        g = auth_service.grant_role(s, user_id, body.role, body.unit_id, body.campaign_id)
        return GrantOut(
            role=g.role.value, unit_id=g.unit_id, unit_path=g.unit.path, campaign_id=g.campaign_id
        )
