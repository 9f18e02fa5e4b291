"""Fixtures of the page tests (see docs/web.md):

- ``demo_template`` (session): the demo database, built once through the real services;
- ``live`` (module): a copy of it served by a live server (``live.url``, ``live.db``,
  ``live.users``, ``live.deliver()``, ``live.mail_dir``, ``live.settings``);
- ``browser`` (session): one headless Debian Chromium;
- ``page`` (test): a fresh browser context (own cookies) at 1280×800 on ``live.url``;
- ``users``: demo users by role and campaign (``users("appraiser", "hanoi")``);
- ``login_as(role_or_username, campaign="dienbien")``: log ``page`` in through the login form;
- ``shot(page, "area-page")``: screenshots at desktop and phone width into docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from tests.web.support import (
    DESKTOP,
    ROLE_ALIASES,
    DemoUser,
    LiveServer,
    Users,
    build_demo_database,
    copy_database,
    screenshot,
)

from awardflow.states import Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-demo") / "demo.db"
    build_demo_database(path)
    return path


@pytest.fixture(scope="module")
def live(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("web-live")
    server = LiveServer(copy_database(demo_template, work / "awardflow.db"), work).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live.url, viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def users(live: LiveServer) -> Users:
    return live.users


@pytest.fixture
def login_as(page: Page, live: LiveServer) -> Callable[..., DemoUser]:
    """Log ``page`` in as a demo user: a role (``"appraiser"``, ``Role.DIRECTOR``) in
    ``campaign`` (short name; ``index`` picks among several) or an exact user name, then open
    ``/`` (the role's home). By default the session cookie is minted directly (logging in
    through the form is tested on its own; argon2 per test is slow); ``form=True`` types the
    user name and password into the login form instead."""

    def login(
        who: str | Role, campaign: str = "dienbien", index: int = 0, *, form: bool = False
    ) -> DemoUser:
        key = str(who)
        if key in ROLE_ALIASES or key in {r.value for r in Role}:
            user = live.users(key, campaign, index)
        else:
            user = live.users.by_username(key)
        if form:
            live.reset_rate_limits()
            page.goto("/login")
            page.fill("#f-username", user.username)
            page.fill("#f-password", user.password)
            with page.expect_navigation():
                page.click("form[action='/login'] button[type=submit]")
        else:
            page.context.add_cookies([live.session_cookie(user.username)])
            page.goto("/")
        if page.url.split("?")[0].endswith("/login"):
            raise AssertionError(f"could not log in as {user.username}")
        return user

    return login


@pytest.fixture
def shot() -> Callable[..., Any]:
    return screenshot
