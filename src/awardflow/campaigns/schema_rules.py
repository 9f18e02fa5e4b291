"""The rules of a campaign definition that span sections (see :mod:`awardflow.campaigns.schema`
for the decisions they encode). Each returns :class:`Issue` objects with paths from the root, so
the loader can point at the exact line."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from awardflow.campaigns.catalogue import AwardLevel, NomineeKind
from awardflow.campaigns.schema_base import (
    DecidingAuthority,
    Issue,
    OrganiserLevel,
    ReviewKind,
    RoundKind,
    UnitKind,
)

if TYPE_CHECKING:
    from awardflow.campaigns.schema import CampaignDefinition

__all__ = ["AUTHORITY_LEVELS", "check"]

A, L, Org = DecidingAuthority, AwardLevel, OrganiserLevel

#: Which award levels each deciding authority may decide, per organiser level.
AUTHORITY_LEVELS: dict[OrganiserLevel, dict[DecidingAuthority, frozenset[AwardLevel]]] = {
    Org.DEPARTMENT: {
        A.ORGANISER: frozenset({L.GRASSROOTS}),
        A.UNIT: frozenset({L.GRASSROOTS}),
        A.PROVINCE: frozenset({L.PROVINCE}),
        A.CENTRE: frozenset({L.MINISTRY, L.STATE}),
    },
    Org.PROVINCE: {
        A.ORGANISER: frozenset({L.PROVINCE}),
        A.UNIT: frozenset({L.GRASSROOTS}),
        A.PROVINCE: frozenset(),  # the organiser is the province: write ``organiser``
        A.CENTRE: frozenset({L.MINISTRY, L.STATE}),
    },
}

#: Round kinds that need a scheduled round when an award names them.
_SCHEDULED = frozenset({RoundKind.ANNUAL, RoundKind.MIDTERM, RoundKind.FINAL})


def check(d: CampaignDefinition) -> list[Issue]:
    """Every cross-section rule the definition breaks; empty when it is consistent."""
    return [
        *_unique_codes(d),
        *_phases_fit(d),
        *_rounds_fit(d),
        *_awards_fit(d),
        *_criteria_fit(d),
        *_offices_fit(d),
    ]


def _duplicates(section: str, keys: list[str]) -> list[Issue]:
    count = Counter(keys)
    return [
        Issue(
            (section, i, "code"),
            f"mã '{key}' bị trùng trong {section}; mỗi mục cần một mã riêng",
            f"code '{key}' is used more than once in {section}; each needs its own",
        )
        for i, key in enumerate(keys)
        if count[key] > 1
    ]


def _unique_codes(d: CampaignDefinition) -> list[Issue]:
    return [
        *_duplicates("phases", [p.code for p in d.phases]),
        *_duplicates("rounds", [r.code for r in d.rounds]),
        *_duplicates("awards", [a.code.value for a in d.awards]),
    ]


def _phases_fit(d: CampaignDefinition) -> list[Issue]:
    issues: list[Issue] = []
    start, end = d.period.start, d.period.end
    for i, p in enumerate(d.phases):
        if p.start < start or p.end > end:
            field = "start" if p.start < start else "end"
            issues.append(
                Issue(
                    ("phases", i, field),
                    f"giai đoạn {p.code} ({p.start} – {p.end}) phải nằm trong thời gian của "
                    f"phong trào ({start} – {end})",
                    f"phase {p.code} ({p.start} – {p.end}) must lie within the campaign "
                    f"period ({start} – {end})",
                )
            )
        if i and p.start <= d.phases[i - 1].end:
            prev = d.phases[i - 1]
            issues.append(
                Issue(
                    ("phases", i, "start"),
                    f"giai đoạn {p.code} bắt đầu {p.start}, phải sau khi giai đoạn {prev.code} "
                    f"kết thúc ({prev.end}); các giai đoạn xếp theo thứ tự, không chồng lên nhau",
                    f"phase {p.code} starts {p.start}, expected after phase {prev.code} ends "
                    f"({prev.end}); phases come in order and do not overlap",
                )
            )
        want = ReviewKind.FINAL if i == len(d.phases) - 1 else ReviewKind.MIDTERM
        if p.review.kind is not want:
            issues.append(
                Issue(
                    ("phases", i, "review", "kind"),
                    f"giai đoạn {p.code} cần kết thúc bằng '{want}' (chỉ giai đoạn cuối tổng kết)",
                    f"phase {p.code} must end in a '{want}' review (only the last phase ends "
                    f"in the final review)",
                )
            )
    return issues


def _rounds_fit(d: CampaignDefinition) -> list[Issue]:
    issues: list[Issue] = []
    phases = {p.code: p for p in d.phases}
    for i, r in enumerate(d.rounds):
        phase = phases.get(r.phase)
        if phase is None:
            known = ", ".join(phases)
            issues.append(
                Issue(
                    ("rounds", i, "phase"),
                    f"không có giai đoạn '{r.phase}'; các giai đoạn: {known}",
                    f"unknown phase '{r.phase}'; phases: {known}",
                )
            )
            continue
        review = phase.review
        is_review = r.kind.value == review.kind.value
        if r.kind in (RoundKind.MIDTERM, RoundKind.FINAL) and not is_review:
            issues.append(
                Issue(
                    ("rounds", i, "kind"),
                    f"đợt '{r.kind}' phải thuộc giai đoạn kết thúc bằng '{r.kind}'; "
                    f"giai đoạn {phase.code} kết thúc bằng '{review.kind}'",
                    f"a '{r.kind}' round belongs to a phase ending in a '{r.kind}' review; "
                    f"phase {phase.code} ends in '{review.kind}'",
                )
            )
        last = review.date if is_review else phase.end
        for loc, value in r.all_dates():
            if phase.start <= value <= last:
                continue
            until = f"{review.name} ({last})" if is_review else f"{last}"
            issues.append(
                Issue(
                    ("rounds", i, *loc),
                    f"{loc[-1]} ({value}) nằm ngoài giai đoạn {phase.code}: cần từ "
                    f"{phase.start} đến {until}",
                    f"{loc[-1]} ({value}) is outside phase {phase.code}: expected "
                    f"{phase.start} to {until}",
                )
            )
        offered = d.awards_in(r)
        if not offered:
            issues.append(
                Issue(
                    ("rounds", i, "kind"),
                    f"đợt {r.code} không có hình thức khen thưởng nào: không award nào "
                    f"ghi '{r.kind}' trong rounds",
                    f"round {r.code} offers no award: no award lists '{r.kind}' in its rounds",
                )
            )
        upward = [a.code.value for a in offered if not d.decided_by_organiser(a)]
        if upward and r.dates.submission_by is None:
            issues.append(
                Issue(
                    ("rounds", i, "dates", "submission_by"),
                    f"đợt {r.code} có khen thưởng phải trình cấp trên ({', '.join(upward)}): "
                    f"cần ngày submission_by, ví dụ 2026-12-09",
                    f"round {r.code} offers awards decided above the organiser "
                    f"({', '.join(upward)}): expected a submission_by date like 2026-12-09",
                )
            )
    return issues


def _awards_fit(d: CampaignDefinition) -> list[Issue]:
    issues: list[Issue] = []
    scheduled = {r.kind for r in d.rounds}
    allowed = AUTHORITY_LEVELS[d.organiser_level]
    for i, a in enumerate(d.awards):
        level = a.form.level
        if level not in allowed[a.deciding_authority]:
            fits = ", ".join(k for k, levels in allowed.items() if level in levels)
            issues.append(
                Issue(
                    ("awards", i, "deciding_authority"),
                    f"'{a.deciding_authority}' không quyết định được {a.form.name_vi} (cấp "
                    f"{level}) trong phong trào cấp {d.organiser_level}; chọn: {fits}",
                    f"'{a.deciding_authority}' cannot decide {a.form.name_en} ({level} level) "
                    f"in a {d.organiser_level}-level campaign; expected: {fits}",
                )
            )
        for j, kind in enumerate(a.rounds):
            if kind in _SCHEDULED and kind not in scheduled:
                issues.append(
                    Issue(
                        ("awards", i, "rounds", j),
                        f"phong trào không có đợt '{kind}' nào; thêm một đợt hoặc bỏ '{kind}'",
                        f"the campaign has no '{kind}' round; add one or drop '{kind}'",
                    )
                )
    return issues


def _criteria_fit(d: CampaignDefinition) -> list[Issue]:
    issues: list[Issue] = []
    offered = {k for a in d.awards for k in a.nominee_kinds}
    for kind in (NomineeKind.COLLECTIVE, NomineeKind.INDIVIDUAL):
        if kind in offered and not getattr(d.criteria, kind.value):
            issues.append(
                Issue(
                    ("criteria", kind.value),
                    f"có khen thưởng cho đối tượng '{kind}' nhưng chưa có tiêu chí cho họ",
                    f"awards are offered to '{kind}' nominees but they have no criteria",
                )
            )
    for unit_kind in (UnitKind.ENTERPRISE, UnitKind.COOPERATIVE):
        if getattr(d.criteria, unit_kind.value) and unit_kind not in d.scope.unit_kinds:
            issues.append(
                Issue(
                    ("criteria", unit_kind.value),
                    f"có tiêu chí cho '{unit_kind}' nhưng scope.unit_kinds không có '{unit_kind}'",
                    f"criteria for '{unit_kind}' given but scope.unit_kinds has no '{unit_kind}'",
                )
            )
    return issues


def _offices_fit(d: CampaignDefinition) -> list[Issue]:
    kinds = d.offices.proposing_units.unit_kinds
    return [
        Issue(
            ("offices", "proposing_units", "unit_kinds", i),
            f"đơn vị đề nghị loại '{k}' không thuộc phạm vi phong trào (scope.unit_kinds)",
            f"proposing unit kind '{k}' is not in the campaign's scope.unit_kinds",
        )
        for i, k in enumerate(kinds)
        if k not in d.scope.unit_kinds
    ]
