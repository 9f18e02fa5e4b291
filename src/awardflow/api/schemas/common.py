"""Shapes shared by every router: the error body, pages, simple acknowledgements."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorOut(BaseModel):
    error: str = Field(description="Machine-readable code.")
    message: str = Field(description="What went wrong, in Vietnamese.")
    message_en: str = Field(description="What went wrong, in English.")
    field: str | None = Field(None, description="The input field at fault, if any.")
    model_config = ConfigDict(extra="allow")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many match (all of them, unless `total_capped`).")
    limit: int
    offset: int
    total_capped: bool = Field(
        False,
        description=(
            "True when more than `total` match: the list counts only up to a cap (the queues: "
            "1,000), so `total` is the cap. Pages past it can still be read with `offset`."
        ),
    )


class Ack(BaseModel):
    status: str = "ok"
    detail: dict[str, Any] = Field(default_factory=dict)


_ERR = {"model": ErrorOut}
#: Documented on every operation, so clients (and schemathesis) know the error shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {**_ERR, "description": text}
    for code, text in (
        (401, "Not authenticated"),
        (403, "Forbidden"),
        (404, "Not found or not visible"),
        (409, "Conflict"),
        (413, "Payload too large"),
        (415, "Unsupported media type"),
        (422, "Invalid input"),
        (429, "Too many requests"),
        (500, "Internal error"),
    )
}

MAX_ID = 2**31 - 1
#: A database id in a request body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
