"""Council sessions (Hội đồng TĐKT): members, attendance, agenda, secret ballots, and closing.

Secret by construction: a ballot writes a receipt (who voted on which item, to stop double
votes) and increments a counter (what was chosen); nothing links the two, and ballots leave no
audit event on the nomination. Closing applies quorum, each award's threshold as a fraction of
ALL members, and the award's percentage quota for the round (ranked by yes-votes; the chair
breaks a tie at the cut-off), then fires pass_vote / fail_vote / postpone through the
transition service as the system. Opening and closing move every item in one transition batch
(``transition_batch.transition_all``); any refusal aborts the whole step, as one failing
``transition`` call did.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import (
    Attendance,
    Award,
    CouncilMember,
    CouncilSession,
)
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import council as repo
from awardflow.db.repositories import nominations as noms_repo
from awardflow.db.repositories import org as org_repo
from awardflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from awardflow.services.context import ServiceContext
from awardflow.services.transition_batch import BatchItem, transition_all
from awardflow.states import Actor, NominationState, Role, Trigger

CHOICES = ("agree", "disagree", "abstain")
EPS = 1e-9


def _organiser_path(session: Session, round_id: int) -> tuple[str, int]:
    rnd = campaigns_repo.round_(session, round_id)
    if rnd is None:
        raise NotFound("Không có đợt xét này.", "No such round.", field="round_id")
    campaign = campaigns_repo.campaign(session, rnd.campaign_id)
    assert campaign is not None
    return org_repo.unit_path(session, campaign.organiser_unit_id), campaign.id


def _require_secretary(session: Session, actor: Actor, round_id: int) -> None:
    path, campaign_id = _organiser_path(session, round_id)
    if not (actor.is_system or actor.holds(Role.COUNCIL_SECRETARY, path, campaign_id)):
        raise Forbidden(
            "Chỉ thư ký Hội đồng mới làm được việc này.", "Only the council secretary may do this."
        )


def _get(session: Session, session_id: int, *, lock: bool = False) -> CouncilSession:
    found = (repo.lock_session if lock else repo.get_session)(session, session_id)
    if found is None:
        raise NotFound("Không có phiên họp này.", "No such council session.", field="session_id")
    return found


def _default_quorum(session: Session, round_id: int) -> float:
    rnd = campaigns_repo.round_(session, round_id)
    version = campaigns_repo.latest_version(session, rnd.campaign_id) if rnd else None
    council = ((version.definition if version else {}).get("offices") or {}).get("council") or {}
    return float(council.get("quorum") or 2 / 3)


def create_session(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    *,
    round_id: int,
    name: str,
    member_user_ids: list[int],
    chair_user_id: int,
    secretary_user_id: int,
    quorum: float | None = None,
    now: datetime | None = None,
) -> CouncilSession:
    """A planned session with its member list (the chair is a member; the secretary may be)."""
    _require_secretary(session, actor, round_id)
    if not name.strip():
        raise InvalidInput("Hãy đặt tên phiên họp.", "Name the session.", field="name")
    members = list(dict.fromkeys([chair_user_id, *member_user_ids]))
    if len(members) < 3:
        raise InvalidInput(
            "Hội đồng cần ít nhất 3 thành viên.",
            "A council needs at least 3 members.",
            field="member_user_ids",
        )
    q = quorum if quorum is not None else _default_quorum(session, round_id)
    if not 0 < q <= 1:
        raise InvalidInput(
            "Tỷ lệ tối thiểu dự họp phải trong khoảng (0, 1].",
            "Quorum must be a fraction in (0, 1].",
            field="quorum",
        )
    council = CouncilSession(
        round_id=round_id,
        name=name.strip(),
        status="planned",
        quorum=q,
        chair_user_id=chair_user_id,
        secretary_user_id=secretary_user_id,
        scheduled_for=now,
    )
    repo.add(session, council)
    session.flush()
    for uid in members:
        repo.add(
            session,
            CouncilMember(
                session_id=council.id,
                user_id=uid,
                role="chair" if uid == chair_user_id else "member",
            ),
        )
    session.flush()
    return council


def open_session(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    session_id: int,
    *,
    now: datetime | None = None,
) -> list[int]:
    """Open the session and put every appraised nomination of the round on its agenda."""
    now = now or datetime.now(UTC)
    council = _get(session, session_id, lock=True)
    _require_secretary(session, actor, council.round_id)
    if council.status != "planned":
        raise Conflict(
            "Phiên họp đã mở hoặc đã kết thúc.", "The session is already open or closed."
        )
    other = repo.open_session_for_round(session, council.round_id)
    if other is not None:  # dossiers scheduled for a vote go to the round's one open session
        raise Conflict(
            f"Đợt xét này đang có phiên họp #{other.id} mở; hãy kết thúc phiên đó trước.",
            f"Session #{other.id} of this round is still open; close it first.",
        )
    council.status = "open"
    council.opened_at = now
    session.flush()
    scheduled = noms_repo.ids_in_state(session, council.round_id, NominationState.APPRAISED)
    system = Actor.system("council")
    items = [BatchItem(nid, Trigger.SCHEDULE_VOTE, system) for nid in scheduled]
    transition_all(session, ctx, items, now=now)
    return scheduled


def add_to_agenda(session: Session, session_id: int, nomination_id: int) -> None:
    """Put a dossier on a session's agenda with zeroed counters, unless it is there already
    (what ``schedule_vote`` does, through the same repository function, for its batch)."""
    session.flush()
    # next position = last + 1 in SQL: counting the loaded agenda made opening a session of N
    # dossiers load N²/2 rows
    repo.add_agenda_items(session, session_id, [nomination_id], CHOICES)


def record_attendance(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    session_id: int,
    user_id: int,
    present: bool,
    *,
    now: datetime | None = None,
) -> None:
    council = _get(session, session_id)
    _require_secretary(session, actor, council.round_id)
    if council.status == "closed":
        raise Conflict("Phiên họp đã kết thúc.", "The session is closed.")
    if repo.member(session, session_id, user_id) is None:
        raise InvalidInput(
            "Người này không phải thành viên của phiên họp.",
            "This person is not a member of the session.",
            field="user_id",
        )
    row = repo.attendance(session, session_id, user_id)
    if row is None:
        repo.add(
            session,
            Attendance(
                session_id=session_id,
                user_id=user_id,
                present=present,
                recorded_at=now or datetime.now(UTC),
            ),
        )
    else:
        row.present = present
    session.flush()


def cast_ballot(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    session_id: int,
    nomination_id: int,
    choice: str,
    *,
    written_for: int | None = None,
    now: datetime | None = None,
) -> None:
    """One member's secret ballot on one item; the secretary enters an absent member's
    written vote with ``written_for``. The response never says what was chosen."""
    _check_choice(choice, "choice")
    _take(
        session,
        actor,
        session_id,
        {nomination_id: choice},
        written_for=written_for,
        now=now,
        item_field=lambda _nid: "nomination_id",
    )


#: the most dossiers one ballot paper may list (a session's agenda is rarely longer)
MAX_PAPER = 500


def cast_ballot_paper(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    session_id: int,
    votes: Mapping[int, str],
    *,
    written_for: int | None = None,
    now: datetime | None = None,
) -> int:
    """One member's ballot paper (phiếu bầu): a secret ballot on each listed dossier of one
    open session, as a member fills in one paper for the whole agenda. All or none: the first
    ballot that cannot be taken refuses the paper with that ballot's own error, its ``field``
    naming the dossier (``votes.<id>``), and raises, so the caller's transaction keeps nothing
    of the paper. The secretary enters an absent member's written paper with ``written_for``.
    Returns how many ballots were taken; never what was chosen."""
    if not votes:
        raise InvalidInput(
            "Phiếu bầu chưa có hồ sơ nào.", "The ballot paper lists no dossier.", field="votes"
        )
    if len(votes) > MAX_PAPER:
        raise InvalidInput(
            f"Một phiếu bầu có tối đa {MAX_PAPER} hồ sơ.",
            f"A ballot paper lists at most {MAX_PAPER} dossiers.",
            field="votes",
        )
    for nid, choice in votes.items():
        _check_choice(choice, f"votes.{nid}")
    _take(
        session,
        actor,
        session_id,
        votes,
        written_for=written_for,
        now=now,
        item_field=lambda nid: f"votes.{nid}",
    )
    return len(votes)


def _check_choice(choice: str, field: str) -> None:
    if choice not in CHOICES:
        raise InvalidInput(
            "Phiếu phải là đồng ý, không đồng ý hoặc không biểu quyết.",
            "A ballot is agree, disagree or abstain.",
            field=field,
        )


def _take(
    session: Session,
    actor: Actor,
    session_id: int,
    votes: Mapping[int, str],
    *,
    written_for: int | None,
    now: datetime | None,
    item_field: Callable[[int], str],
) -> None:
    """Take each ballot of ``votes`` (choices already checked), or raise at the first that
    cannot be taken (the caller's transaction then keeps none)."""
    day = (now or datetime.now(UTC)).date().isoformat()
    written: int | None = None  # a written paper's voter, checked once
    for nomination_id, choice in votes.items():
        # The common case in one statement: a present member's own ballot on an item of an
        # open session inserts its receipt only if every check below would pass (a ballot is
        # the council's most frequent request: members x items per session). When it inserts
        # nothing, the checks run one by one to say why (or it was a second ballot).
        if written_for is None and repo.cast_ballot(
            session, session_id, nomination_id, actor.user_id, choice, cast_on=day
        ):
            continue
        # One read for the session, the voter's membership and attendance, and the item.
        voter = written_for if written_for is not None else actor.user_id
        found = repo.ballot_context(session, session_id, nomination_id, voter)
        if found is None:
            raise NotFound(
                "Không có phiên họp này.", "No such council session.", field="session_id"
            )
        status, member_id, present, item_id, state = found
        if status != "open":
            raise Conflict("Phiên họp không mở để bỏ phiếu.", "The session is not open for voting.")
        if written_for is not None:
            if written is None:
                written = _voter(session, actor, _get(session, session_id), written_for)
            voter = written
        elif voter is None or member_id is None:
            raise Forbidden(
                "Chỉ thành viên của phiên họp mới được bỏ phiếu.",
                "Only members of this session may vote.",
            )
        elif not present:
            raise Forbidden(
                "Thư ký chưa ghi nhận bạn có mặt tại phiên họp.",
                "The secretary has not recorded you as present.",
            )
        if item_id is None or state is not NominationState.IN_COUNCIL:
            raise NotFound(
                f"Hồ sơ #{nomination_id} không có trong chương trình phiên họp.",
                f"Dossier #{nomination_id} is not on this session's agenda.",
                field=item_field(nomination_id),
            )
        # the unique receipt decides, also between two concurrent requests: nothing read first
        if not repo.add_receipt(
            session,
            session_id,
            nomination_id,
            voter,
            written=written_for is not None,
            cast_on=day,
        ):
            raise Conflict(
                f"Thành viên đã bỏ phiếu cho hồ sơ #{nomination_id}.",
                f"This member has already voted on dossier #{nomination_id}.",
                field=item_field(nomination_id),
            )
        repo.count_vote(session, session_id, nomination_id, choice)


def _voter(session: Session, actor: Actor, council: CouncilSession, written_for: int | None) -> int:
    if written_for is not None:
        _require_secretary(session, actor, council.round_id)
        att = repo.attendance(session, council.id, written_for)
        if repo.member(session, council.id, written_for) is None or (att and att.present):
            raise InvalidInput(
                "Chỉ nhập phiếu bằng văn bản cho thành viên vắng mặt.",
                "Written votes are for absent members only.",
                field="written_for",
            )
        if att is None:
            repo.add(
                session,
                Attendance(
                    session_id=council.id, user_id=written_for, present=False, written_vote=True
                ),
            )
        else:
            att.written_vote = True
        return written_for
    if actor.user_id is None or repo.member(session, council.id, actor.user_id) is None:
        raise Forbidden(
            "Chỉ thành viên của phiên họp mới được bỏ phiếu.",
            "Only members of this session may vote.",
        )
    att = repo.attendance(session, council.id, actor.user_id)
    if att is None or not att.present:
        raise Forbidden(
            "Thư ký chưa ghi nhận bạn có mặt tại phiên họp.",
            "The secretary has not recorded you as present.",
        )
    return actor.user_id


def close_session(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    session_id: int,
    *,
    chair_tiebreak: dict[int, list[int]] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Count, rank and decide every item; store and return the minutes (biên bản)."""
    now = now or datetime.now(UTC)
    council = _get(session, session_id, lock=True)
    _require_secretary(session, actor, council.round_id)
    if council.status != "open":
        raise Conflict("Chỉ kết thúc được phiên họp đang mở.", "Only an open session can close.")
    members = repo.members(session, session_id)
    n = len(members)
    present = repo.present_count(session, session_id)
    quorum_met = present >= math.ceil(council.quorum * n - EPS)
    # the agenda's dossiers and counters in two statements, not two per item
    items = repo.items_to_decide(session, session_id)
    counts = repo.tallies(session, session_id)
    rows = _rank(session, items, n, quorum_met, chair_tiebreak or {}, counts)
    system = Actor.system("council")
    moves = []
    for row in rows:
        trigger = {"passed": Trigger.PASS_VOTE, "postponed": Trigger.POSTPONE}.get(
            row["outcome"], Trigger.FAIL_VOTE
        )
        comment = (
            f"Phiên họp không đủ số thành viên dự họp ({present}/{n})."
            if row["outcome"] == "postponed"
            else None
        )
        data = {k: row[k] for k in ("agree", "disagree", "abstain", "required")}
        moves.append(BatchItem(row["nomination_id"], trigger, system, comment=comment, data=data))
    transition_all(session, ctx, moves, now=now)
    council.status = "closed"
    council.closed_at = now
    council.minutes = {
        "session": {
            "id": council.id,
            "name": council.name,
            "round_id": council.round_id,
            "opened_at": council.opened_at.isoformat() if council.opened_at else None,
            "closed_at": now.isoformat(),
        },
        "members": n,
        "present": present,
        "quorum": council.quorum,
        "quorum_met": quorum_met,
        "attendance": [
            {"user_id": a.user_id, "present": a.present, "written_vote": a.written_vote}
            for a in repo.attendance_list(session, session_id)
        ],
        "chair_user_id": council.chair_user_id,
        "items": rows,
    }
    session.flush()
    return council.minutes


def _rank(
    session: Session,
    items: list[tuple[int, int, str, int, int]],
    n: int,
    quorum_met: bool,
    tiebreak: dict[int, list[int]],
    tallies: dict[int, dict[str, int]],
) -> list[dict[str, Any]]:
    """Each item's counts, required yes-votes, outcome and rank; stores outcome and rank on the
    agenda items (only once every quota is settled: a tie the chair must break stores none)."""
    rows: list[dict[str, Any]] = []
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    quotas: dict[int, int | None] = {}  # per award: computed before any item moves
    awards: dict[int, Award] = {}
    for item_id, nomination_id, nominee, award_id, round_id in items:
        if award_id not in awards:
            found = campaigns_repo.award(session, award_id)
            assert found is not None
            awards[award_id] = found
            quotas[award_id] = _quota(session, round_id, found)
        award = awards[award_id]
        counts = tallies.get(nomination_id, {})
        row: dict[str, Any] = {
            "nomination_id": nomination_id,
            "nominee": nominee,
            "award": award.code,
            "agree": counts.get("agree", 0),
            "disagree": counts.get("disagree", 0),
            "abstain": counts.get("abstain", 0),
            "required": math.ceil(award.threshold * n - EPS),
            "outcome": "postponed",
            "rank": None,
            "_item": item_id,
            "_quota": quotas[award_id],
        }
        rows.append(row)
        if quorum_met:
            row["outcome"] = "passed" if row["agree"] >= row["required"] else "failed"
            if row["outcome"] == "passed":
                groups[award_id].append(row)
    for award_id, passing in groups.items():
        _apply_quota(passing, tiebreak.get(award_id, []))
    outcomes = []
    for row in rows:
        outcomes.append((row.pop("_item"), row["outcome"], row["rank"]))
        row.pop("_quota")
    repo.set_outcomes(session, outcomes)
    return rows


def _quota(session: Session, round_id: int, award: Award) -> int | None:
    """What is left of a percentage quota (of all participants of the organiser's units) for
    this award in this round; a per-unit count quota was already enforced at proposal."""
    if award.quota_percent is None:
        return None
    campaign = campaigns_repo.campaign(session, award.campaign_id)
    assert campaign is not None
    path = org_repo.unit_path(session, campaign.organiser_unit_id)
    limit = math.floor(org_repo.participants_under(session, path) * award.quota_percent / 100)
    used = noms_repo.count_past_council_in_round(session, round_id, award.id)
    return max(limit - used, 0)


def _apply_quota(passing: list[dict[str, Any]], chair_order: list[int]) -> None:
    """Rank by yes-votes; beyond the quota is ``over_quota``; the chair breaks a cut-off tie."""
    passing.sort(key=lambda r: (-r["agree"], r["nomination_id"]))
    for rank, row in enumerate(passing, start=1):
        row["rank"] = rank
    limit = passing[0]["_quota"]
    if limit is None or len(passing) <= limit:
        return
    cut = passing[limit - 1]["agree"] if limit > 0 else None
    tied = [r for r in passing if r["agree"] == cut]
    sure = [r for r in passing if cut is not None and r["agree"] > cut]
    slots = limit - len(sure)
    if len(tied) > slots > 0:
        ids = [r["nomination_id"] for r in tied]
        chosen = [i for i in chair_order if i in ids][:slots]
        if len(chosen) < slots:
            raise InvalidInput(
                "Đồng số phiếu tại ngưỡng chỉ tiêu giữa các hồ sơ "
                f"{', '.join(f'#{i}' for i in ids)}: Chủ tịch Hội đồng cần chọn {slots} hồ sơ.",
                f"Tie at the quota cut-off between dossiers {', '.join(f'#{i}' for i in ids)}: "
                f"the chair must choose {slots}.",
                field="chair_tiebreak",
            )
        winners = {r["nomination_id"] for r in sure} | set(chosen)
    else:
        winners = {r["nomination_id"] for r in passing[:limit]}
    for row in passing:
        if row["nomination_id"] not in winners:
            row["outcome"] = "over_quota"
