"""REST routes of deliveries under /api/broadcast: send, report, stop, flagged zones, audio."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.broadcast import delivery, report, service
from smartcity.broadcast.delivery_policy import DeliverySettings, get_delivery_settings
from smartcity.broadcast.schemas import DeliveryOut, DeliveryReport, SendIn
from smartcity.http import AppSettings, Paging, UoW
from smartcity.integrations import audio
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/broadcast", tags=["broadcast"])
Reader = Annotated[Principal, Depends(require("broadcast.read"))]
Sender = Annotated[Principal, Depends(require("broadcast.send"))]
Policy = Annotated[DeliverySettings, Depends(get_delivery_settings)]


@router.post(
    "/announcements/{announcement_id}/send", status_code=201, summary="Send to the speakers now"
)
def send(
    announcement_id: int,
    body: SendIn,
    uow: UoW,
    settings: AppSettings,
    policy: Policy,
    _: Sender,
) -> DeliveryReport:
    """Queue a play command for every enabled speaker in the zones; published after commit."""
    row = delivery.send(uow, settings, policy, announcement_id, body.zone_ids)
    return report.build(uow.session, row)


@router.get("/deliveries", summary="Deliveries")
def list_deliveries(
    uow: UoW, paging: Paging, _: Reader, announcement_id: int | None = None, status: str = ""
) -> Page[DeliveryOut]:
    """Deliveries, newest first."""
    rows, total = delivery.list_deliveries(
        uow.session, paging, announcement_id=announcement_id, status=status
    )
    items = [DeliveryOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/deliveries/flagged-zones", summary="Zones where a broadcast did not fully play")
def flagged_zones(uow: UoW, policy: Policy, _: Reader) -> dict[str, Any]:
    """GeoJSON of PA zones whose latest finished delivery left speakers silent."""
    return report.flagged_zones(uow.session, policy.flagged_hours)


@router.get("/deliveries/{delivery_id}", summary="The report of one broadcast")
def get_report(delivery_id: int, uow: UoW, _: Reader) -> DeliveryReport:
    """Which speakers played, failed (with reason) or never answered, and each zone's result."""
    return report.build(uow.session, delivery.get(uow.session, delivery_id))


@router.post("/deliveries/{delivery_id}/stop", summary="Stop a broadcast on its speakers")
def stop(delivery_id: int, uow: UoW, _: Sender) -> DeliveryReport:
    """Send a stop command to every speaker of the delivery."""
    return report.build(uow.session, delivery.stop(uow, delivery_id))


@router.get("/speaker-audio/{announcement_id}", summary="Audio for speakers (signed URL)")
def speaker_audio(
    announcement_id: int,
    uow: UoW,
    settings: AppSettings,
    exp: Annotated[int, Query(description="Expiry, Unix seconds")],
    sig: Annotated[str, Query(max_length=64)],
) -> FileResponse:
    """The announcement's audio for a speaker holding a signed, unexpired URL from its command.

    Speakers hold no user account: the HMAC signature in the URL (issued with the play command)
    is the permission check, as require() is for people and programs with API tokens.
    """
    row = service.get_announcement(uow.session, announcement_id)
    delivery.check_signature(settings, row, exp, sig)
    path = service.audio_path(settings.data_dir, row)
    headers = {"x-checksum-sha256": row.checksum, "cache-control": "private, max-age=3600"}
    return FileResponse(path, media_type=audio.DELIVERY_MIME, headers=headers)
