"""LINE and SMS deliveries: exact request bodies at the HTTP boundary, retries with backoff."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.notify import service
from smartcity.notify.channels import configured_channels
from smartcity.notify.models import Delivery, Notification

LINE_URL = "https://line.example/v2/bot/message/push"
SMS_URL = "https://sms.example/send"
PARAMS = {
    "incident_id": 7,
    "level": "red",
    "reason_th": "ไม่มีหน่วยว่าง",
    "reason_en": "no unit is free",
}
TEXT = (
    "เหตุ #7 ระดับ red ยังไม่มีหน่วยรับ (ไม่มีหน่วยว่าง) โปรดสั่งการ\n"
    "Incident #7, level red: no unit is free. Please dispatch by hand."
)


def _settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "line_channel_access_token": SecretStr("line-token"),
            "line_api_url": LINE_URL,
            "sms_gateway_url": SMS_URL,
            "sms_api_key": SecretStr("sms-key"),
            "sms_sender": "Phichit",
            "notify_retry_seconds": 10.0,
            "notify_max_attempts": 3,
        }
    )


def _queue(uow: UnitOfWork) -> list[Delivery]:
    message = service.Message(
        "dispatch_escalated", PARAMS, user_ids=[5], line_ids=["U123"], phones=["+66812345678"]
    )
    queued = service.send(uow, message)
    uow.commit()
    return queued


def test_exact_bodies_to_line_and_sms(uow: UnitOfWork, settings: Settings) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    s = _settings(settings)
    queued = _queue(uow)
    counts = service.deliver_due(
        uow, s, channels=configured_channels(s, httpx.MockTransport(answer))
    )
    assert counts == {"sent": 2}
    line, sms = sorted(seen, key=lambda r: str(r.url))
    assert str(line.url) == LINE_URL
    assert line.headers["authorization"] == "Bearer line-token"
    assert line.headers["x-line-retry-key"] == queued[0].reference
    assert json.loads(line.content) == {"to": "U123", "messages": [{"type": "text", "text": TEXT}]}
    assert str(sms.url) == SMS_URL and sms.headers["x-api-key"] == "sms-key"
    assert json.loads(sms.content) == {
        "to": "+66812345678",
        "text": TEXT,
        "sender": "Phichit",
        "reference": queued[1].reference,
    }
    note = uow.session.scalars(select(Notification)).one()
    assert note.user_id == 5 and note.title_th == "เหตุ #7 ยังไม่มีหน่วยรับ"


def test_failures_are_retried_with_backoff_then_failed(uow: UnitOfWork, settings: Settings) -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if "sms" in str(request.url):
            return httpx.Response(400, json={"error": "bad number"})  # permanent
        return httpx.Response(503)  # temporary

    s = _settings(settings)
    _queue(uow)
    channels = configured_channels(s, httpx.MockTransport(flaky))
    now = utcnow()
    service.deliver_due(uow, s, now, channels)
    line, sms = sorted(uow.session.scalars(select(Delivery)), key=lambda d: d.channel)
    assert sms.status == "failed" and sms.attempts == 1 and "400" in sms.last_error
    assert line.status == "pending" and line.attempts == 1
    assert line.next_attempt_at == now + timedelta(seconds=10)
    assert service.deliver_due(uow, s, now + timedelta(seconds=5), channels) == {}  # not due yet
    service.deliver_due(uow, s, now + timedelta(seconds=10), channels)
    assert line.attempts == 2 and line.next_attempt_at == now + timedelta(seconds=30)
    service.deliver_due(uow, s, now + timedelta(seconds=30), channels)
    assert line.status == "failed" and line.attempts == 3


def test_unconfigured_channels_are_skipped(uow: UnitOfWork, settings: Settings) -> None:
    _queue(uow)
    assert service.deliver_due(uow, settings) == {"skipped": 2}


def test_in_app_notifications_api(client, as_role, uow: UnitOfWork) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    service.send(uow, service.Message("dispatch_escalated", PARAMS, audience="incidents.dispatch"))
    uow.commit()
    page = client.get("/api/notifications", headers=h).json()
    assert page["total"] == 1 and page["items"][0]["title_en"] == "Incident #7 needs a supervisor"
    nid = page["items"][0]["id"]
    assert client.get("/api/notifications", headers=as_role("responder")).json()["total"] == 0
    assert (
        client.post(f"/api/notifications/{nid}/read", headers=as_role("responder")).status_code
        == 404
    )
    assert client.post(f"/api/notifications/{nid}/read", headers=h).json()["read_at"]
    assert client.get("/api/notifications?unread=true", headers=h).json()["total"] == 0
