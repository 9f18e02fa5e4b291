"""Council sessions through the services: secret ballots, quorum, thresholds of ALL members,
quota ranking with the chair's tie-break, and postponement without quorum."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from tests.support.world import NOW, World, add_evidence, new_draft, new_person

from awardflow.db.models import BallotReceipt, BallotTally, CouncilSession
from awardflow.errors import AwardflowError, Conflict, Forbidden, InvalidInput, NotFound
from awardflow.services import council as svc
from awardflow.services import nominations as noms
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.states import Actor

MEMBERS = [f"member{i}" for i in range(1, 6)]


def appraised(w: World, ctx: ServiceContext, person: str, award: str = "giay_khen") -> int:
    with w.db.write() as s:
        nom_id = new_draft(s, w, ctx, w[person], award=award)
        add_evidence(s, nom_id)
        transition(s, ctx, nom_id, "propose", w.actor("head_a"), now=NOW)
        transition(s, ctx, nom_id, "claim", w.actor("appraiser1"), now=NOW)
        for code in ("ca_nhan_1", "ca_nhan_2"):
            noms.record_criterion(s, ctx, nom_id, w.actor("appraiser1"), code, True, now=NOW)
        transition(s, ctx, nom_id, "recommend", w.actor("appraiser1"), comment="Đạt", now=NOW)
        return nom_id


def person(w: World, code: str) -> str:
    with w.db.write() as s:
        new_person(s, w, code)
    return code


def session_with(w: World, ctx: ServiceContext, present: list[str]) -> tuple[int, list[int]]:
    secretary = w.actor("secretary")
    with w.db.write() as s:
        council = svc.create_session(
            s,
            ctx,
            secretary,
            round_id=w["round"],
            name="Phiên họp xét khen thưởng năm học 2025–2026",
            member_user_ids=[w[m] for m in MEMBERS],
            chair_user_id=w["member1"],
            secretary_user_id=w["secretary"],
            now=NOW,
        )
        scheduled = svc.open_session(s, ctx, secretary, council.id, now=NOW)
        for m in MEMBERS:
            svc.record_attendance(s, ctx, secretary, council.id, w[m], m in present, now=NOW)
        return council.id, scheduled


def vote(w: World, ctx: ServiceContext, sid: int, nid: int, choices: dict[str, str]) -> None:
    for member, choice in choices.items():
        with w.db.write() as s:
            svc.cast_ballot(s, ctx, w.actor(member), sid, nid, choice, now=NOW)


def state(w: World, nid: int) -> str:
    from awardflow.db.models import Nomination

    with w.db.read() as s:
        nom = s.get(Nomination, nid)
        assert nom is not None
        return nom.state.value


def test_secret_ballot_threshold_of_all_members(world: World, ctx: ServiceContext) -> None:
    a, b = appraised(world, ctx, "p-lan"), appraised(world, ctx, "p-minh")
    sid, scheduled = session_with(world, ctx, present=MEMBERS[:4])
    assert scheduled == [a, b]
    # 3 of 5 members agree on a (threshold 0.5 of ALL 5 -> 3 needed); only 2 on b
    vote(world, ctx, sid, a, {"member1": "agree", "member2": "agree", "member3": "disagree"})
    with world.db.write() as s:  # member5 is absent: the secretary enters her written vote
        svc.cast_ballot(
            s, ctx, world.actor("secretary"), sid, a, "agree", written_for=world["member5"], now=NOW
        )
    vote(world, ctx, sid, b, {"member1": "agree", "member2": "agree", "member4": "abstain"})
    with world.db.write() as s, pytest.raises(Conflict):
        svc.cast_ballot(s, ctx, world.actor("member1"), sid, a, "disagree", now=NOW)
    with world.db.write() as s, pytest.raises(Forbidden):
        svc.cast_ballot(s, ctx, world.actor("member5"), sid, b, "agree", now=NOW)  # absent
    with world.db.write() as s, pytest.raises(Forbidden):
        svc.cast_ballot(s, ctx, world.actor("head_a"), sid, b, "agree", now=NOW)
    with world.db.write() as s:
        minutes = svc.close_session(s, ctx, world.actor("secretary"), sid, now=NOW)
    assert state(world, a) == "council_approved"
    assert state(world, b) == "rejected"
    items = {i["nomination_id"]: i for i in minutes["items"]}
    assert (items[a]["agree"], items[a]["disagree"], items[a]["required"]) == (3, 1, 3)
    assert (items[b]["agree"], items[b]["abstain"], items[b]["outcome"]) == (2, 1, "failed")
    assert minutes["quorum_met"] is True
    assert minutes["present"] == 4
    # Secrecy: receipts carry no choice and tallies carry no voter.
    assert "choice" not in {c.key for c in inspect(BallotReceipt).columns}
    assert "user_id" not in {c.key for c in inspect(BallotTally).columns}
    with world.db.read() as s:
        receipts = s.execute(
            select(BallotReceipt).where(BallotReceipt.nomination_id == a)
        ).scalars()
        assert sorted(r.user_id for r in receipts) == sorted(
            world[m] for m in ("member1", "member2", "member3", "member5")
        )


def test_no_quorum_postpones(world: World, ctx: ServiceContext) -> None:
    a = appraised(world, ctx, "p-lan")
    sid, _ = session_with(world, ctx, present=MEMBERS[:3])  # 3 of 5 < 2/3
    vote(world, ctx, sid, a, {"member1": "agree", "member2": "agree", "member3": "agree"})
    with world.db.write() as s:
        minutes = svc.close_session(s, ctx, world.actor("secretary"), sid, now=NOW)
        assert s.get(CouncilSession, sid).status == "closed"  # type: ignore[union-attr]
    assert minutes["quorum_met"] is False
    assert state(world, a) == "appraised"


def test_quota_ranking_and_chair_tiebreak(world: World, ctx: ServiceContext) -> None:
    # Bằng khen: at most 1.25 % of the 160 participants (= 2) in the round. Three pass; two tie
    # at the cut-off.
    people = [person(world, f"q{i}") for i in range(3)]
    from awardflow.db.models import Award, AwardHistory

    with world.db.write() as s:
        award = s.get(Award, world["bang_khen_tinh"])
        assert award is not None
        award.quota_per_unit, award.quota_percent = None, 1.25
        for p in people:
            for year in (2025, 2026):
                s.add(
                    AwardHistory(
                        person_id=world[p], award_code="cstd_co_so", year=year, award_type="merit"
                    )
                )
    ids = [appraised(world, ctx, p, "bang_khen_tinh") for p in people]
    sid, _ = session_with(world, ctx, present=MEMBERS)
    everyone = dict.fromkeys(MEMBERS, "agree")
    vote(world, ctx, sid, ids[0], everyone)
    four = {m: ("agree" if i < 4 else "disagree") for i, m in enumerate(MEMBERS)}
    vote(world, ctx, sid, ids[1], four)
    vote(world, ctx, sid, ids[2], four)
    with world.db.write() as s, pytest.raises(InvalidInput) as tie:
        svc.close_session(s, ctx, world.actor("secretary"), sid, now=NOW)
    assert tie.value.field == "chair_tiebreak"
    assert f"#{ids[1]}" in tie.value.message_vi
    assert state(world, ids[1]) == "in_council"  # nothing was decided
    award_id = world["bang_khen_tinh"]
    with world.db.write() as s:
        minutes = svc.close_session(
            s, ctx, world.actor("secretary"), sid, chair_tiebreak={award_id: [ids[2]]}, now=NOW
        )
    assert [state(world, i) for i in ids] == ["council_approved", "rejected", "council_approved"]
    outcomes = {i["nomination_id"]: (i["outcome"], i["rank"]) for i in minutes["items"]}
    assert outcomes[ids[0]] == ("passed", 1)
    assert outcomes[ids[1]][0] == "over_quota"


def test_only_the_secretary_runs_sessions(world: World, ctx: ServiceContext) -> None:
    with world.db.write() as s, pytest.raises(Forbidden):
        svc.create_session(
            s,
            ctx,
            world.actor("member1"),
            round_id=world["round"],
            name="X",
            member_user_ids=[world[m] for m in MEMBERS],
            chair_user_id=world["member1"],
            secretary_user_id=world["secretary"],
        )
    with world.db.write() as s:
        council = svc.create_session(
            s,
            ctx,
            Actor.system(),
            round_id=world["round"],
            name="Phiên họp",
            member_user_ids=[world[m] for m in MEMBERS],
            chair_user_id=world["member1"],
            secretary_user_id=world["secretary"],
        )
        assert council.quorum == pytest.approx(2 / 3)


def test_a_round_has_one_open_session_at_a_time(world: World, ctx: ServiceContext) -> None:
    """A second session of the same round cannot open while the first is open (scheduled
    dossiers would go to the first one); once it is closed, the next may open."""
    from awardflow.errors import Conflict

    first, _ = session_with(world, ctx, present=MEMBERS)
    secretary = world.actor("secretary")
    with world.db.write() as s:
        second = svc.create_session(
            s,
            ctx,
            secretary,
            round_id=world["round"],
            name="Phiên họp bổ sung",
            member_user_ids=[world[m] for m in MEMBERS],
            chair_user_id=world["member1"],
            secretary_user_id=world["secretary"],
            now=NOW,
        ).id
    with pytest.raises(Conflict) as err, world.db.write() as s:
        svc.open_session(s, ctx, secretary, second, now=NOW)
    assert f"#{first}" in err.value.message_en
    with world.db.write() as s:
        svc.close_session(s, ctx, secretary, first, now=NOW)
    with world.db.write() as s:
        svc.open_session(s, ctx, secretary, second, now=NOW)


def receipts_and_tallies(w: World, sid: int) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """(who voted on what, sorted) and each item's total of counted votes."""
    with w.db.read() as s:
        got = s.execute(
            select(BallotReceipt.user_id, BallotReceipt.nomination_id).where(
                BallotReceipt.session_id == sid
            )
        ).all()
        counted: dict[int, int] = {}
        for t in s.execute(select(BallotTally).where(BallotTally.session_id == sid)).scalars():
            counted[t.nomination_id] = counted.get(t.nomination_id, 0) + t.count
    return sorted((int(u), int(n)) for u, n in got), counted


