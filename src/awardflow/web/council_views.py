"""View models of the council pages (web/pages/council.py): the session list, one session as
its secretary or a member sees it, and the results read from the minutes after closing.

Secrecy: while a session sits, nothing here reads the ballot counters; a member's page learns
only *that* she voted on an item (her receipt). After closing, the totals come from the stored
minutes, which never name a voter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.repositories import council as council_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_council as repo
from awardflow.services.visibility import campaign_filter, nomination_filter
from awardflow.states import Actor, NominationState, Role
from awardflow.web.i18n import t

STATUS = {
    "planned": ("Dự kiến", "Planned"),
    "open": ("Đang họp", "In session"),
    "closed": ("Đã kết thúc", "Closed"),
}
SEATS = {"chair": ("Chủ tịch Hội đồng", "Chair"), "member": ("Ủy viên", "Member")}
CHOICES = (
    ("agree", "Đồng ý", "Agree"),
    ("disagree", "Không đồng ý", "Disagree"),
    ("abstain", "Không biểu quyết", "Abstain"),
)
OUTCOMES = {
    "passed": ("Đạt", "Passed"),
    "failed": ("Không đạt", "Not passed"),
    "postponed": ("Hoãn xét", "Postponed"),
    "over_quota": ("Đạt số phiếu nhưng vượt chỉ tiêu", "Passed the vote but over the quota"),
}


def status_label(lang: str, status: str) -> str:
    vi, en = STATUS.get(status, (status, status))
    return t(lang, vi, en)


def can_manage(session: Session, actor: Actor, organiser_unit_id: int, campaign_id: int) -> bool:
    """Is the actor the council's secretary for this campaign (``services.council``'s rule)?"""
    path = org_repo.unit_path(session, organiser_unit_id)
    return actor.holds(Role.COUNCIL_SECRETARY, path, campaign_id)


@dataclass
class SessionList:
    rows: list[dict[str, Any]]
    can_create: bool
    rounds: list[tuple[int, str]] = field(default_factory=list)
    members: list[tuple[int, str]] = field(default_factory=list)


def session_list(session: Session, actor: Actor, lang: str) -> SessionList:
    campaigns = campaign_filter(actor)
    rows = []
    for r in repo.sessions(session, campaigns):
        me = actor.user_id is not None and (
            council_repo.member(session, r.session.id, actor.user_id) is not None
        )
        rows.append(
            {
                "id": r.session.id,
                "name": r.session.name,
                "status": r.session.status,
                "status_label": status_label(lang, r.session.status),
                "round": r.round_name,
                "campaign": r.campaign_title,
                "members": r.members,
                "agenda": r.agenda,
                "opened_at": r.session.opened_at,
                "closed_at": r.session.closed_at,
                "is_member": me,
            }
        )
    managed = [
        (rnd, title)
        for rnd, title in repo.open_rounds(session, campaigns)
        if can_manage(session, actor, rnd.campaign.organiser_unit_id, rnd.campaign_id)
    ]
    waiting = repo.appraised_per_round(session, [r.id for r, _ in managed])
    managed.sort(key=lambda rt: -waiting.get(rt[0].id, 0))  # rounds with work first
    rounds = []
    for rnd, title in managed:
        n = waiting.get(rnd.id, 0)
        short = title if len(title) <= 60 else title[:57] + "…"
        rounds.append(
            (
                rnd.id,
                t(
                    lang,
                    f"{rnd.name} ({n} hồ sơ chờ xét) — {short}",
                    f"{rnd.name} ({n} awaiting) — {short}",
                ),
            )
        )
    members = repo.eligible_members(session, campaigns) if rounds else []
    return SessionList(rows=rows, can_create=bool(rounds), rounds=rounds, members=members)


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    position: int
    outcome: str | None
    dossier: repo.DossierSummary
    on_agenda: bool  # still before the council (a deferred item is back to appraised)
    ballots: int  # how many voted, never what
    voted: bool  # the reader has a receipt for it
    required: int  # yes-votes the award needs, of all members


@dataclass
class SessionView:
    id: int
    name: str
    status: str
    status_label: str
    round_id: int
    round_name: str
    campaign: str
    quorum: float
    needed: int
    chair: str | None
    secretary: str | None
    members: list[dict[str, Any]]
    present: int
    is_secretary: bool
    is_member: bool
    my_attendance: bool | None  # None: not recorded
    agenda: list[AgendaEntry]
    awaiting: list[repo.DossierSummary]
    other_open: str | None  # another open session of the round (blocks opening this one)
    results: dict[str, Any] | None

    @property
    def absent_options(self) -> list[tuple[int, str]]:
        """Members not recorded as present: whose written vote the secretary may enter."""
        return [(m["user_id"], m["name"]) for m in self.members if not m["present"]]

    @property
    def item_options(self) -> list[tuple[int, str]]:
        return [(a.dossier.id, a.dossier.nominee) for a in self.agenda if a.on_agenda]


def session_view(session: Session, actor: Actor, session_id: int, lang: str) -> SessionView | None:
    """One session as the actor may see it; None when it is out of the actor's scope."""
    row = repo.session_row(session, campaign_filter(actor), session_id)
    if row is None:
        return None
    c = row.session
    secretary = can_manage(session, actor, row.organiser_unit_id, row.campaign_id)
    members = repo.members(session, c.id)
    attendance = repo.attendance(session, c.id)
    written = repo.written_voters(session, c.id)
    me = actor.user_id
    is_member = any(uid == me for uid, _, _ in members)
    voted = repo.voted_items(session, c.id, me) if me is not None and is_member else set()
    cast = repo.ballots_per_item(session, c.id)
    agenda: list[AgendaEntry] = []
    for item, d in repo.agenda(session, c.id):
        agenda.append(
            AgendaEntry(
                position=item.position,
                outcome=item.outcome,
                dossier=d,
                on_agenda=d.state is NominationState.IN_COUNCIL,
                ballots=cast.get(d.id, 0),
                voted=d.id in voted,
                required=math.ceil(d.threshold * len(members) - 1e-9),
            )
        )
    on_agenda = {a.dossier.id for a in agenda if a.on_agenda}
    awaiting = []
    if secretary and c.status != "closed":
        awaiting = repo.awaiting(session, nomination_filter(actor), c.round_id, on_agenda)
    other = council_repo.open_session_for_round(session, c.round_id)
    present = sum(1 for p, _ in attendance.values() if p)
    return SessionView(
        id=c.id,
        name=c.name,
        status=c.status,
        status_label=status_label(lang, c.status),
        round_id=c.round_id,
        round_name=row.round_name,
        campaign=row.campaign_title,
        quorum=c.quorum,
        needed=math.ceil(c.quorum * len(members) - 1e-9),
        chair=repo.user_name(session, c.chair_user_id),
        secretary=repo.user_name(session, c.secretary_user_id),
        members=[
            {
                "user_id": uid,
                "name": name,
                "seat": t(lang, *SEATS.get(seat, (seat, seat))),
                "present": attendance.get(uid, (None, False))[0],
                "written": attendance.get(uid, (None, False))[1],
                "written_items": sorted(written.get(uid, set())),
            }
            for uid, name, seat in members
        ],
        present=present,
        is_secretary=secretary,
        is_member=is_member,
        my_attendance=attendance.get(me, (None, False))[0] if me is not None else None,
        agenda=agenda,
        awaiting=awaiting,
        other_open=other.name if other is not None and other.id != c.id else None,
        results=results(session, c.minutes, row.campaign_id, row.organiser_unit_id, lang)
        if c.status == "closed" and c.minutes
        else None,
    )


