"""Intake: every way in (app, hotline, SOS, operator) becomes one incident, exactly once.

The client key is unique in the table. A retry finds the stored incident; two copies racing
each other meet at the unique index, and the loser reads the winner's incident instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.incidents import dispatch
from smartcity.incidents import repository as repo
from smartcity.incidents.events import IncidentReported
from smartcity.incidents.models import Incident, IncidentPhoto
from smartcity.incidents.policy import Policy
from smartcity.incidents.record import changed, step
from smartcity.incidents.triage import propose
from smartcity.kit.clock import utcnow


@dataclass
class Report:
    """What any way in knows about a new incident."""

    kind: str
    source: str
    client_key: str | None = None
    lat: float | None = None
    lon: float | None = None
    person_id: int | None = None
    device_id: int | None = None
    caller_phone: str = ""
    description: str = ""
    triage_answers: dict[str, bool] = field(default_factory=dict)
    triage_level: str | None = None
    photo: bytes | None = None
    photo_type: str = ""


def report(uow: UnitOfWork, policy: Policy, data: Report) -> tuple[Incident, bool]:
    """Store the incident (or find the one this key already made) and offer it to a unit.

    Returns the incident and whether it was created now.
    """
    if data.client_key:
        found = repo.find_by_key(uow.session, data.client_key)
        if found is not None:
            return found, False
    incident = _new_incident(uow, data)
    try:
        with uow.session.begin_nested():
            repo.add(uow.session, incident)
    except IntegrityError:
        again = repo.find_by_key(uow.session, data.client_key or "")
        if again is None:  # the conflict was not the key: a real error
            raise
        return again, False
    _after_insert(uow, policy, incident, data)
    return incident, True


def _new_incident(uow: UnitOfWork, data: Report) -> Incident:
    now = utcnow()
    zone = None
    if data.lat is not None and data.lon is not None:
        zone = geo.zone_at(uow.session, data.lat, data.lon)
    level = data.triage_level
    if level is None and data.triage_answers:
        level = propose(data.triage_answers)
    return Incident(
        client_key=data.client_key,
        kind=data.kind,
        source=data.source,
        status="triaged" if level else "new",
        triage_level=level,
        triage_answers=dict(data.triage_answers),
        lat=data.lat,
        lon=data.lon,
        zone_id=zone.id if zone is not None else None,
        person_id=data.person_id,
        device_id=data.device_id,
        caller_phone=data.caller_phone,
        description=data.description,
        created_at=now,
        updated_at=now,
    )


def _after_insert(uow: UnitOfWork, policy: Policy, incident: Incident, data: Report) -> None:
    if data.photo:
        repo.add(
            uow.session,
            IncidentPhoto(incident_id=incident.id, content_type=data.photo_type, data=data.photo),
        )
    step(uow, incident, "reported", incident.created_at, source=data.source, kind=data.kind)
    if incident.triage_level:
        step(uow, incident, "triaged", incident.created_at, level=incident.triage_level)
    changed(uow, "incidents.incident.created", "incident", incident.id, source=data.source)
    uow.emit(
        IncidentReported(
            incident_id=incident.id,
            kind=incident.kind,
            source=incident.source,
            zone_id=incident.zone_id,
        )
    )
    dispatch.offer_next(uow, policy, incident, incident.created_at, fresh=True)
