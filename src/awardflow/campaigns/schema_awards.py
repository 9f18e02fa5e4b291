"""What a campaign awards and who decides: award forms, criteria, offices and the council.

These sections check what they can check alone; whether an award's deciding authority fits
the organiser's level is checked in :mod:`awardflow.campaigns.schema`.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, PositiveInt, field_validator, model_validator

from awardflow.campaigns.catalogue import CATALOGUE, AwardCode, AwardForm, NomineeKind
from awardflow.campaigns.schema_base import (
    Body,
    Code,
    DecidingAuthority,
    Fraction,
    Frozen,
    Issue,
    NonEmpty,
    RoundKind,
    Text,
    UnitKind,
    raise_issues,
)

__all__ = [
    "Award",
    "Council",
    "CouncilMember",
    "CouncilRole",
    "Criteria",
    "CriteriaList",
    "Criterion",
    "Offices",
    "ProposingUnits",
    "Quota",
    "Scope",
]


class Quota(Frozen):
    """At most so many per proposing unit, or so many percent of participants; exactly one."""

    per_unit: PositiveInt | None = None
    percent_of_participants: Annotated[float, Field(gt=0, le=100)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Quota:
        if (self.per_unit is None) == (self.percent_of_participants is None):
            raise_issues(
                [
                    Issue(
                        (),
                        "ghi đúng một trong hai: per_unit (số lượng mỗi đơn vị) hoặc "
                        "percent_of_participants (phần trăm số tham gia); "
                        "bỏ quota nếu không giới hạn",
                        "give exactly one of per_unit (a count per unit) or "
                        "percent_of_participants (a percentage); leave quota out for no limit",
                    )
                ]
            )
        return self


class Award(Frozen):
    """An award form this campaign offers, in the plan's words, with the campaign's numbers.

    ``nominee_kinds`` and ``threshold`` default to the catalogue (DOMAIN.md) when omitted.
    """

    code: AwardCode
    name: Text
    deciding_authority: DecidingAuthority
    nominee_kinds: Annotated[tuple[NomineeKind, ...], NonEmpty]
    threshold: Fraction
    quota: Quota | None = None
    rounds: Annotated[tuple[RoundKind, ...], NonEmpty]

    @property
    def form(self) -> AwardForm:
        return CATALOGUE[self.code]

    @model_validator(mode="before")
    @classmethod
    def _catalogue_defaults(cls, data: Any) -> Any:
        """Fill omitted numbers from the catalogue before validation: the model is frozen, and
        readers (and the fingerprint) should see the value in force, not a None."""
        if not isinstance(data, dict):
            return data
        code = data.get("code")
        if isinstance(code, str) and code in set(AwardCode):
            form = CATALOGUE[AwardCode(code)]
            defaults = {
                "nominee_kinds": list(form.nominee_kinds),
                "threshold": form.default_threshold,
            }
        else:
            # Unknown code: its own error says so; stand-ins keep "missing threshold" from
            # being reported as a second, misleading error.
            defaults = {"nominee_kinds": [k.value for k in NomineeKind], "threshold": 0.5}
        return {**defaults, **data}

    @field_validator("code", mode="before")
    @classmethod
    def _known_code(cls, value: Any) -> Any:
        if not isinstance(value, str) or value not in set(AwardCode):
            valid = ", ".join(c.value for c in AwardCode)
            raise_issues(
                [
                    Issue(
                        (),
                        f"không có mã hình thức khen thưởng '{value}'; các mã hợp lệ: {valid}",
                        f"unknown award code '{value}'; valid codes: {valid}",
                    )
                ]
            )
        return value

    @model_validator(mode="after")
    def _kinds_in_catalogue(self) -> Award:
        allowed = self.form.nominee_kinds
        raise_issues(
            [
                Issue(
                    ("nominee_kinds", i),
                    f"'{self.form.name_vi}' không dành cho đối tượng '{kind}'; chỉ cho: "
                    f"{', '.join(allowed)}",
                    f"'{self.form.name_en}' is not for '{kind}' nominees; only for: "
                    f"{', '.join(allowed)}",
                )
                for i, kind in enumerate(self.nominee_kinds)
                if kind not in allowed
            ]
        )
        return self


class Criterion(Frozen):
    """One line of a plan's "tiêu chí thi đua"; ``required: false`` marks alternatives and
    merits the appraiser weighs, not conditions every nominee must meet."""

    code: Code
    text: Text
    required: bool = True


CriteriaList = tuple[Criterion, ...]


class Criteria(Frozen):
    """Checklists per nominee kind; enterprises and cooperatives (collectives too) get their
    own list where the plan names one, and otherwise the collective one."""

    collective: CriteriaList = ()
    individual: CriteriaList = ()
    enterprise: CriteriaList = ()
    cooperative: CriteriaList = ()

    def checklist(self, kind: NomineeKind, unit_kind: UnitKind | None = None) -> CriteriaList:
        """The list a nomination is appraised against."""
        if kind is NomineeKind.INDIVIDUAL:
            return self.individual
        if unit_kind is UnitKind.ENTERPRISE and self.enterprise:
            return self.enterprise
        if unit_kind is UnitKind.COOPERATIVE and self.cooperative:
            return self.cooperative
        return self.collective

    @model_validator(mode="after")
    def _unique_codes(self) -> Criteria:
        issues: list[Issue] = []
        for name in type(self).model_fields:
            items: CriteriaList = getattr(self, name)
            seen = Counter(c.code for c in items)
            issues += [
                Issue(
                    (name, i, "code"),
                    f"mã tiêu chí '{c.code}' bị trùng trong danh sách {name}",
                    f"criterion code '{c.code}' is used twice in the {name} list",
                )
                for i, c in enumerate(items)
                if seen[c.code] > 1
            ]
        raise_issues(issues)
        return self


class Scope(Frozen):
    unit_kinds: Annotated[tuple[UnitKind, ...], NonEmpty]
    description: Text


class ProposingUnits(Frozen):
    unit_kinds: Annotated[tuple[UnitKind, ...], NonEmpty]
    description: Text


class CouncilRole(StrEnum):
    CHAIR = "chair"  # Chủ tịch Hội đồng: the director, or the provincial chairman
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    SECRETARY = "secretary"  # thư ký, a member who also runs the sessions


class CouncilMember(Frozen):
    """A seat (or ``count`` alike seats) on the council, by title, not by person."""

    role: CouncilRole
    title: Text
    count: PositiveInt = 1


class Council(Frozen):
    """The emulation council (Hội đồng TĐKT). Quorum and thresholds are fractions of ALL
    members (``size``), never of those present (DOMAIN.md, "Councils")."""

    name: Text
    chair_title: Text
    members: Annotated[tuple[CouncilMember, ...], NonEmpty]
    quorum: Fraction = 2 / 3
    size: PositiveInt

    @model_validator(mode="after")
    def _seats_add_up(self) -> Council:
        issues: list[Issue] = []
        chairs = sum(m.count for m in self.members if m.role is CouncilRole.CHAIR)
        if chairs != 1:
            issues.append(
                Issue(
                    ("members",),
                    f"Hội đồng cần đúng một chủ tịch (role: chair), đang có {chairs}",
                    f"the council needs exactly one chair (role: chair), found {chairs}",
                )
            )
        seats = sum(m.count for m in self.members)
        if seats != self.size:
            issues.append(
                Issue(
                    ("size",),
                    f"size ({self.size}) phải bằng tổng số thành viên liệt kê ({seats})",
                    f"size ({self.size}) must equal the number of seats listed ({seats})",
                )
            )
        raise_issues(issues)
        return self


class Offices(Frozen):
    """Who does what: proposes, appraises, keeps the council, collects reports, receives
    submissions (``receiving_authority``) and, for state awards, the ``central_authority``."""

    proposing_units: ProposingUnits
    appraising_office: Body
    standing_body: Body
    report_collector: Body | None = None
    #: Specialist offices that assess evidence and products for the appraising office.
    evidence_reviewers: tuple[Body, ...] = ()
    council: Council
    receiving_authority: Body
    central_authority: Body
