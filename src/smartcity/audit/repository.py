"""All SQL of the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from smartcity.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from smartcity.kit.pagination import PageParams, paginate


def advance_head(session: Session, count: int = 1) -> tuple[int, str]:
    """Take ``count`` sequence numbers: the last one and the hash before the first.

    Locks the head row until the transaction ends.
    """
    row = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    if row is None:  # a database created without the migration's seed row
        session.add(AuditHead(id=1, seq=count, hash=GENESIS_HASH))
        session.flush()
        return count, GENESIS_HASH
    return int(row[0]), str(row[1])


def set_head_hash(session: Session, value: str) -> None:
    """Record the hash of the chain's new tip."""
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=value))


def head(session: Session) -> AuditHead | None:
    """The chain's tip."""
    return session.get(AuditHead, 1)


def iter_entries(session: Session, batch: int = 2000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, fetched in batches."""
    last = 0
    while True:
        stmt = select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        rows = list(session.scalars(stmt))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def search(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    entity_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEntry], int]:
    """Entries matching the filters, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                AuditEntry.action.ilike(like),
                AuditEntry.actor_name.ilike(like),
                AuditEntry.entity_id == q,
                AuditEntry.detail.ilike(like),
            )
        )
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return paginate(session, stmt, params)


def entity_types(session: Session) -> list[str]:
    """Distinct entity types present, for the filter list."""
    return list(session.scalars(select(AuditEntry.entity_type).distinct().order_by(text("1"))))
