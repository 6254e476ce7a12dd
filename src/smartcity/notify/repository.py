"""All SQL of the notify domain."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from smartcity.kit.pagination import PageParams, paginate
from smartcity.notify.models import Delivery, Notification


def add(session: Session, row: Any) -> None:
    """Stage a new row and give it its id."""
    session.add(row)
    session.flush()


def _visible(user_id: int, actions: Collection[str]) -> Any:
    return or_(Notification.user_id == user_id, Notification.audience.in_(list(actions)))


def notifications_for(
    session: Session, user_id: int, actions: Collection[str], params: PageParams, unread: bool
) -> tuple[list[Notification], int]:
    """One page of the notifications a user sees, newest first."""
    stmt: Select[Any] = select(Notification).where(_visible(user_id, actions))
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(session, stmt.order_by(Notification.id.desc()), params)


def get_notification(session: Session, notification_id: int) -> Notification | None:
    """One notification."""
    return session.get(Notification, notification_id)


def due_deliveries(session: Session, now: datetime, limit: int = 100) -> list[Delivery]:
    """Pending deliveries whose next attempt is due, locked against a second sweeper."""
    stmt = (
        select(Delivery)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


def deliveries(
    session: Session, params: PageParams, status: str = ""
) -> tuple[list[Delivery], int]:
    """One page of delivery records, newest first."""
    stmt: Select[Any] = select(Delivery)
    if status:
        stmt = stmt.where(Delivery.status == status)
    return paginate(session, stmt.order_by(Delivery.id.desc()), params)


def newest_for_audience(
    session: Session, audience: str, template: str, since: datetime
) -> Notification | None:
    """The newest notification of a template for an audience, if any since a time."""
    stmt = (
        select(Notification)
        .where(
            Notification.audience == audience,
            Notification.template == template,
            Notification.created_at >= since,
        )
        .order_by(Notification.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
