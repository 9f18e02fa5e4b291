"""CLI commands for campaign data: campaign files (validate, load, list) and calendar overrides
(history and demo join later)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from awardflow.cli_common import database

if TYPE_CHECKING:
    from awardflow.campaigns.errors import Problem


calendar_app = typer.Typer(help="The working-day calendar's overrides.", no_args_is_help=True)
campaign_app = typer.Typer(help="Campaign definition files (YAML).", no_args_is_help=True)

Files = Annotated[list[Path], typer.Argument(help="Campaign files (YAML).")]


def register(app: typer.Typer) -> None:
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(calendar_app, name="calendar")


def _format_problem(problem: Problem) -> str:
    """``file:line:column: field: message_vi / message_en``, as editors can jump to."""
    field = f" {problem.field}:" if problem.field else ""
    return f"{problem.where()}:{field} {problem.message_vi} / {problem.message_en}"


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(_format_problem(problem), err=True)


@campaign_app.command("validate")
def campaign_validate(files: Files) -> None:
    """Check campaign files; print every problem and exit 1 if any file has one."""
    from awardflow.campaigns.loader import validate_file

    failed = False
    for path in files:
        problems = validate_file(path)
        if problems:
            failed = True
            _report(problems)
        else:
            typer.echo(f"OK {path}")
    if failed:
        raise typer.Exit(1)


@campaign_app.command("load")
def campaign_load(files: Files) -> None:
    """Validate and load campaign files, each in its own transaction. An invalid file loads
    nothing (and the command exits 1); an unchanged file writes nothing."""
    from awardflow.campaigns.loader import CampaignFileError, load_definition
    from awardflow.services.campaigns import load_campaign

    failed = False
    with database() as db:
        for path in files:
            try:
                definition = load_definition(path)
            except CampaignFileError as exc:
                failed = True
                _report(list(exc.problems))
                continue
            with db.write() as session:
                result = load_campaign(session, definition, str(path))
            word = "unchanged" if result.unchanged else "loaded"
            typer.echo(f"{word} {definition.code} version {result.version}")
    if failed:
        raise typer.Exit(1)


@campaign_app.command("list")
def campaign_list() -> None:
    """List the loaded campaigns: code, current version, organiser level and title."""
    from awardflow.db.repositories import campaigns as campaigns_repo

    with database() as db, db.read() as session:
        for c in campaigns_repo.campaigns(session):
            typer.echo(f"{c.code}\tv{c.current_version}\t{c.organiser_level}\t{c.title}")


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
    """What ``awardflow up`` does after migrating: load the demo on an empty database."""
    from awardflow.db.repositories import campaigns as campaigns_repo

    with database() as db, db.read() as session:
        empty = not campaigns_repo.campaigns(session)
    if empty:
        from awardflow.cli_data import demo_load

        typer.echo("awardflow: empty database, loading the demo campaigns and users…")
        demo_load(per_campaign=60)
    typer.echo("awardflow: ready. Use `awardflow --help` for the commands available.")
