"""Log in (OAuth2 password form), refresh the token pair, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from awardflow.api import auth
from awardflow.api.auth import Me
from awardflow.api.deps import Svc
from awardflow.api.schemas.common import ERRORS
from awardflow.api.schemas.misc import RefreshIn, TokenOut, UserOut
from awardflow.services import directory

router = APIRouter(prefix="/api", tags=["auth"], responses=ERRORS)


@router.post("/auth/token", response_model=TokenOut)
def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], svc: Svc
) -> TokenOut:
    return TokenOut(**auth.login(svc, request, form.username, form.password))


@router.post("/auth/refresh", response_model=TokenOut)
def refresh(body: RefreshIn, svc: Svc) -> TokenOut:
    return TokenOut(**auth.refresh(svc, body.refresh_token))


@router.get("/me", response_model=UserOut)
def me(svc: Svc, actor: Me) -> UserOut:
    with svc.db.read() as s:
        return UserOut(**directory.me(s, actor))
