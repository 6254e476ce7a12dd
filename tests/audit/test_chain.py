"""The audit chain: every write is recorded, and tampering is found."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.audit import service as audit
from smartcity.audit.models import AuditEntry
from smartcity.events import UnitOfWork
from tests.support import BACKEND


def _write_some(uow: UnitOfWork, n: int = 5) -> None:
    for i in range(n):
        accounts.create_agency(
            uow, AgencyIn(code=f"agency-{i}", name_th=f"หน่วยงาน {i}", kind="other")
        )
    uow.commit()


def _drop_guard(connection: Connection) -> None:
    """What an attacker with database rights would do first."""
    if BACKEND == "postgresql":
        connection.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
    else:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_writes_are_recorded_with_actor_and_chain_verifies(uow: UnitOfWork) -> None:
    _write_some(uow)
    rows = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [r.action for r in rows][-5:] == ["agency.created"] * 5
    assert rows[-1].actor_name == "test" and rows[-1].via == "system"
    assert rows[-1].prev_hash == rows[-2].hash
    report = audit.verify(uow.session)
    assert report.ok and report.checked == len(rows)


def test_database_refuses_update_and_delete(uow: UnitOfWork, connection: Connection) -> None:
    _write_some(uow, 1)
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text("UPDATE audit_log SET actor_name = 'mallory'"))
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text("DELETE FROM audit_log"))


def test_edited_row_is_found(uow: UnitOfWork, connection: Connection) -> None:
    _write_some(uow)
    target = uow.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()[2]
    _drop_guard(connection)
    connection.execute(
        text("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = :s"), {"s": target}
    )
    uow.session.expire_all()
    report = audit.verify(uow.session)
    assert not report.ok
    assert report.broken_seq == target
    assert "altered" in report.reason


def test_edit_with_recomputed_hash_breaks_the_next_link(
    uow: UnitOfWork, connection: Connection
) -> None:
    _write_some(uow)
    seqs = uow.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    _drop_guard(connection)
    entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.seq == seqs[1]))
    assert entry is not None
    entry.detail = '{"code":"forged"}'
    entry.hash = audit.entry_hash(entry)  # a careful forger fixes this row's hash...
    uow.session.flush()
    report = audit.verify(uow.session)
    assert not report.ok and report.broken_seq == seqs[2]  # ...but the next link still breaks


def test_deleted_rows_are_found(uow: UnitOfWork, connection: Connection) -> None:
    _write_some(uow)
    seqs = uow.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    _drop_guard(connection)
    connection.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": seqs[1]})
    uow.session.expire_all()
    report = audit.verify(uow.session)
    assert not report.ok and report.broken_seq == seqs[1] and "missing" in report.reason


def test_truncated_tail_is_found(uow: UnitOfWork, connection: Connection) -> None:
    _write_some(uow)
    last = uow.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())).first()
    _drop_guard(connection)
    connection.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    uow.session.expire_all()
    report = audit.verify(uow.session)
    assert not report.ok and "end" in report.reason


def test_rolled_back_write_leaves_no_audit_entry(uow: UnitOfWork) -> None:
    before = audit.verify(uow.session).checked
    accounts.create_agency(uow, AgencyIn(code="ghost", name_th="ผี", kind="other"))
    uow.rollback()
    assert audit.verify(uow.session).checked == before
    assert audit.verify(uow.session).ok


def test_search_filters_and_pages(uow: UnitOfWork) -> None:
    from smartcity.kit.pagination import PageParams

    _write_some(uow, 4)
    rows, total = audit.search(uow.session, PageParams(1, 3), q="agency.created")
    assert total == 4 and len(rows) == 3
    assert rows[0].seq > rows[1].seq  # newest first
    _, none = audit.search(uow.session, PageParams(), entity_type="camera")
    assert none == 0
