"""REST routes of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.audit import service
from smartcity.http import Paging, UoW
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/audit", tags=["audit"])
AuditReader = Annotated[Principal, Depends(require("audit.read"))]


class AuditEntryOut(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_user_id: int | None
    actor_name: str
    via: str
    ip: str
    action: str
    entity_type: str
    entity_id: str
    detail: str
    hash: str


class VerifyOut(BaseModel):
    """Result of checking the hash chain."""

    ok: bool
    checked: int
    broken_seq: int | None
    reason: str


@router.get("", summary="Search the audit log")
def search(
    uow: UoW,
    paging: Paging,
    _: AuditReader,
    q: str = "",
    entity_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEntryOut]:
    """Entries, newest first, filtered by text, entity type and time."""
    rows, total = service.search(
        uow.session, paging, q=q, entity_type=entity_type, since=since, until=until
    )
    items = [AuditEntryOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/verify", summary="Check the hash chain")
def verify(uow: UoW, _: AuditReader) -> VerifyOut:
    """Walk the whole chain and report the first broken link."""
    report = service.verify(uow.session)
    return VerifyOut(
        ok=report.ok, checked=report.checked, broken_seq=report.broken_seq, reason=report.reason
    )
