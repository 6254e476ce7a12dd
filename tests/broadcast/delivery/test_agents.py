"""Real speaker-agent processes on a real broker: played, retried, refused, pre-empted, skewed."""

from __future__ import annotations

import pytest

from tests.broadcast.delivery.harness import City, set_policy, wait_for


def test_three_agents_play_and_the_report_says_so(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_policy(monkeypatch, lead_s=1, ack_grace_s=5, retries=1)
    codes = ["spk-1", "spk-2", "spk-3"]
    for code in codes:
        city.add_speaker(code)
        city.agent(code)
    city.wait_connected(codes)
    ann = city.announcement("ข่าวเช้า", 2.0)
    sent = city.send(ann.id)
    assert sent["counts"]["pending"] == 3 and sent["delivery"]["attempts"] == 1
    report = city.settle(sent["delivery"]["id"])
    assert report["counts"] == {
        "played": 3,
        "playing": 0,
        "failed": 0,
        "no_answer": 0,
        "pending": 0,
    }
    assert report["delivery"]["outcome"] == "played"
    assert [z["flagged"] for z in report["zones"]] == [False]
    for code in codes:
        assert city.statuses(code) == ["received", "started", "succeeded"]


def test_silent_speaker_is_retried_then_reported(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spk-1 plays; spk-2 is down at first and plays on the retry; spk-3 never answers."""
    set_policy(monkeypatch, lead_s=1, ack_grace_s=3, retries=1)
    for code in ("spk-1", "spk-2", "spk-3"):
        city.add_speaker(code)
    city.agent("spk-1")
    city.wait_connected(["spk-1"])
    ann = city.announcement("ข่าวบ่าย", 1.0)
    delivery_id = city.send(ann.id)["delivery"]["id"]
    wait_for(lambda: "succeeded" in city.statuses("spk-1"), 30, "spk-1 to play")
    # The broker carried the answer; ingest stores it a batch later (linger plus commit).
    wait_for(lambda: _result(city, delivery_id, "spk-1") == "played", 10, "spk-1 stored")
    first = city.report(delivery_id)
    assert {s["code"]: s["result"] for s in first["speakers"]} == {
        "spk-1": "played",
        "spk-2": "pending",  # published while it was down: it will never answer this one
        "spk-3": "pending",
    }
    city.agent("spk-2")  # back before the retry
    city.wait_connected(["spk-2"])
    report = city.settle(delivery_id)
    results = {s["code"]: (s["result"], s["attempts"]) for s in report["speakers"]}
    assert results == {"spk-1": ("played", 1), "spk-2": ("played", 2), "spk-3": ("no_answer", 2)}
    assert report["delivery"]["outcome"] == "partial"
    assert report["zones"][0] | {"zone_id": 0} == {
        "zone_id": 0,
        "speakers": 3,
        "played": 2,
        "result": "partial",
        "flagged": True,
    }
    flagged = city.http.get("/api/broadcast/deliveries/flagged-zones").json()
    assert [f["properties"]["code"] for f in flagged["features"]] == ["pa-west"]
    assert flagged["features"][0]["properties"]["delivery_id"] == delivery_id


def test_changed_audio_fails_with_a_checksum_reason(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_policy(monkeypatch, lead_s=1, ack_grace_s=3, retries=0)
    city.add_speaker("spk-1")
    city.agent("spk-1")
    city.wait_connected(["spk-1"])
    ann = city.announcement("ข่าวเสีย", 1.0)
    stored = next((city.settings.data_dir / "audio").glob("*.mp3"))
    stored.write_bytes(stored.read_bytes()[:-100] + b"\0" * 100)  # damaged on disk after upload
    report = city.settle(city.send(ann.id)["delivery"]["id"])
    (speaker,) = report["speakers"]
    assert speaker["result"] == "failed"
    assert speaker["reason"].startswith("checksum-mismatch")
    assert report["delivery"]["outcome"] == "failed"
    assert city.statuses("spk-1") == ["received", "failed"]  # never played


def test_emergency_preempts_a_long_routine_which_plays_again_after(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_policy(monkeypatch, lead_s=1, ack_grace_s=30, retries=0)
    city.add_speaker("spk-1")
    city.agent("spk-1")
    city.wait_connected(["spk-1"])
    routine = city.announcement("ข่าวยาว", 6.0)
    emergency = city.announcement("น้ำท่วม", 1.0, priority="emergency")
    routine_id = city.send(routine.id)["delivery"]["id"]
    wait_for(lambda: "started" in city.statuses("spk-1"), 30, "the routine to start")
    emergency_id = city.send(emergency.id)["delivery"]["id"]
    wait_for(lambda: city.statuses("spk-1").count("succeeded") == 2, 60, "both to finish")
    cmd_routine, cmd_emergency = (
        city.report(i)["delivery"]["batches"][0] for i in (routine_id, emergency_id)
    )
    assert cmd_routine and cmd_emergency
    order = [(c, s) for c, s, _ in city.acks.of("spk-1") if s in ("started", "succeeded")]
    # Routine starts, the emergency cuts in and ends, then the routine plays again to its end.
    kinds = [("E" if i == order[2][0] else "R", s) for i, s in order]
    assert kinds == [
        ("R", "started"),
        ("E", "started"),
        ("E", "succeeded"),
        ("R", "started"),
        ("R", "succeeded"),
    ]
    assert city.settle(routine_id)["delivery"]["outcome"] == "played"
    assert city.settle(emergency_id)["delivery"]["outcome"] == "played"


def test_two_emergencies_at_once_play_one_after_the_other(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_policy(monkeypatch, lead_s=1, ack_grace_s=30, retries=0)
    city.add_speaker("spk-1")
    city.agent("spk-1")
    city.wait_connected(["spk-1"])
    first = city.announcement("น้ำท่วม 1", 2.0, priority="emergency")
    second = city.announcement("น้ำท่วม 2", 2.0, priority="emergency")
    ids = [city.send(a.id)["delivery"]["id"] for a in (first, second)]
    wait_for(lambda: city.statuses("spk-1").count("succeeded") == 2, 60, "both emergencies")
    order = [(c, s) for c, s, _ in city.acks.of("spk-1") if s in ("started", "succeeded")]
    a, b = order[0][0], order[2][0]
    assert a != b
    assert order == [(a, "started"), (a, "succeeded"), (b, "started"), (b, "succeeded")]
    assert [city.settle(i)["delivery"]["outcome"] for i in ids] == ["played", "played"]


def test_broker_restart_mid_broadcast_still_completes(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_policy(monkeypatch, lead_s=1, ack_grace_s=30, retries=0)
    for code in ("spk-1", "spk-2"):
        city.add_speaker(code)
        city.agent(code)
    city.wait_connected(["spk-1", "spk-2"])
    ann = city.announcement("ข่าวยาว", 5.0)
    delivery_id = city.send(ann.id)["delivery"]["id"]
    wait_for(lambda: all("started" in city.statuses(c) for c in ("spk-1", "spk-2")), 30, "playback")
    city.broker.stop()  # the succeeded acks are sent while the broker is away
    wait_for(lambda: all("succeeded" in _log(city, c) for c in ("spk-1", "spk-2")), 30, "ends")
    city.broker.start()
    report = city.settle(delivery_id)
    assert report["counts"]["played"] == 2, report["speakers"]


def test_clock_skew_within_tolerance_plays_beyond_it_fails(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_policy(monkeypatch, lead_s=1, ack_grace_s=5, retries=0)
    city.add_speaker("spk-fast")
    city.add_speaker("spk-way-off")
    city.agent("spk-fast", "--clock-offset", "20", "--late-tolerance", "30")
    city.agent("spk-way-off", "--clock-offset", "600", "--late-tolerance", "30")
    city.wait_connected(["spk-fast", "spk-way-off"])
    ann = city.announcement("ข่าวเย็น", 1.0)
    report = city.settle(city.send(ann.id)["delivery"]["id"])
    results = {s["code"]: (s["result"], s["reason"][:7]) for s in report["speakers"]}
    assert results == {"spk-fast": ("played", ""), "spk-way-off": ("failed", "expired")}


def _log(city: City, code: str) -> str:
    """What an agent process wrote to its log."""
    return (city.tmp / f"{code}.log").read_text(encoding="utf-8")


def _result(city: City, delivery_id: int, code: str) -> str:
    speakers = city.report(delivery_id)["speakers"]
    return str(next(s["result"] for s in speakers if s["code"] == code))
