"""What the eligibility rules look at: a nominee's history and the proposal being checked.

These are plain frozen values so the rules stay pure: the services layer reads the database
(or a history import) once, builds these facts, and the rules never touch I/O. Field names
follow DESIGN.md §1; the Vietnamese term each one stands for is in its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from awardflow.campaigns.catalogue import AwardType, NomineeKind

__all__ = [
    "AwardRecord",
    "CollectiveYear",
    "Exclusion",
    "ExclusionKind",
    "Initiative",
    "InitiativeScope",
    "NomineeFacts",
    "ProposalFacts",
    "Rating",
]


class Rating(StrEnum):
    """Xếp loại mức độ hoàn thành nhiệm vụ (yearly rating of a person or a unit)."""

    HTXS = "htxs"  # hoàn thành xuất sắc nhiệm vụ
    HTT = "htt"  # hoàn thành tốt nhiệm vụ
    HT = "ht"  # hoàn thành nhiệm vụ
    KHT = "kht"  # không hoàn thành nhiệm vụ

    @property
    def rank(self) -> int:
        """Higher is better: HTXS 3 > HTT 2 > HT 1 > KHT 0 (string order would be wrong)."""
        return _RATING_RANK[self]

    def at_least(self, other: Rating) -> bool:
        """True when this rating is ``other`` or better, the shape of every rating rule."""
        return self.rank >= other.rank

    @property
    def label_vi(self) -> str:
        return _RATING_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _RATING_LABELS[self][1]

    @property
    def short(self) -> str:
        """The abbreviation people write on forms: HTXS, HTT, HT, KHT."""
        return self.value.upper()


_RATING_RANK = {Rating.HTXS: 3, Rating.HTT: 2, Rating.HT: 1, Rating.KHT: 0}
_RATING_LABELS = {
    Rating.HTXS: ("hoàn thành xuất sắc nhiệm vụ", "completed tasks with excellence"),
    Rating.HTT: ("hoàn thành tốt nhiệm vụ", "completed tasks well"),
    Rating.HT: ("hoàn thành nhiệm vụ", "completed tasks"),
    Rating.KHT: ("không hoàn thành nhiệm vụ", "did not complete tasks"),
}


@dataclass(frozen=True, slots=True)
class AwardRecord:
    """A title or award the nominee already holds (from a decision, or imported history).

    ``code`` is an ``AwardCode`` value, or any other string for awards outside the catalogue
    (those never match a chain, which only names catalogue codes). ``award_type`` matters:
    thematic and ad hoc results never count toward merit chains.
    """

    code: str
    year: int
    award_type: AwardType
    decision_number: str | None = None
    decision_date: date | None = None
    achievement_key: str | None = None
    initiative_ids: tuple[str, ...] = ()


class InitiativeScope(StrEnum):
    """Phạm vi ảnh hưởng của sáng kiến; a wider scope also satisfies a narrower requirement."""

    GRASSROOTS = "grassroots"  # cơ sở
    PROVINCE = "province"  # cấp tỉnh (bộ, ngành)
    NATIONAL = "national"  # toàn quốc

    @property
    def rank(self) -> int:
        return _SCOPE_RANK[self]

    @property
    def label_vi(self) -> str:
        return _SCOPE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _SCOPE_LABELS[self][1]


_SCOPE_RANK = {
    InitiativeScope.GRASSROOTS: 0,
    InitiativeScope.PROVINCE: 1,
    InitiativeScope.NATIONAL: 2,
}
_SCOPE_LABELS = {
    InitiativeScope.GRASSROOTS: ("cơ sở", "grassroots"),
    InitiativeScope.PROVINCE: ("cấp tỉnh", "provincial"),
    InitiativeScope.NATIONAL: ("toàn quốc", "national"),
}


@dataclass(frozen=True, slots=True)
class Initiative:
    """Sáng kiến (or an accepted research topic, đề tài khoa học, recorded the same way).

    ``used_by`` names the award or nomination it already backed: an initiative backs one
    award only.
    """

    id: str
    title: str
    scope: InitiativeScope
    year: int
    used_by: str | None = None


class ExclusionKind(StrEnum):
    """Why a nominee may not be proposed until cleared (DOMAIN.md, principles)."""

    DISCIPLINE = "discipline"  # đang thi hành kỷ luật
    INVESTIGATION = "investigation"  # đang bị điều tra, thanh tra, kiểm tra
    COMPLAINT = "complaint"  # đơn thư khiếu nại, tố cáo đang xác minh
    PRESS_ALLEGATION = "press_allegation"  # báo chí phản ánh đang xác minh

    @property
    def label_vi(self) -> str:
        return _EXCLUSION_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _EXCLUSION_LABELS[self][1]


_EXCLUSION_LABELS = {
    ExclusionKind.DISCIPLINE: ("kỷ luật", "discipline"),
    ExclusionKind.INVESTIGATION: ("điều tra, thanh tra, kiểm tra", "investigation"),
    ExclusionKind.COMPLAINT: ("khiếu nại, tố cáo đang xác minh", "complaint under verification"),
    ExclusionKind.PRESS_ALLEGATION: ("báo chí phản ánh đang xác minh", "press allegation"),
}


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A period during which the nominee is not proposed; ``end`` None means still open.

    ``end`` is the first day the nominee is cleared. ``level`` is the discipline's form,
    e.g. "khiển trách", "cảnh cáo", "cách chức".
    """

    kind: ExclusionKind
    start: date
    end: date | None = None
    level: str | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class CollectiveYear:
    """One year of a collective: the member counts the TTLĐTT and TTLĐXS rules need."""

    year: int
    members: int
    ldtt_members: int
    cstd_members: int
    all_completed: bool
    disciplined_warning_or_above: int


@dataclass(frozen=True, slots=True)
class NomineeFacts:
    """Everything known about one nominee (cá nhân or tập thể) that the rules may use."""

    kind: NomineeKind
    name: str
    ratings: Mapping[int, Rating]
    awards: tuple[AwardRecord, ...]
    initiatives: tuple[Initiative, ...]
    exclusions: tuple[Exclusion, ...]
    collective_years: Mapping[int, CollectiveYear] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProposalFacts:
    """The nomination being checked.

    ``year`` is the year whose achievements are assessed; ``as_of`` is the round's opening
    day (exclusions and the rule set in force are judged on it). ``quota_used`` counts the
    unit's nominations already proposed for this award in the round, not this one.
    """

    award_code: str
    year: int
    as_of: date
    award_type: AwardType
    achievement_key: str | None
    initiative_ids: tuple[str, ...]
    quota_limit: int | None
    quota_used: int
    other_live_awards_for_achievement: tuple[str, ...] = ()
