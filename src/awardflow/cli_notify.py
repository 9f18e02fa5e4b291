"""``awardflow notify``: list outbox rows by status, retry failed ones, run a delivery batch
or the daily digests by hand (the Prefect flows run them on schedule)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from awardflow.cli_common import database

if TYPE_CHECKING:
    pass

notify_app = typer.Typer(help="Notification outbox and mail delivery.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")


@notify_app.command("list")
def notify_list(
    status: Annotated[str, typer.Option(help="pending, sending, sent or failed.")] = "failed",
    limit: Annotated[int, typer.Option(help="Rows to show at most.")] = 100,
) -> None:
    """List outbox rows in STATUS with their attempts and last error."""
    from awardflow.services.notifications import list_by_status

    with database() as db:
        rows = list_by_status(db, status, limit)
    for r in rows:
        to = (
            f"user {r.recipient_user_id}"
            if r.recipient_user_id
            else (f"{r.recipient_role}@unit {r.recipient_unit_id}")
        )
        typer.echo(
            f"{r.id}\t{r.kind}\tnomination {r.nomination_id}\t{to}\t"
            f"attempts {r.attempts}\t{r.last_error or ''}"
        )
    typer.echo(f"{len(rows)} row(s) {status}", err=True)


@notify_app.command("retry")
def notify_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="Outbox row ids.")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed row.")] = False,
) -> None:
    """Put failed rows back in the queue with a fresh attempt budget."""
    from awardflow.services.notifications import retry

    if not ids and not all_failed:
        typer.echo("give outbox row ids or --all-failed", err=True)
        raise typer.Exit(2)
    with database() as db:
        done = retry(db, None if all_failed else list(ids or []))
    typer.echo(f"requeued {len(done)} row(s): {', '.join(map(str, done))}")


@notify_app.command("send")
def notify_send(batch: Annotated[int, typer.Option(help="Rows per batch.")] = 100) -> None:
    """Deliver one batch of due notifications now."""
    from awardflow.notifications.mailers import mailer_from_settings
    from awardflow.services.notifications import deliver_batch
    from awardflow.settings import get_settings

    settings = get_settings()
    with database() as db:
        report = asyncio.run(
            deliver_batch(db, settings, mailer_from_settings(settings.mail), batch=batch)
        )
    typer.echo(
        f"claimed {report.claimed}, sent {report.sent}, retrying {report.retrying}, "
        f"failed {report.failed}, mails {report.messages}"
    )
    for error in report.errors:
        typer.echo(error, err=True)


@notify_app.command("digest")
def notify_digest() -> None:
    """Queue and send today's digests (from the configured hour on)."""
    from awardflow.notifications.mailers import mailer_from_settings
    from awardflow.services.notifications import send_digests
    from awardflow.settings import get_settings

    settings = get_settings()
    with database() as db:
        report = asyncio.run(send_digests(db, settings, mailer_from_settings(settings.mail)))
    typer.echo(f"digest: mails {report.messages}, failed {report.failed}")
