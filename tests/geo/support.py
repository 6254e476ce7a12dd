"""Small GeoJSON builders for the geography tests."""

from __future__ import annotations

from typing import Any


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    """A GeoJSON feature."""
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def point(lon: float, lat: float) -> dict[str, Any]:
    """A GeoJSON point."""
    return {"type": "Point", "coordinates": [lon, lat]}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


def site_feature(code: str = "test-town") -> dict[str, Any]:
    """A small site around (100.0, 15.0)."""
    return feature(
        square(100.0, 15.0, 0.1), layer="site", code=code, name_th="เมืองทดสอบ", name_en="Test Town"
    )
