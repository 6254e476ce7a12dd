"""Pages for users and agencies (read-only views over the accounts service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from smartcity.accounts import service as accounts
from smartcity.http import Paging
from smartcity.kit.clock import utcnow
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Search = Annotated[str, Query(max_length=200)]


@router.get("/users")
def users(
    view: Annotated[View, Depends(page("users.read"))], paging: Paging, q: Search = ""
) -> HTMLResponse:
    """Search users."""
    rows, total = accounts.list_users(view.uow.session, q, paging)
    context = {"rows": rows, "q": q, "pager": Pager.of(paging, total)}
    return view.render_list("accounts/users.html", "accounts/_users.html", context)


@router.get("/users/{user_id}")
def user_detail(user_id: int, view: Annotated[View, Depends(page("users.read"))]) -> HTMLResponse:
    """One user with memberships and API tokens (never their secrets)."""
    user = accounts.get_user(view.uow.session, user_id)
    tokens = accounts.user_tokens(view.uow.session, user.id)
    return view.render("accounts/user.html", {"user": user, "tokens": tokens, "now": utcnow()})


@router.get("/agencies")
def agencies(
    view: Annotated[View, Depends(page("agencies.read"))], paging: Paging, q: Search = ""
) -> HTMLResponse:
    """Search agencies."""
    rows, total = accounts.list_agencies(view.uow.session, q, paging)
    context = {"rows": rows, "q": q, "pager": Pager.of(paging, total)}
    return view.render_list("accounts/agencies.html", "accounts/_agencies.html", context)


@router.get("/agencies/{agency_id}")
def agency_detail(
    agency_id: int, view: Annotated[View, Depends(page("agencies.read"))]
) -> HTMLResponse:
    """One agency."""
    agency = accounts.get_agency(view.uow.session, agency_id)
    return view.render("accounts/agency.html", {"agency": agency})
