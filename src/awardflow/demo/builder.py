"""``awardflow demo load``: the five seed campaigns with units, people, users for every role
and nominations in every state of the lifecycle, all made through the services.

Each campaign is one transaction: it is loaded whole or not at all, and a campaign whose demo
director already exists is skipped, so a second load does nothing. Random choices use a fixed
seed per campaign, so every load of the same size gives the same data.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from awardflow.campaigns.loader import load_definition
from awardflow.db.models import Award, Round
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import demo as demo_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.session import Database
from awardflow.demo import data, paths
from awardflow.demo.council import run_councils
from awardflow.demo.org import CHAIN, PLAIN, Cast, DemoUser, build_cast
from awardflow.demo.upward import after_council
from awardflow.services.campaigns import load_campaign
from awardflow.services.context import ServiceContext
from awardflow.settings import VAR_DIR

__all__ = ["DemoSummary", "DemoUser", "load_demo", "users_table"]

DEFAULT_USERS_FILE = VAR_DIR / "demo-users.txt"


@dataclass
class DemoSummary:
    already_loaded: bool
    states: dict[str, dict[str, int]] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)
    users_file: Path | None = None
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(sum(s.values()) for s in self.states.values())


def campaigns_dir() -> Path:
    """The repository's ``campaigns/`` (a source checkout), else the working directory's."""
    here = Path(__file__).resolve().parents[3] / "campaigns"
    return here if here.is_dir() else Path.cwd() / "campaigns"


def load_demo(
    db: Database,
    ctx: ServiceContext,
    *,
    per_campaign: int = 60,
    seed_dir: Path | None = None,
    users_file: Path | None = DEFAULT_USERS_FILE,
) -> DemoSummary:
    """Load what is missing of the demo; ``already_loaded`` when every campaign had it."""
    from pwdlib import PasswordHash

    started = time.perf_counter()
    folder = seed_dir or campaigns_dir()
    password_hash = PasswordHash.recommended().hash(data.DEMO_PASSWORD)
    summary = DemoSummary(already_loaded=True)
    for spec in data.CAMPAIGNS:
        with db.write() as session:
            if org_repo.user_by_username(session, f"{spec.short}.director") is not None:
                continue
            summary.already_loaded = False
            definition = load_definition(folder / spec.file)
            load_campaign(session, definition, str(folder / spec.file))
            cast = _campaign(session, ctx, spec, per_campaign, password_hash)
            summary.users.extend(cast.users)
            summary.states[spec.code] = demo_repo.state_counts(session, cast.campaign.id)
    if summary.users and users_file is not None:
        users_file.parent.mkdir(parents=True, exist_ok=True)
        users_file.write_text(users_table(summary.users) + "\n", encoding="utf-8")
        summary.users_file = users_file
    summary.seconds = time.perf_counter() - started
    return summary


def _campaign(
    session: Session,
    ctx: ServiceContext,
    spec: data.CampaignDemo,
    per_campaign: int,
    password_hash: str,
) -> Cast:
    rng = random.Random(f"awardflow-demo:{spec.code}")
    campaign = campaigns_repo.campaign_by_code(session, spec.code)
    assert campaign is not None, spec.code
    rounds = {r.code: r for r in campaigns_repo.rounds(session, campaign.id)}
    awards = {a.code: a for a in campaigns_repo.awards(session, campaign.id)}
    annual, review = rounds[spec.annual_round], rounds[spec.review_round]
    per_unit = max(6, -(-per_campaign // len(spec.units)) + 4)
    year = annual.year or annual.opens.year
    cast = build_cast(session, spec, campaign, year, rng, password_hash, per_unit)
    targets = _targets(spec, per_campaign, rng)
    plans = _Planner(cast, rng, awards).plans(targets, annual, review, spec)
    driver = paths.Driver(session, ctx, cast, rng)
    for plan in plans:
        driver.propose_phase(plan)
        driver.appraise_phase(plan)
    for rnd in (annual, review):
        in_round = [p for p in plans if p.rnd.id == rnd.id]
        run_councils(driver, rnd, in_round)
        after_council(driver, rnd, in_round)
    session.flush()
    return cast


def _targets(spec: data.CampaignDemo, count: int, rng: random.Random) -> list[str]:
    """One of each target first (so every state occurs), then a weighted mix."""
    distinct = [*paths.ANNUAL_TARGETS, *paths.REVIEW_TARGETS]
    if spec.annual_awards[0] == "bang_khen_tinh":  # a chain award: show an override too
        distinct.append(paths.OVERRIDDEN)
    names, weights = zip(*paths.WEIGHTS.items(), strict=True)
    extra = rng.choices(names, weights=weights, k=max(0, count - len(distinct)))
    return (distinct + extra)[:count] if count < len(distinct) else distinct + extra


class _Planner:
    """Picks each plan's nominee: an eligible person (or the unit itself, now and then), a
    disciplined or broken-chain one for the ineligible drafts; nobody twice in a round."""

    def __init__(self, cast: Cast, rng: random.Random, awards: dict[str, Award]) -> None:
        self.cast, self.rng, self.awards = cast, rng, awards
        self.used: set[tuple[int, int]] = set()
        self.collective_used: set[tuple[int, int, int]] = set()

    def plans(
        self, targets: list[str], annual: Round, review: Round, spec: data.CampaignDemo
    ) -> list[paths.Plan]:
        plans = []
        for index, target in enumerate(targets):
            in_review = target in paths.REVIEW_TARGETS
            rnd = review if in_review else annual
            ind_code, col_code = spec.review_awards if in_review else spec.annual_awards
            unit_id = self.cast.units[index % len(self.cast.units)]
            collective = index % 5 == 4 and target not in (paths.INELIGIBLE, paths.OVERRIDDEN)
            award = self.awards[col_code if collective else ind_code]
            key = (rnd.id, award.id, unit_id)
            if collective and key not in self.collective_used:
                self.collective_used.add(key)
                plans.append(
                    paths.Plan(target, rnd, award, "collective", unit_id, None, unit_id, index)
                )
                continue
            award = self.awards[ind_code]
            person, home = self._person(rnd, unit_id, target, chain_award=not in_review)
            plans.append(paths.Plan(target, rnd, award, "individual", home, person, None, index))
        return plans

    def _person(
        self, rnd: Round, unit_id: int, target: str, *, chain_award: bool
    ) -> tuple[int, int]:
        """A person of ``unit_id`` (else of any unit) and their unit."""
        chain_needed = chain_award and self.awards_need_chain()
        if target in (paths.INELIGIBLE, paths.OVERRIDDEN):
            wanted = {"broken"} if chain_needed else {"disciplined"}
            if target == paths.OVERRIDDEN:
                wanted = {"broken"}
        else:
            wanted = {CHAIN} if chain_needed else {CHAIN, PLAIN}
        order = [unit_id, *(u for u in self.cast.units if u != unit_id)]
        for uid in order:  # this unit first; when it is used up, any unit will do
            for nominee in self.cast.nominees[uid]:
                if nominee.profile in wanted and (rnd.id, nominee.person_id) not in self.used:
                    self.used.add((rnd.id, nominee.person_id))
                    return nominee.person_id, nominee.unit_id
        raise RuntimeError("the demo ran out of nominees; raise persons per unit")

    def awards_need_chain(self) -> bool:
        return self.cast.campaign.organiser_level == "province"


def users_table(users: list[DemoUser]) -> str:
    """A fixed-width table: username, password, role, unit."""
    header = ("username", "password", "role", "unit", "name")
    rows = [header, *((u.username, u.password, u.role, u.unit, u.full_name) for u in users)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
