"""A nominee's record (awards, ratings, initiatives, exclusions) read in one statement, typed as
the eligibility rules need it, on both databases."""

from __future__ import annotations

from datetime import date

from tests.support.world import World, new_person

from awardflow.db.models import AwardHistory, ExclusionRecord, InitiativeRecord, YearlyRating
from awardflow.db.repositories import history


def test_the_record_of_a_person_and_of_a_collective(world: World) -> None:
    with world.db.write() as s:
        other = new_person(s, world, "r-other")
        lan, unit = new_person(s, world, "r-lan"), world["thpt-b"]
        s.add_all(
            [
                AwardHistory(
                    person_id=lan,
                    award_code="cstd_co_so",
                    year=2026,
                    award_type="merit",
                    decision_number="12/QĐ-SGDĐT",
                    decision_date=date(2026, 6, 2),
                    achievement_key="so-hoa",
                ),
                AwardHistory(person_id=lan, award_code="ldtt", year=2024, award_type="merit"),
                YearlyRating(person_id=lan, year=2025, rating="htxs"),
                InitiativeRecord(
                    code="SK-1", person_id=lan, title="Sổ điểm số", scope="province", year=2025
                ),
                ExclusionRecord(
                    person_id=lan,
                    kind="discipline",
                    start=date(2026, 6, 1),
                    end=date(2026, 12, 1),
                    level="khiển trách",
                ),
                YearlyRating(person_id=other, year=2025, rating="ht"),
                AwardHistory(unit_id=unit, award_code="tap_the_ldxs", year=2025),
            ]
        )
    with world.db.read() as s:
        mine = history.record(s, lan, None)
        theirs = history.record(s, None, unit)
    assert [tuple(a) for a in mine.awards] == [
        ("ldtt", 2024, "merit", None, None, None),
        ("cstd_co_so", 2026, "merit", "12/QĐ-SGDĐT", date(2026, 6, 2), "so-hoa"),
    ]
    assert [tuple(r) for r in mine.ratings] == [(2025, "htxs")]
    assert [tuple(i) for i in mine.initiatives] == [("SK-1", "Sổ điểm số", "province", 2025, None)]
    assert [tuple(e) for e in mine.exclusions] == [
        ("discipline", date(2026, 6, 1), date(2026, 12, 1), "khiển trách")
    ]
    assert mine.awards[1].decision_date == date(2026, 6, 2)  # named, typed fields
    assert [a.award_code for a in theirs.awards] == ["tap_the_ldxs"]
    assert (theirs.ratings, theirs.initiatives, theirs.exclusions) == ([], [], [])
