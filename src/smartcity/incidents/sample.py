"""Sample responder units and a few incidents in progress for the demo. Never load in production.

Every unit and incident name says (ข้อมูลตัวอย่าง) "sample data" and has is_sample set; the
positions are plausible spots in Phichit Town, the events are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from smartcity.accounts import service as accounts
from smartcity.accounts.permissions import Grant, Principal
from smartcity.config import Settings
from smartcity.errors import NotFound
from smartcity.events import UnitOfWork
from smartcity.incidents import repository as repo
from smartcity.incidents.dispatch import accept
from smartcity.incidents.intake import Report, report
from smartcity.incidents.lifecycle import progress
from smartcity.incidents.policy import Policy
from smartcity.incidents.schemas import ProgressIn, UnitIn
from smartcity.incidents.units import create_unit

MARK: Final = " (ข้อมูลตัวอย่าง)"
DEMO_RESPONDER: Final = "responder"  # the demo's responder account answers for the first unit

# (code, name, kind, capabilities, lat, lon): one of each kind the issue names, around the town.
SAMPLE_UNITS: Final = (
    ("sample-rescue-1", "มูลนิธิกู้ภัยตัวอย่าง ชุด 1", "rescue_foundation",
     ["rescue", "medical", "transport"], 16.4452, 100.3481),
    ("sample-rescue-2", "มูลนิธิกู้ภัยตัวอย่าง ชุด 2", "rescue_foundation",
     ["rescue", "medical", "transport"], 16.4371, 100.3552),
    ("sample-ems-1", "หน่วยกู้ชีพ โรงพยาบาลพิจิตร (ALS)", "ems",
     ["medical", "als", "transport"], 16.4405, 100.3420),
    ("sample-ems-2", "หน่วยกู้ชีพ โรงพยาบาลพิจิตร (BLS)", "ems",
     ["medical", "transport"], 16.4412, 100.3431),
    ("sample-osm-1", "อสม. ชุมชนตลาดสด", "volunteer", ["care"], 16.4420, 100.3495),
    ("sample-osm-2", "อสม. ชุมชนริมน่าน", "volunteer", ["care"], 16.4478, 100.3532),
    ("sample-muni-1", "ทีมป้องกันและบรรเทาสาธารณภัย เทศบาล", "municipal",
     ["rescue", "technical", "fire"], 16.4439, 100.3466),
)  # fmt: skip


@dataclass(frozen=True)
class SampleIncident:
    """An invented incident and how far it has got."""

    key: str
    kind: str
    source: str
    lat: float
    lon: float
    text: str
    level: str | None
    steps: tuple[str, ...]  # "accept", then status steps such as "on_scene"


SAMPLE_INCIDENTS: Final = (
    SampleIncident(
        "sample-incident-1", "help_request", "app", 16.4423, 100.3490,
        "ผู้สูงอายุหกล้มในบ้าน ลุกไม่ได้", "yellow", ("accept", "on_scene"),
    ),
    SampleIncident(
        "sample-incident-2", "help_request", "hotline", 16.4462, 100.3519,
        "ญาติโทรแจ้ง ผู้ป่วยติดเตียงหายใจเหนื่อย", "red", ("accept",),
    ),
    SampleIncident(
        "sample-incident-3", "hazard", "operator", 16.4490, 100.3541,
        "ต้นไม้ล้มขวางถนนริมแม่น้ำน่าน", None, (),
    ),
)  # fmt: skip


def load_sample_units(uow: UnitOfWork, settings: Settings) -> int:
    """Register the sample units (on duty, placed in town); returns how many were made now.

    Units that exist already are left alone, so running the demo twice changes nothing.
    """
    del settings  # the signature matches the other demo loaders; units need no settings
    responder = _demo_responder(uow)
    made = 0
    for index, (code, name, kind, caps, lat, lon) in enumerate(SAMPLE_UNITS):
        if repo.unit_by_code(uow.session, code) is not None:
            continue
        data = UnitIn.model_validate(
            {
                "code": code,
                "name": name + MARK,
                "kind": kind,
                "capabilities": caps,
                "status": "available",
                "lat": lat,
                "lon": lon,
                "user_id": responder if index == 0 else None,
            }
        )
        create_unit(uow, data, is_sample=True)
        made += 1
    return made


def load_sample_incidents(uow: UnitOfWork, policy: Policy | None = None) -> int:
    """Report a few invented incidents and move them along; returns how many were made now."""
    rules = policy or Policy()
    dispatcher = Principal(0, "sample-dispatcher", "Sample dispatcher", (Grant(0, "admin"),))
    made = 0
    for sample in SAMPLE_INCIDENTS:
        data = Report(
            kind=sample.kind,
            source=sample.source,
            client_key=sample.key,
            lat=sample.lat,
            lon=sample.lon,
            description=sample.text + MARK,
            triage_level=sample.level,
        )
        incident, created = report(uow, rules, data)
        if not created:
            continue
        incident.is_sample = True
        made += 1
        offer = repo.open_offer(uow.session, incident.id)
        if offer is None:  # nobody free: the incident waits, escalated, as a real one would
            continue
        for step in sample.steps:
            if step == "accept":
                accept(uow, dispatcher, offer.id)
            else:
                progress(uow, dispatcher, incident.id, ProgressIn.model_validate({"status": step}))
    return made


def _demo_responder(uow: UnitOfWork) -> int | None:
    """The demo responder's user id, when the demo accounts are loaded."""
    try:
        return accounts.find_user(uow.session, DEMO_RESPONDER).id
    except NotFound:
        return None
