"""The live stream route: GET /api/live/stream (text/event-stream)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.devices import service as devices
from smartcity.http import UoW
from smartcity.kit.pagination import PageParams
from smartcity.live import stream
from smartcity.live.handlers import hub_for

router = APIRouter(prefix="/api/live", tags=["live"])
Reader = Annotated[Principal, Depends(require("devices.read"))]


def visible_devices(uow: UoW, principal: Reader) -> frozenset[int] | None:
    """Ids of the devices a zone-scoped caller may follow (None: all).

    A plain def, so FastAPI runs it in the thread pool, and on the request's own session: a
    second session would wait for the request's SQLite write lock (BEGIN IMMEDIATE) forever.
    """
    scope = principal.zone_scope("devices.read")
    return None if scope is None else devices_in_scope(uow.session, scope)


VisibleDevices = Annotated[frozenset[int] | None, Depends(visible_devices)]


@router.get(
    "/stream",
    summary="Live device updates (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 401: {}, 403: {}},
)
async def live_stream(request: Request, device_ids: VisibleDevices) -> StreamingResponse:
    """Status changes and new readings of the devices the caller may see, as they happen.

    Events: ``hello``, ``status``, ``telemetry``, ``dropped`` (the client was too slow and should
    reload), and a comment line every heartbeat. The caller and the devices they may follow are
    read by thread-pool dependencies; the database is never touched on the event loop.
    """
    hub = hub_for(request.app.state.bus)
    subscriber = hub.subscribe(asyncio.get_running_loop())
    return StreamingResponse(
        stream.events(hub, subscriber, device_ids),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def devices_in_scope(session: Session, scope: frozenset[int]) -> frozenset[int]:
    """Ids of the devices in these zones (or in none)."""
    ids: set[int] = set()
    page = 1
    while True:
        params = PageParams(page, 200)
        rows, total = devices.list_devices(session, params, zone_scope=scope)
        ids.update(row.id for row in rows)
        if page * params.per_page >= total or not rows:
            return frozenset(ids)
        page += 1
