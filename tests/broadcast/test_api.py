"""The broadcast REST API: uploads, bad audio, approval, schedules, calendar, next-due and CAP."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity.integrations import cap
from tests.integrations.audio_support import ffmpeg_tone, random_bytes, truncated
from tests.integrations.cap_support import PHICHIT_FLOOD, serve

PROBLEM = "application/problem+json"
pytestmark = pytest.mark.usefixtures("tools")


def _upload(client: TestClient, h: dict[str, str], path: Path, **form: Any) -> Any:
    data = {"title": "ข่าวเช้า", "category": "news", **form}
    with path.open("rb") as fh:
        return client.post(
            "/api/broadcast/announcements/upload",
            headers=h,
            data=data,
            files={"file": (path.name, fh, "audio/mpeg")},
        )


def _approved(client: TestClient, tmp_path: Path, as_role, **form: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    mp3 = ffmpeg_tone(tmp_path / f"a{len(form)}.mp3", 2.0)
    made = _upload(client, as_role("operator"), mp3, **form)
    assert made.status_code == 201, made.text
    ok = client.post(
        f"/api/broadcast/announcements/{made.json()['id']}/approve", headers=as_role("admin")
    )
    assert ok.status_code == 200, ok.text
    return dict(ok.json())


def test_upload_then_listen_search_and_paginate(
    client: TestClient, as_role, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    r = _upload(client, h, ffmpeg_tone(tmp_path / "news.mp3", 2.0), chime="true")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "draft" and body["has_audio"] and body["chime"]
    assert body["duration_s"] == pytest.approx(5.0, abs=0.2)  # two chimes of 1.5 s
    got = client.get(f"/api/broadcast/announcements/{body['id']}/audio", headers=h)
    assert got.status_code == 200 and got.headers["content-type"] == "audio/mpeg"
    assert got.headers["x-checksum-sha256"] == body["checksum"]
    _upload(client, h, ffmpeg_tone(tmp_path / "b.mp3", 1.0), title="งานวัด", category="event")
    page = client.get("/api/broadcast/announcements?per_page=1&page=2", headers=h).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    found = client.get("/api/broadcast/announcements", params={"q": "งานวัด"}, headers=h).json()
    assert [a["category"] for a in found["items"]] == ["event"]


@pytest.mark.parametrize("kind", ["random", "truncated"])
def test_bad_audio_is_a_bilingual_422(
    client: TestClient, as_role, tmp_path: Path, kind: str
) -> None:  # type: ignore[no-untyped-def]
    if kind == "random":
        path = random_bytes(tmp_path / "x.mp3")
    else:
        path = truncated(ffmpeg_tone(tmp_path / "full.mp3", 6.0), tmp_path / "cut.mp3")
    r = _upload(client, as_role("operator"), path)
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["detail"] != body["detail_th"] and body["errors"][0]["field"] == "file"


def test_bad_form_input_is_4xx_never_500(client: TestClient, as_role, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    mp3 = ffmpeg_tone(tmp_path / "a.mp3", 1.0)
    assert _upload(client, h, mp3, languages="th,fr").status_code == 422
    assert _upload(client, h, mp3, zone_ids="1,x").status_code == 422
    assert _upload(client, h, mp3, zone_ids="424242").status_code == 422
    assert _upload(client, h, mp3, category="sports").status_code == 422
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    assert _upload(client, h, empty).status_code == 422
    big = tmp_path / "big.wav"
    big.write_bytes(b"\0" * 100_000)
    assert _upload(client, h, big).status_code == 413


def test_permissions(client: TestClient, as_role, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    police = as_role("police")
    assert client.get("/api/broadcast/announcements", headers=police).status_code == 403
    assert client.get("/api/broadcast/next-due").status_code == 401
    r = _upload(client, as_role("technician"), ffmpeg_tone(tmp_path / "a.mp3", 1.0))
    assert r.status_code == 403


def test_emergency_second_approver_over_http(client: TestClient, as_role, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    op = as_role("operator")
    made = _upload(client, op, ffmpeg_tone(tmp_path / "e.mp3", 1.0), priority="emergency").json()
    own = client.post(f"/api/broadcast/announcements/{made['id']}/approve", headers=op)
    assert own.status_code == 403 and "second person" in own.json()["detail"]
    other = client.post(
        f"/api/broadcast/announcements/{made['id']}/approve", headers=as_role("admin")
    )
    assert other.status_code == 200 and other.json()["status"] == "approved"


def test_schedule_dry_run_conflict_409_force_calendar_and_next_due(
    client: TestClient, as_role, tmp_path: Path, pa: dict[str, int]
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    a = _approved(client, tmp_path, as_role)
    b = _approved(client, tmp_path, as_role, title="สุขภาพ")
    start = (date.today() + timedelta(days=2)).isoformat()
    body = {
        "announcement_id": a["id"],
        "kind": "daily",
        "start_date": start,
        "time_of_day": "07:00:00",
        "zone_ids": [pa["pa-west"]],
    }
    r = client.post("/api/broadcast/schedules", json=body, headers=h)
    assert r.status_code == 201, r.text
    clash = body | {"announcement_id": b["id"], "time_of_day": "07:00:01"}
    dry = client.post("/api/broadcast/schedules/check", json=clash, headers=h).json()
    assert dry["total"] > 0 and dry["conflicts"][0]["schedule_id"] == r.json()["id"]
    refused = client.post("/api/broadcast/schedules", json=clash, headers=h)
    assert refused.status_code == 409 and refused.json()["errors"][0]["zone_id"] == pa["pa-west"]
    assert refused.json()["detail_th"] != refused.json()["detail"]
    forced = client.post("/api/broadcast/schedules?force=true", json=clash, headers=h)
    assert forced.status_code == 201
    cal = client.get(
        "/api/broadcast/calendar", params={"start": start, "end": start}, headers=h
    ).json()
    assert len(cal) == 2
    due = client.get("/api/broadcast/next-due?horizon_minutes=10080", headers=h).json()
    assert [s["announcement_id"] for s in due[:2]] == [a["id"], b["id"]]
    assert due == sorted(due, key=lambda s: s["start"])
    gone = client.delete(f"/api/broadcast/schedules/{forced.json()['id']}", headers=h)
    assert gone.status_code == 204
    out = client.get("/api/broadcast/slot-outcomes?outcome=cancelled", headers=h).json()
    assert out["total"] == 1
    bad = body | {"kind": "weekly"}
    assert client.post("/api/broadcast/schedules", json=bad, headers=h).status_code == 422
    assert client.get("/api/broadcast/schedules/999999", headers=h).status_code == 404
    assert (
        client.get("/api/broadcast/calendar?start=2030-01-01&end=2031-01-01", headers=h).status_code
        == 422
    )


def test_cap_export_ingest_upload_and_url(
    client: TestClient, as_role, tmp_path: Path, pa: dict[str, int]
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    a = _approved(client, tmp_path, as_role, zone_ids=str(pa["pa-east"]), languages="th,en")
    r = client.get(f"/api/broadcast/announcements/{a['id']}/cap", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
    cap.validate(r.content)
    files = {"file": ("alert.xml", PHICHIT_FLOOD.read_bytes(), "application/xml")}
    up = client.post("/api/broadcast/cap/ingest", files=files, headers=h)
    assert up.status_code == 201, up.text
    assert up.json()["zone_codes"] == ["pa-west"]
    assert up.json()["announcement"]["status"] == "draft"
    junk = {"file": ("alert.xml", b"<alert>", "application/xml")}
    bad = client.post("/api/broadcast/cap/ingest", files=junk, headers=h)
    assert bad.status_code == 422 and bad.json()["detail_th"]
    alert = cap.parse(PHICHIT_FLOOD.read_bytes())
    alert.identifier = "SAMPLE-PHICHIT-FLOOD-2026-002"
    with serve({"/feed.xml": (200, cap.build(alert))}) as base:
        url = client.post(
            "/api/broadcast/cap/ingest-url", json={"url": f"{base}/feed.xml"}, headers=h
        )
        missing = client.post(
            "/api/broadcast/cap/ingest-url", json={"url": f"{base}/nope"}, headers=h
        )
    assert url.status_code == 201 and url.json()["zone_codes"] == ["pa-west"]
    assert url.json()["announcement"]["id"] != up.json()["announcement"]["id"]
    assert missing.status_code == 422 and "404" in missing.json()["detail"]
    engines = client.get("/api/broadcast/tts/engines", headers=h).json()
    assert engines[0]["name"] == "espeak-ng" and engines[0]["quality"] == "low"


def test_tts_and_compose_over_http(client: TestClient, as_role, pa: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    from tests.integrations.audio_support import need_tools

    need_tools("espeak-ng")
    h = as_role("operator")
    body = {"title": "ประกาศ", "text": "ขอเชิญร่วมงาน", "zone_ids": [pa["pa-west"]]}
    r = client.post("/api/broadcast/announcements/tts", json=body, headers=h)
    assert r.status_code == 201 and r.json()["tts_quality"] == "low", r.text
    nope = client.post("/api/broadcast/announcements/tts", json=body | {"engine": "x"}, headers=h)
    assert nope.status_code == 422 and nope.json()["detail_th"]
    info = {"language": "th-TH", "event": "น้ำท่วม", "urgency": "Immediate"}
    info |= {"severity": "Severe", "certainty": "Likely"}
    composed = client.post(
        "/api/broadcast/cap/compose", json={"infos": [info], "zone_ids": [pa["pa-west"]]}, headers=h
    )
    assert composed.status_code == 200
    cap.validate(composed.content)
    no_area = client.post("/api/broadcast/cap/compose", json={"infos": [info]}, headers=h)
    assert no_area.status_code == 422
