"""The nomination lifecycle's names (DESIGN §2). These strings are final: they are the enum
values, the API's words, the audit log's words and the UI labels' keys."""

from __future__ import annotations

from enum import StrEnum


class NominationState(StrEnum):
    DRAFT = "draft"
    RETURNED = "returned"
    PROPOSED = "proposed"
    IN_APPRAISAL = "in_appraisal"
    APPRAISED = "appraised"
    IN_COUNCIL = "in_council"
    COUNCIL_APPROVED = "council_approved"
    SUBMITTED = "submitted"
    AUTHORITY_RETURNED = "authority_returned"
    AWARDED = "awarded"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class Trigger(StrEnum):
    PROPOSE = "propose"
    ASSIGN = "assign"
    CLAIM = "claim"
    REASSIGN = "reassign"
    RETURN_TO_UNIT = "return_to_unit"
    REPROPOSE = "repropose"
    RECOMMEND = "recommend"
    DECLINE = "decline"
    SCHEDULE_VOTE = "schedule_vote"
    PASS_VOTE = "pass_vote"
    FAIL_VOTE = "fail_vote"
    POSTPONE = "postpone"
    DECIDE = "decide"
    SUBMIT = "submit"
    AUTHORITY_RETURN = "authority_return"
    RESUBMIT = "resubmit"
    CONFER = "confer"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    LAPSE = "lapse"


class Role(StrEnum):
    UNIT_CLERK = "unit_clerk"
    UNIT_HEAD = "unit_head"
    APPRAISER = "appraiser"
    SUPERVISOR = "supervisor"
    COUNCIL_MEMBER = "council_member"
    COUNCIL_SECRETARY = "council_secretary"
    DIRECTOR = "director"
    AUTHORITY = "authority"
    ADMIN = "admin"
    SYSTEM = "system"


class Phase(StrEnum):
    """The design card's four phases, plus the closed states."""

    UNIT_PROPOSAL = "unit_proposal"
    APPRAISAL = "appraisal"
    COUNCIL = "council"
    SUBMISSION = "submission"
    CLOSED = "closed"


S = NominationState

PHASE_OF: dict[NominationState, Phase] = {
    S.DRAFT: Phase.UNIT_PROPOSAL,
    S.RETURNED: Phase.UNIT_PROPOSAL,
    S.PROPOSED: Phase.APPRAISAL,
    S.IN_APPRAISAL: Phase.APPRAISAL,
    S.APPRAISED: Phase.COUNCIL,
    S.IN_COUNCIL: Phase.COUNCIL,
    S.COUNCIL_APPROVED: Phase.SUBMISSION,
    S.SUBMITTED: Phase.SUBMISSION,
    S.AUTHORITY_RETURNED: Phase.SUBMISSION,
    S.AWARDED: Phase.CLOSED,
    S.REJECTED: Phase.CLOSED,
    S.WITHDRAWN: Phase.CLOSED,
    S.LAPSED: Phase.CLOSED,
}

TERMINAL: frozenset[NominationState] = frozenset(
    s for s, p in PHASE_OF.items() if p is Phase.CLOSED
)

#: States in which someone must act: each has a deadline and an escalation ladder.
WAITING: frozenset[NominationState] = frozenset(PHASE_OF) - TERMINAL

#: States whose clock belongs to the proposing unit, not to the department.
UNIT_CLOCK: frozenset[NominationState] = frozenset({S.DRAFT, S.RETURNED, S.AUTHORITY_RETURNED})

#: Nominations in these states count as "live" for duplicates and quotas.
LIVE: frozenset[NominationState] = frozenset(PHASE_OF) - {S.REJECTED, S.WITHDRAWN, S.LAPSED}

