"""Every table of awardflow; importing this module registers them all on ``Base.metadata``."""

from awardflow.db.models.campaign import Award, Campaign, CampaignPhase, CampaignVersion, Round
from awardflow.db.models.council import (
    AgendaItem,
    Attendance,
    BallotReceipt,
    BallotTally,
    CouncilMember,
    CouncilSession,
)
from awardflow.db.models.history import (
    AwardHistory,
    CollectiveYearRecord,
    ExclusionRecord,
    InitiativeRecord,
    YearlyRating,
)
from awardflow.db.models.inbox import InboxItem, NotificationDelivery  # noqa: F401
from awardflow.db.models.nomination import (
    AppraiserConflict,
    AuditEvent,
    Evidence,
    IdempotencyKey,
    Nomination,
)
from awardflow.db.models.org import CalendarOverride, Person, RoleGrant, Unit, User
from awardflow.db.models.submission import (
    Decision,
    DecisionItem,
    OutboxMessage,
    Submission,
    SubmissionItem,
)

__all__ = [
    "AgendaItem",
    "AppraiserConflict",
    "Attendance",
    "AuditEvent",
    "Award",
    "AwardHistory",
    "BallotReceipt",
    "BallotTally",
    "CalendarOverride",
    "Campaign",
    "CampaignPhase",
    "CampaignVersion",
    "CollectiveYearRecord",
    "CouncilMember",
    "CouncilSession",
    "Decision",
    "DecisionItem",
    "Evidence",
    "ExclusionRecord",
    "IdempotencyKey",
    "InitiativeRecord",
    "Nomination",
    "OutboxMessage",
    "Person",
    "RoleGrant",
    "Round",
    "Submission",
    "SubmissionItem",
    "Unit",
    "User",
    "YearlyRating",
]
