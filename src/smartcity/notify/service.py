"""Notify's public face: queue a message for its recipients, deliver what is due, read in-app.

In-app notifications are rows the user reads, so they are "delivered" in the sender's own
transaction. LINE and SMS deliveries are stored in that same transaction too (an outbox) and
sent by the sweeper, so a message is never lost when a provider is down and never sent for
work that was rolled back; failures are retried with exponential backoff.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from smartcity.accounts.permissions import ACTIONS, Principal
from smartcity.config import Settings
from smartcity.errors import NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams
from smartcity.notify import repository as repo
from smartcity.notify.channels import Channel, DeliveryFailed, configured_channels
from smartcity.notify.models import Delivery, Notification
from smartcity.notify.templates import outside_text, render

__all__ = [
    "Message",
    "active_banner",
    "deliver_due",
    "list_deliveries",
    "list_notifications",
    "mark_read",
    "send",
]


@dataclass
class Message:
    """One message from a template, to users in-app and to LINE ids and phone numbers."""

    template: str
    params: dict[str, Any]
    user_ids: list[int] = field(default_factory=list)
    audience: str = ""  # an action: everyone allowed it sees the in-app notification
    line_ids: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    link: str = ""


def send(uow: UnitOfWork, message: Message) -> list[Delivery]:
    """Store the in-app notifications and queue LINE/SMS deliveries (sent by the sweeper)."""
    title_th, title_en, body_th, body_en = render(message.template, message.params)
    targets: list[tuple[int | None, str]] = [(u, "") for u in dict.fromkeys(message.user_ids)]
    if message.audience:
        targets.append((None, message.audience))
    for user_id, audience in targets:
        repo.add(
            uow.session,
            Notification(
                user_id=user_id,
                audience=audience,
                template=message.template,
                title_th=title_th,
                title_en=title_en,
                body_th=body_th,
                body_en=body_en,
                link=message.link,
            ),
        )
    text = outside_text(message.template, message.params)
    queued = [_queue(uow, "line", r, message.template, text) for r in _clean(message.line_ids)]
    queued += [_queue(uow, "sms", r, message.template, text) for r in _clean(message.phones)]
    uow.emit(
        RecordChanged(
            action="notify.message.queued",
            entity_type="notify_message",
            entity_id=message.template,
            detail={"in_app": len(targets), "outside": [d.id for d in queued]},
        )
    )
    return queued


def _clean(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _queue(uow: UnitOfWork, channel: str, recipient: str, template: str, text: str) -> Delivery:
    now = utcnow()
    row = Delivery(
        channel=channel,
        recipient=recipient,
        template=template,
        text=text,
        reference=str(uuid.uuid4()),
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )
    repo.add(uow.session, row)
    return row


def deliver_due(
    uow: UnitOfWork,
    settings: Settings,
    now: datetime | None = None,
    channels: Mapping[str, Channel] | None = None,
) -> dict[str, int]:
    """Try every due delivery once (a sweep job); returns counts by resulting status."""
    now = now or utcnow()
    due = repo.due_deliveries(uow.session, now)
    if not due:
        return {}
    own = channels is None
    active = dict(configured_channels(settings)) if channels is None else dict(channels)
    counts: dict[str, int] = {}
    try:
        for delivery in due:
            _attempt(settings, active.get(delivery.channel), delivery, now)
            counts[delivery.status] = counts.get(delivery.status, 0) + 1
    finally:
        if own:
            for channel in active.values():
                channel.close()
    return counts


def _attempt(
    settings: Settings, channel: Channel | None, delivery: Delivery, now: datetime
) -> None:
    if channel is None:
        delivery.status, delivery.last_error = "skipped", "channel not configured"
        return
    delivery.attempts += 1
    try:
        channel.send(delivery.recipient, delivery.text, delivery.reference)
    except DeliveryFailed as exc:
        delivery.last_error = str(exc)[:300]
        if exc.temporary and delivery.attempts < settings.notify_max_attempts:
            delay = settings.notify_retry_seconds * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
        else:
            delivery.status = "failed"
        return
    delivery.status, delivery.sent_at, delivery.last_error = "sent", now, ""


def _actions(principal: Principal) -> list[str]:
    return [a for a in ACTIONS if principal.can(a)]


def list_notifications(
    session: Session, principal: Principal, params: PageParams, unread: bool = False
) -> tuple[list[Notification], int]:
    """The caller's notifications (their own and their roles'), newest first."""
    return repo.notifications_for(session, principal.user_id, _actions(principal), params, unread)


def mark_read(uow: UnitOfWork, principal: Principal, notification_id: int) -> Notification:
    """Mark a notification the caller sees as read."""
    row = repo.get_notification(uow.session, notification_id)
    visible = row is not None and (
        row.user_id == principal.user_id or (row.audience and principal.can(row.audience))
    )
    if row is None or not visible:
        raise NotFound(
            f"Notification {notification_id} does not exist.",
            f"ไม่พบการแจ้งเตือนหมายเลข {notification_id}",
        )
    if row.read_at is None:
        row.read_at = utcnow()
    return row


BANNER_TEMPLATE = "broadcast_announcement"
BANNER_HOURS = 6


def active_banner(session: Session, principal: Principal) -> Notification | None:
    """The public announcement to show at the top of pages: the newest of the last hours."""
    if not principal.can("broadcast.read"):
        return None
    since = utcnow() - timedelta(hours=BANNER_HOURS)
    return repo.newest_for_audience(session, "broadcast.read", BANNER_TEMPLATE, since)


def list_deliveries(
    session: Session, params: PageParams, status: str = ""
) -> tuple[list[Delivery], int]:
    """Delivery records for the operators' check on LINE and SMS."""
    return repo.deliveries(session, params, status)