def results(
    session: Session,
    minutes: dict[str, Any],
    campaign_id: int,
    organiser_unit_id: int,
    lang: str,
) -> dict[str, Any]:
    """Tallies, outcomes and the ranking against each award's quota, from the minutes."""
    names = repo.nominee_names(session, [i["nomination_id"] for i in minutes["items"]])
    awards = repo.awards_by_code(session, campaign_id)
    participants = org_repo.participants_under(
        session, org_repo.unit_path(session, organiser_unit_id)
    )
    groups: dict[str, dict[str, Any]] = {}
    for item in minutes["items"]:
        code = item["award"]
        award = awards.get(code)
        group = groups.setdefault(
            code,
            {
                "code": code,
                "name": award.name if award else code,
                "threshold": award.threshold if award else None,
                "quota": (
                    math.floor(participants * award.quota_percent / 100)
                    if award and award.quota_percent is not None
                    else None
                ),
                "quota_percent": award.quota_percent if award else None,
                "items": [],
                "passed": 0,
            },
        )
        nominee, unit, _ = names.get(item["nomination_id"], (item["nominee"], "", ""))
        vi, en = OUTCOMES.get(item["outcome"], (item["outcome"], item["outcome"]))
        group["items"].append(
            {**item, "nominee": nominee, "unit": unit, "outcome_label": t(lang, vi, en)}
        )
        group["passed"] += item["outcome"] == "passed"
    for group in groups.values():
        group["items"].sort(
            key=lambda i: (i["rank"] is None, i["rank"] or 0, -i["agree"], i["nomination_id"])
        )
    return {
        "members": minutes["members"],
        "present": minutes["present"],
        "quorum": minutes["quorum"],
        "quorum_met": minutes["quorum_met"],
        "needed": math.ceil(float(minutes["quorum"]) * int(minutes["members"]) - 1e-9),
        "awards": list(groups.values()),
        "passed": sum(g["passed"] for g in groups.values()),
        "total": len(minutes["items"]),
    }
