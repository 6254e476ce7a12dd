"""Delivery of announcements to speakers: play commands, signed audio URLs, retries, outcomes.

Sending an announcement stores a delivery and queues one ``play`` command per enabled speaker
standing in the target PA zones (devices domain, one command batch). The speakers' answers come
back through the devices domain. ``settle`` (a sweeper job) looks at the latest batch once every
command in it has a final status: speakers that failed or never answered get a new batch while
retries remain; then the delivery is finished, its outcome recorded (and, for a schedule slot,
one slot outcome per zone) so nothing sent disappears without a trace.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from smartcity.broadcast import delivery_repository as repo
from smartcity.broadcast import scheduling, service
from smartcity.broadcast.delivery_policy import DeliverySettings
from smartcity.broadcast.models import Announcement, Delivery
from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.devices import service as devices
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import Event, RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.crypto import keyed_hash
from smartcity.kit.pagination import PageParams

SENDABLE: Final = ("approved", "scheduled", "sent")
PLAY: Final = "play"
STOP: Final = "stop"
AUDIO_PATH: Final = "/api/broadcast/speaker-audio"
# Speaker statuses in a report, from the command statuses of the devices domain.
SPEAKER_STATUS: Final = {"succeeded": "played", "failed": "failed", "expired": "no_answer"}


@dataclass(frozen=True, kw_only=True)
class DeliveryFinished(Event):
    """Every speaker of a delivery has a final answer (or retries ran out)."""

    delivery_id: int
    announcement_id: int
    outcome: str
    flagged_zone_ids: tuple[int, ...]


@dataclass(frozen=True)
class SpeakerState:
    """The latest answer of one speaker across a delivery's batches."""

    status: str
    reason: str
    attempts: int


# --- targets and commands ---------------------------------------------------------------------


def speakers_in(
    session: Session, zone_ids: list[int]
) -> tuple[dict[int, Any], dict[int, list[int]]]:
    """Enabled speakers standing in these PA zones, and the zones each one stands in."""
    wanted = set(zone_ids)
    found: dict[int, Any] = {}
    zones_of: dict[int, list[int]] = {}
    for device in devices.command_targets(session, kind="speaker"):
        inside = [z.id for z in geo.zones_at(session, device.lat, device.lon, "pa_zone")]
        mine = sorted(wanted.intersection(inside))
        if mine:
            found[device.id], zones_of[device.id] = device, mine
    return found, zones_of


def sign(secret: str, announcement: Announcement, expires: int) -> str:
    """The signature of an audio URL: the announcement, its checksum and the expiry."""
    return keyed_hash(secret, f"speaker-audio:{announcement.id}:{announcement.checksum}:{expires}")


def audio_url(settings: Settings, policy: DeliverySettings, announcement: Announcement) -> str:
    """A signed, expiring URL from which speakers download the announcement's audio."""
    base = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    expires = int(time.time()) + policy.url_ttl_s
    sig = sign(settings.secret_key.get_secret_value(), announcement, expires)
    return f"{base}{AUDIO_PATH}/{announcement.id}?exp={expires}&sig={sig}"


def check_signature(
    settings: Settings, announcement: Announcement, expires: int, signature: str
) -> None:
    """Refuse a download whose signature does not match or whose URL has expired."""
    good = sign(settings.secret_key.get_secret_value(), announcement, expires)
    if not _same(good, signature) or expires < time.time():
        raise Forbidden(
            "The audio link is invalid or has expired.", "ลิงก์ไฟล์เสียงไม่ถูกต้องหรือหมดอายุแล้ว"
        )


def _same(a: str, b: str) -> bool:
    import hmac  # the constant-time comparison, so a signature cannot be guessed byte by byte

    return hmac.compare_digest(a.encode(), b.encode())


def play_params(
    settings: Settings,
    policy: DeliverySettings,
    announcement: Announcement,
    start_at: datetime,
    priority: str,
) -> dict[str, Any]:
    """What every speaker needs to fetch, check and play the announcement."""
    return {
        "announcement_id": announcement.id,
        "audio_url": audio_url(settings, policy, announcement),
        "sha256": announcement.checksum,
        "start_at": start_at.isoformat(),
        "priority": priority,
        "duration": announcement.duration_s,
    }


def _ttl(policy: DeliverySettings, announcement: Announcement, start_at: datetime) -> int:
    """Seconds until a silent speaker counts as not answering."""
    ahead = max((start_at - utcnow()).total_seconds(), 0.0)
    return max(5, math.ceil(ahead + announcement.duration_s + policy.ack_grace_s))


def _dispatch(
    uow: UnitOfWork,
    settings: Settings,
    policy: DeliverySettings,
    row: Delivery,
    announcement: Announcement,
    targets: list[Any],
) -> None:
    """One more batch of play commands for these speakers."""
    start_at = max(row.start_at, utcnow() + timedelta(seconds=policy.lead_s))
    params = play_params(settings, policy, announcement, start_at, row.priority)
    sent = commands.send(uow, targets, PLAY, params, _ttl(policy, announcement, start_at))
    row.batches = [*row.batches, sent[0].batch]  # a new list: JSON columns track assignment
    row.attempts += 1


