"""W1's own pages in real Chromium: the inbox (counts, mark read, mark all read) and /dev/mail
(the file mailer's messages, shown safely), with their screenshots."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from tests.web.support import LiveServer

from awardflow.db.models import User
from awardflow.db.models.inbox import InboxItem


@pytest.fixture(scope="module")
def delivered(live: LiveServer) -> int:
    """One batch of the demo's notifications delivered as the worker does (inbox + .eml)."""
    report = live.deliver(batch=40)
    assert report.claimed == 40 and report.messages > 0
    return report.messages


def _busiest_user(live: LiveServer) -> tuple[str, int]:
    """The demo user with the most unread inbox items, and how many."""
    with live.db.read() as s:
        username, count = s.execute(
            select(User.username, func.count(InboxItem.id))
            .join(InboxItem, InboxItem.user_id == User.id)
            .where(InboxItem.read_at.is_(None))
            .group_by(User.username)
            .order_by(func.count(InboxItem.id).desc(), User.username)
        ).first()  # type: ignore[misc]
    return str(username), int(count)


def _unread(live: LiveServer, username: str) -> int:
    with live.db.read() as s:
        return int(
            s.execute(
                select(func.count(InboxItem.id))
                .join(User, User.id == InboxItem.user_id)
                .where(User.username == username, InboxItem.read_at.is_(None))
            ).scalar_one()
        )


def test_inbox_lists_notifications_and_mark_read_changes_the_count(
    page: Page,
    live: LiveServer,
    delivered: int,
    login_as: Callable[..., Any],
    shot: Callable[..., Any],
) -> None:
    username, unread = _busiest_user(live)
    assert unread >= 2
    login_as(username)
    page.goto("/inbox")
    count = page.locator("#unread-count")
    expect(count).to_have_text(str(unread))
    expect(page.locator("#inbox-summary")).to_contain_text(f"Chưa đọc: {unread}")
    items = page.locator("li.inbox-item.unread")
    expect(items).to_have_count(min(unread, 20))
    first = items.first
    title = first.locator(".title").inner_text()
    assert title.strip() and "Chưa đọc" in title
    shot(page, "inbox-list")

    # one item read (htmx: the item and the header's count change in place)
    first.get_by_role("button", name="Đánh dấu đã đọc").click()
    expect(count).to_have_text(str(unread - 1))
    expect(page.locator("li.inbox-item.unread")).to_have_count(min(unread - 1, 20))
    assert _unread(live, username) == unread - 1

    # the unread filter shows only unread ones
    page.get_by_role("link", name="Chưa đọc", exact=True).click()
    expect(page.locator("li.inbox-item.read")).to_have_count(0)

    # all read
    page.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Đã đánh dấu {unread - 1} thông báo là đã đọc."
    )
    expect(count).to_have_text("0")
    expect(page.locator("p.empty")).to_have_text("Không có thông báo nào.")
    assert _unread(live, username) == 0


def test_mark_read_works_without_javascript(browser: Any, live: LiveServer, delivered: int) -> None:
    username, unread = _busiest_user(live)
    context = browser.new_context(base_url=live.url, java_script_enabled=False)
    try:
        page = context.new_page()
        live.reset_rate_limits()
        page.goto("/login?next=/inbox")
        page.fill("#f-username", username)
        page.fill("#f-password", live.users.by_username(username).password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/inbox")
        expect(page.locator("#unread-count")).to_have_text(str(unread))
        page.locator("li.inbox-item.unread").first.get_by_role("button").click()
        expect(page.locator(".flash-success")).to_have_text("Đã đánh dấu là đã đọc.")
        expect(page.locator("#unread-count")).to_have_text(str(unread - 1))
    finally:
        context.close()


def test_someone_elses_notification_is_not_found(
    page: Page, live: LiveServer, delivered: int, login_as: Callable[..., Any]
) -> None:
    with live.db.read() as s:
        other = s.execute(select(InboxItem).order_by(InboxItem.id)).scalars().first()
        assert other is not None
        owner = s.get(User, other.user_id)
        assert owner is not None
    me = next(u for u in live.users.all("admin", "dienbien") if u.username != owner.username)
    login_as(me.username)
    page.goto("/inbox")
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    response = page.request.post(
        f"/inbox/{other.id}/read", form={"csrf_token": token}, max_redirects=0
    )
    assert response.status == 404
    assert "Không có thông báo này." in response.text()
    with live.db.read() as s:
        item = s.get(InboxItem, other.id)
        assert item is not None and item.read_at is other.read_at


def test_dev_mail_lists_the_file_mailers_messages_and_shows_one(
    page: Page,
    live: LiveServer,
    delivered: int,
    login_as: Callable[..., Any],
    shot: Callable[..., Any],
) -> None:
    files = sorted(live.mail_dir.glob("*.eml"))
    assert len(files) == delivered
    login_as("admin")
    page.goto("/dev/mail")
    expect(page.locator("h1")).to_have_text("Thư đã gửi (chỉ môi trường phát triển)")
    links = page.locator(".mail-list a")
    expect(links).to_have_count(len(files))
    first_subject = links.first.inner_text()
    links.first.click()
    view = page.locator("#mail-view")
    expect(view.locator("h2")).to_have_text(first_subject)
    expect(view.locator(".mail-headers")).to_contain_text("@demo.awardflow.vn")
    expect(view.locator("pre.mail-text")).not_to_be_empty()
    frame = view.locator("iframe.mail-frame")
    expect(frame).to_have_attribute("sandbox", "")
    src = frame.get_attribute("src") or ""
    html = page.request.get(src)
    assert html.status == 200
    assert "sandbox" in html.headers["content-security-policy"]
    assert "default-src 'none'" in html.headers["content-security-policy"]
    shot(page, "devmail-list")


def test_dev_mail_shows_a_hostile_message_as_text(
    page: Page, live: LiveServer, login_as: Callable[..., Any]
) -> None:
    message = EmailMessage()
    message["Subject"] = "<script>alert('subject')</script> Thư lạ"
    message["From"] = "x@example.test"
    message["To"] = "<b>bold</b>@example.test"
    message["Message-ID"] = "<hostile@example.test>"
    message.set_content("<script>alert('text')</script> văn bản")
    message.add_alternative(
        "<p>hi</p><script>alert('html')</script><img src=x onerror=\"alert('img')\">",
        subtype="html",
    )
    live.mail_dir.mkdir(parents=True, exist_ok=True)
    (live.mail_dir / "hostile@example.test.eml").write_bytes(message.as_bytes())
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login_as("admin")
    page.goto("/dev/mail?name=hostile@example.test.eml")
    view = page.locator("#mail-view")
    expect(view.locator("h2")).to_have_text("<script>alert('subject')</script> Thư lạ")
    expect(view.locator("pre.mail-text")).to_contain_text("<script>alert('text')</script>")
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.locator("p")).to_have_text("hi")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("#mail-view script").count() == 0
    bad = page.goto("/dev/mail?name=../awardflow.db")
    assert bad is not None and bad.status == 404
