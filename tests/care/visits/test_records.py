"""Visit records: encryption at rest, audited reads, abnormal vitals, idempotency, consent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, text

from smartcity.accounts import service as accounts
from smartcity.audit.models import AuditEntry
from smartcity.care.visits import service as visits
from smartcity.care.visits.events import VisitVitalsAbnormal
from smartcity.care.visits.schemas import ThresholdIn, VisitIn
from smartcity.config import Settings
from smartcity.errors import Conflict, InvalidInput
from smartcity.events import UnitOfWork
from smartcity.kit.pagination import PageParams
from smartcity.notify import service as notify
from tests.care.visits.conftest import EVERYTHING, MakeCared
from tests.conftest import MakeUser


def _principal(make_user: MakeUser) -> Any:
    return accounts.principal_for(make_user("health_worker"))


def _visit(person_id: int, **vitals: float) -> VisitIn:
    return VisitIn.model_validate(
        {"person_id": person_id, "vitals": vitals, "notes": "แผลกดทับที่สะโพกซ้าย"}
    )


def test_vitals_and_notes_are_encrypted_at_rest(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser
) -> None:
    person = make_cared()
    out, created = visits.record_visit(
        uow, settings, _principal(make_user), str(uuid.uuid4()), _visit(person.id, sbp=143.5)
    )
    assert created
    raw = uow.session.execute(
        text("SELECT vitals_enc, notes_enc FROM care_visit_records WHERE id = :id"), {"id": out.id}
    ).one()
    blob = bytes(raw[0]) + bytes(raw[1])
    assert b"143.5" not in blob
    assert "แผลกดทับ".encode() not in blob
    assert out.vitals is None  # the write answer never carries health data back


def test_reading_a_visit_is_audited(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser
) -> None:
    person = make_cared()
    out, _ = visits.record_visit(
        uow, settings, _principal(make_user), str(uuid.uuid4()), _visit(person.id, pulse=80)
    )
    opened = visits.read_visit(uow, settings, EVERYTHING, out.id)
    assert opened.vitals is not None and opened.vitals.pulse == 80
    assert opened.notes == "แผลกดทับที่สะโพกซ้าย"
    listed = visits.person_visits(uow, settings, EVERYTHING, person.id)
    assert [v.id for v in listed] == [out.id]
    actions = uow.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.like("care.visit.%"))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == ["care.visit.recorded", "care.visit.read", "care.visit.read"]


def test_abnormal_vitals_raise_the_event_and_thresholds_are_data(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser
) -> None:
    person = make_cared()
    seen: list[VisitVitalsAbnormal] = []
    uow.bus.subscribe(VisitVitalsAbnormal, lambda _u, e: seen.append(e), "in_transaction")
    worker = _principal(make_user)
    normal = _visit(person.id, sbp=130, spo2=97, temperature=36.8, glucose=110)
    out, _ = visits.record_visit(uow, settings, worker, str(uuid.uuid4()), normal)
    assert not out.abnormal and seen == []
    bad = _visit(person.id, sbp=185, spo2=90, temperature=38.5, glucose=65, pulse=80)
    out, _ = visits.record_visit(uow, settings, worker, str(uuid.uuid4()), bad)
    assert out.abnormal
    assert seen[-1].visit_id == out.id
    assert set(seen[-1].metrics) == {"sbp", "spo2", "temperature", "glucose"}
    # The care manager moves the SBP line; 185 is no longer abnormal, 90 on the low side is.
    visits.set_threshold(uow, "sbp", ThresholdIn(alert_low=90, alert_high=200))
    out, _ = visits.record_visit(
        uow, settings, worker, str(uuid.uuid4()), _visit(person.id, sbp=185)
    )
    assert not out.abnormal
    out, _ = visits.record_visit(
        uow, settings, worker, str(uuid.uuid4()), _visit(person.id, sbp=90)
    )
    assert out.abnormal and seen[-1].metrics == ("sbp",)


def test_same_key_gives_the_same_visit_and_closes_the_task_once(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser
) -> None:
    person = make_cared()
    worker = _principal(make_user)
    visits.generate_tasks(uow)
    task = visits.overdue_list(uow.session, EVERYTHING)  # nothing overdue yet
    assert task == []
    day = visits.worker_day(uow.session, worker.user_id)
    task_id = day.stops[0].task_id
    key = str(uuid.uuid4())
    body = VisitIn.model_validate({"task_id": task_id, "vitals": {"weight": 51.2}})
    first, created = visits.record_visit(uow, settings, worker, key, body)
    again, created_again = visits.record_visit(uow, settings, worker, key, body)
    assert (created, created_again) == (True, False)
    assert first.id == again.id
    count = uow.session.scalar(text("SELECT count(*) FROM care_visit_records"))
    assert count == 1
    # The task is done and the next one is planned a week on (bed-bound rhythm).
    states = uow.session.execute(
        text("SELECT status FROM care_visit_tasks WHERE person_id = :p ORDER BY id"),
        {"p": person.id},
    ).scalars()
    assert list(states) == ["done", "open"]
    other = VisitIn.model_validate({"task_id": task_id, "vitals": {"weight": 60}})
    with pytest.raises(Conflict):
        visits.record_visit(uow, settings, worker, key, other)


@pytest.mark.parametrize("key", [None, "", "short", "x" * 40, "g" * 32])
def test_bad_keys_are_refused(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser, key: Any
) -> None:
    person = make_cared()
    with pytest.raises(InvalidInput):
        visits.record_visit(uow, settings, _principal(make_user), key, _visit(person.id))


def test_no_visit_without_care_consent(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser
) -> None:
    from smartcity.care.errors import ConsentRequired

    person = make_cared(consent=False)
    with pytest.raises(ConsentRequired):
        visits.record_visit(
            uow, settings, _principal(make_user), str(uuid.uuid4()), _visit(person.id)
        )


def test_abnormal_vitals_notify_care_managers_without_values(
    uow: UnitOfWork, settings: Settings, make_cared: MakeCared, make_user: MakeUser
) -> None:
    person = make_cared()
    manager = make_user("care_manager")
    bad = _visit(person.id, sbp=185, spo2=90)
    visits.record_visit(uow, settings, _principal(make_user), str(uuid.uuid4()), bad)
    uow.commit()
    notes, total = notify.list_notifications(
        uow.session, accounts.principal_for(manager), PageParams()
    )
    assert total == 1
    assert notes[0].link == f"/care/people/{person.id}"
    assert "sbp" in notes[0].body_en and "185" not in notes[0].body_en + notes[0].body_th
