"""API shapes of the notify domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NotificationOut(BaseModel):
    """An in-app notification."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    template: str
    title_th: str
    title_en: str
    body_th: str
    body_en: str
    link: str
    created_at: datetime
    read_at: datetime | None


class DeliveryOut(BaseModel):
    """A LINE or SMS delivery record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    recipient: str
    template: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
