"""Free suitable units nearest first, reading growing rings around the incident, not every unit.

Ring r reads (with the position index) only the free units inside a box that holds the whole
circle of radius r around the incident. Every unit outside the box is farther than r in a
straight line, and the distance function is never shorter than the straight line, so a unit
measured at less than r can be handed out before any farther unit is read. Doubling r until
nothing is left unread gives exactly the order of measuring every free unit (ties by id).
A distance function without that guarantee is measured against every free unit at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Final

from sqlalchemy.orm import Session

from smartcity.incidents import repository as repo
from smartcity.incidents.distance import EARTH_RADIUS_M, DistanceFn

FIRST_RADIUS_M: Final = 1_000.0  # a town's units are a few hundred metres to a few km apart
LAST_RADIUS_M: Final = 64_000.0  # past this the box is most of a province: read the rest
BOX_MARGIN: Final = 1.001  # the box a hair wider than the circle, against rounding


def box_around(lat: float, lon: float, radius_m: float) -> repo.Box | None:
    """A box holding every point within ``radius_m`` of (lat, lon); None if it would wrap."""
    angle = radius_m * BOX_MARGIN / EARTH_RADIUS_M  # radians of arc
    dlat = math.degrees(angle)
    cos_lat = math.cos(math.radians(lat))
    if angle >= math.pi / 2 or math.sin(angle) >= cos_lat:  # the circle holds a pole
        return None
    # The widest longitude a circle on the sphere reaches (a little poleward of its centre).
    dlon = math.degrees(math.asin(math.sin(angle) / cos_lat))
    box = (lat - dlat, lon - dlon, lat + dlat, lon + dlon)
    if box[0] < -90 or box[2] > 90 or box[1] < -180 or box[3] > 180:
        return None
    return box


def nearest_free(
    session: Session,
    at: tuple[float, float],
    need: frozenset[str],
    exclude: set[int],
    measure: DistanceFn,
    *,
    rings: bool = True,
) -> Iterator[tuple[float, int]]:
    """(distance, unit id) of free units having ``need``, nearest first, read lazily."""
    done = set(exclude)  # handed out, or unsuitable: never measured again
    radius = FIRST_RADIUS_M if rings else math.inf
    while True:
        box = box_around(at[0], at[1], radius) if math.isfinite(radius) else None
        final: list[tuple[float, int]] = []
        for uid, ulat, ulon, caps in repo.free_units(session, done, box):
            if not need.issubset(caps):
                done.add(uid)
                continue
            distance = measure(at[0], at[1], ulat, ulon)
            if box is None or distance < radius:
                final.append((distance, uid))
        final.sort()
        for distance, uid in final:
            done.add(uid)
            yield distance, uid
        if box is None:
            return
        radius = radius * 2 if radius < LAST_RADIUS_M else math.inf
