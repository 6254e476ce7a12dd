"""Typed domain errors and the one place that turns them into problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class DomainError(Exception):
    """A rule of the city was broken; carries a message in Thai and English."""

    status = 400
    code = "bad-request"
    title = "Bad request"
    title_th = "คำขอไม่ถูกต้อง"

    def __init__(
        self,
        detail: str,
        detail_th: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_th = detail_th or detail
        self.errors = errors or []


class InvalidInput(DomainError):
    """Input failed a rule that the schema could not express."""

    status = 422
    code = "invalid-input"
    title = "Invalid input"
    title_th = "ข้อมูลไม่ถูกต้อง"


class NotFound(DomainError):
    """The record does not exist (or is outside the caller's scope)."""

    status = 404
    code = "not-found"
    title = "Not found"
    title_th = "ไม่พบข้อมูล"


class Conflict(DomainError):
    """The request clashes with existing data (duplicate, stale state)."""

    status = 409
    code = "conflict"
    title = "Conflict"
    title_th = "ข้อมูลขัดแย้ง"


class Unauthorized(DomainError):
    """No valid credentials were given."""

    status = 401
    code = "unauthorized"
    title = "Log-in required"
    title_th = "ต้องเข้าสู่ระบบ"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"
    title = "Not allowed"
    title_th = "ไม่มีสิทธิ์"


class AccountLocked(DomainError):
    """Too many failed log-ins; the account waits before trying again."""

    status = 423
    code = "account-locked"
    title = "Account locked"
    title_th = "บัญชีถูกล็อก"


_HTTP_TITLES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "คำขอไม่ถูกต้อง"),
    404: ("Not found", "ไม่พบหน้าที่ต้องการ"),
    405: ("Method not allowed", "ไม่รองรับวิธีเรียกนี้"),
    413: ("Request too large", "ข้อมูลที่ส่งมีขนาดใหญ่เกินไป"),
    415: ("Unsupported media type", "ไม่รองรับชนิดข้อมูลนี้"),
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str = "about:blank",
    title_th: str | None = None,
    detail_th: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """A problem+json response with Thai alongside English."""
    body: dict[str, Any] = {
        "type": code if code == "about:blank" else f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "title_th": title_th or title,
        "detail_th": detail_th or detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic errors as {field, message} pairs people can read."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        out.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    return out


async def _on_domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        code=exc.code,
        title_th=exc.title_th,
        detail_th=exc.detail_th,
        errors=exc.errors,
    )


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return problem(
            400,
            "Malformed JSON",
            "The request body is not valid JSON.",
            code="malformed-json",
            title_th="JSON ไม่ถูกต้อง",
            detail_th="ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง",
        )
    return problem(
        422,
        "Invalid input",
        "Some fields are missing or have the wrong type.",
        code="invalid-input",
        title_th="ข้อมูลไม่ถูกต้อง",
        detail_th="บางช่องไม่ได้กรอกหรือมีชนิดข้อมูลไม่ถูกต้อง",
        errors=_field_errors(exc),
    )


async def _on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title, title_th = _HTTP_TITLES.get(exc.status_code, ("Error", "เกิดข้อผิดพลาด"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem(exc.status_code, title, detail, title_th=title_th)


async def _on_busy(request: Request, exc: Exception) -> JSONResponse:
    # Overload (SQLite's write lock held too long, or no pooled connection free in time) is not
    # a bug: say so and ask the client to retry, instead of a 500.
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    response = problem(
        503,
        "Busy",
        "The service is busy; please try again in a moment.",
        code="busy",
        title_th="ระบบกำลังทำงานหนัก",
        detail_th="ระบบกำลังทำงานหนัก โปรดลองใหม่อีกครั้งในอีกสักครู่",
    )
    response.headers["Retry-After"] = "2"
    return response


def _is_busy(exc: BaseException) -> bool:
    if isinstance(exc, SATimeoutError):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


async def _on_operational(request: Request, exc: Exception) -> JSONResponse:
    if _is_busy(exc):
        return await _on_busy(request, exc)
    return await _on_unexpected(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Log the trace for the IT team; the client gets no internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "Internal error",
        "Something went wrong on our side; the error was logged.",
        title_th="ระบบขัดข้อง",
        detail_th="ระบบเกิดข้อผิดพลาดภายใน ได้บันทึกไว้แล้ว",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(OperationalError, _on_operational)
    app.add_exception_handler(SATimeoutError, _on_busy)
    app.add_exception_handler(Exception, _on_unexpected)
