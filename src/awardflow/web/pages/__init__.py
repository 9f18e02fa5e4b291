"""Every page module's router, in one registry (``web.mount`` includes them all, each with the
CSRF check). A new area adds its module here; the areas' modules own their routes."""

from __future__ import annotations

from fastapi import APIRouter

from awardflow.web.pages import (
    actions,
    admin,
    appraiser,
    auth,
    authority,
    council,
    devmail,
    director,
    home,
    inbox,
    reports,
    supervisor,
    unit,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    home.router,
    actions.router,
    inbox.router,
    devmail.router,
    unit.router,
    appraiser.router,
    supervisor.router,
    council.router,
    director.router,
    authority.router,
    admin.router,
    reports.router,
)
