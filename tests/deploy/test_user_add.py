"""``awardflow user add``: the first administrator of a fresh database, its password asked for
twice and hidden; a wrong unit, a taken name or a short password store nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.support.world import World
from typer.testing import CliRunner

from awardflow.cli import app
from awardflow.db.models import RoleGrant, User
from awardflow.db.session import Database
from awardflow.services.auth import authenticate
from awardflow.states import Role

PASSWORD = "mật-khẩu-quản-trị-2026"


def add(*args: str, password: str = PASSWORD) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["user", "add", *args], input=f"{password}\n{password}\n")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def users(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(User)) or 0)


@pytest.mark.usefixtures("world")
def test_the_first_administrator_can_log_in(cli_db: Database) -> None:
    code, out = add("quantri", "--role", "admin", "--unit", "so", "--full-name", "Quản trị viên")
    assert code == 0, out
    assert "user quantri: admin over so" in out
    assert PASSWORD not in out  # the prompt hides it
    with cli_db.read() as s:
        user = authenticate(s, "quantri", PASSWORD)
        grants = s.execute(select(RoleGrant).where(RoleGrant.user_id == user.id)).scalars().all()
        assert [(g.role, g.unit.code) for g in grants] == [(Role.ADMIN, "so")]
        assert user.full_name == "Quản trị viên"


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("--unit", "no-such-unit"), PASSWORD, "No unit with code no-such-unit"),
        (("--unit", "so"), "short", "The password needs 8 characters or more."),
        (("--unit", "so", "--role", "system"), PASSWORD, "The system role cannot be granted."),
    ],
)
def test_bad_input_stores_nothing(
    cli_db: Database, args: tuple[str, ...], password: str, message: str
) -> None:
    before = users(cli_db)
    role = () if "--role" in args else ("--role", "admin")
    code, out = add("quantri", *role, *args, "--full-name", "Quản trị", password=password)
    assert code == 1 and message in out, out
    assert users(cli_db) == before


def test_a_taken_name_is_refused(cli_db: Database, world: World) -> None:
    before = users(cli_db)
    code, out = add("director", "--role", "admin", "--unit", "so", "--full-name", "Ai đó")
    assert code == 1
    assert "Tên đăng nhập đã có người dùng. / This user name is taken." in out
    assert users(cli_db) == before
    with cli_db.read() as s:
        grants = s.execute(select(RoleGrant.role).where(RoleGrant.user_id == world["director"]))
        assert Role.ADMIN not in grants.scalars().all()
