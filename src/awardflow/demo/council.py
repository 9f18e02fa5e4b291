"""The demo's council sessions for one round, through the council service.

The first session votes on everything appraised by then (passing or failing each item as its
target says) and closes; dossiers recommended afterwards go to a second session that is left
open, and the last ones are recommended after it opened, so they stay ``appraised``.
"""

from __future__ import annotations

from datetime import date, timedelta

from awardflow.db.models import Round
from awardflow.demo.paths import APPRAISED, FIRST_SESSION, IN_COUNCIL, Driver, Plan, at
from awardflow.services import council


def run_councils(driver: Driver, rnd: Round, plans: list[Plan]) -> None:
    by_id = {p.nomination_id: p for p in plans if p.nomination_id}
    last = rnd.council_by or (rnd.appraisal_due or rnd.opens) + timedelta(days=10)
    day1, day2 = last - timedelta(days=3), last - timedelta(days=1)
    if any(p.target in FIRST_SESSION for p in plans):
        _session(driver, rnd, "Phiên họp thứ nhất", day1, by_id, close=True)
    late = [p for p in plans if p.target == IN_COUNCIL]
    for plan in late:
        driver.recommend(plan, at(day1 + timedelta(days=1), 9))
    if late:
        _session(driver, rnd, "Phiên họp thứ hai", day2, by_id, close=False)
    for plan in plans:
        if plan.target == APPRAISED:
            driver.recommend(plan, at(day2, 15))


def _session(
    driver: Driver, rnd: Round, name: str, day: date, by_id: dict[int, Plan], *, close: bool
) -> None:
    s, ctx, cast = driver.s, driver.ctx, driver.cast
    secretary = driver.actor(cast.secretary)
    members = [cast.director, *cast.members]
    row = council.create_session(
        s,
        ctx,
        secretary,
        round_id=rnd.id,
        name=f"{name} xét khen thưởng {rnd.name}",
        member_user_ids=members,
        chair_user_id=cast.director,
        secretary_user_id=cast.secretary,
        now=at(day - timedelta(days=5), 9),
    )
    opened = at(day, 8)
    scheduled = council.open_session(s, ctx, secretary, row.id, now=opened)
    absent = members[-1] if close and len(members) >= 5 else None
    for uid in members:
        council.record_attendance(s, ctx, secretary, row.id, uid, uid != absent, now=opened)
    if not close:
        return  # the session is still sitting: no ballots yet
    passes = {
        nid: FIRST_SESSION.get(by_id[nid].target, True) if nid in by_id else True
        for nid in scheduled
    }
    when = opened + timedelta(hours=1)
    for n, uid in enumerate(members if scheduled else []):  # each one's paper for the agenda
        paper = {nid: "agree" if n == 0 or ok else "disagree" for nid, ok in passes.items()}
        if uid == absent:  # her written paper, entered by the secretary
            council.cast_ballot_paper(s, ctx, secretary, row.id, paper, written_for=uid, now=when)
        else:
            council.cast_ballot_paper(s, ctx, driver.actor(uid), row.id, paper, now=when)
    council.close_session(s, ctx, secretary, row.id, now=at(day, 11))
