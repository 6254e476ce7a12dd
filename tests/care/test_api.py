"""The care REST API: permissions, zone scopes, audited reads, search, consent, ADL, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from tests.care.support import (
    MARKET,
    WEST,
    adl_body,
    consent_body,
    household_body,
    national_id,
    person_body,
    wrong_check_digit,
)

PROBLEM = "application/problem+json"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["detail"] and body["detail_th"] and body["title_th"]
    return body


def _register(
    client: TestClient, h: dict[str, str], at: tuple[float, float] = MARKET, **extra: Any
) -> dict[str, Any]:
    home = _ok(client.post("/api/care/households", json=household_body(at), headers=h), 201)
    body = person_body(home["id"], **extra)
    return _ok(client.post("/api/care/people", json=body, headers=h), 201)  # type: ignore[no-any-return]


def _audit(uow: UnitOfWork, action: str) -> list[AuditEntry]:
    uow.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    return list(uow.session.scalars(stmt))


def test_register_and_read_a_person(
    client: TestClient, as_role, sample: ImportReport, uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    created = _register(client, h, national_id=national_id())
    assert created["sensitive"] is None and created["zone_id"] is not None
    assert (
        created["phones"] == ["+66812345678"]
        and created["national_id_masked"] == "x-xxxx-xxxxx-45-6"
    )
    assert created["elderly"] is True and created["age"] >= 70
    person = _ok(client.get(f"/api/care/people/{created['id']}", headers=h))
    assert person["sensitive"]["care_notes"] == "แพ้ยาเพนิซิลลิน"
    assert person["sensitive"]["national_id"] is None
    assert len(_audit(uow, "care.person.read")) == 1
    full = _ok(client.get(f"/api/care/people/{created['id']}?reveal_national_id=true", headers=h))
    assert full["sensitive"]["national_id"] == "1-1017-00123-45-6"
    reads = _audit(uow, "care.person.read")
    assert len(reads) == 2 and "national_id" in reads[-1].detail
    assert reads[-1].actor_name.startswith("care_manager")
    home = _ok(client.get(f"/api/care/households/{created['household_id']}", headers=h))
    assert home["members"][0]["display_name"] == "สมศรี มีสุข"
    assert home["address_th"].startswith("12/3 หมู่ 4") and home["address_th"].endswith("66000")


def test_roles_without_care_actions_are_refused(
    client: TestClient, as_role, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    created = _register(client, as_role("care_manager"))
    for role in ("police", "technician", "responder", "operator"):
        h = as_role(role)
        _problem(client.get("/api/care/people", headers=h), 403)
        _problem(client.get(f"/api/care/people/{created['id']}", headers=h), 403)
        _problem(client.post("/api/care/households", json=household_body(), headers=h), 403)
    _problem(client.get("/api/care/people"), 401)


def test_zone_scoped_health_worker(
    client: TestClient, as_role, uow: UnitOfWork, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    manager = as_role("care_manager")
    here = _register(client, manager, MARKET)
    there = _register(client, manager, WEST, given_name="บุญมี", family_name="ศรีน่าน", phones=[])
    zone = geo.zone_at(uow.session, *MARKET)
    assert zone is not None and here["zone_id"] == zone.id != there["zone_id"]
    worker = as_role("health_worker", zones=[zone.id])
    listed = _ok(client.get("/api/care/people", headers=worker))
    assert [p["id"] for p in listed["items"]] == [here["id"]] and listed["total"] == 1
    _ok(client.get(f"/api/care/people/{here['id']}", headers=worker))
    _problem(client.get(f"/api/care/people/{there['id']}", headers=worker), 404)
    _problem(client.get(f"/api/care/households/{there['household_id']}", headers=worker), 404)
    _problem(
        client.patch(
            f"/api/care/people/{there['id']}", json={"language_notes": "x"}, headers=worker
        ),
        404,
    )
    _problem(client.get(f"/api/care/people/{there['id']}/consents", headers=worker), 404)
    # Registering a home outside their zones is refused.
    _problem(client.post("/api/care/households", json=household_body(WEST), headers=worker), 403)
    homes = _ok(client.get("/api/care/households", headers=worker))
    assert [h["id"] for h in homes["items"]] == [here["household_id"]]


def test_search_by_thai_name_and_phone(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    somsri = _register(client, h)
    _register(
        client,
        h,
        given_name="บุญมี",
        family_name="ศรีน่าน",
        given_name_en="Boonmee",
        family_name_en="Srinan",
        phones=["056-611-234"],
    )

    def found(**params: str) -> list[int]:
        return [
            p["id"] for p in _ok(client.get("/api/care/people", params=params, headers=h))["items"]
        ]

    assert found(q="สมศรี") == [somsri["id"]]
    assert found(q="มีสุข") == [somsri["id"]]
    assert found(q="Somsri Meesuk") == [somsri["id"]]
    assert found(phone="5678") == [somsri["id"]] and found(phone="081 234 5678") == [somsri["id"]]
    assert len(found(q="ศรี")) == 2  # a segment both names share
    body = _problem(client.get("/api/care/people?phone=12", headers=h), 422)
    assert body["errors"][0]["field"] == "phone"


def test_filters_and_paging(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    a = _register(client, h, oxygen_dependent=True, lives_alone=True)
    _register(client, h, given_name="บุญมี", family_name="ศรีน่าน", phones=[], oxygen_dependent=True)
    page = _ok(client.get("/api/care/people?flag=oxygen_dependent&flag=lives_alone", headers=h))
    assert [p["id"] for p in page["items"]] == [a["id"]]
    page = _ok(client.get("/api/care/people?per_page=1&page=2", headers=h))
    assert page["total"] == 2 and len(page["items"]) == 1
    _problem(client.get("/api/care/people?flag=rich", headers=h), 422)
    _problem(client.get("/api/care/people?group=fine", headers=h), 422)
    _problem(client.get("/api/care/people?zone_id=abc", headers=h), 422)


def test_duplicates_over_http(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    first = _register(client, h, national_id=national_id())
    again = person_body(
        first["household_id"], national_id=national_id(), given_name="คนอื่น", phones=[]
    )
    body = _problem(client.post("/api/care/people?force=true", json=again, headers=h), 409)
    assert body["errors"][0]["id"] == first["id"]
    same = person_body(first["household_id"])
    body = _problem(client.post("/api/care/people", json=same, headers=h), 409)
    assert body["errors"][0]["id"] == first["id"] and "candidates" in body["detail"]
    _ok(client.post("/api/care/people?force=true", json=same, headers=h), 201)


def test_bad_input_is_a_bilingual_4xx(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    home = _ok(client.post("/api/care/households", json=household_body(), headers=h), 201)
    bad_id = person_body(home["id"], national_id=wrong_check_digit())
    body = _problem(client.post("/api/care/people", json=bad_id, headers=h), 422)
    [err] = body["errors"]
    assert (
        err["field"] == "national_id"
        and "check digit" in err["message"]
        and "เลขตรวจสอบ" in err["message"]
    )
    for value in ("12345", "11017OO123452", 1101700123456):
        r = client.post(
            "/api/care/people", json=person_body(home["id"], national_id=value), headers=h
        )
        _problem(r, 422)
    cases: list[dict[str, Any]] = [
        household_body(postcode="6600"),
        household_body(postcode="abcde"),
        household_body(lat=100),
        {**household_body(), "lat": None},
        {**household_body(), "house_no": ""},
        household_body(lat="north"),
    ]
    for case in cases:
        _problem(client.post("/api/care/households", json=case, headers=h), 422)
    people_cases: list[dict[str, Any]] = [
        person_body(home["id"], phones=["1669"]),
        person_body(home["id"], birth_date="2999-01-01"),
        person_body(home["id"], sex="robot"),
        {**person_body(home["id"]), "household_id": "one"},
        person_body(home["id"], chronic_conditions="เบาหวาน"),
        person_body(home["id"], favourite_colour="blue"),
    ]
    for case in people_cases:
        _problem(client.post("/api/care/people", json=case, headers=h), 422)
    _problem(client.post("/api/care/people", json=person_body(99999), headers=h), 404)
    r = client.post(
        "/api/care/people", content=b"{not json", headers={**h, "content-type": "application/json"}
    )
    _problem(r, 400)
    _problem(client.get("/api/care/people/abc", headers=h), 422)
    _problem(client.get("/api/care/people/999999", headers=h), 404)
    zone_body = {k: v for k, v in household_body().items() if k not in ("lat", "lon")}
    _problem(
        client.post("/api/care/households", json={**zone_body, "zone_id": 999999}, headers=h), 422
    )


def test_consent_share_and_withdrawal_over_http(
    client: TestClient, as_role, sample: ImportReport, uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("health_worker")
    person = _register(client, h, national_id=national_id())
    share = f"/api/care/people/{person['id']}/share"
    body = _problem(client.get(share, params={"purpose": "share_health_unit"}, headers=h), 403)
    assert body["type"] == "/problems/consent-required" and "มาตรา 26" in body["detail_th"]
    consents = f"/api/care/people/{person['id']}/consents"
    given = _ok(client.post(consents, json=consent_body("share_health_unit"), headers=h), 201)
    assert given["active"] is True and given["recorded_by"].startswith("health_worker")
    shared = _ok(client.get(share, params={"purpose": "share_health_unit"}, headers=h))
    assert shared["legal_basis"] == "consent" and shared["person"]["sensitive"]["national_id"]
    assert len(_audit(uow, "care.person.shared")) == 1
    withdraw = {"withdrawn_by": "ตัวผู้ให้ความยินยอมเอง"}
    gone = _ok(client.post(f"{consents}/{given['id']}/withdraw", json=withdraw, headers=h))
    assert gone["active"] is False and gone["withdrawn_at"]
    _problem(client.get(share, params={"purpose": "share_health_unit"}, headers=h), 403)
    listed = _ok(client.get(consents, headers=h))
    assert [c["id"] for c in listed] == [given["id"]]
    _problem(client.get(share, params={"purpose": "care"}, headers=h), 422)
    guardian = consent_body(given_by="guardian")
    body = _problem(client.post(consents, json=guardian, headers=h), 422)
    assert "guardian" in body["errors"][0]["message"]


def test_adl_over_http(client: TestClient, as_role, sample: ImportReport, uow: UnitOfWork) -> None:  # type: ignore[no-untyped-def]
    h = as_role("health_worker")
    person = _register(client, h)
    adl = f"/api/care/people/{person['id']}/adl"
    _problem(client.post(adl, json=adl_body(10), headers=h), 403)  # no consent for care yet
    _ok(
        client.post(f"/api/care/people/{person['id']}/consents", json=consent_body(), headers=h),
        201,
    )
    row = _ok(client.post(adl, json=adl_body(11), headers=h), 201)
    assert (row["total"], row["group"], row["group_th"]) == (11, "homebound", "ติดบ้าน")
    row = _ok(client.post(adl, json=adl_body(3), headers=h), 201)
    assert row["group"] == "bedbound"
    now = _ok(client.get(f"/api/care/people/{person['id']}?sensitive=false", headers=h))
    assert now["adl_group"] == "bedbound" and now["adl_group_th"] == "ติดเตียง" and now["bed_bound"]
    assert [a["total"] for a in _ok(client.get(adl, headers=h))] == [3, 11]
    assert len(_audit(uow, "care.adl.group_changed")) == 2
    by_group = _ok(client.get("/api/care/people?group=bedbound", headers=h))
    assert [p["id"] for p in by_group["items"]] == [person["id"]]
    body = _problem(client.post(adl, json={**adl_body(10), "transfer": 4}, headers=h), 422)
    assert body["errors"][0]["field"] == "transfer"
    _problem(client.post(adl, json={**adl_body(10), "feeding": "two"}, headers=h), 422)
    bad_bed = client.patch(f"/api/care/people/{person['id']}", json={"bed_bound": False}, headers=h)
    _problem(bad_bed, 422)


def test_update_household_moves_its_zone(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    person = _register(client, h, MARKET)
    url = f"/api/care/households/{person['household_id']}"
    moved = _ok(client.patch(url, json={"lat": WEST[0], "lon": WEST[1], "soi": "2"}, headers=h))
    assert moved["zone_id"] != person["zone_id"] and moved["soi"] == "2"
    again = _ok(client.get(f"/api/care/people/{person['id']}?sensitive=false", headers=h))
    assert again["zone_id"] == moved["zone_id"]
    _problem(client.patch(url, json={"zone_id": person["zone_id"]}, headers=h), 422)
    _problem(client.patch(url, json={"postcode": "1"}, headers=h), 422)


@pytest.mark.parametrize(
    "path", ["/api/care/people/1/adl", "/api/care/people/1/share?purpose=share_emergency"]
)
def test_sensitive_routes_need_care_sensitive(client: TestClient, as_role, path: str) -> None:  # type: ignore[no-untyped-def]
    _problem(client.get(path, headers=as_role("police")), 403)


def test_nul_characters_are_refused_not_stored(
    client: TestClient, as_role, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL cannot store NUL in text; the API must say 422, never fail with 500.
    h = as_role("care_manager")
    person = _register(client, h)
    body = person_body(person["household_id"], given_name="สม\x00ศรี")
    _problem(client.post("/api/care/people?force=true", json=body, headers=h), 422)
    _problem(client.post("/api/care/households", json=household_body(soi="\x00"), headers=h), 422)
    found = _ok(client.get("/api/care/people", params={"q": "สมศรี\x00"}, headers=h))
    assert [p["id"] for p in found["items"]] == [person["id"]]
