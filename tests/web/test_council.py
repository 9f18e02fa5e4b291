"""The council in real Chromium on the demo data: the secretary creates and opens a session
with the agenda she chooses, records attendance and changes the agenda; two members vote on
their own pages, the secretary enters an absent member's written vote and closes; tallies,
outcomes and ranking show in Vietnamese and the minutes download as a PDF. A member's page never
shows a choice, a member has no close button and a forced close shows the reason, markup typed
into the forms stays text, and forms keep what was typed when they come back with an error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from tests.web.support import DESKTOP, LiveServer

from awardflow.db.models import AuditEvent, Campaign, CouncilSession, Nomination, Round
from awardflow.db.repositories import org as org_repo
from awardflow.services import council
from awardflow.services.actors import actor_for_user
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.states import NominationState, Trigger

S = NominationState
XSS = "<script>alert(1)</script>"
CAMPAIGN = "dien-bien-gddt-dmst-2026"


@pytest.fixture(scope="module")
def round_ready(live: LiveServer) -> dict[str, Any]:
    """The demo leaves the annual round's second session sitting with no ballots: its
    secretary defers its items and closes it (through the services), so the round has dossiers
    awaiting the council and no open session."""
    ctx = ServiceContext.from_settings(live.settings)
    now = datetime.now(UTC)
    with live.db.write() as s:
        cid = s.execute(select(Campaign.id).where(Campaign.code == CAMPAIGN)).scalar_one()
        secretary = actor_for_user(s, org_repo.user_by_username(s, "dienbien.secretary").id)
        sitting = s.execute(
            select(CouncilSession)
            .join(Round, Round.id == CouncilSession.round_id)
            .where(Round.campaign_id == cid, CouncilSession.status == "open")
        ).scalar_one()
        items = s.execute(
            select(Nomination.id).where(
                Nomination.round_id == sitting.round_id, Nomination.state == S.IN_COUNCIL
            )
        ).scalars()
        for nid in list(items):
            transition(
                s, ctx, nid, Trigger.POSTPONE, secretary, comment="Chuyển phiên sau.", now=now
            )
        council.close_session(s, ctx, secretary, sitting.id, now=now)
        waiting = list(
            s.execute(
                select(Nomination.id)
                .where(Nomination.round_id == sitting.round_id, Nomination.state == S.APPRAISED)
                .order_by(Nomination.id)
            ).scalars()
        )
    assert len(waiting) >= 3, waiting
    return {"round_id": sitting.round_id, "waiting": waiting[:3], "others": waiting[3:]}


def _login(page: Page, live: LiveServer, username: str) -> None:
    live.reset_rate_limits()
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", live.users.by_username(username).password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


@pytest.fixture
def second(browser: Browser, live: LiveServer) -> Iterator[Callable[[str], Page]]:
    """More browser contexts (own cookies) for other users, each logged in."""
    contexts = []

    def open_as(username: str) -> Page:
        context = browser.new_context(base_url=live.url, viewport=DESKTOP, locale="vi-VN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        other = context.new_page()
        _login(other, live, username)
        return other

    yield open_as
    for context in contexts:
        context.close()


def _state(live: LiveServer, nid: int) -> S:
    with live.db.read() as s:
        nom = s.get(Nomination, nid)
        assert nom is not None
        return nom.state


def _vote(member: Page, session_id: int, votes: dict[int, str]) -> None:
    """The member marks her ballot paper (phiếu bầu) on each item's card, sends it once."""
    member.goto(f"/council/{session_id}")
    for nid, choice in votes.items():
        member.locator(f"#item-{nid} #choice-{nid}-{choice}").check()
    member.click("#ballot-paper button[type=submit]")
    expect(member.locator(".flash-success")).to_have_text(
        f"Đã ghi nhận phiếu bầu của bạn: {len(votes)} hồ sơ."
    )
    for nid in votes:
        expect(member.locator(f"#item-{nid} [data-voted=yes]")).to_have_text("✔ Đã bỏ phiếu")


def _assert_secret(member: Page, items: list[int]) -> None:
    """Nothing on the page says what anyone chose: no vote form, no choice, no tally."""
    html = member.content()
    for choice in ("agree", "disagree", "abstain"):
        assert f'value="{choice}"' not in html
    assert member.locator("input[type=radio]:checked").count() == 0
    assert member.locator("[data-outcome]").count() == 0
    for nid in items:
        expect(member.locator(f"#item-{nid} [data-voted=yes]")).to_be_visible()


