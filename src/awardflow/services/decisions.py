"""Decisions (quyết định khen thưởng) with their sổ vàng order numbers, the decision document
with its annexed list, and the certificates (Giấy khen / Bằng khen), one page per recipient.

The director's ``decide`` and the authority's ``confer`` record the decision number and date on
each nomination; :func:`issue_decision` gathers the awarded nominations sharing a number into
one :class:`Decision` and numbers them 1, 2, 3 … in the order given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Decision, DecisionItem
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import documents as repo
from awardflow.errors import AwardflowError, Conflict, InvalidInput, ItemRefused, NotFound
from awardflow.reports.html import render
from awardflow.reports.official import award_heading, short_date
from awardflow.reports.pdf import html_to_pdf
from awardflow.services.context import ServiceContext
from awardflow.services.documents import letterhead
from awardflow.services.packages import position_unit
from awardflow.services.transition_batch import BatchItem, transition_many
from awardflow.services.visibility import nomination_filter, not_found
from awardflow.states import Actor, Trigger
from awardflow.states.lifecycle import NominationState


def decide(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    *,
    round_id: int,
    nomination_ids: Sequence[int],
    number: str,
    day: date,
    versions: Mapping[int, int] | None = None,
    now: datetime | None = None,
) -> Decision:
    """The director's decision (quyết định khen thưởng) for the listed nominations of one
    round: ``decide`` for each, as one transition batch (each decided exactly as
    ``transitions.transition`` decides it, ``versions`` as each one's If-Match), then the
    decision recorded with its sổ vàng numbers in the order listed.

    All or none: the first nomination that is refused raises :class:`ItemRefused` naming it,
    with the error the transition service gave (not visible → NotFound, another round →
    InvalidInput, stale version → VersionConflict, a guard → TransitionRefused), and the
    caller's transaction keeps nothing."""
    ids = list(dict.fromkeys(nomination_ids))
    if not ids:
        raise InvalidInput(
            "Hãy chọn ít nhất một hồ sơ để quyết định khen thưởng.",
            "Choose at least one nomination to decide.",
            field="nomination_ids",
        )
    now = now or datetime.now(UTC)
    if day > local_date(now):
        raise InvalidInput(
            "Ngày quyết định không được sau ngày hôm nay.",
            "The decision date cannot be later than today.",
            field="decision_date",
        )
    rnd = campaigns_repo.round_(session, round_id)
    campaign = campaigns_repo.campaign(session, rnd.campaign_id) if rnd else None
    if campaign is None:
        raise NotFound("Không có đợt xét này.", "No such round.", field="round_id")
    rounds = q.visible_rounds(session, ids, nomination_filter(actor))
    for nid in ids:
        if nid not in rounds:
            raise ItemRefused(nid, not_found(nid))
        if rounds[nid] != round_id:
            raise ItemRefused(
                nid,
                InvalidInput(
                    "Hồ sơ không thuộc đợt xét này.",
                    "The nomination is not in this round.",
                    field="nomination_ids",
                ),
            )
    data = {"decision_number": number, "decision_date": day.isoformat()}
    versions = versions or {}
    items = [
        BatchItem(nid, Trigger.DECIDE, actor, data=data, expected_version=versions.get(nid))
        for nid in ids
    ]
    for nid, outcome in zip(ids, transition_many(session, ctx, items, now=now), strict=True):
        if isinstance(outcome, AwardflowError):
            raise ItemRefused(nid, outcome)
    return issue_decision(
        session,
        issuer_unit_id=campaign.organiser_unit_id,
        number=number,
        day=day,
        nomination_ids=ids,
    )


def issue_decision(
    session: Session,
    *,
    issuer_unit_id: int,
    number: str,
    day: date,
    nomination_ids: Sequence[int] = (),
    title: str = "",
) -> Decision:
    """Record decision ``number`` of the issuer for awarded nominations carrying that number.

    Without ``nomination_ids``, every awarded nomination recorded with ``number`` is taken.
    Issuing again adds only the nominations not yet in it, numbered after the last one, so the
    sổ vàng numbers stay consecutive from 1."""
    ids = list(dict.fromkeys(nomination_ids)) or repo.awarded_with_number(session, number)
    if not ids:
        raise InvalidInput(
            f"Không có hồ sơ được khen thưởng theo quyết định số {number}.",
            f"No awarded nomination carries decision number {number}.",
            field="nomination_ids",
        )
    _check(session, ids, number, day)
    decision = repo.decision_by_number(session, issuer_unit_id, number)
    if decision is None:
        if repo.unit(session, issuer_unit_id) is None:
            raise NotFound("Không có đơn vị này.", "No such unit.", field="issuer_unit_id")
        decision = Decision(number=number, date=day, issuer_unit_id=issuer_unit_id, title=title)
        repo.add(session, decision)
        session.flush()
    elif decision.date != day:
        raise Conflict(
            f"Quyết định số {number} đã ghi ngày {short_date(decision.date)}.",
            f"Decision {number} is already dated {decision.date.isoformat()}.",
            field="day",
        )
    inside = {nid for _, nid in repo.decision_items(session, decision.id)}
    elsewhere = set(repo.already_in_decision(session, ids)) - inside
    if elsewhere:
        raise Conflict(
            f"Hồ sơ {sorted(elsewhere)} đã thuộc một quyết định khác.",
            f"Nominations {sorted(elsewhere)} already belong to another decision.",
            field="nomination_ids",
        )
    order = repo.next_order_no(session, decision.id)
    for nid in ids:
        if nid not in inside:
            repo.add(
                session, DecisionItem(decision_id=decision.id, nomination_id=nid, order_no=order)
            )
            order += 1
    session.flush()
    return decision


def _check(session: Session, ids: list[int], number: str, day: date) -> None:
    states = repo.awarded_states(session, ids)
    wrong = [
        nid
        for nid in ids
        if nid not in states
        or states[nid][0] is not NominationState.AWARDED
        or states[nid][1] != number
        or states[nid][2] != day
    ]
    if wrong:
        raise InvalidInput(
            f"Hồ sơ {wrong} chưa được khen thưởng theo quyết định số {number} "
            f"ngày {short_date(day)}.",
            f"Nominations {wrong} are not awarded by decision {number} of {day.isoformat()}.",
            field="nomination_ids",
        )


def decision_context(session: Session, decision_id: int) -> dict[str, Any]:
    decision = repo.decision(session, decision_id)
    if decision is None:
        raise NotFound("Không có quyết định này.", "No such decision.", field="decision_id")
    items = repo.decision_items(session, decision.id)
    found = repo.nominees(session, [nid for _, nid in items])
    rows = [{**found[nid], "order": order} for order, nid in items]
    for row in rows:
        row["position_unit"] = position_unit(row)
    campaign_id = repo.campaign_of(session, [nid for _, nid in items])
    lh = letterhead(
        session,
        decision.issuer_unit_id,
        campaign_id=campaign_id,
        number=decision.number,
        day=decision.date,
    )
    forms = Counter(r["award"] for r in rows)
    kinds = Counter(r["kind"] for r in rows)
    campaign = repo.campaign(session, campaign_id) if campaign_id else None
    basis = [str(b).strip() for b in lh.extra["definition"].get("legal_basis", [])]
    award_list = ", ".join(forms)
    who = " và ".join(
        f"{n} {label}"
        for n, label in (
            (kinds.get("collective", 0), "tập thể"),
            (kinds.get("individual", 0), "cá nhân"),
        )
        if n
    )
    return {
        "lh": lh,
        "decision": decision,
        "decider": f"{lh.signer_title} {lh.body.upper()}",
        "subject": decision.title or f"Về việc tặng {award_list}",
        "basis": basis or ["Luật Thi đua, khen thưởng số 06/2022/QH15"],
        "proposal": f"Xét đề nghị của Hội đồng Thi đua - Khen thưởng {lh.body}",
        "article1": f"Tặng {award_list} cho {who} có tên trong danh sách kèm theo, "
        f"đã có thành tích xuất sắc trong {campaign.title if campaign else 'phong trào thi đua'}.",
        "rows": rows,
        "date_short": short_date(decision.date),
        "heading": award_heading,
    }


def decision_pdf(session: Session, decision_id: int) -> bytes:
    """The decision with its annexed list of recipients (the sổ vàng numbers)."""
    return html_to_pdf(render("decision.html", **decision_context(session, decision_id)))


def certificates_pdf(session: Session, decision_id: int) -> bytes:
    """One A4 landscape certificate per recipient, in sổ vàng order."""
    return html_to_pdf(render("certificates.html", **decision_context(session, decision_id)))
