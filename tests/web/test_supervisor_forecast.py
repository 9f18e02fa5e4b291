"""The supervisor's deadline forecast (pure arithmetic) and the server-side SVG charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from awardflow.web import charts
from awardflow.web.supervisor_forecast import at_risk, project, window_days

SVG = "{http://www.w3.org/2000/svg}"


def test_a_stage_on_pace_misses_nothing() -> None:
    # 10 left the stage in 10 working days: 1 a day; 6 days left finish all 5 open.
    p = project(open_now=5, done_in_window=10, window=10, days_left=6)
    assert (p.pace, p.capacity, p.will_miss) == (1.0, 6, 0)


def test_a_slow_stage_misses_what_its_pace_cannot_finish() -> None:
    # 3 in 10 days = 0.3 a day; 7 days left finish floor(2.1) = 2 of 8.
    p = project(open_now=8, done_in_window=3, window=10, days_left=7)
    assert (p.capacity, p.will_miss) == (2, 6)


def test_a_stalled_stage_misses_everything_and_exact_capacity_is_not_rounded_down() -> None:
    assert project(open_now=4, done_in_window=0, window=10, days_left=20).will_miss == 4
    # 13/3 × 27 is 116.99999999999999 in floating point: still exactly 117 dossiers.
    assert project(open_now=117, done_in_window=13, window=3, days_left=27).will_miss == 0


def test_deadline_today_counts_today_only() -> None:
    assert project(open_now=3, done_in_window=20, window=10, days_left=1).will_miss == 1
    assert project(open_now=3, done_in_window=20, window=10, days_left=0).will_miss == 3


def test_window_is_shortened_for_a_young_round_and_never_empty() -> None:
    assert window_days(45) == 10
    assert window_days(4) == 4
    assert window_days(0) == 1


@pytest.mark.parametrize(
    ("open_now", "done", "window", "left"), [(-1, 0, 1, 1), (1, -1, 1, 1), (1, 1, 0, 1)]
)
def test_nonsense_input_is_refused(open_now: int, done: int, window: int, left: int) -> None:
    with pytest.raises(ValueError, match=r"negative|at least one"):
        project(open_now, done, window, left)


def test_at_risk_names_the_end_of_the_queue() -> None:
    queue = ["a (due first)", "b", "c", "d (due last)"]
    assert at_risk(queue, 2) == ["c", "d (due last)"]
    assert at_risk(queue, 0) == []
    assert at_risk(queue, 9) == queue


def test_charts_are_accessible_svg_and_escape_labels() -> None:
    bars = [charts.Bar("0–5", 7), charts.Bar("<script>alert(1)</script>", 2, alert=True)]
    for svg in (
        charts.column_chart("c1", "Tuổi hồ sơ", bars),
        charts.funnel_chart("f1", "P", bars),
    ):
        root = ET.fromstring(str(svg))  # well-formed XML: nothing unescaped slipped in
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{root.get('id')}-t {root.get('id')}-d"
        desc = root.find(f"{SVG}desc")
        assert desc is not None and desc.text == "0–5: 7; <script>alert(1)</script>: 2."
        texts = [e.text for e in root.iter(f"{SVG}text")]
        assert "7" in texts and "<script>alert(1)</script>" in texts
        assert "<script>" not in str(svg)
        fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
        assert fills == {charts.BAR, charts.ALERT}


def test_an_empty_chart_says_so() -> None:
    svg = charts.column_chart("c2", "Tuổi hồ sơ", [charts.Bar("0–5", 0)], empty="Không có hồ sơ.")
    root = ET.fromstring(str(svg))
    assert [e.text for e in root.iter(f"{SVG}text")] == ["Không có hồ sơ."]
    assert not list(root.iter(f"{SVG}rect"))
