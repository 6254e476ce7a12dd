"""Fixtures of the alert tests: the device fixtures, rules, an ingest helper, recorded events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from smartcity.alerts import service
from smartcity.alerts.events import AlertEvent
from smartcity.alerts.models import AlertRule
from smartcity.alerts.schemas import RuleIn
from smartcity.events import RecordChanged, UnitOfWork
from tests.devices.conftest import (  # noqa: F401  (fixtures reused as they are)
    Issued,
    agencies,
    geo_sample,
    make_device,
)

INGEST = "/api/devices/ingest"


def ago(minutes: float) -> str:
    """An ISO 8601 time this many minutes before now (ingest refuses future times)."""
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


Post = Callable[..., Response]


@pytest.fixture
def post(client: TestClient) -> Post:
    """Post one reading through the real HTTP ingest endpoint with the device's token."""

    def _post(issued: Issued, values: dict[str, Any], ts: str | None = None) -> Response:
        reading: dict[str, Any] = {"device": issued.device.code, "values": values}
        if ts is not None:
            reading["ts"] = ts
        r = client.post(INGEST, json={"readings": [reading]}, headers=issued.headers)
        assert r.status_code == 200, r.text
        return r

    return _post


MakeRule = Callable[..., AlertRule]


@pytest.fixture
def make_rule(uow: UnitOfWork) -> MakeRule:
    """Create a rule (committed to the test transaction) from keyword fields."""

    def _make(**fields: Any) -> AlertRule:
        data: dict[str, Any] = {"name_th": "กฎทดสอบ", "severity": "warning", "scope": "kind"}
        data.update(fields)
        rule = service.create_rule(uow, RuleIn(**data))
        uow.commit()
        return rule

    return _make


@pytest.fixture
def seen(app: FastAPI) -> list[Any]:
    """Alert events and audited changes delivered after commit by the app's bus."""
    out: list[Any] = []
    for kind in (AlertEvent, RecordChanged):
        app.state.bus.subscribe(kind, lambda _uow, e: out.append(e), "after_commit")
    return out
