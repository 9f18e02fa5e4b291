"""Vietnamese administrative form (Nghị định 30/2020/NĐ-CP on văn bản hành chính): the national
motto, the issuing body's line, the number and the place-date line, the head's title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
NBSP = "\u00a0"  # blanks left for the signer must survive HTML whitespace folding

_SMALL_WORDS = {"và", "của", "các", "cho", "về"}
# Who heads a body, by the first words of its name; the first match wins.
_HEADS = (
    ("ủy ban nhân dân", "Chủ tịch"),
    ("ubnd", "Chủ tịch"),
    ("sở", "Giám đốc"),
    ("trường", "Hiệu trưởng"),
    ("bộ", "Bộ trưởng"),
    ("ban", "Trưởng ban"),
    ("phòng", "Trưởng phòng"),
    ("trung tâm", "Giám đốc"),
)


def dateline(place: str, day: date | None) -> str:
    """``Điện Biên, ngày 05 tháng 01 năm 2027``: a zero before days under 10 and months 1-2.

    Without a day the numbers are left blank for the signer to fill in by hand."""
    prefix = f"{place}, " if place else ""
    if day is None:
        return f"{prefix}ngày{NBSP * 6}tháng{NBSP * 6}năm {date.today().year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date | str | None) -> str:
    if day is None or day == "":
        return ""
    d = day if isinstance(day, date) else date.fromisoformat(str(day))
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def abbreviation(unit_name: str) -> str:
    """The body's initials as used in document numbers: Sở Giáo dục và Đào tạo → SGDĐT."""
    words = [w for w in re.split(r"[\s\-–]+", unit_name) if w and w.lower() not in _SMALL_WORDS]
    initials = "".join(w[0].upper() for w in words if w[0].isalpha())
    return initials[:10] or "CQ"


def head_title(unit_name: str) -> str:
    """The title of whoever signs for the body: Sở → Giám đốc, Trường → Hiệu trưởng, …"""
    lowered = unit_name.lower()
    for prefix, title in _HEADS:
        if lowered.startswith(prefix):
            return title
    return "Thủ trưởng"


def place_of(definition: dict[str, Any], unit_name: str) -> str:
    """Where the body sits: the plan's dateline ("Điện Biên, ngày …") or the province in its
    name ("… tỉnh Lâm Đồng"); empty when neither says."""
    plan = definition.get("plan") or {}
    line = str(plan.get("dateline") or "")
    if "," in line:
        return line.split(",", 1)[0].strip()
    issuer = str((definition.get("issuer") or {}).get("name") or unit_name)
    found = re.search(r"(?:tỉnh|thành phố|TP\.?)\s+(.+)$", issuer)
    return found.group(1).strip() if found else ""


def slug(text: str, limit: int = 40) -> str:
    """ASCII file-name part: Nguyễn Thị Lan → nguyen-thi-lan."""
    ascii_text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit] or "x"


def award_heading(award_name: str) -> str:
    """The big word on a certificate: GIẤY KHEN, BẰNG KHEN, or the award's own name."""
    for form in ("Giấy khen", "Bằng khen", "Cờ thi đua", "Chiến sĩ thi đua"):
        if award_name.lower().startswith(form.lower()):
            return form.upper()
    return award_name.upper()


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What every official document of one body shows around its body text."""

    body: str  # issuing body, e.g. Sở Giáo dục và Đào tạo
    parent: str  # the body above it, e.g. UBND tỉnh Điện Biên ("" when none)
    place: str
    signer_title: str  # e.g. Giám đốc
    signer_name: str
    number: str = ""  # e.g. 123/QĐ-SGDĐT; "" leaves the number blank
    day: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def abbreviation(self) -> str:
        return abbreviation(self.body)

    @property
    def dateline(self) -> str:
        return dateline(self.place, self.day)

    def number_line(self, kind: str) -> str:
        """``Số: 123/QĐ-SGDĐT`` or, unnumbered, ``Số:      /TTr-SGDĐT``."""
        if self.number:
            return f"Số: {self.number}"
        return f"Số:{NBSP * 8}/{kind}-{self.abbreviation}"
