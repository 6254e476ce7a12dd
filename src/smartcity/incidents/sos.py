"""SOS buttons and pendants: a press becomes a help request, exactly once per press.

The device-to-person link lives here, not in care or devices: it exists only to route help
(care's registry needs no device ids, and devices should not hold personal links). A press is
identified by device and reading time, which is the idempotency key of the help request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from smartcity.care import service as care
from smartcity.devices import service as devices
from smartcity.devices.events import TelemetryReceived
from smartcity.errors import InvalidInput
from smartcity.events import UnitOfWork
from smartcity.incidents import repository as repo
from smartcity.incidents.intake import Report, report
from smartcity.incidents.models import Incident, SosAssignment
from smartcity.incidents.policy import Policy
from smartcity.incidents.record import changed
from smartcity.incidents.schemas import AssignmentIn
from smartcity.kit.clock import utcnow

SOS_KIND = "sos_button"
PRESSED = "pressed"
EVERYTHING = care.Access.everything()


def press_key(device_id: int, ts: datetime) -> str:
    """The idempotency key of one press."""
    return f"sos:{device_id}:{int(ts.timestamp() * 1000)}"


def on_telemetry(uow: UnitOfWork, policy: Policy, event: TelemetryReceived) -> list[Incident]:
    """Help requests for every SOS press in a batch of readings."""
    made = []
    for device_id, metric, ts, value in event.latest:
        if metric != PRESSED or value < 0.5:
            continue
        device = devices.get_device(uow.session, device_id)
        if device.kind != SOS_KIND:
            continue
        made.append(_press(uow, policy, device_id, device.lat, device.lon, device.name_th, ts))
    return made


def _press(
    uow: UnitOfWork,
    policy: Policy,
    device_id: int,
    lat: float,
    lon: float,
    name: str,
    ts: datetime,
) -> Incident:
    link = repo.assignment(uow.session, device_id)
    person_id = link.person_id if link else None
    if link is not None:  # a pendant: help goes to the person's home, not where it was installed
        lat, lon = _home(uow.session, link.person_id, lat, lon)
    incident, _ = report(
        uow,
        policy,
        Report(
            kind="help_request",
            source="sos",
            client_key=press_key(device_id, ts),
            lat=lat,
            lon=lon,
            person_id=person_id,
            device_id=device_id,
            description=f"SOS: {name}",
        ),
    )
    return incident


def _home(session: Session, person_id: int, lat: float, lon: float) -> tuple[float, float]:
    _, household = care.get_person(session, EVERYTHING, person_id)
    if household.lat is None or household.lon is None:
        return lat, lon
    return household.lat, household.lon


def assign(uow: UnitOfWork, data: AssignmentIn) -> SosAssignment:
    """Give an SOS device to a registered person (replacing an earlier holder)."""
    device = devices.get_device(uow.session, data.device_id)
    if device.kind != SOS_KIND:
        raise InvalidInput(
            "Only SOS buttons can be assigned to a person.",
            "กำหนดให้บุคคลได้เฉพาะปุ่ม SOS เท่านั้น",
            errors=[{"field": "device_id", "message": "not an sos_button"}],
        )
    care.get_person(uow.session, EVERYTHING, data.person_id)
    row = repo.assignment(uow.session, data.device_id)
    if row is None:
        row = SosAssignment(device_id=data.device_id, person_id=data.person_id)
        uow.session.add(row)
    row.person_id, row.assigned_at, row.assigned_by = data.person_id, utcnow(), uow.actor.username
    uow.session.flush()
    changed(
        uow, "incidents.sos.assigned", "incident_sos_assignment", device.id, person_id=row.person_id
    )
    return row


def unassign(uow: UnitOfWork, device_id: int) -> None:
    """Take an SOS device back."""
    row = repo.assignment(uow.session, device_id)
    if row is not None:
        repo.delete(uow.session, row)
        changed(uow, "incidents.sos.unassigned", "incident_sos_assignment", device_id)
