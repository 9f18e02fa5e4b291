"""The receiving authority's desk (issue 7, W4): the submissions sent to it — only those, by the
same visibility rule as the API (``services.records.submissions``) — with each item's state and,
for the items still waiting, the answers it may give: confer (decision number and date), return
with a reason, refuse with a reason. Answers go through the transition service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.repositories import web_director as repo
from awardflow.errors import NotFound, Reason
from awardflow.services.context import ServiceContext
from awardflow.states import Actor, NominationState, Trigger
from awardflow.web.submission_views import check_decision, check_reason, submissions, verdicts

ANSWERS = (Trigger.CONFER, Trigger.AUTHORITY_RETURN, Trigger.REFUSE)


def inbox(
    session: Session, ctx: ServiceContext, actor: Actor, now: datetime
) -> list[dict[str, Any]]:
    """The submissions the actor receives, newest first; each waiting item lists its answers."""
    subs = submissions(session, actor)
    ids = [item["id"] for sub in subs for item in sub["items"]]
    comments = repo.last_comments(session, ids, ["authority_return", "refuse"])
    for sub in subs:
        sub["waiting"] = 0
        for item in sub["items"]:
            item["comment"] = comments.get(item["id"], "")
            item["answers"] = []
            if item["state"] is NominationState.SUBMITTED:
                found = verdicts(session, ctx, actor, item["id"], now)
                item["answers"] = [t.value for t in ANSWERS if (v := found.get(t)) and v.allowed]
                sub["waiting"] += 1
    return subs


@dataclass
class AnswerForm:
    """What the authority typed for one answer, kept when it is refused."""

    nomination_id: int
    trigger: str
    version: int | None
    number: str = ""
    day_raw: str = ""
    reason: str = ""
    errors: dict[str, Reason] = field(default_factory=dict)
    day: date | None = None


def parse_answer(
    nomination_id: int, trigger: str, form: Mapping[str, str], now: datetime
) -> AnswerForm:
    if trigger not in {t.value for t in ANSWERS}:
        raise NotFound("Không có thao tác này.", "No such action.", field="trigger")
    raw_version = form.get("version", "").strip()
    answer = AnswerForm(
        nomination_id,
        trigger,
        int(raw_version) if raw_version.isdigit() else None,
        number=form.get("decision_number", "").strip(),
        day_raw=form.get("decision_date", "").strip(),
        reason=form.get("reason", "").strip(),
    )
    if trigger == Trigger.CONFER.value:
        answer.errors, answer.day = check_decision(answer.number, answer.day_raw, local_date(now))
    else:
        answer.errors = check_reason(answer.reason)
    return answer


def answer_data(answer: AnswerForm) -> tuple[str | None, dict[str, str]]:
    """The transition's comment and data for a checked answer."""
    if answer.trigger == Trigger.CONFER.value:
        assert answer.day is not None
        return None, {"decision_number": answer.number, "decision_date": answer.day.isoformat()}
    return answer.reason, {}
