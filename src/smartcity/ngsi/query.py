"""Parsing and evaluating NGSI-LD query parameters: attrs, q (simple subset), geo-queries.

Supported ``q``: terms joined by ``;`` (and), each ``attr``, ``attr==v``, ``attr!=v``,
``attr>v``, ``attr>=v``, ``attr<v``, ``attr<=v``; ``==`` also takes a list ``a,b`` or a range
``lo..hi``. Values are numbers, ``true``/``false``, or strings (quoted or bare).
Geo-queries: ``near;maxDistance==m`` / ``near;minDistance==m`` with a Point, ``within``,
``intersects`` and ``disjoint`` with a Polygon or MultiPolygon (coordinates as GeoJSON, lon/lat).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from smartcity.ngsi.errors import BadRequestData

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 1000
EARTH_RADIUS_M: Final = 6_371_008.8
TERM: Final = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(==|!=|>=|<=|>|<)?(.*)$", re.S)
ATTR_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GEOREL: Final = re.compile(r"^near;(maxDistance|minDistance)==(\d+(?:\.\d+)?)$")
AREA_RELS: Final = ("within", "intersects", "disjoint")

Predicate = Callable[[float, float], bool]  # (lat, lon) -> matches


def _bad(detail: str, detail_th: str) -> BadRequestData:
    return BadRequestData(detail, detail_th)


def parse_list(value: str | None) -> frozenset[str] | None:
    """A comma-separated parameter as a set (None when absent or empty)."""
    if not value:
        return None
    items = frozenset(v.strip() for v in value.split(",") if v.strip())
    return items or None


def parse_attrs(value: str | None) -> frozenset[str] | None:
    """The attribute projection; names must be plain NGSI-LD attribute names."""
    attrs = parse_list(value)
    for name in attrs or ():
        if not ATTR_NAME.match(name):
            raise _bad(f"Bad attribute name {name!r} in attrs.", f"ชื่อแอตทริบิวต์ {name} ไม่ถูกต้อง")
    return attrs


def parse_int(value: str | None, name: str, default: int, high: int) -> int:
    """A non-negative integer parameter no larger than ``high``."""
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) > high:
        raise _bad(
            f"{name} must be a whole number from 0 to {high}.",
            f"{name} ต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง {high}",
        )
    return int(value)


# --- q ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One ``q`` term: an attribute, an operator and the value(s) it compares with."""

    attr: str
    op: str | None
    values: tuple[Any, ...] = ()
    low: Any = None
    high: Any = None

    def matches(self, entity: dict[str, Any]) -> bool:
        """Does the entity's attribute satisfy this term?"""
        if self.attr not in entity:
            return False
        actual = attribute_value(entity[self.attr])
        if self.op is None:
            return True
        if self.low is not None:
            return _compare(actual, ">=", self.low) and _compare(actual, "<=", self.high)
        if self.op == "==":
            return any(_compare(actual, "==", v) for v in self.values)
        if self.op == "!=":
            return all(not _compare(actual, "==", v) for v in self.values)
        return _compare(actual, self.op, self.values[0])


def attribute_value(attribute: Any) -> Any:
    """The comparable value of a Property, Relationship or GeoProperty."""
    if not isinstance(attribute, dict):
        return attribute
    value = attribute.get("value", attribute.get("object"))
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if isinstance(actual, list):  # a list matches when any member does
        return any(_compare(a, op, expected) for a in actual)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return op == "==" and actual is expected
    numbers = isinstance(actual, int | float) and isinstance(expected, int | float)
    if not numbers and not (isinstance(actual, str) and isinstance(expected, str)):
        return False
    if op == "==":
        return bool(actual == expected)
    table = {">": actual > expected, "<": actual < expected}
    table |= {">=": actual >= expected, "<=": actual <= expected}
    return bool(table[op])


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        number = float(text)
    except ValueError:
        if not text or any(c in text for c in '"();|<>=!'):
            raise _bad(f"Bad value {text!r} in q.", f"ค่า {text} ใน q ไม่ถูกต้อง") from None
        return text
    if not math.isfinite(number):
        raise _bad(f"Bad number {text!r} in q.", f"ตัวเลข {text} ใน q ไม่ถูกต้อง")
    return int(number) if number.is_integer() and "." not in text else number


