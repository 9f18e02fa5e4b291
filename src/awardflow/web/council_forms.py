"""The council's create-session form as typed: parsed, checked, and sent back with what the
secretary entered when something is missing (``web/pages/council.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awardflow.web.i18n import t

MAX_TEXT = 300


def ids(values: list[Any]) -> list[int]:
    """The whole numbers among form values (checkbox lists), at most 500."""
    return [int(v) for v in values if str(v).strip().isdigit()][:500]


@dataclass
class NewSession:
    """The create form as typed (kept when it comes back with errors)."""

    round_id: str = ""
    name: str = ""
    chair: str = ""
    members: list[int] = field(default_factory=list)
    quorum: str = ""

    @classmethod
    def parse(cls, form: Any) -> NewSession:
        return cls(
            round_id=str(form.get("round_id") or "").strip(),
            name=str(form.get("name") or "").strip(),
            chair=str(form.get("chair") or "").strip(),
            members=ids(form.getlist("members")),
            quorum=str(form.get("quorum") or "").strip(),
        )

    def errors(self, lang: str, rounds: set[int], people: set[int]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not (self.round_id.isdigit() and int(self.round_id) in rounds):
            errors["round_id"] = t(lang, "Hãy chọn đợt xét.", "Choose the round.")
        if not self.name:
            errors["name"] = t(lang, "Hãy đặt tên phiên họp.", "Name the session.")
        elif len(self.name) > MAX_TEXT:
            errors["name"] = t(
                lang,
                f"Tên dài quá {MAX_TEXT} ký tự.",
                f"The name is longer than {MAX_TEXT} characters.",
            )
        if not (self.chair.isdigit() and int(self.chair) in people):
            errors["chair"] = t(lang, "Hãy chọn Chủ tịch Hội đồng.", "Choose the chair.")
        if any(m not in people for m in self.members):
            errors["members"] = t(lang, "Thành viên không hợp lệ.", "Unknown member.")
        elif len(set(self.members) | ({int(self.chair)} if self.chair.isdigit() else set())) < 3:
            errors["members"] = t(
                lang,
                "Hội đồng cần ít nhất 3 thành viên (kể cả Chủ tịch).",
                "A council needs at least 3 members (the chair included).",
            )
        if self.quorum and self.quorum_value() is None:
            errors["quorum"] = t(
                lang,
                "Tỷ lệ tối thiểu dự họp là một số phần trăm từ 1 đến 100.",
                "The quorum is a percentage from 1 to 100.",
            )
        return errors

    def quorum_value(self) -> float | None:
        try:
            value = float(self.quorum.replace(",", ".").rstrip("%").strip())
        except ValueError:
            return None
        return value / 100 if 0 < value <= 100 else None
