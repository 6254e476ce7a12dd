"""The audit chain: every write is recorded, and tampering is found."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.audit import service as audit
from smartcity.audit.models import AuditEntry, AuditHead
from smartcity.events import UnitOfWork
from tests.support import BACKEND


def _write_some(uow: UnitOfWork, n: int = 5, prefix: str = "agency") -> None:
    for i in range(n):
        accounts.create_agency(
            uow, AgencyIn(code=f"{prefix}-{i}", name_th=f"หน่วยงาน {i}", kind="other")
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


def test_entries_of_one_transaction_chain_on_and_move_the_head_once_at_commit(
    uow: UnitOfWork,
) -> None:
    before = audit.verify(uow.session).checked
    _write_some(uow, 3)  # three entries, one commit
    head = uow.session.get(AuditHead, 1)
    assert head is not None
    uow.session.refresh(head)
    last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None and last.seq == before + 3
    assert (head.seq, head.hash) == (last.seq, last.hash)
    # The next transaction of the same session starts from the stored head.
    _write_some(uow, 2, prefix="later")
    report = audit.verify(uow.session)
    assert report.ok and report.checked == before + 5


def test_write_in_a_savepoint_that_rolls_back_leaves_the_chain_whole(uow: UnitOfWork) -> None:
    before = audit.verify(uow.session).checked
    accounts.create_agency(uow, AgencyIn(code="kept-1", name_th="เก็บ 1", kind="other"))
    with pytest.raises(RuntimeError), uow.session.begin_nested():
        accounts.create_agency(uow, AgencyIn(code="undone", name_th="ยกเลิก", kind="other"))
        raise RuntimeError("the savepoint rolls back")
    accounts.create_agency(uow, AgencyIn(code="kept-2", name_th="เก็บ 2", kind="other"))
    uow.commit()
    rows = uow.session.scalars(select(AuditEntry).where(AuditEntry.seq > before)).all()
    assert [r.seq for r in rows] == [before + 1, before + 2]
    assert "undone" not in " ".join(r.detail for r in rows)
    report = audit.verify(uow.session)
    assert report.ok and report.checked == before + 2


def test_a_read_of_the_log_sees_the_entries_of_its_own_open_transaction(uow: UnitOfWork) -> None:
    before = audit.verify(uow.session).checked
    accounts.create_agency(uow, AgencyIn(code="seen", name_th="เห็น", kind="other"))
    mine = uow.session.scalars(select(AuditEntry).where(AuditEntry.seq > before)).all()
    assert [e.action for e in mine] == ["agency.created"]
    accounts.create_agency(uow, AgencyIn(code="seen-2", name_th="เห็น 2", kind="other"))
    uow.commit()  # the second entry goes in at commit, chained to the first
    report = audit.verify(uow.session)
    assert report.ok and report.checked == before + 2


def test_search_filters_and_pages(uow: UnitOfWork) -> None:
    from smartcity.kit.pagination import PageParams

    _write_some(uow, 4)
    rows, total = audit.search(uow.session, PageParams(1, 3), q="agency.created")
    assert total == 4 and len(rows) == 3
    assert rows[0].seq > rows[1].seq  # newest first
    _, none = audit.search(uow.session, PageParams(), entity_type="camera")
    assert none == 0
