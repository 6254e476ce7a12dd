"""NGSI-LD read routes: /ngsi-ld/v1/entities, /entities/{id}, /types and the @context.

Answers are ``application/json`` with the @context in a Link header, or ``application/ld+json``
with the @context inline, as the client's Accept header asks. Bad queries answer with NGSI-LD
error bodies (``https://uri.etsi.org/ngsi-ld/errors/...``) in English and Thai.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.http import UoW
from smartcity.ngsi import context, entities, query, service
from smartcity.ngsi.errors import ERROR_BASE, BadRequestData, NgsiError, NotAcceptable

router = APIRouter(prefix="/ngsi-ld/v1", tags=["ngsi-ld"])
Reader = Annotated[Principal, Depends(require("devices.read"))]
JSON, JSON_LD = "application/json", "application/ld+json"
LINK_REL = 'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
ERRORS: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 404: {}, 406: {}}


def ngsi_problem(exc: NgsiError) -> JSONResponse:
    """An NGSI-LD error body (ProblemDetails with the ETSI type URI)."""
    body = {
        "type": ERROR_BASE + exc.ngsi_type,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "title_th": exc.title_th,
        "detail_th": exc.detail_th,
    }
    return JSONResponse(body, status_code=exc.status, media_type=JSON)


def _media_type(request: Request) -> str:
    """application/ld+json if asked for, else application/json; 406 for anything else."""
    accept = request.headers.get("accept", "").lower()
    if JSON_LD in accept:
        return JSON_LD
    if not accept.strip() or any(t in accept for t in (JSON, "*/*", "application/*")):
        return JSON
    raise NotAcceptable(
        "Ask for application/json or application/ld+json.",
        "ขอได้เฉพาะ application/json หรือ application/ld+json",
    )


def _context_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + context.CONTEXT_PATH


def _answer(
    request: Request, body: Any, headers: dict[str, str] | None = None, *, inline: bool = True
) -> JSONResponse:
    """Serialise with the negotiated media type and the @context where it belongs."""
    media = _media_type(request)
    url = _context_url(request)
    out_headers = dict(headers or {})
    if media == JSON_LD and inline:
        if isinstance(body, list):
            body = [{**item, "@context": url} for item in body]
        else:
            body = {**body, "@context": url}
    elif media == JSON:
        out_headers["Link"] = f"<{url}>; {LINK_REL}"
    return JSONResponse(body, media_type=media, headers=out_headers)


def _guarded(call: Callable[[], JSONResponse]) -> JSONResponse:
    try:
        return call()
    except NgsiError as exc:
        return ngsi_problem(exc)


def _shape(items: list[dict[str, Any]], options: str | None) -> list[dict[str, Any]]:
    keys = query.parse_list(options) or frozenset()
    return [entities.simplify(e) for e in items] if "keyValues" in keys else items


@router.get("/entities", summary="Query entities", responses=ERRORS)
def query_entities(
    request: Request,
    uow: UoW,
    principal: Reader,
    type: str | None = None,
    id: str | None = None,
    attrs: str | None = None,
    q: str | None = None,
    georel: str | None = None,
    geometry: str | None = None,
    coordinates: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
    count: str | None = None,
    options: str | None = None,
) -> JSONResponse:
    """Entities by type, id, attribute filter (q) and geo-query, ``limit``/``offset`` paged."""

    def run() -> JSONResponse:
        parsed = service.EntityQuery(
            types=query.parse_list(type),
            ids=query.parse_list(id),
            attrs=query.parse_attrs(attrs),
            q=query.parse_q(q),
            geo=query.parse_geo(georel, geometry, coordinates),
            limit=query.parse_int(limit, "limit", query.DEFAULT_LIMIT, query.MAX_LIMIT),
            offset=query.parse_int(offset, "offset", 0, 10**9),
        )
        _require_filter(parsed)
        _media_type(request)  # refuse a bad Accept before any work
        scope = principal.zone_scope("devices.read")
        page = service.query_entities(uow.session, parsed, scope)
        headers = {"NGSILD-Results-Count": str(page.total)} if count == "true" else {}
        return _answer(request, _shape(page.entities, options), headers)

    return _guarded(run)


def _require_filter(parsed: service.EntityQuery) -> None:
    """NGSI-LD asks for at least one of type, id, attrs, q or a geo-query."""
    if not (parsed.types or parsed.ids or parsed.attrs or parsed.q or parsed.geo):
        raise BadRequestData(
            "Give at least one of type, id, attrs, q or a geo-query.",
            "ระบุอย่างน้อยหนึ่งอย่าง: type, id, attrs, q หรือการค้นหาเชิงพื้นที่",
        )


@router.get("/entities/{entity_id}", summary="One entity", responses=ERRORS)
def get_entity(
    entity_id: str,
    request: Request,
    uow: UoW,
    principal: Reader,
    attrs: str | None = None,
    options: str | None = None,
) -> JSONResponse:
    """One entity by its URN (``urn:ngsi-ld:<Type>:<device code>``)."""

    def run() -> JSONResponse:
        _media_type(request)
        scope = principal.zone_scope("devices.read")
        entity = service.get_entity(uow.session, entity_id, query.parse_attrs(attrs), scope)
        return _answer(request, _shape([entity], options)[0])

    return _guarded(run)


@router.get("/types", summary="Entity types available", responses=ERRORS)
def entity_types(request: Request, uow: UoW, principal: Reader) -> JSONResponse:
    """The types with at least one entity the caller may see, as an EntityTypeList."""

    def run() -> JSONResponse:
        _media_type(request)
        types = service.entity_types(uow.session, principal.zone_scope("devices.read"))
        body = {"id": "urn:ngsi-ld:EntityTypeList:smartcity", "type": "EntityTypeList"}
        return _answer(request, {**body, "typeList": types})

    return _guarded(run)


@router.get(context.CONTEXT_PATH.removeprefix("/ngsi-ld/v1"), summary="The JSON-LD @context")
def context_document() -> JSONResponse:
    """The @context of the platform's entities (public: it holds no data)."""
    return JSONResponse(context.document(), media_type=JSON_LD)
