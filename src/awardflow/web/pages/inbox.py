"""The inbox: the user's notifications (newest first, unread or all), mark one or all read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Query
from fastapi.responses import Response

from awardflow.api.deps import IdPath
from awardflow.db.repositories import notifications as inbox_repo
from awardflow.db.repositories import web_inbox
from awardflow.services import records
from awardflow.web.deps import PageCtx, page_router, safe_next

router = page_router()

PAGE_SIZE = 20
Show = Literal["unread", "all"]


@router.get("/inbox")
def inbox(
    page: PageCtx,
    show: Show = "all",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    uid = page.user.id
    with page.svc.db.read() as s:
        items = web_inbox.page(s, uid, unread_only=show == "unread", limit=PAGE_SIZE, offset=offset)
        total = web_inbox.total_count(s, uid, unread_only=show == "unread")
        everything = web_inbox.total_count(s, uid)
    return page.render(
        "inbox/list.html",
        items=items,
        show=show,
        total=total,
        everything=everything,
        limit=PAGE_SIZE,
        offset=offset,
    )


def _back(page: PageCtx, next: str, unread: int, item_id: int | None = None) -> Response:
    if page.is_htmx and item_id is not None:
        with page.svc.db.read() as s:
            item = web_inbox.item(s, page.user.id, item_id)
        return page.render("inbox/_item.html", item=item, unread=unread, oob=True)
    return page.redirect(safe_next(next, "/inbox"))


@router.post("/inbox/{item_id}/read")
def mark_read(page: PageCtx, item_id: IdPath, next: Annotated[str, Form()] = "/inbox") -> Response:
    with page.svc.db.write() as s:
        records.mark_read(s, page.actor, item_id, page.now())
        unread = web_inbox.unread_count(s, page.user.id)
    if not page.is_htmx:
        page.flash("Đã đánh dấu là đã đọc.", "Marked as read.")
    return _back(page, next, unread, item_id)


@router.post("/inbox/read-all")
def mark_all_read(page: PageCtx, next: Annotated[str, Form()] = "/inbox") -> Response:
    with page.svc.db.write() as s:
        count = inbox_repo.mark_read(s, page.user.id, None, page.now())
    page.flash(
        f"Đã đánh dấu {count} thông báo là đã đọc.", f"Marked {count} notification(s) as read."
    )
    return page.redirect(safe_next(next, "/inbox"))
