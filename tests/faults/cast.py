"""The data every fault test runs on: the small world of tests/support/world.py on PostgreSQL,
its round opened around today's date (the API subprocess runs on the wall clock), a clerk for
each school, a few hundred teachers to nominate, an open council session (so
``schedule_vote`` is legal) and some drafts to start from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.conftest import AUDIT_KEY
from tests.support.faults import JWT_SECRET
from tests.support.world import World, build_world, new_draft, open_council

from awardflow.api.auth import issue
from awardflow.campaigns.calendar import local_date
from awardflow.db.base import Base
from awardflow.db.models import Person, RoleGrant, Round, User
from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.settings import ApiSettings, Settings
from awardflow.states import Role

UNITS = ("thpt-a", "thpt-b")
HEAD = {"thpt-a": "head_a", "thpt-b": "head_b"}
CLERK = {"thpt-a": "clerk_a", "thpt-b": "clerk_b"}
APPRAISERS = ("appraiser1", "appraiser2")
USERS = (
    "clerk_a",
    "clerk_b",
    "head_a",
    "head_b",
    "appraiser1",
    "appraiser2",
    "supervisor",
    "secretary",
    "director",
    "authority",
    "member1",
)


@dataclass
class Cast:
    world: World
    persons: dict[str, list[int]] = field(default_factory=dict)
    drafts: list[tuple[int, str]] = field(default_factory=list)  # (nomination id, unit code)

    def __getitem__(self, key: str) -> int:
        return self.world[key]

    def tokens(self) -> dict[str, str]:
        """An access token per user, minted with the API's secret (no argon2 per test)."""
        api = ApiSettings(jwt_secret=JWT_SECRET, access_token_minutes=60)
        return {u: issue(api, self.world[u], "access") for u in USERS}


def service_context() -> ServiceContext:
    return ServiceContext.from_settings(Settings(audit_key=AUDIT_KEY.decode()))


def fresh_schema(db: Database) -> None:
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)


def build_cast(db: Database, *, persons_per_unit: int = 150, drafts: int = 40) -> Cast:
    """The world, made current; ``drafts`` drafts created through the service (wall clock)."""
    w = build_world(db)
    cast = Cast(w)
    today = local_date(datetime.now(UTC))
    with db.write() as s:
        rnd = s.get(Round, w["round"])
        assert rnd is not None
        rnd.opens = today - timedelta(days=60)
        rnd.proposals_close = today + timedelta(days=30)
        rnd.appraisal_due = today + timedelta(days=45)
        rnd.council_by = today + timedelta(days=60)
        rnd.submission_by = today + timedelta(days=75)
        clerk = User(username="clerk_b", full_name="Quàng Thị Dung", email="clerk_b@example.test")
        s.add(clerk)
        s.flush()
        w.ids["clerk_b"] = clerk.id
        s.add(RoleGrant(user_id=clerk.id, role=Role.UNIT_CLERK, unit_id=w["thpt-b"]))
        for unit in UNITS:
            people = [
                Person(code=f"gv-{unit}-{i}", full_name=f"Giáo viên {unit} {i}", unit_id=w[unit])
                for i in range(persons_per_unit)
            ]
            s.add_all(people)
            s.flush()
            cast.persons[unit] = [p.id for p in people]
        open_council(s, w)
    ctx = service_context()
    now = datetime.now(UTC)
    for i in range(drafts):
        unit = UNITS[i % 2]
        with db.write() as s:
            nid = new_draft(s, w, ctx, cast.persons[unit][i], unit=unit, clerk=CLERK[unit], now=now)
        cast.drafts.append((nid, unit))
    return cast
