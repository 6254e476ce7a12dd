"""REST routes of the devices domain (thin: parse, check permission, call the service)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.datastructures import UploadFile

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.devices import csvimport, ingest, service, state
from smartcity.devices.models import Device
from smartcity.devices.schemas import (
    Credential,
    DeadLetterOut,
    DeviceCreated,
    DeviceIn,
    DeviceKind,
    DeviceOut,
    DeviceUpdate,
    GatewayCreated,
    GatewayIn,
    GatewayOut,
    History,
    ImportReport,
    IngestResult,
    LatestOut,
    Resolution,
    Status,
)
from smartcity.errors import InvalidInput, NotFound, problem
from smartcity.http import AppSettings, Paging, UoW
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/devices", tags=["devices"])
Reader = Annotated[Principal, Depends(require("devices.read"))]
Writer = Annotated[Principal, Depends(require("devices.write"))]


async def raw_body(request: Request) -> bytes:
    """The request body as sent (the size limit middleware has already capped it)."""
    return await request.body()


async def csv_body(request: Request) -> bytes:
    """A CSV file from a multipart upload (field ``file``) or a ``text/csv`` body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "Send the CSV in a form field named 'file'.", "แนบไฟล์ CSV ในช่องชื่อ file"
            )
        return await upload.read()
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
CsvBody = Annotated[bytes, Depends(csv_body)]


def _in_scope(principal: Principal, device: Device, action: str = "devices.read") -> Device:
    """Devices outside the caller's zones look absent, so ids do not leak what exists."""
    if not principal.can(action, device.zone_id):
        raise NotFound(f"Device {device.id} does not exist.", f"ไม่พบอุปกรณ์หมายเลข {device.id}")
    return device


# --- ingest and dead letters (fixed paths before /{device_id}) --------------------------------


@router.post(
    "/ingest",
    summary="Post a batch of readings (devices and gateways)",
    response_model=IngestResult,
    responses={400: {}, 401: {}, 413: {}, 422: {}},
)
def ingest_batch(
    body: RawBody, uow: UoW, settings: AppSettings, authorization: Annotated[str, Header()] = ""
) -> Any:
    """``{"readings": [{"device": code, "ts": ISO 8601, "values": {...}}]}`` with a bearer token.

    The answer comes only after the batch is committed. Refused readings are listed and kept
    in the dead-letter table; the rest are stored.
    """
    result = ingest.ingest_http(uow, settings, authorization, body)
    if isinstance(result, ingest.Refused):
        th = "ไม่รับข้อมูล"
        return problem(
            result.status,
            "Telemetry refused",
            result.message,
            code=f"telemetry-{result.reason_code.replace('_', '-')}",
            title_th=th,
            detail_th=result.message_th,
        )
    return result


