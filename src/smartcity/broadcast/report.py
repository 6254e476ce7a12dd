"""The per-broadcast report (which speakers played, failed or never answered) and map data."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from smartcity.broadcast import delivery
from smartcity.broadcast import delivery_repository as repo
from smartcity.broadcast.models import Delivery
from smartcity.broadcast.schemas import (
    DeliveryOut,
    DeliveryReport,
    SpeakerResultOut,
    ZoneResultOut,
)
from smartcity.devices import service as devices
from smartcity.errors import NotFound
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow

# Speaker results in a report, in the order the counts are shown.
RESULTS: Final = ("played", "playing", "failed", "no_answer", "pending")


def build(session: Session, row: Delivery) -> DeliveryReport:
    """The report of one delivery from its command batches."""
    states = delivery.speaker_states(session, row)
    facts = devices.device_facts(session, [int(i) for i in row.speakers])
    speakers: list[SpeakerResultOut] = []
    counts = dict.fromkeys(RESULTS, 0)
    for key, zones in sorted(row.speakers.items(), key=lambda kv: int(kv[0])):
        state = states.get(int(key))
        result = result_of(state)
        counts[result] += 1
        fact = facts.get(int(key))
        speakers.append(
            SpeakerResultOut(
                device_id=int(key),
                code=fact.code if fact else "",
                zone_ids=zones,
                result=result,
                reason=state.reason if state and result != "played" else "",
                attempts=state.attempts if state else 0,
            )
        )
    return DeliveryReport(
        delivery=DeliveryOut.model_validate(row),
        counts=counts,
        speakers=speakers,
        zones=_zones(row, states),
    )


def result_of(state: delivery.SpeakerState | None) -> str:
    """A speaker's result in a report: final ones, "playing" once it started, else pending."""
    if state is None:
        return "pending"
    if state.status == "started":
        return "playing"
    return delivery.SPEAKER_STATUS.get(state.status, "pending")


def _zones(row: Delivery, states: dict[int, delivery.SpeakerState]) -> list[ZoneResultOut]:
    # A stopped delivery flags nothing: the silence was an operator's choice.
    done = row.status == "done" and row.stopped_at is None
    items = []
    for zone_id, (played, total) in sorted(delivery.zone_counts(row, states).items()):
        result = delivery.outcome_of(played, total)
        items.append(
            ZoneResultOut(
                zone_id=zone_id,
                speakers=total,
                played=played,
                result=result,
                flagged=done and result != "played",
            )
        )
    return items


def flagged_zones(session: Session, hours: int) -> dict[str, Any]:
    """PA zones where a delivery finished in the last ``hours`` without every speaker playing.

    A GeoJSON FeatureCollection for the map: one feature per zone, with the latest failing
    delivery, its announcement and how many speakers played out of how many.
    """
    latest: dict[int, tuple[Delivery, ZoneResultOut]] = {}
    for row in repo.finished_since(session, utcnow() - timedelta(hours=hours)):
        if row.stopped_at is not None:
            continue  # stopped on purpose: neither flags a zone nor clears an earlier flag
        for zone in _zones(row, delivery.speaker_states(session, row)):
            if zone.flagged:
                latest[zone.zone_id] = (row, zone)
            else:
                latest.pop(zone.zone_id, None)  # a later delivery played there: no longer flagged
    features = []
    for zone_id, (row, zone) in sorted(latest.items()):
        try:
            shape = geo.get_zone(session, zone_id)
        except NotFound:
            continue  # the zone was deleted since
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shape.geometry),
                "properties": {
                    "zone_id": zone_id,
                    "code": shape.code,
                    "name_th": shape.name_th,
                    "delivery_id": row.id,
                    "announcement_id": row.announcement_id,
                    "result": zone.result,
                    "played": zone.played,
                    "speakers": zone.speakers,
                    "finished_at": row.finished_at.isoformat() if row.finished_at else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
