"""Bulk CSV import with a per-row report, and the sample devices for the demo."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.accounts.models import Agency
from smartcity.audit.models import AuditEntry
from smartcity.config import Settings
from smartcity.devices import sample
from smartcity.devices import service as devices
from smartcity.devices.models import Device
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.kit.pagination import PageParams
from tests.devices.support import bearer

URL = "/api/devices/import"
HEADER = "code,kind,name_th,name_en,lat,lon,agency,metadata,enabled,mqtt_username\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_import_reports_bad_rows_and_keeps_good_ones(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    agencies: dict[str, Agency],
    geo_sample: ImportReport,
) -> None:
    body = _csv(
        'wl-a,water_level,มาตรวัด ก,Gauge A,16.448,100.3448,owner,"{""datum"": ""MSL""}",true,',
        "aq-b,air_quality,ฝุ่น ข,Dust B,16.442,100.349,owner,,,aq-b-mqtt",
        "bad kind,volcano,ภูเขา,,16.4,100.3,owner,,,",  # bad code and kind
        "wl-c,water_level,มาตรวัด ค,,north,100.3,owner,,,",  # lat not a number
        "wl-d,water_level,มาตรวัด ง,,16.4,100.3,nobody,,,",  # unknown agency
        "wl-e,water_level,มาตรวัด จ,,16.4,100.3,owner,[1],,",  # metadata not an object
        "wl-f,water_level,มาตรวัด ฉ,,16.4,100.3,owner,,maybe,",  # bad flag
        "wl-g,water_level,,,16.4,100.3,owner,,,",  # no Thai name
    )
    h = as_role("operator")
    r = client.post(URL, content=body, headers={**h, "content-type": "text/csv"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["created"] == 2 and report["updated"] == 0
    assert [(e["row"], e["code"]) for e in report["errors"]] == [
        (3, "bad kind"),
        (4, "wl-c"),
        (5, "wl-d"),
        (6, "wl-e"),
        (7, "wl-f"),
        (8, "wl-g"),
    ]
    assert all(e["message"] and e["message_th"] for e in report["errors"])
    assert set(report["credentials"]) == {"wl-a", "aq-b"}
    gauge = devices.find_device(uow.session, "wl-a")
    assert gauge is not None and gauge.meta == {"datum": "MSL"} and gauge.zone_id is not None
    dust = devices.find_device(uow.session, "aq-b")
    assert dust is not None and dust.mqtt_username == "aq-b-mqtt"
    token = report["credentials"]["wl-a"]
    batch = {"readings": [{"device": "wl-a", "values": {"level_m": 3.2}}]}
    ok = client.post("/api/devices/ingest", json=batch, headers=bearer(token))
    assert ok.json()["accepted"] == 1
    actions = list(uow.session.scalars(select(AuditEntry.action)))
    assert actions.count("device.created") == 2 and "device.imported" in actions


def test_reimport_updates_by_code_as_multipart(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    agencies: dict[str, Agency],
) -> None:
    h = as_role("admin")
    first = _csv("spk-1,speaker,ลำโพง 1,Speaker 1,16.45,100.338,owner,,,")
    assert client.post(URL, content=first, headers=h).json()["created"] == 1
    again = _csv(
        "spk-1,speaker,ลำโพง 1 (ย้าย),Speaker 1 moved,16.44,100.34,other,,false,",
        "spk-1,camera,ลำโพง 1,,16.45,100.338,owner,,,",  # kind cannot change
    )
    files = {"file": ("devices.csv", again, "text/csv")}
    report = client.post(URL, files=files, headers=h).json()
    assert report["created"] == 0 and report["updated"] == 1 and report["credentials"] == {}
    assert [e["row"] for e in report["errors"]] == [2] and "kind" in report["errors"][0]["message"]
    uow.session.expire_all()
    device = devices.find_device(uow.session, "spk-1")
    assert device is not None and device.name_en == "Speaker 1 moved" and not device.enabled
    assert device.agency_id == agencies["other"].id


def test_unusable_files_are_refused_whole(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    agencies: dict[str, Agency],
) -> None:
    h = as_role("admin")
    for body in (b"\xff\xfe\x00", b"code,kind\nx,camera\n", b""):
        r = client.post(URL, content=body, headers=h)
        assert r.status_code == 422, r.text
    no_file = client.post(URL, files={"other": ("x.csv", b"", "text/csv")}, headers=h)
    assert no_file.status_code == 422
    assert client.post(URL, content=_csv(), headers=as_role("police")).status_code == 403


def test_sample_devices(
    uow: UnitOfWork, settings: Settings, geo_sample: ImportReport, agencies: dict[str, Agency]
) -> None:
    from smartcity.accounts import service as accounts
    from smartcity.accounts.schemas import AgencyIn

    accounts.create_agency(
        uow, AgencyIn(code="phichit-muni", name_th="เทศบาลเมืองพิจิตร", kind="municipality")
    )
    tokens = sample.load_sample_devices(uow, settings)
    assert len(tokens) == len(sample.SAMPLE_DEVICES) == 20
    rows, total = devices.list_devices(uow.session, PageParams(1, 200))
    assert total == 20 and all(d.is_sample and "(ตัวอย่าง)" in d.name_th for d in rows)
    kinds = {d.kind for d in rows}
    assert {"water_level", "air_quality", "speaker", "wifi_ap", "camera", "sos_button"} <= kinds
    assert all(d.zone_id is not None for d in rows)  # every sample sits in a community
    gauges = [d for d in rows if d.kind == "water_level"]
    assert len(gauges) == 3 and all(abs(d.lon - 100.345) < 0.001 for d in gauges)
    assert sample.load_sample_devices(uow, settings) == {}  # idempotent
    assert uow.session.scalars(select(Device.code).where(Device.is_sample.is_(False))).all() == []
