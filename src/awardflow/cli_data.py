"""CLI commands for nominee data: ``history import`` (past ratings, awards, initiatives,
exclusions from a spreadsheet) and ``demo load`` (a believable data set for the five seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from awardflow.cli_common import database

if TYPE_CHECKING:
    from awardflow.campaigns.history_import import RowError

history_app = typer.Typer(help="Nominees' past records (history import).", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data for the five seed campaigns.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history")
    app.add_typer(demo_app, name="demo")


def format_row_error(error: RowError) -> str:
    """``row N: field: message_vi / message_en``."""
    return f"row {error.row}: {error.field}: {error.message_vi} / {error.message_en}"


@history_app.command("import")
def history_import(
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8) or .xlsx history file.")],
) -> None:
    """Import a history file. Good rows are kept, bad rows are listed (exit 1 if any);
    importing the same file again adds nothing."""
    from awardflow.campaigns.history_import import HistoryImportError, parse_history
    from awardflow.services.history import import_history

    try:
        parsed = parse_history(file)
    except (HistoryImportError, OSError) as exc:
        vi = getattr(exc, "message_vi", f"Không đọc được tệp {file}.")
        en = getattr(exc, "message_en", f"Cannot read {file}: {exc}")
        typer.echo(f"{vi} / {en}", err=True)
        raise typer.Exit(1) from None
    with database() as db, db.write() as session:
        report = import_history(session, parsed.rows, parsed.errors)
    for error in report.errors:
        typer.echo(format_row_error(error), err=True)
    typer.echo(
        f"history import {file.name}: {report.added} added, {report.updated} updated, "
        f"{report.skipped} unchanged, {len(report.errors)} error(s)"
    )
    if report.errors:
        raise typer.Exit(1)


@demo_app.command("load")
def demo_load(
    per_campaign: Annotated[
        int, typer.Option("--per-campaign", min=13, help="Nominations per campaign.")
    ] = 60,
) -> None:
    """Load the seed campaigns, units, people, users for every role and nominations in every
    state of the lifecycle, all through the services. Does nothing if demo data exists."""
    from awardflow.demo.builder import load_demo, users_table
    from awardflow.services.context import ServiceContext
    from awardflow.settings import get_settings

    ctx = ServiceContext.from_settings(get_settings())
    with database() as db:
        with db.read() as session:
            ctx.reload_calendar(session)
        summary = load_demo(db, ctx, per_campaign=per_campaign)
    if summary.already_loaded:
        typer.echo("demo: the database already has the demo data; nothing done.")
        return
    for campaign, states in summary.states.items():
        listed = ", ".join(f"{state}={count}" for state, count in sorted(states.items()))
        typer.echo(f"{campaign}: {sum(states.values())} nominations ({listed})")
    typer.echo("")
    typer.echo(users_table(summary.users))
    if summary.users_file is not None:
        typer.echo(f"\ndemo users written to {summary.users_file}")
