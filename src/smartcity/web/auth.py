"""Log-in, log-out and the language switch."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcity.accounts import service as accounts
from smartcity.accounts.api import set_session_cookie
from smartcity.accounts.deps import SESSION_COOKIE
from smartcity.errors import AccountLocked, Unauthorized
from smartcity.http import AppSettings, UoW, client_ip
from smartcity.web import i18n
from smartcity.web.errors import PageRoute
from smartcity.web.view import AnyView, View, safe_next

router = APIRouter(route_class=PageRoute)

# Double-submit token for the log-in form: no session exists yet to hold a CSRF token, so the
# form must echo a random value that only this site could have put in the visitor's cookie.
LOGIN_CSRF_COOKIE = "sc_login_csrf"
LANG_COOKIE_DAYS = 365


def _login_form(
    view: View, next_url: str, username: str = "", error: str = "", status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = view.render(
        "auth/login.html",
        {"next": next_url, "username": username, "error": error, "login_csrf": token},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=view.settings.cookie_secure,
        samesite="strict",
        path="/login",
    )
    return response


@router.get("/login")
def login_page(view: AnyView, next: str = "/") -> Response:
    """The log-in form (or straight on when already logged in)."""
    target = safe_next(next)
    if view.principal is not None:
        return RedirectResponse(target, status_code=303)
    return _login_form(view, target)


@router.post("/login")
def login(
    request: Request,
    uow: UoW,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    login_csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the password, open a session and go on to the page that was asked for."""
    view = View(request, uow, settings, None, i18n.language_of(request, settings.default_language))
    target = safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), login_csrf.encode()):
        return _login_form(view, target, username, view.t("login.expired"), 400)
    try:
        user = accounts.authenticate(uow, settings, username, password)
    except (Unauthorized, AccountLocked) as exc:
        uow.commit()  # keep the failure count, the lock and their audit entries
        message = exc.detail if view.lang == "en" else exc.detail_th
        return _login_form(view, target, username, message, exc.status)
    token, _web = accounts.start_session(
        uow, settings, user, client_ip(request), request.headers.get("user-agent", "")
    )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, settings.cookie_secure, token, settings.session_hours)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(view: AnyView) -> Response:
    """End the session (the CSRF token was checked with the session) and show the log-in page."""
    token = view.request.cookies.get(SESSION_COOKIE)
    if view.principal is not None and token:
        accounts.end_session(view.uow, view.settings, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{lang}")
def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in i18n.LANGS:
        settings = request.app.state.settings
        response.set_cookie(
            i18n.LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_DAYS * 86400,
            secure=settings.cookie_secure,
            samesite="lax",
            path="/",
        )
    return response
