"""The frame: health, problem+json errors, body limits."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_reports_database_ready(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "not_configured"


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    r = client.get("/api/nope")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title_th"]
