"""Users and their passwords (argon2 via pwdlib), and the admin's user and grant management."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from awardflow.db.models import RoleGrant, User
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import org as org_repo
from awardflow.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from awardflow.states import Role


@lru_cache(maxsize=1)
def hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("awardflow-no-such-user")


def bad_login() -> Unauthenticated:
    return Unauthenticated(
        "Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password.", field="username"
    )


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this name and password; the same 401 for every failure."""
    user = org_repo.user_by_username(session, username)
    if user is None or not user.active or not user.password_hash:
        hasher().verify(password, _dummy_hash())  # same time whether the user exists or not
        raise bad_login()
    valid, new_hash = hasher().verify_and_update(password, user.password_hash)
    if not valid:
        raise bad_login()
    if new_hash is not None:
        user.password_hash = new_hash
    return user


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    password: str,
    email: str | None = None,
) -> User:
    if len(password) < 8:
        raise InvalidInput(
            "Mật khẩu cần ít nhất 8 ký tự.",
            "The password needs 8 characters or more.",
            field="password",
        )
    if org_repo.user_by_username(session, username) is not None:
        raise Conflict(
            "Tên đăng nhập đã có người dùng.", "This user name is taken.", field="username"
        )
    user = User(
        username=username, full_name=full_name, email=email, password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


def grant_role(
    session: Session, user_id: int, role: Role, unit_id: int, campaign_id: int | None
) -> RoleGrant:
    if org_repo.user(session, user_id) is None:
        raise NotFound("Không tìm thấy người dùng.", "User not found.", field="user_id")
    if org_repo.unit(session, unit_id) is None:
        raise InvalidInput("Không có đơn vị này.", "No such unit.", field="unit_id")
    if campaign_id is not None and campaigns_repo.campaign(session, campaign_id) is None:
        raise InvalidInput("Không có phong trào này.", "No such campaign.", field="campaign_id")
    if role is Role.SYSTEM:
        raise InvalidInput(
            "Không cấp được vai trò hệ thống.", "The system role cannot be granted.", field="role"
        )
    grant = RoleGrant(user_id=user_id, role=role, unit_id=unit_id, campaign_id=campaign_id)
    try:
        with session.begin_nested():
            session.add(grant)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "Người dùng đã có quyền này.", "The user already holds this grant."
        ) from None
    return grant


def revoke_grant(session: Session, actor_user_id: int | None, grant_id: int) -> RoleGrant:
    """Remove one role grant; an administrator cannot revoke their own admin grant (nobody
    could then undo it). Takes effect for the API within ``api.actor_cache_seconds``."""
    found = org_repo.grant(session, grant_id)
    if found is None:
        raise NotFound("Không có quyền này.", "No such grant.", field="grant_id")
    if found.role is Role.ADMIN and found.user_id == actor_user_id:
        raise Forbidden(
            "Không thể tự thu hồi quyền quản trị của chính mình.",
            "You cannot revoke your own administrator grant.",
        )
    session.delete(found)
    session.flush()
    return found