# --- sending ----------------------------------------------------------------------------------


def sendable(session: Session, announcement_id: int) -> Announcement:
    """The announcement if it is approved and has audio; otherwise a 409."""
    ann = service.get_announcement(session, announcement_id)
    if ann.status not in SENDABLE:
        raise Conflict(
            f"Only approved announcements can be sent; this one is {ann.status}.",
            f"ส่งได้เฉพาะประกาศที่อนุมัติแล้ว ประกาศนี้มีสถานะ {ann.status}",
        )
    if not ann.audio_file or not ann.checksum:
        raise Conflict("The announcement has no audio.", "ประกาศนี้ยังไม่มีไฟล์เสียง")
    return ann


def send(
    uow: UnitOfWork,
    settings: Settings,
    policy: DeliverySettings,
    announcement_id: int,
    zone_ids: list[int] | None = None,
    *,
    schedule_id: int | None = None,
    slot_at: datetime | None = None,
) -> Delivery:
    """Send an approved announcement now (or at its slot) to every speaker in its PA zones."""
    ann = sendable(uow.session, announcement_id)
    zones = service.check_zones(uow.session, list(zone_ids or ann.zone_ids))
    if not zones:
        raise InvalidInput(
            "Choose at least one PA zone.",
            "โปรดเลือกเขตเสียงตามสายอย่างน้อยหนึ่งเขต",
            errors=[{"field": "zone_ids", "message": "empty"}],
        )
    targets, zones_of = speakers_in(uow.session, zones)
    if not targets:
        raise InvalidInput(
            f"No enabled speaker stands in PA zones {zones}.",
            f"ไม่มีลำโพงที่เปิดใช้งานในเขตเสียงตามสาย {zones}",
            errors=[{"field": "zone_ids", "message": "no speakers"}],
        )
    soonest = utcnow() + timedelta(seconds=policy.lead_s)
    row = Delivery(
        announcement_id=ann.id,
        schedule_id=schedule_id,
        slot_at=slot_at,
        priority=ann.priority,
        zone_ids=zones,
        speakers={str(k): v for k, v in zones_of.items()},
        batches=[],
        attempts=0,
        max_attempts=1 + policy.retries,
        start_at=max(slot_at, soonest) if slot_at else soonest,
        status="sending",
        created_by=uow.actor.username,
    )
    uow.session.add(row)
    uow.session.flush()
    _dispatch(uow, settings, policy, row, ann, list(targets.values()))
    if ann.status == "approved":
        ann.status, ann.updated_at = "sent", utcnow()
    _changed(uow, "delivery.sent", row, speakers=len(targets))
    return row


def stop(uow: UnitOfWork, delivery_id: int, ttl_seconds: int = 60) -> Delivery:
    """Tell every speaker of a delivery to stop playing it now; record who stopped it and when.

    A stopped delivery is not retried: once its speakers have answered it finishes as "stopped"
    (a schedule slot as "cancelled" in each zone), and its zones are not flagged on the map.
    """
    row = get(uow.session, delivery_id)
    if row.status == "done":
        raise Conflict("This broadcast has already finished.", "การกระจายเสียงนี้เสร็จสิ้นแล้ว")
    if row.stopped_at is not None:
        raise Conflict(
            f"This broadcast was already stopped by {row.stopped_by}.",
            f"การกระจายเสียงนี้ถูกหยุดแล้วโดย {row.stopped_by}",
        )
    targets = [devices.get_device(uow.session, int(i)) for i in row.speakers]
    enabled = [d for d in targets if d.enabled]
    if enabled:
        commands.send(uow, enabled, STOP, {"announcement_id": row.announcement_id}, ttl_seconds)
    row.stopped_at, row.stopped_by = utcnow(), uow.actor.username
    _changed(uow, "delivery.stopped", row, speakers=len(enabled))
    return row


# --- reading ----------------------------------------------------------------------------------


def get(session: Session, delivery_id: int) -> Delivery:
    """A delivery, or NotFound."""
    row = repo.get(session, delivery_id)
    if row is None:
        raise NotFound(f"Delivery {delivery_id} does not exist.", f"ไม่พบการส่งหมายเลข {delivery_id}")
    return row


def list_deliveries(
    session: Session, params: PageParams, *, announcement_id: int | None = None, status: str = ""
) -> tuple[list[Delivery], int]:
    """One page of deliveries, newest first."""
    return repo.search(session, params, announcement_id=announcement_id, status=status)


def speaker_states(session: Session, row: Delivery) -> dict[int, SpeakerState]:
    """Each targeted speaker's latest command status across the delivery's batches."""
    states: dict[int, SpeakerState] = {}
    for batch in row.batches:
        for cmd in _batch_commands(session, batch):
            tries = states[cmd.device_id].attempts + 1 if cmd.device_id in states else 1
            states[cmd.device_id] = SpeakerState(cmd.status, cmd.reason, tries)
    return states


