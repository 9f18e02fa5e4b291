"""The one error tree of awardflow. No HTTP here: ``api/errors.py`` maps it in one place.

AwardflowError                    every error a person can act on (vi + en message, field)
├── NotFound                      404: no such object, or not visible to the caller
├── Forbidden                     403: the caller may see it but not do this
├── InvalidInput                  422: bad input; ``field`` names the field
│   ├── UnknownTrigger            a trigger that is not in the lifecycle
│   └── MissingInput              a required comment, reason or datum is missing
├── Conflict                      409
│   ├── VersionConflict           stale version (someone else changed it first)
│   └── TransitionRefused         the lifecycle or a guard refuses; ``reasons`` lists why
├── PayloadTooLarge               413
└── UnsupportedMediaType          415

ItemRefused                       one item of an all-or-none request refused: carries its
                                  AwardflowError and answers with that error's status
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something may not happen, in words a person can act on."""

    code: str
    vi: str
    en: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.vi, "message_en": self.en, "field": self.field}


class AwardflowError(Exception):
    code = "error"

    def __init__(self, vi: str, en: str, *, field: str | None = None, code: str | None = None):
        super().__init__(en)
        self.message_vi = vi
        self.message_en = en
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.message_vi,
            "message_en": self.message_en,
            "field": self.field,
        }


class Unauthenticated(AwardflowError):
    code = "unauthenticated"


class NotFound(AwardflowError):
    code = "not_found"


class Forbidden(AwardflowError):
    code = "forbidden"


class InvalidInput(AwardflowError):
    code = "invalid_input"


class UnknownTrigger(InvalidInput):
    code = "unknown_trigger"


class MissingInput(InvalidInput):
    code = "missing_input"


class Conflict(AwardflowError):
    code = "conflict"


class VersionConflict(Conflict):
    code = "version_conflict"

    def __init__(self, current_version: int, expected_version: int | None = None):
        super().__init__(
            f"Hồ sơ đã được người khác thay đổi (phiên bản hiện tại {current_version}); "
            "hãy tải lại rồi thử lại.",
            f"The dossier was changed by someone else (current version {current_version}); "
            "reload and try again.",
            field="version",
        )
        self.current_version = current_version
        self.expected_version = expected_version

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "current_version": self.current_version}


class TransitionRefused(Conflict):
    code = "transition_refused"

    def __init__(self, trigger: str, reasons: list[Reason]):
        vi = "; ".join(r.vi for r in reasons)
        en = "; ".join(r.en for r in reasons)
        field = next((r.field for r in reasons if r.field), None)
        super().__init__(vi, en, field=field)
        self.trigger = trigger
        self.reasons = reasons

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "reasons": [r.as_dict() for r in self.reasons]}


class PayloadTooLarge(AwardflowError):
    code = "payload_too_large"


class UnsupportedMediaType(AwardflowError):
    code = "unsupported_media_type"


class TooManyRequests(AwardflowError):
    code = "rate_limited"
    retry_after: int | None = None


class ItemRefused(Exception):
    """One item of an all-or-none request (a decision's nominations) was refused with ``error``;
    nothing of the request is kept. Not an :class:`AwardflowError` itself: it carries one, and
    answers with that error's status, plus the item."""

    def __init__(self, nomination_id: int, error: AwardflowError) -> None:
        super().__init__(error.message_en)
        self.nomination_id = nomination_id
        self.error = error
