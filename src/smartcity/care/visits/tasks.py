"""Visit tasks: generated from the care plans, assigned by zone and load, routed, overdue.

Generation is idempotent: a person with an open task gets no other, so the sweep job and the
API trigger can run as often as they like. A task's due day follows the person's last visit
(or today, for somebody never visited) plus their rhythm.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy.orm import Session

from smartcity.accounts import service as accounts
from smartcity.accounts.permissions import Principal
from smartcity.care.access import Access
from smartcity.care.views import address_th, display_name, today
from smartcity.care.visits import plans, routing
from smartcity.care.visits import repository as repo
from smartcity.care.visits.models import VisitTask
from smartcity.care.visits.schemas import (
    DayOut,
    GenerateOut,
    OverdueOut,
    OverdueRow,
    StopOut,
    TaskOut,
)
from smartcity.errors import NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.thai import to_local

WORKER_ROLE: Final = "health_worker"
# Where a day starts when the phone sends no position and no site is loaded: Phichit town hall area.
FALLBACK_START: Final = (16.443, 100.347)


@dataclass
class _Assigner:
    """Picks the least-loaded health worker whose zones cover a task."""

    workers: list[Principal]
    load: Counter[int]

    def pick(self, zone_id: int | None, preferred: int | None) -> int | None:
        if preferred is not None:
            self.load[preferred] += 1
            return preferred
        fit = [w.user_id for w in self.workers if _covers(w, zone_id)]
        if not fit:
            return None
        chosen = min(fit, key=lambda uid: (self.load[uid], uid))
        self.load[chosen] += 1
        return chosen


def _covers(worker: Principal, zone_id: int | None) -> bool:
    """A worker covers a zone when a health-worker grant is unscoped or names it."""
    for grant in worker.grants:
        if grant.role == WORKER_ROLE and (not grant.zone_ids or zone_id in grant.zone_ids):
            return True
    return False


def generate(uow: UnitOfWork, on: date | None = None, person_id: int | None = None) -> GenerateOut:
    """Create the next task for everyone due one and without an open task; assign each."""
    session, day = uow.session, on or today()
    rhythm = plans.rhythms(session)
    busy = repo.open_task_people(session)
    last = repo.last_visits(session)
    assigner = _Assigner(
        accounts.users_with_role(session, WORKER_ROLE), Counter(repo.open_load(session))
    )
    created = assigned = 0
    for pid, group, zone_id, own_days, preferred in repo.candidates(session, utcnow(), person_id):
        every = own_days or rhythm.get(group or "")
        if pid in busy or every is None:
            continue
        seen = last.get(pid)
        due = to_local(seen).date() + timedelta(days=every) if seen else day
        worker = assigner.pick(zone_id, preferred)
        repo.add(session, VisitTask(person_id=pid, due_on=due, zone_id=zone_id, worker_id=worker))
        created += 1
        assigned += worker is not None
    if created:
        detail = {"created": created, "assigned": assigned, "on": day.isoformat()}
        uow.emit(
            RecordChanged(
                action="care.visit_tasks.generated",
                entity_type="care_visit_task",
                entity_id="*",
                detail=detail,
            )
        )
    return GenerateOut(created=created, assigned=assigned, unassigned=created - assigned)


def task_out(task: VisitTask, on: date | None = None) -> TaskOut:
    """A task's API shape."""
    late = max(0, ((on or today()) - task.due_on).days) if task.status == "open" else 0
    return TaskOut(
        id=task.id,
        person_id=task.person_id,
        due_on=task.due_on,
        zone_id=task.zone_id,
        worker_id=task.worker_id,
        status=task.status,
        overdue_days=late,
    )


def get_task(session: Session, access: Access, task_id: int) -> VisitTask:
    """A task in the caller's zones, or NotFound."""
    task = repo.get_task(session, task_id)
    if task is None or not access.can_read(task.zone_id):
        raise NotFound(f"Visit task {task_id} does not exist.", f"ไม่พบงานเยี่ยมบ้านหมายเลข {task_id}")
    return task


def overdue(session: Session, access: Access, on: date | None = None) -> OverdueOut:
    """Overdue open tasks in the caller's zones, counted by zone and by worker."""
    rows = repo.overdue_tasks(session, on or today(), access.read_zones)
    by_zone = Counter(t.zone_id for t in rows)
    by_worker = Counter(t.worker_id for t in rows)
    return OverdueOut(
        total=len(rows),
        by_zone=[OverdueRow(key=k, count=n) for k, n in _sorted(by_zone)],
        by_worker=[OverdueRow(key=k, count=n) for k, n in _sorted(by_worker)],
    )


def overdue_list(session: Session, access: Access, on: date | None = None) -> list[TaskOut]:
    """The overdue tasks themselves, oldest first."""
    day = on or today()
    return [task_out(t, day) for t in repo.overdue_tasks(session, day, access.read_zones)]


def _sorted(counts: Counter[int | None]) -> list[tuple[int | None, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or 0))


def worker_day(
    session: Session,
    worker_id: int,
    start: tuple[float, float] | None = None,
    on: date | None = None,
) -> DayOut:
    """A worker's open tasks due by ``on``, in route order from ``start``."""
    day = on or today()
    origin = start or _site_centre(session)
    placed: list[StopOut] = []
    unplaced: list[StopOut] = []
    for task, person, household in repo.worker_day(session, worker_id, day):
        stop = StopOut(
            order=0,
            task_id=task.id,
            person_id=person.id,
            name=display_name(person),
            address=address_th(household),
            lat=household.lat,
            lon=household.lon,
            due_on=task.due_on,
            overdue_days=max(0, (day - task.due_on).days),
            leg_m=0.0,
        )
        (placed if household.lat is not None and household.lon is not None else unplaced).append(
            stop
        )
    order, length = routing.plan_route(origin, [(s.lat or 0.0, s.lon or 0.0) for s in placed])
    stops, here = [], origin
    for n, i in enumerate(order, start=1):
        stop = placed[i]
        point = (stop.lat or 0.0, stop.lon or 0.0)
        stops.append(
            stop.model_copy(
                update={"order": n, "leg_m": round(routing.haversine_m(here, point), 1)}
            )
        )
        here = point
    return DayOut(
        worker_id=worker_id, start=origin, length_m=round(length, 1), stops=stops, unplaced=unplaced
    )


def _site_centre(session: Session) -> tuple[float, float]:
    site = geo.get_site(session)
    return (site.center_lat, site.center_lon) if site else FALLBACK_START
