"""Rule kinds that apply to every award: who may be nominated, and the principles.

These are the ``common`` rules of a rule set (DOMAIN.md, "Principles"): the nominee kind the
award allows, nobody under discipline or review, one achievement gets one award form, an
initiative backs one award only, and the round's quota.
"""

from __future__ import annotations

from awardflow.campaigns.catalogue import CATALOGUE, AwardCode, NomineeKind
from awardflow.states.eligibility.facts import Exclusion, NomineeFacts, ProposalFacts
from awardflow.states.eligibility.history import award_names, date_en, date_vi
from awardflow.states.eligibility.registry import ParamSpec, ParamType, RuleEntry, rule_kind
from awardflow.states.eligibility.results import RuleResult

_KIND_VI = {NomineeKind.INDIVIDUAL: "cá nhân", NomineeKind.COLLECTIVE: "tập thể"}


@rule_kind(
    "nominee_kind",
    name_vi="Đối tượng được xét tặng",
    name_en="Nominee kind allowed for the award",
    params={"kinds": ParamSpec(ParamType.KINDS, default=None)},
)
def nominee_kind(nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry) -> RuleResult:
    """The award's nominee kinds come from the catalogue unless the entry lists its own."""
    allowed = entry.get_kinds("kinds") or _catalogue_kinds(proposal.award_code)
    name_vi, name_en = award_names([proposal.award_code])
    if not allowed:
        return entry.result(
            True,
            f"{name_vi} không có trong danh mục; không giới hạn đối tượng.",
            f"{name_en} is not in the catalogue; any nominee kind.",
        )
    passed = nominee.kind in allowed
    return entry.result(
        passed,
        f"Đối tượng: {_KIND_VI[nominee.kind]}; {name_vi} xét tặng cho: "
        f"{', '.join(_KIND_VI[k] for k in allowed)}.",
        f"Nominee: {nominee.kind.value}; {name_en} is for: {', '.join(k.value for k in allowed)}.",
    )


def _catalogue_kinds(code: str) -> tuple[NomineeKind, ...]:
    try:
        return CATALOGUE[AwardCode(code)].nominee_kinds
    except ValueError:
        return ()


@rule_kind(
    "no_active_exclusion",
    name_vi="Không đang bị kỷ luật, điều tra, khiếu nại hoặc phản ánh",
    name_en="Not under discipline, investigation, complaint or allegation",
)
def no_active_exclusion(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """Nobody under review is proposed until cleared; judged on the round's opening day."""
    day = proposal.as_of
    active = [e for e in nominee.exclusions if e.active_on(day)]
    if not active:
        return entry.result(
            True,
            f"Ngày {date_vi(day)} không có kỷ luật, điều tra, khiếu nại hay phản ánh đang xử lý.",
            f"No discipline, investigation, complaint or allegation pending on {date_en(day)}.",
        )
    return entry.result(
        False,
        f"Ngày {date_vi(day)} đang có: {'; '.join(_exclusion_vi(e) for e in active)}.",
        f"Pending on {date_en(day)}: {'; '.join(_exclusion_en(e) for e in active)}.",
    )


def _exclusion_vi(e: Exclusion) -> str:
    level = f" ({e.level})" if e.level else ""
    until = f"đến {date_vi(e.end)}" if e.end else "chưa kết thúc"
    return f"{e.kind.label_vi}{level} từ {date_vi(e.start)}, {until}"


def _exclusion_en(e: Exclusion) -> str:
    level = f" ({e.level})" if e.level else ""
    until = f"until {date_en(e.end)}" if e.end else "still open"
    return f"{e.kind.label_en}{level} since {date_en(e.start)}, {until}"


@rule_kind(
    "one_achievement_one_award",
    name_vi="Một thành tích chỉ khen một hình thức",
    name_en="One achievement, one award form",
)
def one_achievement_one_award(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """Fails if the achievement already earned an award or backs another live nomination."""
    key = proposal.achievement_key
    awarded = [a for a in nominee.awards if key is not None and a.achievement_key == key]
    clashes_vi = [f"{award_names([a.code])[0]} (đã khen năm {a.year})" for a in awarded]
    clashes_en = [f"{award_names([a.code])[1]} (awarded {a.year})" for a in awarded]
    for code in proposal.other_live_awards_for_achievement:
        clashes_vi.append(f"{award_names([code])[0]} (đang đề nghị)")
        clashes_en.append(f"{award_names([code])[1]} (nomination in progress)")
    label = f"«{key}»" if key else "của hồ sơ"
    label_en = f"'{key}'" if key else "of this nomination"
    if not clashes_vi:
        return entry.result(
            True,
            f"Thành tích {label} chưa được khen và không có đề nghị khen thưởng khác.",
            f"Achievement {label_en} has no award and no other live nomination.",
        )
    return entry.result(
        False,
        f"Thành tích {label} đã có hình thức khen thưởng khác: {'; '.join(clashes_vi)}.",
        f"Achievement {label_en} already has another award form: {'; '.join(clashes_en)}.",
    )


@rule_kind(
    "initiative_unused",
    name_vi="Mỗi sáng kiến chỉ dùng cho một lần khen thưởng",
    name_en="An initiative backs one award only",
)
def initiative_unused(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """Fails for any initiative of the proposal already marked used, or backing a held award."""
    uses = _initiative_uses(nominee)
    wanted = proposal.initiative_ids
    used = [(i, uses[i]) for i in wanted if i in uses]
    if not wanted:
        return entry.result(True, "Hồ sơ không dùng sáng kiến nào.", "No initiative is cited.")
    if not used:
        listed = ", ".join(wanted)
        return entry.result(
            True,
            f"Sáng kiến {listed} chưa dùng cho lần khen thưởng nào.",
            f"Initiative(s) {listed} not yet used for any award.",
        )
    return entry.result(
        False,
        "Sáng kiến đã dùng: " + "; ".join(f"{i} cho {by}" for i, by in used) + ".",
        "Initiative(s) already used: " + "; ".join(f"{i} for {by}" for i, by in used) + ".",
    )


def _initiative_uses(nominee: NomineeFacts) -> dict[str, str]:
    """Initiative id -> what it already backed (its used_by, or a held award's record)."""
    uses = {i.id: i.used_by for i in nominee.initiatives if i.used_by}
    for award in nominee.awards:
        for ident in award.initiative_ids:
            uses.setdefault(ident, f"{award.code} {award.year}")
    return uses


@rule_kind("quota", name_vi="Chỉ tiêu khen thưởng của đợt", name_en="Round quota")
def quota(nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry) -> RuleResult:
    """``quota_used`` counts earlier nominations, so this one needs ``used < limit``."""
    limit, used = proposal.quota_limit, proposal.quota_used
    if limit is None:
        return entry.result(
            True,
            "Đợt này không giới hạn chỉ tiêu cho hình thức này.",
            "No quota for this award in this round.",
        )
    if used < limit:
        return entry.result(
            True,
            f"Đơn vị đã đề nghị {used}/{limit} suất; hồ sơ này là suất thứ {used + 1}.",
            f"The unit has proposed {used} of {limit} places; this one takes place {used + 1}.",
        )
    return entry.result(
        False,
        f"Đơn vị đã đề nghị {used}/{limit} suất; đã hết chỉ tiêu.",
        f"The unit has already proposed {used} of {limit} places; the quota is used up.",
    )