@router.get("/dead-letters", summary="Refused telemetry")
def dead_letters(
    uow: UoW,
    paging: Paging,
    _: Reader,
    source: str = "",
    device: str = "",
    reason: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[DeadLetterOut]:
    """Refused messages and readings with the reason, newest first."""
    rows, total = service.list_dead_letters(
        uow.session,
        paging,
        source=source,
        device_code=device,
        reason_code=reason,
        since=since,
        until=until,
    )
    items = [DeadLetterOut.model_validate(d) for d in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


# --- gateways ---------------------------------------------------------------------------------


@router.get("/gateways", summary="List gateways")
def list_gateways(uow: UoW, paging: Paging, _: Reader) -> Page[GatewayOut]:
    """Gateways, one page."""
    rows, total = service.list_gateways(uow.session, paging)
    items = [GatewayOut.model_validate(g) for g in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/gateways", status_code=201, summary="Register a gateway")
def create_gateway(body: GatewayIn, uow: UoW, settings: AppSettings, _: Writer) -> GatewayCreated:
    """Add a gateway; its token is in this answer only."""
    gateway, token = service.create_gateway(uow, settings, body)
    return GatewayCreated(gateway=GatewayOut.model_validate(gateway), token=token)


@router.post("/gateways/{gateway_id}/rotate", summary="Issue a new gateway token")
def rotate_gateway(gateway_id: int, uow: UoW, settings: AppSettings, _: Writer) -> GatewayCreated:
    """A new token; the old one stops working at once."""
    token = service.rotate_gateway(uow, settings, gateway_id)
    gateway = service.get_gateway(uow.session, gateway_id)
    return GatewayCreated(gateway=GatewayOut.model_validate(gateway), token=token)


@router.post("/gateways/{gateway_id}/{switch}", summary="Enable or disable a gateway")
def switch_gateway(gateway_id: int, switch: str, uow: UoW, _: Writer) -> GatewayOut:
    """``enable`` or ``disable``."""
    gateway = service.set_gateway_enabled(uow, gateway_id, _switch(switch))
    return GatewayOut.model_validate(gateway)


# --- registry ---------------------------------------------------------------------------------


@router.get("", summary="Search devices")
def list_devices(
    uow: UoW,
    paging: Paging,
    principal: Reader,
    q: str = "",
    kind: DeviceKind | None = None,
    zone_id: int | None = None,
    status: Status | None = None,
    enabled: bool | None = None,
) -> Page[DeviceOut]:
    """Devices matching ``q`` (code or names) and the filters, limited to the caller's zones."""
    rows, total = service.list_devices(
        uow.session,
        paging,
        q=q,
        kind=kind or "",
        zone_id=zone_id,
        status=status or "",
        enabled=enabled,
        zone_scope=principal.zone_scope("devices.read"),
    )
    items = [DeviceOut.of(d) for d in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post("", status_code=201, summary="Register a device")
def create_device(body: DeviceIn, uow: UoW, settings: AppSettings, _: Writer) -> DeviceCreated:
    """Add a device; its credential is in this answer only."""
    device, credential = service.create_device(uow, settings, body)
    return DeviceCreated(device=DeviceOut.of(device), credential=credential)


@router.post("/import", summary="Create or update devices from CSV")
def import_devices(body: CsvBody, uow: UoW, settings: AppSettings, _: Writer) -> ImportReport:
    """Rows are checked one by one; refused rows are listed with the reason in both languages."""
    return csvimport.import_csv(uow, settings, body)


@router.get("/{device_id}", summary="One device")
def get_device(device_id: int, uow: UoW, principal: Reader) -> DeviceOut:
    """A device with its health."""
    return DeviceOut.of(_in_scope(principal, service.get_device(uow.session, device_id)))


@router.put("/{device_id}", summary="Change a device")
def update_device(device_id: int, body: DeviceUpdate, uow: UoW, principal: Writer) -> DeviceOut:
    """Change the fields sent; fields left out keep their value."""
    _in_scope(principal, service.get_device(uow.session, device_id), "devices.write")
    return DeviceOut.of(service.update_device(uow, device_id, body))


@router.post("/{device_id}/credentials", summary="Rotate the device credential")
def rotate_credential(
    device_id: int, uow: UoW, settings: AppSettings, principal: Writer
) -> Credential:
    """A new token (and MQTT password); the old ones stop working at once."""
    _in_scope(principal, service.get_device(uow.session, device_id), "devices.write")
    return service.rotate_credential(uow, settings, device_id)


@router.post("/{device_id}/{switch}", summary="Enable or disable a device")
def switch_device(device_id: int, switch: str, uow: UoW, principal: Writer) -> DeviceOut:
    """``enable`` or ``disable``; a disabled device's readings go to the dead letters."""
    _in_scope(principal, service.get_device(uow.session, device_id), "devices.write")
    return DeviceOut.of(service.set_enabled(uow, device_id, _switch(switch)))


@router.get("/{device_id}/latest", summary="Latest state of a device")
def latest(device_id: int, uow: UoW, principal: Reader) -> LatestOut:
    """Status, battery, signal and the newest value of each metric."""
    device = _in_scope(principal, service.get_device(uow.session, device_id))
    return state.latest_state(uow.session, device)


@router.get("/{device_id}/readings", summary="Reading history")
def readings(
    device_id: int,
    uow: UoW,
    principal: Reader,
    metric: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    resolution: Resolution = "raw",
    limit: Annotated[int, Query(ge=1, le=state.MAX_POINTS)] = state.MAX_POINTS,
) -> History:
    """Readings over a range (default the last 24 hours), raw or as avg/min/max per bucket."""
    device = _in_scope(principal, service.get_device(uow.session, device_id))
    return state.history(
        uow.session,
        device,
        now=utcnow(),
        metric=metric,
        since=since,
        until=until,
        resolution=resolution,
        limit=limit,
    )


def _switch(word: str) -> bool:
    if word not in ("enable", "disable"):
        raise NotFound(f"No such action {word!r}.", f"ไม่มีคำสั่ง {word}")
    return word == "enable"