def _term(text: str) -> Term:
    found = TERM.match(text.strip())
    if not found:
        raise _bad(f"Cannot read the q term {text!r}.", f"อ่านเงื่อนไข q '{text}' ไม่ได้")
    attr, op, rest = found.groups()
    if op is None:
        if rest.strip():
            raise _bad(f"Unknown operator in {text!r}.", f"ไม่รู้จักตัวดำเนินการใน {text}")
        return Term(attr, None)
    if op == "==" and ".." in rest and not rest.strip().startswith('"'):
        low, _, high = rest.partition("..")
        return Term(attr, op, low=_literal(low), high=_literal(high))
    if op in ("==", "!=") and "," in rest and not rest.strip().startswith('"'):
        return Term(attr, op, tuple(_literal(v) for v in rest.split(",")))
    return Term(attr, op, (_literal(rest),))


def parse_q(value: str | None) -> tuple[Term, ...]:
    """The ``q`` terms (all must hold); ``|`` and parentheses are not supported."""
    if not value:
        return ()
    if any(c in value for c in "|()"):
        raise _bad(
            "Only terms joined by ';' are supported in q (no '|' or parentheses).",
            "q รองรับเฉพาะเงื่อนไขที่คั่นด้วย ; (ไม่รองรับ | หรือวงเล็บ)",
        )
    return tuple(_term(part) for part in value.split(";"))


# --- geo --------------------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): exact enough within a town."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _coordinates(text: str) -> Any:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, list):
        raise _bad(
            "coordinates must be a JSON array (GeoJSON order: longitude, latitude).",
            "coordinates ต้องเป็นอาร์เรย์ JSON (ลองจิจูด, ละติจูด)",
        )
    return value


def _geometry(kind: str, coordinates: str) -> BaseGeometry:
    if kind not in ("Point", "Polygon", "MultiPolygon"):
        raise _bad(
            f"Unsupported geometry {kind!r}: use Point, Polygon or MultiPolygon.",
            f"ไม่รองรับรูปทรง {kind} ใช้ Point, Polygon หรือ MultiPolygon",
        )
    try:
        geom = shape({"type": kind, "coordinates": _coordinates(coordinates)})
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.GEOSException):
        raise _bad(
            f"The coordinates are not a valid {kind}.", f"coordinates ไม่ใช่ {kind} ที่ถูกต้อง"
        ) from None
    if geom.is_empty or not geom.is_valid or not _in_range(geom):
        raise _bad(f"The {kind} is not valid.", f"รูปทรง {kind} ไม่ถูกต้อง")
    return geom


def _in_range(geom: BaseGeometry) -> bool:
    lon_lo, lat_lo, lon_hi, lat_hi = geom.bounds
    return bool(-180 <= lon_lo <= lon_hi <= 180 and -90 <= lat_lo <= lat_hi <= 90)


def parse_geo(
    georel: str | None, geometry: str | None, coordinates: str | None
) -> Predicate | None:
    """A (lat, lon) predicate from the geo-query parameters, or None when there is none."""
    given = [p for p in (georel, geometry, coordinates) if p]
    if not given:
        return None
    if len(given) != 3:
        raise _bad(
            "A geo-query needs georel, geometry and coordinates together.",
            "การค้นหาเชิงพื้นที่ต้องระบุ georel, geometry และ coordinates พร้อมกัน",
        )
    assert georel is not None and geometry is not None and coordinates is not None
    near = GEOREL.match(georel)
    if near:
        return _near(near.group(1), float(near.group(2)), geometry, coordinates)
    if georel in AREA_RELS:
        return _area(georel, geometry, coordinates)
    raise _bad(
        f"Unsupported georel {georel!r}: use near;maxDistance==<m>, within, intersects, disjoint.",
        f"ไม่รองรับ georel {georel} ใช้ near;maxDistance==<เมตร>, within, intersects หรือ disjoint",
    )


def _near(which: str, metres: float, geometry: str, coordinates: str) -> Predicate:
    if geometry != "Point":
        raise _bad("near needs a Point geometry.", "near ต้องใช้ geometry แบบ Point")
    point = _geometry("Point", coordinates)
    lat0, lon0 = point.y, point.x
    if which == "maxDistance":
        return lambda lat, lon: distance_m(lat0, lon0, lat, lon) <= metres
    return lambda lat, lon: distance_m(lat0, lon0, lat, lon) >= metres


def _area(georel: str, geometry: str, coordinates: str) -> Predicate:
    if geometry == "Point":
        raise _bad(f"{georel} needs a Polygon.", f"{georel} ต้องใช้ geometry แบบ Polygon")
    area = _geometry(geometry, coordinates)
    shapely.prepare(area)
    if georel == "disjoint":
        return lambda lat, lon: not bool(area.intersects(shapely.Point(lon, lat)))
    if georel == "within":
        return lambda lat, lon: bool(area.contains(shapely.Point(lon, lat)))
    return lambda lat, lon: bool(area.intersects(shapely.Point(lon, lat)))
