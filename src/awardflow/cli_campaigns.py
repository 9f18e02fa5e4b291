"""CLI commands for campaign data: calendar overrides (campaign, history and demo join later)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from awardflow.settings import get_settings

calendar_app = typer.Typer(help="The working-day calendar's overrides.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")


def _db():  # type: ignore[no-untyped-def]
    from awardflow.db.session import Database

    return Database(get_settings().database_url)


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
    with _db().write() as session:
        org_repo.upsert_calendar_override(
            session, CalendarOverride(day=parsed, kind=day_kind, note=note)
        )
    typer.echo(f"{parsed.isoformat()} {day_kind.value} {note}".rstrip())


@calendar_app.command("list")
def calendar_list() -> None:
    """List the overrides, oldest first."""
    from awardflow.db.repositories import org as org_repo

    with _db().read() as session:
        for o in org_repo.calendar_overrides(session):
            typer.echo(f"{o.day.isoformat()}\t{o.kind.value}\t{o.note}")


def startup() -> None:
    """What ``awardflow up`` does after migrating (later issues add the API, worker, demo)."""
    typer.echo("awardflow: ready. Use `awardflow --help` for the commands available.")
