"""Device pages: the list with filters, a device with its latest values and chart, map data."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse

from smartcity.devices import service as devices
from smartcity.devices import state
from smartcity.devices.schemas import DeviceKind, Status
from smartcity.errors import NotFound
from smartcity.geo import service as geo
from smartcity.http import Paging
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
DeviceReader = Annotated[View, Depends(page("devices.read"))]
Search = Annotated[str, Query(max_length=200)]
DEVICE_KINDS: tuple[str, ...] = get_args(DeviceKind)
STATUSES: tuple[str, ...] = get_args(Status)
STATUS_COLOURS = {
    "online": "#16a34a",
    "degraded": "#d97706",
    "offline": "#dc2626",
    "unknown": "#94a3b8",
}
CHART_POINTS = 2_000
MAP_PAGE = 200


def _zone_choices(view: View) -> list[Any]:
    """Community zones for the zone filter (a town has tens, not thousands)."""
    scope = view.principal.zone_scope("devices.read") if view.principal else None
    rows, _total = geo.list_zones(
        view.uow.session, PageParams(1, 200), kind="community", zone_scope=scope
    )
    return rows


@router.get("/devices")
def device_list(
    view: DeviceReader,
    paging: Paging,
    q: Search = "",
    kind: Annotated[DeviceKind | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
    zone_id: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """Devices the caller may see, searched by code or name and filtered."""
    assert view.principal is not None
    rows, total = devices.list_devices(
        view.uow.session,
        paging,
        q=q,
        kind=kind or "",
        status=status or "",
        zone_id=zone_id,
        zone_scope=view.principal.zone_scope("devices.read"),
    )
    context = {
        "rows": rows,
        "q": q,
        "kind": kind or "",
        "status": status or "",
        "zone_id": zone_id,
        "kinds": DEVICE_KINDS,
        "statuses": STATUSES,
        "zones": _zone_choices(view),
        "colours": STATUS_COLOURS,
        "pager": Pager.of(paging, total),
    }
    return view.render_list("devices/list.html", "devices/_list.html", context)


@router.get("/devices.geojson")
def device_map(view: DeviceReader) -> JSONResponse:
    """Every device the caller may see as GeoJSON points with their status (for the map)."""
    assert view.principal is not None
    scope = view.principal.zone_scope("devices.read")
    features: list[dict[str, Any]] = []
    page_no = 1
    while True:
        params = PageParams(page_no, MAP_PAGE)
        rows, total = devices.list_devices(view.uow.session, params, zone_scope=scope)
        features.extend(_device_feature(d) for d in rows)
        if not rows or page_no * MAP_PAGE >= total:
            break
        page_no += 1
    body = {"type": "FeatureCollection", "features": features}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _device_feature(device: Any) -> dict[str, Any]:
    props = {
        k: getattr(device, k)
        for k in ("id", "code", "name_th", "name_en", "kind", "status", "zone_id", "is_sample")
    }
    geometry = {"type": "Point", "coordinates": [device.lon, device.lat]}
    return {"type": "Feature", "geometry": geometry, "properties": props}


@router.get("/devices/{device_id}")
def device_detail(device_id: int, view: DeviceReader) -> HTMLResponse:
    """One device: registry facts, health, latest values and a chart of the last 24 hours."""
    assert view.principal is not None
    session = view.uow.session
    device = devices.get_device(session, device_id)
    if not view.principal.can("devices.read", device.zone_id):
        raise NotFound(f"Device {device_id} does not exist.", f"ไม่พบอุปกรณ์หมายเลข {device_id}")
    latest = state.latest_state(session, device)
    now = utcnow()
    history = state.history(
        session, device, now=now, since=now - timedelta(hours=24), limit=CHART_POINTS
    )
    zone = geo.get_zone(session, device.zone_id) if device.zone_id else None
    context = {
        "device": device,
        "latest": latest,
        "zone": zone,
        "colours": STATUS_COLOURS,
        "chart": _chart_data(view, device.id, history.points),
    }
    return view.render("devices/detail.html", context)


def _chart_data(view: View, device_id: int, points: list[Any]) -> dict[str, Any]:
    """Series per metric as [[unix seconds...], [values...]] for uPlot."""
    series: dict[str, list[list[float]]] = {}
    for p in points:
        xs, ys = series.setdefault(p.metric, [[], []])
        xs.append(p.t.timestamp())
        ys.append(p.value)
    return {
        "device_id": device_id,
        "lang": view.lang,
        "series": series,
        "stream": "/api/live/stream",
        "timezone": view.settings.timezone,
    }
