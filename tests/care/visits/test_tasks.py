"""Task generation (idempotent), assignment by zone and load, overdue counts, worker's day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from smartcity.care.visits import service as visits
from smartcity.care.visits.models import VisitTask
from smartcity.care.visits.schemas import PlanIn
from smartcity.events import UnitOfWork
from tests.care.support import MARKET, WEST
from tests.care.visits.conftest import EVERYTHING, MakeCared, zone_of
from tests.conftest import MakeUser


def _tasks(uow: UnitOfWork) -> list[VisitTask]:
    return list(uow.session.scalars(select(VisitTask).order_by(VisitTask.id)))


def test_generation_creates_one_task_per_person_and_none_on_rerun(
    uow: UnitOfWork, make_cared: MakeCared
) -> None:
    people = [make_cared(group=g) for g in ("bedbound", "homebound", "social")]
    first = visits.generate_tasks(uow)
    again = visits.generate_tasks(uow)
    assert first.created == 3
    assert again.created == 0
    rows = _tasks(uow)
    assert sorted(t.person_id for t in rows) == sorted(p.id for p in people)
    assert all(t.status == "open" for t in rows)


def test_no_task_without_care_consent_or_group(uow: UnitOfWork, make_cared: MakeCared) -> None:
    make_cared(consent=False)
    make_cared(group=None)
    assert visits.generate_tasks(uow).created == 0


def test_plan_override_and_group_rhythm_set_the_next_due_day(
    uow: UnitOfWork, make_cared: MakeCared, make_user: MakeUser
) -> None:
    person = make_cared(group="homebound")
    visits.set_frequency(uow, "homebound", 10)
    day = date(2026, 1, 1)
    visits.generate_tasks(uow, on=day)
    task = _tasks(uow)[0]
    assert task.due_on == day
    # Once visited, the next task follows the plan's own rhythm.
    visits.set_plan(uow, EVERYTHING, person.id, PlanIn(every_days=3))
    assert visits.get_plan(uow.session, EVERYTHING, person.id).effective_every_days == 3
    task.status = "done"
    from smartcity.care.visits.models import VisitRecord
    from smartcity.kit.clock import utcnow

    uow.session.add(
        VisitRecord(
            idempotency_key="k" * 32, body_hash="x", person_id=person.id, visited_at=utcnow()
        )
    )
    uow.session.flush()
    visits.generate_tasks(uow)
    newest = _tasks(uow)[-1]
    assert newest.status == "open"
    assert (newest.due_on - date.today()).days in (2, 3, 4)  # local date vs UTC date


def test_assignment_by_zone_and_load(
    uow: UnitOfWork, make_cared: MakeCared, make_user: MakeUser
) -> None:
    market = [make_cared(at=MARKET) for _ in range(4)]
    west = make_cared(at=WEST)
    zone_market, zone_west = zone_of(uow, market[0]), zone_of(uow, west)
    assert zone_market != zone_west
    a = make_user("health_worker", [zone_market])
    b = make_user("health_worker", [zone_market])
    c = make_user("health_worker", [zone_west])
    make_user("care_manager")  # not a health worker: never assigned
    report = visits.generate_tasks(uow)
    assert report.assigned == 5
    by_worker: dict[int | None, int] = {}
    for t in _tasks(uow):
        by_worker[t.worker_id] = by_worker.get(t.worker_id, 0) + 1
        if t.person_id == west.id:
            assert t.worker_id == c.id
        else:
            assert t.worker_id in (a.id, b.id)
    assert by_worker[a.id] == by_worker[b.id] == 2


def test_unassigned_when_no_worker_covers_the_zone(
    uow: UnitOfWork, make_cared: MakeCared, make_user: MakeUser
) -> None:
    west = make_cared(at=WEST)
    make_user("health_worker", [zone_of(uow, west) + 999])
    report = visits.generate_tasks(uow)
    assert (report.created, report.unassigned) == (1, 1)


def test_overdue_counts_by_zone_and_worker(
    uow: UnitOfWork, make_cared: MakeCared, make_user: MakeUser
) -> None:
    people = [make_cared(at=MARKET), make_cared(at=MARKET), make_cared(at=WEST)]
    worker = make_user("health_worker")
    today = date.today()
    visits.generate_tasks(uow, on=today - timedelta(days=3))
    rows = _tasks(uow)
    rows[0].due_on = today + timedelta(days=1)  # not yet due
    uow.session.flush()
    report = visits.overdue(uow.session, EVERYTHING, on=today)
    assert report.total == 2
    assert {r.key: r.count for r in report.by_worker} == {worker.id: 2}
    zones = {r.key: r.count for r in report.by_zone}
    assert zones == {zone_of(uow, people[1]): 1, zone_of(uow, people[2]): 1}
    listed = visits.overdue_list(uow.session, EVERYTHING, on=today)
    assert [t.overdue_days for t in listed] == [3, 3]
    # A zone-scoped reader sees only their zone's overdue tasks.
    from smartcity.care.access import Access

    scoped = Access(read_zones=frozenset({zone_of(uow, people[2])}), sensitive_zones=None)
    assert visits.overdue(uow.session, scoped, on=today).total == 1


def test_worker_day_is_routed_from_the_start(
    uow: UnitOfWork, make_cared: MakeCared, make_user: MakeUser
) -> None:
    worker = make_user("health_worker")
    far, near = make_cared(at=WEST), make_cared(at=MARKET)
    visits.generate_tasks(uow)
    day = visits.worker_day(uow.session, worker.id, start=MARKET)
    assert [s.person_id for s in day.stops] == [near.id, far.id]
    assert [s.order for s in day.stops] == [1, 2]
    assert (
        day.length_m == sum(s.leg_m for s in day.stops)
        or abs(day.length_m - sum(s.leg_m for s in day.stops)) < 1.0
    )
    count = uow.session.scalar(select(func.count()).select_from(VisitTask))
    assert count == 2
