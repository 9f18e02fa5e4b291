"""Jinja2 for the pages: one environment (autoescape on for every template, undefined names
are errors), the helpers every template may call (``t``, ``csrf_field``, labels, dates,
numbers, URLs), and ``render`` which turns a template into an HTML response.

The helpers read the request's language and CSRF token from a context variable set while one
template renders, so macros imported without context (``{% import "_macros/ui.html" as ui %}``)
can call them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from awardflow.states import PHASE_OF, NominationState
from awardflow.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
HTMX = "vendor/htmx-2.0.11.min.js"


@dataclass
class RenderState:
    lang: str = i18n.DEFAULT_LANG
    csrf: str = ""
    path: str = "/"
    query: list[tuple[str, str]] = field(default_factory=list)


_state: ContextVar[RenderState | None] = ContextVar("awardflow_web_render", default=None)
_NO_STATE = RenderState()


def _current() -> RenderState:
    return _state.get() or _NO_STATE


@contextmanager
def rendering(state: RenderState) -> Iterator[None]:
    token = _state.set(state)
    try:
        yield
    finally:
        _state.reset(token)


def _lang() -> str:
    return _current().lang


def t(vi: str, en: str) -> str:
    """The text in the current page's language."""
    return i18n.t(_lang(), vi, en)


def csrf_token() -> str:
    return _current().csrf


def csrf_field() -> Markup:
    """``<input type="hidden" name="csrf_token" …>`` for a POST form."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token())


def url_with(**params: Any) -> str:
    """This page's path with some query parameters replaced (None removes one)."""
    state = _current()
    kept = [(k, v) for k, v in state.query if k not in params]
    kept += [(k, str(v)) for k, v in params.items() if v is not None]
    return state.path + ("?" + urlencode(kept) if kept else "")


def lang_url(lang: str) -> str:
    return url_with(lang=lang)


def action_url(nomination_id: int, trigger: str) -> str:
    return f"/nominations/{int(nomination_id)}/actions/{escape(trigger)}"


def option_pairs(
    items: Iterable[Any], value: str = "id", label: str = "name"
) -> list[tuple[Any, Any]]:
    """``(item.<value>, item.<label>)`` per item: the ``options`` of a select (``ui.field``,
    ``ui.filter_select``) from rows."""
    return [(getattr(item, value), getattr(item, label)) for item in items]


def state_class(state: NominationState | str) -> str:
    """A CSS class per phase for the state badge (colour plus the text, never colour alone)."""
    try:
        return "badge-" + PHASE_OF[NominationState(state)].value.replace("_", "-")
    except ValueError:
        return "badge-unknown"


def _date(value: date | datetime | None) -> str:
    return i18n.fmt_date(value, _lang())


def _datetime(value: datetime | None) -> str:
    return i18n.fmt_datetime(value, _lang())


def _number(value: int | float | Decimal | None, digits: int = 0) -> str:
    return i18n.fmt_number(value, _lang(), digits)


def _percent(value: float | None) -> str:
    return i18n.fmt_percent(value, _lang())


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=t,
        csrf_field=csrf_field,
        csrf_token=csrf_token,
        url_with=url_with,
        lang_url=lang_url,
        action_url=action_url,
        option_pairs=option_pairs,
        state_class=state_class,
        state_label=lambda s: i18n.state_label(_lang(), s),
        trigger_label=lambda s: i18n.trigger_label(_lang(), s),
        role_label=lambda s: i18n.role_label(_lang(), s),
        phase_label=lambda s: i18n.phase_label(_lang(), s),
        error_text=lambda e: i18n.error_text(_lang(), e),
        fdate=_date,
        fdatetime=_datetime,
        fnumber=_number,
        fpercent=_percent,
        htmx_path=HTMX,
    )
    env.filters.update(date=_date, datetime=_datetime, number=_number, percent=_percent)
    return env


def render_html(template: str, context: Mapping[str, Any], state: RenderState) -> str:
    with rendering(state):
        return environment().get_template(template).render(context)


def render(
    template: str,
    context: Mapping[str, Any],
    state: RenderState,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    return HTMLResponse(render_html(template, context, state), status_code=status, headers=headers)