STATE_LABELS: dict[NominationState, tuple[str, str]] = {
    S.DRAFT: ("Dự thảo", "Draft"),
    S.RETURNED: ("Trả lại đơn vị", "Returned to unit"),
    S.PROPOSED: ("Đã đề nghị", "Proposed"),
    S.IN_APPRAISAL: ("Đang thẩm định", "In appraisal"),
    S.APPRAISED: ("Đã thẩm định", "Appraised"),
    S.IN_COUNCIL: ("Hội đồng đang xét", "Before the council"),
    S.COUNCIL_APPROVED: ("Hội đồng thông qua", "Approved by the council"),
    S.SUBMITTED: ("Đã trình cấp trên", "Submitted upward"),
    S.AUTHORITY_RETURNED: ("Cấp trên trả lại", "Returned by the authority"),
    S.AWARDED: ("Được khen thưởng", "Awarded"),
    S.REJECTED: ("Không được khen thưởng", "Rejected"),
    S.WITHDRAWN: ("Đã rút", "Withdrawn"),
    S.LAPSED: ("Quá hạn, hết hiệu lực", "Lapsed"),
}

TRIGGER_LABELS: dict[Trigger, tuple[str, str]] = {
    Trigger.PROPOSE: ("Đề nghị khen thưởng", "Propose"),
    Trigger.ASSIGN: ("Phân công thẩm định", "Assign"),
    Trigger.CLAIM: ("Nhận hồ sơ", "Claim"),
    Trigger.REASSIGN: ("Phân công lại", "Reassign"),
    Trigger.RETURN_TO_UNIT: ("Trả lại đơn vị", "Return to unit"),
    Trigger.REPROPOSE: ("Đề nghị lại", "Re-propose"),
    Trigger.RECOMMEND: ("Đề xuất trình Hội đồng", "Recommend"),
    Trigger.DECLINE: ("Không đề xuất", "Decline"),
    Trigger.SCHEDULE_VOTE: ("Đưa ra Hội đồng", "Schedule for vote"),
    Trigger.PASS_VOTE: ("Hội đồng thông qua", "Pass vote"),
    Trigger.FAIL_VOTE: ("Hội đồng không thông qua", "Fail vote"),
    Trigger.POSTPONE: ("Hoãn xét", "Postpone"),
    Trigger.DECIDE: ("Quyết định khen thưởng", "Decide"),
    Trigger.SUBMIT: ("Trình cấp trên", "Submit upward"),
    Trigger.AUTHORITY_RETURN: ("Cấp trên trả lại", "Return (authority)"),
    Trigger.RESUBMIT: ("Trình lại", "Resubmit"),
    Trigger.CONFER: ("Khen thưởng (cấp trên)", "Confer"),
    Trigger.REFUSE: ("Không khen thưởng (cấp trên)", "Refuse"),
    Trigger.WITHDRAW: ("Rút hồ sơ", "Withdraw"),
    Trigger.LAPSE: ("Hết hạn", "Lapse"),
}

ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.UNIT_CLERK: ("Cán bộ TĐKT đơn vị", "Unit clerk"),
    Role.UNIT_HEAD: ("Thủ trưởng đơn vị", "Unit head"),
    Role.APPRAISER: ("Chuyên viên thẩm định", "Appraiser"),
    Role.SUPERVISOR: ("Trưởng phòng / Thường trực Hội đồng", "Supervisor"),
    Role.COUNCIL_MEMBER: ("Thành viên Hội đồng TĐKT", "Council member"),
    Role.COUNCIL_SECRETARY: ("Thư ký Hội đồng", "Council secretary"),
    Role.DIRECTOR: ("Giám đốc / Chủ tịch Hội đồng", "Director"),
    Role.AUTHORITY: ("Cấp có thẩm quyền", "Receiving authority"),
    Role.ADMIN: ("Quản trị hệ thống", "Administrator"),
    Role.SYSTEM: ("Hệ thống", "System"),
}

#: Kinds of evidence a campaign may require before a proposal (minh chứng).
EVIDENCE_KIND_LABELS: dict[str, tuple[str, str]] = {
    "achievement_report": ("Báo cáo thành tích", "achievement report"),
    "initiative_certificate": ("Giấy chứng nhận sáng kiến", "initiative certificate"),
    "unit_minutes": ("Biên bản họp xét của đơn vị", "unit's review minutes"),
    "rating_record": ("Kết quả đánh giá, xếp loại", "performance rating record"),
    "other": ("Tài liệu khác", "other document"),
}
