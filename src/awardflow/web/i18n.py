"""Two languages, Vietnamese first: ``t(lang, vi, en)``, the labels of DESIGN §1 and §2 (states,
triggers, roles, phases, reused from ``states.lifecycle``) and dates and numbers the way a
Vietnamese reader writes them (dd/mm/yyyy, 1.234,5; times in Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from awardflow.errors import AwardflowError, Reason
from awardflow.states import NominationState, Phase, Role, Trigger
from awardflow.states.lifecycle import ROLE_LABELS, STATE_LABELS, TRIGGER_LABELS

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"
LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en_GB"}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

PHASE_LABELS: dict[Phase, tuple[str, str]] = {
    Phase.UNIT_PROPOSAL: ("Đơn vị đề nghị", "Unit proposal"),
    Phase.APPRAISAL: ("Thẩm định", "Department appraisal"),
    Phase.COUNCIL: ("Hội đồng xét", "Council vote"),
    Phase.SUBMISSION: ("Trình cấp trên", "Provincial submission"),
    Phase.CLOSED: ("Đã kết thúc", "Closed"),
}


def as_lang(value: str | None) -> Lang | None:
    """``"vi"`` or ``"en"`` when ``value`` names one of them, else None."""
    if value == "vi":
        return "vi"
    if value == "en":
        return "en"
    return None


def t(lang: str, vi: str, en: str) -> str:
    """The text in the reader's language."""
    return en if lang == "en" else vi


def pair(lang: str, labels: tuple[str, str]) -> str:
    return labels[1] if lang == "en" else labels[0]


def state_label(lang: str, state: NominationState | str) -> str:
    try:
        return pair(lang, STATE_LABELS[NominationState(state)])
    except ValueError:
        return str(state)


def trigger_label(lang: str, trigger: Trigger | str) -> str:
    try:
        return pair(lang, TRIGGER_LABELS[Trigger(trigger)])
    except ValueError:
        return str(trigger)


def role_label(lang: str, role: Role | str) -> str:
    try:
        return pair(lang, ROLE_LABELS[Role(role)])
    except ValueError:
        return str(role)


def phase_label(lang: str, phase: Phase | str) -> str:
    try:
        return pair(lang, PHASE_LABELS[Phase(phase)])
    except ValueError:
        return str(phase)


def error_text(lang: str, err: AwardflowError | Reason) -> str:
    """An error's or a reason's message in the reader's language."""
    if isinstance(err, Reason):
        return t(lang, err.vi, err.en)
    return t(lang, err.message_vi, err.message_en)


def local(moment: datetime) -> datetime:
    """``moment`` in Vietnam's time (naive datetimes from the database are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ)


def fmt_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """``31/12/2026`` (the day in Vietnam for a datetime); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, "dd/MM/yyyy", locale=LOCALES.get(lang, "vi_VN"))


def fmt_datetime(value: datetime | None, lang: str = DEFAULT_LANG) -> str:
    """``31/12/2026 14:05`` in Vietnam's time; empty for None."""
    if value is None:
        return ""
    return format_datetime(local(value), "dd/MM/yyyy HH:mm", locale=LOCALES.get(lang, "vi_VN"))


def fmt_number(
    value: int | float | Decimal | None, lang: str = DEFAULT_LANG, digits: int = 0
) -> str:
    """``1.234`` / ``1.234,5`` in Vietnamese, ``1,234.5`` in English; empty for None."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "vi_VN"))


def fmt_percent(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """``0.875`` → ``88%`` (``87,5%`` with one digit is rarely needed on a page)."""
    if value is None:
        return ""
    return format_percent(value, locale=LOCALES.get(lang, "vi_VN"))
