"""The ``awardflow`` command: up, db, audit, campaign, calendar, history, demo (DESIGN §3)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from awardflow.cli_common import database
from awardflow.settings import get_settings

if TYPE_CHECKING:
    pass

app = typer.Typer(help="awardflow: award approvals for emulation campaigns.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    from awardflow.db.migrate import upgrade

    url = get_settings().database_url
    upgrade(url, revision)
    typer.echo(f"database at {revision}: {_redact(url)}")


@audit_app.command("verify")
def audit_verify(
    limit: Annotated[int, typer.Option(help="Problems to list at most.")] = 50,
) -> None:
    """Recompute every nomination's audit chain; exit 1 naming each broken event."""
    from awardflow.services.audit import verify

    count = 0
    with database() as db, db.read() as session:
        for problem in verify(session, get_settings().audit_key.encode()):
            count += 1
            if count <= limit:
                typer.echo(f"BROKEN {problem}", err=True)
    if count:
        typer.echo(f"audit verify: {count} problem(s) found", err=True)
        raise typer.Exit(1)
    typer.echo("audit verify: every chain verifies")


@app.command("up")
def up() -> None:
    """Migrate the database and report what runs (``make run``)."""
    from awardflow.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    typer.echo(f"awardflow: database migrated ({_redact(settings.database_url)})")
    from awardflow.cli_campaigns import startup
    from awardflow.cli_flows import run_stack

    startup()
    run_stack(settings)


def _redact(url: str) -> str:
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


def _register() -> None:
    from awardflow import cli_api, cli_campaigns, cli_data, cli_flows, cli_notify, cli_reports

    cli_campaigns.register(app)
    cli_data.register(app)
    cli_notify.register(app)
    cli_flows.register(app)
    cli_api.register(app)
    cli_reports.register(app)


_register()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
