"""Who is calling and may they: the dependencies every protected route uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from smartcity.accounts import service
from smartcity.accounts.permissions import Principal
from smartcity.errors import Forbidden, Unauthorized
from smartcity.events import Actor
from smartcity.http import AppSettings, UoW, client_ip

SESSION_COOKIE = "sc_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _resolve(request: Request, uow: UoW, settings: AppSettings) -> tuple[Principal | None, str]:
    """Look the caller up (a plain def: FastAPI runs it in the thread pool, off the event loop)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        principal = service.resolve_token(uow.session, settings, auth[7:].strip())
        if principal is None:
            raise Unauthorized(
                "The API token is unknown, revoked or expired.", "โทเค็นไม่ถูกต้องหรือหมดอายุ"
            )
        return _bind(request, uow, principal), ""
    cookie = request.cookies.get(SESSION_COOKIE)
    found = service.resolve_session(uow.session, settings, cookie) if cookie else None
    if found is None:
        return None, ""
    principal, web = found
    request.state.csrf_token = web.csrf_token
    return _bind(request, uow, principal), web.csrf_token


async def optional_principal(
    request: Request, resolved: Annotated[tuple[Principal | None, str], Depends(_resolve)]
) -> Principal | None:
    """The caller from a bearer token or session cookie (None if neither); checks CSRF."""
    principal, csrf = resolved
    if principal is not None and principal.via == "session" and request.method in UNSAFE:
        await _check_csrf(request, csrf)
    return principal


def _bind(request: Request, uow: UoW, principal: Principal) -> Principal:
    request.state.principal = principal
    uow.actor = Actor(principal.user_id, principal.username, client_ip(request), principal.via)
    return principal


async def _check_csrf(request: Request, expected: str) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if sent != expected:
        raise Forbidden(
            "The form has expired or did not come from this site. Reload the page and try again.",
            "แบบฟอร์มหมดอายุหรือไม่ได้มาจากระบบนี้ โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง",
        )


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The caller, or 401."""
    if principal is None:
        raise Unauthorized("Please log in.", "กรุณาเข้าสู่ระบบ")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(action: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets the call through only if the caller may do ``action``."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if not principal.can(action):
            raise Forbidden(
                f"Your role does not allow {action}.", f"บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้ ({action})"
            )
        return principal

    return _check
