"""Random input at the registry's write and search endpoints: never a 5xx, on either database."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcity.geo.schemas import ImportReport
from tests.care.support import adl_body, consent_body, household_body, person_body

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)  # includes NUL and other control characters
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
PERSON_FIELDS = [*sorted(person_body(1)), "national_id", "emergency_contacts", "caregiver_phone"]


Ctx = tuple[dict[str, str], int, int]


@pytest.fixture
def ctx(client: TestClient, as_role, sample: ImportReport) -> Ctx:  # type: ignore[no-untyped-def]
    """A care manager's headers, a household and a consented person, made once per test."""
    h = as_role("care_manager")
    home = client.post("/api/care/households", json=household_body(), headers=h).json()
    body = person_body(home["id"], phones=[])
    person = client.post("/api/care/people?force=true", json=body, headers=h).json()
    client.post(f"/api/care/people/{person['id']}/consents", json=consent_body(), headers=h)
    return h, home["id"], person["id"]


@FUZZ
@given(field=st.sampled_from(PERSON_FIELDS), value=json_values)
def test_person_fields_never_500(client: TestClient, ctx: Ctx, field: str, value: Any) -> None:
    h, home_id, person_id = ctx
    body = {**person_body(home_id, phones=[]), field: value}
    r = client.post("/api/care/people?force=true", json=body, headers=h)
    assert r.status_code < 500, r.text
    r = client.patch(f"/api/care/people/{person_id}", json={field: value}, headers=h)
    assert r.status_code < 500, r.text


@FUZZ
@given(
    field=st.sampled_from([*sorted(household_body()), "zone_id", "notes"]),
    value=json_values,
    q=st.text(max_size=30),
    phone=st.text(max_size=20),
)
def test_households_and_search_never_500(
    client: TestClient, ctx: Ctx, field: str, value: Any, q: str, phone: str
) -> None:
    h, home_id, _ = ctx
    r = client.post("/api/care/households", json={**household_body(), field: value}, headers=h)
    assert r.status_code < 500, r.text
    r = client.patch(f"/api/care/households/{home_id}", json={field: value}, headers=h)
    assert r.status_code < 500, r.text
    r = client.get("/api/care/people", params={"q": q, "phone": phone}, headers=h)
    assert r.status_code < 500, r.text


@FUZZ
@given(
    adl_field=st.sampled_from([*sorted(adl_body(10)), "assessed_at", "note"]),
    consent_field=st.sampled_from([*sorted(consent_body()), "given_at", "guardian_name"]),
    value=json_values,
    reason=st.text(max_size=40),
)
def test_consent_adl_and_share_never_500(
    client: TestClient,
    ctx: Ctx,
    adl_field: str,
    consent_field: str,
    value: Any,
    reason: str,
) -> None:
    h, _, person_id = ctx
    base = f"/api/care/people/{person_id}"
    r = client.post(f"{base}/adl", json={**adl_body(10), adl_field: value}, headers=h)
    assert r.status_code < 500, r.text
    r = client.post(
        f"{base}/consents",
        json={**consent_body("share_emergency"), consent_field: value},
        headers=h,
    )
    assert r.status_code < 500, r.text
    r = client.get(
        f"{base}/share", params={"purpose": "share_emergency", "reason": reason}, headers=h
    )
    assert r.status_code < 500, r.text
