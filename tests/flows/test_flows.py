"""Each flow once end to end on the demo data, through a real Prefect API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.conftest import AUDIT_KEY

from awardflow.db.models import CouncilSession, Nomination, OutboxMessage, Submission
from awardflow.db.models.campaign import Summary
from awardflow.db.session import Database
from awardflow.demo.builder import load_demo
from awardflow.flows import delivery, work
from awardflow.flows.runtime import Runtime, install
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext
from awardflow.states import NominationState


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    from awardflow.db.base import Base
    from awardflow.settings import Settings

    path = tmp_path_factory.mktemp("flows") / "demo.db"
    db = Database(f"sqlite:///{path}")
    Base.metadata.create_all(db.engine)
    ctx = ServiceContext.from_settings(Settings(audit_key=AUDIT_KEY.decode()))
    load_demo(db, ctx, per_campaign=20, users_file=None)
    rt = Runtime(db, ctx)
    install(rt)
    yield rt
    install(None)
    db.dispose()


def count(rt: Runtime, state: NominationState) -> int:
    with rt.db.read() as s:
        return int(
            s.scalar(select(func.count()).select_from(Nomination).where(Nomination.state == state))
            or 0
        )


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_each_flow_once(
    prefect_api: None, demo: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWARDFLOW_FLOWS__GATEWAY_FOLDER", str(tmp_path / "drop"))
    monkeypatch.setenv("AWARDFLOW_MAIL__BACKEND", "file")
    monkeypatch.setenv("AWARDFLOW_MAIL__FILE_DIR", str(tmp_path / "mail"))
    from awardflow.settings import get_settings

    get_settings.cache_clear()
    proposed = count(demo, NominationState.PROPOSED)
    assert proposed > 0
    result = run(work.assign_proposed())
    assert result == {"assigned": proposed, "unassignable": 0}
    assert count(demo, NominationState.PROPOSED) == 0

    now = datetime(2027, 3, 1, 3, tzinfo=UTC).isoformat()
    swept = run(work.sweep_deadlines(now=now))
    assert isinstance(swept, dict)
    assert swept["notifications"] > 0
    again = run(work.sweep_deadlines(now=now))
    assert again["notifications"] == 0  # type: ignore[index]

    with demo.db.read() as s:
        open_sessions = (
            s.execute(select(CouncilSession.id).where(CouncilSession.status == "open"))
            .scalars()
            .all()
        )
    in_council = count(demo, NominationState.IN_COUNCIL)
    for sid in open_sessions:
        run(work.close_council_session(sid))
    assert count(demo, NominationState.IN_COUNCIL) == 0 if in_council else True

    approved_before = count(demo, NominationState.COUNCIL_APPROVED)
    sent = run(work.submit_upward())
    assert isinstance(sent, dict)
    with demo.db.read() as s:
        unsent = s.scalar(
            select(func.count()).select_from(Submission).where(Submission.gateway_ref.is_(None))
        )
    assert unsent == 0
    dropped = list((tmp_path / "drop").glob("*/manifest.json"))
    assert dropped
    assert all((m.parent / "package.zip").stat().st_size > 0 for m in dropped)
    answers = run(work.fake_authority_answers())
    assert isinstance(answers, dict)
    assert sum(answers.values()) > 0
    assert approved_before >= count(demo, NominationState.COUNCIL_APPROVED)

    closed = run(work.close_due(now=datetime(2031, 1, 5, tzinfo=UTC).isoformat()))
    assert isinstance(closed, dict)
    assert closed["rounds"]
    assert closed["phases"]
    with demo.db.read() as s:
        summaries = s.scalar(select(func.count()).select_from(Summary))
        ready = s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "summary_ready")
        )
        assert list(verify(s, AUDIT_KEY)) == []
    assert summaries == len(closed["rounds"]) + len(closed["phases"])
    assert ready == 2 * summaries
    rerun = run(work.close_due(now=datetime(2031, 1, 6, tzinfo=UTC).isoformat()))
    assert rerun == {"rounds": [], "phases": []}

    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    delivered = run(delivery.deliver_notifications(batch=500, now=later.isoformat()))
    assert isinstance(delivered, dict)
    assert delivered["sent"] > 0
    mails = list((tmp_path / "mail").glob("*.eml"))
    assert len(mails) >= delivered["sent"]
    assert run(delivery.deliver_notifications(now=later.isoformat()))["claimed"] == 0
    digest = run(delivery.daily_digest(now=later.isoformat()))
    assert isinstance(digest, dict)
    get_settings.cache_clear()
