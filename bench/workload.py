"""The transition benchmark's workload: ``proposed`` nominations prepared in bulk with valid
audit chains, the two measured steps (``claim``, ``return_to_unit``), and the runners (the
service, and the raw-SQL baselines of ``bench.baseline``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from tests.support.world import NOW

from awardflow.campaigns.catalogue import NomineeKind
from awardflow.db.models import AuditEvent, Award, Nomination, Round
from awardflow.services import deadlines
from awardflow.services.transitions import transition
from awardflow.states import Actor
from awardflow.states.lifecycle import NominationState as S
from awardflow.states.lifecycle import Trigger
from bench import common
from bench.baseline import (
    CLAIM_UPDATE,
    RETURN_UPDATE,
    Baseline,
    CoreText,
    PostgresDbapi,
    SqliteDbapi,
    Step,
    event_hmac,
)

REASON = "Thiếu bản sao quyết định công nhận sáng kiến; đề nghị bổ sung."

# --- preparing the nominations (bulk, not timed) --------------------------------------------


def seed_proposed(stage: common.Stage, people: Sequence[int]) -> list[int]:
    """One ``proposed`` nomination per person, with a valid two-event audit chain."""
    w, ctx = stage.world, stage.ctx
    clerk, head = w.actor("clerk_a"), w.actor("head_a")
    with stage.db.write() as s:
        rnd = s.get(Round, w["round"])
        award = s.get(Award, w["giay_khen"])
        assert rnd is not None
        assert award is not None
        probe = Nomination(state=S.PROPOSED, dept_days_used=0, dept_clock_started_at=NOW)
        due = deadlines.due_for(probe, rnd, ctx.calendar, NOW)
        rows: list[dict[str, Any]] = [
            {
                "campaign_id": w["campaign"],
                "campaign_version": 1,
                "round_id": rnd.id,
                "award_id": award.id,
                "unit_id": w["thpt-a"],
                "nominee_kind": NomineeKind.INDIVIDUAL,
                "person_id": pid,
                "nominee_name": f"Nhân viên {pid}",
                "achievement": "Dẫn dắt chuyển đổi số nhà trường",
                "fields": {},
                "checklist": {},
                "state": S.PROPOSED,
                "version": 1,
                "content_version": 1,
                "state_entered_at": NOW,
                "last_activity_at": NOW,
                "created_at": NOW,
                "created_by_id": clerk.user_id,
                "due_at": due,
                "dept_clock_started_at": NOW,
                "dept_days_used": 0,
                "escalation_level": 0,
                "stuck": False,
                "audit_seq": 2,
                "audit_head": "",
            }
            for pid in people
        ]
        stmt = insert(Nomination).returning(Nomination.id, sort_by_parameter_order=True)
        ids = list(s.execute(stmt, rows).scalars())
        events: list[dict[str, Any]] = []
        heads: list[dict[str, Any]] = []
        for nid in ids:
            prev = ""
            for seq, (trig, src, dst, who, role, data) in enumerate(
                (
                    (
                        "create",
                        None,
                        "draft",
                        clerk,
                        "unit_clerk",
                        {"award": award.code, "round": rnd.code},
                    ),
                    ("propose", "draft", "proposed", head, "unit_head", {}),
                ),
                start=1,
            ):
                ev = {
                    "nomination_id": nid,
                    "seq": seq,
                    "trigger": trig,
                    "from_state": src,
                    "to_state": dst,
                    "actor_user_id": who.user_id,
                    "actor_name": who.name,
                    "actor_role": role,
                    "at": NOW,
                    "comment": None,
                    "data": data,
                    "prev_hash": prev,
                }
                ev["hash"] = prev = event_hmac(ctx.audit_key, ev)
                events.append(ev)
            heads.append({"nid": nid, "head": prev})
        s.execute(insert(AuditEvent), events)
        table = Nomination.__table__
        assert isinstance(table, Table)
        s.connection().execute(
            update(table)
            .where(table.c.id == bindparam("nid"))
            .values(audit_head=bindparam("head")),
            heads,
        )
    return ids


def steps(stage: common.Stage) -> tuple[Step, Step]:
    """``claim`` and ``return_to_unit`` with the deadlines the service computes for them."""
    with stage.db.read() as s:
        rnd = s.get(Round, stage.world["round"])
        assert rnd is not None
        cal = stage.ctx.calendar
        claimed = Nomination(state=S.IN_APPRAISAL, dept_days_used=0, dept_clock_started_at=NOW)
        returned = Nomination(state=S.RETURNED, dept_days_used=0)
        due_claim = deadlines.due_for(claimed, rnd, cal, NOW)
        due_return = deadlines.due_for(returned, rnd, cal, NOW)
    # The column's own bind processing says how a state is stored (names or values).
    to_db = Nomination.__table__.c.state.type.bind_processor(stage.db.engine.dialect)
    stored = {st: str(to_db(st) if to_db else st) for st in S}
    claim = Step(
        Trigger.CLAIM,
        S.PROPOSED,
        S.IN_APPRAISAL,
        "appraiser",
        "assigned",
        True,
        None,
        due_claim,
        CLAIM_UPDATE,
        stored,
    )
    back = Step(
        Trigger.RETURN_TO_UNIT,
        S.IN_APPRAISAL,
        S.RETURNED,
        "appraiser",
        "returned",
        False,
        REASON,
        due_return,
        RETURN_UPDATE,
        stored,
    )
    return claim, back


# --- the runners ----------------------------------------------------------------------------

Fire = Callable[[int, Step], None]


def service_runner(stage: common.Stage, actor: Actor) -> Fire:
    db, ctx = stage.db, stage.ctx

    def fire(nomination_id: int, step: Step) -> None:
        with db.write() as s:
            transition(s, ctx, nomination_id, step.trigger, actor, comment=step.comment, now=NOW)

    return fire


def baselines(stage: common.Stage, actor: Actor) -> dict[str, Baseline]:
    assert actor.user_id is not None
    args = (stage.ctx.audit_key, actor.user_id, actor.name, NOW)
    db = stage.db
    raw: Baseline = (
        SqliteDbapi(common.sqlite_path(db), *args)
        if db.is_sqlite
        else PostgresDbapi(common.pg_dsn(db), *args)
    )
    return {"core": CoreText(db, *args), "dbapi": raw}