def test_ballot_paper_takes_every_ballot_at_once(world: World, ctx: ServiceContext) -> None:
    """A member's ballot paper (phiếu bầu) votes on the whole agenda in one go, counted exactly
    as one ballot at a time; the secretary enters an absent member's written paper."""
    a, b, c = (appraised(world, ctx, p) for p in ("p-lan", "p-minh", person(world, "q-hoa")))
    sid, _ = session_with(world, ctx, present=MEMBERS[:4])
    papers = {
        "member1": {a: "agree", b: "agree", c: "disagree"},
        "member2": {a: "agree", b: "disagree", c: "disagree"},
        "member3": {a: "agree", b: "abstain", c: "agree"},
    }
    for member, paper in papers.items():
        with world.db.write() as s:
            assert svc.cast_ballot_paper(s, ctx, world.actor(member), sid, paper, now=NOW) == 3
    with world.db.write() as s:  # member5 absent: her written paper, entered by the secretary
        taken = svc.cast_ballot_paper(
            s,
            ctx,
            world.actor("secretary"),
            sid,
            {a: "agree", b: "agree"},
            written_for=world["member5"],
            now=NOW,
        )
        assert taken == 2
    vote(world, ctx, sid, c, {"member4": "agree"})  # one ballot at a time still works
    receipts, counted = receipts_and_tallies(world, sid)
    assert counted == {a: 4, b: 4, c: 4}
    assert len(receipts) == 12
    with world.db.write() as s:
        minutes = svc.close_session(s, ctx, world.actor("secretary"), sid, now=NOW)
    items = {i["nomination_id"]: i for i in minutes["items"]}
    assert (items[a]["agree"], items[a]["disagree"]) == (4, 0)
    assert (items[b]["agree"], items[b]["disagree"], items[b]["abstain"]) == (2, 1, 1)
    assert (items[c]["agree"], items[c]["disagree"]) == (2, 2)
    assert [state(world, n) for n in (a, b, c)] == ["council_approved", "rejected", "rejected"]


