"""Error pages for people: pages answer in HTML, while /api keeps problem+json.

``PageRoute`` is the route class of every page router. It turns the typed domain errors, a
missing log-in and bad query strings into pages in the UI's style. The transaction is rolled back
before the error page is drawn, so an error page never commits half a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartcity.accounts.permissions import Principal
from smartcity.config import Settings
from smartcity.errors import DomainError, Unauthorized
from smartcity.web import i18n
from smartcity.web.view import LoginRequired, is_htmx, render

log = logging.getLogger(__name__)
KNOWN_STATUSES = (400, 403, 404, 500)


def login_redirect(request: Request) -> Response:
    """Send the visitor to the log-in page and back here afterwards."""
    query = request.url.query
    here = request.url.path + (f"?{query}" if query else "")
    if request.method != "GET":
        here = "/"
    target = f"/login?next={quote(here, safe='/')}"
    if is_htmx(request):  # an htmx fragment request must move the whole page
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(
    request: Request, status: int, detail: str = "", detail_th: str = ""
) -> HTMLResponse:
    """An error page in the visitor's language."""
    settings: Settings = request.app.state.settings
    lang = i18n.language_of(request, settings.default_language)
    principal: Principal | None = getattr(request.state, "principal", None)
    key = status if status in KNOWN_STATUSES else (500 if status >= 500 else 400)
    if not detail:
        message = i18n.t(lang, f"error.{key}.detail")
    else:
        message = detail if lang == "en" else (detail_th or detail)
    context = {"status": status, "title": i18n.t(lang, f"error.{key}"), "message": message}
    return render(request, "error.html", context, lang, principal, settings, status)


def _rollback(request: Request) -> None:
    uow = getattr(request.state, "uow", None)
    if uow is not None:
        uow.rollback()


def page_error_response(request: Request, exc: Exception) -> Response:
    """The page that answers an error raised by a page route or its dependencies."""
    if isinstance(exc, LoginRequired | Unauthorized):
        return login_redirect(request)
    if isinstance(exc, DomainError):
        return error_page(request, exc.status, exc.detail, exc.detail_th)
    if isinstance(exc, StarletteHTTPException):
        return error_page(request, exc.status_code)
    if isinstance(exc, RequestValidationError):
        return error_page(request, 400)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


class PageRoute(APIRoute):
    """A route whose errors become HTML pages (or a log-in redirect) instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the normal handler; dependencies run inside it, so their errors are caught too."""
        handler = super().get_route_handler()

        async def _handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                _rollback(request)
                return page_error_response(request, exc)

        return _handle


def wants_html(request: Request) -> bool:
    """A browser asking for a page outside /api (API clients keep problem+json)."""
    path = request.url.path
    if path == "/api" or path.startswith(("/api/", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Answer browsers' 404s (and other HTTP errors) for unknown pages in the UI's style.

    Call after ``smartcity.errors.install_error_handlers``: this wraps its HTTP error handler
    and hands every request that is not a browser page back to it.
    """
    previous: Any = app.exception_handlers.get(StarletteHTTPException)

    async def _on_http(request: Request, exc: Exception) -> Response:
        if wants_html(request) and isinstance(exc, StarletteHTTPException):
            return error_page(request, exc.status_code)
        response: Response = await previous(request, exc)
        return response

    if previous is not None:
        app.add_exception_handler(StarletteHTTPException, _on_http)
