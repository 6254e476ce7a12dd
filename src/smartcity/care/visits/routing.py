"""A worker's day as a short route: nearest neighbour, then 2-opt over great-circle distances.

The route is an open path: it starts at the worker's start point and ends at the last visit
(workers go home from there), so 2-opt never moves the start and may reverse the tail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8
Point = tuple[float, float]  # (lat, lon) in degrees


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance between two (lat, lon) points, in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distance_matrix(points: Sequence[Point]) -> list[list[float]]:
    """Every pairwise distance (metres); index 0 is the start point."""
    n = len(points)
    d = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            d[i][j] = d[j][i] = haversine_m(points[i], points[j])
    return d


def path_length(order: Sequence[int], d: Sequence[Sequence[float]]) -> float:
    """Length of the open path start(0) -> order[0] -> ... (metres)."""
    total, here = 0.0, 0
    for stop in order:
        total += d[here][stop]
        here = stop
    return total


def nearest_neighbour(d: Sequence[Sequence[float]]) -> list[int]:
    """Stops 1..n-1 in nearest-neighbour order from the start (ties: lowest index)."""
    left = set(range(1, len(d)))
    order: list[int] = []
    here = 0
    while left:
        here = min(left, key=lambda j: (d[here][j], j))
        left.remove(here)
        order.append(here)
    return order


def two_opt(order: list[int], d: Sequence[Sequence[float]]) -> list[int]:
    """Improve an open path by reversing segments until no reversal shortens it."""
    path = [0, *order]
    n = len(path)
    improved = True
    while improved:
        improved = False
        for i in range(n - 2):
            a, b = path[i], path[i + 1]
            for j in range(i + 2, n):
                c = path[j]
                nxt = path[j + 1] if j + 1 < n else None
                # Reversing path[i+1..j]: edges (a,b) and (c,nxt) become (a,c) and (b,nxt).
                before = d[a][b] + (d[c][nxt] if nxt is not None else 0.0)
                after = d[a][c] + (d[b][nxt] if nxt is not None else 0.0)
                if after < before - 1e-9:
                    path[i + 1 : j + 1] = reversed(path[i + 1 : j + 1])
                    b = path[i + 1]
                    improved = True
    return path[1:]


def plan_route(start: Point, stops: Sequence[Point]) -> tuple[list[int], float]:
    """Visiting order (indexes into ``stops``) and its length in metres."""
    if not stops:
        return [], 0.0
    d = distance_matrix([start, *stops])
    order = two_opt(nearest_neighbour(d), d)
    return [i - 1 for i in order], path_length(order, d)
