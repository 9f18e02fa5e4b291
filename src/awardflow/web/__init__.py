"""The web pages (issue 7): server-rendered Jinja2 with htmx, Vietnamese first. See docs/web.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from awardflow.api.deps import Services


def mount(app: FastAPI, svc: Services) -> None:
    """Mount the pages on ``app`` (called once by ``api.app.create_app``)."""
    from awardflow.web.app import mount as _mount

    _mount(app, svc)
