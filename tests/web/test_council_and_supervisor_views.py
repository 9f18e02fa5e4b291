"""The view models behind the council and supervisor pages on SQLite and PostgreSQL (the
browser tests run on SQLite only): ranking against a percentage quota with the chair's
tie-break, nothing about choices while a session sits, and the dashboard's lists, forecast and
bulk preview over a small world."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from tests.support.world import NOW, World, add_evidence, new_draft, new_person

from awardflow.db.models import Award, AwardHistory
from awardflow.services import council, supervision
from awardflow.services import nominations as noms
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.web import council_views, supervisor_bulk, supervisor_views

MEMBERS = [f"member{i}" for i in range(1, 6)]


def _proposed(s: Session, w: World, ctx: ServiceContext, code: str, award: str) -> int:
    person = w.ids.get(code) or new_person(s, w, code)
    nid = new_draft(s, w, ctx, person, award=award)
    add_evidence(s, nid)
    transition(s, ctx, nid, "propose", w.actor("head_a"), now=NOW)
    return nid


def _appraised(w: World, ctx: ServiceContext, code: str, award: str = "giay_khen") -> int:
    with w.db.write() as s:
        nid = _proposed(s, w, ctx, code, award)
        transition(s, ctx, nid, "claim", w.actor("appraiser1"), now=NOW)
        for criterion in ("ca_nhan_1", "ca_nhan_2"):
            noms.record_criterion(s, ctx, nid, w.actor("appraiser1"), criterion, True, now=NOW)
        transition(s, ctx, nid, "recommend", w.actor("appraiser1"), comment="Đạt", now=NOW)
        return nid


def test_results_rank_against_the_quota_and_nothing_tells_choices_while_open(
    world: World, ctx: ServiceContext
) -> None:
    with world.db.write() as s:  # Bằng khen: 1.25 % of the 160 participants, i.e. 2
        award = s.get(Award, world["bang_khen_tinh"])
        assert award is not None
        award.quota_per_unit, award.quota_percent = None, 1.25
        for code in ("q0", "q1", "q2"):
            pid = new_person(s, world, code)
            for year in (2025, 2026):
                s.add(
                    AwardHistory(
                        person_id=pid, award_code="cstd_co_so", year=year, award_type="merit"
                    )
                )
    ids = [_appraised(world, ctx, code, "bang_khen_tinh") for code in ("q0", "q1", "q2")]
    secretary = world.actor("secretary")
    with world.db.write() as s:
        sid = council.create_session(
            s, ctx, secretary, round_id=world["round"], name="Phiên họp", now=NOW,
            member_user_ids=[world[m] for m in MEMBERS], chair_user_id=world["member1"],
            secretary_user_id=world["secretary"],
        ).id  # fmt: skip
        council.open_session(s, ctx, secretary, sid, now=NOW)
        for m in MEMBERS:
            council.record_attendance(s, ctx, secretary, sid, world[m], True, now=NOW)
    four = {m: ("agree" if i < 4 else "disagree") for i, m in enumerate(MEMBERS)}
    for nid, choices in zip(ids, (dict.fromkeys(MEMBERS, "agree"), four, four), strict=True):
        for member, choice in choices.items():
            with world.db.write() as s:
                council.cast_ballot(s, ctx, world.actor(member), sid, nid, choice, now=NOW)

    with world.db.read() as s:
        seen = council_views.session_view(s, world.actor("member5"), sid, "vi")
        desk = council_views.session_view(s, secretary, sid, "vi")
    assert seen is not None and desk is not None
    assert seen.is_member and not seen.is_secretary and seen.results is None
    assert [(a.voted, a.ballots) for a in seen.agenda] == [(True, 5)] * 3
    assert desk.is_secretary and not desk.is_member and desk.awaiting == []

    with world.db.write() as s:
        council.close_session(
            s, ctx, secretary, sid, chair_tiebreak={world["bang_khen_tinh"]: [ids[2]]}, now=NOW
        )
    with world.db.read() as s:
        after = council_views.session_view(s, world.actor("member5"), sid, "vi")
    assert after is not None and after.results is not None
    (group,) = after.results["awards"]
    assert (group["quota"], group["passed"]) == (2, 2)
    assert [
        (i["nomination_id"], i["rank"], i["agree"], i["outcome_label"]) for i in group["items"]
    ] == [
        (ids[0], 1, 5, "Đạt"),
        (ids[1], 2, 4, "Đạt số phiếu nhưng vượt chỉ tiêu"),
        (ids[2], 3, 4, "Đạt"),
    ]


def test_dashboard_lists_forecast_and_bulk_preview(world: World, ctx: ServiceContext) -> None:
    a, b = _appraised(world, ctx, "p-an"), _appraised(world, ctx, "p-binh")
    with world.db.write() as s:
        waiting = _proposed(s, world, ctx, "p-cuong", "giay_khen")
    supervisor = world.actor("supervisor")
    later = NOW + timedelta(days=30)  # the proposal's 10 working days are over
    with world.db.read() as s:
        board = supervisor_views.dashboard(s, supervisor, ctx.calendar, later, "vi")
        items = supervision.bulk(
            s, ctx, supervisor, "reassign", [waiting, a], data={"assignee_id": world["appraiser1"]},
            comment=None, dry_run=True, now=later,
        )  # fmt: skip
        preview = supervisor_bulk.preview_items(s, supervisor, items, later, "vi")
    assert (board.total, board.overdue, board.stuck) == (3, 1, 0)
    assert [w.row.id for w in board.work] == [waiting]
    assert board.work[0].overdue_days > 0 and board.work[0].row.assignee is None
    assert {w["name"] for w in board.workload} == {"Vũ Thị Mai", "Hoàng Văn Nam"}
    stages = {f.stage: f for f in board.forecast}
    # Nothing left any stage in the last 10 working days: at this pace every dossier misses.
    assert (stages["appraisal"].open_now, stages["appraisal"].will_miss) == (1, 1)
    assert (stages["council"].open_now, stages["council"].will_miss) == (2, 2)
    assert [nid for nid, _ in stages["council"].at_risk] == [a, b]
    assert board.failed == []
    assert (preview[0].id, preview[0].ok, preview[0].what) == (waiting, True, "Phân công thẩm định")
    assert (preview[1].id, preview[1].ok) == (a, False) and preview[1].reasons  # past appraisal
