"""A small, believable world for service tests: one department campaign with its offices,
two schools, the province's authority, council members, and one annual round.

Council and submission rows that later issues' services will own are written here directly;
every nomination state change still goes through the transition service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from awardflow.campaigns.catalogue import AwardLevel
from awardflow.db.models import (
    AgendaItem,
    Attendance,
    Award,
    AwardHistory,
    BallotTally,
    Campaign,
    CampaignVersion,
    CouncilMember,
    CouncilSession,
    Evidence,
    Nomination,
    Person,
    RoleGrant,
    Round,
    Submission,
    SubmissionItem,
    Unit,
    User,
    YearlyRating,
)
from awardflow.db.repositories import org as org_repo
from awardflow.db.session import Database
from awardflow.services.actors import actor_for_user
from awardflow.services.context import ServiceContext
from awardflow.states import Actor, NominationState, Role

#: A moment inside the round's proposal window (Hanoi morning, 2026-10-01).
NOW = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)

CRITERIA = {
    "individual": [
        {"code": "ca_nhan_1", "text": "Hoàn thành xuất sắc nhiệm vụ", "required": True},
        {"code": "ca_nhan_2", "text": "Có sáng kiến chuyển đổi số", "required": True},
    ],
    "collective": [{"code": "tap_the_1", "text": "Đơn vị hoàn thành tốt", "required": True}],
}


@dataclass
class World:
    db: Database
    ids: dict[str, int] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        with self.db.read() as s:
            return actor_for_user(s, self.ids[username])

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


def _unit(s: Session, w: World, code: str, name: str, kind: str, parent: str | None) -> Unit:
    parent_unit = s.get(Unit, w.ids[parent]) if parent else None
    unit = org_repo.add_unit(s, Unit(code=code, name=name, kind=kind, participants=40), parent_unit)
    w.ids[code] = unit.id
    return unit


def _user(
    s: Session,
    w: World,
    username: str,
    name: str,
    grants: list[tuple[Role, str]],
    person_unit: str | None = None,
) -> None:
    person_id = None
    if person_unit:
        p = Person(code=f"p-{username}", full_name=name, unit_id=w.ids[person_unit])
        s.add(p)
        s.flush()
        person_id = p.id
    user = User(
        username=username, full_name=name, email=f"{username}@example.test", person_id=person_id
    )
    s.add(user)
    s.flush()
    w.ids[username] = user.id
    for role, unit in grants:
        s.add(RoleGrant(user_id=user.id, role=role, unit_id=w.ids[unit]))


def build_world(db: Database) -> World:
    w = World(db)
    with db.write() as s:
        _unit(s, w, "so", "Sở Giáo dục và Đào tạo", "department", None)
        _unit(s, w, "tccb", "Phòng Tổ chức cán bộ", "office", "so")
        _unit(s, w, "thpt-a", "Trường THPT Chuyên Lê Quý Đôn", "school", "so")
        _unit(s, w, "thpt-b", "Trường THPT Mường Nhé", "school", "so")
        _unit(s, w, "snv", "Sở Nội vụ tỉnh", "authority", None)
        _unit(s, w, "bnv", "Bộ Nội vụ", "authority", None)
        for code, name in (
            ("p-lan", "Nguyễn Thị Lan"),
            ("p-minh", "Trần Văn Minh"),
            ("p-hoa", "Lò Thị Hoa"),
        ):
            unit = "thpt-b" if code == "p-hoa" else "thpt-a"
            person = Person(code=code, full_name=name, unit_id=w.ids[unit], birth_year=1985)
            s.add(person)
            s.flush()
            w.ids[code] = person.id
            add_bang_khen_record(s, person.id)
        _user(s, w, "clerk_a", "Phạm Thu Hà", [(Role.UNIT_CLERK, "thpt-a")], "thpt-a")
        _user(s, w, "head_a", "Đỗ Văn Hùng", [(Role.UNIT_HEAD, "thpt-a")], "thpt-a")
        _user(s, w, "head_b", "Lường Văn Sơn", [(Role.UNIT_HEAD, "thpt-b")], "thpt-b")
        _user(s, w, "appraiser1", "Vũ Thị Mai", [(Role.APPRAISER, "tccb")], "tccb")
        _user(s, w, "appraiser2", "Hoàng Văn Nam", [(Role.APPRAISER, "tccb")], "thpt-a")
        _user(s, w, "supervisor", "Bùi Thị Thu", [(Role.SUPERVISOR, "so")], "tccb")
        _user(s, w, "secretary", "Đặng Văn Long", [(Role.COUNCIL_SECRETARY, "so")], "so")
        _user(s, w, "director", "Lê Văn Quang", [(Role.DIRECTOR, "so")], "so")
        _user(s, w, "authority", "Cầm Thị Ngọc", [(Role.AUTHORITY, "snv")], "snv")
        for i in range(1, 6):
            _user(s, w, f"member{i}", f"Thành viên {i}", [(Role.COUNCIL_MEMBER, "so")], "so")
        campaign = Campaign(
            code="test-campaign",
            title="Phong trào thi đua đổi mới sáng tạo",
            organiser_unit_id=w["so"],
            appraising_office_id=w["tccb"],
            authority_unit_id=w["snv"],
            central_authority_unit_id=w["bnv"],
        )
        s.add(campaign)
        s.flush()
        w.ids["campaign"] = campaign.id
        s.add(
            CampaignVersion(
                campaign_id=campaign.id,
                version=1,
                fingerprint="0" * 64,
                definition={"criteria": CRITERIA},
            )
        )
        rnd = Round(
            campaign_id=campaign.id,
            code="2026",
            name="Năm học 2025–2026",
            kind="annual",
            year=2026,
            opens=date(2026, 1, 5),
            proposals_close=date(2026, 11, 10),
            appraisal_due=date(2026, 11, 25),
            council_by=date(2026, 12, 4),
            submission_by=date(2026, 12, 15),
            limit_appraise=10,
            limit_return_answer=5,
            limit_authority_answer=20,
            limit_decide=10,
        )
        s.add(rnd)
        s.flush()
        w.ids["round"] = rnd.id
        for code, name, level, authority, evidence, quota in (
            (
                "giay_khen",
                "Giấy khen của Giám đốc Sở",
                AwardLevel.GRASSROOTS,
                "organiser",
                [],
                None,
            ),
            (
                "bang_khen_tinh",
                "Bằng khen của Chủ tịch UBND tỉnh",
                AwardLevel.PROVINCE,
                "province",
                ["achievement_report"],
                2,
            ),
        ):
            award = Award(
                campaign_id=campaign.id,
                code=code,
                name=name,
                level=level,
                deciding_authority=authority,
                nominee_kinds=["individual", "collective"],
                round_kinds=["annual", "midterm", "final"],
                threshold=0.5,
                quota_per_unit=quota,
                quota_percent=None,
                required_evidence=evidence,
            )
            s.add(award)
            s.flush()
            w.ids[code] = award.id
    return w


def add_bang_khen_record(s: Session, person_id: int) -> None:
    """Grassroots Emulation Fighter in 2025 and 2026, rated HTXS both years: the record a
    provincial Bằng khen needs."""
    for year in (2025, 2026):
        s.add(
            AwardHistory(
                person_id=person_id,
                award_code="cstd_co_so",
                year=year,
                award_type="merit",
                decision_number=f"{year}/QĐ-SGDĐT",
            )
        )
        s.add(YearlyRating(person_id=person_id, year=year, rating="htxs"))


def add_evidence(s: Session, nomination_id: int, kind: str = "achievement_report") -> Evidence:
    ev = Evidence(
        nomination_id=nomination_id,
        sha256="a" * 64,
        filename="bao-cao.pdf",
        content_type="application/pdf",
        size=1024,
        kind=kind,
    )
    s.add(ev)
    s.flush()
    return ev


def open_council(s: Session, w: World, *, present: int = 5) -> CouncilSession:
    session = CouncilSession(
        round_id=w["round"],
        name="Phiên họp Hội đồng TĐKT",
        status="open",
        quorum=2 / 3,
        opened_at=NOW,
    )
    s.add(session)
    s.flush()
    for i in range(1, 6):
        s.add(CouncilMember(session_id=session.id, user_id=w[f"member{i}"]))
        s.add(Attendance(session_id=session.id, user_id=w[f"member{i}"], present=i <= present))
    s.flush()
    return session


def tally(
    s: Session,
    session_id: int,
    nomination_id: int,
    agree: int,
    disagree: int = 0,
    outcome: str | None = None,
) -> None:
    """Set an agenda item's counters directly (the ballot service is tested on its own)."""
    from awardflow.services.council import add_to_agenda

    add_to_agenda(s, session_id, nomination_id)
    for row in s.execute(
        select(BallotTally).where(
            BallotTally.session_id == session_id, BallotTally.nomination_id == nomination_id
        )
    ).scalars():
        row.count = {"agree": agree, "disagree": disagree}.get(row.choice, 0)
    item = s.execute(
        select(AgendaItem).where(
            AgendaItem.session_id == session_id, AgendaItem.nomination_id == nomination_id
        )
    ).scalar_one()
    item.outcome = outcome
    s.flush()


