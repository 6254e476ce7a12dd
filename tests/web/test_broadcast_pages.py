"""Broadcast console pages: permissions, Thai and English, compose from text or a recording,
errors on the form, emergency approval by a second person, send and schedule with a dry run."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams
from smartcity.web.broadcast_pages import LABELS
from tests.broadcast.delivery.harness import WEST
from tests.broadcast.delivery.test_delivery import _devices
from tests.conftest import MakeUser
from tests.integrations.audio_support import ffmpeg_tone, need_tools, random_bytes
from tests.web.test_pages import csrf_of, login


@pytest.fixture(autouse=True)
def _tools() -> None:
    need_tools("ffmpeg", "ffprobe", "sox", "espeak-ng")


@pytest.fixture
def pa(uow: UnitOfWork) -> dict[str, int]:
    """The sample site's zones by code (PA zones pa-west and pa-east), committed."""
    geo.load_sample(uow)
    uow.commit()
    rows, _ = geo.list_zones(uow.session, PageParams(1, 200))
    return {z.code: z.id for z in rows}


@pytest.fixture
def operator(client: TestClient, make_user: MakeUser, pa: dict[str, int]) -> TestClient:
    """A logged-in operator (may read and send broadcasts)."""
    make_user("operator", username="op-bc")
    assert login(client, "op-bc").status_code == 303
    return client


def _compose(client: TestClient, **form: object) -> object:
    data = {"csrf_token": csrf_of(client, "/broadcast"), "mode": "tts", "category": "news"}
    data |= {k: v for k, v in form.items() if k != "files"}
    return client.post(
        "/broadcast/compose", data=data, files=form.get("files"), follow_redirects=False
    )


def _id_of(location: str) -> int:
    found = re.search(r"/broadcast/announcements/(\d+)$", location)
    assert found, location
    return int(found.group(1))


def test_every_category_status_and_priority_has_both_languages() -> None:
    for key in ("cat.news", "cat.emergency", "st.draft", "st.sent", "pr.emergency", "waiting"):
        th, en = LABELS[key]
        assert th and en and th != en
    assert [key for key, (th, en) in LABELS.items() if not (th and en)] == []
    for key in ("stop", "stop_confirm", "stopped_by", "res.playing", "res.stopped", "dst.sending"):
        assert LABELS[key][0] != LABELS[key][1]


def test_nav_and_console_need_broadcast_read(
    client: TestClient, make_user: MakeUser, pa: dict[str, int]
) -> None:
    make_user("police", username="pol-bc")
    assert login(client, "pol-bc").status_code == 303
    assert "/broadcast" not in client.get("/").text
    assert client.get("/broadcast").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    assert client.get("/broadcast", follow_redirects=False).status_code == 303  # to log in


def test_console_in_thai_and_english(operator: TestClient) -> None:
    th = operator.get("/broadcast")
    assert th.status_code == 200 and "เสียงตามสาย" in th.text and "สร้างประกาศ" in th.text
    assert 'data-zone-box="' in th.text and "data-zones-geojson" in th.text
    operator.get("/lang/en")
    en = operator.get("/broadcast")
    assert "New announcement" in en.text and "low quality for Thai" in en.text


def test_compose_tts_then_listen_search_and_filter(
    operator: TestClient, pa: dict[str, int]
) -> None:
    r = _compose(operator, title="ข่าวเช้า", text="สวัสดีชาวพิจิตร", zone_ids=[pa["pa-west"]])
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    ann = _id_of(r.headers["location"])  # type: ignore[attr-defined]
    page = operator.get(f"/broadcast/announcements/{ann}")
    assert f'src="/api/broadcast/announcements/{ann}/audio"' in page.text
    assert "คุณภาพต่ำสำหรับภาษาไทย" in page.text  # espeak-ng is labelled
    audio = operator.get(f"/api/broadcast/announcements/{ann}/audio")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    _compose(operator, title="งานวัด", text="งานวัดท่าหลวง", category="event")
    found = operator.get("/broadcast", params={"q": "งานวัด"})
    assert found.text.count("data-announcement=") == 1 and "งานวัด" in found.text
    news = operator.get(
        "/broadcast",
        params={"category": "news"},
        headers={"hx-request": "true", "hx-target": "results"},
    )
    assert news.text.count("data-announcement=") == 1 and "ข่าวเช้า" in news.text
    assert "<html" not in news.text  # htmx gets only the results


def test_bad_recording_and_empty_text_show_errors_on_the_form(
    operator: TestClient, tmp_path: Path, pa: dict[str, int]
) -> None:
    junk = random_bytes(tmp_path / "x.mp3")
    with junk.open("rb") as fh:
        r = _compose(
            operator, title="เสีย", mode="upload", files={"file": ("x.mp3", fh, "audio/mpeg")}
        )
    assert r.status_code == 422 and "data-form-error" in r.text  # type: ignore[attr-defined]
    assert 'value="เสีย"' in r.text  # type: ignore[attr-defined]
    missing = _compose(operator, title="ไม่มีไฟล์", mode="upload")
    assert missing.status_code == 422 and "โปรดเลือกไฟล์เสียง" in missing.text  # type: ignore[attr-defined]
    empty = _compose(operator, title="ว่าง", text="")
    assert empty.status_code == 422 and "text" in empty.text  # type: ignore[attr-defined]
    bad_zone = _compose(operator, title="ผิดเขต", text="ทดสอบ", zone_ids=[pa["pa-west"] + 999])
    assert bad_zone.status_code == 422 and "ไม่ใช่เขตเสียงตามสาย" in bad_zone.text  # type: ignore[attr-defined]
    assert operator.get("/broadcast").text.count("data-announcement=") == 0