def test_a_ballot_paper_is_taken_all_or_none(world: World, ctx: ServiceContext) -> None:
    """The first ballot of a paper that cannot be taken refuses the whole paper, naming that
    dossier; nothing of the paper is kept, and the member can send a corrected one."""
    a, b = appraised(world, ctx, "p-lan"), appraised(world, ctx, "p-minh")
    elsewhere = appraised(world, ctx, person(world, "q-hoa"))
    sid, _ = session_with(world, ctx, present=MEMBERS[:4])
    with world.db.write() as s:  # withdrawn from the agenda's reach: not in council any more
        transition(
            s, ctx, elsewhere, "postpone", world.actor("secretary"), comment="Bổ sung", now=NOW
        )
    before = receipts_and_tallies(world, sid)
    member1 = world.actor("member1")
    refusals: list[tuple[dict[int, str], type[AwardflowError], str]] = [
        ({a: "agree", elsewhere: "agree"}, NotFound, f"votes.{elsewhere}"),
        ({a: "agree", b: "yes"}, InvalidInput, f"votes.{b}"),
        ({}, InvalidInput, "votes"),
    ]
    for paper, kind, field in refusals:
        with pytest.raises(kind) as err, world.db.write() as s:
            svc.cast_ballot_paper(s, ctx, member1, sid, paper, now=NOW)
        assert err.value.field == field, paper
        assert receipts_and_tallies(world, sid) == before
    with world.db.write() as s:
        svc.cast_ballot_paper(s, ctx, member1, sid, {b: "agree"}, now=NOW)
    after_b = receipts_and_tallies(world, sid)
    with pytest.raises(Conflict) as dup, world.db.write() as s:  # b was voted already
        svc.cast_ballot_paper(s, ctx, member1, sid, {a: "agree", b: "disagree"}, now=NOW)
    assert dup.value.field == f"votes.{b}"
    assert f"#{b}" in dup.value.message_vi
    assert receipts_and_tallies(world, sid) == after_b  # a's ballot of that paper was not kept
    with pytest.raises(Forbidden), world.db.write() as s:  # member5 is absent
        svc.cast_ballot_paper(s, ctx, world.actor("member5"), sid, {a: "agree"}, now=NOW)
    with world.db.write() as s:
        assert svc.cast_ballot_paper(s, ctx, member1, sid, {a: "agree"}, now=NOW) == 1
    receipts, counted = receipts_and_tallies(world, sid)
    assert receipts == sorted([(world["member1"], a), (world["member1"], b)])
    assert counted[a] == counted[b] == 1
