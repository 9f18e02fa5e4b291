"""``awardflow api``: serve the HTTP API with uvicorn (``/docs`` shows the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    from awardflow import cli_users

    app.command("api")(api)
    cli_users.register(app)  # ``awardflow user add``: the API's first administrator


def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the JSON API (and its OpenAPI document at /docs)."""
    import uvicorn

    if workers > 1:
        uvicorn.run(
            "awardflow.api.main:app", host=host, port=port, workers=workers, log_level="info"
        )
        return
    from awardflow.api.app import create_app
    from awardflow.settings import get_settings

    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")
