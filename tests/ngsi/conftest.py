"""The Phichit sample city with a few readings posted through the real ingest endpoint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.config import Settings
from smartcity.devices.sample import load_sample_devices
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow

Post = Callable[[str, dict[str, Any]], None]


@pytest.fixture
def city(uow: UnitOfWork, settings: Settings) -> dict[str, str]:
    """Sample zones and devices; returns each device's ingest token by code."""
    accounts.create_agency(
        uow, AgencyIn(code="phichit-muni", name_th="เทศบาลเมืองพิจิตร", kind="municipality")
    )
    geo.load_sample(uow)
    tokens = load_sample_devices(uow, settings)
    uow.commit()
    return tokens


@pytest.fixture
def post(client: TestClient, city: dict[str, str]) -> Post:
    """Post one reading for a sample device over HTTP ingest (a minute ago)."""

    def _post(code: str, values: dict[str, Any]) -> None:
        ts = (utcnow() - timedelta(minutes=1)).isoformat()
        body = {"readings": [{"device": code, "ts": ts, "values": values}]}
        headers = {"Authorization": f"Bearer {city[code]}"}
        r = client.post("/api/devices/ingest", json=body, headers=headers)
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text

    return _post
