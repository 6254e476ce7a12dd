"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smartcity.audit import repository as repo
from smartcity.audit.models import GENESIS_HASH, AuditEntry
from smartcity.events import Actor, AuditedEvent
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams


def canonical(detail: dict[str, Any]) -> str:
    """Stable JSON text for hashing."""
    return json.dumps(
        detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the previous hash and every field of the entry."""
    parts = [
        entry.prev_hash,
        str(entry.seq),
        entry.at.isoformat(),
        str(entry.actor_user_id or ""),
        entry.actor_name,
        entry.via,
        entry.ip,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.detail,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def append(session: Session, actor: Actor, event: AuditedEvent) -> AuditEntry:
    """Add one entry at the tip of the chain, inside the caller's transaction."""
    seq, prev = repo.advance_head(session)
    entry = AuditEntry(
        seq=seq,
        at=utcnow(),
        actor_user_id=actor.user_id,
        actor_name=actor.username[:80],
        via=actor.via[:20],
        ip=(actor.ip or "")[:64],
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id[:80],
        detail=canonical(event.detail),
        prev_hash=prev,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    repo.set_head_hash(session, entry.hash)
    return entry


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of checking the chain."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(session: Session) -> VerifyReport:
    """Walk the chain and report the first entry that was edited, removed or re-ordered."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in repo.iter_entries(session):
        if entry.seq != expected_seq:
            return VerifyReport(False, checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return VerifyReport(False, checked, entry.seq, "link to the previous entry is broken")
        if entry_hash(entry) != entry.hash:
            return VerifyReport(False, checked, entry.seq, "entry was altered after it was written")
        expected_prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    tip = repo.head(session)
    if tip is not None and (tip.seq != checked or tip.hash != expected_prev):
        return VerifyReport(False, checked, checked + 1, "entries at the end were removed")
    return VerifyReport(True, checked)


def search(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    entity_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEntry], int]:
    """Audit entries matching the filters, newest first."""
    return repo.search(
        session, params, q=q.strip(), entity_type=entity_type, since=since, until=until
    )


def entity_types(session: Session) -> list[str]:
    """Entity types present in the log."""
    return repo.entity_types(session)
