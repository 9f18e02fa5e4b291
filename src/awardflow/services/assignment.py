"""Balanced auto-assignment (``assign`` as the system): every proposed dossier goes to an
appraiser of its campaign's appraising office with the least open work; ties go round-robin
(whoever took a dossier least recently); never to someone in conflict with the nominee — the
``assign`` guards refuse those, and the next candidate is tried.

One transition batch per run: the batch's rows are read (and locked) in one select, each
``assign`` is decided in order as the one transition service decides it, and the assigned ones
are written together. A refused candidate plans nothing and writes nothing (no savepoint per
try): the next candidate is tried on the same row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from awardflow.db.repositories import assignment as repo
from awardflow.errors import TransitionRefused
from awardflow.services.context import ServiceContext
from awardflow.services.transition_batch import TransitionBatch
from awardflow.states import Actor, Trigger

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class AssignReport:
    assigned: dict[int, int] = field(default_factory=dict)  # nomination -> appraiser
    unassignable: dict[int, str] = field(default_factory=dict)  # nomination -> why


def assign_proposed(
    session: Session, ctx: ServiceContext, *, batch: int = 200, now: datetime | None = None
) -> AssignReport:
    now = now or datetime.now(UTC)
    report = AssignReport()
    system = Actor.system("assignment")
    load: dict[int, tuple[int, datetime]] = {}
    offices: dict[int, list[int]] = {}  # the batch's offices and their appraisers, read once
    waiting = repo.proposed_batch(session, batch)
    transitions = TransitionBatch(session, ctx, now=now)
    transitions.load([nid for nid, _ in waiting])
    for nid, office_id in waiting:
        if office_id not in offices:
            offices[office_id] = repo.appraisers_of(session, office_id)
        candidates = offices[office_id]
        # an appraiser's workload is read once per batch, then counted here as she takes work
        unseen = [uid for uid in candidates if uid not in load]
        if unseen:
            for uid, (count, last) in repo.open_workload(session, unseen).items():
                load[uid] = (count, last or _NEVER)
        ranked = sorted(candidates, key=lambda u: (load[u][0], load[u][1], u))
        reasons: list[str] = []
        for uid in ranked:
            try:
                transitions.add(nid, Trigger.ASSIGN, system, data={"assignee_id": uid})
            except TransitionRefused as refused:
                reasons.append(refused.message_vi)
                continue
            load[uid] = (load[uid][0] + 1, now)
            report.assigned[nid] = uid
            break
        else:
            report.unassignable[nid] = "; ".join(reasons) or "Phòng thẩm định chưa có chuyên viên."
    transitions.write()
    return report
