"""OASIS Common Alerting Protocol 1.2: build, validate, parse and fetch CAP XML.

The schema (``schemas/CAP-v1.2.xsd``, Copyright OASIS Open 2010) ships with the package and is
the judge of what is valid. Parsing never resolves entities, never reaches the network and
refuses oversized documents. CAP polygons are "lat,lon lat,lon ..." strings; this module hands
them out as (lon, lat) pairs, GeoJSON order, so callers can build Shapely shapes directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

import httpx
from lxml import etree

NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
MIME: Final = "application/cap+xml"
SCHEMA_PATH: Final = Path(__file__).parent / "schemas" / "CAP-v1.2.xsd"
MAX_BYTES: Final = 1_000_000
FETCH_TIMEOUT_S: Final = 10.0
Coord = tuple[float, float]  # (lon, lat)


class CapProblem(ValueError):
    """A CAP document could not be fetched, parsed or validated (messages in EN and TH)."""

    def __init__(self, message: str, message_th: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_th = message_th
        self.errors = errors or []


@dataclass
class CapArea:
    """An affected area: a description and polygons / circles (circle = centre and radius km)."""

    desc: str
    polygons: list[list[Coord]] = field(default_factory=list)
    circles: list[tuple[Coord, float]] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CapInfo:
    """One language block of an alert."""

    language: str
    event: str
    urgency: str
    severity: str
    certainty: str
    categories: list[str] = field(default_factory=lambda: ["Other"])
    headline: str = ""
    description: str = ""
    instruction: str = ""
    sender_name: str = ""
    expires: datetime | None = None
    areas: list[CapArea] = field(default_factory=list)


@dataclass
class CapAlert:
    """A CAP alert message."""

    identifier: str
    sender: str
    sent: datetime
    status: str = "Actual"
    msg_type: str = "Alert"
    scope: str = "Public"
    note: str = ""
    infos: list[CapInfo] = field(default_factory=list)

    def info_for(self, prefix: str) -> CapInfo | None:
        """The first info block whose language starts with ``prefix`` (e.g. 'th')."""
        return next((i for i in self.infos if i.language.lower().startswith(prefix)), None)

    def polygons(self) -> list[list[Coord]]:
        """Every polygon of every area of every info block."""
        return [p for info in self.infos for area in info.areas for p in area.polygons]

    def circles(self) -> list[tuple[Coord, float]]:
        """Every circle of every area of every info block."""
        return [c for info in self.infos for area in info.areas for c in area.circles]


# --- building ---------------------------------------------------------------------------------


def cap_time(value: datetime) -> str:
    """CAP's date-time form: seconds and an explicit offset, never 'Z'."""
    if value.tzinfo is None:
        raise ValueError("CAP times need a time zone")
    return value.replace(microsecond=0).isoformat()


def polygon_text(ring: list[Coord]) -> str:
    """A (lon, lat) ring as CAP's 'lat,lon' pairs, closed."""
    points = list(ring)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in points)


def build(alert: CapAlert) -> bytes:
    """Serialise an alert as CAP 1.2 XML (UTF-8, with declaration)."""
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", cap_time(alert.sent))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "scope", alert.scope)
    if alert.note:
        _add(root, "note", alert.note)
    for info in alert.infos:
        _build_info(root, info)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _build_info(root: etree._Element, info: CapInfo) -> None:
    el = _add(root, "info")
    _add(el, "language", info.language)
    for category in info.categories or ["Other"]:
        _add(el, "category", category)
    for name, value in (
        ("event", info.event),
        ("urgency", info.urgency),
        ("severity", info.severity),
        ("certainty", info.certainty),
    ):
        _add(el, name, value)
    if info.expires is not None:
        _add(el, "expires", cap_time(info.expires))
    for name, value in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
    ):
        if value:
            _add(el, name, value)
    for area in info.areas:
        a = _add(el, "area")
        _add(a, "areaDesc", area.desc)
        for ring in area.polygons:
            _add(a, "polygon", polygon_text(ring))
        for (lon, lat), radius in area.circles:
            _add(a, "circle", f"{lat:.6f},{lon:.6f} {radius:g}")
        for name, value in area.geocodes:
            code = _add(a, "geocode")
            _add(code, "valueName", name)
            _add(code, "value", value)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = text
    return el


# --- validating and parsing -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _parser()))


