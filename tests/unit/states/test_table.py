"""Every (state, trigger) pair against the table of DESIGN §2: allowed for the right actor with
favourable facts, refused with a readable reason otherwise."""

from __future__ import annotations

import pytest
from tests.unit.states.fakes import ACTORS, FakeFacts, FakeNomination, context

from awardflow.errors import UnknownTrigger
from awardflow.states import NominationState, Role, Trigger, evaluate, parse_trigger
from awardflow.states.lifecycle import TERMINAL
from awardflow.states.machine import fire, structural_triggers
from awardflow.states.table import BY_TRIGGER, TABLE

#: DESIGN §2 written out independently of table.py: trigger -> (sources, destination, actors).
EXPECTED: dict[str, tuple[set[str], str, set[str]]] = {
    "propose": ({"draft"}, "proposed", {"unit_head"}),
    "assign": ({"proposed"}, "in_appraisal", {"supervisor", "system"}),
    "claim": ({"proposed"}, "in_appraisal", {"appraiser"}),
    "reassign": ({"in_appraisal"}, "in_appraisal", {"supervisor"}),
    "return_to_unit": ({"in_appraisal"}, "returned", {"appraiser"}),
    "repropose": ({"returned"}, "in_appraisal", {"unit_head"}),
    "recommend": ({"in_appraisal"}, "appraised", {"appraiser"}),
    "decline": ({"in_appraisal"}, "rejected", {"appraiser"}),
    "schedule_vote": ({"appraised"}, "in_council", {"council_secretary", "system"}),
    "pass_vote": ({"in_council"}, "council_approved", {"system"}),
    "fail_vote": ({"in_council"}, "rejected", {"system"}),
    "postpone": ({"in_council"}, "appraised", {"council_secretary", "system"}),
    "decide": ({"council_approved"}, "awarded", {"director"}),
    "submit": ({"council_approved"}, "submitted", {"director", "system"}),
    "authority_return": ({"submitted"}, "authority_returned", {"authority"}),
    "resubmit": ({"authority_returned"}, "submitted", {"supervisor", "director"}),
    "confer": ({"submitted"}, "awarded", {"authority"}),
    "refuse": ({"submitted"}, "rejected", {"authority"}),
    "withdraw": (
        {"draft", "proposed", "returned", "in_appraisal", "appraised"},
        "withdrawn",
        {"unit_head"},
    ),
    "lapse": ({"draft", "returned", "authority_returned"}, "lapsed", {"system"}),
}

#: Facts under which each trigger's guards all hold (pass_vote and fail_vote differ).
FACTS = {
    "fail_vote": lambda: FakeFacts(
        vote=__import__("awardflow.states.context", fromlist=["VoteResult"]).VoteResult(
            True, 1, 5, 3, True
        )
    ),
    "submit": lambda: FakeFacts(within_authority=False),
    "resubmit": lambda: FakeFacts(),
}


def test_table_matches_design() -> None:
    assert {t.trigger.value for t in TABLE} == set(EXPECTED) == {t.value for t in Trigger}
    for t in TABLE:
        sources, dest, actors = EXPECTED[t.trigger.value]
        assert {s.value for s in t.sources} == sources, t.trigger
        assert t.dest.value == dest, t.trigger
        assert {a.value for a in t.actors} == actors, t.trigger


PAIRS = [(s, t) for s in NominationState for t in Trigger]


@pytest.mark.parametrize(("state", "trigger"), PAIRS, ids=[f"{s}-{t}" for s, t in PAIRS])
def test_every_state_trigger_pair(state: NominationState, trigger: Trigger) -> None:
    sources, dest, actors = EXPECTED[trigger.value]
    for role, actor in ACTORS.items():
        facts = FACTS.get(trigger.value, FakeFacts)()
        ctx = context(state, actor, facts, assignee_id=10 if trigger != Trigger.REASSIGN else 12)
        verdict = evaluate(trigger, ctx)
        if state.value not in sources:
            assert not verdict.allowed
            assert [r.code for r in verdict.reasons] == ["invalid_state"]
            assert state.value in verdict.reasons[0].en
        elif role.value not in actors:
            assert not verdict.allowed, (role, trigger)
            assert verdict.forbidden, (role, trigger)
            assert verdict.reasons[0].code == "not_permitted"
            assert verdict.reasons[0].vi.startswith("Bạn không có quyền")
        else:
            assert verdict.allowed, (role, trigger, verdict.reasons)
            row = FakeNomination(state=state)
            assert fire(row, trigger).value == dest


