"""``awardflow user add``: a user with one role from the command line. A fresh production
database has no user at all; this makes its first administrator (docs/deploy.md), who then
manages every other user over the API."""

from __future__ import annotations

from typing import Annotated

import typer

from awardflow.cli_common import database
from awardflow.states import Role

user_app = typer.Typer(help="Users (the first administrator).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The log-in name.")],
    role: Annotated[Role, typer.Option(help="The role to grant.")],
    unit: Annotated[str, typer.Option(help="Code of the unit the role covers (with its subtree).")],
    full_name: Annotated[str, typer.Option(help="The person's full name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Asked for (twice, hidden) when not given.",
        ),
    ],
    email: Annotated[str | None, typer.Option(help="Where notifications go.")] = None,
) -> None:
    """Create USERNAME with a password and grant ROLE over UNIT, in one transaction."""
    from awardflow.db.repositories import org as org_repo
    from awardflow.errors import AwardflowError
    from awardflow.services.auth import create_user, grant_role

    try:
        with database() as db, db.write() as session:
            found = org_repo.unit_by_code(session, unit)
            if found is None:
                raise AwardflowError(
                    f"Không có đơn vị mã {unit} (nạp phong trào trước).",
                    f"No unit with code {unit} (load a campaign first).",
                    field="unit",
                )
            user = create_user(
                session, username=username, full_name=full_name, password=password, email=email
            )
            grant_role(session, user.id, role, found.id, None)
    except AwardflowError as exc:
        typer.echo(f"{exc.message_vi} / {exc.message_en}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"user {username}: {role.value} over {unit}")