def test_secretary_runs_a_session_members_vote_secretly_results_and_minutes(
    page: Page,
    live: LiveServer,
    second: Callable[[str], Page],
    shot: Callable[..., Any],
    round_ready: dict[str, Any],
) -> None:
    alerts: list[str] = []
    page.on(
        "dialog", lambda d: (alerts.append(d.message) if d.type == "alert" else None, d.accept())
    )
    a, b, c = round_ready["waiting"]
    _login(page, live, "dienbien.secretary")
    page.goto("/council")
    expect(page.locator("h1")).to_have_text("Phiên họp Hội đồng Thi đua – Khen thưởng")
    shot(page, "council-list")

    # A first try with markup in the text fields and no chair: refused, everything kept as text.
    page.select_option("#f-round_id", str(round_ready["round_id"]))
    page.fill("#f-name", XSS)
    page.fill("#f-quorum", XSS)
    members = ["dienbien.member1", "dienbien.member2", "dienbien.member3", "dienbien.member4",
               "dienbien.member5"]  # fmt: skip
    with live.db.read() as s:
        ids = {u: org_repo.user_by_username(s, u).id for u in [*members, "dienbien.director"]}
    for username in members:
        page.check(f"#f-members input[value='{ids[username]}']")
    page.click("#new-session button[type=submit]")
    expect(page.locator("#f-chair-error")).to_have_text("Hãy chọn Chủ tịch Hội đồng.")
    expect(page.locator("#f-quorum-error")).to_contain_text("phần trăm")
    expect(page.locator("#f-name")).to_have_value(XSS)
    expect(page.locator("#f-quorum")).to_have_value(XSS)
    expect(page.locator(f"#f-members input[value='{ids['dienbien.member5']}']")).to_be_checked()
    assert alerts == []
    page.select_option("#f-chair", str(ids["dienbien.director"]))
    page.fill("#f-name", "Phiên họp thứ ba xét khen thưởng năm 2026")
    page.fill("#f-quorum", "")
    page.click("#new-session button[type=submit]")
    expect(page.locator(".flash-success")).to_have_text("Đã tạo phiên họp.")
    expect(page.locator("h1")).to_have_text("Phiên họp thứ ba xét khen thưởng năm 2026")
    session_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#session-status")).to_have_text("Dự kiến")

    # Open with the agenda chosen: c is left out (deferred).
    page.uncheck(f"#open input[value='{c}']")
    shot(page, "council-planned")
    page.click("#open button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(
        "Đã mở phiên họp; chương trình có 2 hồ sơ."
    )
    expect(page.locator("#session-status")).to_have_text("Đang họp")
    assert (_state(live, a), _state(live, b), _state(live, c)) == (
        S.IN_COUNCIL, S.IN_COUNCIL, S.APPRAISED,
    )  # fmt: skip

    # Attendance: everyone but member5.
    for uid in ids.values():
        box = page.locator(f"#present-{uid}")
        box.set_checked(uid != ids["dienbien.member5"])
    page.click("#attendance button[type=submit]")
    expect(page.locator(".flash-success")).to_have_text(
        "Đã ghi nhận điểm danh: 5/6 thành viên có mặt."
    )

    # The agenda: a reason typed but nothing ticked is sent back with the reason kept; then c
    # is added back.
    page.fill("#f-reason", XSS)
    page.click("#set-agenda button[type=submit]")
    expect(page.locator("#agenda .error-text")).to_have_text(
        "Hãy chọn hồ sơ để thêm hoặc hoãn xét."
    )
    expect(page.locator("#f-reason")).to_have_value(XSS)
    page.check(f"#set-agenda input[name=add][value='{c}']")
    page.fill("#f-reason", "")
    page.click("#set-agenda button[type=submit]")
    expect(page.locator(".flash-success")).to_have_text(
        "Đã cập nhật chương trình: thêm 1, hoãn 0 hồ sơ."
    )
    expect(page.locator("#agenda article.agenda-item")).to_have_count(3)
    shot(page, "council-session-secretary", full_page=True)

    # Two members vote, each on her own page.
    m1 = second("dienbien.member1")
    m1.goto(f"/council/{session_id}")
    shot(m1, "council-ballot", full_page=True)
    _vote(m1, session_id, {a: "agree", b: "disagree", c: "agree"})
    _assert_secret(m1, [a, b, c])
    m2 = second("dienbien.member2")
    m2.goto(f"/council/{session_id}")  # an unmarked paper comes back with the reason
    m2.click("#ballot-paper button[type=submit]")
    expect(m2.locator("#ballot-paper .error-text")).to_have_text(
        "Hãy đánh dấu lựa chọn cho ít nhất một hồ sơ trên phiếu bầu."
    )
    _vote(m2, session_id, {a: "agree"})  # a part now, the rest later: both count
    expect(m2.locator(f"#item-{b} input[type=radio]")).to_have_count(3)
    _vote(m2, session_id, {b: "abstain", c: "agree"})
    _assert_secret(m2, [a, b, c])
    expect(m2.locator("#ballot-paper")).to_have_count(0)  # nothing left to vote on
    expect(m2.locator(f"#item-{a} .ballots")).to_have_attribute("data-ballots", "2")

    # A member may not close: no button, and forcing the POST shows the reason.
    expect(m1.locator("#close")).to_have_count(0)
    token = m1.locator("meta[name=csrf-token]").get_attribute("content") or ""
    forced = m1.request.post(f"/council/{session_id}/close", form={"csrf_token": token})
    assert forced.status == 403
    assert "Chỉ thư ký Hội đồng mới làm được việc này." in forced.text()
    assert _state(live, a) is S.IN_COUNCIL

    # The absent member's written vote on a, then the secretary closes.
    page.goto(f"/council/{session_id}")
    page.select_option("#f-written-member", str(ids["dienbien.member5"]))
    page.select_option("#f-written-item", str(a))
    page.check("#written-agree")
    page.click("#written button[type=submit]")
    expect(page.locator(".flash-success")).to_have_text("Đã ghi nhận phiếu bằng văn bản.")
    page.click("#close button[type=submit]")
    expect(page.locator(".flash-success")).to_have_text("Đã kết thúc phiên họp.")
    expect(page.locator("#session-status")).to_have_text("Đã kết thúc")

    # Tallies, outcomes and ranking (Giấy khen: at least half of all 6 members, i.e. 3).
    cells = page.locator(f"#results tr[data-id='{a}'] td")
    for index, text in ((0, "1"), (2, "3"), (3, "0"), (4, "0"), (5, "3"), (6, "Đạt")):
        expect(cells.nth(index)).to_have_text(text)
    expect(page.locator(f"#results tr[data-id='{b}'] td").last).to_have_text("Không đạt")
    expect(page.locator(f"#results tr[data-id='{c}'] td").nth(2)).to_have_text("2")
    expect(page.locator(f"#results tr[data-id='{c}'] td").last).to_have_text("Không đạt")
    expect(page.locator("#passed-count")).to_have_text("1/3")
    expect(page.locator("#quorum-result")).to_contain_text("Phiên họp đủ điều kiện tiến hành.")
    assert [_state(live, n) for n in (a, b, c)] == [S.COUNCIL_APPROVED, S.REJECTED, S.REJECTED]
    shot(page, "council-results", full_page=True)

    # The minutes download as a PDF.
    with page.expect_download() as info:
        page.click("#minutes-pdf")
    assert Path(info.value.path()).read_bytes()[:5] == b"%PDF-"
    assert info.value.suggested_filename == f"bien-ban-phien-hop-{session_id}.pdf"

    # After closing, a member sees the totals, still nobody's choice.
    m1.goto(f"/council/{session_id}")
    expect(m1.locator(f"#results tr[data-id='{a}'] td").last).to_have_text("Đạt")
    assert m1.locator("input[type=radio]").count() == 0
    with live.db.read() as s:  # ballots leave no audit event on the dossier
        triggers = set(
            s.execute(select(AuditEvent.trigger).where(AuditEvent.nomination_id == a)).scalars()
        )
    assert "pass_vote" in triggers and not {"ballot", "cast_ballot"} & triggers
    assert alerts == []


def test_a_member_sees_a_closed_session_without_ballot_or_secretary_controls(
    page: Page, live: LiveServer
) -> None:
    _login(page, live, "dienbien.member3")
    page.goto("/council")
    closed = page.locator("#sessions tr[data-status=closed] a").first
    closed.click()
    expect(page.locator("#session-status")).to_have_text("Đã kết thúc")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("form.ballot-form")).to_have_count(0)
    expect(page.locator("#close, #attendance form, #set-agenda")).to_have_count(0)
