"""The public-announcement banner at the top of every page, loaded by htmx (no cost per page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from smartcity.notify import service as notify
from smartcity.web.errors import PageRoute
from smartcity.web.view import View, page

router = APIRouter(route_class=PageRoute)


@router.get("/notify/banner", response_class=HTMLResponse)
def banner(view: Annotated[View, Depends(page())]) -> HTMLResponse:
    """The newest public announcement of the last hours, or nothing."""
    assert view.principal is not None  # page() lets only signed-in users through
    note = notify.active_banner(view.uow.session, view.principal)
    return view.render("notify/_banner.html", {"note": note})
