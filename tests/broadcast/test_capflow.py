"""CAP alerts into drafts for the right PA zones, and announcements out as valid CAP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcity.broadcast import capflow, service
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.schemas import CapComposeIn
from smartcity.errors import InvalidInput
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.integrations import audio, cap
from tests.broadcast.support import announcement
from tests.integrations.cap_support import OASIS_EXAMPLE, PHICHIT_FLOOD

pytestmark = pytest.mark.usefixtures("tools")


def test_phichit_flood_sample_becomes_a_draft_for_the_west_bank_zone(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    registry = audio.default_registry()
    row, zones = capflow.ingest(uow, data_dir, policy, registry, PHICHIT_FLOOD.read_bytes())
    assert [z.code for z in zones] == ["pa-west"]
    assert row.zone_ids == [pa["pa-west"]]
    assert row.status == "draft" and row.priority == "emergency" and row.category == "emergency"
    assert row.title.startswith("เตือนภัยน้ำแม่น้ำน่าน") and row.languages == ["th"]
    assert "ยกของขึ้นที่สูง" in row.text and row.cap_identifier == "SAMPLE-PHICHIT-FLOOD-2026-001"
    if registry.get() is not None:  # espeak-ng installed: the draft can be heard at once
        assert row.tts_engine == "espeak-ng" and service.audio_path(data_dir, row).is_file()
    again, _ = capflow.ingest(uow, data_dir, policy, registry, PHICHIT_FLOOD.read_bytes())
    assert again.id == row.id


def test_the_flood_area_really_is_the_sample_hazard_strip(
    uow: UnitOfWork, pa: dict[str, int]
) -> None:
    from shapely.geometry import shape

    alert = cap.parse(PHICHIT_FLOOD.read_bytes())
    area = capflow.area_shape(alert)
    strip = shape(json.loads(geo.get_zone(uow.session, pa["flood-nan-riverside"]).geometry))
    assert area is not None and area.intersection(strip).area / strip.area > 0.9


def test_an_alert_without_polygons_gives_a_draft_without_zones(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    empty = audio.SpeechRegistry()
    row, zones = capflow.ingest(uow, data_dir, policy, empty, OASIS_EXAMPLE.read_bytes())
    assert zones == [] and row.zone_ids == [] and row.languages == ["en"]
    assert row.audio_file == "" and row.title == "Amber Alert in Los Angeles County"


def test_a_circle_reaches_the_east_zone(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    alert = cap.parse(PHICHIT_FLOOD.read_bytes())
    for info in alert.infos:
        info.areas[0].polygons, info.areas[0].circles = [], [((100.3525, 16.4395), 0.3)]
    alert.identifier = "circle-1"
    _, zones = capflow.ingest(uow, data_dir, policy, audio.SpeechRegistry(), cap.build(alert))
    assert [z.code for z in zones] == ["pa-east"]


def test_announcement_exports_as_valid_cap_with_zone_polygons(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    row = announcement(uow, data_dir, policy, priority="emergency")
    with pytest.raises(InvalidInput):
        capflow.export(uow.session, policy, row)
    row.zone_ids, row.languages = [pa["pa-west"], pa["pa-east"]], ["th", "en"]
    xml = capflow.export(uow.session, policy, row)
    alert = cap.parse(xml)
    assert [i.language for i in alert.infos] == ["th-TH", "en-US"]
    assert alert.infos[0].urgency == "Immediate" and len(alert.polygons()) == 4
    assert alert.sent.utcoffset() is not None and alert.sent.utcoffset().total_seconds() == 7 * 3600


def test_ingested_alert_exports_its_original(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    row, _ = capflow.ingest(
        uow, data_dir, policy, audio.SpeechRegistry(), PHICHIT_FLOOD.read_bytes()
    )
    assert cap.parse(capflow.export(uow.session, policy, row)).identifier == row.cap_identifier


def test_composed_alert_with_a_drawn_polygon_validates(
    uow: UnitOfWork, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    ring = [[100.34, 16.44], [100.35, 16.44], [100.35, 16.45], [100.34, 16.44]]
    infos = [
        {"language": "th-TH", "event": "ไฟไหม้", "urgency": "Immediate", "severity": "Severe"}
        | {"certainty": "Observed", "headline": "ไฟไหม้ตลาด", "instruction": "หลีกเลี่ยงพื้นที่"},
        {"language": "en-US", "event": "Fire", "urgency": "Immediate", "severity": "Severe"}
        | {"certainty": "Observed", "headline": "Market fire"},
    ]
    body = CapComposeIn.model_validate(
        {"infos": infos, "polygon": ring, "zone_ids": [pa["pa-east"]], "status": "Exercise"}
    )
    alert = cap.parse(capflow.compose(uow.session, policy, body))
    assert alert.status == "Exercise" and len(alert.infos[0].areas[0].polygons) == 2
    assert alert.infos[0].areas[0].desc == geo.get_zone(uow.session, pa["pa-east"]).name_th
