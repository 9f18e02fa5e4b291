"""The database-backed :class:`~awardflow.states.context.Facts` for one transition.

Each answer is computed on first use and cached, so a trigger pays only for what its guards ask.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Award, Campaign, Nomination, Round
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import council as council_repo
from awardflow.db.repositories import nominations as nominations_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import submissions as submissions_repo
from awardflow.errors import NotFound
from awardflow.states.context import EligibilityOutcome, VoteResult
from awardflow.states.lifecycle import Role

EligibilityCheck = Callable[[Session, Nomination, Round, Award, date], EligibilityOutcome]


class DbFacts:
    def __init__(
        self,
        session: Session,
        nomination: Nomination,
        now: datetime,
        eligibility: EligibilityCheck,
        *,
        preloaded: tuple[Round, Campaign, Award, dict[int, str]] | None = None,
    ) -> None:
        self.session = session
        self.nom = nomination
        self.now = now
        self._eligibility = eligibility
        self._paths: dict[int, str] = {}
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
        used = nominations_repo.count_proposed_for_quota(
            self.session, self.nom.round_id, self.nom.award_id, self.nom.unit_id, self.nom.id
        )
        return limit, used

    def duplicate_live_nomination(self) -> int | None:
        return nominations_repo.duplicate_live(self.session, self.nom)

    def eligibility(self) -> EligibilityOutcome:
        outcome = self._eligibility(
            self.session, self.nom, self.round, self.award, local_date(self.now)
        )
        if self.nom.eligibility_override and not outcome.passed:
            return EligibilityOutcome(False, outcome.failures, self.nom.eligibility_override)
        return outcome

    def is_appraiser(self, user_id: int) -> bool:
        return org_repo.holds_role_over(
            self.session, user_id, Role.APPRAISER, self.appraising_office_path()
        )

    def appraiser_conflict(self, user_id: int) -> str | None:
        person_id, own_units, declared = org_repo.appraiser_identity(
            self.session, user_id, self.nom.person_id, self.nom.nominee_unit_id
        )
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
        version = campaigns_repo.version(
            self.session, self.nom.campaign_id, self.nom.campaign_version
        )
        definition: dict[str, Any] = version.definition if version else {}
        criteria = definition.get("criteria", {}).get(self.nom.nominee_kind.value, [])
        checklist = self.nom.checklist or {}
        return [
            str(c["code"])
            for c in criteria
            if c.get("required", True)
            and not isinstance(checklist.get(str(c["code"]), {}).get("met"), bool)
        ]

    def open_council_session(self) -> bool:
        return council_repo.open_session_for_round(self.session, self.nom.round_id) is not None

    def vote_result(self) -> VoteResult | None:
        item = council_repo.latest_item(self.session, self.nom.id)
        if item is None:
            return None
        council = council_repo.get_session(self.session, item.session_id)
        if council is None:
            return None
        members = council_repo.member_count(self.session, item.session_id)
        present = council_repo.present_count(self.session, item.session_id)
        yes = council_repo.tally(self.session, item.session_id, self.nom.id).get("agree", 0)
        return VoteResult(
            quorum_met=members > 0 and present >= math.ceil(council.quorum * members - 1e-9),
            yes=yes,
            members=members,
            required_yes=math.ceil(self.award.threshold * members - 1e-9),
            within_quota=item.outcome != "over_quota",
        )

    def within_organiser_authority(self) -> bool:
        # "unit": a unit head decides (Lào Cai's Giấy khen) — still inside the organiser's tree
        return self.award.deciding_authority in ("organiser", "unit")

    def in_submission_package(self) -> bool:
        return submissions_repo.in_any_submission(self.session, self.nom.id)
