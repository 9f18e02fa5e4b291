"""The demo's people for one campaign: participating units, persons with their records (award
history, yearly ratings, initiatives, exclusions) and a user for every role.

Profiles decide what the eligibility rules will say: ``chain`` persons hold CSTĐ cơ sở for the
last three years and are rated HTXS (eligible everywhere), ``plain`` ones are rated HTT with
no chain (eligible for the Giấy khen, not for a chain award), ``disciplined`` ones are under a
discipline on proposal day, and ``broken`` ones miss a year in their chain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from awardflow.db.models import (
    AwardHistory,
    Campaign,
    ExclusionRecord,
    InitiativeRecord,
    Person,
    RoleGrant,
    Unit,
    User,
    YearlyRating,
)
from awardflow.db.repositories import org as org_repo
from awardflow.demo import data
from awardflow.states import Role

CHAIN, PLAIN, DISCIPLINED, BROKEN = "chain", "plain", "disciplined", "broken"


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    password: str
    role: str
    unit: str
    full_name: str


@dataclass(frozen=True, slots=True)
class Nominee:
    person_id: int
    unit_id: int
    profile: str


@dataclass
class Cast:
    """Ids the nomination paths need, for one campaign."""

    campaign: Campaign
    units: list[int] = field(default_factory=list)
    nominees: dict[int, list[Nominee]] = field(default_factory=dict)
    heads: dict[int, int] = field(default_factory=dict)
    clerks: dict[int, int] = field(default_factory=dict)
    appraisers: list[int] = field(default_factory=list)
    supervisor: int = 0
    secretary: int = 0
    director: int = 0
    members: list[int] = field(default_factory=list)
    authorities: dict[int, int] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)


class _People:
    def __init__(self, session: Session, rng: random.Random, password_hash: str) -> None:
        self.s, self.rng, self.hash = session, rng, password_hash
        self.count = 0

    def name(self) -> tuple[str, str]:
        female = self.rng.random() < 0.55
        middle = data.MIDDLE_F if female else data.MIDDLE_M
        given = data.GIVEN_F if female else data.GIVEN_M
        full = f"{self.rng.choice(data.FAMILY)} {self.rng.choice(middle)} {self.rng.choice(given)}"
        return full, "nu" if female else "nam"

    def person(self, code: str, unit: Unit, position: str | None = None) -> Person:
        full, gender = self.name()
        positions = data.POSITIONS.get(unit.kind, ("Chuyên viên",))
        person = Person(
            code=code,
            full_name=full,
            gender=gender,
            birth_year=self.rng.randint(1968, 1996),
            position=position or self.rng.choice(positions),
            unit_id=unit.id,
        )
        self.s.add(person)
        self.s.flush()
        return person

    def user(
        self, cast: Cast, username: str, unit: Unit, grants: list[tuple[Role, Unit]], label: str
    ) -> int:
        person = self.person(f"demo-user-{username}", unit, label)
        user = User(
            username=username,
            full_name=person.full_name,
            email=f"{username}@{data.EMAIL_DOMAIN}",
            password_hash=self.hash,
            person_id=person.id,
        )
        self.s.add(user)
        self.s.flush()
        for role, where in grants:
            self.s.add(RoleGrant(user_id=user.id, role=role, unit_id=where.id))
        roles = "+".join(r.value for r, _ in grants)
        cast.users.append(DemoUser(username, data.DEMO_PASSWORD, roles, unit.name, user.full_name))
        return user.id


def build_cast(
    session: Session,
    spec: data.CampaignDemo,
    campaign: Campaign,
    year: int,
    rng: random.Random,
    password_hash: str,
    persons_per_unit: int,
) -> Cast:
    """Units, persons with records and users for ``spec``; ``year`` is the annual round's."""
    people = _People(session, rng, password_hash)
    cast = Cast(campaign)
    organiser = _unit(session, campaign.organiser_unit_id)
    office = _unit(session, campaign.appraising_office_id)
    for u in spec.units:
        unit = org_repo.add_unit(
            session,
            Unit(
                code=f"{organiser.code}/{u.slug}",
                name=u.name,
                kind=u.kind,
                participants=u.participants,
            ),
            organiser,
        )
        cast.units.append(unit.id)
        cast.nominees[unit.id] = []
        for i in range(persons_per_unit):
            profile = (
                (DISCIPLINED, BROKEN, CHAIN, PLAIN)[i] if i < 4 else rng.choice((CHAIN, PLAIN))
            )
            person = people.person(f"{organiser.code}/{u.slug}/cb-{i + 1:03d}", unit)
            _record(session, rng, person.id, profile, year)
            cast.nominees[unit.id].append(Nominee(person.id, unit.id, profile))
        _unit_record(session, unit.id, year)
        short = f"{spec.short}.%s.{u.slug}"
        cast.clerks[unit.id] = people.user(
            cast, short % "clerk", unit, [(Role.UNIT_CLERK, unit)], "Cán bộ TĐKT"
        )
        cast.heads[unit.id] = people.user(
            cast, short % "head", unit, [(Role.UNIT_HEAD, unit)], "Thủ trưởng đơn vị"
        )
    _staff(session, people, cast, spec, organiser, office)
    return cast


