"""The admin's users and role grants (issue 7, W4): list and search, create a user
(``services.auth.create_user``), grant a role over a unit subtree, optionally for one campaign
(``services.auth.grant_role``), and revoke a grant — no service does that yet, so it is a thin
function here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import RoleGrant, User
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_admin as repo
from awardflow.errors import NotFound, Reason
from awardflow.services import auth as auth_service
from awardflow.services.visibility import require_admin
from awardflow.states import Actor, Role
from awardflow.states.lifecycle import ROLE_LABELS
from awardflow.web.admin_views import Errors, required, unit_tree

GRANTABLE = tuple(r for r in Role if r is not Role.SYSTEM)
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


# --- users and grants -------------------------------------------------------------------------


def users(session: Session, search: str, limit: int, offset: int) -> tuple[list[Any], int]:
    rows, total = repo.users(session, search, limit, offset)
    grants = repo.grants_of(session, [u.id for u in rows])
    return [{"user": u, "grants": grants[u.id]} for u in rows], total


def options(session: Session) -> dict[str, Any]:
    """The grant form's choices: units (indented by depth) and campaigns."""
    return {
        "units": [(u["id"], "— " * u["depth"] + u["name"]) for u in unit_tree(session)],
        "campaigns": repo.campaign_options(session),
    }


def role_pair(role: Role) -> tuple[str, str]:
    return ROLE_LABELS[role]


def user_detail(session: Session, user_id: int) -> dict[str, Any]:
    user = org_repo.user(session, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.", "User not found.", field="user_id")
    return {"account": user, "grants": repo.grants_of(session, [user_id])[user_id]}


@dataclass
class UserForm:
    username: str = ""
    full_name: str = ""
    email: str = ""
    errors: Errors = field(default_factory=dict)


def parse_user(form: Mapping[str, str]) -> tuple[UserForm, str]:
    """The new user's fields (kept on error) and the password (never sent back)."""
    f = UserForm(
        username=form.get("username", "").strip(),
        full_name=form.get("full_name", "").strip(),
        email=form.get("email", "").strip(),
    )
    password = form.get("password", "")
    if not _USERNAME.match(f.username):
        f.errors["username"] = Reason(
            "username_invalid",
            "Tên đăng nhập: 2–80 ký tự chữ không dấu, số, '.', '_', '-'.",
            "User name: 2–80 letters without accents, digits, '.', '_', '-'.",
        )
    if not f.full_name or len(f.full_name) > 200:
        f.errors["full_name"] = required("Hãy nhập họ và tên (tối đa 200 ký tự).", "Enter the "
                                          "full name (at most 200 characters).")  # fmt: skip
    if f.email and not _EMAIL.match(f.email):
        f.errors["email"] = Reason(
            "email_invalid", "Địa chỉ email không hợp lệ.", "The email address is not valid."
        )
    if len(password) < 8:
        f.errors["password"] = Reason(
            "password_short",
            "Mật khẩu cần ít nhất 8 ký tự.",
            "The password needs 8 characters or more.",
        )
    return f, password


def create_user(session: Session, actor: Actor, f: UserForm, password: str) -> User:
    require_admin(actor)
    return auth_service.create_user(
        session,
        username=f.username,
        full_name=f.full_name,
        password=password,
        email=f.email or None,
    )


@dataclass
class GrantForm:
    user_id: int
    role: str = ""
    unit_id: str = ""
    campaign_id: str = ""
    errors: Errors = field(default_factory=dict)


def parse_grant(user_id: int, form: Mapping[str, str]) -> GrantForm:
    f = GrantForm(
        user_id,
        role=form.get("role", "").strip(),
        unit_id=form.get("unit_id", "").strip(),
        campaign_id=form.get("campaign_id", "").strip(),
    )
    if f.role not in {r.value for r in GRANTABLE}:
        f.errors["role"] = required("Hãy chọn vai trò.", "Choose the role.")
    if not f.unit_id.isdigit():
        f.errors["unit_id"] = required("Hãy chọn đơn vị.", "Choose the unit.")
    if f.campaign_id and not f.campaign_id.isdigit():
        f.errors["campaign_id"] = required("Phong trào không hợp lệ.", "Invalid campaign.")
    return f


def grant(session: Session, actor: Actor, f: GrantForm) -> RoleGrant:
    require_admin(actor)
    campaign = int(f.campaign_id) if f.campaign_id else None
    return auth_service.grant_role(session, f.user_id, Role(f.role), int(f.unit_id), campaign)


def revoke_grant(session: Session, actor: Actor, grant_id: int) -> RoleGrant:
    require_admin(actor)
    return auth_service.revoke_grant(session, actor.user_id, grant_id)
