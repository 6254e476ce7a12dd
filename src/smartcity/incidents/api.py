"""REST routes of the incidents domain (thin: parse, check permission, call the service)."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.errors import DomainError, NotFound
from smartcity.http import AppSettings, Paging, UoW, client_ip, work_and_commit
from smartcity.incidents import service
from smartcity.incidents.ratelimit import TokenBucket
from smartcity.incidents.schemas import (
    HelpAccepted,
    HelpIn,
    IncidentIn,
    IncidentOut,
    OfferOut,
    ProgressIn,
    QuestionOut,
    Status,
    TriageIn,
)
from smartcity.incidents.triage import QUESTIONS
from smartcity.kit.pagination import Page

router = APIRouter(tags=["incidents"])
# Help requests in the database at once, per process (ADR 0020, 0022). SQLite has one write
# lock: a second request would only queue on it, in a thread that competes for the GIL with the
# lock holder. PostgreSQL lets a second request work while the first waits for the server;
# more than two only compete for the GIL and the CPU.
HELP_LANES = {"sqlite": 1, "postgresql": 2}
Reader = Annotated[Principal, Depends(require("incidents.read"))]
Responder = Annotated[Principal, Depends(require("incidents.respond"))]
Dispatcher = Annotated[Principal, Depends(require("incidents.dispatch"))]


class TooManyRequests(DomainError):
    """The caller sent more requests than the limit allows."""

    status = 429
    code = "too-many-requests"
    title = "Too many requests"
    title_th = "ส่งคำขอถี่เกินไป"


def _bucket(request: Request, settings: AppSettings) -> TokenBucket:
    """The app's help-request limiter, made on first use."""
    state = request.app.state
    if getattr(state, "help_bucket", None) is None:
        state.help_bucket = TokenBucket(
            settings.help_rate_per_minute / 60, settings.help_rate_burst
        )
    bucket: TokenBucket = state.help_bucket
    return bucket


def _lane(request: Request) -> anyio.CapacityLimiter:
    """The app's help-request lane: HELP_LANES requests in the database at once."""
    state = request.app.state
    if getattr(state, "help_lane", None) is None:
        state.help_lane = anyio.CapacityLimiter(HELP_LANES.get(state.engine.dialect.name, 1))
    lane: anyio.CapacityLimiter = state.help_lane
    return lane


@router.post("/api/help", response_model=HelpAccepted, status_code=201)
async def ask_for_help(
    data: HelpIn,
    request: Request,
    response: Response,
    uow: UoW,
    settings: AppSettings,
    bucket: Annotated[TokenBucket, Depends(_bucket)],
) -> HelpAccepted:
    """The resident app's help button (public, rate-limited per address, idempotent by key)."""
    if not bucket.allow(client_ip(request)):
        raise TooManyRequests(
            "Too many help requests from this address; if you need help, call 1669.",
            "ส่งคำขอความช่วยเหลือถี่เกินไป หากต้องการความช่วยเหลือโปรดโทร 1669",
        )

    def _report() -> tuple[int, str, bool, int | None]:
        report = service.Report(
            kind="help_request",
            source="app",
            client_key=data.client_key,
            lat=data.lat,
            lon=data.lon,
            caller_phone=data.phone,
            description=data.text,
            photo=data.photo_bytes(),
            photo_type=data.photo_type or "",
        )
        incident, created = service.report(uow, service.Policy.of(settings), report)
        unit_id = service.offered_unit(uow.session, incident.id)
        return incident.id, incident.status, created, unit_id

    # One worker-thread call from the first read to the commit (see work_and_commit).
    incident_id, status, created, unit_id = await work_and_commit(uow, _report, _lane(request))
    if not created:
        response.status_code = 200
    return HelpAccepted(
        incident_id=incident_id,
        status=status,
        created=created,
        offered_unit=str(unit_id) if unit_id is not None else None,
        message="Your request was received. Help is being arranged.",
        message_th="ได้รับคำขอความช่วยเหลือแล้ว กำลังประสานหน่วยช่วยเหลือ",
    )


@router.get("/api/incidents/triage-questions", response_model=list[QuestionOut])
def triage_questions(principal: Reader) -> list[QuestionOut]:
    """The guided triage questions, in the order to ask them."""
    return [QuestionOut(key=q.key, th=q.th, en=q.en) for q in QUESTIONS]


