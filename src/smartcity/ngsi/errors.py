"""NGSI-LD errors: domain errors that carry the ETSI problem type of the NGSI-LD API."""

from __future__ import annotations

from smartcity.errors import DomainError

ERROR_BASE = "https://uri.etsi.org/ngsi-ld/errors/"


class NgsiError(DomainError):
    """An error answered as an NGSI-LD problem body (``type`` is an ETSI error URI)."""

    ngsi_type = "InternalError"


class BadRequestData(NgsiError):
    """The query is not valid NGSI-LD (bad q, georel, geometry, coordinates, limit...)."""

    status = 400
    code = "ngsi-bad-request-data"
    title = "Bad request data"
    title_th = "คำขอไม่ถูกต้อง"
    ngsi_type = "BadRequestData"


class InvalidRequest(NgsiError):
    """The request is malformed (e.g. an entity id that is not a URI)."""

    status = 400
    code = "ngsi-invalid-request"
    title = "Invalid request"
    title_th = "คำขอผิดรูปแบบ"
    ngsi_type = "InvalidRequest"


class ResourceNotFound(NgsiError):
    """No entity with this id (or it is outside the caller's zones)."""

    status = 404
    code = "ngsi-resource-not-found"
    title = "Resource not found"
    title_th = "ไม่พบข้อมูล"
    ngsi_type = "ResourceNotFound"


class NotAcceptable(NgsiError):
    """The client accepts neither application/json nor application/ld+json."""

    status = 406
    code = "ngsi-not-acceptable"
    title = "Not acceptable"
    title_th = "ไม่รองรับชนิดข้อมูลที่ขอ"
    ngsi_type = "NotAcceptable"
