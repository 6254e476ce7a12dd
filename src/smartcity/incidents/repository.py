"""All SQL of the incidents domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from smartcity.incidents.models import (
    HotlineCall,
    Incident,
    IncidentPhoto,
    Offer,
    SosAssignment,
    TimelineEntry,
    Unit,
)
from smartcity.kit.pagination import PageParams, paginate


def add(session: Session, row: Any) -> None:
    """Stage a new row and give it its id."""
    session.add(row)
    session.flush()


def stage(session: Session, row: Any) -> None:
    """Stage a new row that nobody needs the id of: it goes in with the next flush's batch."""
    session.add(row)


def find_by_key(session: Session, key: str) -> Incident | None:
    """The incident made with this client key."""
    return session.scalars(select(Incident).where(Incident.client_key == key)).first()


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> Incident | None:
    """One incident (row-locked on PostgreSQL when ``lock``)."""
    stmt = select(Incident).where(Incident.id == incident_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def list_incidents(
    session: Session,
    params: PageParams,
    *,
    status: Sequence[str] = (),
    kind: str = "",
    level: str = "",
    zone_scope: frozenset[int] | None = None,
) -> tuple[list[Incident], int]:
    """One page of incidents, newest first."""
    stmt: Select[Any] = select(Incident)
    if status:
        stmt = stmt.where(Incident.status.in_(status))
    if kind:
        stmt = stmt.where(Incident.kind == kind)
    if level:
        stmt = stmt.where(Incident.triage_level == level)
    if zone_scope is not None:
        stmt = stmt.where(Incident.zone_id.in_(zone_scope))
    return paginate(session, stmt.order_by(Incident.id.desc()), params)


def open_incidents_of_units(session: Session, unit_ids: Sequence[int]) -> list[Incident]:
    """Incidents these units hold that are not finished yet (a responder's current jobs)."""
    if not unit_ids:
        return []
    stmt = (
        select(Incident)
        .where(Incident.unit_id.in_(unit_ids), Incident.status.not_in(("closed", "cancelled")))
        .order_by(Incident.id)
    )
    return list(session.scalars(stmt))


def has_photo(session: Session, incident_id: int) -> bool:
    """True when a photo came with the incident."""
    return session.get(IncidentPhoto, incident_id) is not None


def photo(session: Session, incident_id: int) -> IncidentPhoto | None:
    """The incident's photo."""
    return session.get(IncidentPhoto, incident_id)


def timeline(session: Session, incident_id: int) -> list[TimelineEntry]:
    """Every step of an incident in order."""
    stmt = (
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident_id)
        .order_by(TimelineEntry.at, TimelineEntry.id)
    )
    return list(session.scalars(stmt))


# --- units ------------------------------------------------------------------------------------


def get_unit(session: Session, unit_id: int) -> Unit | None:
    """One unit."""
    return session.get(Unit, unit_id)


def unit_by_code(session: Session, code: str) -> Unit | None:
    """The unit with this code."""
    return session.scalars(select(Unit).where(Unit.code == code)).first()


def units_of_user(session: Session, user_id: int) -> list[Unit]:
    """Units a responder account answers for."""
    return list(session.scalars(select(Unit).where(Unit.user_id == user_id).order_by(Unit.id)))


def list_units(
    session: Session, params: PageParams, *, status: str = "", kind: str = ""
) -> tuple[list[Unit], int]:
    """One page of units by code."""
    stmt: Select[Any] = select(Unit)
    if status:
        stmt = stmt.where(Unit.status == status)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    return paginate(session, stmt.order_by(Unit.code), params)


# (min_lat, min_lon, max_lat, max_lon)
Box = tuple[float, float, float, float]
FreeUnit = tuple[int, float, float, list[Any]]