def _staff(
    session: Session, people: _People, cast: Cast, spec: data.CampaignDemo, org: Unit, office: Unit
) -> None:
    p = spec.short
    for i in (1, 2):
        cast.appraisers.append(
            people.user(
                cast, f"{p}.appraiser{i}", office, [(Role.APPRAISER, office)], "Chuyên viên"
            )
        )
    cast.supervisor = people.user(
        cast, f"{p}.supervisor", office, [(Role.SUPERVISOR, org)], "Trưởng phòng"
    )
    cast.secretary = people.user(
        cast, f"{p}.secretary", office, [(Role.COUNCIL_SECRETARY, org)], "Thư ký Hội đồng"
    )
    cast.director = people.user(
        cast,
        f"{p}.director",
        org,
        [(Role.DIRECTOR, org), (Role.COUNCIL_MEMBER, org)],
        "Giám đốc, Chủ tịch Hội đồng",
    )
    for i in range(1, spec.council_members + 1):
        cast.members.append(
            people.user(
                cast, f"{p}.member{i}", org, [(Role.COUNCIL_MEMBER, org)], "Thành viên Hội đồng"
            )
        )
    for authority_id in {cast.campaign.authority_unit_id, cast.campaign.central_authority_unit_id}:
        if authority_id is None:
            continue
        unit = _unit(session, authority_id)
        existing = org_repo.user_by_username(session, _authority_username(unit))
        if existing is not None:
            cast.authorities[authority_id] = existing.id
            continue
        cast.authorities[authority_id] = people.user(
            cast,
            _authority_username(unit),
            unit,
            [(Role.AUTHORITY, unit)],
            "Chuyên viên Ban Thi đua - Khen thưởng",
        )
    admin = org_repo.user_by_username(session, "admin")
    if admin is None:
        admin_id = people.user(cast, "admin", org, [(Role.ADMIN, org)], "Quản trị hệ thống")
    else:
        admin_id = admin.id
        session.add(RoleGrant(user_id=admin_id, role=Role.ADMIN, unit_id=org.id))


def _authority_username(unit: Unit) -> str:
    """``bonoivu.authority``, ``snv-dienbien.authority``: one user per authority unit."""
    code = unit.code
    if code.startswith("so-noi-vu-"):
        return f"snv-{code.removeprefix('so-noi-vu-').replace('-', '')}.authority"
    return f"{code.replace('-', '')}.authority"


def _unit(session: Session, unit_id: int) -> Unit:
    unit = org_repo.unit(session, unit_id)
    assert unit is not None, unit_id
    return unit


def _record(session: Session, rng: random.Random, person_id: int, profile: str, year: int) -> None:
    """Ratings for the six years up to ``year``, titles and initiatives by profile."""
    for y in range(year - 5, year + 1):
        good = profile in (CHAIN, DISCIPLINED, BROKEN) and y >= year - 2
        rating = "htxs" if good else rng.choice(("htt", "htt", "htxs"))
        session.add(YearlyRating(person_id=person_id, year=y, rating=rating))
    if profile in (CHAIN, DISCIPLINED, BROKEN):
        for y in range(year - 2, year + 1):
            if profile == BROKEN and y == year - 1:
                continue  # the missing link
            session.add(
                AwardHistory(
                    person_id=person_id,
                    award_code="cstd_co_so",
                    award_type="merit",
                    year=y,
                    decision_number=f"{rng.randint(100, 999)}/QĐ-SGDĐT",
                    decision_date=date(y, 12, rng.randint(15, 28)),
                    issuer="Giám đốc Sở",
                    achievement_key=f"cstd-{y}",
                )
            )
        session.add(
            InitiativeRecord(
                code=f"SK-{year}-{person_id:05d}",
                person_id=person_id,
                title=rng.choice(data.INITIATIVES),
                scope="grassroots",
                year=year,
            )
        )
    if profile == DISCIPLINED:
        session.add(
            ExclusionRecord(
                person_id=person_id,
                kind="discipline",
                start=date(year, 6, 15),
                end=date(year + 1, 6, 14),
                level="khiển trách",
                note="Vi phạm quy định về báo cáo, thống kê",
            )
        )


def _unit_record(session: Session, unit_id: int, year: int) -> None:
    for y in range(year - 2, year + 1):
        session.add(YearlyRating(unit_id=unit_id, year=y, rating="htxs" if y == year else "htt"))
