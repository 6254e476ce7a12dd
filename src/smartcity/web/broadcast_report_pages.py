"""Broadcast history pages: the week calendar, deliveries with per-speaker proof, speaker health."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from smartcity.broadcast import delivery, report, scheduling
from smartcity.broadcast.delivery_policy import DeliverySettings, get_delivery_settings
from smartcity.broadcast.policy import BroadcastSettings, get_broadcast_settings
from smartcity.devices import service as devices
from smartcity.http import Paging
from smartcity.kit import thai
from smartcity.kit.pagination import PageParams
from smartcity.web.alerts_pages import parse_day
from smartcity.web.broadcast_pages import labels, pa_zones
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("broadcast.read"))]
Policy = Annotated[BroadcastSettings, Depends(get_broadcast_settings)]
SendPolicy = Annotated[DeliverySettings, Depends(get_delivery_settings)]
SPEAKER_LIMIT = 500  # a town has tens of speakers; the health list is one page


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
    """Deliveries newest first, flagged zones in red on a map, and the speakers' health."""
    rows, total = delivery.list_deliveries(view.uow.session, paging, status=status)
    speakers, _n = devices.list_devices(
        view.uow.session, PageParams(1, SPEAKER_LIMIT), kind="speaker"
    )
    context = {
        "L": labels(view),
        "rows": rows,
        "status": status,
        "pager": Pager.of(paging, total),
        "flagged": report.flagged_zones(view.uow.session, policy.flagged_hours),
        "speakers": speakers,
    }
    return view.render_list("broadcast/deliveries.html", "broadcast/_deliveries.html", context)


@router.get("/broadcast/deliveries/{delivery_id}")
def delivery_page(delivery_id: int, view: Reader) -> HTMLResponse:
    """One broadcast's proof: per speaker played / failed with reason / never answered, per zone."""
    row = delivery.get(view.uow.session, delivery_id)
    context = {
        "L": labels(view),
        "r": report.build(view.uow.session, row),
        "zone_names": {z.id: z for z in pa_zones(view, "broadcast.read")[0]},
    }
    return view.render("broadcast/delivery.html", context)
