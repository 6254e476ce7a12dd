"""CAP alerts in and out: an ingested alert becomes a draft emergency announcement for the PA
zones its area touches; an announcement (or a composed alert) is exported as CAP 1.2 XML."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

import shapely
from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from smartcity.broadcast import repository as repo
from smartcity.broadcast import service
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.schemas import AnnouncementMeta, CapComposeIn
from smartcity.errors import InvalidInput
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.integrations import cap
from smartcity.integrations.audio import SpeechRegistry
from smartcity.integrations.cap import CapAlert, CapArea, CapInfo, CapProblem
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

KM_PER_DEGREE: Final = 111.32


class ZoneLike(Protocol):
    """What this module reads of a geography zone (it holds no reference to geo's tables)."""

    id: int
    code: str
    name_th: str
    geometry: str


PAGE: Final = 200


def _invalid(problem: CapProblem) -> InvalidInput:
    return InvalidInput(
        problem.message,
        problem.message_th,
        errors=[{"field": "cap", "message": e} for e in problem.errors[:20]],
    )


def parse(data: bytes) -> CapAlert:
    """A validated CAP alert, or a 422 that says what is wrong."""
    try:
        return cap.parse(data)
    except CapProblem as exc:
        raise _invalid(exc) from exc


def fetch(url: str) -> bytes:
    """Download a CAP document (timeout and size limit), or a 422 that says why not."""
    try:
        return cap.fetch(url)
    except CapProblem as exc:
        raise _invalid(exc) from exc


# --- areas and zones --------------------------------------------------------------------------


def area_shape(alert: CapAlert) -> BaseGeometry | None:
    """The union of the alert's polygons and circles (circles approximated in degrees)."""
    parts: list[BaseGeometry] = [Polygon(p).buffer(0) for p in alert.polygons()]
    for (lon, lat), radius_km in alert.circles():
        # Longitude degrees shrink with latitude; scale so the circle stays round on the ground.
        circle = Point(0, 0).buffer(radius_km / KM_PER_DEGREE, 32)
        stretch = 1 / max(math.cos(math.radians(lat)), 0.01)
        parts.append(
            shapely.affinity.translate(shapely.affinity.scale(circle, stretch, 1), lon, lat)
        )
    parts = [p for p in parts if not p.is_empty]
    return shapely.union_all(parts) if parts else None


def pa_zones(session: Session) -> list[ZoneLike]:
    """Every loudspeaker zone of the site."""
    zones: list[ZoneLike] = []
    page = 1
    while True:
        rows, total = geo.list_zones(session, PageParams(page, PAGE), kind="pa_zone")
        zones += rows
        if len(zones) >= total or not rows:
            return zones
        page += 1


def zones_touching(session: Session, area: BaseGeometry) -> list[ZoneLike]:
    """PA zones whose polygons intersect the area."""
    return [z for z in pa_zones(session) if shape(json.loads(z.geometry)).intersects(area)]


# --- ingest -----------------------------------------------------------------------------------


def ingest(
    uow: UnitOfWork,
    data_dir: Path,
    policy: BroadcastSettings,
    registry: SpeechRegistry,
    data: bytes,
) -> tuple[Announcement, list[ZoneLike]]:
    """Turn a CAP alert into a draft emergency announcement for the PA zones it touches.

    The same alert (identifier and sender) ingested again returns the existing draft. The text
    is the Thai headline and description when the alert has Thai, else the first info block;
    speech is made by the best installed engine, and a draft without audio is kept if none is.
    """
    alert = parse(data)
    area = area_shape(alert)
    zones = zones_touching(uow.session, area) if area is not None else []
    existing = repo.find_by_cap(uow.session, alert.identifier, alert.sender)
    if existing is not None:
        return existing, zones
    info = alert.info_for("th") or (alert.infos[0] if alert.infos else None)
    language = "th" if info is not None and info.language.lower().startswith("th") else "en"
    text = _speech_text(info)
    title = (info.headline or info.event) if info else alert.identifier
    meta = AnnouncementMeta(
        title=(title or alert.identifier)[:200],
        category="emergency",
        languages=[language],
        priority="emergency",
        chime=True,
        zone_ids=[z.id for z in zones],
    )
    row = service.create_draft(uow, meta, source="tts", text=text)
    row.cap_identifier = alert.identifier
    row.cap = {"identifier": alert.identifier, "sender": alert.sender, "status": alert.status}
    row.cap["xml"] = data.decode("utf-8", errors="replace")
    engine = registry.get()
    if engine is not None and text and language in engine.info.languages:
        try:
            rendered = service.speak(data_dir, policy, engine, text, language, chime=True)
        except InvalidInput:
            rendered = None  # the draft stays without audio; an operator records one
        if rendered is not None:
            service.attach_audio(row, rendered)
            row.tts_engine = engine.info.name
    service.changed(uow, "announcement.cap_ingested", row, cap_identifier=alert.identifier)
    return row, zones


def _speech_text(info: CapInfo | None) -> str:
    if info is None:
        return ""
    parts = [info.headline, info.description, info.instruction]
    return " ".join(p.strip() for p in parts if p and p.strip())[:4000]


# --- export -----------------------------------------------------------------------------------

_LEVELS: Final = {
    "emergency": ("Immediate", "Severe", "Likely"),
    "routine": ("Expected", "Minor", "Observed"),
}
_CATEGORY: Final = {"health": "Health", "emergency": "Safety", "news": "Other", "event": "Other"}


def compose(session: Session, policy: BroadcastSettings, body: CapComposeIn) -> bytes:
    """CAP XML from a composed alert (info blocks in Thai and English, zones or a drawn polygon)."""
    area = _area(session, body.zone_ids, body.polygon, body.area_desc)
    infos = [
        CapInfo(
            language=i.language,
            categories=[i.category],
            event=i.event,
            urgency=i.urgency,
            severity=i.severity,
            certainty=i.certainty,
            headline=i.headline,
            description=i.description,
            instruction=i.instruction,
            expires=body.expires,
            areas=[area],
        )
        for i in body.infos
    ]
    alert = CapAlert(
        identifier=body.identifier or f"{policy.cap_sender}-{utcnow():%Y%m%dT%H%M%S%f}",
        sender=policy.cap_sender,
        sent=_local_now(policy),
        status=body.status,
        msg_type=body.msg_type,
        scope="Public",
        infos=infos,
    )
    return _checked(cap.build(alert))


def export(session: Session, policy: BroadcastSettings, row: Announcement) -> bytes:
    """CAP XML for an announcement: the original of an ingested alert, else one built from it."""
    if row.cap.get("xml"):
        return _checked(str(row.cap["xml"]).encode())
    if not row.zone_ids:
        raise InvalidInput(
            "The announcement has no target zones, so it has no CAP area.",
            "ประกาศนี้ยังไม่ได้ระบุเขตเป้าหมาย จึงสร้างพื้นที่ของ CAP ไม่ได้",
        )
    area = _area(session, list(row.zone_ids), None, "")
    urgency, severity, certainty = _LEVELS[row.priority]
    infos = [
        CapInfo(
            language=lang,
            categories=[_CATEGORY.get(row.category, "Other")],
            event=row.title,
            urgency=urgency,
            severity=severity,
            certainty=certainty,
            headline=row.title,
            description=row.text,
            areas=[area],
        )
        for lang in ("th-TH", "en-US")
        if lang[:2] in row.languages
    ]
    alert = CapAlert(
        identifier=f"{policy.cap_sender}-announcement-{row.id}",
        sender=policy.cap_sender,
        sent=_local_now(policy),
        infos=infos,
    )
    return _checked(cap.build(alert))


def _area(
    session: Session, zone_ids: list[int], polygon: list[list[float]] | None, desc: str
) -> CapArea:
    rings: list[list[tuple[float, float]]] = []
    names: list[str] = []
    for zone_id in zone_ids:
        zone = geo.get_zone(session, zone_id)
        names.append(zone.name_th)
        rings += _rings(json.loads(zone.geometry))
    if polygon:
        rings.append([(float(p[0]), float(p[1])) for p in polygon])
    if not rings:
        raise InvalidInput(
            "Give zones or a polygon for the alert's area.", "โปรดระบุเขตหรือรูปหลายเหลี่ยมของพื้นที่"
        )
    return CapArea(desc=desc or ", ".join(names) or "Drawn area", polygons=rings)


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Outer rings of a GeoJSON Polygon or MultiPolygon as (lon, lat) lists."""
    polys = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [[(float(x), float(y)) for x, y, *_ in poly[0]] for poly in polys]


def _local_now(policy: BroadcastSettings) -> datetime:
    from zoneinfo import ZoneInfo

    return utcnow().astimezone(ZoneInfo(policy.timezone))


def _checked(xml: bytes) -> bytes:
    try:
        cap.validate(xml)
    except CapProblem as exc:
        raise _invalid(exc) from exc
    return xml
