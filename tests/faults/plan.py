"""What a client does next: the action that fits what it last saw of a nomination, or on
purpose a wrong one (an unknown trigger, a wrong person, a missing reason), and which
``If-Match`` it sends (current, stale, garbled or none)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.faults.cast import APPRAISERS, CLERK, HEAD, USERS, Cast
from tests.faults.ledger import Seen

from awardflow.states import Trigger

TRIGGERS = [t.value for t in Trigger]
BOGUS = ["frobnicate", "Propose", "approve"]
TERMINAL = {"awarded", "rejected", "withdrawn", "lapsed"}
REASON = "Thiếu minh chứng về sáng kiến / missing evidence"


@dataclass
class Op:
    kind: str  # action | checklist | edit
    user: str
    trigger: str = ""
    comment: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def if_match(rng: random.Random, seen: Seen) -> str | None:
    r = rng.random()
    if r < 0.45:
        return f'"{seen.version}"'
    if r < 0.55:
        return f'"{max(1, seen.version - 1)}"'  # stale (or, at version 1, current)
    if r < 0.58:
        return rng.choice(["abc", "W/", '"-1"', "1.5"])  # garbled: 422
    return None


def plan(rng: random.Random, cast: Cast, seen: Seen) -> Op:
    head, clerk = HEAD[seen.unit], CLERK[seen.unit]
    ids = {u: cast[u] for u in APPRAISERS}
    mine = next((u for u, i in ids.items() if i == seen.assignee), None)
    appraiser = mine if mine and rng.random() < 0.8 else rng.choice(APPRAISERS)
    other = rng.choice(APPRAISERS)
    assign = {"assignee_id": ids[other]}
    criterion = rng.choice(["ca_nhan_1", "ca_nhan_2"])
    edit = Op("edit", clerk, data={"achievement": f"Bổ sung {uuid.uuid4().hex[:8]}"})
    options: dict[str, list[tuple[float, Op]]] = {
        "draft": [
            (8, Op("action", head, "propose")),
            (1, Op("action", head, "withdraw", REASON)),
            (1, edit),
        ],
        "proposed": [
            (4, Op("action", appraiser, "claim")),
            (4, Op("action", "supervisor", "assign", data=assign)),
            (0.5, Op("action", head, "withdraw", REASON)),
        ],
        "in_appraisal": [
            (6, Op("checklist", appraiser, data={"criterion": criterion})),
            (4, Op("action", appraiser, "recommend", "Đủ điều kiện")),
            (2, Op("action", appraiser, "return_to_unit", REASON)),
            (1, Op("action", "supervisor", "reassign", data=assign)),
            (0.4, Op("action", appraiser, "decline", REASON)),
            (0.4, Op("action", head, "withdraw", REASON)),
        ],
        "returned": [
            (4, edit),
            (4, Op("action", head, "repropose")),
            (0.5, Op("action", head, "withdraw", REASON)),
        ],
        "appraised": [
            (6, Op("action", "secretary", "schedule_vote")),
            (0.5, Op("action", head, "withdraw", REASON)),
        ],
        "in_council": [
            (3, Op("action", "secretary", "postpone", "Hoãn xét / deferred")),
            (1, Op("action", "secretary", "pass_vote")),
        ],
    }
    choices = options.get(seen.state, [(1, Op("action", head, rng.choice(TRIGGERS)))])
    op = rng.choices([o for _, o in choices], [w for w, _ in choices])[0]
    r = rng.random()
    if r < 0.12:  # the wrong trigger, or one that does not exist
        op = Op("action", op.user, rng.choice(TRIGGERS + BOGUS), op.comment, op.data)
    elif r < 0.2:  # the wrong person
        op = Op(op.kind, rng.choice(USERS), op.trigger, op.comment, op.data)
    elif r < 0.25 and op.comment:  # no reason given
        op = Op(op.kind, op.user, op.trigger, None, op.data)
    return op
