"""CAP 1.2: build and validate against the OASIS schema, parse the OASIS example, fetch by URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from smartcity.integrations import cap
from smartcity.integrations.cap import CapAlert, CapArea, CapInfo, CapProblem
from tests.integrations.cap_support import OASIS_EXAMPLE, PHICHIT_FLOOD, serve

BANGKOK = timezone(timedelta(hours=7))
RING = [(100.34, 16.44), (100.35, 16.44), (100.35, 16.45), (100.34, 16.45)]


def _alert() -> CapAlert:
    area = CapArea("เขตเสียงตามสายฝั่งตะวันตก", polygons=[RING], circles=[((100.345, 16.445), 1.5)])
    return CapAlert(
        identifier="phichit-test-1",
        sender="broadcast@phichit-town.example",
        sent=datetime(2026, 9, 15, 6, 30, tzinfo=BANGKOK),
        status="Test",
        infos=[
            CapInfo(
                language="th-TH",
                categories=["Met"],
                event="น้ำท่วม",
                urgency="Immediate",
                severity="Severe",
                certainty="Likely",
                headline="เตือนภัยน้ำท่วม",
                description="ระดับน้ำสูงขึ้น",
                instruction="ยกของขึ้นที่สูง",
                expires=datetime(2026, 9, 15, 18, 0, tzinfo=UTC),
                areas=[area],
            ),
            CapInfo(
                language="en-US",
                categories=["Met"],
                event="Flood",
                urgency="Immediate",
                severity="Severe",
                certainty="Likely",
                headline="Flood warning",
                areas=[area],
            ),
        ],
    )


def test_built_alert_validates_against_the_oasis_schema() -> None:
    xml = cap.build(_alert())
    cap.validate(xml)
    assert b"<sent>2026-09-15T06:30:00+07:00</sent>" in xml
    assert b"<expires>2026-09-15T18:00:00+00:00</expires>" in xml
    assert "เตือนภัยน้ำท่วม".encode() in xml
    assert b"16.440000,100.340000" in xml  # CAP order is lat,lon


def test_round_trip_keeps_infos_and_areas() -> None:
    back = cap.parse(cap.build(_alert()))
    assert back.identifier == "phichit-test-1" and back.status == "Test"
    assert [i.language for i in back.infos] == ["th-TH", "en-US"]
    th = back.info_for("th")
    assert th is not None and th.headline == "เตือนภัยน้ำท่วม" and th.instruction
    assert back.polygons()[0] == [*RING, RING[0]]
    assert back.circles()[0] == ((100.345, 16.445), 1.5)


def test_the_oasis_example_parses() -> None:
    alert = cap.parse(OASIS_EXAMPLE.read_bytes())
    assert alert.identifier == "KAR0-0306112239-SW"
    assert alert.sent == datetime(2003, 6, 11, 22, 39, tzinfo=timezone(timedelta(hours=-7)))
    assert [i.language for i in alert.infos] == ["en-US", "es-US"]
    assert alert.infos[0].event == "Child Abduction"
    assert alert.infos[0].areas[0].geocodes == [("SAME", "006037")]
    cap.validate(cap.build(alert))


def test_the_phichit_sample_alert_is_valid_and_marked_sample() -> None:
    alert = cap.parse(PHICHIT_FLOOD.read_bytes())
    assert alert.status == "Exercise" and "SAMPLE" in alert.note
    assert alert.info_for("th") is not None and len(alert.polygons()) == 2


@pytest.mark.parametrize(
    "body",
    [
        b"not xml at all",
        b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier></alert>",
        OASIS_EXAMPLE.read_bytes().replace(b"<urgency>Immediate", b"<urgency>Soonish"),
    ],
)
def test_invalid_documents_are_refused_with_reasons(body: bytes) -> None:
    with pytest.raises(CapProblem) as caught:
        cap.parse(body)
    assert caught.value.message and caught.value.message_th


def test_entities_are_never_expanded() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>&x;</identifier></alert>"
    )
    with pytest.raises(CapProblem):
        cap.parse(evil)


def test_malformed_polygons_are_refused() -> None:
    with pytest.raises(CapProblem):
        cap.parse_polygon("16.4,100.3 16.5,100.3 16.5,100.4")
    with pytest.raises(CapProblem):
        cap.parse_polygon("16.4,100.3 16.5,100.3 95,100.4 16.4,100.3")
    with pytest.raises(CapProblem):
        cap.parse_circle("16.4,100.3 -2")


def test_fetch_from_a_local_server_with_limits() -> None:
    body = PHICHIT_FLOOD.read_bytes()
    routes = {"/cap.xml": (200, body), "/gone": (500, b"oops"), "/big": (200, b"x" * 5000)}
    with serve(routes) as base:
        assert cap.fetch(f"{base}/cap.xml") == body
        with pytest.raises(CapProblem, match="HTTP 500"):
            cap.fetch(f"{base}/gone")
        with pytest.raises(CapProblem, match="more than"):
            cap.fetch(f"{base}/big", max_bytes=1000)
    with pytest.raises(CapProblem):
        cap.fetch("file:///etc/passwd")
    with pytest.raises(CapProblem, match="could not be reached"):
        cap.fetch(f"{base}/cap.xml", timeout_s=1)
