"""Creating and editing nominations: everything that is not a state change but still leaves an
audit event on the nomination's chain (create, edit, evidence, checklist, override)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.catalogue import NomineeKind
from awardflow.db.models import Evidence, Nomination
from awardflow.db.repositories import audit as audit_repo
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import drafts as drafts_repo
from awardflow.db.repositories import nominations as repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import snapshots as snapshots_repo
from awardflow.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    Reason,
    TransitionRefused,
    VersionConflict,
)
from awardflow.services import audit, deadlines
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import load
from awardflow.states import Actor, Role
from awardflow.states.lifecycle import NominationState as S

EDITABLE = frozenset({S.DRAFT, S.RETURNED, S.AUTHORITY_RETURNED})
EDITABLE_FIELDS = ("nominee_name", "achievement", "fields")
UNIT_ROLES = (Role.UNIT_CLERK, Role.UNIT_HEAD)


def _unit_role(actor: Actor, path: str, campaign_id: int | None) -> Role:
    for role in UNIT_ROLES:
        if actor.holds(role, path, campaign_id):
            return role
    raise Forbidden(
        "Chỉ cán bộ TĐKT hoặc thủ trưởng đơn vị mới lập, sửa hồ sơ của đơn vị mình.",
        "Only the unit's clerk or head may create or edit its nominations.",
    )


def _required(value: Any, field: str, vi: str, en: str) -> Any:
    if value is None:
        raise InvalidInput(vi, en, field=field)
    return value


def create_draft(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    *,
    round_id: int,
    award_id: int,
    unit_id: int,
    nominee_kind: NomineeKind | str,
    person_id: int | None = None,
    nominee_unit_id: int | None = None,
    nominee_name: str | None = None,
    achievement: str = "",
    fields: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Nomination:
    """A new draft nomination of ``unit_id``, audited as its chain's first event."""
    now = now or datetime.now(UTC)
    found = drafts_repo.context(
        session,
        round_id=round_id,
        award_id=award_id,
        unit_id=unit_id,
        person_id=person_id,
        nominee_unit_id=nominee_unit_id,
    )
    rnd = _required(found.round, "round_id", "Không có đợt xét này.", "No such round.")
    _required(found.award_id, "award_id", "Không có hình thức khen thưởng này.", "No such award.")
    if found.award_campaign_id != rnd.campaign_id:
        raise InvalidInput(
            "Hình thức khen thưởng không thuộc phong trào của đợt xét.",
            "The award does not belong to the round's campaign.",
            field="award_id",
        )
    unit_path = _required(found.unit_path, "unit_id", "Không có đơn vị này.", "No such unit.")
    role = _unit_role(actor, unit_path, rnd.campaign_id)
    try:
        kind = NomineeKind(nominee_kind)
    except ValueError:
        raise InvalidInput(
            "Đối tượng phải là 'individual' (cá nhân) hoặc 'collective' (tập thể).",
            "Nominee kind must be 'individual' or 'collective'.",
            field="nominee_kind",
        ) from None
    name = _nominee_name(kind, unit_path, found, person_id, nominee_unit_id, nominee_name)
    nom = Nomination(
        campaign_id=rnd.campaign_id,
        campaign_version=found.campaign_version,
        round_id=rnd.id,
        award_id=found.award_id,
        unit_id=found.unit_id,
        nominee_kind=kind,
        person_id=person_id if kind is NomineeKind.INDIVIDUAL else None,
        nominee_unit_id=nominee_unit_id if kind is NomineeKind.COLLECTIVE else None,
        nominee_name=name,
        achievement=achievement.strip(),
        fields=dict(fields or {}),
        checklist={},
        state=S.DRAFT,
        state_entered_at=now,
        last_activity_at=now,
        created_at=now,
        created_by_id=actor.user_id,
    )
    nom.due_at = deadlines.due_for(nom, rnd, ctx.calendar, now)
    repo.add(session, nom)
    audit.append(
        session,
        ctx.audit_key,
        nom,
        trigger="create",
        from_state=None,
        to_state=S.DRAFT.value,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_role=role.value,
        at=now,
        data={"award": found.award_code, "round": rnd.code},
    )
    session.flush()
    return nom


def _nominee_name(
    kind: NomineeKind,
    unit_path: str,
    found: drafts_repo.DraftContext,
    person_id: int | None,
    nominee_unit_id: int | None,
    given: str | None,
) -> str:
    if kind is NomineeKind.INDIVIDUAL:
        _required(
            person_id, "person_id", "Hãy chọn cá nhân được đề nghị.", "Choose the person nominated."
        )
        if found.person_unit_path is None or not found.person_unit_path.startswith(unit_path):
            raise InvalidInput(
                "Cá nhân này không thuộc đơn vị đề nghị.",
                "This person does not belong to the proposing unit.",
                field="person_id",
            )
        return (given or found.person_name or "").strip()
    _required(
        nominee_unit_id,
        "nominee_unit_id",
        "Hãy chọn tập thể được đề nghị.",
        "Choose the collective nominated.",
    )
    if found.nominee_unit_path is None or not found.nominee_unit_path.startswith(unit_path):
        raise InvalidInput(
            "Tập thể này không thuộc đơn vị đề nghị.",
            "This collective is not within the proposing unit.",
            field="nominee_unit_id",
        )
    return (given or found.nominee_unit_name or "").strip()


