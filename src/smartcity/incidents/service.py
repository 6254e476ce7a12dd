"""The incidents domain's public face: the web layer and other domains call these only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartcity.accounts.permissions import Principal
from smartcity.incidents import repository as repo
from smartcity.incidents.dispatch import accept as accept
from smartcity.incidents.dispatch import decline as decline
from smartcity.incidents.dispatch import expire_offers as expire_offers
from smartcity.incidents.hotline import get_call as get_call
from smartcity.incidents.hotline import link_incident as link_incident
from smartcity.incidents.hotline import recent_calls as recent_calls
from smartcity.incidents.hotline import record_call as record_call
from smartcity.incidents.intake import Report as Report
from smartcity.incidents.intake import report as report
from smartcity.incidents.lifecycle import get_incident as get_incident
from smartcity.incidents.lifecycle import progress as progress
from smartcity.incidents.lifecycle import redispatch as redispatch
from smartcity.incidents.lifecycle import triage as triage
from smartcity.incidents.models import Incident, IncidentPhoto
from smartcity.incidents.policy import Policy as Policy
from smartcity.incidents.schemas import IncidentOut, OfferOut, TimelineOut
from smartcity.incidents.sos import assign as assign_sos
from smartcity.incidents.sos import unassign as unassign_sos
from smartcity.incidents.units import create_unit as create_unit
from smartcity.incidents.units import get_unit as get_unit
from smartcity.incidents.units import my_offers as my_offers
from smartcity.incidents.units import my_units as my_units
from smartcity.incidents.units import set_duty as set_duty
from smartcity.incidents.units import set_location as set_location
from smartcity.incidents.units import update_unit as update_unit
from smartcity.kit.pagination import PageParams

__all__ = [
    "Policy",
    "Report",
    "accept",
    "assign_sos",
    "create_unit",
    "current_jobs",
    "decline",
    "expire_offers",
    "get_call",
    "get_incident",
    "get_unit",
    "incident_out",
    "link_incident",
    "list_incidents",
    "list_units",
    "my_offers",
    "my_units",
    "offered_unit",
    "photo",
    "progress",
    "recent_calls",
    "record_call",
    "redispatch",
    "report",
    "set_duty",
    "set_location",
    "triage",
    "unassign_sos",
    "update_unit",
]

list_units = repo.list_units


def list_incidents(
    session: Session,
    params: PageParams,
    *,
    status: list[str] | None = None,
    kind: str = "",
    level: str = "",
    zones: frozenset[int] | None = None,
) -> tuple[list[Incident], int]:
    """One page of incidents in the caller's zones, newest first."""
    return repo.list_incidents(
        session, params, status=status or [], kind=kind, level=level, zone_scope=zones
    )


def current_jobs(session: Session, principal: Principal) -> list[Incident]:
    """Unfinished incidents held by the caller's units (what the responder is working on)."""
    units = my_units(session, principal)
    return repo.open_incidents_of_units(session, [u.id for u in units])


def incident_out(session: Session, incident: Incident, *, full: bool = True) -> IncidentOut:
    """An incident for the API; ``full`` adds its current offer and timeline."""
    out = IncidentOut.model_validate(incident)
    if not full:
        return out
    offer = repo.open_offer(session, incident.id)
    out.offer = OfferOut.model_validate(offer) if offer else None
    out.timeline = [TimelineOut.model_validate(t) for t in repo.timeline(session, incident.id)]
    out.has_photo = repo.has_photo(session, incident.id)
    return out


def offered_unit(session: Session, incident_id: int) -> int | None:
    """The unit an incident's waiting offer went to, if one is waiting."""
    return repo.open_offer_unit(session, incident_id)


def photo(session: Session, incident_id: int) -> IncidentPhoto | None:
    """The photo sent with an incident."""
    return repo.photo(session, incident_id)
