"""The live stream route: GET /api/live/stream (text/event-stream)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.devices import service as devices
from smartcity.kit.pagination import PageParams
from smartcity.live import stream
from smartcity.live.handlers import hub_for

router = APIRouter(prefix="/api/live", tags=["live"])
Reader = Annotated[Principal, Depends(require("devices.read"))]


@router.get(
    "/stream",
    summary="Live device updates (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 401: {}, 403: {}},
)
async def live_stream(request: Request, principal: Reader) -> StreamingResponse:
    """Status changes and new readings of the devices the caller may see, as they happen.

    Events: ``hello``, ``status``, ``telemetry``, ``dropped`` (the client was too slow and should
    reload), and a comment line every heartbeat. The caller is resolved in the thread pool by
    ``require``; the database is never touched on the event loop.
    """
    scope = principal.zone_scope("devices.read")
    device_ids = None
    if scope is not None:
        factory = request.app.state.session_factory
        device_ids = await run_in_threadpool(devices_in_scope, factory, scope)
    hub = hub_for(request.app.state.bus)
    subscriber = hub.subscribe(asyncio.get_running_loop())
    return StreamingResponse(
        stream.events(hub, subscriber, device_ids),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def devices_in_scope(factory: sessionmaker[Session], scope: frozenset[int]) -> frozenset[int]:
    """Ids of the devices in these zones (or in none), read in a short session of its own."""
    ids: set[int] = set()
    with factory() as session:
        page = 1
        while True:
            params = PageParams(page, 200)
            rows, total = devices.list_devices(session, params, zone_scope=scope)
            ids.update(row.id for row in rows)
            if page * params.per_page >= total or not rows:
                return frozenset(ids)
            page += 1
