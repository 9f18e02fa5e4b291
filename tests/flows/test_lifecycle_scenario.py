"""A full Điện Biên scenario driven only by the flows plus the human actions (propose, tick and
recommend, ballots, decide): every nomination ends in the right state on time."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import AUDIT_KEY

from awardflow.campaigns.loader import load_definition
from awardflow.db.base import Base
from awardflow.db.models import Campaign, Evidence, Nomination, Round
from awardflow.db.models.campaign import Summary
from awardflow.db.session import Database
from awardflow.demo import data
from awardflow.demo.org import DISCIPLINED, build_cast
from awardflow.flows import work
from awardflow.flows.runtime import Runtime, install
from awardflow.services import council, nominations
from awardflow.services.actors import actor_for_user
from awardflow.services.audit import verify
from awardflow.services.campaigns import load_campaign
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.settings import Settings, get_settings
from awardflow.states import Actor

ROOT = Path(__file__).resolve().parents[2]


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def test_dien_bien_round_by_flows(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWARDFLOW_FLOWS__GATEWAY_FOLDER", str(tmp_path / "drop"))
    get_settings.cache_clear()
    db = Database(f"sqlite:///{tmp_path / 'scenario.db'}")
    Base.metadata.create_all(db.engine)
    ctx = ServiceContext.from_settings(Settings(audit_key=AUDIT_KEY.decode()))
    install(Runtime(db, ctx))
    spec = next(c for c in data.CAMPAIGNS if c.code.startswith("dien-bien"))
    with db.write() as s:
        defn = load_definition(ROOT / "campaigns" / spec.file)
        campaign_id = load_campaign(s, defn, spec.file).campaign_id
        campaign = s.get(Campaign, campaign_id)
        assert campaign is not None
        cast = build_cast(s, spec, campaign, 2026, random.Random(7), "x", persons_per_unit=6)
        rnd = s.execute(
            select(Round).where(Round.campaign_id == campaign_id, Round.code == "annual-2026")
        ).scalar_one()
        criteria = [
            c["code"]
            for c in defn.model_dump(mode="json")["criteria"]["individual"]
            if c["required"]
        ]
        giay_khen = next(a.id for a in campaign.awards if a.code == "giay_khen")

    def actor(user_id: int) -> Actor:
        with db.read() as s:
            return actor_for_user(s, user_id)

    unit = cast.units[0]
    people = [n for n in cast.nominees[unit] if n.profile != DISCIPLINED][:3]
    forgotten_person = cast.nominees[cast.units[1]][0]
    ids = []
    proposed_on = at(date(2026, 10, 20))
    with db.write() as s:
        for n in people:
            nom = nominations.create_draft(
                s,
                ctx,
                actor(cast.clerks[unit]),
                round_id=rnd.id,
                award_id=giay_khen,
                unit_id=unit,
                nominee_kind="individual",
                person_id=n.person_id,
                achievement="Ứng dụng chuyển đổi số",
                now=proposed_on,
            )
            s.add(
                Evidence(
                    nomination_id=nom.id,
                    sha256="b" * 64,
                    filename="bao-cao.pdf",
                    content_type="application/pdf",
                    size=10,
                    kind="achievement_report",
                )
            )
            transition(s, ctx, nom.id, "propose", actor(cast.heads[unit]), now=proposed_on)
            ids.append(nom.id)
        forgotten = nominations.create_draft(
            s,
            ctx,
            actor(cast.clerks[cast.units[1]]),
            round_id=rnd.id,
            award_id=giay_khen,
            unit_id=cast.units[1],
            nominee_kind="individual",
            person_id=forgotten_person.person_id,
            now=proposed_on,
        ).id

    assert len(ids) == 3
    assert run(work.assign_proposed(now=at(date(2026, 10, 21)).isoformat())) == {
        "assigned": 3,
        "unassignable": 0,
    }
    with db.read() as s:
        assignees = {nid: s.get(Nomination, nid).assignee_id for nid in ids}  # type: ignore[union-attr]
    appraised_on = at(date(2026, 11, 2))
    with db.write() as s:
        for nid in ids[:2]:
            who = actor(assignees[nid])  # type: ignore[arg-type]
            for code in criteria:
                nominations.record_criterion(s, ctx, nid, who, code, True, "Đạt", now=appraised_on)
            transition(s, ctx, nid, "recommend", who, comment="Đủ điều kiện", now=appraised_on)
        transition(
            s,
            ctx,
            ids[2],
            "decline",
            actor(assignees[ids[2]]),  # type: ignore[arg-type]
            comment="Chưa có minh chứng kết quả chuyển đổi số",
            now=appraised_on,
        )

    # Proposals closed on 10 November: the sweep lapses the forgotten draft.
    run(work.sweep_deadlines(now=at(date(2026, 11, 12)).isoformat()))

    council_day = at(date(2026, 12, 3))
    secretary = actor(cast.secretary)
    with db.write() as s:
        session = council.create_session(
            s,
            ctx,
            secretary,
            round_id=rnd.id,
            name="Phiên họp Hội đồng TĐKT năm học 2025–2026",
            member_user_ids=cast.members,
            chair_user_id=cast.director,
            secretary_user_id=cast.secretary,
            now=council_day,
        )
        assert council.open_session(s, ctx, secretary, session.id, now=council_day) == ids[:2]
        members = [cast.director, *cast.members]
        for uid in members:
            council.record_attendance(s, ctx, secretary, session.id, uid, True, now=council_day)
        sid = session.id
    for uid in [cast.director, *cast.members]:
        with db.write() as s:
            council.cast_ballot(s, ctx, actor(uid), sid, ids[0], "agree", now=council_day)
            council.cast_ballot(
                s,
                ctx,
                actor(uid),
                sid,
                ids[1],
                "agree" if uid == cast.director else "disagree",
                now=council_day,
            )
    assert run(work.close_council_session(sid, now=council_day.isoformat()))["quorum_met"]
    with db.write() as s:
        transition(
            s,
            ctx,
            ids[0],
            "decide",
            actor(cast.director),
            now=at(date(2026, 12, 8)),
            data={"decision_number": "1234/QĐ-SGDĐT", "decision_date": "2026-12-08"},
        )

    closed = run(work.close_due(now=at(date(2026, 12, 20)).isoformat()))
    assert rnd.id in closed["rounds"]
    with db.read() as s:
        states = {
            nid: s.get(Nomination, nid).state.value  # type: ignore[union-attr]
            for nid in [*ids, forgotten]
        }
        summary = s.execute(select(Summary).where(Summary.round_id == rnd.id)).scalar_one()
        assert list(verify(s, AUDIT_KEY)) == []
    assert states == {
        ids[0]: "awarded",
        ids[1]: "rejected",
        ids[2]: "rejected",
        forgotten: "lapsed",
    }
    assert summary.data["by_state"] == {"awarded": 1, "rejected": 2, "lapsed": 1}
    assert [a["nomination_id"] for a in summary.data["awarded"]] == [ids[0]]
    install(None)
    db.dispose()
    get_settings.cache_clear()
