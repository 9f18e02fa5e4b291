"""Building blocks of the campaign definition: the strict base model, the shared field types,
the small vocabularies and the way a validator reports a rule it found broken.

Rules that span several fields (dates in order, a round inside its phase) are reported as
:class:`Issue` objects with a path relative to the model that checks them. They travel inside
one pydantic error (type ``campaign_rule``), so plain ``model_validate`` still raises an ordinary
``ValidationError``, while the loader unpacks them into one :class:`~awardflow.campaigns.errors.
Problem` each, on the exact line of the offending field and with both languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

__all__ = [
    "RULE_ERROR",
    "Body",
    "Code",
    "DecidingAuthority",
    "Fraction",
    "Frozen",
    "Issue",
    "Loc",
    "NonEmpty",
    "OrganiserLevel",
    "ReviewKind",
    "RoundKind",
    "Slug",
    "Text",
    "UnitKind",
    "raise_issues",
]

Loc = tuple[str | int, ...]

#: The pydantic error type that carries :class:`Issue` objects in ``ctx["issues"]``.
RULE_ERROR = "campaign_rule"


@dataclass(frozen=True, slots=True)
class Issue:
    """A broken rule: where (relative to the validating model), and why in both languages."""

    loc: Loc
    vi: str
    en: str


def raise_issues(issues: Sequence[Issue]) -> None:
    """Raise all ``issues`` as one pydantic error; do nothing when there are none."""
    if issues:
        raise PydanticCustomError(
            RULE_ERROR, "; ".join(i.en for i in issues), {"issues": tuple(issues)}
        )


class Frozen(BaseModel):
    """Every part of a definition: unknown keys are errors (a typo must not pass silently) and
    a loaded definition cannot change under the code that reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: A campaign's identifier, also its file name: ``dien-bien-gddt-dmst-2026``.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]

#: Codes of phases, rounds, criteria and bodies: ``annual-2026``, ``tt-1``, ``phong-tccb``.
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")]


def _non_empty(items: tuple[Any, ...]) -> tuple[Any, ...]:
    # An AfterValidator rather than ``min_length``: pydantic would also report a list whose
    # items all failed as "too short", a second, misleading error on the same field.
    if not items:
        raise_issues([Issue((), "cần ít nhất một mục", "expected at least one item")])
    return items


#: Marks a tuple field that must not be empty.
NonEmpty = AfterValidator(_non_empty)

#: Human text: titles, names, criteria. Surrounding blanks are dropped; empty text is an error.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def _parse_fraction(value: Any) -> Any:
    """Accept ``2/3`` and ``80%`` as well as ``0.8``: councils state their rules that way."""
    if isinstance(value, str):
        if m := _RATIO.match(value):
            den = float(m.group(2))
            return float(m.group(1)) / den if den else value
        if m := _PERCENT.match(value):
            return float(m.group(1)) / 100
    return value


def _check_fraction(value: float) -> float:
    if not 0 < value <= 1:
        raise_issues(
            [
                Issue(
                    (),
                    f"phải là tỉ lệ lớn hơn 0 và không quá 1 (ví dụ 0.8, 2/3 hoặc 80%), "
                    f"nhận được {value:g}",
                    f"expected a fraction above 0 and at most 1 (e.g. 0.8, 2/3 or 80%), "
                    f"got {value:g}",
                )
            ]
        )
    return value


#: A share of ALL council members (threshold, quorum): 0 < t <= 1.
Fraction = Annotated[float, BeforeValidator(_parse_fraction), AfterValidator(_check_fraction)]


class OrganiserLevel(StrEnum):
    """Who runs the campaign. A department decides grassroots awards (Giấy khen) and submits
    the rest to the province; a province decides provincial awards and submits state ones."""

    DEPARTMENT = "department"
    PROVINCE = "province"


class UnitKind(StrEnum):
    """Kinds of units that take part and propose (đơn vị tham gia)."""

    SCHOOL = "school"  # cơ sở giáo dục: mầm non, phổ thông, GDNN-GDTX, cao đẳng
    OFFICE = "office"  # phòng chuyên môn thuộc Sở, Văn phòng Sở
    DEPARTMENT = "department"  # sở, ban, ngành; cơ quan Sở
    COMMUNE = "commune"  # UBND xã, phường, đặc khu
    VILLAGE = "village"  # thôn, bản, tổ dân phố
    ORGANISATION = "organisation"  # cơ quan Đảng, MTTQ, tổ chức chính trị - xã hội
    UNIT = "unit"  # đơn vị trực thuộc, đơn vị sự nghiệp công lập, lực lượng vũ trang
    ENTERPRISE = "enterprise"  # doanh nghiệp
    COOPERATIVE = "cooperative"  # hợp tác xã
    HOUSEHOLD = "household"  # hộ sản xuất, kinh doanh


class ReviewKind(StrEnum):
    """How a phase ends: sơ kết (midterm) or tổng kết (final)."""

    MIDTERM = "midterm"
    FINAL = "final"


class RoundKind(StrEnum):
    """Đợt xét khen thưởng: yearly, at a review, on a theme (chuyên đề) or ad hoc (đột xuất)."""

    ANNUAL = "annual"
    MIDTERM = "midterm"
    FINAL = "final"
    THEMATIC = "thematic"
    ADHOC = "adhoc"


class DecidingAuthority(StrEnum):
    """Who signs the decision for an award, seen from the organiser.

    ``organiser``: the campaign's own head (Giám đốc Sở; Chủ tịch UBND tỉnh for a province);
    ``unit``: the head of the proposing unit or the commune chairman (Lào Cai's Giấy khen);
    ``province``: the provincial chairman, after a submission (department campaigns only);
    ``centre``: a minister, the Prime Minister or the President, via the central authority.
    """

    ORGANISER = "organiser"
    UNIT = "unit"
    PROVINCE = "province"
    CENTRE = "centre"


class Body(Frozen):
    """An office or authority: a stable code for the database and its official name."""

    code: Code
    name: Text
