"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

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


# Entries wait in the session until its transaction commits, then go in together: one
# UPDATE ... RETURNING of the head row takes their numbers and locks it, one INSERT adds them,
# one UPDATE records the new tip, and the lock is held only for the commit (ADR 0022). Every
# writer passes through that row, so holding it from a transaction's first entry to its end
# made concurrent writers wait for each other's whole transaction.
_PENDING = "audit.pending"
_SAVED = "audit.pending_at_savepoint"


def append(session: Session, actor: Actor, event: AuditedEvent) -> AuditEntry:
    """Add one entry to the chain; it is written when the caller's transaction commits."""
    entry = AuditEntry(
        at=utcnow(),
        actor_user_id=actor.user_id,
        actor_name=actor.username[:80],
        via=actor.via[:20],
        ip=(actor.ip or "")[:64],
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id[:80],
        detail=canonical(event.detail),
    )
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


def write_pending(session: Session) -> None:
    """Chain and store the entries this transaction appended so far (at commit, or to read)."""
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return
    last, prev = repo.advance_head(session, len(pending))
    for seq, entry in enumerate(pending, start=last - len(pending) + 1):
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry_hash(entry)
    session.add_all(pending)
    repo.set_head_hash(session, prev)
    session.info.pop(_SAVED, None)  # nothing is pending now for a savepoint to take back


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's commit is not the end
        write_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _before_audit_read(state: ORMExecuteState) -> None:
    # A read of the log in the same transaction sees its own entries (outside savepoints,
    # whose rollback could otherwise take back entries that were already numbered).
    session = state.session
    if not state.is_select or not session.info.get(_PENDING):
        return
    if session.in_nested_transaction():
        return
    if any(mapper.class_ is AuditEntry for mapper in state.all_mappers):
        write_pending(session)


@event.listens_for(Session, "after_transaction_create")
def _remember_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        count = len(session.info.get(_PENDING, []))
        session.info.setdefault(_SAVED, {})[transaction] = count


@event.listens_for(Session, "after_soft_rollback")
def _take_back(session: Session, previous: SessionTransaction) -> None:
    # What was audited inside a savepoint that rolled back did not happen.
    saved = session.info.get(_SAVED, {})
    if previous.nested and previous in saved:
        del session.info.get(_PENDING, [])[saved.pop(previous) :]


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    # Savepoints that committed stay remembered until here: their end event comes before the
    # rollback event of one that did not, so it cannot tell the two apart.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_SAVED, None)


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of checking the chain."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(session: Session) -> VerifyReport:
    """Walk the chain and report the first entry that was edited, removed or re-ordered."""
    write_pending(session)
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
