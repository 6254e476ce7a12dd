"""GeoJSON in and out: checking one feature of an import, and building features for export.

Pure functions over dicts and rows; the service decides what to store. An import feature carries
its record type in ``properties.layer`` ("site", "zone" or "place") plus ``kind``, ``code``,
``name_th`` and ``name_en``; every other property is kept with the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError
from shapely.geometry import mapping

from smartcity.geo import shapes
from smartcity.geo.models import Place, Site, Zone
from smartcity.geo.schemas import FeatureError, PlaceIn, SiteIn, ZoneIn

LAYERS: Final = ("site", "zone", "place")
# Properties that map onto columns; the rest travel in the record's ``properties``.
RESERVED: Final = frozenset(
    {"layer", "kind", "code", "name_th", "name_en", "sample", "is_sample", "id", "zone_id"}
    | {"site_id", "center_lat", "center_lon"}
)
_GEOMETRY_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "site": ("Polygon", "MultiPolygon", "Point"),
    "zone": shapes.POLYGONAL,
    "place": ("Point",),
}


class FeatureInvalid(ValueError):
    """One feature cannot be imported; the rest of the file still can."""

    def __init__(self, message: str, message_th: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_th = message_th


@dataclass(frozen=True)
class ParsedFeature:
    """A feature that passed every check, as the input of the matching create call."""

    layer: str
    data: SiteIn | ZoneIn | PlaceIn
    sample: bool


def features_of(document: Any) -> list[Any] | None:
    """The features of a FeatureCollection, or None when the document is not one."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return None
    features = document.get("features")
    return features if isinstance(features, list) else None


def feature_code(feature: Any) -> str:
    """The code a feature claims, for error reports ("" when it has none)."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    code = props.get("code") if isinstance(props, dict) else None
    return code if isinstance(code, str) else ""


def parse_feature(feature: Any) -> ParsedFeature:
    """Check one feature and turn it into create input, or raise FeatureInvalid."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise FeatureInvalid("not a GeoJSON Feature", "ไม่ใช่ Feature ของ GeoJSON")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise FeatureInvalid("the feature has no properties", "Feature ไม่มี properties")
    layer = props.get("layer")
    if layer not in LAYERS:
        raise FeatureInvalid(
            f"properties.layer must be one of {', '.join(LAYERS)}",
            f"properties.layer ต้องเป็น {', '.join(LAYERS)}",
        )
    try:
        geom = shapes.parse(feature.get("geometry"), _GEOMETRY_TYPES[layer])
    except shapes.ShapeProblem as exc:
        raise FeatureInvalid(exc.message, exc.message_th) from exc
    fields = {k: props[k] for k in ("kind", "code", "name_th", "name_en") if k in props}
    extra = {k: v for k, v in props.items() if k not in RESERVED}
    data = _validate(layer, fields, extra, geom, props)
    return ParsedFeature(layer=layer, data=data, sample=props.get("sample") is True)


def parse_all(features: list[Any]) -> list[tuple[int, ParsedFeature | FeatureError]]:
    """Check every feature, sites first so zones and places in the same file can belong to them.

    A code repeated within a layer is refused after its first use: it is almost always a
    copy-and-paste mistake, and silently keeping the last one would hide it.
    """
    out: list[tuple[int, ParsedFeature | FeatureError]] = []
    seen: set[tuple[str, str]] = set()
    for index, feature in enumerate(features):
        try:
            item = parse_feature(feature)
        except FeatureInvalid as exc:
            out.append((index, feature_error(index, feature_code(feature), exc)))
            continue
        key = (item.layer, item.data.code)
        if key in seen:
            problem = FeatureInvalid(
                f"code {item.data.code} appears more than once in this layer",
                f"รหัส {item.data.code} ซ้ำกันในไฟล์",
            )
            out.append((index, feature_error(index, item.data.code, problem)))
            continue
        seen.add(key)
        out.append((index, item))
    return sorted(out, key=lambda pair: _rank(pair[1]))


def _rank(item: ParsedFeature | FeatureError) -> int:
    return LAYERS.index(item.layer) if isinstance(item, ParsedFeature) else -1


def feature_error(index: int, code: str, exc: FeatureInvalid) -> FeatureError:
    """A refused feature as the import report lists it."""
    return FeatureError(index=index, code=code, message=exc.message, message_th=exc.message_th)


def _validate(
    layer: str, fields: dict[str, Any], extra: dict[str, Any], geom: Any, props: dict[str, Any]
) -> SiteIn | ZoneIn | PlaceIn:
    """The properties checked by the same schemas the API uses."""
    try:
        if layer == "zone":
            return ZoneIn.model_validate({**fields, "geometry": mapping(geom), "properties": extra})
        if layer == "place":
            point = {"lat": geom.y, "lon": geom.x}
            return PlaceIn.model_validate({**fields, **point, "properties": extra})
        return SiteIn.model_validate({**_site_fields(fields, geom, props), "properties": extra})
    except ValidationError as exc:
        text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise FeatureInvalid(text, f"ข้อมูลใน properties ไม่ถูกต้อง: {text}") from exc


def _site_fields(fields: dict[str, Any], geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    """A site's centre comes from its properties, else from its shape."""
    fields = {k: v for k, v in fields.items() if k != "kind"}
    centre = geom if geom.geom_type == "Point" else geom.representative_point()
    if geom.geom_type != "Point" and geom.centroid.within(geom):
        centre = geom.centroid
    boundary = None if geom.geom_type == "Point" else mapping(geom)
    return {
        **fields,
        "center_lat": props.get("center_lat", round(centre.y, 6)),
        "center_lon": props.get("center_lon", round(centre.x, 6)),
        "geometry": boundary,
    }


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _common(row: Site | Zone | Place, layer: str) -> dict[str, Any]:
    """Import-compatible properties: the record's extra properties under its columns."""
    return {
        **row.properties,
        "layer": layer,
        "code": row.code,
        "name_th": row.name_th,
        "name_en": row.name_en,
        "sample": row.is_sample,
    }


def site_feature(site: Site) -> dict[str, Any]:
    """A site as an import-compatible feature (a Point at its centre when it has no boundary)."""
    geometry = shapes.loads(site.geometry) or {
        "type": "Point",
        "coordinates": [site.center_lon, site.center_lat],
    }
    props = {**_common(site, "site"), "center_lat": site.center_lat, "center_lon": site.center_lon}
    return _feature(geometry, props)


def zone_feature(zone: Zone) -> dict[str, Any]:
    """A zone as an import-compatible feature."""
    return _feature(shapes.loads(zone.geometry), {**_common(zone, "zone"), "kind": zone.kind})


def place_feature(place: Place) -> dict[str, Any]:
    """A place as an import-compatible feature."""
    point = {"type": "Point", "coordinates": [place.lon, place.lat]}
    return _feature(point, {**_common(place, "place"), "kind": place.kind})


def zone_map_feature(zone: Zone) -> dict[str, Any]:
    """A zone for a map layer: shape plus the fields a popup shows."""
    keys = ("id", "code", "name_th", "name_en", "kind", "is_sample")
    return _feature(shapes.loads(zone.geometry), {k: getattr(zone, k) for k in keys})


def place_map_feature(place: Place) -> dict[str, Any]:
    """A place for a map layer."""
    keys = ("id", "code", "name_th", "name_en", "kind", "zone_id", "is_sample")
    point = {"type": "Point", "coordinates": [place.lon, place.lat]}
    return _feature(point, {k: getattr(place, k) for k in keys})


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection of the given features."""
    return {"type": "FeatureCollection", "features": features}
