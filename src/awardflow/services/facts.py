"""The database-backed :class:`~awardflow.states.context.Facts` for one transition.

Each answer is computed on first use and cached, so a trigger pays only for what its guards ask.
In a transition batch the items' facts share a :class:`BatchMemo`: what no transition of the
batch can change is read once per batch instead of once per item.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Award, Campaign, Nomination, Round
from awardflow.db.repositories import assignment as assignment_repo
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import council as council_repo
from awardflow.db.repositories import nominations as nominations_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import submissions as submissions_repo
from awardflow.errors import NotFound
from awardflow.states.context import EligibilityOutcome, VoteResult
from awardflow.states.lifecycle import Role

EligibilityCheck = Callable[[Session, Nomination, Round, Award, date], EligibilityOutcome]
Profile = tuple[int | None, set[int], list[tuple[int | None, int | None, str]]]


def _no_pending_writes() -> None:
    return None


@dataclass
class BatchMemo:
    """What the facts of one transition batch share. Which answer may be shared is decided by
    what the batch's own writes (rows, audit events, outbox, agenda items, award history) can
    change:

    - read once per batch, never changed by a transition: unit paths; role grants; campaign
      version definitions (checklists); a round's open council session (only opening and
      closing a session change it, outside the batch); a session's quorum, member and present
      counts; an appraiser's own units and declared conflicts;
    - read once per batch for all of its ``nomination_ids`` at first use, changed only by a
      transition of that same nomination (its agenda item; nothing a transition writes puts a
      dossier in a package): the latest agenda item with its agree-count, and whether it is in
      a submission package. The batch flushes and calls :meth:`forget_nominations` before it
      takes a second item of a nomination, and when it adds ids;
    - read per item after ``flush`` has written the batch's pending items, because earlier
      items change them: the quota and duplicate counts (other nominations' states) and
      eligibility (the award history an earlier ``awarded`` adds, other nominations);
    - read per item without a flush (no transition writes them): evidence kinds.
    """

    nomination_ids: list[int] = field(default_factory=list)
    flush: Callable[[], None] = _no_pending_writes
    paths: dict[int, str] = field(default_factory=dict)
    grants: dict[tuple[int, Role, str], bool] = field(default_factory=dict)
    definitions: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    open_sessions: dict[int, int | None] = field(default_factory=dict)
    session_counts: dict[int, tuple[float, int, int] | None] = field(default_factory=dict)
    profiles: dict[int, Profile] = field(default_factory=dict)
    votes: dict[int, tuple[int, str | None, int]] | None = None
    packaged: set[int] | None = None

    def forget_nominations(self) -> None:
        self.votes = self.packaged = None


class DbFacts:
    def __init__(
        self,
        session: Session,
        nomination: Nomination,
        now: datetime,
        eligibility: EligibilityCheck,
        *,
        preloaded: tuple[Round, Campaign, Award, dict[int, str]] | None = None,
        memo: BatchMemo | None = None,
    ) -> None:
        self.session = session
        self.nom = nomination
        self.now = now
        self._eligibility = eligibility
        self._memo = memo
        self._paths: dict[int, str] = memo.paths if memo is not None else {}
        self._open_session: int | None = None
        self._open_session_read = False
        if preloaded is not None:  # the transition service read them with the row
            rnd, campaign, award, paths = preloaded
            self.__dict__.update(round=rnd, campaign=campaign, award=award)
            self._paths.update(paths)

    # --- rows the facts stand on ---------------------------------------------------------

    @cached_property
    def campaign(self) -> Campaign:
        found = campaigns_repo.campaign(self.session, self.nom.campaign_id)
        if found is None:
            raise NotFound("Không tìm thấy phong trào.", "Campaign not found.", field="campaign")
        return found

    @cached_property
    def round(self) -> Round:
        found = campaigns_repo.round_(self.session, self.nom.round_id)
        if found is None:
            raise NotFound("Không tìm thấy đợt xét.", "Round not found.", field="round")
        return found

    @cached_property
    def award(self) -> Award:
        found = campaigns_repo.award(self.session, self.nom.award_id)
        if found is None:
            raise NotFound("Không tìm thấy hình thức.", "Award not found.", field="award")
        return found

    def _path(self, unit_id: int) -> str:
        if unit_id not in self._paths:
            self._paths[unit_id] = org_repo.unit_path(self.session, unit_id)
        return self._paths[unit_id]

    # --- Facts protocol ------------------------------------------------------------------

    def unit_path(self) -> str:
        return self._path(self.nom.unit_id)

    def organiser_path(self) -> str:
        return self._path(self.campaign.organiser_unit_id)

    def appraising_office_path(self) -> str:
        return self._path(self.campaign.appraising_office_id)

    def authority_path(self) -> str | None:
        target = {
            "province": self.campaign.authority_unit_id,
            "centre": self.campaign.central_authority_unit_id,
        }.get(self.award.deciding_authority)
        return self._path(target) if target is not None else None

    def round_open_for_proposals(self) -> bool:
        rnd, today = self.round, local_date(self.now)
        if rnd.closed_at is not None or today < rnd.opens:
            return False
        return rnd.proposals_close is None or today <= rnd.proposals_close

    def missing_evidence(self) -> Sequence[str]:
        present = nominations_repo.evidence_kinds(self.session, self.nom.id)
        return [k for k in self.award.required_evidence if k not in present]

    def award_offered(self) -> bool:
        return (
            self.nom.nominee_kind.value in self.award.nominee_kinds
            and self.round.kind in self.award.round_kinds
        )

    def quota(self) -> tuple[int | None, int]:
        """The unit's count quota (chỉ tiêu per body). A percentage quota is of the whole
        campaign's participants and is applied when the council ranks, not at proposal."""
        limit = self.award.quota_per_unit
        if limit is None:
            return None, 0
        if self._memo is not None:
            self._memo.flush()
        used = nominations_repo.count_proposed_for_quota(
            self.session, self.nom.round_id, self.nom.award_id, self.nom.unit_id, self.nom.id
        )
        return limit, used

    def duplicate_live_nomination(self) -> int | None:
        if self._memo is not None:
            self._memo.flush()
        return nominations_repo.duplicate_live(self.session, self.nom)

    def eligibility(self) -> EligibilityOutcome:
        if self._memo is not None:
            self._memo.flush()
        outcome = self._eligibility(
            self.session, self.nom, self.round, self.award, local_date(self.now)
        )
        if self.nom.eligibility_override and not outcome.passed:
            return EligibilityOutcome(False, outcome.failures, self.nom.eligibility_override)
        return outcome

    def is_appraiser(self, user_id: int) -> bool:
        office = self.appraising_office_path()
        if self._memo is None:
            return org_repo.holds_role_over(self.session, user_id, Role.APPRAISER, office)
        key = (user_id, Role.APPRAISER, office)
        if key not in self._memo.grants:
            self._memo.grants[key] = org_repo.holds_role_over(
                self.session, user_id, Role.APPRAISER, office
            )
        return self._memo.grants[key]

    def _identity(self, user_id: int) -> tuple[int | None, set[int], str | None]:
        nominee_person, nominee_unit = self.nom.person_id, self.nom.nominee_unit_id
        if self._memo is None:
            return org_repo.appraiser_identity(self.session, user_id, nominee_person, nominee_unit)
        if user_id not in self._memo.profiles:
            self._memo.profiles[user_id] = assignment_repo.appraiser_profile(self.session, user_id)
        person_id, own_units, conflicts = self._memo.profiles[user_id]
        declared = next(
            (
                reason
                for person, unit, reason in conflicts
                if (person is not None and person == nominee_person)
                or (unit is not None and unit == nominee_unit)
            ),
            None,
        )
        return person_id, own_units, declared

    def appraiser_conflict(self, user_id: int) -> str | None:
        person_id, own_units, declared = self._identity(user_id)
        if own_units & {self.nom.unit_id, self.nom.nominee_unit_id}:
            return "người thẩm định thuộc đơn vị của đối tượng được đề nghị"
        if person_id is not None and person_id == self.nom.person_id:
            return "người thẩm định chính là đối tượng được đề nghị"
        return declared

    def changed_since_return(self) -> bool:
        mark = self.nom.content_version_at_return
        return mark is not None and self.nom.content_version > mark

    def missing_criteria(self) -> Sequence[str]:
        # the checklist of the definition the nomination started on, not a later reload
        definition = self._definition()
        criteria = definition.get("criteria", {}).get(self.nom.nominee_kind.value, [])
        checklist = self.nom.checklist or {}
        return [
            str(c["code"])
            for c in criteria
            if c.get("required", True)
            and not isinstance(checklist.get(str(c["code"]), {}).get("met"), bool)
        ]

    def _definition(self) -> dict[str, Any]:
        key = (self.nom.campaign_id, self.nom.campaign_version)
        if self._memo is not None and key in self._memo.definitions:
            return self._memo.definitions[key]
        definition = campaigns_repo.definition(self.session, *key)
        if self._memo is not None:
            self._memo.definitions[key] = definition
        return definition

    def open_session_id(self) -> int | None:
        """The round's open council session (the one ``schedule_vote`` puts the dossier on)."""
        if not self._open_session_read:
            memo, round_id = self._memo, self.nom.round_id
            if memo is None:  # through the ORM: pending changes are flushed first
                found = council_repo.open_session_for_round(self.session, round_id)
                self._open_session = found.id if found is not None else None
            elif round_id in memo.open_sessions:
                self._open_session = memo.open_sessions[round_id]
            else:  # the batch flushed when it loaded its rows
                self._open_session = council_repo.open_session_id(self.session, round_id)
                memo.open_sessions[round_id] = self._open_session
            self._open_session_read = True
        return self._open_session

    def open_council_session(self) -> bool:
        return self.open_session_id() is not None

    def _latest_vote(self) -> tuple[int, str | None, int] | None:
        """(session id, outcome, agree-count) of the nomination's latest agenda item."""
        memo = self._memo
        if memo is None:
            item = council_repo.latest_item(self.session, self.nom.id)
            if item is None:
                return None
            yes = council_repo.tally(self.session, item.session_id, self.nom.id).get("agree", 0)
            return item.session_id, item.outcome, yes
        if memo.votes is None:
            memo.votes = council_repo.latest_votes(self.session, memo.nomination_ids)
        return memo.votes.get(self.nom.id)

    def _session_counts(self, session_id: int) -> tuple[float, int, int] | None:
        memo = self._memo
        if memo is None:
            council = council_repo.get_session(self.session, session_id)
            if council is None:
                return None
            members = council_repo.member_count(self.session, session_id)
            return council.quorum, members, council_repo.present_count(self.session, session_id)
        if session_id not in memo.session_counts:
            memo.session_counts[session_id] = council_repo.session_counts(self.session, session_id)
        return memo.session_counts[session_id]

    def vote_result(self) -> VoteResult | None:
        latest = self._latest_vote()
        if latest is None:
            return None
        session_id, outcome, yes = latest
        counts = self._session_counts(session_id)
        if counts is None:
            return None
        quorum, members, present = counts
        return VoteResult(
            quorum_met=members > 0 and present >= math.ceil(quorum * members - 1e-9),
            yes=yes,
            members=members,
            required_yes=math.ceil(self.award.threshold * members - 1e-9),
            within_quota=outcome != "over_quota",
        )

    def within_organiser_authority(self) -> bool:
        # "unit": a unit head decides (Lào Cai's Giấy khen) — still inside the organiser's tree
        return self.award.deciding_authority in ("organiser", "unit")

    def in_submission_package(self) -> bool:
        memo = self._memo
        if memo is None:
            return submissions_repo.in_any_submission(self.session, self.nom.id)
        if memo.packaged is None:
            memo.packaged = submissions_repo.packaged(self.session, memo.nomination_ids)
        return self.nom.id in memo.packaged
