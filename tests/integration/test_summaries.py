"""Round and phase closes: figures equal the database's, frozen on re-run, versioned on
recompute, and announced to the supervisors and the director."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from tests.integration.test_council import MEMBERS, appraised, session_with, vote
from tests.integration.test_transition_service import draft
from tests.support.world import DECISION, NOW, World

from awardflow.db.models import CampaignPhase, Nomination, OutboxMessage, Round
from awardflow.services import summaries as svc
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition

CLOSE = datetime(2026, 12, 20, 3, tzinfo=UTC)


def scenario(world: World, ctx: ServiceContext) -> dict[str, int]:
    won = appraised(world, ctx, "p-lan")
    lost = appraised(world, ctx, "p-minh")
    sid, _ = session_with(world, ctx, present=MEMBERS)
    vote(world, ctx, sid, won, dict.fromkeys(MEMBERS, "agree"))
    vote(world, ctx, sid, lost, {"member1": "agree"})
    from awardflow.services import council

    with world.db.write() as s:
        council.close_session(s, ctx, world.actor("secretary"), sid, now=NOW)
        transition(s, ctx, won, "decide", world.actor("director"), data=DECISION, now=NOW)
    left = draft(world, ctx, person="p-lan", award="bang_khen_tinh")  # lapses at the close
    return {"won": won, "lost": lost, "left": left}


def test_close_round_freezes_its_summary(world: World, ctx: ServiceContext) -> None:
    ids = scenario(world, ctx)
    with world.db.write() as s:
        summary = svc.close_round(s, ctx, world["round"], now=CLOSE)
        first_id, data = summary.id, summary.data
    assert data["by_state"] == {"awarded": 1, "rejected": 1, "lapsed": 1}
    assert data["total"] == 3
    assert [a["nomination_id"] for a in data["awarded"]] == [ids["won"]]
    assert data["awarded"][0]["decision_number"] == "123/QĐ-SGDĐT"
    assert set(data["phase_times"]) == {"unit_proposal", "appraisal", "council", "submission"}
    assert data["phase_times"]["appraisal"]["count"] == 2
    with world.db.read() as s:
        assert s.get(Nomination, ids["left"]).state.value == "lapsed"  # type: ignore[union-attr]
        assert s.get(Round, world["round"]).closed_at is not None  # type: ignore[union-attr]
        ready = (
            s.execute(
                select(OutboxMessage.recipient_role).where(OutboxMessage.kind == "summary_ready")
            )
            .scalars()
            .all()
        )
    assert sorted(ready) == ["director", "supervisor"]
    assert "Nguyễn Thị Lan" in summary.html
    assert "Được khen thưởng" in summary.html
    with world.db.write() as s:  # closing again changes nothing
        again = svc.close_round(s, ctx, world["round"], now=datetime(2027, 1, 5, tzinfo=UTC))
        assert (again.id, again.data) == (first_id, data)
    with world.db.write() as s:
        newer = svc.close_round(s, ctx, world["round"], now=CLOSE, recompute=True)
        assert newer.version == 2
        assert newer.id != first_id


def test_close_phase_covers_its_rounds(world: World, ctx: ServiceContext) -> None:
    scenario(world, ctx)
    with world.db.write() as s:
        phase = CampaignPhase(
            campaign_id=world["campaign"],
            code="gd1",
            name="Giai đoạn 1",
            start=date(2026, 1, 1),
            end=date(2027, 12, 31),
            review_kind="midterm",
            review_date=date(2027, 12, 15),
        )
        s.add(phase)
        s.flush()
        rnd = s.get(Round, world["round"])
        assert rnd is not None
        rnd.phase_id = phase.id
        summary = svc.close_phase(s, ctx, phase.id, now=CLOSE)
        total = s.scalar(select(func.count()).select_from(Nomination))
    assert summary.data["review"] == "Sơ kết"
    assert summary.kind == "midterm"
    assert summary.data["total"] == total
    assert summary.title.startswith("Báo cáo sơ kết")