def test_terminal_states_have_no_triggers() -> None:
    for state in TERMINAL:
        assert structural_triggers(state) == []


def test_unknown_trigger_names_the_valid_ones() -> None:
    with pytest.raises(UnknownTrigger) as err:
        parse_trigger("approve_everything")
    assert err.value.field == "trigger"
    assert "propose" in err.value.message_en
    assert "không tồn tại" in err.value.message_vi


# Each guard, failing alone, gives its own reason (code, field, both languages).
GUARD_CASES = [
    ("propose", "draft", Role.UNIT_HEAD, {"open_for_proposals": False}, "round_closed"),
    ("propose", "draft", Role.UNIT_HEAD, {"missing": ["achievement_report"]}, "evidence_missing"),
    ("propose", "draft", Role.UNIT_HEAD, {"offered": False}, "award_not_offered"),
    ("propose", "draft", Role.UNIT_HEAD, {"quota_limit": 2, "quota_used": 2}, "quota_exceeded"),
    ("propose", "draft", Role.UNIT_HEAD, {"duplicate": 77}, "duplicate_nomination"),
    ("assign", "proposed", Role.SUPERVISOR, {"appraisers": frozenset()}, "not_an_appraiser"),
    ("claim", "proposed", Role.APPRAISER, {"conflicts": {10: "cùng đơn vị"}}, "appraiser_conflict"),
    ("repropose", "returned", Role.UNIT_HEAD, {"changed": False}, "no_changes"),
    (
        "recommend",
        "in_appraisal",
        Role.APPRAISER,
        {"criteria_missing": ["c1"]},
        "checklist_incomplete",
    ),
    (
        "schedule_vote",
        "appraised",
        Role.COUNCIL_SECRETARY,
        {"council_open": False},
        "no_open_session",
    ),
    ("pass_vote", "in_council", Role.SYSTEM, {"vote": None}, "no_tally"),
    ("decide", "council_approved", Role.DIRECTOR, {"within_authority": False}, "beyond_authority"),
    ("submit", "council_approved", Role.DIRECTOR, {"within_authority": True}, "within_authority"),
    (
        "submit",
        "council_approved",
        Role.DIRECTOR,
        {"within_authority": False, "packaged": False},
        "not_in_package",
    ),
]


@pytest.mark.parametrize(("trigger", "state", "role", "facts", "code"), GUARD_CASES)
def test_each_guard_refuses_with_its_reason(
    trigger: str, state: str, role: Role, facts: dict[str, object], code: str
) -> None:
    verdict = evaluate(
        Trigger(trigger), context(NominationState(state), ACTORS[role], FakeFacts(**facts))
    )  # type: ignore[arg-type]
    assert not verdict.allowed
    assert not verdict.forbidden
    assert [r.code for r in verdict.reasons] == [code]
    assert verdict.reasons[0].vi
    assert verdict.reasons[0].en
    assert verdict.reasons[0].vi != verdict.reasons[0].en


def test_actions_on_other_units_are_forbidden() -> None:
    from tests.unit.states.fakes import person

    outsider = person(Role.UNIT_HEAD, "/1/4/", 99)
    verdict = evaluate(Trigger.PROPOSE, context(NominationState.DRAFT, outsider))
    assert verdict.forbidden


def test_only_the_assignee_returns() -> None:
    ctx = context(NominationState.IN_APPRAISAL, ACTORS[Role.APPRAISER], assignee_id=11)
    assert [r.code for r in evaluate(Trigger.RETURN_TO_UNIT, ctx).reasons] == ["not_assignee"]


def test_lapse_waits_for_the_deadline() -> None:
    from datetime import UTC, datetime

    ctx = context(
        NominationState.DRAFT, ACTORS[Role.SYSTEM], due_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert [r.code for r in evaluate(Trigger.LAPSE, ctx).reasons] == ["deadline_not_passed"]


def test_table_has_one_row_per_trigger() -> None:
    assert len(BY_TRIGGER) == len(TABLE) == len(Trigger)
