"""All SQL of announcement deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from smartcity.broadcast.models import Delivery
from smartcity.kit.pagination import PageParams, paginate


def get(session: Session, delivery_id: int) -> Delivery | None:
    """A delivery by id."""
    return session.get(Delivery, delivery_id)


def for_slot(session: Session, schedule_id: int, slot_at: datetime) -> Delivery | None:
    """The delivery of one schedule slot, if it was sent."""
    stmt = select(Delivery).where(Delivery.schedule_id == schedule_id, Delivery.slot_at == slot_at)
    return session.scalar(stmt)


def open_deliveries(session: Session, limit: int = 500) -> list[Delivery]:
    """Deliveries still waiting for their speakers' answers, oldest first."""
    stmt = select(Delivery).where(Delivery.status == "sending").order_by(Delivery.id)
    return list(session.scalars(stmt.limit(limit)))


def finished_since(session: Session, since: datetime) -> list[Delivery]:
    """Deliveries finished after ``since``."""
    stmt = select(Delivery).where(Delivery.status == "done", Delivery.finished_at >= since)
    return list(session.scalars(stmt.order_by(Delivery.id)))


def search(
    session: Session, params: PageParams, *, announcement_id: int | None, status: str
) -> tuple[list[Delivery], int]:
    """One page of deliveries, newest first."""
    stmt: Select[Any] = select(Delivery)
    if announcement_id is not None:
        stmt = stmt.where(Delivery.announcement_id == announcement_id)
    if status:
        stmt = stmt.where(Delivery.status == status)
    return paginate(session, stmt.order_by(Delivery.id.desc()), params)
