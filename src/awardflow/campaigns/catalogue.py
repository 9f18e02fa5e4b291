"""The national catalogue of award forms and titles (DOMAIN.md, "Titles and award forms").

A campaign definition names award forms by these codes and adds its own deciding authority,
nominee kinds, threshold and quota. The defaults here come from DOMAIN.md; a campaign may
override every number. Nothing here is a legal constant: it is the starting point.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NomineeKind(StrEnum):
    """Đối tượng: cá nhân or tập thể (enterprises and cooperatives are collectives)."""

    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class AwardLevel(StrEnum):
    """Where an award sits in the hierarchy; the deciding authority depends on the campaign."""

    GRASSROOTS = "grassroots"  # cơ sở: department, unit with legal status, commune
    PROVINCE = "province"
    MINISTRY = "ministry"
    STATE = "state"


class AwardType(StrEnum):
    """Loại hình khen thưởng. Thematic and ad hoc results never count toward merit chains."""

    MERIT = "merit"  # công trạng (thường xuyên)
    CAMPAIGN = "campaign"  # theo phong trào thi đua (đợt)
    THEMATIC = "thematic"  # chuyên đề
    ADHOC = "adhoc"  # đột xuất
    CAREER = "career"  # quá trình cống hiến


class AwardCode(StrEnum):
    LDTT = "ldtt"
    CSTD_CO_SO = "cstd_co_so"
    CSTD_TINH = "cstd_tinh"
    CSTD_BO = "cstd_bo"
    CSTD_TOAN_QUOC = "cstd_toan_quoc"
    GIAY_KHEN = "giay_khen"
    BANG_KHEN_TINH = "bang_khen_tinh"
    BANG_KHEN_BO = "bang_khen_bo"
    BANG_KHEN_TTG = "bang_khen_ttg"
    HUAN_CHUONG_LD3 = "huan_chuong_ld3"
    TTLDTT = "ttldtt"
    TTLDXS = "ttldxs"
    CO_THI_DUA_TINH = "co_thi_dua_tinh"
    CO_THI_DUA_BO = "co_thi_dua_bo"
    CO_THI_DUA_CP = "co_thi_dua_cp"


_BOTH = (NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE)
_IND = (NomineeKind.INDIVIDUAL,)
_COL = (NomineeKind.COLLECTIVE,)


@dataclass(frozen=True, slots=True)
class AwardForm:
    code: AwardCode
    name_vi: str
    name_en: str
    level: AwardLevel
    nominee_kinds: tuple[NomineeKind, ...]
    #: Default yes-vote threshold as a fraction of ALL council members (DOMAIN.md, Councils).
    default_threshold: float
    #: Secret ballot compulsory by law for this form.
    secret_ballot: bool
    #: Emulation titles (danh hiệu) versus commendations (hình thức khen thưởng).
    is_title: bool


CATALOGUE: dict[AwardCode, AwardForm] = {
    f.code: f
    for f in (
        AwardForm(
            AwardCode.LDTT,
            "Lao động tiên tiến",
            "Advanced Worker",
            AwardLevel.GRASSROOTS,
            _IND,
            0.5,
            False,
            True,
        ),
        AwardForm(
            AwardCode.CSTD_CO_SO,
            "Chiến sĩ thi đua cơ sở",
            "Grassroots Emulation Fighter",
            AwardLevel.GRASSROOTS,
            _IND,
            0.8,
            True,
            True,
        ),
        AwardForm(
            AwardCode.CSTD_TINH,
            "Chiến sĩ thi đua cấp tỉnh",
            "Provincial Emulation Fighter",
            AwardLevel.PROVINCE,
            _IND,
            0.9,
            True,
            True,
        ),
        AwardForm(
            AwardCode.CSTD_BO,
            "Chiến sĩ thi đua cấp Bộ",
            "Ministerial Emulation Fighter",
            AwardLevel.MINISTRY,
            _IND,
            0.9,
            True,
            True,
        ),
        AwardForm(
            AwardCode.CSTD_TOAN_QUOC,
            "Chiến sĩ thi đua toàn quốc",
            "National Emulation Fighter",
            AwardLevel.STATE,
            _IND,
            0.9,
            True,
            True,
        ),
        AwardForm(
            AwardCode.GIAY_KHEN,
            "Giấy khen",
            "Certificate of Merit",
            AwardLevel.GRASSROOTS,
            _BOTH,
            0.5,
            False,
            False,
        ),
        AwardForm(
            AwardCode.BANG_KHEN_TINH,
            "Bằng khen của Chủ tịch UBND tỉnh",
            "Provincial Chairman's Certificate of Merit",
            AwardLevel.PROVINCE,
            _BOTH,
            0.5,
            False,
            False,
        ),
        AwardForm(
            AwardCode.BANG_KHEN_BO,
            "Bằng khen của Bộ trưởng",
            "Minister's Certificate of Merit",
            AwardLevel.MINISTRY,
            _BOTH,
            0.5,
            False,
            False,
        ),
        AwardForm(
            AwardCode.BANG_KHEN_TTG,
            "Bằng khen của Thủ tướng Chính phủ",
            "Prime Minister's Certificate of Merit",
            AwardLevel.STATE,
            _BOTH,
            0.5,
            False,
            False,
        ),
        AwardForm(
            AwardCode.HUAN_CHUONG_LD3,
            "Huân chương Lao động hạng Ba",
            "Labour Order, Third Class",
            AwardLevel.STATE,
            _BOTH,
            0.5,
            True,
            False,
        ),
        AwardForm(
            AwardCode.TTLDTT,
            "Tập thể lao động tiên tiến",
            "Advanced Collective",
            AwardLevel.GRASSROOTS,
            _COL,
            0.5,
            False,
            True,
        ),
        AwardForm(
            AwardCode.TTLDXS,
            "Tập thể lao động xuất sắc",
            "Excellent Collective",
            AwardLevel.PROVINCE,
            _COL,
            0.5,
            False,
            True,
        ),
        AwardForm(
            AwardCode.CO_THI_DUA_TINH,
            "Cờ thi đua của UBND tỉnh",
            "Provincial Emulation Flag",
            AwardLevel.PROVINCE,
            _COL,
            0.8,
            True,
            True,
        ),
        AwardForm(
            AwardCode.CO_THI_DUA_BO,
            "Cờ thi đua của Bộ",
            "Ministerial Emulation Flag",
            AwardLevel.MINISTRY,
            _COL,
            0.8,
            True,
            True,
        ),
        AwardForm(
            AwardCode.CO_THI_DUA_CP,
            "Cờ thi đua của Chính phủ",
            "Government Emulation Flag",
            AwardLevel.STATE,
            _COL,
            0.8,
            True,
            True,
        ),
    )
}


def award_form(code: str) -> AwardForm:
    """The catalogue entry for ``code``; KeyError names the unknown code."""
    return CATALOGUE[AwardCode(code)]
