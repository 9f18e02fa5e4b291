"""``/``: the user's home, the first work area their roles open (or the inbox)."""

from __future__ import annotations

from fastapi.responses import Response

from awardflow.web.deps import PageCtx, page_router

router = page_router()


@router.get("/")
def home(page: PageCtx) -> Response:
    return page.redirect(page.user.home())
