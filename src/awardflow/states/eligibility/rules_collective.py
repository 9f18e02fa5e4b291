"""Rule kinds over a collective's member figures for the assessed year (TTLĐTT, TTLĐXS).

The unit's own rating is checked with ``min_rating`` (a collective's ``ratings`` are the
unit's). These kinds read ``CollectiveYear``; a missing year fails, because the appraiser
cannot confirm a share nobody reported.
"""

from __future__ import annotations

from awardflow.states.eligibility.facts import CollectiveYear, NomineeFacts, ProposalFacts
from awardflow.states.eligibility.registry import ParamSpec, ParamType, RuleEntry, rule_kind
from awardflow.states.eligibility.results import RuleResult


def _figures(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> CollectiveYear | RuleResult:
    """The assessed year's figures, or the failing result saying they are missing."""
    figures = nominee.collective_years.get(proposal.year)
    if figures is None:
        return entry.result(
            False,
            f"Chưa có số liệu thành viên của tập thể năm {proposal.year}.",
            f"No member figures for the collective in {proposal.year}.",
        )
    return figures


def _percent(value: float, lang: str) -> str:
    text = f"{value * 100:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',')} %" if lang == "vi" else f"{text}%"


@rule_kind(
    "collective_ldtt_share",
    name_vi="Tỷ lệ thành viên đạt Lao động tiên tiến",
    name_en="Share of members who are Advanced Workers",
    params={"min_share": ParamSpec(ParamType.FLOAT, default=0.7)},
)
def collective_ldtt_share(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """At least ``min_share`` of members hold LĐTT in the assessed year."""
    figures = _figures(nominee, proposal, entry)
    if isinstance(figures, RuleResult):
        return figures
    minimum = entry.get_float("min_share")
    share = figures.ldtt_members / figures.members if figures.members else 0.0
    got, got_en = (
        f"{figures.ldtt_members}/{figures.members}",
        f"{figures.ldtt_members} of {figures.members}",
    )
    return entry.result(
        round(share, 9) >= minimum,
        f"Năm {proposal.year}: {got} thành viên đạt Lao động tiên tiến "
        f"({_percent(share, 'vi')}); cần ít nhất {_percent(minimum, 'vi')}.",
        f"{proposal.year}: {got_en} members are Advanced Workers ({_percent(share, 'en')}); "
        f"at least {_percent(minimum, 'en')} required.",
    )


@rule_kind(
    "collective_no_discipline",
    name_vi="Không có thành viên bị kỷ luật từ cảnh cáo trở lên",
    name_en="No member disciplined at warning level or above",
    params={"max": ParamSpec(ParamType.INT, default=0)},
)
def collective_no_discipline(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """At most ``max`` (normally 0) members disciplined at "cảnh cáo" or above that year."""
    figures = _figures(nominee, proposal, entry)
    if isinstance(figures, RuleResult):
        return figures
    allowed, found = entry.get_int("max"), figures.disciplined_warning_or_above
    return entry.result(
        found <= allowed,
        f"Năm {proposal.year}: {found} thành viên bị kỷ luật từ mức cảnh cáo trở lên; "
        f"cho phép tối đa {allowed}.",
        f"{proposal.year}: {found} member(s) disciplined at warning level or above; "
        f"at most {allowed} allowed.",
    )


@rule_kind(
    "collective_all_completed",
    name_vi="Tất cả thành viên hoàn thành nhiệm vụ",
    name_en="Every member completed their tasks",
)
def collective_all_completed(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    figures = _figures(nominee, proposal, entry)
    if isinstance(figures, RuleResult):
        return figures
    if figures.all_completed:
        return entry.result(
            True,
            f"Năm {proposal.year}: tất cả {figures.members} thành viên hoàn thành nhiệm vụ.",
            f"{proposal.year}: all {figures.members} members completed their tasks.",
        )
    return entry.result(
        False,
        f"Năm {proposal.year}: có thành viên không hoàn thành nhiệm vụ.",
        f"{proposal.year}: at least one member did not complete their tasks.",
    )


@rule_kind(
    "collective_cstd_members",
    name_vi="Có thành viên đạt Chiến sĩ thi đua cơ sở",
    name_en="Members who are Grassroots Emulation Fighters",
    params={"min": ParamSpec(ParamType.INT, default=1)},
)
def collective_cstd_members(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    figures = _figures(nominee, proposal, entry)
    if isinstance(figures, RuleResult):
        return figures
    needed, found = entry.get_int("min"), figures.cstd_members
    return entry.result(
        found >= needed,
        f"Năm {proposal.year}: {found} thành viên đạt Chiến sĩ thi đua cơ sở; "
        f"cần ít nhất {needed}.",
        f"{proposal.year}: {found} member(s) are Grassroots Emulation Fighters; "
        f"at least {needed} required.",
    )
