"""The audit log for administrators: search, filters and a check of the hash chain."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from smartcity.audit import service as audit
from smartcity.http import Paging
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, is_htmx, page

router = APIRouter(route_class=PageRoute)
Auditor = Annotated[View, Depends(page("audit.read"))]


def _parse_day(text: str) -> date | None:
    """A yyyy-mm-dd date from a date input; None when empty or malformed."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def local_day_start(day: date, tz: str) -> datetime:
    """The instant a local calendar day begins (people pick days in Thai time, not UTC)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


@router.get("/audit")
def audit_log(
    view: Auditor,
    paging: Paging,
    q: Annotated[str, Query(max_length=200)] = "",
    entity_type: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """Entries newest first, filtered by text, record type and a range of local days."""
    tz = view.settings.timezone
    since_day, until_day = _parse_day(since), _parse_day(until)
    rows, total = audit.search(
        view.uow.session,
        paging,
        q=q,
        entity_type=entity_type,
        since=local_day_start(since_day, tz) if since_day else None,
        until=local_day_start(until_day + timedelta(days=1), tz) if until_day else None,
    )
    context = {
        "rows": rows,
        "q": q,
        "entity_type": entity_type,
        "entity_types": audit.entity_types(view.uow.session),
        "since": since_day.isoformat() if since_day else "",
        "until": until_day.isoformat() if until_day else "",
        "bad_date": bool((since and not since_day) or (until and not until_day)),
        "pager": Pager.of(paging, total),
    }
    return view.render_list("audit/log.html", "audit/_log.html", context)


@router.post("/audit/verify")
def verify_chain(view: Auditor) -> HTMLResponse:
    """Walk the whole chain; the answer replaces the button's result box."""
    report = audit.verify(view.uow.session)
    name = "audit/_verify.html" if is_htmx(view.request) else "audit/verify.html"
    return view.render(name, {"report": report})
