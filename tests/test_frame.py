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


def test_health_sees_the_real_broker(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = app.state.settings.model_copy(update={"mqtt_url": "mqtt://127.0.0.1:1883"})
    body = client.get("/api/health").json()
    assert body["broker"]["status"] == "ok"


def test_health_is_503_when_the_broker_is_down(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    # Port 9 (discard) has no listener here: a configured broker that is down.
    app.state.settings = app.state.settings.model_copy(update={"mqtt_url": "mqtt://127.0.0.1:9"})
    r = client.get("/api/health")
    assert r.status_code == 503
    assert r.json()["broker"]["status"] == "down"


def test_health_needs_the_broker_to_speak_mqtt() -> None:
    """A port that accepts TCP but never answers CONNECT (not a broker) is reported down."""
    import socket
    import threading

    from smartcity.health import broker_status

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def accept_and_hang_up() -> None:
        conn, _ = server.accept()
        conn.recv(64)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        conn.close()

    thread = threading.Thread(target=accept_and_hang_up, daemon=True)
    thread.start()
    try:
        status = broker_status(f"mqtt://127.0.0.1:{port}")
    finally:
        thread.join(5)
        server.close()
    assert status["status"] == "down"
    assert status["error"] == "ConnectionError"
