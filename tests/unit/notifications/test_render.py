"""Every message kind renders in Vietnamese and English under StrictUndefined; dates follow
Babel's vi_VN words; HTML escapes, text does not; retries back off with jitter."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from awardflow.notifications.kinds import (
    CONTEXT_OF,
    Context,
    DeadlineContext,
    DecisionContext,
    DigestContext,
    DigestTask,
    LifecycleContext,
    MessageKind,
    NominationFacts,
    ReasonContext,
    SummaryContext,
    VoteContext,
)
from awardflow.notifications.message import BadAddress, check_address, message_id
from awardflow.notifications.render import LANGUAGES, Language, language_of, render
from awardflow.services.notifications import backoff
from awardflow.settings import MailSettings

DUE = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội
FACTS = NominationFacts(
    id=42,
    nominee_name="Nguyễn Thị Lan",
    award_name="Bằng khen của Chủ tịch UBND tỉnh",
    unit_name="Trường THPT Chuyên Lê Quý Đôn",
    round_name="Năm học 2025–2026",
    campaign_title="Phong trào thi đua đổi mới sáng tạo",
    state="in_appraisal",
    due_at=DUE,
)
BASE: dict[str, Any] = {
    "nomination": FACTS,
    "actor_name": "Vũ Thị Mai",
    "comment": "Thiếu báo cáo thành tích",
}


def sample(cls: type[Context]) -> Context:
    if cls is ReasonContext:
        return ReasonContext(**BASE, reasons="Thiếu báo cáo thành tích <đã ký>")
    if cls is VoteContext:
        return VoteContext(**BASE, session_name="Phiên họp Hội đồng TĐKT", session_at=DUE)
    if cls is DecisionContext:
        return DecisionContext(
            **BASE, decision_number="123/QĐ-SGDĐT", decision_date=date(2026, 12, 20)
        )
    if cls is LifecycleContext:
        return LifecycleContext(**BASE)
    if cls is DeadlineContext:
        return DeadlineContext(FACTS, level=1, due_at=DUE, expected_action="in_appraisal")
    if cls is SummaryContext:
        return SummaryContext(summary_id=3, title="Sơ kết giai đoạn 1", has_attachment=True)
    assert cls is DigestContext
    task = DigestTask(42, "Nguyễn Thị Lan", "Giấy khen", "in_appraisal", DUE, "in_appraisal")
    return DigestContext(day=date(2026, 11, 9), tasks=(task,))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_renders_in_both_languages(kind: MessageKind, lang: Language) -> None:
    out = render(
        kind, lang, sample(CONTEXT_OF[kind]), user_name="Phạm Thu Hà", base_url="http://af/"
    )
    assert out.subject and "\n" not in out.subject
    assert out.link.startswith("http://af/")
    assert out.link in out.text and f'href="{out.link}"' in out.html
    assert out.html.lstrip().startswith("<!DOCTYPE html>")
    greeting = "Kính gửi Phạm Thu Hà" if lang == "vi" else "Dear Phạm Thu Hà"
    assert greeting in out.text


def test_every_kind_has_a_context_class() -> None:
    assert set(CONTEXT_OF) == set(MessageKind)


def test_vietnamese_dates_and_escaping() -> None:
    out = render(
        MessageKind.RETURNED,
        "vi",
        sample(ReasonContext),
        user_name="Phạm Thu Hà",
        base_url="http://af",
    )
    assert out.subject == "Hồ sơ bị trả lại để bổ sung: Nguyễn Thị Lan"
    assert "17:00 ngày 10 tháng 11 năm 2026" in out.text
    assert "Thiếu báo cáo thành tích <đã ký>" in out.text
    assert "Thiếu báo cáo thành tích &lt;đã ký&gt;" in out.html
    assert "http://af/nominations/42" in out.text


def test_english_deadline_names_action_and_date() -> None:
    out = render(
        MessageKind.DEADLINE_DUE, "en", sample(DeadlineContext), user_name="A", base_url="x"
    )
    assert "appraise" in out.text and "10 November 2026" in out.text


def test_language_defaults_to_vietnamese() -> None:
    assert language_of(None) == "vi" and language_of("fr") == "vi" and language_of("en") == "en"


def test_message_id_is_stable_per_row_and_user() -> None:
    a = message_id(7, "n1:e2:proposed:appraiser@3", 5, "af.test")
    assert a == message_id(7, "n1:e2:proposed:appraiser@3", 5, "af.test")
    assert a.startswith("<outbox-7-") and a.endswith("-u5@af.test>")
    assert a != message_id(7, "n1:e2:proposed:appraiser@3", 6, "af.test")


@pytest.mark.parametrize("bad", [None, "", "no-at-sign", "a@b", "x y@z.vn", "a@-b.vn"])
def test_bad_addresses_are_refused(bad: str | None) -> None:
    with pytest.raises(BadAddress):
        check_address(bad)


def test_backoff_doubles_with_bounded_jitter() -> None:
    mail = MailSettings(retry_base_seconds=60, retry_max_seconds=600, retry_jitter=0.25)
    rng = random.Random(1)
    for attempts, base in ((1, 60), (2, 120), (3, 240), (4, 480), (5, 600), (9, 600)):
        delay = backoff(attempts, mail, rng)
        assert timedelta(seconds=base) <= delay <= timedelta(seconds=base * 1.25)
