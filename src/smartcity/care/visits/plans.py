"""Care plan settings: visit rhythm per ADL group, per-person plans, vital-sign thresholds.

Visit frequency per group is not set by any national rule we could find, so the rhythms are
data a care manager edits; the defaults below apply until they do.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.visits import repository as repo
from smartcity.care.visits.models import CarePlan, VisitFrequency, VisitThreshold
from smartcity.care.visits.schemas import FrequencyOut, PlanIn, PlanOut, ThresholdIn, ThresholdOut
from smartcity.errors import Forbidden, InvalidInput
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow

GROUPS: Final = ("bedbound", "homebound", "social")
DEFAULT_EVERY_DAYS: Final[dict[str, int]] = {"bedbound": 7, "homebound": 14, "social": 30}
# (alert at or below, alert at or above); whole-number readings: SpO2 < 92 is "<= 91".
DEFAULT_THRESHOLDS: Final[dict[str, tuple[float | None, float | None]]] = {
    "sbp": (90, 180),
    "dbp": (50, 110),
    "glucose": (69, 301),
    "temperature": (35.0, 38.5),
    "spo2": (91, None),
    "pulse": (50, 120),
    "weight": (None, None),
}


def rhythms(session: Session) -> dict[str, int]:
    """Days between visits for each group, stored values over the defaults."""
    return DEFAULT_EVERY_DAYS | repo.frequencies(session)


def list_frequencies(session: Session) -> list[FrequencyOut]:
    """Every group's rhythm."""
    stored = repo.frequencies(session)
    return [
        FrequencyOut(
            adl_group=g, every_days=stored.get(g, DEFAULT_EVERY_DAYS[g]), is_default=g not in stored
        )
        for g in GROUPS
    ]


def set_frequency(uow: UnitOfWork, group: str, every_days: int) -> FrequencyOut:
    """Change a group's rhythm (applies to tasks generated from now on)."""
    if group not in GROUPS:
        raise InvalidInput(f"Unknown ADL group {group!r}.", f"ไม่รู้จักกลุ่ม ADL {group!r}")
    row = repo.get_frequency(uow.session, group)
    if row is None:
        row = VisitFrequency(adl_group=group, every_days=every_days)
        repo.add(uow.session, row)
    row.every_days, row.updated_by, row.updated_at = every_days, uow.actor.username, utcnow()
    uow.session.flush()
    _changed(uow, "care.visit_frequency.set", "care_visit_frequency", group, every_days=every_days)
    return FrequencyOut(adl_group=group, every_days=every_days, is_default=False)


def effective_thresholds(session: Session) -> dict[str, tuple[float | None, float | None]]:
    """Thresholds by metric, stored values over the defaults."""
    stored = {m: (r.alert_low, r.alert_high) for m, r in repo.thresholds(session).items()}
    return DEFAULT_THRESHOLDS | stored


def list_thresholds(session: Session) -> list[ThresholdOut]:
    """Every metric's thresholds."""
    stored = repo.thresholds(session)
    out = []
    for metric, (low, high) in effective_thresholds(session).items():
        out.append(
            ThresholdOut(
                metric=metric, alert_low=low, alert_high=high, is_default=metric not in stored
            )
        )
    return out


def set_threshold(uow: UnitOfWork, metric: str, data: ThresholdIn) -> ThresholdOut:
    """Change a metric's thresholds."""
    if metric not in DEFAULT_THRESHOLDS:
        raise InvalidInput(f"Unknown metric {metric!r}.", f"ไม่รู้จักค่าที่วัด {metric!r}")
    if (
        data.alert_low is not None
        and data.alert_high is not None
        and data.alert_low >= data.alert_high
    ):
        raise InvalidInput(
            "alert_low must be below alert_high.",
            "ค่าเตือนต่ำต้องน้อยกว่าค่าเตือนสูง",
            errors=[{"field": "alert_low", "message": "must be below alert_high / ต้องน้อยกว่าค่าสูง"}],
        )
    row = repo.get_threshold(uow.session, metric)
    if row is None:
        row = VisitThreshold(metric=metric)
        repo.add(uow.session, row)
    row.alert_low, row.alert_high = data.alert_low, data.alert_high
    row.updated_by, row.updated_at = uow.actor.username, utcnow()
    uow.session.flush()
    _changed(
        uow,
        "care.visit_threshold.set",
        "care_visit_threshold",
        metric,
        low=data.alert_low,
        high=data.alert_high,
    )
    return ThresholdOut(
        metric=metric, alert_low=data.alert_low, alert_high=data.alert_high, is_default=False
    )


def abnormal_metrics(
    values: dict[str, float | None], limits: dict[str, tuple[float | None, float | None]]
) -> list[str]:
    """Metrics whose value is at or past a threshold."""
    out = []
    for metric, value in values.items():
        low, high = limits.get(metric, (None, None))
        if value is None:
            continue
        if (low is not None and value <= low) or (high is not None and value >= high):
            out.append(metric)
    return out


def get_plan(session: Session, access: Access, person_id: int) -> PlanOut:
    """A person's plan (an empty one when none was written)."""
    person, _household = care.get_person(session, access, person_id)
    plan = repo.get_plan(session, person_id)
    own = plan.every_days if plan else None
    group_days = rhythms(session).get(person.adl_group or "")
    return PlanOut(
        person_id=person_id,
        every_days=own,
        effective_every_days=own or group_days,
        worker_id=plan.worker_id if plan else None,
        note=plan.note if plan else "",
    )


def set_plan(uow: UnitOfWork, access: Access, person_id: int, data: PlanIn) -> PlanOut:
    """Write a person's plan (their own rhythm overrides the group's)."""
    _person, household = care.get_person(uow.session, access, person_id)
    if not access.can_write(household.zone_id):
        raise care_write_refused()
    plan = repo.get_plan(uow.session, person_id)
    if plan is None:
        plan = CarePlan(person_id=person_id)
        repo.add(uow.session, plan)
    plan.every_days, plan.worker_id, plan.note = data.every_days, data.worker_id, data.note
    plan.updated_by, plan.updated_at = uow.actor.username, utcnow()
    uow.session.flush()
    _changed(uow, "care.plan.set", "care_plan", str(plan.id), person_id=person_id)
    return get_plan(uow.session, access, person_id)


def care_write_refused() -> Forbidden:
    """The error for a write outside the caller's zones."""
    return Forbidden(
        "You may not change care records in this zone.", "คุณไม่มีสิทธิ์แก้ไขข้อมูลการดูแลในพื้นที่นี้"
    )


def _changed(uow: UnitOfWork, action: str, entity: str, entity_id: str, **detail: object) -> None:
    uow.emit(
        RecordChanged(action=action, entity_type=entity, entity_id=entity_id, detail=dict(detail))
    )
