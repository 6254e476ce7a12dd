"""Commands to devices (downlink) and their delivery status from the devices' acknowledgements.

A command is stored as ``queued`` in the sender's transaction; once that commits, the
``CommandsQueued`` event lets the runtime's publisher hand it to the broker (``sent``). The
device answers on its ``acks`` topic with ``received``, ``started``, ``succeeded`` or ``failed``;
a command with no final answer by its deadline becomes ``expired``. Statuses only move forward.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from smartcity.devices.models import FINAL_COMMAND_STATUSES, Device, DeviceCommand
from smartcity.errors import InvalidInput, NotFound
from smartcity.events import Event, RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams, paginate

RANK: Final = {"queued": 0, "sent": 1, "received": 2, "started": 3}
ACK_STATUSES: Final = ("received", "started", "succeeded", "failed")
MAX_TARGETS: Final = 5000
EXPIRED_REASON: Final = "no final acknowledgement before the deadline"


@dataclass(frozen=True, kw_only=True)
class CommandsQueued(Event):
    """Commands were stored and should now be published."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class Ack:
    """A device's answer to a command."""

    device_id: int
    uid: str
    status: str
    reason: str = ""


def _rank(status: str) -> int:
    return 4 if status in FINAL_COMMAND_STATUSES else RANK[status]


def send(
    uow: UnitOfWork,
    devices: Sequence[Device],
    command: str,
    params: dict[str, Any],
    ttl_seconds: int,
) -> list[DeviceCommand]:
    """Queue one command per device under one batch id; published after commit."""
    if not devices:
        raise InvalidInput("No device matches.", "ไม่พบอุปกรณ์ที่ตรงกับเงื่อนไข")
    if len(devices) > MAX_TARGETS:
        raise InvalidInput(
            f"At most {MAX_TARGETS} devices per command.", f"ส่งคำสั่งได้ไม่เกิน {MAX_TARGETS} อุปกรณ์"
        )
    disabled = [d.code for d in devices if not d.enabled]
    if disabled:
        raise InvalidInput(
            f"Disabled devices cannot take commands: {', '.join(disabled[:10])}",
            f"อุปกรณ์ที่ปิดใช้งานรับคำสั่งไม่ได้: {', '.join(disabled[:10])}",
        )
    now, batch = utcnow(), str(uuid.uuid4())
    rows = [
        DeviceCommand(
            uid=str(uuid.uuid4()),
            device_id=d.id,
            batch=batch,
            command=command,
            params=params,
            created_by=uow.actor.username,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
        for d in devices
    ]
    uow.session.add_all(rows)
    uow.session.flush()
    detail = {"command": command, "devices": len(rows), "batch": batch}
    uow.emit(
        RecordChanged(
            action="command.sent", entity_type="command_batch", entity_id=batch, detail=detail
        )
    )
    uow.emit(CommandsQueued(ids=tuple(r.id for r in rows)))
    return rows


def get(session: Session, command_id: int) -> DeviceCommand:
    """A command, or NotFound."""
    row = session.get(DeviceCommand, command_id)
    if row is None:
        raise NotFound(f"Command {command_id} does not exist.", f"ไม่พบคำสั่งหมายเลข {command_id}")
    return row


def search(
    session: Session,
    params: PageParams,
    *,
    device_id: int | None = None,
    batch: str = "",
    status: str = "",
) -> tuple[list[DeviceCommand], int]:
    """Commands, newest first, filtered by device, batch and status."""
    stmt: Select[Any] = select(DeviceCommand).order_by(DeviceCommand.id.desc())
    if device_id is not None:
        stmt = stmt.where(DeviceCommand.device_id == device_id)
    if batch:
        stmt = stmt.where(DeviceCommand.batch == batch)
    if status:
        stmt = stmt.where(DeviceCommand.status == status)
    return paginate(session, stmt, params)


def batch_summary(session: Session, batch: str) -> dict[str, int]:
    """How many commands of a batch are in each status."""
    rows = session.execute(select(DeviceCommand.status).where(DeviceCommand.batch == batch))
    counts: dict[str, int] = {}
    for (status,) in rows:
        counts[status] = counts.get(status, 0) + 1
    if not counts:
        raise NotFound(f"Command batch {batch} does not exist.", f"ไม่พบชุดคำสั่ง {batch}")
    return counts


def for_publishing(session: Session, ids: Sequence[int]) -> list[tuple[DeviceCommand, str]]:
    """Queued commands with their device codes, ready to publish."""
    stmt = (
        select(DeviceCommand, Device.code)
        .join(Device, Device.id == DeviceCommand.device_id)
        .where(DeviceCommand.id.in_(list(ids)), DeviceCommand.status == "queued")
    )
    return [(cmd, code) for cmd, code in session.execute(stmt)]


def unsent_ids(session: Session, older_than: datetime) -> list[int]:
    """Queued commands that were not published (broker away); the sweeper retries them."""
    stmt = select(DeviceCommand.id).where(
        DeviceCommand.status == "queued", DeviceCommand.created_at < older_than
    )
    return list(session.scalars(stmt.limit(MAX_TARGETS)))


def mark_sent(session: Session, ids: Sequence[int], when: datetime) -> None:
    """Record that the broker accepted these commands."""
    if ids:
        session.execute(
            update(DeviceCommand)
            .where(DeviceCommand.id.in_(list(ids)), DeviceCommand.status == "queued")
            .values(status="sent", sent_at=when)
        )


def record_acks(session: Session, acks: Sequence[Ack], when: datetime) -> int:
    """Apply devices' answers; statuses only move forward. Returns how many changed."""
    if not acks:
        return 0
    rows = {
        r.uid: r
        for r in session.scalars(
            select(DeviceCommand).where(DeviceCommand.uid.in_([a.uid for a in acks]))
        )
    }
    changed = 0
    for ack in acks:
        row = rows.get(ack.uid)
        if row is None or row.device_id != ack.device_id or ack.status not in ACK_STATUSES:
            continue
        if row.status in FINAL_COMMAND_STATUSES or _rank(ack.status) <= _rank(row.status):
            continue
        row.status, row.reason = ack.status, ack.reason[:300]
        row.acked_at = row.acked_at or when
        if ack.status in FINAL_COMMAND_STATUSES:
            row.finished_at = when
        changed += 1
    return changed


def expire(uow: UnitOfWork, now: datetime) -> int:
    """Commands past their deadline without a final answer become ``expired``."""
    result = uow.session.execute(
        update(DeviceCommand)
        .where(
            DeviceCommand.status.not_in(FINAL_COMMAND_STATUSES),
            DeviceCommand.expires_at < now,
        )
        .values(status="expired", reason=EXPIRED_REASON, finished_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def message(cmd: DeviceCommand) -> dict[str, Any]:
    """What the device receives on its commands topic."""
    return {
        "id": cmd.uid,
        "command": cmd.command,
        "params": cmd.params,
        "expires_at": cmd.expires_at.isoformat(),
    }
