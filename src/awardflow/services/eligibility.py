"""Eligibility of a nomination: the nominee's record from the database, checked against the
rule set in force on the round's opening day (``states.eligibility`` holds the pure rules)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from awardflow.campaigns.catalogue import AwardType
from awardflow.db.models import Award, Nomination, Round
from awardflow.db.repositories import history as repo
from awardflow.states.context import EligibilityOutcome
from awardflow.states.eligibility import (
    AwardRecord,
    CollectiveYear,
    Exclusion,
    ExclusionKind,
    Explanation,
    Initiative,
    InitiativeScope,
    NomineeFacts,
    ProposalFacts,
    Rating,
    RuleSet,
    evaluate,
    load_rulesets,
    ruleset_in_force,
)

_ROUND_AWARD_TYPE = {
    "annual": AwardType.MERIT,  # yearly awards for the year's achievements (công trạng)
    "midterm": AwardType.CAMPAIGN,  # awards of the campaign's reviews (theo phong trào, đợt)
    "final": AwardType.CAMPAIGN,
    "thematic": AwardType.THEMATIC,
    "adhoc": AwardType.ADHOC,
}


def award_type_of_round(kind: str) -> AwardType:
    """What kind of award a round confers: thematic and ad hoc never count toward chains."""
    return _ROUND_AWARD_TYPE.get(kind, AwardType.CAMPAIGN)


@lru_cache(maxsize=1)
def rulesets() -> tuple[RuleSet, ...]:
    return tuple(load_rulesets())


def nominee_facts(session: Session, nom: Nomination) -> NomineeFacts:
    pid = nom.person_id
    uid = nom.nominee_unit_id if pid is None else None
    record = repo.record(session, pid, uid)
    return NomineeFacts(
        kind=nom.nominee_kind,
        name=nom.nominee_name,
        ratings={r.year: Rating(r.rating) for r in record.ratings},
        awards=tuple(
            AwardRecord(
                a.award_code,
                a.year,
                AwardType(a.award_type),
                a.decision_number,
                a.decision_date,
                a.achievement_key,
            )
            for a in record.awards
        ),
        initiatives=tuple(
            Initiative(i.code, i.title, InitiativeScope(i.scope), i.year, i.used_by)
            for i in record.initiatives
        ),
        exclusions=tuple(
            Exclusion(ExclusionKind(e.kind), e.start, e.end, e.level) for e in record.exclusions
        ),
        collective_years={
            c.year: CollectiveYear(
                c.year,
                c.members,
                c.ldtt_members,
                c.cstd_members,
                c.all_completed,
                c.disciplined_warning_or_above,
            )
            for c in (repo.collective_years(session, uid) if uid is not None else ())
        },
    )


def proposal_facts(
    session: Session,
    nom: Nomination,
    rnd: Round,
    award: Award,
    on: date,
    quota: tuple[int | None, int] = (None, 0),
) -> ProposalFacts:
    """The proposal as the rules see it on day ``on`` (exclusions are checked that day)."""
    fields = nom.fields or {}
    key = fields.get("achievement_key")
    others = repo.other_awards_for_achievement(session, nom, str(key)) if key else []
    return ProposalFacts(
        award_code=award.code,
        year=rnd.year or rnd.opens.year,
        as_of=on,
        award_type=award_type_of_round(rnd.kind),
        achievement_key=str(key) if key else None,
        initiative_ids=tuple(str(i) for i in fields.get("initiative_ids", ())),
        quota_limit=quota[0],
        quota_used=quota[1],
        other_live_awards_for_achievement=tuple(others),
    )


def explain(
    session: Session,
    nom: Nomination,
    rnd: Round,
    award: Award,
    on: date,
    quota: tuple[int | None, int] = (None, 0),
) -> Explanation:
    """Every rule's verdict with its source and the facts it looked at (exclusions checked on
    day ``on``); the rule set is the one in force on the round's opening day."""
    ruleset = ruleset_in_force(list(rulesets()), rnd.opens)
    return evaluate(
        ruleset, nominee_facts(session, nom), proposal_facts(session, nom, rnd, award, on, quota)
    )


def check_nomination(
    session: Session, nom: Nomination, rnd: Round, award: Award, on: date
) -> EligibilityOutcome:
    """The ``propose`` guard's view: pass, or the failures (quota has its own guard)."""
    explanation = explain(session, nom, rnd, award, on)
    return EligibilityOutcome(
        passed=explanation.passed,
        failures=[
            (f"{r.name_vi}: {r.facts_vi}", f"{r.name_en}: {r.facts_en}")
            for r in explanation.failures
        ],
    )
