"""REST routes of the notify domain."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.http import Paging, UoW
from smartcity.kit.pagination import Page
from smartcity.notify import service
from smartcity.notify.schemas import DeliveryOut, NotificationOut

router = APIRouter(tags=["notify"])
Reader = Annotated[Principal, Depends(require("notify.read"))]
Dispatcher = Annotated[Principal, Depends(require("incidents.dispatch"))]


@router.get("/api/notifications", response_model=Page[NotificationOut])
def list_notifications(
    uow: UoW, principal: Reader, paging: Paging, unread: bool = False
) -> Page[NotificationOut]:
    """The caller's in-app notifications, newest first."""
    rows, total = service.list_notifications(uow.session, principal, paging, unread)
    items = [NotificationOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/api/notifications/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: int, uow: UoW, principal: Reader) -> NotificationOut:
    """Mark one notification read."""
    return NotificationOut.model_validate(service.mark_read(uow, principal, notification_id))


@router.get("/api/notify/deliveries", response_model=Page[DeliveryOut])
def list_deliveries(
    uow: UoW,
    principal: Dispatcher,
    paging: Paging,
    status: Literal["pending", "sent", "failed", "skipped"] | None = None,
) -> Page[DeliveryOut]:
    """LINE and SMS delivery records, for checking that messages went out."""
    rows, total = service.list_deliveries(uow.session, paging, status or "")
    items = [DeliveryOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)
