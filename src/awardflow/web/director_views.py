"""The director's desk (issue 7, W4): what waits for a decision within the department's
authority, what waits to be submitted upward, what the authority sent back, the submissions
already made and the decisions issued; and the two things the director does here.

- ``decide_batch``: ``services.decisions.decide`` — the ``decide`` trigger for the chosen
  nominations of one round with one decision number and date (one transition batch, all or
  nothing, one transaction), and the decision recorded with its sổ vàng numbers (for the
  decision PDF and the certificates); the API's ``POST /api/decisions`` is the same call;
- signing a submission upward is ``services.records.prepare``, the same call as the API's
  ``POST /api/submissions/prepare``: it packages what waits for one authority and fires
  ``submit`` for each item.

Which buttons a row gets comes from ``transitions.actions_for`` (the state machine's verdicts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Decision
from awardflow.db.repositories import web_director as repo
from awardflow.errors import InvalidInput, NotFound, Reason
from awardflow.services.context import ServiceContext
from awardflow.services.decisions import certificates_pdf, decide, decision_pdf
from awardflow.services.packages import MEDIA
from awardflow.services.visibility import nomination_filter
from awardflow.states import Actor, NominationState, Role, Trigger
from awardflow.web.submission_views import check_decision, submissions, verdicts

S = NominationState


# --- the desk ---------------------------------------------------------------------------------


@dataclass
class Group:
    """Rows of one round (to decide), or of one round and authority (to submit)."""

    round_id: int
    round: str
    campaign: str
    authority_unit_id: int | None = None
    authority: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def decidable(self) -> int:
        return sum(1 for r in self.rows if r["can_decide"])


@dataclass
class Desk:
    decide: list[Group]
    submit: list[Group]
    returned: list[dict[str, Any]]
    submissions: list[dict[str, Any]]
    decisions: list[dict[str, Any]]

    @property
    def waiting_decision(self) -> int:
        return sum(len(g.rows) for g in self.decide)

    @property
    def waiting_submission(self) -> int:
        return sum(len(g.rows) for g in self.submit)


def director_paths(actor: Actor) -> list[str]:
    return [g.unit_path for g in actor.grants if g.role is Role.DIRECTOR]


def desk(session: Session, ctx: ServiceContext, actor: Actor, now: datetime) -> Desk:
    rows = repo.desk_rows(
        session, nomination_filter(actor), (S.COUNCIL_APPROVED, S.AUTHORITY_RETURNED)
    )
    decide: dict[int, Group] = {}
    submit: dict[tuple[int, int], Group] = {}
    returned: list[dict[str, Any]] = []
    for row in rows:
        found = verdicts(session, ctx, actor, row["id"], now)
        if row["state"] is S.AUTHORITY_RETURNED:
            row["verdict"] = found.get(Trigger.RESUBMIT)
            returned.append(row)
            continue
        v = found.get(Trigger.DECIDE)
        row["can_decide"] = bool(v and v.allowed)
        row["reasons"] = list(v.reasons) if v and not v.allowed else []
        target = {
            "province": row["authority_unit_id"],
            "centre": row["central_authority_unit_id"],
        }.get(row["deciding"])
        if not row["can_decide"] and target is not None:
            key = (row["round_id"], int(target))
            group = submit.setdefault(
                key, Group(row["round_id"], row["round"], row["campaign"], int(target))
            )
        else:
            group = decide.setdefault(
                row["round_id"], Group(row["round_id"], row["round"], row["campaign"])
            )
        group.rows.append(row)
    names = repo.unit_names(session, [k[1] for k in submit])
    for (_, unit_id), group in submit.items():
        group.authority = names.get(unit_id, "")
    if returned:
        reasons = repo.last_comments(session, [r["id"] for r in returned], ["authority_return"])
        for row in returned:
            row["return_reason"] = reasons.get(row["id"], "")
    return Desk(
        decide=list(decide.values()),
        submit=list(submit.values()),
        returned=returned,
        submissions=submissions(session, actor),
        decisions=repo.decisions_under(session, director_paths(actor), 50),
    )


# --- deciding ---------------------------------------------------------------------------------


@dataclass
class DecideForm:
    round_id: int
    ids: list[int]
    versions: dict[int, int]
    number: str
    day_raw: str


def parse_decide(form: Mapping[str, Any], ids: Sequence[str]) -> DecideForm:
    """The decide form: ``round_id``, checked ``ids``, ``v.<id>`` versions, number and date."""
    raw_round = str(form.get("round_id") or "")
    if not raw_round.isdigit():
        raise InvalidInput("Thiếu đợt xét.", "The round is missing.", field="round_id")
    picked = [int(i) for i in dict.fromkeys(ids) if str(i).isdigit()]
    versions = {
        int(k[2:]): int(str(v))
        for k, v in form.items()
        if k.startswith("v.") and k[2:].isdigit() and str(v).isdigit()
    }
    return DecideForm(
        round_id=int(raw_round),
        ids=picked,
        versions=versions,
        number=str(form.get("decision_number") or "").strip(),
        day_raw=str(form.get("decision_date") or "").strip(),
    )


def check_decide(form: DecideForm, now: datetime) -> tuple[dict[str, Reason], date | None]:
    errors, day = check_decision(form.number, form.day_raw, local_date(now))
    if not form.ids:
        errors["ids"] = Reason(
            "nothing_chosen",
            "Hãy chọn ít nhất một hồ sơ để quyết định khen thưởng.",
            "Choose at least one nomination to decide.",
        )
    return errors, day


def decide_batch(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    form: DecideForm,
    day: date,
    now: datetime,
) -> Decision:
    """The director's decision for the chosen nominations (``services.decisions.decide``: the
    caller's transaction keeps nothing if one is refused)."""
    return decide(
        session,
        ctx,
        actor,
        round_id=form.round_id,
        nomination_ids=form.ids,
        number=form.number,
        day=day,
        versions=form.versions,
        now=now,
    )


# --- documents --------------------------------------------------------------------------------

DECISION_DOCS = ("quyet-dinh.pdf", "giay-chung-nhan.pdf")


def decision_document(
    session: Session, actor: Actor, decision_id: int, name: str
) -> tuple[bytes, str]:
    if name not in DECISION_DOCS or not repo.decision_under(
        session, decision_id, director_paths(actor)
    ):
        raise NotFound("Không có quyết định này.", "No such decision.", field="decision_id")
    body = (
        decision_pdf(session, decision_id)
        if name == "quyet-dinh.pdf"
        else certificates_pdf(session, decision_id)
    )
    return body, MEDIA["pdf"]
