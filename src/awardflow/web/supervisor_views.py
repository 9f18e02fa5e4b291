"""View models of the supervisor's dashboard (web/pages/supervisor.py): counts, the dossiers
that need attention, charts, workload, failed notifications and the deadline forecast.

Everything is read through ``services.queries`` (the API's dashboard) and the read-only
``db/repositories/web_supervisor.py`` with the actor's visibility filter, so the page and the
API always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import TZ, WorkingCalendar, local_date
from awardflow.db.models import Round
from awardflow.db.repositories import web_supervisor as repo
from awardflow.reports.charts import FUNNEL
from awardflow.services import queries
from awardflow.services.sweep import shift_working_days
from awardflow.services.visibility import campaign_filter, is_admin, nomination_filter
from awardflow.states import Actor, NominationState, Phase
from awardflow.states.lifecycle import PHASE_OF
from awardflow.web import charts
from awardflow.web.i18n import phase_label, role_label, state_label, t
from awardflow.web.supervisor_forecast import WINDOW, at_risk, project, window_days

S = NominationState
#: Forecast stages: (key, vi, en, states, the round's date that ends the stage).
STAGES: tuple[tuple[str, str, str, tuple[S, ...], str], ...] = (
    (
        "appraisal",
        "Thẩm định",
        "Appraisal",
        (S.PROPOSED, S.IN_APPRAISAL, S.RETURNED),
        "appraisal_due",
    ),
    ("council", "Hội đồng xét", "Council vote", (S.APPRAISED, S.IN_COUNCIL), "council_by"),
    (
        "submission",
        "Quyết định / trình cấp trên",
        "Decision or submission",
        (S.COUNCIL_APPROVED,),
        "submission_by",
    ),
)
AGING_LABELS = {"0-5": "0–5", "6-10": "6–10", "11-20": "11–20", ">20": "> 20"}
FUNNEL_EN = {
    "Tổng số hồ sơ": "All dossiers",
    "Đã đề nghị": "Proposed",
    "Qua thẩm định": "Appraised",
    "Hội đồng thông qua": "Approved by the council",
    "Được khen thưởng": "Awarded",
}
ATTENTION_LIMIT = 100


@dataclass(frozen=True, slots=True)
class WorkItem:
    row: repo.WorkRow
    age_days: int  # whole days in the current state
    idle_days: int  # whole days since anything happened to it
    overdue_days: int  # whole days past the deadline (0 when not overdue)

    @property
    def urgency(self) -> str:
        if self.row.stuck:
            return "stuck"
        return "overdue" if self.overdue_days > 0 else "ok"


@dataclass(frozen=True, slots=True)
class StageForecast:
    round_id: int
    round_name: str
    stage: str
    label: str
    deadline: date
    open_now: int
    done_in_window: int
    window_days: int
    days_left: int
    pace: float
    capacity: int
    will_miss: int
    at_risk: list[tuple[int, str]]


@dataclass
class Dashboard:
    total: int
    overdue: int
    stuck: int
    phases: list[dict[str, Any]]
    work: list[WorkItem]
    work_total: int
    show_all: bool
    aging_chart: Markup
    funnels: list[tuple[str, Markup]]
    workload: list[dict[str, Any]]
    appraisers: list[tuple[int, str]]
    failed: list[dict[str, Any]]
    forecast: list[StageForecast]
    rounds_ahead: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def work_item(row: repo.WorkRow, now: datetime) -> WorkItem:
    overdue = 0
    if row.due_at is not None and _aware(row.due_at) < now:
        overdue = max(1, (now - _aware(row.due_at)).days)
    return WorkItem(
        row=row,
        age_days=(now - _aware(row.state_entered_at)).days,
        idle_days=(now - _aware(row.last_activity_at)).days,
        overdue_days=overdue,
    )


def _phases(lang: str, by_state: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for phase in Phase:
        states = [s for s in S if PHASE_OF[s] is phase]
        out.append(
            {
                "key": phase.value,
                "label": phase_label(lang, phase),
                "count": sum(by_state.get(s.value, 0) for s in states),
                "states": [
                    {
                        "key": s.value,
                        "label": state_label(lang, s),
                        "count": by_state.get(s.value, 0),
                    }
                    for s in states
                ],
            }
        )
    return out


def aging_chart(lang: str, aging: dict[str, int]) -> Markup:
    bars = [
        charts.Bar(AGING_LABELS.get(k, k), int(v), alert=k in ("11-20", ">20"))
        for k, v in aging.items()
    ]
    return charts.column_chart(
        "aging",
        t(
            lang,
            "Số hồ sơ đang xử lý theo số ngày ở trạng thái hiện tại",
            "Open dossiers by days in their current state",
        ),
        bars,
        empty=t(lang, "Không có hồ sơ đang xử lý.", "No open dossiers."),
    )


def funnel_bars(lang: str, by_state: dict[str, int]) -> list[charts.Bar]:
    total = sum(by_state.values())
    bars = []
    for label, states in FUNNEL:
        n = total if states is None else sum(by_state.get(s, 0) for s in states)
        bars.append(charts.Bar(t(lang, label, FUNNEL_EN.get(label, label)), n))
    return bars


def _funnels(
    lang: str, per_round: dict[int, dict[str, int]], rounds: list[tuple[Round, str]]
) -> list[tuple[str, Markup]]:
    out = []
    for rnd, campaign in rounds:
        short = campaign if len(campaign) <= 50 else campaign[:49] + "…"
        title = f"{rnd.name} — {short}"
        chart = charts.funnel_chart(
            f"funnel-{rnd.id}",
            t(lang, f"Phễu hồ sơ: {title}", f"Dossier funnel: {title}"),
            funnel_bars(lang, per_round.get(rnd.id, {})),
            empty=t(lang, "Chưa có hồ sơ.", "No dossiers yet."),
        )
        out.append((title, chart))
    return out


def _workload(
    counts: list[dict[str, Any]], appraisers: list[tuple[int, str]], names: dict[int, str]
) -> list[dict[str, Any]]:
    by_user = {int(c["user_id"]): c for c in counts}
    rows = []
    for uid, name in appraisers:
        c = by_user.pop(uid, {})
        rows.append({"user_id": uid, "name": name, **_load(c)})
    for uid, c in by_user.items():  # assigned to someone no longer an appraiser of the office
        rows.append({"user_id": uid, "name": names.get(uid, f"#{uid}"), **_load(c)})
    return sorted(rows, key=lambda r: (-r["open"], r["name"]))


def _load(c: dict[str, Any]) -> dict[str, int]:
    return {k: int(c.get(k, 0)) for k in ("open", "overdue", "stuck")}


def _failed(lang: str, rows: list[repo.FailedRow]) -> list[dict[str, Any]]:
    out = []
    for f in rows:
        role = role_label(lang, f.row.recipient_role) if f.row.recipient_role else ""
        recipient = f.user or (f"{role} — {f.unit}" if f.unit else role)
        out.append(
            {
                "id": f.row.id,
                "kind": f.row.kind,
                "nomination_id": f.row.nomination_id,
                "nominee": f.nominee,
                "attempts": f.row.attempts,
                "error": f.row.last_error or "",
                "created_at": f.row.created_at,
                "recipient": recipient,
            }
        )
    return out


def _window_start(cal: WorkingCalendar, today: date, days: int) -> datetime:
    first = shift_working_days(cal, today, -(days - 1)) if days > 1 else today
    first = min(first, today)
    return datetime.combine(first, time(0), tzinfo=TZ).astimezone(UTC)


def forecast(
    session: Session,
    actor: Actor,
    cal: WorkingCalendar,
    now: datetime,
    lang: str,
    rounds: list[tuple[Round, str]],
    per_round: dict[int, dict[str, int]],
) -> list[StageForecast]:
    """Per round and stage with a deadline still ahead and dossiers still in it: the
    projection of ``supervisor_forecast`` (see its docstring for the method)."""
    where = nomination_filter(actor)
    today = local_date(now)
    out: list[StageForecast] = []
    wanted: list[tuple[Round, tuple[str, str, str, tuple[S, ...], str], date, int]] = []
    for rnd, _ in rounds:
        if rnd.closed_at is not None:
            continue
        counts = per_round.get(rnd.id, {})
        for stage in STAGES:
            deadline = getattr(rnd, stage[4])
            open_now = sum(counts.get(s.value, 0) for s in stage[3])
            if deadline is None or deadline < today or open_now == 0:
                continue
            wanted.append((rnd, stage, deadline, open_now))
    exits: dict[tuple[int, datetime], list[tuple[int, str, str, int]]] = {}
    for rnd, (key, vi, en, states, _), deadline, open_now in wanted:
        days = window_days(cal.working_days_between(rnd.opens, today), WINDOW)
        start = _window_start(cal, today, days)
        if (rnd.id, start) not in exits:
            exits[(rnd.id, start)] = repo.exits_since(session, where, [rnd.id], start)
        names = {s.value for s in states}
        done = sum(
            n for _, frm, to, n in exits[(rnd.id, start)] if frm in names and to not in names
        )
        days_left = cal.working_days_between(today - timedelta(days=1), deadline)
        p = project(open_now, done, days, days_left)
        risky = at_risk(repo.stage_queue(session, where, rnd.id, states), p.will_miss)
        out.append(
            StageForecast(
                round_id=rnd.id,
                round_name=rnd.name,
                stage=key,
                label=t(lang, vi, en),
                deadline=deadline,
                open_now=p.open_now,
                done_in_window=p.done_in_window,
                window_days=p.window_days,
                days_left=p.days_left,
                pace=p.pace,
                capacity=p.capacity,
                will_miss=p.will_miss,
                at_risk=risky,
            )
        )
    return out


def dashboard(
    session: Session,
    actor: Actor,
    cal: WorkingCalendar,
    now: datetime,
    lang: str,
    *,
    show_all: bool = False,
) -> Dashboard:
    where = nomination_filter(actor)
    counts = queries.dashboard(session, actor, now)
    work_rows, work_total = repo.work_rows(
        session, where, now, attention_only=not show_all, limit=ATTENTION_LIMIT
    )
    per_round: dict[int, dict[str, int]] = defaultdict(dict)
    for rid, state, n in repo.counts_by_round_state(session, where):
        per_round[rid][state.value] = n
    rounds = repo.rounds(session, per_round)
    appraisers = repo.appraisers(session, campaign_filter(actor, with_office=True))
    names = repo.user_names(session, [int(c["user_id"]) for c in counts["by_assignee"]])
    failed = repo.failed_notifications(session, where, include_unlinked=is_admin(actor))
    return Dashboard(
        total=sum(counts["by_state"].values()),
        overdue=int(counts["overdue"]),
        stuck=int(counts["stuck"]),
        phases=_phases(lang, counts["by_state"]),
        work=[work_item(r, now) for r in work_rows],
        work_total=work_total,
        show_all=show_all,
        aging_chart=aging_chart(lang, counts["aging_days"]),
        funnels=_funnels(lang, per_round, rounds),
        workload=_workload(counts["by_assignee"], appraisers, names),
        appraisers=appraisers,
        failed=_failed(lang, failed),
        forecast=forecast(session, actor, cal, now, lang, rounds, per_round),
    )
