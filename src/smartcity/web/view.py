"""What every page needs: templates, the visitor's language, the caller and their permissions."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from smartcity import __version__
from smartcity.accounts.deps import optional_principal
from smartcity.accounts.permissions import Principal
from smartcity.config import Settings
from smartcity.errors import Forbidden
from smartcity.events import UnitOfWork
from smartcity.http import AppSettings, UoW
from smartcity.kit import thai
from smartcity.kit.pagination import PageParams
from smartcity.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
PER_PAGE_CHOICES = (10, 25, 50, 100)

templates = Jinja2Templates(directory=TEMPLATES)


class LoginRequired(Exception):
    """A page needs a logged-in caller; the page router turns this into a redirect."""


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


def is_htmx(request: Request) -> bool:
    """True for an htmx request that wants a fragment (not a history restore)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


@dataclass
class View:
    """One page request: the request, its unit of work, settings, caller and language."""

    request: Request
    uow: UnitOfWork
    settings: Settings
    principal: Principal | None
    lang: i18n.Lang

    def t(self, key: str, **values: object) -> str:
        """A label in the visitor's language."""
        return i18n.t(self.lang, key, **values)

    def can(self, action: str) -> bool:
        """May the caller do ``action``? False when nobody is logged in."""
        return self.principal is not None and self.principal.can(action)

    def url_with(self, **changes: object) -> str:
        """This page's URL with some query parameters changed (None or '' removes one)."""
        query = dict(self.request.query_params)
        for key, value in changes.items():
            if value is None or value == "":
                query.pop(key, None)
            else:
                query[key] = str(value)
        encoded = urlencode(query)
        return self.request.url.path + (f"?{encoded}" if encoded else "")

    def render_list(self, name: str, fragment: str, context: Mapping[str, Any]) -> HTMLResponse:
        """The whole list page, or only its results when htmx asks for ``#results``."""
        wants_fragment = (
            is_htmx(self.request) and self.request.headers.get("hx-target") == "results"
        )
        return self.render(fragment if wants_fragment else name, context)

    def render(
        self,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """Render a template with the shared context."""
        ctx = {"view": self, **(context or {})}
        return render(
            self.request, name, ctx, self.lang, self.principal, self.settings, status_code, headers
        )


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    lang: i18n.Lang,
    principal: Principal | None,
    settings: Settings,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with what base.html needs: labels, caller, CSRF token, settings."""
    query = request.url.query
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **values: i18n.t(lang, key, **values),
        "principal": principal,
        "can": lambda action: principal is not None and principal.can(action),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "settings": settings,
        "version": __version__,
        "path": request.url.path,
        "current_url": request.url.path + (f"?{query}" if query else ""),
        **context,
    }
    response = templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=dict(headers or {})
    )
    response.headers.setdefault("Vary", "HX-Request, Cookie")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def page_view(
    request: Request,
    uow: UoW,
    settings: AppSettings,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> View:
    """A page's view; the caller may be anonymous."""
    request.state.uow = uow  # lets the page router roll back when it renders an error page
    return View(
        request, uow, settings, principal, i18n.language_of(request, settings.default_language)
    )


def page(action: str | None = None) -> Callable[..., Awaitable[View]]:
    """A view for a logged-in caller who may do ``action`` (redirect or 403 otherwise)."""

    async def _check(view: Annotated[View, Depends(page_view)]) -> View:
        if view.principal is None:
            raise LoginRequired
        if action and not view.principal.can(action):
            raise Forbidden(
                f"Your role does not allow {action}.", f"บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้ ({action})"
            )
        return view

    return _check


AnyView = Annotated[View, Depends(page_view)]
LoggedIn = Annotated[View, Depends(page())]


@dataclass(frozen=True)
class Pager:
    """What the pagination macro needs to draw a pager."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """Number of the first row on this page (0 when empty)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        """Number of the last row on this page."""
        return min(self.total, self.page * self.per_page)

    def window(self, radius: int = 2) -> list[int | None]:
        """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        wanted = {1, self.pages, *range(self.page - radius, self.page + radius + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        previous = 0
        for n in numbers:
            if previous and n - previous == 2:  # a gap of one page: show the page itself
                out.append(previous + 1)
            elif previous and n - previous > 2:
                out.append(None)
            out.append(n)
            previous = n
        return out

    @classmethod
    def of(cls, params: PageParams, total: int) -> Pager:
        """A pager for one page of a result."""
        return cls(params.page, params.per_page, total)


# Jinja filters ----------------------------------------------------------------------------------


@pass_context
def _thaidate(ctx: Context, value: Any, style: str = "short", seconds: bool = False) -> str:
    lang = ctx.get("lang", "th")
    settings = ctx.get("settings")
    return thai.format_datetime(
        value,
        "en" if lang == "en" else "th",
        style="long" if style == "long" else "short",
        seconds=seconds,
        tz=settings.timezone if isinstance(settings, Settings) else thai.DEFAULT_TZ,
    )


@pass_context
def _local_name(ctx: Context, obj: Any) -> str:
    """name_en in English when there is one, else name_th."""
    name_th = getattr(obj, "name_th", None) or (obj.get("name_th") if isinstance(obj, dict) else "")
    name_en = getattr(obj, "name_en", None) or (obj.get("name_en") if isinstance(obj, dict) else "")
    return str((name_en if ctx.get("lang") == "en" and name_en else name_th) or "")


@pass_context
def _kind(ctx: Context, kind: str, family: str) -> str:
    return i18n.kind_label(ctx.get("lang", "th"), family, kind)


@pass_context
def _role(ctx: Context, role: str) -> str:
    return i18n.role_label(ctx.get("lang", "th"), role)


templates.env.filters["thaidate"] = _thaidate
templates.env.filters["local_name"] = _local_name
templates.env.filters["kind_label"] = _kind
templates.env.filters["role_label"] = _role
templates.env.globals["PER_PAGE_CHOICES"] = PER_PAGE_CHOICES