def free_units(session: Session, exclude: set[int], box: Box | None = None) -> list[FreeUnit]:
    """(id, lat, lon, capabilities) of active, available units with a known position.

    With ``box``, only those inside it (a range on the free-unit position index).
    """
    stmt = select(Unit.id, Unit.lat, Unit.lon, Unit.capabilities).where(
        Unit.status == "available", Unit.active.is_(True), Unit.lat.is_not(None)
    )
    if box is not None:
        stmt = stmt.where(Unit.lat.between(box[0], box[2]), Unit.lon.between(box[1], box[3]))
    rows = session.execute(stmt).all()
    return [(r[0], r[1], r[2], r[3] or []) for r in rows if r[0] not in exclude]


def claim_unit(session: Session, unit_id: int, now: datetime) -> Unit | None:
    """Mark an available unit offered and return it; None if another incident took it first."""
    stmt = (
        update(Unit)
        .where(Unit.id == unit_id, Unit.status == "available")
        .values(status="offered", updated_at=now)
        .returning(Unit)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return session.scalars(stmt).first()


# --- offers -----------------------------------------------------------------------------------


def get_offer(session: Session, offer_id: int, *, lock: bool = False) -> Offer | None:
    """One offer."""
    stmt = select(Offer).where(Offer.id == offer_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def offers_of(session: Session, incident_id: int) -> list[Offer]:
    """Every offer made for an incident, oldest first."""
    stmt = select(Offer).where(Offer.incident_id == incident_id).order_by(Offer.id)
    return list(session.scalars(stmt))


def open_offer(session: Session, incident_id: int) -> Offer | None:
    """The offer of an incident still waiting for an answer."""
    stmt = select(Offer).where(Offer.incident_id == incident_id, Offer.status == "offered")
    return session.scalars(stmt).first()


def open_offer_unit(session: Session, incident_id: int) -> int | None:
    """The unit of the incident's waiting offer (one column: the help button's answer)."""
    stmt = select(Offer.unit_id).where(Offer.incident_id == incident_id, Offer.status == "offered")
    return session.scalar(stmt.limit(1))


def open_offers_for_units(session: Session, unit_ids: Sequence[int]) -> list[Offer]:
    """Offers waiting for these units."""
    if not unit_ids:
        return []
    stmt = select(Offer).where(Offer.unit_id.in_(unit_ids), Offer.status == "offered")
    return list(session.scalars(stmt.order_by(Offer.id)))


def expired_offers(session: Session, now: datetime, limit: int = 100) -> list[Offer]:
    """Offers past their deadline, locked so two sweepers never time one out twice."""
    stmt = (
        select(Offer)
        .where(Offer.status == "offered", Offer.expires_at <= now)
        .order_by(Offer.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


# --- SOS assignments and hotline calls -------------------------------------------------------


def assignment(session: Session, device_id: int) -> SosAssignment | None:
    """Who an SOS device belongs to."""
    return session.get(SosAssignment, device_id)


def list_assignments(session: Session, person_id: int | None = None) -> list[SosAssignment]:
    """Every assignment (of one person)."""
    stmt = select(SosAssignment)
    if person_id is not None:
        stmt = stmt.where(SosAssignment.person_id == person_id)
    return list(session.scalars(stmt.order_by(SosAssignment.device_id)))


def delete(session: Session, row: Any) -> None:
    """Remove a row."""
    session.delete(row)
    session.flush()


def call_by_call_id(session: Session, call_id: str) -> HotlineCall | None:
    """A hotline call by the telephone system's id."""
    return session.scalars(select(HotlineCall).where(HotlineCall.call_id == call_id)).first()


def get_call(session: Session, call_pk: int) -> HotlineCall | None:
    """A hotline call by our id."""
    return session.get(HotlineCall, call_pk)


def recent_calls(session: Session, limit: int = 10) -> list[HotlineCall]:
    """The newest calls first."""
    stmt = select(HotlineCall).order_by(HotlineCall.id.desc()).limit(limit)
    return list(session.scalars(stmt))