def package(s: Session, w: World, nomination_id: int, key: str = "batch-1") -> None:
    sub = Submission(round_id=w["round"], authority_unit_id=w["snv"], batch_key=key)
    s.add(sub)
    s.flush()
    s.add(SubmissionItem(submission_id=sub.id, nomination_id=nomination_id))
    s.flush()


DECISION: dict[str, Any] = {"decision_number": "123/QĐ-SGDĐT", "decision_date": "2026-12-20"}


def new_person(s: Session, w: World, code: str, unit: str = "thpt-a") -> int:
    """A teacher of ``unit`` with no history, known to the world as ``code``."""
    p = Person(code=code, full_name=f"Giáo viên {code}", unit_id=w[unit])
    s.add(p)
    s.flush()
    w.ids[code] = p.id
    return p.id


def new_draft(
    s: Session,
    w: World,
    ctx: ServiceContext,
    person_id: int,
    *,
    award: str = "giay_khen",
    unit: str = "thpt-a",
    clerk: str = "clerk_a",
    round_id: int | None = None,
    now: datetime = NOW,
) -> int:
    """A draft nomination of an individual, created by the unit's clerk through the service."""
    from awardflow.services import nominations

    nom = nominations.create_draft(
        s,
        ctx,
        w.actor(clerk),
        round_id=round_id or w["round"],
        award_id=w[award],
        unit_id=w[unit],
        nominee_kind="individual",
        person_id=person_id,
        achievement="Dẫn dắt chuyển đổi số nhà trường",
        now=now,
    )
    return nom.id


def add_nominations(
    world: World,
    count: int,
    state: NominationState,
    assignee: str | None = None,
    *,
    first_due: datetime = NOW,
    every: timedelta = timedelta(days=1),
    **values: Any,
) -> list[int]:
    """``count`` nominations of p-lan at thpt-a, inserted in one statement (for pages that only
    read them): the i-th is due ``first_due + i * every`` unless ``values`` (column values)
    says otherwise, so their due order is their insertion order."""
    base = {
        "campaign_id": world["campaign"],
        "campaign_version": 1,
        "round_id": world["round"],
        "award_id": world["giay_khen"],
        "unit_id": world["thpt-a"],
        "nominee_kind": "individual",
        "person_id": world["p-lan"],
        "achievement": "Hoàn thành xuất sắc nhiệm vụ",
        "state": state,
        "assignee_id": world[assignee] if assignee else None,
        "state_entered_at": NOW - timedelta(days=1),
    }
    rows = [
        {"nominee_name": f"Giáo viên {i}", "due_at": first_due + i * every, **base, **values}
        for i in range(count)
    ]
    with world.db.write() as s:
        ids = s.execute(
            insert(Nomination).returning(Nomination.id, sort_by_parameter_order=True), rows
        ).scalars()
        return list(ids)
