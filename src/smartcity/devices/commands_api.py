"""REST routes for device commands: send to one device or a group, follow their status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.devices import commands, service
from smartcity.devices.models import Device
from smartcity.devices.schemas import DeviceKind
from smartcity.errors import NotFound
from smartcity.http import Paging, UoW
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/device-commands", tags=["devices"])
Reader = Annotated[Principal, Depends(require("devices.read"))]
Writer = Annotated[Principal, Depends(require("devices.write"))]


class CommandIn(BaseModel):
    """A command and its targets: device codes, or every enabled device of a kind / zone."""

    command: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", examples=["reboot", "play"])
    params: dict[str, Any] = Field(default_factory=dict)
    codes: list[str] = Field(default_factory=list, max_length=commands.MAX_TARGETS)
    kind: DeviceKind | None = None
    zone_id: int | None = None
    ttl_seconds: int = Field(300, ge=5, le=86400, description="Deadline for a final answer.")

    @model_validator(mode="after")
    def _has_targets(self) -> CommandIn:
        if not self.codes and self.kind is None and self.zone_id is None:
            raise ValueError("give device codes, a kind or a zone")
        if len(str(self.params)) > 4000:
            raise ValueError("params are too large (4000 characters at most)")
        return self


class CommandOut(BaseModel):
    """A command and what the device said about it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    uid: str
    device_id: int
    batch: str
    command: str
    params: dict[str, Any]
    status: str
    reason: str
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    acked_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime


class BatchOut(BaseModel):
    """A batch of commands by status."""

    batch: str
    counts: dict[str, int]
    commands: list[CommandOut]


def _targets(uow: UoW, body: CommandIn, principal: Principal) -> list[Device]:
    scope = principal.zone_scope("devices.write")
    found: dict[int, Device] = {}
    for code in body.codes:
        device = service.find_device(uow.session, code)
        if device is None:
            raise NotFound(f"Device {code!r} does not exist.", f"ไม่พบอุปกรณ์ {code}")
        found[device.id] = device
    if body.kind is not None or body.zone_id is not None:
        rows = service.command_targets(
            uow.session, kind=body.kind or "", zone_id=body.zone_id, zone_scope=scope
        )
        found.update({d.id: d for d in rows})
    if scope is not None:
        found = {i: d for i, d in found.items() if d.zone_id is None or d.zone_id in scope}
    return list(found.values())


@router.post("", status_code=201, summary="Send a command to devices")
def send(body: CommandIn, uow: UoW, principal: Writer) -> BatchOut:
    """Queue the command for every target; it is published once this request commits."""
    rows = commands.send(
        uow, _targets(uow, body, principal), body.command, body.params, body.ttl_seconds
    )
    items = [CommandOut.model_validate(r) for r in rows]
    return BatchOut(batch=rows[0].batch, counts={"queued": len(rows)}, commands=items)


@router.get("", summary="Search commands")
def search(
    uow: UoW,
    paging: Paging,
    _: Reader,
    device_id: int | None = None,
    batch: str = "",
    status: str = "",
) -> Page[CommandOut]:
    """Commands, newest first."""
    rows, total = commands.search(
        uow.session, paging, device_id=device_id, batch=batch, status=status
    )
    items = [CommandOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/batches/{batch}", summary="A batch and its delivery report")
def batch_report(batch: str, uow: UoW, paging: Paging, _: Reader) -> BatchOut:
    """Counts by status and the batch's commands."""
    counts = commands.batch_summary(uow.session, batch)
    rows, _total = commands.search(uow.session, paging, batch=batch)
    return BatchOut(
        batch=batch, counts=counts, commands=[CommandOut.model_validate(r) for r in rows]
    )


@router.get("/{command_id}", summary="One command")
def get(command_id: int, uow: UoW, _: Reader) -> CommandOut:
    """A command and its status."""
    return CommandOut.model_validate(commands.get(uow.session, command_id))
