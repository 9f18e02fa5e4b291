"""What the topology test loads and how it talks to the API replicas.

- :func:`campaign_open_today`: a seed campaign file with its calendar moved to this year and one
  annual round open for proposals today (the API runs on the real clock);
- :func:`load_people`: the demo's units, people with their records and users for every role of
  that campaign (``demo/org.py``), written straight to the database as test set-up;
- :class:`Replicas`: an HTTP client that sends each request to the next API replica in turn
  (from several threads too).
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from awardflow.campaigns.calendar import local_date
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.session import Database
from awardflow.demo import data
from awardflow.demo.org import CHAIN, PLAIN, Cast, build_cast
from awardflow.services.auth import hash_password

SEEDS = Path(__file__).resolve().parents[2] / "campaigns"
SPEC = data.CAMPAIGNS[0]  # Điện Biên's education department


def today() -> date:
    """Today in the campaigns' time zone (the guards' calendar)."""
    return local_date(datetime.now(UTC))


def _shift_years(value: Any, years: int) -> Any:
    if isinstance(value, dict):
        return {k: _shift_years(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_years(v, years) for v in value]
    if isinstance(value, date):
        try:
            return value.replace(year=value.year + years)
        except ValueError:  # 29 February
            return value.replace(year=value.year + years, day=28)
    return value


def campaign_open_today(dst: Path, day: date) -> tuple[Path, str, dict[str, Any]]:
    """Write the seed campaign ``SPEC`` to ``dst`` with every date moved by whole years so its
    first annual round falls in ``day``'s year, and that round's dates around ``day``:
    proposals open, closing in two weeks. The file, the round's code, the definition."""
    definition = yaml.safe_load((SEEDS / SPEC.file).read_text(encoding="utf-8"))
    annual = next(r for r in definition["rounds"] if r["kind"] == "annual")
    definition = _shift_years(definition, day.year - annual["opens"].year)
    rnd = next(r for r in definition["rounds"] if r["code"] == annual["code"])
    phase = next(p for p in definition["phases"] if p["code"] == rnd["phase"])
    rnd["code"] = f"annual-{day.year}"
    rnd["opens"] = max(phase["start"], day - timedelta(days=20))
    rnd["dates"] = {
        "proposals_close": day + timedelta(days=14),
        "appraisal_due": day + timedelta(days=21),
        "council_by": day + timedelta(days=28),
    }
    assert rnd["dates"]["council_by"] <= phase["end"], "the round must fit in its phase"
    dst.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), "utf-8")
    return dst, rnd["code"], definition


@dataclass
class People:
    """Ids and user names of the campaign's cast (all sign in with ``data.DEMO_PASSWORD``)."""

    campaign_id: int
    round_id: int
    round_code: str
    usernames: dict[int, str]
    cast: Cast
    eligible: list[tuple[int, int]] = field(default_factory=list)  # (unit id, person id)

    def user(self, user_id: int) -> str:
        return self.usernames[user_id]


def load_people(database_url: str, round_code: str) -> People:
    """The demo's cast for ``SPEC`` (units, people, users, grants) in the loaded campaign."""
    db = Database(database_url)
    try:
        with db.write() as session:
            campaign = campaigns_repo.campaign_by_code(session, SPEC.code)
            assert campaign is not None, "load the campaign first"
            rnd = next(
                r for r in campaigns_repo.rounds(session, campaign.id) if r.code == round_code
            )
            cast = build_cast(
                session,
                SPEC,
                campaign,
                rnd.year or rnd.opens.year,
                random.Random(f"topology:{SPEC.code}"),
                hash_password(data.DEMO_PASSWORD),
                persons_per_unit=4,
            )
            from awardflow.db.models import User

            ids = [u.username for u in cast.users]
            rows = session.query(User.id, User.username).filter(User.username.in_(ids)).all()
            people = People(campaign.id, rnd.id, round_code, dict(rows), cast)
            for unit_id, nominees in cast.nominees.items():
                people.eligible += [
                    (unit_id, n.person_id) for n in nominees if n.profile in (CHAIN, PLAIN)
                ]
            return people
    finally:
        db.dispose()


class Replicas:
    """Sends each request to the next API replica in turn; remembers every user's tokens."""

    def __init__(self, urls: list[str]) -> None:
        self.clients = [httpx.Client(base_url=u, timeout=60.0) for u in urls]
        self._next = itertools.cycle(range(len(urls)))
        self._lock = threading.Lock()
        self.served: Counter[int] = Counter()
        self.tokens: dict[str, str] = {}

    def close(self) -> None:
        for c in self.clients:
            c.close()

    def request(self, method: str, path: str, *, user: str | None = None, **kw: Any) -> Any:
        with self._lock:
            i = next(self._next)
            self.served[i] += 1
        headers = dict(kw.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return self.clients[i].request(method, path, headers=headers, **kw)

    def ok(self, method: str, path: str, *, status: int = 200, **kw: Any) -> Any:
        response = self.request(method, path, **kw)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json()

    def login(self, username: str, password: str = data.DEMO_PASSWORD) -> None:
        form = {"username": username, "password": password}
        token = self.ok("POST", "/api/auth/token", data=form)
        self.tokens[username] = token["access_token"]

    def login_all(self, usernames: list[str]) -> None:
        """Log each in (the demo password), a few at once: both replicas hash in parallel."""
        with ThreadPoolExecutor(max_workers=2 * len(self.clients)) as pool:
            list(pool.map(self.login, usernames))

    def act(self, user: str, nid: int, trigger: str, **body: Any) -> Any:
        payload = {"comment": body.pop("comment", None), "data": body.pop("data", {})}
        return self.ok("POST", f"/api/nominations/{nid}/actions/{trigger}", user=user, json=payload)
