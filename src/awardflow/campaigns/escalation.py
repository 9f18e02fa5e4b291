"""Escalation ladders: who is told, and when, as a waiting nomination nears and passes its
deadline (DESIGN.md §2, "Deadlines and escalation").

Every waiting state gets a ladder. Plans never say how to chase late dossiers, so a campaign
usually writes nothing and gets the default: a reminder to whoever must act 2 working days
before the deadline, a "due" notice to them and their supervisor on the day, and an "overdue"
notice to the director 3 working days after, when the dossier is also marked stuck. A dossier
with no activity for ``stuck_after_days`` calendar days is stuck as well. A campaign may
override any state, wholly or only its ladder or only its ``stuck_after_days``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import NonNegativeInt, PositiveInt, field_validator, model_validator

from awardflow.campaigns.schema_base import Frozen, Issue, NonEmpty, raise_issues
from awardflow.states.lifecycle import WAITING, NominationState, Role

__all__ = [
    "ACTORS",
    "DEFAULT_STUCK_AFTER_DAYS",
    "Escalation",
    "EscalationStep",
    "StateEscalation",
    "StepName",
    "default_escalation",
    "default_ladder",
]

S = NominationState


class StepName(StrEnum):
    REMINDER = "reminder"  # before the deadline
    DUE = "due"  # on the deadline
    OVERDUE = "overdue"  # after it; the dossier is stuck


#: Who must act in each waiting state: they get the reminder and the "due" notice.
ACTORS: Mapping[NominationState, tuple[Role, ...]] = {
    S.DRAFT: (Role.UNIT_CLERK, Role.UNIT_HEAD),
    S.RETURNED: (Role.UNIT_CLERK, Role.UNIT_HEAD),
    S.PROPOSED: (Role.SUPERVISOR, Role.APPRAISER),  # assign, or claim
    S.IN_APPRAISAL: (Role.APPRAISER,),
    S.APPRAISED: (Role.COUNCIL_SECRETARY,),  # schedule the vote
    S.IN_COUNCIL: (Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER),
    S.COUNCIL_APPROVED: (Role.DIRECTOR,),  # decide or submit
    S.SUBMITTED: (Role.AUTHORITY,),
    S.AUTHORITY_RETURNED: (Role.SUPERVISOR, Role.DIRECTOR),  # resubmit
}

#: K in "stuck when nothing happened for K days". DESIGN.md names K, nobody gives a value:
#: ten calendar days is two working weeks, longer than any reminder offset.
DEFAULT_STUCK_AFTER_DAYS = 10

_NOTIFIABLE = frozenset(Role) - {Role.SYSTEM}


def _unique(roles: tuple[Role, ...]) -> tuple[Role, ...]:
    return tuple(dict.fromkeys(roles))


class EscalationStep(Frozen):
    """One rung: fired once per stay in the state, ``offset_working_days`` from the deadline
    (negative before it, 0 on it, positive after it)."""

    level: NonNegativeInt
    name: StepName
    offset_working_days: int
    notify: Annotated[tuple[Role, ...], NonEmpty]

    @field_validator("notify")
    @classmethod
    def _people_only(cls, roles: tuple[Role, ...]) -> tuple[Role, ...]:
        if Role.SYSTEM in roles:
            valid = ", ".join(sorted(_NOTIFIABLE))
            raise_issues(
                [
                    Issue(
                        (),
                        f"không gửi thông báo cho 'system'; chọn trong: {valid}",
                        f"'system' cannot be notified; choose among: {valid}",
                    )
                ]
            )
        return _unique(roles)


class StateEscalation(Frozen):
    """The ladder of one waiting state and its no-activity limit."""

    ladder: Annotated[tuple[EscalationStep, ...], NonEmpty]
    stuck_after_days: PositiveInt

    @model_validator(mode="after")
    def _ladder_in_order(self) -> StateEscalation:
        issues: list[Issue] = []
        signs = {
            StepName.REMINDER: (-1, "< 0"),
            StepName.DUE: (0, "= 0"),
            StepName.OVERDUE: (1, "> 0"),
        }
        for i, step in enumerate(self.ladder):
            if step.level != i:
                issues.append(
                    Issue(
                        ("ladder", i, "level"),
                        f"bậc thứ {i + 1} phải có level {i} (các bậc đánh số 0, 1, 2… theo thứ tự)",
                        f"step {i + 1} must have level {i} (levels count 0, 1, 2… in order)",
                    )
                )
            sign, text = signs[step.name]
            off = step.offset_working_days
            if (off > 0) - (off < 0) != sign:
                issues.append(
                    Issue(
                        ("ladder", i, "offset_working_days"),
                        f"bậc '{step.name}' cần offset_working_days {text}, nhận được {off}",
                        f"a '{step.name}' step needs offset_working_days {text}, got {off}",
                    )
                )
            if i and off <= self.ladder[i - 1].offset_working_days:
                issues.append(
                    Issue(
                        ("ladder", i, "offset_working_days"),
                        f"offset_working_days phải tăng dần theo bậc; {off} không lớn hơn "
                        f"bậc trước",
                        f"offset_working_days must increase along the ladder; {off} is not "
                        f"after the previous step",
                    )
                )
        raise_issues(issues)
        return self


def default_ladder(state: NominationState) -> tuple[EscalationStep, ...]:
    """Reminder −2 to the actors, due 0 to actors and supervisor, overdue +3 to the director."""
    actors = ACTORS[state]
    return (
        EscalationStep(level=0, name=StepName.REMINDER, offset_working_days=-2, notify=actors),
        EscalationStep(
            level=1,
            name=StepName.DUE,
            offset_working_days=0,
            notify=_unique((*actors, Role.SUPERVISOR)),
        ),
        EscalationStep(
            level=2, name=StepName.OVERDUE, offset_working_days=3, notify=(Role.DIRECTOR,)
        ),
    )


class Escalation(Frozen):
    """Ladders for every waiting state, after the campaign's overrides are laid on the defaults.

    In YAML only the differences are written::

        escalation:
          stuck_after_days: 10          # default K for every state
          states:
            returned: {stuck_after_days: 5}
    """

    stuck_after_days: PositiveInt = DEFAULT_STUCK_AFTER_DAYS
    states: Mapping[NominationState, StateEscalation]

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        """Complete ``states`` so readers never need to know the defaults; refuse states that
        never wait (a ladder there would never fire)."""
        if not isinstance(data, Mapping):
            return data
        given = data.get("states") or {}
        if not isinstance(given, Mapping):
            return data
        waiting = ", ".join(sorted(WAITING))
        raise_issues(
            [
                Issue(
                    ("states", str(key)),
                    f"'{key}' không phải trạng thái chờ xử lý (không có hạn); "
                    f"chọn trong: {waiting}",
                    f"'{key}' is not a waiting state (it has no deadline); choose among: {waiting}",
                )
                for key in given
                if key not in WAITING
            ]
        )
        k = data.get("stuck_after_days", DEFAULT_STUCK_AFTER_DAYS)
        if not isinstance(k, int) or k <= 0:
            k = DEFAULT_STUCK_AFTER_DAYS  # its own error is reported once, on the field itself
        states: dict[Any, Any] = {}
        for state in sorted(WAITING):
            value = given.get(state.value, {})
            if isinstance(value, Mapping):
                value = {"ladder": default_ladder(state), "stuck_after_days": k, **value}
            states[state.value] = value
        return {**data, "states": states}


def default_escalation() -> Escalation:
    """The ladders a campaign gets when it writes no ``escalation`` section."""
    return Escalation.model_validate({})