def _parser() -> etree.XMLParser:
    """No entities, no DTDs, no network: external XML is untrusted."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _tree(data: bytes) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise CapProblem(
            f"The CAP document is larger than {MAX_BYTES} bytes.",
            f"เอกสาร CAP มีขนาดเกิน {MAX_BYTES} ไบต์",
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise CapProblem(
            f"The document is not well-formed XML: {exc}", "เอกสารไม่ใช่ XML ที่ถูกต้อง"
        ) from exc
    if root.getroottree().docinfo.doctype:
        # CAP has no DTD; a DOCTYPE only brings entities, which are never expanded here.
        raise CapProblem(
            "CAP documents must not declare a DOCTYPE.", "เอกสาร CAP ต้องไม่มีการประกาศ DOCTYPE"
        )
    return root


def validate(data: bytes) -> None:
    """Check a document against the OASIS CAP 1.2 schema; CapProblem lists what is wrong."""
    root = _tree(data)
    schema = _schema()
    try:
        valid = schema.validate(root)
    except etree.XMLSchemaValidateError as exc:
        raise CapProblem(
            f"The document could not be checked: {exc}", "ตรวจสอบเอกสาร CAP ไม่ได้"
        ) from exc
    if not valid:
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise CapProblem(
            "The document is not valid CAP 1.2: " + "; ".join(errors[:5]),
            "เอกสารไม่เป็นไปตามมาตรฐาน CAP 1.2",
            errors,
        )


def parse(data: bytes) -> CapAlert:
    """Validate a CAP 1.2 document and read it into a CapAlert."""
    validate(data)
    root = _tree(data)
    return CapAlert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=datetime.fromisoformat(_text(root, "sent")),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        note=_text(root, "note"),
        infos=[_parse_info(el) for el in root.iterfind(f"{{{NS}}}info")],
    )


def _parse_info(el: etree._Element) -> CapInfo:
    expires = _text(el, "expires")
    return CapInfo(
        language=_text(el, "language") or "en-US",
        categories=[c.text or "" for c in el.iterfind(f"{{{NS}}}category")],
        event=_text(el, "event"),
        urgency=_text(el, "urgency"),
        severity=_text(el, "severity"),
        certainty=_text(el, "certainty"),
        headline=_text(el, "headline"),
        description=_text(el, "description"),
        instruction=_text(el, "instruction"),
        sender_name=_text(el, "senderName"),
        expires=datetime.fromisoformat(expires) if expires else None,
        areas=[_parse_area(a) for a in el.iterfind(f"{{{NS}}}area")],
    )


def _parse_area(el: etree._Element) -> CapArea:
    area = CapArea(desc=_text(el, "areaDesc"))
    for poly in el.iterfind(f"{{{NS}}}polygon"):
        area.polygons.append(parse_polygon(poly.text or ""))
    for circle in el.iterfind(f"{{{NS}}}circle"):
        area.circles.append(parse_circle(circle.text or ""))
    for code in el.iterfind(f"{{{NS}}}geocode"):
        area.geocodes.append((_text(code, "valueName"), _text(code, "value")))
    return area


def _text(el: etree._Element, name: str) -> str:
    found = el.find(f"{{{NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _pair(text: str) -> Coord:
    lat_s, lon_s = text.split(",")
    lat, lon = float(lat_s), float(lon_s)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("coordinate out of range")
    return lon, lat


def parse_polygon(text: str) -> list[Coord]:
    """A CAP polygon ('lat,lon' pairs, at least four, first equals last) as (lon, lat) pairs."""
    try:
        points = [_pair(p) for p in text.split()]
    except ValueError as exc:
        raise CapProblem(
            f"A CAP polygon is malformed: {text[:80]!r}", "รูปหลายเหลี่ยมใน CAP ไม่ถูกต้อง"
        ) from exc
    if len(points) < 4 or points[0] != points[-1]:
        raise CapProblem(
            "A CAP polygon needs at least four points and must end where it starts.",
            "รูปหลายเหลี่ยมใน CAP ต้องมีอย่างน้อย 4 จุดและจุดแรกต้องเท่ากับจุดสุดท้าย",
        )
    return points


def parse_circle(text: str) -> tuple[Coord, float]:
    """A CAP circle ('lat,lon radius_km') as ((lon, lat), radius_km)."""
    try:
        centre, radius = text.split()
        value = float(radius)
        if not math.isfinite(value) or value < 0:
            raise ValueError("bad radius")
        return _pair(centre), value
    except ValueError as exc:
        raise CapProblem(
            f"A CAP circle is malformed: {text[:80]!r}", "วงกลมใน CAP ไม่ถูกต้อง"
        ) from exc


# --- fetching ---------------------------------------------------------------------------------


def fetch(url: str, *, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_BYTES) -> bytes:
    """Download a CAP document over HTTP(S) with a timeout and a size limit."""
    if urlparse(url).scheme not in ("http", "https"):
        raise CapProblem(
            "Only http:// and https:// URLs can be fetched.", "รองรับเฉพาะ URL แบบ http และ https"
        )
    try:
        with httpx.stream("GET", url, timeout=timeout_s, follow_redirects=True) as response:
            if response.status_code != 200:
                raise CapProblem(
                    f"The feed answered HTTP {response.status_code}.",
                    f"แหล่งข้อมูลตอบกลับด้วยรหัส HTTP {response.status_code}",
                )
            return _read_limited(response, max_bytes)
    except httpx.HTTPError as exc:
        raise CapProblem(
            f"The feed could not be reached: {type(exc).__name__}.",
            "ไม่สามารถเชื่อมต่อแหล่งข้อมูล CAP ได้",
        ) from exc


def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise CapProblem(
                f"The feed sent more than {max_bytes} bytes.",
                f"แหล่งข้อมูลส่งข้อมูลเกิน {max_bytes} ไบต์",
            )
        chunks.append(chunk)
    return b"".join(chunks)
