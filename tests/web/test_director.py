"""The director's desk in real Chromium on the demo: decide awards within the department's
authority with a number and date (validation keeps what was typed), sign and submit a batch
upward, download the documents; no button and a readable refusal for what may not be done."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.web.support import LiveServer

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import (
    Award,
    Campaign,
    CampaignVersion,
    Evidence,
    Nomination,
    Person,
    RoleGrant,
    Round,
    Submission,
    User,
)
from awardflow.services import council, nominations
from awardflow.services.actors import actor_for_user
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.states import Actor, NominationState, Role, Trigger

XSS = "<script>alert(1)</script>"
CAMPAIGN = "dien-bien-gddt-dmst-2026"


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


def _user(s: Session, role: Role, index: int = 0) -> tuple[Actor, int]:
    """A dienbien demo user holding ``role`` (by user name) and the unit of that grant."""
    rows = s.execute(
        select(User.id, RoleGrant.unit_id)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == role, User.username.startswith("dienbien."))
        .order_by(User.username)
    ).all()
    user_id, unit_id = rows[index]
    return actor_for_user(s, user_id), unit_id


def _approved_upward(s: Session, ctx: ServiceContext, count: int) -> list[int]:
    """``count`` council-approved Bằng khen nominations of the midterm round (beyond the Sở's
    authority), made the way people would: draft, propose, appraise, council vote."""
    camp = s.execute(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
    rnd = s.execute(
        select(Round).where(Round.campaign_id == camp.id, Round.code == "midterm-2027")
    ).scalar_one()
    award = s.execute(
        select(Award).where(Award.campaign_id == camp.id, Award.code == "bang_khen_tinh")
    ).scalar_one()
    definition = (
        s.execute(
            select(CampaignVersion.definition)
            .where(CampaignVersion.campaign_id == camp.id)
            .order_by(CampaignVersion.version.desc())
        )
        .scalars()
        .first()
    )
    criteria = [c["code"] for c in (definition or {})["criteria"]["individual"]]
    supervisor, _ = _user(s, Role.SUPERVISOR)
    appraiser, _ = _user(s, Role.APPRAISER)
    t0 = rnd.opens + timedelta(days=20)
    ids = []
    for i in range(count):
        clerk, unit_id = _user(s, Role.UNIT_CLERK, 2 * i)
        head, _ = _user(s, Role.UNIT_HEAD, 2 * i)
        person = Person(
            code=f"w4-upward-{i}", full_name=f"Nguyễn Văn Trình {i + 1}", unit_id=unit_id
        )
        s.add(person)
        s.flush()
        nom = nominations.create_draft(
            s, ctx, clerk, round_id=rnd.id, award_id=award.id, unit_id=unit_id,
            nominee_kind="individual", person_id=person.id,
            achievement="Dẫn dắt chuyển đổi số trong nhà trường", now=_at(t0),
        )  # fmt: skip
        body = f"report {nom.id}".encode()
        nominations.attach_evidence(
            s, ctx, nom.id, clerk,
            Evidence(sha256=hashlib.sha256(body).hexdigest(), filename="bao-cao.pdf",
                     content_type="application/pdf", size=len(body), kind="achievement_report"),
            now=_at(t0),
        )  # fmt: skip
        nominations.override_eligibility(
            s, ctx, nom.id, supervisor, "Thành tích đột xuất, Hội đồng xem xét", now=_at(t0)
        )
        transition(s, ctx, nom.id, Trigger.PROPOSE, head, now=_at(t0 + timedelta(days=1)))
        transition(s, ctx, nom.id, Trigger.CLAIM, appraiser, now=_at(t0 + timedelta(days=2)))
        for code in criteria:
            nominations.record_criterion(
                s, ctx, nom.id, appraiser, code, True, "Đạt", now=_at(t0 + timedelta(days=2))
            )
        transition(
            s, ctx, nom.id, Trigger.RECOMMEND, appraiser, comment="Đủ điều kiện",
            now=_at(t0 + timedelta(days=3)),
        )  # fmt: skip
        ids.append(nom.id)
    secretary, _ = _user(s, Role.COUNCIL_SECRETARY)
    director, _ = _user(s, Role.DIRECTOR)
    members = [director.user_id] + [
        _user(s, Role.COUNCIL_MEMBER, i)[0].user_id for i in range(1, 5)
    ]
    day = t0 + timedelta(days=10)
    row = council.create_session(
        s, ctx, secretary, round_id=rnd.id, name="Phiên họp xét trình cấp trên",
        member_user_ids=[m for m in members if m is not None],
        chair_user_id=director.user_id or 0, secretary_user_id=secretary.user_id or 0,
        now=_at(day),
    )  # fmt: skip
    scheduled = council.open_session(s, ctx, secretary, row.id, now=_at(day))
    assert set(ids) <= set(scheduled)
    for uid in members:
        assert uid is not None
        council.record_attendance(s, ctx, secretary, row.id, uid, True, now=_at(day))
    for nid in scheduled:
        for uid in members:
            assert uid is not None
            voter = actor_for_user(s, uid)
            council.cast_ballot(s, ctx, voter, row.id, nid, "agree", now=_at(day, 10))
    council.close_session(s, ctx, secretary, row.id, now=_at(day, 11))
    return ids


@pytest.fixture(scope="module")
def upward(live: LiveServer) -> list[int]:
    ctx = ServiceContext.from_settings(live.settings)
    with live.db.write() as s:
        return _approved_upward(s, ctx, 2)


def _nom(live: LiveServer, nomination_id: int) -> Nomination:
    with live.db.read() as s:
        found = s.get(Nomination, nomination_id)
        assert found is not None
        return found


def _download(page: Page, href: str) -> tuple[str, bytes]:
    response = page.request.get(href)
    assert response.status == 200, href
    return response.headers["content-type"], response.body()


def test_director_decides_an_award_with_number_and_date(
    page: Page, login_as: Callable[..., Any], live: LiveServer, shot: Callable[..., Any]
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login_as("director")
    page.goto("/director")
    expect(page.locator("h1")).to_have_text("Quyết định và trình khen thưởng")
    expect(page.locator("#count-decide")).to_have_text("2")
    form = page.locator("#decide form.decide-form").first
    expect(form.locator("tbody tr").first).to_contain_text("Hội đồng thông qua")
    shot(page, "director-desk", full_page=True)

    first = form.locator("input[name=ids]").first
    nomination_id = int(first.get_attribute("value") or 0)
    first.check()
    form.locator("input[name=decision_number]").fill(XSS)
    form.locator("input[name=decision_date]").fill("")
    form.evaluate("f => { f.noValidate = true; }")  # the server's check, not the browser's
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    form = page.locator("#decide form.decide-form").first
    expect(form.locator(".error-text")).to_contain_text("Hãy nhập ngày quyết định.")
    expect(form.locator("input[name=decision_number]")).to_have_value(XSS)
    expect(form.locator(f"#pick-{nomination_id}")).to_be_checked()
    assert _nom(live, nomination_id).state is NominationState.COUNCIL_APPROVED

    today = local_date(datetime.now(UTC))
    form.locator("input[name=decision_number]").fill("125/QĐ-SGDĐT")
    form.locator("input[name=decision_date]").fill(today.isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Đã quyết định khen thưởng 1 hồ sơ theo Quyết định số 125/QĐ-SGDĐT."
    )
    expect(page.locator("#count-decide")).to_have_text("1")
    decided = _nom(live, nomination_id)
    assert decided.state is NominationState.AWARDED
    assert (decided.decision_number, decided.decision_date) == ("125/QĐ-SGDĐT", today)
    row = page.locator("#decisions tbody tr", has_text="125/QĐ-SGDĐT")
    expect(row).to_contain_text(today.strftime("%d/%m/%Y"))
    media, body = _download(page, row.locator("a").first.get_attribute("href") or "")
    assert media == "application/pdf" and body.startswith(b"%PDF")
    assert dialogs == []


def test_director_signs_and_submits_a_batch_upward(
    page: Page,
    login_as: Callable[..., Any],
    live: LiveServer,
    upward: list[int],
    shot: Callable[..., Any],
) -> None:
    login_as("director")
    page.goto("/director")
    expect(page.locator("#count-submit")).to_have_text("2")
    card = page.locator("#submit .card").first
    expect(card.locator("h3")).to_contain_text("Sở Nội vụ")
    expect(card.locator("tbody tr")).to_have_count(2)
    expect(card.locator("input[name=ids]")).to_have_count(0)  # no decide box beyond authority
    card.locator("input[name=signed]").check()
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Đã ký tờ trình và trình 2 hồ sơ lên cấp có thẩm quyền."
    )
    expect(page.locator("#count-submit")).to_have_text("0")
    assert {_nom(live, n).state for n in upward} == {NominationState.SUBMITTED}
    with live.db.read() as s:
        newest = s.execute(select(Submission).order_by(Submission.id.desc())).scalars().first()
        assert newest is not None
    box = page.locator(f"#submission-{newest.id}")
    expect(box.locator(".state-counts")).to_contain_text("Đã trình cấp trên 2")
    shot(page, "director-submissions")
    for name, media in (
        ("danh-sach.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("to-trinh.pdf", "application/pdf"),
    ):
        got, body = _download(page, f"/director/submissions/{newest.id}/{name}")
        assert got == media and len(body) > 1000


def test_forbidden_decisions_show_the_reason_and_no_button(
    page: Page, login_as: Callable[..., Any], live: LiveServer
) -> None:
    with live.db.read() as s:
        camp = s.execute(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        submitted = s.execute(
            select(Nomination.id, Nomination.round_id).where(
                Nomination.campaign_id == camp.id, Nomination.state == NominationState.SUBMITTED
            )
        ).first()
    assert submitted is not None
    login_as("authority")
    page.goto("/director")
    expect(page.locator("h1")).to_have_text("Không được phép")
    expect(page.locator("main")).to_contain_text("Giám đốc / Chủ tịch Hội đồng")

    page.context.clear_cookies()
    login_as("director")
    page.goto("/director")
    expect(page.locator(f"#pick-{submitted[0]}")).to_have_count(0)
    token = page.get_attribute("meta[name=csrf-token]", "content") or ""
    forced = page.request.post(
        "/director/decide",
        form={
            "csrf_token": token,
            "round_id": str(submitted[1]),
            "ids": str(submitted[0]),
            "decision_number": "9/QĐ",
            "decision_date": "2026-01-05",
        },
    )
    assert forced.status == 409
    page.set_content(forced.text())  # the page the browser would show
    expect(page.locator("#refused")).to_contain_text(
        f"Hồ sơ #{submitted[0]}: Không thể 'Quyết định khen thưởng' khi hồ sơ ở trạng thái"
    )
    assert _nom(live, submitted[0]).state is NominationState.SUBMITTED
    page.goto("/director?lang=en")
    expect(page.locator("h1")).to_have_text("Decisions and submissions")
    expect(page.locator("#submit-title")).to_have_text(
        "Submit upward (beyond the department's authority)"
    )
