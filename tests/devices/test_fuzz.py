"""Random input at the ingest endpoint: never a 5xx, and good readings in a batch are kept."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from smartcity.devices.models import Reading
from smartcity.events import UnitOfWork
from tests.devices.conftest import MakeDevice

URL = "/api/devices/ingest"
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
START = datetime(2026, 11, 1, tzinfo=UTC)
_clock = itertools.count()

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
metric_names = st.sampled_from(["level_m", "battery", "signal", "pm25", "clients", "x"]) | st.text(
    max_size=8
)
timestamps = (
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    ).map(lambda d: d.isoformat())
    | st.text(max_size=30)
    | json_values
)
junk_readings = json_values | st.fixed_dictionaries(
    {
        "device": st.sampled_from(["wl-fuzz", "aq-fuzz", "ghost", ""]) | json_values,
        "values": st.dictionaries(metric_names, json_values, max_size=4) | json_values,
    },
    optional={"ts": timestamps},
)


def _good() -> dict[str, Any]:
    """A valid reading with a time no other example uses."""
    ts = START + timedelta(seconds=next(_clock))
    return {"device": "wl-fuzz", "ts": ts.isoformat(), "values": {"level_m": 4.25}}


@FUZZ
@given(body=json_values)
def test_any_json_body_is_a_2xx_or_4xx(client: TestClient, token: str, body: Any) -> None:
    r = client.post(URL, content=json.dumps(body), headers=_h(token))
    assert 200 <= r.status_code < 500, r.text


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_bytes_are_a_2xx_or_4xx(client: TestClient, token: str, body: bytes) -> None:
    r = client.post(URL, content=body, headers=_h(token))
    assert 200 <= r.status_code < 500, r.text


@FUZZ
@given(junk=st.lists(junk_readings, max_size=8), slots=st.lists(st.integers(0, 8), max_size=4))
def test_good_readings_survive_junk_in_the_same_batch(
    client: TestClient,
    uow: UnitOfWork,
    token: str,
    junk: list[Any],
    slots: list[int],
) -> None:
    readings, good = list(junk), []
    for slot in slots:
        reading = _good()
        readings.insert(min(slot, len(readings)), reading)
        good.append(reading)
    r = client.post(URL, content=json.dumps({"readings": readings}), headers=_h(token))
    assert r.status_code == 200, r.text
    refused = {x["index"] for x in r.json()["rejected"]}
    for reading in good:
        index = next(i for i, x in enumerate(readings) if x is reading)
        assert index not in refused
        ts_ms = int(datetime.fromisoformat(reading["ts"]).timestamp() * 1000)
        row = uow.session.scalar(
            select(Reading.value).where(Reading.ts_ms == ts_ms, Reading.metric == "level_m")
        )
        assert row is not None


@pytest.fixture
def token(make_device: MakeDevice) -> str:
    """A gauge to post for (plus a neighbour); lives across the examples of one test."""
    make_device("aq-fuzz", "air_quality")
    return make_device("wl-fuzz").token


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "content-type": "application/json"}
