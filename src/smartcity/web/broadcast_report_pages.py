"""Broadcast history pages: the week calendar, deliveries with per-speaker proof (live while a
broadcast is under way, with a Stop button), slots that did not play, speaker health."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcity.broadcast import delivery, report, scheduling
from smartcity.broadcast.delivery_policy import DeliverySettings, get_delivery_settings
from smartcity.broadcast.policy import BroadcastSettings, get_broadcast_settings
from smartcity.devices import service as devices
from smartcity.errors import Conflict
from smartcity.http import Paging
from smartcity.kit import thai
from smartcity.kit.pagination import PageParams
from smartcity.web.alerts_pages import parse_day
from smartcity.web.broadcast_pages import labels, message, pa_zones
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("broadcast.read"))]
Sender = Annotated[View, Depends(page("broadcast.send"))]
Policy = Annotated[BroadcastSettings, Depends(get_broadcast_settings)]
SendPolicy = Annotated[DeliverySettings, Depends(get_delivery_settings)]
SPEAKER_LIMIT = 500  # a town has tens of speakers; the health list is one page
UNPLAYED_LIMIT = 20  # the newest slots that did not play; the API pages through all of them


def week_of(day: date) -> date:
    """The Monday that starts the week holding ``day``."""
    return day - timedelta(days=day.weekday())


@router.get("/broadcast/calendar")
def calendar(
    view: Reader,
    policy: Policy,
    week: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """A week of slots (Monday to Sunday, Asia/Bangkok) from the calendar feed, BE dates."""
    tz = ZoneInfo(policy.timezone)
    monday = week_of(parse_day(week) or datetime.now(tz).date())
    begin = datetime.combine(monday, time(0), tzinfo=tz)
    slots = scheduling.calendar(view.uow.session, begin, begin + timedelta(days=7))
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day: dict[date, list[Any]] = {d: [] for d in days}
    for slot in slots:
        by_day.setdefault(slot.start.astimezone(tz).date(), []).append(slot)
    context = {
        "L": labels(view),
        "days": [(d, _day_label(view, d), by_day[d]) for d in days],
        "tz": tz,
        "prev": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "zone_names": {z.id: z for z in pa_zones(view, "broadcast.read")[0]},
    }
    return view.render("broadcast/calendar.html", context)


def _day_label(view: View, day: date) -> str:
    """'7 ม.ค. 2573' in Thai (BE year), '7 Jan 2030' in English."""
    return thai.format_date(day, "en" if view.lang == "en" else "th")


@router.get("/broadcast/deliveries")
def deliveries(
    view: Reader,
    paging: Paging,
    policy: SendPolicy,
    status: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """Deliveries newest first, flagged zones in red on a map, slots that did not play, and
    the speakers' health."""
    session = view.uow.session
    rows, total = delivery.list_deliveries(session, paging, status=status)
    speakers, _n = devices.list_devices(session, PageParams(1, SPEAKER_LIMIT), kind="speaker")
    unplayed, _u = scheduling.list_outcomes(session, PageParams(1, UNPLAYED_LIMIT), unplayed=True)
    context = {
        "L": labels(view),
        "rows": rows,
        "status": status,
        "pager": Pager.of(paging, total),
        "flagged": report.flagged_zones(session, policy.flagged_hours),
        "speakers": speakers,
        "unplayed": unplayed,
        "zone_names": {z.id: z for z in pa_zones(view, "broadcast.read")[0]},
    }
    return view.render_list("broadcast/deliveries.html", "broadcast/_deliveries.html", context)


def report_context(view: View, delivery_id: int) -> dict[str, Any]:
    """One delivery's report and whether the caller may stop it."""
    row = delivery.get(view.uow.session, delivery_id)
    return {
        "L": labels(view),
        "r": report.build(view.uow.session, row),
        "zone_names": {z.id: z for z in pa_zones(view, "broadcast.read")[0]},
        "live": row.status != "done",
        "may_stop": row.status != "done" and row.stopped_at is None and view.can("broadcast.send"),
        "error": "",
    }


@router.get("/broadcast/deliveries/{delivery_id}")
def delivery_page(delivery_id: int, view: Reader) -> HTMLResponse:
    """One broadcast's proof: per speaker played / failed with reason / never answered, per zone."""
    return view.render("broadcast/delivery.html", report_context(view, delivery_id))


@router.get("/broadcast/deliveries/{delivery_id}/report")
def delivery_report(delivery_id: int, view: Reader) -> HTMLResponse:
    """The report alone, which the page re-reads every 2 s (htmx) until the delivery is done."""
    return view.render("broadcast/_report.html", report_context(view, delivery_id))


@router.post("/broadcast/deliveries/{delivery_id}/stop")
def stop(delivery_id: int, view: Sender) -> Response:
    """Stop a broadcast on all its speakers; a finished or already stopped one says why."""
    try:
        delivery.stop(view.uow, delivery_id)
    except Conflict as exc:
        view.uow.session.rollback()
        context = report_context(view, delivery_id) | {"error": message(view, exc)}
        return view.render("broadcast/delivery.html", context, status_code=exc.status)
    return RedirectResponse(f"/broadcast/deliveries/{delivery_id}", status_code=303)
