"""Dates, numbers and labels the way Vietnamese readers write them (no browser needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from awardflow.settings import WebSettings
from awardflow.states import NominationState, Phase, Role, Trigger
from awardflow.web import i18n
from awardflow.web.deps import safe_next
from awardflow.web.render import RenderState, render_html
from awardflow.web.session import SessionCodec, WebSession


def test_dates_are_dd_mm_yyyy_in_vietnam_time() -> None:
    evening_utc = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 on 1 January in Hà Nội
    assert i18n.fmt_date(evening_utc) == "01/01/2027"
    assert i18n.fmt_datetime(evening_utc) == "01/01/2027 01:30"
    assert i18n.fmt_datetime(datetime(2026, 3, 5, 2, 0)) == "05/03/2026 09:00"  # naive = UTC
    assert i18n.fmt_date(date(2026, 11, 10), "en") == "10/11/2026"
    assert i18n.fmt_date(None) == ""


def test_numbers_use_the_readers_separators() -> None:
    assert i18n.fmt_number(1234567) == "1.234.567"
    assert i18n.fmt_number(1234.5, "vi", 1) == "1.234,5"
    assert i18n.fmt_number(1234.5, "en", 1) == "1,234.5"


def test_labels_come_from_the_lifecycle_vocabulary() -> None:
    assert i18n.state_label("vi", NominationState.IN_APPRAISAL) == "Đang thẩm định"
    assert i18n.state_label("en", "in_appraisal") == "In appraisal"
    assert i18n.trigger_label("vi", Trigger.RETURN_TO_UNIT) == "Trả lại đơn vị"
    assert i18n.role_label("en", Role.COUNCIL_SECRETARY) == "Council secretary"
    assert i18n.phase_label("vi", Phase.COUNCIL) == "Hội đồng xét"
    assert i18n.state_label("vi", "no-such-state") == "no-such-state"


def test_templates_escape_and_translate() -> None:
    html = render_html(
        "errors/_box.html",
        {
            "message_vi": "<script>alert(1)</script> lỗi",
            "message_en": "<b>error</b>",
            "reasons": [],
            "title_vi": "Không được",
            "title_en": "No",
        },
        RenderState(lang="en"),
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;error&lt;/b&gt;" in html and "No" in html


def test_only_local_next_paths() -> None:
    assert safe_next("/inbox?show=unread") == "/inbox?show=unread"
    for bad in ("//evil.example", "https://evil.example/", "/\\evil", "inbox", "", None, "/a\nb"):
        assert safe_next(bad) == "/"


def test_a_tampered_or_expired_session_is_a_new_anonymous_one() -> None:
    codec = SessionCodec(WebSettings(secret_key="k" * 32, session_max_age_minutes=1))
    session = WebSession()
    session.login(42)
    value = codec.cookie(session).split(";")[0].split("=", 1)[1]
    loaded, _ = codec.decode(value)
    assert loaded.user_id == 42 and loaded.csrf == session.csrf
    forged, _ = codec.decode(value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert forged.user_id is None
    other = SessionCodec(WebSettings(secret_key="x" * 32))
    assert other.decode(value)[0].user_id is None
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2)):
        assert codec.decode(value)[0].user_id is None  # older than session_max_age_minutes