def _locked_editable(
    session: Session, nomination_id: int, actor: Actor, expected_version: int | None
) -> tuple[Nomination, Role]:
    nom = load(session, nomination_id, lock=True)
    if expected_version is not None and nom.version != expected_version:
        raise VersionConflict(nom.version, expected_version)
    role = _unit_role(actor, org_repo.unit_path(session, nom.unit_id), nom.campaign_id)
    if nom.state not in EDITABLE:
        raise TransitionRefused(
            "edit",
            [
                Reason(
                    "not_editable",
                    "Chỉ sửa được hồ sơ ở trạng thái dự thảo hoặc bị trả lại.",
                    "Only draft or returned nominations can be edited.",
                )
            ],
        )
    return nom, role


def _touch(
    session: Session,
    ctx: ServiceContext,
    nom: Nomination,
    actor: Actor,
    role: str,
    trigger: str,
    now: datetime,
    data: Mapping[str, Any],
    comment: str | None = None,
) -> None:
    """Record a content change: new content version, fresh activity, an audit event."""
    nom.content_version += 1
    nom.stuck = False
    audit.record(session, ctx.audit_key, nom, actor, role, trigger, now, comment=comment, data=data)
    session.flush()


def edit(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    actor: Actor,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Nomination:
    """Edit a draft or returned dossier's fields; the audit event names what changed and the
    values before."""
    now = now or datetime.now(UTC)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"Không sửa được trường: {', '.join(unknown)}.",
            f"These fields cannot be edited: {', '.join(unknown)}.",
            field=unknown[0],
        )
    nom, role = _locked_editable(session, nomination_id, actor, expected_version)
    changed: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "fields":
            if not isinstance(value, Mapping):
                raise InvalidInput(
                    "'fields' phải là một đối tượng JSON.",
                    "'fields' must be a JSON object.",
                    field="fields",
                )
            value = dict(value)
        elif not isinstance(value, str) or (key == "nominee_name" and not value.strip()):
            raise InvalidInput(
                f"Trường '{key}' phải là văn bản không rỗng.",
                f"Field '{key}' must be non-empty text.",
                field=key,
            )
        else:
            value = value.strip()
        if getattr(nom, key) != value:
            before[key] = getattr(nom, key)
            setattr(nom, key, value)
            changed[key] = value
    if changed:
        # the old values too, so a returned dossier's page can show old → new
        data = {"changed": sorted(changed), "before": before}
        _touch(session, ctx, nom, actor, role.value, "edit", now, data)
    return nom


def attach_evidence(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    actor: Actor,
    evidence: Evidence,
    *,
    now: datetime | None = None,
) -> Evidence:
    """Attach an already-stored file (see ``services.files``) to an editable dossier."""
    now = now or datetime.now(UTC)
    nom, role = _locked_editable(session, nomination_id, actor, None)
    evidence.nomination_id = nom.id
    evidence.uploaded_by_id = actor.user_id
    evidence.uploaded_at = now
    repo.add_evidence(session, evidence)
    _touch(
        session,
        ctx,
        nom,
        actor,
        role.value,
        "evidence_added",
        now,
        {
            "evidence_id": evidence.id,
            "sha256": evidence.sha256,
            "kind": evidence.kind,
            "filename": evidence.filename,
        },
    )
    return evidence


def record_criterion(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    actor: Actor,
    criterion: str,
    met: bool,
    note: str = "",
    *,
    now: datetime | None = None,
) -> Nomination:
    """The assigned appraiser ticks one criterion of the campaign's checklist, with a note.

    Several ticks a day per dossier: the row is read as a snapshot and written back with one
    Core UPDATE (version checked) and one INSERT of the audit event, no unit-of-work flush."""
    now = now or datetime.now(UTC)
    nom = snapshots_repo.nomination_for_update(session, nomination_id)
    if nom is None:
        load(session, nomination_id)  # raises the service's NotFound
    assert nom is not None
    if nom.state is not S.IN_APPRAISAL or actor.user_id != nom.assignee_id:
        raise Forbidden(
            "Chỉ chuyên viên được giao mới đánh giá tiêu chí khi đang thẩm định.",
            "Only the assigned appraiser ticks criteria during appraisal.",
        )
    before = repo.snapshot(nom)
    entry = {"met": bool(met), "note": note.strip()}
    nom.checklist = {**(nom.checklist or {}), criterion: entry}
    nom.last_activity_at = now
    event = audit.next_event(
        ctx.audit_key,
        nom,
        trigger="checklist",
        from_state=nom.state.value,
        to_state=nom.state.value,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_role=Role.APPRAISER.value,
        at=now,
        data={"criterion": criterion, **entry},
    )
    if not repo.write_back(session, nom, before):
        raise VersionConflict(before["version"])
    audit_repo.insert_now(session, event)
    return nom


def override_eligibility(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    actor: Actor,
    reason: str,
    *,
    now: datetime | None = None,
) -> Nomination:
    """A supervisor lets a dossier past a failed eligibility rule, with a reason (audited)."""
    now = now or datetime.now(UTC)
    if not reason.strip():
        raise InvalidInput(
            "Hãy ghi lý do cho phép vượt điều kiện.",
            "Give the reason for the override.",
            field="reason",
        )
    nom = load(session, nomination_id, lock=True)
    campaign = campaigns_repo.campaign(session, nom.campaign_id)
    if campaign is None:
        raise NotFound("Không có phong trào.", "No campaign.")
    path = org_repo.unit_path(session, campaign.organiser_unit_id)
    if not actor.holds(Role.SUPERVISOR, path, nom.campaign_id):
        raise Forbidden(
            "Chỉ người giám sát mới cho phép vượt điều kiện.",
            "Only a supervisor may override eligibility.",
        )
    nom.eligibility_override = reason.strip()
    audit.record(
        session,
        ctx.audit_key,
        nom,
        actor,
        Role.SUPERVISOR.value,
        "override_eligibility",
        now,
        comment=reason.strip(),
    )
    session.flush()
    return nom
