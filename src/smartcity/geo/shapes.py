"""GeoJSON geometry checks and the cache of prepared shapes used by point look-ups."""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any, Final

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

POLYGONAL: Final = ("Polygon", "MultiPolygon")


class ShapeProblem(ValueError):
    """A geometry failed a check; carries English and Thai text."""

    def __init__(self, message: str, message_th: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_th = message_th


def parse(geometry: Any, allowed: tuple[str, ...]) -> BaseGeometry:
    """A valid Shapely geometry of an allowed type from a GeoJSON geometry object."""
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise ShapeProblem("geometry is missing or is not a GeoJSON object", "ไม่มีข้อมูลรูปทรง")
    kind = geometry["type"]
    if kind not in allowed:
        raise ShapeProblem(
            f"geometry type {kind} is not allowed here; use {' or '.join(allowed)}",
            f"ชนิดรูปทรง {kind} ใช้ที่นี่ไม่ได้ ต้องเป็น {' หรือ '.join(allowed)}",
        )
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        # Shapely raises a mix of types for malformed coordinate arrays.
        raise ShapeProblem(f"geometry is malformed: {exc}", "รูปทรงมีโครงสร้างไม่ถูกต้อง") from exc
    _check(geom)
    return geom


def _check(geom: BaseGeometry) -> None:
    """Empty, out-of-range and self-intersecting shapes are refused."""
    if geom.is_empty:
        raise ShapeProblem("geometry is empty", "รูปทรงว่างเปล่า")
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.flat):
        raise ShapeProblem("coordinates must be finite numbers", "พิกัดต้องเป็นตัวเลข")
    lons, lats = coords[:, 0], coords[:, 1]
    if lons.min() < -180 or lons.max() > 180 or lats.min() < -90 or lats.max() > 90:
        raise ShapeProblem(
            "coordinates are outside longitude -180..180 / latitude -90..90 "
            "(GeoJSON order is [lon, lat])",
            "พิกัดเกินช่วงลองจิจูด -180..180 / ละติจูด -90..90 (GeoJSON เรียง [ลองจิจูด, ละติจูด])",
        )
    if not geom.is_valid:
        reason = explain_validity(geom)
        raise ShapeProblem(f"geometry is not valid: {reason}", f"รูปทรงไม่ถูกต้อง: {reason}")


def dumps(geom: BaseGeometry) -> str:
    """Compact GeoJSON text for storage."""
    return json.dumps(mapping(geom), separators=(",", ":"))


def loads(text: str | None) -> dict[str, Any] | None:
    """A stored geometry as a GeoJSON object."""
    if not text:
        return None
    value: dict[str, Any] = json.loads(text)
    return value


def point(lat: float, lon: float) -> BaseGeometry:
    """A Shapely point (x = longitude, y = latitude)."""
    return shapely.Point(lon, lat)


class PreparedCache:
    """Prepared shapes keyed by zone id and its ``updated_at``.

    Preparing a polygon builds an index over its edges, which makes repeated point tests fast;
    keying on ``updated_at`` means an edited zone is re-read instead of answering from the old
    shape, even in another process. Bounded so a city with many zones cannot grow it forever.
    """

    def __init__(self, max_entries: int = 2048) -> None:
        self._max = max_entries
        self._items: OrderedDict[int, tuple[datetime, BaseGeometry]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, zone_id: int, updated_at: datetime, text: str) -> BaseGeometry:
        """The prepared shape for this version of the zone."""
        with self._lock:
            hit = self._items.get(zone_id)
            if hit is not None and hit[0] == updated_at:
                self._items.move_to_end(zone_id)
                return hit[1]
        geom = shape(json.loads(text))
        shapely.prepare(geom)
        with self._lock:
            self._items[zone_id] = (updated_at, geom)
            self._items.move_to_end(zone_id)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return geom

    def forget(self, zone_id: int) -> None:
        """Drop a zone's entry (after an edit or delete in this process)."""
        with self._lock:
            self._items.pop(zone_id, None)

    def __len__(self) -> int:
        return len(self._items)


PREPARED: Final = PreparedCache()
