"""What the page tests share: the demo database (built once per session through the real
services, copied per module), a live server over a copy (uvicorn in its own thread), demo users
by role and campaign, notification delivery, and screenshots at two widths.

Playwright's sync API runs an event loop in the test thread while a browser is open, so
anything async (delivery, uvicorn) runs in its own thread (``run_async``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from sqlalchemy import select

from awardflow.api.app import create_app
from awardflow.db.migrate import upgrade
from awardflow.db.models import Campaign, RoleGrant, Unit, User
from awardflow.db.session import Database
from awardflow.demo import data as demo_data
from awardflow.demo.builder import load_demo
from awardflow.notifications.mailers import FileMailer
from awardflow.services.context import ServiceContext
from awardflow.services.notifications import DeliveryReport, deliver_batch
from awardflow.settings import ApiSettings, EvidenceSettings, MailSettings, Settings, WebSettings
from awardflow.states import Role
from awardflow.web.session import COOKIE, SessionCodec, WebSession

T = TypeVar("T")

AUDIT_KEY = "test-audit-key"
PASSWORD = demo_data.DEMO_PASSWORD
#: Nominations per seed campaign in the test demo (every state still occurs; ``make run`` has 60).
DEMO_SIZE = int(os.environ.get("AWARDFLOW_WEB_TEST_DEMO_SIZE", "24"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CAMPAIGN_SHORTS = tuple(c.short for c in demo_data.CAMPAIGNS)

#: Short role names a test may use (``login_as("appraiser")``).
ROLE_ALIASES: dict[str, Role] = {
    "clerk": Role.UNIT_CLERK,
    "unit_clerk": Role.UNIT_CLERK,
    "head": Role.UNIT_HEAD,
    "unit_head": Role.UNIT_HEAD,
    "appraiser": Role.APPRAISER,
    "supervisor": Role.SUPERVISOR,
    "member": Role.COUNCIL_MEMBER,
    "council_member": Role.COUNCIL_MEMBER,
    "secretary": Role.COUNCIL_SECRETARY,
    "council_secretary": Role.COUNCIL_SECRETARY,
    "director": Role.DIRECTOR,
    "authority": Role.AUTHORITY,
    "admin": Role.ADMIN,
}


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion in a fresh thread (safe next to Playwright's sync API)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="awardflow-test-async")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def build_demo_database(path: Path, per_campaign: int = DEMO_SIZE) -> float:
    """Migrate a new SQLite file and load the demo through the services; the seconds taken."""
    started = time.perf_counter()
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    try:
        settings = Settings(audit_key=AUDIT_KEY, database_url=url)
        ctx = ServiceContext.from_settings(settings)
        load_demo(db, ctx, per_campaign=per_campaign, users_file=None)
        with db.engine.connect() as conn:  # one self-contained file to copy
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    return time.perf_counter() - started


def copy_database(template: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: frozenset[Role]
    password: str = PASSWORD


@dataclass
class Users:
    """The demo's users, by user name, role and campaign (``dienbien``, ``hanoi``, …)."""

    db: Database
    _cache: dict[tuple[Role, str], list[DemoUser]] = field(default_factory=dict)

    def by_username(self, username: str) -> DemoUser:
        with self.db.read() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one()
            return DemoUser(user.username, user.full_name, frozenset(g.role for g in user.grants))

    def all(self, role: Role | str, campaign: str = "dienbien") -> list[DemoUser]:
        """Every demo user holding ``role`` in ``campaign`` (by its short name), by name."""
        role = ROLE_ALIASES.get(str(role)) or Role(role)
        key = (role, campaign)
        if key not in self._cache:
            self._cache[key] = self._find(role, campaign)
        return self._cache[key]

    def __call__(self, role: Role | str, campaign: str = "dienbien", index: int = 0) -> DemoUser:
        found = self.all(role, campaign)
        if not found:
            raise LookupError(f"no demo user with role {role} in {campaign}")
        return found[index]

    def _find(self, role: Role, campaign: str) -> list[DemoUser]:
        with self.db.read() as s:
            rows = s.execute(
                select(User, RoleGrant, Unit)
                .join(RoleGrant, RoleGrant.user_id == User.id)
                .join(Unit, Unit.id == RoleGrant.unit_id)
                .where(RoleGrant.role == role)
                .order_by(User.username)
            ).all()
            if role in (Role.AUTHORITY, Role.ADMIN):
                spec = next(c for c in demo_data.CAMPAIGNS if c.short == campaign)
                camp = s.execute(select(Campaign).where(Campaign.code == spec.code)).scalar_one()
                wanted = {camp.authority_unit_id} if role is Role.AUTHORITY else None
                picked = [u for u, g, _ in rows if wanted is None or g.unit_id in wanted]
            else:
                picked = [u for u, _, _ in rows if u.username.startswith(campaign + ".")]
            seen: dict[str, DemoUser] = {}
            for u in picked:
                seen.setdefault(
                    u.username,
                    DemoUser(u.username, u.full_name, frozenset(g.role for g in u.grants)),
                )
            return list(seen.values())


class LiveServer:
    """``create_app`` over ``db_path`` served by uvicorn on 127.0.0.1 (a free port) in a thread;
    mail goes to ``mail_dir`` as .eml files (file mailer). ``web`` overrides ``WebSettings``
    (e.g. ``secure_cookies=False``)."""

    def __init__(self, db_path: Path, work: Path, **web: Any) -> None:
        self.url_db = f"sqlite:///{db_path}"
        self.mail_dir = work / "mail"
        self.settings = Settings(
            database_url=self.url_db,
            audit_key=AUDIT_KEY,
            base_url="http://127.0.0.1",
            mail=MailSettings(backend="file", file_dir=self.mail_dir),
            evidence=EvidenceSettings(store_dir=work / "files"),
            api=ApiSettings(jwt_secret="web-test-secret-" + "x" * 32),
            web=WebSettings(**{"secret_key": "web-test-" + "y" * 32, "dev_pages": True, **web}),
        )
        self.db = Database(self.url_db)
        self.app = create_app(self.settings, self.db)
        self.users = Users(self.db)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", ws="none"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="awardflow-live", daemon=True)
        self.url = ""

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.db.dispose()

    def deliver(self, batch: int = 50) -> DeliveryReport:
        """Deliver up to ``batch`` due outbox rows as the worker would (file mailer, inbox)."""
        mailer = FileMailer(self.mail_dir)
        return run_async(lambda: deliver_batch(self.db, self.settings, mailer, batch=batch))

    def session_cookie(self, username: str) -> dict[str, Any]:
        """A signed session cookie for ``username`` (as logging in would set), for Playwright."""
        with self.db.read() as s:
            user_id = s.execute(select(User.id).where(User.username == username)).scalar_one()
        session = WebSession()
        session.login(user_id)
        value = SessionCodec(self.settings.web).serializer.dumps(session.dump())
        return {
            "name": COOKIE,
            "value": value,
            "url": self.url,
            "httpOnly": True,
            "secure": self.settings.web.secure_cookies,
            "sameSite": "Lax",
        }

    def reset_rate_limits(self) -> None:
        for limiter in self.app.state.services.limiters.values():
            limiter.reset()


def screenshot(page: Any, name: str, *, full_page: bool = False) -> list[Path]:
    """``docs/screenshots/<name>-desktop.png`` (1280×800) and ``-phone.png`` (390×844)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    before = page.viewport_size or DESKTOP
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        saved.append(path)
    page.set_viewport_size(before)
    return saved
