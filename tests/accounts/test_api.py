"""Users and agencies through the API: search, pagination and bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_create_user_and_search_with_pagination(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("admin")
    agency = client.post(
        "/api/agencies",
        json={"code": "phc-1", "name_th": "รพ.สต. หนึ่ง", "kind": "health_unit"},
        headers=admin,
    ).json()
    for i in range(7):
        body = {
            "username": f"nurse{i}",
            "full_name": f"พยาบาล คนที่ {i}",
            "password": "long-enough-password",
            "memberships": [{"agency_id": agency["id"], "role": "health_worker"}],
        }
        assert client.post("/api/users", json=body, headers=admin).status_code == 201
    page = client.get("/api/users?q=nurse&per_page=3&page=3", headers=admin).json()
    assert page["total"] == 7 and page["page"] == 3 and len(page["items"]) == 1
    thai = client.get("/api/users", params={"q": "พยาบาล"}, headers=admin).json()
    assert thai["total"] == 7
    assert "password_hash" not in thai["items"][0]


def test_duplicate_username_is_409(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("admin")
    body = {"username": "dup", "full_name": "Dup", "password": "long-enough-password"}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    r = client.post("/api/users", json=body, headers=admin)
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "username"


def test_wrong_types_give_field_errors(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    body = {"username": "x", "full_name": 5, "password": "short", "memberships": "no"}
    r = client.post("/api/users", json=body, headers=as_role("admin"))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"username", "full_name", "password", "memberships"} <= fields


def test_unknown_role_and_agency_are_rejected(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("admin")
    body = {
        "username": "someone",
        "full_name": "Someone",
        "password": "long-enough-password",
        "memberships": [{"agency_id": 99999, "role": "wizard"}],
    }
    assert client.post("/api/users", json=body, headers=admin).status_code == 422
    body["memberships"] = [{"agency_id": 99999, "role": "operator"}]
    r = client.post("/api/users", json=body, headers=admin)
    assert r.status_code == 404 and "99999" in r.json()["detail"]


def test_malformed_json_is_400(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    headers = {**as_role("admin"), "Content-Type": "application/json"}
    r = client.post("/api/agencies", content=b'{"code": ', headers=headers)
    assert r.status_code == 400
    assert r.json()["title_th"] == "JSON ไม่ถูกต้อง"


def test_oversized_body_is_413(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    headers = {**as_role("admin"), "Content-Type": "application/json"}
    r = client.post("/api/agencies", content=b"x" * 70_000, headers=headers)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")


def test_unknown_ids_are_404(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("admin")
    assert client.get("/api/users/424242", headers=admin).status_code == 404
    assert client.get("/api/agencies/424242", headers=admin).status_code == 404
    assert client.get("/api/users/not-a-number", headers=admin).status_code == 422
