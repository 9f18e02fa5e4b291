"""Running the ``awardflow`` command in-process, as a user would type it."""

from __future__ import annotations

from typer.testing import CliRunner

from awardflow.cli import app


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) of ``awardflow ARGS``; a crash is re-raised."""
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
