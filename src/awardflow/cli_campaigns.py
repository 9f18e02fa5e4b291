"""CLI commands for campaign data: calendar overrides (campaign, history and demo join later)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from awardflow.db.session import Database


def database() -> AbstractContextManager[Database]:
    from awardflow.cli import database as db

    return db()


calendar_app = typer.Typer(help="The working-day calendar's overrides.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")


@calendar_app.command("add")
def calendar_add(
    day: Annotated[str, typer.Argument(help="The date, YYYY-MM-DD.")],
    kind: Annotated[str, typer.Argument(help="workday (make-up working day) or day_off.")],
    note: Annotated[str, typer.Option(help="Why, e.g. the government notice.")] = "",
) -> None:
    """Add or replace an override: a make-up working day or an extra day off."""
    from awardflow.campaigns.calendar import DayKind
    from awardflow.db.models import CalendarOverride
    from awardflow.db.repositories import org as org_repo

    try:
        parsed = date.fromisoformat(day)
        day_kind = DayKind(kind)
    except ValueError:
        typer.echo(
            "Ngày phải có dạng YYYY-MM-DD và loại là 'workday' hoặc 'day_off'. / "
            "The day must be YYYY-MM-DD and the kind 'workday' or 'day_off'.",
            err=True,
        )
        raise typer.Exit(2) from None
    with database() as db, db.write() as session:
        org_repo.upsert_calendar_override(
            session, CalendarOverride(day=parsed, kind=day_kind, note=note)
        )
    typer.echo(f"{parsed.isoformat()} {day_kind.value} {note}".rstrip())


@calendar_app.command("list")
def calendar_list() -> None:
    """List the overrides, oldest first."""
    from awardflow.db.repositories import org as org_repo

    with database() as db, db.read() as session:
        for o in org_repo.calendar_overrides(session):
            typer.echo(f"{o.day.isoformat()}\t{o.kind.value}\t{o.note}")


def startup() -> None:
    """What ``awardflow up`` does after migrating (later issues add the API, worker, demo)."""
    typer.echo("awardflow: ready. Use `awardflow --help` for the commands available.")
