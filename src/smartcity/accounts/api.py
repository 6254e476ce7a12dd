"""REST routes of the accounts domain (thin: parse, check permission, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from smartcity.accounts import service
from smartcity.accounts.deps import SESSION_COOKIE, CurrentPrincipal, require
from smartcity.accounts.permissions import Principal
from smartcity.accounts.schemas import (
    AgencyIn,
    AgencyOut,
    TokenCreated,
    TokenIn,
    UserIn,
    UserOut,
)
from smartcity.errors import Forbidden, Unauthorized
from smartcity.http import AppSettings, Paging, UoW, client_ip
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api", tags=["accounts"])


class LoginIn(BaseModel):
    """User name and password."""

    username: str
    password: str


class MeOut(BaseModel):
    """The caller and what they may do."""

    user_id: int
    username: str
    full_name: str
    roles: list[str]
    csrf_token: str | None = None


@router.post("/session", summary="Log in and receive a session cookie")
def login(
    body: LoginIn, request: Request, response: Response, uow: UoW, settings: AppSettings
) -> MeOut:
    """Open a web session for programs that prefer cookies (the web UI uses its own form)."""
    try:
        user = service.authenticate(uow, settings, body.username, body.password)
    except Unauthorized:
        uow.commit()  # keep the failure count and its audit entry
        raise
    token, web = service.start_session(uow, settings, user, client_ip(request), "api")
    set_session_cookie(response, settings.cookie_secure, token, settings.session_hours)
    p = service.principal_for(user)
    return MeOut(
        user_id=p.user_id,
        username=p.username,
        full_name=p.full_name,
        roles=sorted(p.roles),
        csrf_token=web.csrf_token,
    )


def set_session_cookie(response: Response, secure: bool, token: str, hours: int) -> None:
    """Set the session cookie with safe attributes."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=hours * 3600,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )


@router.get("/me", summary="Who am I")
def me(principal: CurrentPrincipal) -> MeOut:
    """The caller's identity and roles."""
    return MeOut(
        user_id=principal.user_id,
        username=principal.username,
        full_name=principal.full_name,
        roles=sorted(principal.roles),
    )


@router.get("/users", summary="Search users")
def list_users(
    uow: UoW,
    paging: Paging,
    _: Annotated[Principal, Depends(require("users.read"))],
    q: str = "",
) -> Page[UserOut]:
    """Users matching ``q``, one page."""
    rows, total = service.list_users(uow.session, q, paging)
    items = [UserOut.model_validate(u) for u in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/users", status_code=201, summary="Create a user")
def create_user(
    body: UserIn, uow: UoW, _: Annotated[Principal, Depends(require("users.write"))]
) -> UserOut:
    """Register a user with memberships."""
    return UserOut.model_validate(service.create_user(uow, body))


@router.get("/users/{user_id}", summary="One user")
def get_user(
    user_id: int, uow: UoW, _: Annotated[Principal, Depends(require("users.read"))]
) -> UserOut:
    """A user by id."""
    return UserOut.model_validate(service.get_user(uow.session, user_id))


@router.post("/users/{user_id}/tokens", status_code=201, summary="Issue an API token")
def create_token(
    user_id: int,
    body: TokenIn,
    uow: UoW,
    settings: AppSettings,
    principal: CurrentPrincipal,
) -> TokenCreated:
    """Users may issue tokens for themselves; admins for anyone."""
    if principal.user_id != user_id and not principal.can("users.write"):
        raise Forbidden("You may only create tokens for yourself.", "สร้างโทเค็นได้เฉพาะของตนเอง")
    plain, token = service.create_token(uow, settings, user_id, body.name, body.days)
    return TokenCreated(id=token.id, name=token.name, token=plain, expires_at=token.expires_at)


@router.get("/agencies", summary="Search agencies")
def list_agencies(
    uow: UoW,
    paging: Paging,
    _: Annotated[Principal, Depends(require("agencies.read"))],
    q: str = "",
) -> Page[AgencyOut]:
    """Agencies matching ``q``, one page."""
    rows, total = service.list_agencies(uow.session, q, paging)
    items = [AgencyOut.model_validate(a) for a in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/agencies", status_code=201, summary="Create an agency")
def create_agency(
    body: AgencyIn, uow: UoW, _: Annotated[Principal, Depends(require("agencies.write"))]
) -> AgencyOut:
    """Register an agency."""
    return AgencyOut.model_validate(service.create_agency(uow, body))


@router.get("/agencies/{agency_id}", summary="One agency")
def get_agency(
    agency_id: int, uow: UoW, _: Annotated[Principal, Depends(require("agencies.read"))]
) -> AgencyOut:
    """An agency by id."""
    return AgencyOut.model_validate(service.get_agency(uow.session, agency_id))