@router.post("/api/incidents", response_model=IncidentOut, status_code=201)
def create_incident(
    data: IncidentIn, response: Response, uow: UoW, settings: AppSettings, principal: Dispatcher
) -> IncidentOut:
    """An incident recorded by an operator (from a hotline call, the radio, a patrol)."""
    report = service.Report(
        **data.model_dump(exclude={"hotline_call_id"}),
    )
    incident, created = service.report(uow, service.Policy.of(settings), report)
    if data.hotline_call_id is not None:
        service.link_incident(uow, data.hotline_call_id, incident.id)
    if not created:
        response.status_code = 200
    return service.incident_out(uow.session, incident)


@router.get("/api/incidents", response_model=Page[IncidentOut])
def list_incidents(
    uow: UoW,
    principal: Reader,
    paging: Paging,
    status: Annotated[list[Status] | None, Query()] = None,
    kind: str = "",
) -> Page[IncidentOut]:
    """Incidents in the caller's zones, newest first."""
    rows, total = service.list_incidents(
        uow.session,
        paging,
        status=list(status or []),
        kind=kind,
        zones=principal.zone_scope("incidents.read"),
    )
    items = [service.incident_out(uow.session, r, full=False) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/api/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: int, uow: UoW, principal: Reader) -> IncidentOut:
    """One incident with its current offer and timeline."""
    incident = service.get_incident(
        uow.session, incident_id, principal.zone_scope("incidents.read")
    )
    return service.incident_out(uow.session, incident)


@router.get("/api/incidents/{incident_id}/photo")
def get_photo(incident_id: int, uow: UoW, principal: Reader) -> Response:
    """The photo sent with a help request."""
    service.get_incident(uow.session, incident_id, principal.zone_scope("incidents.read"))
    found = service.photo(uow.session, incident_id)
    if found is None:
        raise NotFound("The incident has no photo.", "เหตุการณ์นี้ไม่มีรูปภาพ")
    return Response(found.data, media_type=found.content_type)


@router.post("/api/incidents/{incident_id}/triage", response_model=IncidentOut)
def triage(
    incident_id: int, data: TriageIn, uow: UoW, settings: AppSettings, principal: Dispatcher
) -> IncidentOut:
    """Record the triage answers and level; an undispatched incident is offered again."""
    incident = service.triage(uow, service.Policy.of(settings), incident_id, data)
    return service.incident_out(uow.session, incident)


@router.post("/api/incidents/{incident_id}/dispatch", response_model=IncidentOut)
def redispatch(
    incident_id: int, uow: UoW, settings: AppSettings, principal: Dispatcher
) -> IncidentOut:
    """A supervisor offers the incident again, to any free unit."""
    incident = service.redispatch(uow, service.Policy.of(settings), incident_id)
    return service.incident_out(uow.session, incident)


@router.post("/api/incidents/{incident_id}/status", response_model=IncidentOut)
def progress(incident_id: int, data: ProgressIn, uow: UoW, principal: Responder) -> IncidentOut:
    """A status step: on scene, transported, closed (or cancelled by a dispatcher)."""
    incident = service.progress(uow, principal, incident_id, data)
    return service.incident_out(uow.session, incident)


@router.get("/api/offers/mine", response_model=list[OfferOut])
def my_offers(uow: UoW, principal: Responder) -> list[OfferOut]:
    """Offers waiting for the caller's units."""
    return [OfferOut.model_validate(o) for o in service.my_offers(uow.session, principal)]


@router.post("/api/offers/{offer_id}/accept", response_model=OfferOut)
def accept(offer_id: int, uow: UoW, principal: Responder) -> OfferOut:
    """The unit takes the incident."""
    return OfferOut.model_validate(service.accept(uow, principal, offer_id))


@router.post("/api/offers/{offer_id}/decline", response_model=OfferOut)
def decline(
    offer_id: int,
    uow: UoW,
    settings: AppSettings,
    principal: Responder,
    reason: Annotated[str, Query(max_length=200)] = "",
) -> OfferOut:
    """The unit cannot go; the next nearest unit gets the offer."""
    policy = service.Policy.of(settings)
    return OfferOut.model_validate(service.decline(uow, policy, principal, offer_id, reason))
