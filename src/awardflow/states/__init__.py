"""The lifecycle as pure rules: states, triggers, the transition table, guards. No I/O here."""

from awardflow.states.context import Actor, EligibilityOutcome, Facts, Grant, GuardContext, Payload
from awardflow.states.lifecycle import (
    LIVE,
    PHASE_OF,
    TERMINAL,
    WAITING,
    NominationState,
    Phase,
    Role,
    Trigger,
)
from awardflow.states.machine import Verdict, allowed_triggers, evaluate, fire, parse_trigger

__all__ = [
    "LIVE",
    "PHASE_OF",
    "TERMINAL",
    "WAITING",
    "Actor",
    "EligibilityOutcome",
    "Facts",
    "Grant",
    "GuardContext",
    "NominationState",
    "Payload",
    "Phase",
    "Role",
    "Trigger",
    "Verdict",
    "allowed_triggers",
    "evaluate",
    "fire",
    "parse_trigger",
]
