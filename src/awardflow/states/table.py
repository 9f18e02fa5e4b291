"""The transition table of DESIGN §2: every trigger, its sources and destination, who may fire
it, and its guards. This table is the lifecycle; the Machine in ``machine.py`` is built from it."""

from __future__ import annotations

from dataclasses import dataclass

from awardflow.states import guards as g
from awardflow.states.lifecycle import NominationState as S
from awardflow.states.lifecycle import Role as R
from awardflow.states.lifecycle import Trigger as T


@dataclass(frozen=True, slots=True)
class Transition:
    trigger: T
    sources: tuple[S, ...]
    dest: S
    actors: tuple[R, ...]
    guards: tuple[g.Guard, ...] = ()


TABLE: tuple[Transition, ...] = (
    Transition(
        T.PROPOSE,
        (S.DRAFT,),
        S.PROPOSED,
        (R.UNIT_HEAD,),
        (
            g.round_open_for_proposals,
            g.award_offered,
            g.required_evidence_present,
            g.unit_quota_not_exceeded,
            g.no_duplicate_live_nomination,
            g.eligibility_rules_pass,
        ),
    ),
    Transition(
        T.ASSIGN,
        (S.PROPOSED,),
        S.IN_APPRAISAL,
        (R.SUPERVISOR, R.SYSTEM),
        (g.assignee_given, g.assignee_is_eligible_appraiser),
    ),
    Transition(
        T.CLAIM, (S.PROPOSED,), S.IN_APPRAISAL, (R.APPRAISER,), (g.claimer_is_eligible_appraiser,)
    ),
    Transition(
        T.REASSIGN,
        (S.IN_APPRAISAL,),
        S.IN_APPRAISAL,
        (R.SUPERVISOR,),
        (g.assignee_given, g.assignee_is_eligible_appraiser),
    ),
    Transition(
        T.RETURN_TO_UNIT,
        (S.IN_APPRAISAL,),
        S.RETURNED,
        (R.APPRAISER,),
        (g.actor_is_assignee, g.reason_given),
    ),
    Transition(T.REPROPOSE, (S.RETURNED,), S.IN_APPRAISAL, (R.UNIT_HEAD,), (g.changes_made,)),
    Transition(
        T.RECOMMEND,
        (S.IN_APPRAISAL,),
        S.APPRAISED,
        (R.APPRAISER,),
        (g.actor_is_assignee, g.checklist_complete, g.opinion_written),
    ),
    Transition(
        T.DECLINE,
        (S.IN_APPRAISAL,),
        S.REJECTED,
        (R.APPRAISER,),
        (g.actor_is_assignee, g.reason_given),
    ),
    Transition(
        T.SCHEDULE_VOTE,
        (S.APPRAISED,),
        S.IN_COUNCIL,
        (R.COUNCIL_SECRETARY, R.SYSTEM),
        (g.open_council_session,),
    ),
    Transition(T.PASS_VOTE, (S.IN_COUNCIL,), S.COUNCIL_APPROVED, (R.SYSTEM,), (g.vote_passed,)),
    Transition(T.FAIL_VOTE, (S.IN_COUNCIL,), S.REJECTED, (R.SYSTEM,), (g.vote_failed,)),
    Transition(
        T.POSTPONE, (S.IN_COUNCIL,), S.APPRAISED, (R.COUNCIL_SECRETARY, R.SYSTEM), (g.reason_given,)
    ),
    Transition(
        T.DECIDE,
        (S.COUNCIL_APPROVED,),
        S.AWARDED,
        (R.DIRECTOR,),
        (g.within_organiser_authority, g.decision_recorded),
    ),
    Transition(
        T.SUBMIT,
        (S.COUNCIL_APPROVED,),
        S.SUBMITTED,
        (R.DIRECTOR, R.SYSTEM),
        (g.beyond_organiser_authority, g.in_submission_package),
    ),
    Transition(
        T.AUTHORITY_RETURN, (S.SUBMITTED,), S.AUTHORITY_RETURNED, (R.AUTHORITY,), (g.reason_given,)
    ),
    Transition(
        T.RESUBMIT,
        (S.AUTHORITY_RETURNED,),
        S.SUBMITTED,
        (R.SUPERVISOR, R.DIRECTOR),
        (g.changes_made,),
    ),
    Transition(T.CONFER, (S.SUBMITTED,), S.AWARDED, (R.AUTHORITY,), (g.decision_recorded,)),
    Transition(T.REFUSE, (S.SUBMITTED,), S.REJECTED, (R.AUTHORITY,), (g.reason_given,)),
    Transition(
        T.WITHDRAW,
        (S.DRAFT, S.PROPOSED, S.RETURNED, S.IN_APPRAISAL, S.APPRAISED),
        S.WITHDRAWN,
        (R.UNIT_HEAD,),
        (g.reason_given,),
    ),
    Transition(
        T.LAPSE,
        (S.DRAFT, S.RETURNED, S.AUTHORITY_RETURNED),
        S.LAPSED,
        (R.SYSTEM,),
        (g.deadline_passed,),
    ),
)

BY_TRIGGER: dict[T, Transition] = {t.trigger: t for t in TABLE}
