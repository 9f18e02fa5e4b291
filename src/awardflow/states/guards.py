"""Guards: one named rule each, returning ``None`` when it holds or a :class:`Reason` the user
can act on. Input guards (``needs_input=True``) check what the user must type; pages show those
as form fields rather than as reasons a button is hidden."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from awardflow.errors import Reason
from awardflow.states.context import GuardContext
from awardflow.states.lifecycle import EVIDENCE_KIND_LABELS, NominationState

Check = Callable[[GuardContext], Reason | None]


@dataclass(frozen=True, slots=True)
class Guard:
    name: str
    check: Check
    needs_input: bool = False


def _guard(needs_input: bool = False) -> Callable[[Check], Guard]:
    def wrap(fn: Check) -> Guard:
        return Guard(fn.__name__, fn, needs_input)

    return wrap


# --- unit proposal -------------------------------------------------------------------------


@_guard()
def round_open_for_proposals(ctx: GuardContext) -> Reason | None:
    if ctx.facts.round_open_for_proposals():
        return None
    return Reason(
        "round_closed",
        "Đợt xét khen thưởng không còn nhận hồ sơ đề nghị.",
        "The round no longer accepts proposals.",
    )


@_guard()
def required_evidence_present(ctx: GuardContext) -> Reason | None:
    missing = ctx.facts.missing_evidence()
    if not missing:
        return None
    labels = [EVIDENCE_KIND_LABELS.get(kind, (kind, kind)) for kind in missing]
    vi = ", ".join(v for v, _ in labels)
    en = ", ".join(e for _, e in labels)
    return Reason(
        "evidence_missing",
        f"Thiếu minh chứng bắt buộc: {vi}. Hãy tải lên trước khi đề nghị.",
        f"Required evidence is missing: {en}. Upload it before proposing.",
        field="evidence",
    )


@_guard()
def award_offered(ctx: GuardContext) -> Reason | None:
    if ctx.facts.award_offered():
        return None
    return Reason(
        "award_not_offered",
        "Hình thức khen thưởng này không được xét trong đợt này cho đối tượng này.",
        "This award is not offered in this round for this kind of nominee.",
        field="award",
    )


@_guard()
def unit_quota_not_exceeded(ctx: GuardContext) -> Reason | None:
    limit, used = ctx.facts.quota()
    if limit is None or used < limit:
        return None
    return Reason(
        "quota_exceeded",
        f"Đơn vị đã đề nghị {used}/{limit} hồ sơ cho hình thức này (đã đủ chỉ tiêu).",
        f"The unit has already proposed {used} of {limit} for this award (quota reached).",
        field="award",
    )


@_guard()
def no_duplicate_live_nomination(ctx: GuardContext) -> Reason | None:
    other = ctx.facts.duplicate_live_nomination()
    if other is None:
        return None
    return Reason(
        "duplicate_nomination",
        f"Đối tượng này đã có hồ sơ #{other} cho cùng hình thức trong đợt này.",
        f"This nominee already has nomination #{other} for the same award in this round.",
        field="nominee",
    )


@_guard()
def eligibility_rules_pass(ctx: GuardContext) -> Reason | None:
    outcome = ctx.facts.eligibility()
    if outcome.passed or outcome.override_reason:
        return None
    return Reason(
        "not_eligible",
        "Chưa đủ điều kiện: " + "; ".join(vi for vi, _ in outcome.failures),
        "Not eligible: " + "; ".join(en for _, en in outcome.failures),
        field="eligibility",
    )


@_guard()
def changes_made(ctx: GuardContext) -> Reason | None:
    if ctx.facts.changed_since_return():
        return None
    return Reason(
        "no_changes",
        "Chưa có thay đổi nào (minh chứng mới hoặc nội dung sửa) kể từ khi bị trả lại.",
        "Nothing has changed (new evidence or edited fields) since it was returned.",
    )


# --- appraisal -----------------------------------------------------------------------------


def _candidate(ctx: GuardContext) -> int | None:
    raw = ctx.payload.data.get("assignee_id")
    if isinstance(raw, bool):
        return None
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


@_guard(needs_input=True)
def assignee_given(ctx: GuardContext) -> Reason | None:
    if _candidate(ctx) is not None:
        return None
    return Reason(
        "assignee_missing",
        "Hãy chọn chuyên viên thẩm định.",
        "Choose the appraiser.",
        field="assignee_id",
    )


def _appraiser_ok(
    ctx: GuardContext, user_id: int | None, *, known_appraiser: bool = False
) -> Reason | None:
    if user_id is None:
        return None  # reported by assignee_given
    if not known_appraiser and not ctx.facts.is_appraiser(user_id):
        return Reason(
            "not_an_appraiser",
            "Người được giao không phải chuyên viên thẩm định của phòng thẩm định.",
            "The assignee is not an appraiser of the appraising office.",
            field="assignee_id",
        )
    conflict = ctx.facts.appraiser_conflict(user_id)
    if conflict:
        return Reason(
            "appraiser_conflict",
            f"Xung đột lợi ích: {conflict}.",
            f"Conflict of interest: {conflict}.",
            field="assignee_id",
        )
    reassigning = ctx.nomination.state is NominationState.IN_APPRAISAL
    if reassigning and user_id == ctx.nomination.assignee_id:
        return Reason(
            "same_assignee",
            "Hồ sơ đã được giao cho người này.",
            "The dossier is already assigned to this person.",
            field="assignee_id",
        )
    return None


@_guard()
def assignee_is_eligible_appraiser(ctx: GuardContext) -> Reason | None:
    return _appraiser_ok(ctx, _candidate(ctx))


@_guard()
def claimer_is_eligible_appraiser(ctx: GuardContext) -> Reason | None:
    # Claiming needs the appraiser role over the office: the actor check already proved it.
    return _appraiser_ok(ctx, ctx.actor.user_id, known_appraiser=True)


@_guard()
def actor_is_assignee(ctx: GuardContext) -> Reason | None:
    if ctx.actor.is_system or ctx.actor.user_id == ctx.nomination.assignee_id:
        return None
    return Reason(
        "not_assignee",
        "Chỉ chuyên viên được giao thẩm định hồ sơ này mới làm được việc này.",
        "Only the appraiser assigned to this dossier may do this.",
    )


@_guard()
def checklist_complete(ctx: GuardContext) -> Reason | None:
    missing = ctx.facts.missing_criteria()
    if not missing:
        return None
    return Reason(
        "checklist_incomplete",
        "Chưa đánh giá hết tiêu chí: " + ", ".join(missing) + ".",
        "Criteria not yet assessed: " + ", ".join(missing) + ".",
        field="checklist",
    )


@_guard(needs_input=True)
def opinion_written(ctx: GuardContext) -> Reason | None:
    if (ctx.payload.comment or "").strip() or (ctx.nomination.opinion or "").strip():
        return None
    return Reason(
        "opinion_missing",
        "Hãy ghi ý kiến thẩm định.",
        "Write the appraisal opinion.",
        field="comment",
    )


@_guard(needs_input=True)
def reason_given(ctx: GuardContext) -> Reason | None:
    if (ctx.payload.comment or "").strip():
        return None
    return Reason(
        "reason_missing",
        "Hãy ghi rõ lý do (những gì còn thiếu hoặc chưa đạt).",
        "Give the reason (what is missing or not met).",
        field="comment",
    )


# --- council, decision, submission ---------------------------------------------------------


@_guard()
def open_council_session(ctx: GuardContext) -> Reason | None:
    if ctx.facts.open_council_session():
        return None
    return Reason(
        "no_open_session",
        "Chưa có phiên họp Hội đồng nào của đợt này đang mở.",
        "There is no open council session for this round.",
    )


def _vote(ctx: GuardContext) -> tuple[Reason | None, bool]:
    result = ctx.facts.vote_result()
    if result is None:
        return (
            Reason(
                "no_tally",
                "Chưa có kết quả bỏ phiếu cho hồ sơ này.",
                "There is no ballot tally for this dossier.",
            ),
            False,
        )
    passed = result.quorum_met and result.yes >= result.required_yes and result.within_quota
    return None, passed


@_guard()
def vote_passed(ctx: GuardContext) -> Reason | None:
    missing, passed = _vote(ctx)
    if missing or passed:
        return missing
    return Reason(
        "vote_not_passed",
        "Kết quả bỏ phiếu không đạt (số phiếu, số thành viên có mặt hoặc chỉ tiêu).",
        "The vote did not pass (yes-votes, quorum or quota).",
    )


@_guard()
def vote_failed(ctx: GuardContext) -> Reason | None:
    missing, passed = _vote(ctx)
    if missing or not passed:
        return missing
    return Reason("vote_passed", "Kết quả bỏ phiếu đã đạt.", "The vote passed.")


@_guard()
def within_organiser_authority(ctx: GuardContext) -> Reason | None:
    if ctx.facts.within_organiser_authority():
        return None
    return Reason(
        "beyond_authority",
        "Hình thức khen thưởng này vượt thẩm quyền; phải trình cấp trên.",
        "This award is beyond the organiser's authority; it must be submitted upward.",
    )


@_guard()
def beyond_organiser_authority(ctx: GuardContext) -> Reason | None:
    if not ctx.facts.within_organiser_authority():
        return None
    return Reason(
        "within_authority",
        "Hình thức này thuộc thẩm quyền của đơn vị; hãy ra quyết định thay vì trình.",
        "This award is within the organiser's authority; decide it instead of submitting.",
    )


@_guard()
def in_submission_package(ctx: GuardContext) -> Reason | None:
    if ctx.facts.in_submission_package():
        return None
    return Reason(
        "not_in_package",
        "Hồ sơ chưa thuộc tờ trình (gói hồ sơ trình) nào.",
        "The dossier is not part of a submission package.",
    )


def _parse_date(raw: object) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


@_guard(needs_input=True)
def decision_recorded(ctx: GuardContext) -> Reason | None:
    if not ctx.payload.text("decision_number"):
        return Reason(
            "decision_number_missing",
            "Hãy nhập số quyết định.",
            "Enter the decision number.",
            field="decision_number",
        )
    if _parse_date(ctx.payload.data.get("decision_date")) is None:
        return Reason(
            "decision_date_invalid",
            "Hãy nhập ngày quyết định theo dạng YYYY-MM-DD.",
            "Enter the decision date as YYYY-MM-DD.",
            field="decision_date",
        )
    return None


@_guard()
def deadline_passed(ctx: GuardContext) -> Reason | None:
    due = ctx.nomination.due_at
    if due is not None and due < ctx.now:
        return None
    return Reason(
        "deadline_not_passed",
        "Chưa đến hạn, không thể cho hồ sơ hết hiệu lực.",
        "The deadline has not passed yet.",
    )