def _batch_commands(session: Session, batch: str) -> list[Any]:
    """Every command of a batch (the devices service pages by 200)."""
    found: list[Any] = []
    page = 1
    while True:
        rows, total = commands.search(session, PageParams(page, 200), batch=batch)
        found += rows
        if not rows or len(found) >= total:
            return found
        page += 1


def outcome_of(played: int, total: int) -> str:
    """played / partial / failed from how many speakers played out of how many."""
    if total and played == total:
        return "played"
    return "partial" if played else "failed"


def zone_counts(row: Delivery, states: dict[int, SpeakerState]) -> dict[int, tuple[int, int]]:
    """Per zone: (speakers that played, speakers targeted)."""
    counts = {z: (0, 0) for z in row.zone_ids}
    for device_id, zones in row.speakers.items():
        played = states.get(int(device_id), SpeakerState("", "", 0)).status == "succeeded"
        for zone in zones:
            done, total = counts.get(zone, (0, 0))
            counts[zone] = (done + played, total + 1)
    return counts


# --- settling ---------------------------------------------------------------------------------


def settle(uow: UnitOfWork, settings: Settings, policy: DeliverySettings) -> int:
    """Retry or finish every delivery whose latest batch has all its answers; returns finished."""
    finished = 0
    for row in repo.open_deliveries(uow.session):
        states = speaker_states(uow.session, row)
        if any(s.status not in SPEAKER_STATUS for s in states.values()):
            continue  # answers are still coming; the devices sweeper expires the silent
        again = [int(i) for i, s in states.items() if s.status != "succeeded"]
        if again and row.attempts < row.max_attempts and row.stopped_at is None:
            _retry(uow, settings, policy, row, again)
            continue
        _finish(uow, row, states)
        finished += 1
    return finished


def _retry(
    uow: UnitOfWork, settings: Settings, policy: DeliverySettings, row: Delivery, ids: list[int]
) -> None:
    """Resend to the speakers that failed or did not answer (those still enabled)."""
    ann = service.get_announcement(uow.session, row.announcement_id)
    targets = [d for d in (devices.get_device(uow.session, i) for i in ids) if d.enabled]
    if not targets:
        row.max_attempts = row.attempts  # nobody left to ask: finish on the next pass
        return
    _dispatch(uow, settings, policy, row, ann, targets)
    _changed(uow, "delivery.retried", row, speakers=len(targets), attempt=row.attempts)


_SLOT_REASONS: Final = {
    "played": ("Every speaker in the zone played it.", "ลำโพงทุกตัวในเขตเล่นครบ"),
    "partial": ("Some speakers in the zone did not play it.", "ลำโพงบางตัวในเขตไม่ได้เล่น"),
    "failed": ("No speaker in the zone played it.", "ไม่มีลำโพงในเขตนี้เล่นประกาศ"),
}


def _finish(uow: UnitOfWork, row: Delivery, states: dict[int, SpeakerState]) -> None:
    """Record the outcome of the delivery and, for a schedule slot, of each zone."""
    counts = zone_counts(row, states)
    played = sum(1 for s in states.values() if s.status == "succeeded")
    stopped = row.stopped_at is not None
    row.outcome = "stopped" if stopped else outcome_of(played, len(row.speakers))
    row.status, row.finished_at = "done", utcnow()
    zone_outcomes = {z: outcome_of(*c) for z, c in counts.items()}
    if row.schedule_id is not None and row.slot_at is not None:
        per_zone = {z: _slot_outcome(row, o) for z, o in zone_outcomes.items()}
        scheduling.record_outcome(uow, row.schedule_id, row.slot_at, per_zone)
    # An operator's stop is a decision, not a fault of the speakers: nothing to flag.
    flagged = () if stopped else tuple(sorted(z for z, o in zone_outcomes.items() if o != "played"))
    _changed(uow, "delivery.finished", row, outcome=row.outcome, flagged=list(flagged))
    uow.emit(
        DeliveryFinished(
            delivery_id=row.id,
            announcement_id=row.announcement_id,
            outcome=row.outcome,
            flagged_zone_ids=flagged,
        )
    )


def _slot_outcome(row: Delivery, outcome: str) -> tuple[str, str, str]:
    """A zone's slot outcome with its reason in English and Thai; a stopped slot is cancelled."""
    if row.stopped_at is not None:
        who = row.stopped_by
        return "cancelled", f"Stopped by {who}."[:300], f"หยุดการกระจายเสียงโดย {who}"[:300]
    return (outcome, *_SLOT_REASONS[outcome])


def _changed(uow: UnitOfWork, action: str, row: Delivery, **extra: Any) -> None:
    detail = {"announcement_id": row.announcement_id, "priority": row.priority, **extra}
    uow.emit(
        RecordChanged(action=action, entity_type="delivery", entity_id=str(row.id), detail=detail)
    )
