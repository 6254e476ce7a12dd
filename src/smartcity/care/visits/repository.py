"""All SQL of care plans and visits (the care registry's tables are this domain's own)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from smartcity.care.models import Consent, Household, Person
from smartcity.care.visits.models import (
    CarePlan,
    VisitFrequency,
    VisitRecord,
    VisitTask,
    VisitThreshold,
)


def add(session: Session, row: object) -> None:
    """Add a row and flush so it has its id."""
    session.add(row)
    session.flush()


def frequencies(session: Session) -> dict[str, int]:
    """Stored visit rhythms by ADL group."""
    return {r.adl_group: r.every_days for r in session.scalars(select(VisitFrequency))}


def get_frequency(session: Session, group: str) -> VisitFrequency | None:
    """One group's stored rhythm."""
    return session.get(VisitFrequency, group)


def thresholds(session: Session) -> dict[str, VisitThreshold]:
    """Stored thresholds by metric."""
    return {r.metric: r for r in session.scalars(select(VisitThreshold))}


def get_threshold(session: Session, metric: str) -> VisitThreshold | None:
    """One metric's stored thresholds."""
    return session.get(VisitThreshold, metric)


def get_plan(session: Session, person_id: int) -> CarePlan | None:
    """A person's plan."""
    return session.scalar(select(CarePlan).where(CarePlan.person_id == person_id))


def candidates(
    session: Session, now: datetime, person_id: int | None = None
) -> list[Row[int, str | None, int | None, int | None, int | None]]:
    """People who may get visit tasks: care consent in force, with group, plan and zone."""
    consent = (
        select(Consent.id)
        .where(
            Consent.person_id == Person.id,
            Consent.purpose == "care",
            Consent.given_at <= now,
            Consent.withdrawn_at.is_(None),
        )
        .exists()
    )
    stmt = (
        select(
            Person.id, Person.adl_group, Household.zone_id, CarePlan.every_days, CarePlan.worker_id
        )
        .join(Household, Household.id == Person.household_id)
        .outerjoin(CarePlan, CarePlan.person_id == Person.id)
        .where(consent)
        .order_by(Person.id)
    )
    if person_id is not None:
        stmt = stmt.where(Person.id == person_id)
    return list(session.execute(stmt))


def open_task_people(session: Session) -> set[int]:
    """People who already have an open task."""
    return set(session.scalars(select(VisitTask.person_id).where(VisitTask.status == "open")))


def last_visits(session: Session) -> dict[int, datetime]:
    """Each person's latest visit time."""
    stmt = select(VisitRecord.person_id, func.max(VisitRecord.visited_at)).group_by(
        VisitRecord.person_id
    )
    return {pid: at for pid, at in session.execute(stmt)}


def open_load(session: Session) -> dict[int, int]:
    """Open tasks per assigned worker."""
    stmt = (
        select(VisitTask.worker_id, func.count())
        .where(VisitTask.status == "open", VisitTask.worker_id.is_not(None))
        .group_by(VisitTask.worker_id)
    )
    return {int(w or 0): int(n) for w, n in session.execute(stmt)}


def get_task(session: Session, task_id: int) -> VisitTask | None:
    """A task by id."""
    return session.get(VisitTask, task_id)


def open_task_of(session: Session, person_id: int) -> VisitTask | None:
    """A person's open task, if any."""
    stmt = select(VisitTask).where(VisitTask.person_id == person_id, VisitTask.status == "open")
    return session.scalars(stmt.order_by(VisitTask.due_on)).first()


def worker_day(
    session: Session, worker_id: int, day: date
) -> list[Row[VisitTask, Person, Household]]:
    """A worker's open tasks due on or before ``day``, with the person and household."""
    stmt = (
        select(VisitTask, Person, Household)
        .join(Person, Person.id == VisitTask.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(
            VisitTask.worker_id == worker_id,
            VisitTask.status == "open",
            VisitTask.due_on <= day,
        )
        .order_by(VisitTask.due_on, VisitTask.id)
    )
    return list(session.execute(stmt))


def overdue_tasks(
    session: Session, today: date, zones: frozenset[int] | None, worker_id: int | None = None
) -> list[VisitTask]:
    """Open tasks due before ``today`` in the zones (None: all), oldest first."""
    stmt = select(VisitTask).where(VisitTask.status == "open", VisitTask.due_on < today)
    if zones is not None:
        stmt = stmt.where(VisitTask.zone_id.in_(zones))
    if worker_id is not None:
        stmt = stmt.where(VisitTask.worker_id == worker_id)
    return list(session.scalars(stmt.order_by(VisitTask.due_on, VisitTask.id)))


def find_visit(session: Session, key: str) -> VisitRecord | None:
    """A visit by its idempotency key."""
    return session.scalar(select(VisitRecord).where(VisitRecord.idempotency_key == key))


def get_visit(session: Session, visit_id: int) -> VisitRecord | None:
    """A visit by id."""
    return session.get(VisitRecord, visit_id)


def person_visits(session: Session, person_id: int, limit: int = 100) -> list[VisitRecord]:
    """A person's visits, newest first."""
    stmt = select(VisitRecord).where(VisitRecord.person_id == person_id)
    return list(session.scalars(stmt.order_by(VisitRecord.visited_at.desc()).limit(limit)))
