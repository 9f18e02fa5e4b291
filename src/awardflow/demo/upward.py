"""After the council: the director's decisions, the submission upward (submissions service)
and the receiving authority's answers: return, refuse, confer, and a resubmission."""

from __future__ import annotations

from datetime import date, timedelta

from awardflow.db.models import Round
from awardflow.demo import data
from awardflow.demo.paths import (
    AUTH_RETURNED,
    CONFERRED,
    DECIDED,
    REFUSED,
    RESUBMITTED,
    Driver,
    Plan,
    at,
)
from awardflow.services import nominations as noms
from awardflow.services.submissions import prepare_submission
from awardflow.services.transitions import load
from awardflow.states import NominationState, Trigger


def after_council(driver: Driver, rnd: Round, plans: list[Plan]) -> None:
    last = rnd.council_by or (rnd.appraisal_due or rnd.opens) + timedelta(days=10)
    for n, plan in enumerate(p for p in plans if p.target == DECIDED):
        day = last + timedelta(days=4)
        driver.fire(
            plan,
            Trigger.DECIDE,
            driver.cast.director,
            at(day, 9 + n % 6),
            data_=_decision(driver, plan, 100 + n, day, "organiser"),
        )
    upward = [p for p in plans if p.target in (AUTH_RETURNED, CONFERRED, REFUSED, RESUBMITTED)]
    upward += [p for p in plans if p.target == "submitted"]
    if not upward:
        return
    sent = last + timedelta(days=2)
    for authority in sorted({_authority_unit(driver, p) for p in upward}):
        prepare_submission(
            driver.s, driver.ctx, round_id=rnd.id, authority_unit_id=authority, now=at(sent, 9)
        )
    for n, plan in enumerate(upward):
        if load(driver.s, plan.nomination_id).state is not NominationState.SUBMITTED:
            continue  # not packaged (the service found nothing for its authority)
        _answer(driver, plan, sent, n)


def _authority_unit(driver: Driver, plan: Plan) -> int:
    campaign = driver.cast.campaign
    unit = (
        campaign.central_authority_unit_id
        if plan.award.deciding_authority == "centre"
        else campaign.authority_unit_id
    )
    assert unit is not None
    return unit


def _answer(driver: Driver, plan: Plan, sent: date, n: int) -> None:
    authority = driver.cast.authorities[_authority_unit(driver, plan)]
    rng = driver.rng
    if plan.target == AUTH_RETURNED:
        reason = rng.choice(data.AUTHORITY_RETURN_REASONS)
        driver.fire(
            plan, Trigger.AUTHORITY_RETURN, authority, at(sent + timedelta(days=12), 10), reason
        )
    elif plan.target == REFUSED:
        reason = rng.choice(data.REFUSE_REASONS)
        driver.fire(plan, Trigger.REFUSE, authority, at(sent + timedelta(days=14), 10), reason)
    elif plan.target == CONFERRED:
        day = sent + timedelta(days=15)
        driver.fire(
            plan,
            Trigger.CONFER,
            authority,
            at(day, 10),
            data_=_decision(driver, plan, 200 + n, day, plan.award.deciding_authority),
        )
    elif plan.target == RESUBMITTED:
        reason = rng.choice(data.AUTHORITY_RETURN_REASONS)
        driver.fire(
            plan, Trigger.AUTHORITY_RETURN, authority, at(sent + timedelta(days=10), 10), reason
        )
        noms.edit(
            driver.s,
            driver.ctx,
            plan.nomination_id,
            driver.actor(driver.cast.clerks[plan.unit_id]),
            {"achievement": "Báo cáo thành tích đã hoàn thiện theo Mẫu số 05, có xác nhận."},
            now=at(sent + timedelta(days=12), 9),
        )
        driver.fire(
            plan, Trigger.RESUBMIT, driver.cast.supervisor, at(sent + timedelta(days=13), 9)
        )
        day = sent + timedelta(days=25)
        driver.fire(
            plan,
            Trigger.CONFER,
            authority,
            at(day, 10),
            data_=_decision(driver, plan, 300 + n, day, plan.award.deciding_authority),
        )


def _decision(driver: Driver, plan: Plan, number: int, day: date, who: str) -> dict[str, str]:
    if who == "centre":
        suffix = "QĐ-TTg"
    elif who == "province" or driver.cast.campaign.organiser_level == "province":
        suffix = "QĐ-UBND"
    else:
        suffix = "QĐ-SGDĐT" if "gddt" in driver.cast.campaign.code else "QĐ-SNgV"
    return {"decision_number": f"{number}/{suffix}", "decision_date": day.isoformat()}
