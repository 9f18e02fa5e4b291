"""Shapes of the auth, org, campaign, queue, council, submission, inbox and report routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from awardflow.api.schemas.common import Id
from awardflow.states import Role


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4000)


class GrantOut(BaseModel):
    role: str
    unit_id: int
    unit_path: str
    campaign_id: int | None


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    email: str | None
    active: bool
    roles: list[str]
    grants: list[GrantOut]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9._-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=200)
    email: str | None = Field(None, max_length=254)


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    unit_id: Id
    campaign_id: Id | None = None


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str


class RoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    campaign_id: int
    code: str
    name: str
    kind: str
    year: int | None
    opens: date
    proposals_close: date | None
    appraisal_due: date | None
    council_by: date | None
    submission_by: date | None
    closed_at: datetime | None


class AwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    campaign_id: int
    code: str
    name: str
    level: str
    deciding_authority: str
    nominee_kinds: list[Any]
    round_kinds: list[Any]
    threshold: float
    quota_per_unit: int | None
    quota_percent: float | None
    required_evidence: list[Any]


class PhaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    start: date
    end: date
    review_kind: str | None
    review_date: date | None


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    title: str
    organiser_unit_id: int
    appraising_office_id: int
    authority_unit_id: int | None
    central_authority_unit_id: int | None
    current_version: int


class CampaignDetail(CampaignOut):
    phases: list[PhaseOut]
    rounds: list[RoundOut]
    awards: list[AwardOut]


class CampaignLoaded(BaseModel):
    campaign_id: int
    version: int
    created: bool
    unchanged: bool


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nomination_ids: list[Id] = Field(min_length=1, max_length=500)
    comment: str | None = Field(None, max_length=5000)
    data: dict[str, Any] = Field(default_factory=dict)
    dry_run: bool = False


class BulkItemOut(BaseModel):
    nomination_id: int
    ok: bool
    result: dict[str, Any]
    reasons: list[dict[str, Any]]


class BulkOut(BaseModel):
    action: str
    dry_run: bool
    items: list[BulkItemOut]


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    round_id: Id
    name: str = Field(min_length=1, max_length=300)
    member_user_ids: list[Id] = Field(min_length=1, max_length=200)
    chair_user_id: Id
    secretary_user_id: Id
    quorum: float | None = Field(None, gt=0, le=1)


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    round_id: int
    name: str
    status: str
    scheduled_for: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    quorum: float
    chair_user_id: int | None
    secretary_user_id: int | None


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Id
    present: bool


class BallotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nomination_id: Id
    choice: Literal["agree", "disagree", "abstain"]
    written_for: Id | None = Field(None, description="Absent member (secretary only).")


class BallotOut(BaseModel):
    """Never what was chosen: only that a ballot was recorded."""

    session_id: int
    nomination_id: int
    status: Literal["recorded"] = "recorded"


class PaperVote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nomination_id: Id
    choice: Literal["agree", "disagree", "abstain"]


class BallotPaperIn(BaseModel):
    """One member's ballot paper (phiếu bầu): a ballot on each listed dossier of the session,
    taken all or none."""

    model_config = ConfigDict(extra="forbid")
    votes: list[PaperVote] = Field(
        min_length=1, max_length=500, description="One choice per dossier, each dossier once."
    )
    written_for: Id | None = Field(None, description="Absent member (secretary only).")


class BallotPaperOut(BaseModel):
    """Never what was chosen: only how many ballots were recorded."""

    session_id: int
    ballots: int
    status: Literal["recorded"] = "recorded"


class AgendaItemOut(BaseModel):
    nomination_id: int
    position: int
    outcome: str | None
    ballots_cast: int


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chair_tiebreak: dict[Id, list[Id]] = Field(default_factory=dict)


class DecisionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nomination_id: Id
    version: int | None = Field(
        None, ge=1, description="The version last read (If-Match); a stale one gives 409."
    )


class DecisionCreate(BaseModel):
    """The director's decision (quyết định khen thưởng) for nominations of one round."""

    model_config = ConfigDict(extra="forbid")
    round_id: Id
    items: list[DecisionItemIn] = Field(
        min_length=1, max_length=500, description="In the order of the sổ vàng numbers."
    )
    decision_number: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")
    decision_date: date


class DecisionOut(BaseModel):
    id: int
    number: str
    date: date
    issuer_unit_id: int
    nomination_ids: list[int] = Field(description="In the order of the sổ vàng numbers.")


class SubmissionPrepare(BaseModel):
    model_config = ConfigDict(extra="forbid")
    round_id: Id
    authority_unit_id: Id


class SubmissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    round_id: int
    authority_unit_id: int
    batch_key: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    manifest: dict[str, Any]
    nomination_ids: list[Id] = Field(default_factory=list)


class InboxOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    title_vi: str
    title_en: str
    body: str
    nomination_id: int | None
    created_at: datetime
    read_at: datetime | None


class SummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    scope: str
    kind: str
    campaign_id: int
    round_id: int | None
    phase_id: int | None
    version: int
    title: str
    created_at: datetime


class SummaryDetail(SummaryOut):
    data: dict[str, Any]
    narrative: dict[str, Any]