def test_upload_a_recording(operator: TestClient, tmp_path: Path) -> None:
    mp3 = ffmpeg_tone(tmp_path / "tone.mp3", 2.0)
    with mp3.open("rb") as fh:
        r = _compose(
            operator, title="เพลง", mode="upload", files={"file": ("t.mp3", fh, "audio/mpeg")}
        )
    assert r.status_code == 303  # type: ignore[attr-defined]


def test_emergency_waits_for_a_second_approver_then_sends(
    operator: TestClient, client: TestClient, make_user: MakeUser, pa: dict[str, int]
) -> None:
    r = _compose(
        operator,
        title="น้ำท่วม",
        text="ระดับน้ำสูง",
        priority="emergency",
        category="emergency",
        zone_ids=[pa["pa-west"]],
    )
    ann = _id_of(r.headers["location"])  # type: ignore[attr-defined]
    mine = operator.get(f"/broadcast/announcements/{ann}")
    assert "data-waiting" in mine.text and "data-approve" not in mine.text
    token = csrf_of(operator, "/broadcast")
    refused = operator.post(f"/broadcast/announcements/{ann}/approve", data={"csrf_token": token})
    assert refused.status_code == 403 and "บุคคลที่สอง" in refused.text
    operator.post("/logout", data={"csrf_token": token})
    make_user("operator", username="op-second")
    login(client, "op-second")
    other = client.get(f"/broadcast/announcements/{ann}")
    assert "data-approve" in other.text
    token = csrf_of(client, "/broadcast")
    ok = client.post(
        f"/broadcast/announcements/{ann}/approve",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    approved = client.get(f"/broadcast/announcements/{ann}")
    assert 'data-status="approved"' in approved.text and "data-send" in approved.text
    # no speaker stands in the sample PA zone: the error is shown on the page, nothing sent
    sent = client.post(
        f"/broadcast/announcements/{ann}/send",
        data={"csrf_token": token, "zone_ids": [pa["pa-west"]]},
    )
    assert sent.status_code == 422 and "ไม่มีลำโพง" in sent.text


def test_schedule_shows_the_dry_run_before_saving(operator: TestClient, pa: dict[str, int]) -> None:
    r = _compose(operator, title="ข่าวเช้า", text="ข่าว", zone_ids=[pa["pa-west"]])
    ann = _id_of(r.headers["location"])  # type: ignore[attr-defined]
    token = csrf_of(operator, "/broadcast")
    operator.post(f"/broadcast/announcements/{ann}/approve", data={"csrf_token": token})
    form = {
        "csrf_token": token,
        "kind": "daily",
        "start_date": (date.today() + timedelta(days=1)).isoformat(),
        "time_of_day": "07:30",
        "zone_ids": [pa["pa-west"]],
    }
    check = operator.post(f"/broadcast/announcements/{ann}/schedule", data=form)
    assert check.status_code == 200 and 'data-conflicts="0"' in check.text
    saved = operator.post(
        f"/broadcast/announcements/{ann}/schedule",
        data=form | {"step": "save"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    again = operator.post(f"/broadcast/announcements/{ann}/schedule", data=form)
    assert 'data-conflicts="0"' not in again.text and "เวลาชนกับประกาศอื่น" in again.text
    refused = operator.post(
        f"/broadcast/announcements/{ann}/schedule", data=form | {"step": "save"}
    )
    assert refused.status_code == 422  # a conflict is not saved without "save anyway"
    forced = operator.post(
        f"/broadcast/announcements/{ann}/schedule",
        data=form | {"step": "force"},
        follow_redirects=False,
    )
    assert forced.status_code == 303
    bad = operator.post(
        f"/broadcast/announcements/{ann}/schedule", data=form | {"time_of_day": "25:99"}
    )
    assert bad.status_code == 422 and "data-form-error" in bad.text
    weekly = operator.post(
        f"/broadcast/announcements/{ann}/schedule", data=form | {"kind": "weekly"}
    )
    assert weekly.status_code == 422 and "weekday" in weekly.text


def test_zone_picker_shows_how_many_speakers_each_zone_reaches(
    operator: TestClient, uow: UnitOfWork, settings: Settings, pa: dict[str, int]
) -> None:
    _devices(uow, settings, sa=WEST, sb=WEST)
    uow.commit()
    page = operator.get("/broadcast").text
    assert f'data-zone-speakers="{pa["pa-west"]}" data-count="2"' in page
    assert f'data-zone-speakers="{pa["pa-east"]}" data-count="0"' in page
