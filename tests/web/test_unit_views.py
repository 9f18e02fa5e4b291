"""The W2 view models without a browser: urgency by working days, what a draft form keeps and
sends, and the appraiser filters' query strings."""

from __future__ import annotations

from datetime import UTC, datetime

from awardflow.campaigns.calendar import WorkingCalendar
from awardflow.web.appraiser_views import Filters
from awardflow.web.nomination_views import urgency
from awardflow.web.unit_views import DraftForm

CAL = WorkingCalendar()
#: Friday 27 November 2026, 09:00 in Hanoi.
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_urgency_counts_working_days_and_the_vietnamese_day() -> None:
    assert urgency(None, NOW, CAL) is None
    assert urgency(datetime(2026, 11, 27, 1, 59, tzinfo=UTC), NOW, CAL) == "overdue"
    # 23:59 Hanoi time today is still today, though it is the same UTC day only by chance
    assert urgency(datetime(2026, 11, 27, 16, 59, tzinfo=UTC), NOW, CAL) == "today"
    # Wednesday 2 December is three working days away (the weekend does not count): soon
    assert urgency(datetime(2026, 12, 2, 16, 59, tzinfo=UTC), NOW, CAL) == "soon"
    assert urgency(datetime(2026, 12, 3, 16, 59, tzinfo=UTC), NOW, CAL) is None
    # a naive moment from the database is UTC
    assert urgency(datetime(2026, 11, 26, 12, 0), NOW, CAL) == "overdue"


def test_draft_form_keeps_text_and_edits_only_its_own_fields() -> None:
    form = DraftForm.from_form(
        {
            "round_id": "7",
            "person_id": "12x",
            "nominee_kind": "collective",
            "achievement": "<b>giữ nguyên</b>",
            "achievement_key": "  tt-1 ",
            "initiative_ids": "sk-1; sk-2,, ",
            "unknown": "ignored",
        }
    )
    assert form.int_of("round_id") == 7 and form.int_of("person_id") is None
    assert form.kind().value == "collective"
    assert form.achievement == "<b>giữ nguyên</b>"
    base = {"achievement_key": "old", "other": 1}
    assert form.extra_fields(base) == {
        "achievement_key": "tt-1",
        "initiative_ids": ["sk-1", "sk-2"],
        "other": 1,
    }
    assert DraftForm(achievement_key="").extra_fields(base) == {"other": 1}
    assert DraftForm(nominee_name="x" * 301).too_long() is not None
    assert DraftForm(nominee_name="x" * 300).too_long() is None


def test_appraiser_filters_ignore_junk_and_keep_each_other_in_links() -> None:
    f = Filters.parse({"round": "3", "unit": "abc", "award": "-1", "page": "0", "qpage": "2"})
    assert (f.round_id, f.unit_id, f.award_id, f.page, f.qpage) == (3, None, None, 1, 2)
    assert f.link(page=2) == "?round=3&page=2&qpage=2"
    assert f.link(qpage=1) == "?round=3"
    assert Filters().link() == "?"
