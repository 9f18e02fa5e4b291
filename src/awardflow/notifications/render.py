"""Render a message kind in a language: subject, plain text and HTML (Jinja2, StrictUndefined).

Each kind's template (``{lang}/{kind}.j2``) defines two macros, ``subject(c)`` and ``lead(c)``;
the layouts ``mail.txt.j2`` and ``mail.html.j2`` wrap them with the greeting, the dossier's
facts, the kind's details and the link. The HTML environment autoescapes, the text one does not.
Dates, times and numbers are formatted with Babel in the recipient's language and the
campaigns' time zone ("ngày 10 tháng 11 năm 2026").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from awardflow.notifications.kinds import (
    Context,
    DeadlineContext,
    LifecycleContext,
    MessageKind,
    SummaryContext,
)

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
TEMPLATES = Path(__file__).parent / "templates"
_LOCALE = {"vi": "vi_VN", "en": "en_GB"}
_DATE_PATTERN = {"vi": "'ngày' d 'tháng' M 'năm' y", "en": "d MMMM y"}


def language_of(value: str | None) -> Language:
    """The user's setting; anything unknown falls back to Vietnamese."""
    return "en" if value == "en" else "vi"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    link: str


def _local(value: datetime, tz: tzinfo) -> datetime:
    return value.astimezone(tz)


def _filters(lang: Language, tz: tzinfo) -> dict[str, object]:
    locale = _LOCALE[lang]

    def fmt_date(value: date | datetime | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            value = _local(value, tz).date()
        return format_date(value, _DATE_PATTERN[lang], locale=locale)

    def fmt_datetime(value: datetime | None) -> str:
        if value is None:
            return "—"
        local = _local(value, tz)
        clock = format_time(local, "HH:mm", locale=locale)
        return f"{clock} {fmt_date(local)}" if lang == "vi" else f"{clock}, {fmt_date(local)}"

    def fmt_number(value: float) -> str:
        return format_decimal(value, locale=locale)

    return {"date": fmt_date, "datetime": fmt_datetime, "number": fmt_number}


@lru_cache(maxsize=8)
def environment(fmt: Literal["txt", "html"], lang: Language, tz_name: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=fmt == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_filters(lang, ZoneInfo(tz_name)))
    return env


_SUBJECT = "{% import kind_template as k %}{{ k.subject(c) }}"


def link_for(ctx: Context, base_url: str) -> tuple[str, str]:
    """Every mail links into the web pages: the dossier, the report, or the task list."""
    base = base_url.rstrip("/")
    if isinstance(ctx, LifecycleContext | DeadlineContext):
        return f"{base}/nominations/{ctx.nomination.id}", "link"
    if isinstance(ctx, SummaryContext):
        return f"{base}/summaries/{ctx.summary_id}", "link_summary"
    return f"{base}/inbox", "link_inbox"


def render(
    kind: MessageKind,
    lang: Language,
    ctx: Context,
    *,
    user_name: str,
    base_url: str,
    tz_name: str = "Asia/Ho_Chi_Minh",
) -> Rendered:
    """Render one message; any missing variable raises (StrictUndefined)."""
    link, link_label = link_for(ctx, base_url)
    variables = {
        "c": ctx,
        "link_base": base_url.rstrip("/"),
        "link_label": link_label,
        "kind": kind.value,
        "lang": lang,
        "user_name": user_name,
        "link": link,
        "kind_template": f"{lang}/{kind.value}.j2",
        "common_template": f"{lang}/_common.j2",
    }
    text_env = environment("txt", lang, tz_name)
    subject = text_env.from_string(_SUBJECT).render(variables)
    text = text_env.get_template("mail.txt.j2").render(variables)
    html = environment("html", lang, tz_name).get_template("mail.html.j2").render(variables)
    return Rendered(
        subject=re.sub(r"\s+", " ", subject).strip(),
        text=re.sub(r"\n{3,}", "\n\n", text).strip() + "\n",
        html=html,
        link=link,
    )
