"""Reading rings of nearby units picks exactly what measuring every unit picks."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents import distance, service
from smartcity.incidents.distance import DistanceFn, haversine_m
from smartcity.incidents.models import Offer, Unit
from smartcity.incidents.nearest import box_around, nearest_free
from smartcity.incidents.policy import Policy
from smartcity.kit.clock import utcnow

CENTRE = (16.443, 100.347)
CAPABILITIES = ("medical", "rescue", "transport", "police", "care")
NEEDS = (
    frozenset(),
    frozenset({"medical"}),
    frozenset({"rescue", "transport"}),
    frozenset({"police"}),
)


def _spot(rnd: random.Random, km: float) -> tuple[float, float]:
    dlat = km / 111.32
    dlon = dlat / math.cos(math.radians(CENTRE[0]))
    return CENTRE[0] + rnd.uniform(-dlat, dlat), CENTRE[1] + rnd.uniform(-dlon, dlon)


def _fleet(uow: UnitOfWork, rnd: random.Random, n: int = 300) -> None:
    """Units in town, in the province and a few far away; some busy, off duty, inactive."""
    now = utcnow()
    for i in range(n):
        lat, lon = _spot(rnd, rnd.choice((2.0, 8.0, 30.0, 150.0)))
        caps = [c for c in CAPABILITIES if rnd.random() < 0.4]
        positioned = rnd.random() > 0.03
        uow.session.add(
            Unit(
                code=f"ring-{i}",
                name=f"หน่วย {i}",
                kind="rescue_foundation",
                capabilities=caps,
                status=rnd.choice(("available", "available", "available", "busy", "off_duty")),
                active=rnd.random() > 0.05,
                lat=lat if positioned else None,
                lon=lon if positioned else None,
                created_at=now,
                updated_at=now,
            )
        )
    uow.commit()


def _brute_force(
    uow: UnitOfWork,
    at: tuple[float, float],
    need: frozenset[str],
    exclude: set[int],
    measure: DistanceFn = haversine_m,
) -> list[tuple[float, int]]:
    """Every free suitable unit measured, nearest first (how dispatch chose before rings)."""
    uow.session.expire_all()
    found = [
        (measure(at[0], at[1], u.lat, u.lon), u.id)
        for u in uow.session.scalars(select(Unit))
        if u.status == "available" and u.active and u.lat is not None and u.lon is not None
        if u.id not in exclude and need.issubset(u.capabilities or [])
    ]
    return sorted(found)


@pytest.fixture
def straight_line() -> Iterator[None]:
    """Put the straight-line distance back after a test installs another one."""
    yield
    distance.use_distance(haversine_m, at_least_straight_line=True)


def test_rings_give_the_same_order_as_measuring_every_unit(uow: UnitOfWork) -> None:
    rnd = random.Random(4)
    _fleet(uow, rnd)
    ids = list(uow.session.scalars(select(Unit.id)))
    for _ in range(40):
        at = _spot(rnd, rnd.choice((1.0, 5.0, 40.0)))
        need = rnd.choice(NEEDS)
        exclude = set(rnd.sample(ids, 10))
        rings = list(nearest_free(uow.session, at, need, exclude, haversine_m))
        assert rings == _brute_force(uow, at, need, exclude)
        assert rings  # the fleet always has some free suitable unit


def test_rings_with_another_distance_that_is_never_shorter(
    uow: UnitOfWork, straight_line: None
) -> None:
    def road(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        # Roads wind: longer than the crow flies by a factor that depends on the direction.
        straight = haversine_m(lat1, lon1, lat2, lon2)
        return straight * (1.2 + 0.8 * abs(math.sin(math.radians(lat2 * 977 + lon2 * 631))))

    rnd = random.Random(5)
    _fleet(uow, rnd)
    distance.use_distance(road, at_least_straight_line=True)
    for _ in range(20):
        at = _spot(rnd, 5.0)
        need = rnd.choice(NEEDS)
        rings = list(nearest_free(uow.session, at, need, set(), road))
        assert rings == _brute_force(uow, at, need, set(), road)


def test_dispatch_offers_the_unit_that_brute_force_picks(
    uow: UnitOfWork, sample: ImportReport, straight_line: None
) -> None:
    rnd = random.Random(6)
    _fleet(uow, rnd, 200)
    policy = Policy()
    for i in range(25):
        at = _spot(rnd, 4.0)
        level = rnd.choice((None, "red", "green"))
        need = frozenset({"medical"}) if level == "red" else frozenset()
        expected = _brute_force(uow, at, need, set())
        data = service.Report(
            kind="help_request",
            source="operator",
            client_key=f"ring-{i}",
            lat=at[0],
            lon=at[1],
            triage_level=level,
        )
        incident, _ = service.report(uow, policy, data)
        uow.commit()
        offer = uow.session.scalars(select(Offer).where(Offer.incident_id == incident.id)).one()
        assert (offer.unit_id, offer.distance_m) == (expected[0][1], round(expected[0][0], 1))


def test_a_distance_without_the_guarantee_measures_every_unit(
    uow: UnitOfWork, sample: ImportReport, straight_line: None
) -> None:
    # Much shorter than the straight line for units far to the east: rings would miss them.
    def shortcut(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        straight = haversine_m(lat1, lon1, lat2, lon2)
        return straight / 10_000 if lon2 > CENTRE[1] + 0.5 else straight

    rnd = random.Random(7)
    _fleet(uow, rnd, 200)
    distance.use_distance(shortcut)
    assert not distance.at_least_straight_line()
    expected = _brute_force(uow, CENTRE, frozenset(), set(), shortcut)
    far_east = set(uow.session.scalars(select(Unit.id).where(Unit.lon > CENTRE[1] + 0.5)))
    assert expected[0][1] in far_east
    wrongly = next(nearest_free(uow.session, CENTRE, frozenset(), set(), shortcut, rings=True))
    assert wrongly != expected[0]  # what rings would pick with this function
    data = service.Report(kind="help_request", source="operator", lat=CENTRE[0], lon=CENTRE[1])
    incident, _ = service.report(uow, Policy(), data)
    uow.commit()
    offer = uow.session.scalars(select(Offer).where(Offer.incident_id == incident.id)).one()
    assert offer.unit_id == expected[0][1]


@pytest.mark.parametrize("lat", [16.4, -33.9, 60.0, 84.0])
def test_the_box_holds_the_whole_circle(lat: float) -> None:
    radius = 5_000.0
    box = box_around(lat, 100.0, radius)
    assert box is not None
    for step in range(360):
        bearing = math.radians(step)
        # The point `radius` metres away on the sphere at this bearing.
        a, p1 = radius / distance.EARTH_RADIUS_M, math.radians(lat)
        p2 = math.asin(math.sin(p1) * math.cos(a) + math.cos(p1) * math.sin(a) * math.cos(bearing))
        dl = math.atan2(
            math.sin(bearing) * math.sin(a) * math.cos(p1),
            math.cos(a) - math.sin(p1) * math.sin(p2),
        )
        plat, plon = math.degrees(p2), 100.0 + math.degrees(dl)
        assert box[0] < plat < box[2] and box[1] < plon < box[3]


def test_no_box_where_the_circle_holds_a_pole_or_wraps_round() -> None:
    assert box_around(89.99, 0.0, 5_000.0) is None
    assert box_around(10.0, 179.99, 5_000.0) is None
    assert box_around(10.0, 100.0, 20_000_000.0) is None
