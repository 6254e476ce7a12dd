"""Readiness of the parts the platform needs: database and message broker."""

from __future__ import annotations

import secrets
import socket
import struct
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from smartcity import __version__

router = APIRouter(tags=["health"])


def _database(request: Request) -> dict[str, Any]:
    try:
        with request.app.state.session_factory() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "backend": request.app.state.engine.dialect.name}
    except Exception as exc:  # readiness reports the failure instead of raising it
        return {"status": "down", "error": type(exc).__name__}


def _connect_packet(client_id: str) -> bytes:
    """MQTT 3.1.1 CONNECT with a clean session and no credentials."""
    ident = client_id.encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x05" + struct.pack("!H", len(ident)) + ident
    return bytes([0x10, len(body)]) + body


def broker_status(url: str, timeout: float = 1.0) -> dict[str, Any]:
    """Whether the MQTT broker answers an MQTT CONNECT (over TLS: accepts a TCP connection).

    A bare TCP probe that closes without speaking MQTT makes every broker log an error per
    probe; a CONNECT, its CONNACK and a DISCONNECT are a clean session. Any CONNACK counts as
    up, a refusal of the anonymous probe included: the broker is there and speaking MQTT.
    """
    if not url:
        return {"status": "not_configured"}
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 1883
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if parsed.scheme == "mqtt":
                sock.sendall(_connect_packet(f"smartcity-health-{secrets.token_hex(4)}"))
                if sock.recv(4)[:1] != b"\x20":
                    raise ConnectionError("no CONNACK")
                sock.sendall(b"\xe0\x00")  # DISCONNECT
            return {"status": "ok", "host": host, "port": port}
    except OSError as exc:  # ConnectionError and timeouts are OSErrors
        return {"status": "down", "host": host, "port": port, "error": type(exc).__name__}


@router.get("/api/health", summary="Readiness of database and broker")
def health(request: Request) -> JSONResponse:
    """200 when every configured part is up, 503 otherwise."""
    parts = {
        "database": _database(request),
        "broker": broker_status(request.app.state.settings.mqtt_url),
    }
    ready = all(p["status"] in ("ok", "not_configured") for p in parts.values())
    body = {"status": "ok" if ready else "unavailable", "version": __version__, **parts}
    return JSONResponse(body, status_code=200 if ready else 503)
