"""The live hub: bounded queues that drop the oldest, thread-safe publishing, heartbeats."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from smartcity.alerts.events import AlertRaised
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.events import Actor, EventBus, UnitOfWork
from smartcity.live import messages, stream
from smartcity.live.handlers import hub_for, register
from smartcity.live.hub import Hub

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _status(device_id: int, new: str) -> DeviceStatusChanged:
    return DeviceStatusChanged(
        device_id=device_id, code=f"d{device_id}", kind="camera", old="online", new=new, at=AT
    )


def test_a_slow_client_loses_the_oldest_messages_and_is_told_how_many() -> None:
    async def scenario() -> None:
        hub = Hub(queue_size=3)
        slow = hub.subscribe(asyncio.get_running_loop())
        for n in range(10):  # nobody reads meanwhile: publishing must not wait
            hub.publish({"type": "status", "id": n})
        batch = await slow.wait(1.0)
        assert batch is not None
        assert [m["id"] for m in batch.messages] == [7, 8, 9]
        assert batch.dropped == 7
        hub.publish({"type": "status", "id": 10})
        again = await slow.wait(1.0)
        assert again is not None and again.dropped == 0 and len(again.messages) == 1

    asyncio.run(scenario())


def test_publishing_from_an_ingest_thread_wakes_the_reader_on_its_loop() -> None:
    async def scenario() -> None:
        hub = Hub()
        reader = hub.subscribe(asyncio.get_running_loop())
        worker = threading.Thread(target=hub.publish, args=({"type": "status", "id": 1},))
        worker.start()
        batch = await reader.wait(10.0)
        worker.join()
        assert batch is not None and batch.messages == [{"type": "status", "id": 1}]

    asyncio.run(scenario())


def test_a_client_whose_loop_is_gone_is_forgotten() -> None:
    hub = Hub()
    loop = asyncio.new_event_loop()
    hub.subscribe(loop)
    loop.close()
    hub.publish({"type": "status", "id": 1})
    assert hub.client_count == 0


def test_the_stream_sends_hello_heartbeats_messages_and_drop_notices() -> None:
    async def scenario() -> list[bytes]:
        hub = Hub(queue_size=2, heartbeat_seconds=0.01)
        subscriber = hub.subscribe(asyncio.get_running_loop())
        events = stream.events(hub, subscriber, None)
        out = [await anext(events), await anext(events)]  # retry, hello
        out.append(await anext(events))  # nothing published: a heartbeat
        for n in range(3):
            hub.publish(messages.status(_status(n, "offline")))
        out += [await anext(events), await anext(events), await anext(events)]
        await events.aclose()
        assert hub.client_count == 0  # closing the stream unsubscribes
        return out

    out = asyncio.run(scenario())
    assert out[0] == b"retry: 3000\n\n"
    assert out[1].startswith(b"event: hello\n")
    assert out[2] == stream.HEARTBEAT
    assert out[3] == b'event: dropped\ndata: {"count":1}\n\n'
    assert out[4].startswith(b"id: 1\nevent: status\ndata: ")
    assert b'"id":1,' in out[4] and b'"id":2,' in out[5]


def test_zone_scoped_clients_see_only_their_devices() -> None:
    telemetry = {"type": "telemetry", "devices": [{"id": 1}, {"id": 2}]}
    assert messages.visible(telemetry, frozenset({2})) == {
        "type": "telemetry",
        "devices": [{"id": 2}],
    }
    assert messages.visible(telemetry, frozenset({3})) is None
    assert messages.visible({"type": "status", "id": 3}, frozenset({3})) is not None
    assert messages.visible({"type": "status", "id": 4}, frozenset({3})) is None
    assert messages.visible(telemetry, None) is telemetry


def test_device_events_reach_the_hub_only_after_commit(uow: UnitOfWork) -> None:
    bus = EventBus()
    hub = register(bus)
    assert hub_for(bus) is hub

    async def scenario() -> None:
        reader = hub.subscribe(asyncio.get_running_loop())
        work = UnitOfWork(uow.session, bus, Actor.system("test"))
        work.emit(_status(5, "offline"))
        latest = ((5, "level_m", AT, 9.9), (5, "battery", AT, 80.0), (6, "pm25", AT, 40.0))
        work.emit(
            TelemetryReceived(
                source="http",
                received_at=AT,
                device_ids=(5, 6),
                metrics=("battery", "level_m", "pm25"),
                readings=3,
                latest=latest,
            )
        )
        assert await reader.wait(0.01) is None  # not committed yet: nothing published
        work.commit()
        batch = await reader.wait(10.0)
        assert batch is not None
        kinds = [m["type"] for m in batch.messages]
        assert kinds == ["status", "telemetry"]
        assert batch.messages[1]["devices"] == [
            {"id": 5, "ts": "2026-11-20T03:00:00Z", "values": {"level_m": 9.9, "battery": 80.0}},
            {"id": 6, "ts": "2026-11-20T03:00:00Z", "values": {"pm25": 40.0}},
        ]

    asyncio.run(scenario())


def test_alert_events_become_alert_messages(uow: UnitOfWork) -> None:
    bus = EventBus()
    hub = register(bus)
    raised = AlertRaised(
        alert_id=7,
        rule_id=1,
        rule_kind="threshold",
        device_id=5,
        device_code="wl-nan-02",
        zone_id=None,
        severity="critical",
        name_th="น้ำสูง",
        name_en="High water",
        at=AT,
        metric="level_m",
        value=9.9,
        lat=16.448,
        lon=100.3448,
    )

    async def scenario() -> None:
        reader = hub.subscribe(asyncio.get_running_loop())
        work = UnitOfWork(uow.session, bus, Actor.system("test"))
        work.emit(raised)
        work.commit()
        batch = await reader.wait(10.0)
        assert batch is not None
        assert batch.messages == [
            {
                "type": "alert",
                "change": "raised",
                "alert_id": 7,
                "id": 5,
                "code": "wl-nan-02",
                "severity": "critical",
                "name_th": "น้ำสูง",
                "name_en": "High water",
                "at": "2026-11-20T03:00:00Z",
            }
        ]

    asyncio.run(scenario())
