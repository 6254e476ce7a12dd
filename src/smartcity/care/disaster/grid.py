"""The grid behind the area index: integer cells of a fixed size in degrees (no domain rules).

A cell number is ``row * ROW_STRIDE + col``; the cells of one grid row are consecutive, so the
cells under a bounding box are one integer range per row, which a plain B-tree index on either
database answers with a few range scans (see docs/adr for why this and not an R-tree).
"""

from __future__ import annotations

import math
from typing import Final

CELL_DEG: Final = 0.005  # about 550 m north-south; a 5 km² area spans about 5 x 5 cells
ROW_STRIDE: Final = 100_000  # more than the 72,000 columns around the globe

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def _row(lat: float) -> int:
    return math.floor((lat + 90.0) / CELL_DEG)


def _col(lon: float) -> int:
    return math.floor((lon + 180.0) / CELL_DEG)


def cell_of(lat: float, lon: float) -> int:
    """The cell a point falls in."""
    return _row(lat) * ROW_STRIDE + _col(lon)


def cell_ranges(bbox: BBox) -> list[tuple[int, int]]:
    """Inclusive cell-number ranges, one per grid row, that cover a bounding box."""
    min_lon, min_lat, max_lon, max_lat = bbox
    first, last = _col(min_lon), _col(max_lon)
    return [
        (row * ROW_STRIDE + first, row * ROW_STRIDE + last)
        for row in range(_row(min_lat), _row(max_lat) + 1)
    ]
