"""How far a unit is from an incident: the straight line, or along the roads of a graph.

Dispatch asks a ``DistanceFn`` and never computes distances itself, so the road-network
distance (``roads.py``, installed by the app when a road graph is configured) replaces the
straight line without touching it.

Dispatch reads only the units near an incident (``nearest.py``). That is exact only when the
distance is never shorter than the straight line, so an installed function says whether it is;
one that does not is measured against every free unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8  # mean Earth radius (IUGG)

# (from_lat, from_lon, to_lat, to_lon) -> metres
DistanceFn = Callable[[float, float, float, float], float]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


_current: DistanceFn = haversine_m
_at_least_straight = True


def distance_fn() -> DistanceFn:
    """The distance function dispatch uses now."""
    return _current


def at_least_straight_line() -> bool:
    """True when the distance function never answers less than the straight-line distance."""
    return _at_least_straight


def use_distance(fn: DistanceFn, *, at_least_straight_line: bool = False) -> None:
    """Install another distance function (a road graph, once one is loaded).

    Pass ``at_least_straight_line=True`` only if ``fn`` is never shorter than ``haversine_m``
    (a route along roads from the exact points is; one between the nearest graph nodes
    may not be); it lets dispatch read only nearby units.
    """
    global _current, _at_least_straight
    _current, _at_least_straight = fn, at_least_straight_line
