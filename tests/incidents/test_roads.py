"""Road distance: a graph from GeoJSON lines, never below the straight line, used by dispatch."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from smartcity import cli
from smartcity.app import create_app
from smartcity.config import ConfigError, Settings
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents import distance
from smartcity.incidents.distance import haversine_m
from smartcity.incidents.models import Offer
from smartcity.incidents.roads import (
    UNREACHABLE_FACTOR,
    RoadDistance,
    RoadGraphError,
    load_road_graph,
    road_graph_from_geojson,
)
from tests.incidents.conftest import MARKET, MakeUnit

# A grid of streets around the market: rows every 0.002 degree of latitude, columns every 0.002
# of longitude. A river runs north-south between the columns at 100.350 and 100.352; the only
# bridge is on the southern row.
LATS = [round(16.436 + 0.002 * i, 3) for i in range(8)]
LONS = [round(100.340 + 0.002 * j, 3) for j in range(11)]
WEST_BANK, EAST_BANK = 100.350, 100.352
BRIDGE_LAT = LATS[0]
ACROSS_THE_RIVER = (16.4418, 100.3530)  # nearest to the market in a straight line
UP_THE_STREET = (16.4478, 100.3480)  # farther in a straight line, nearer by road


def _line(points: list[tuple[float, float]]) -> dict[str, Any]:
    coordinates = [[lon, lat] for lat, lon in points]
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }


def _town() -> dict[str, Any]:
    features = [_line([(lat, lon) for lat in LATS]) for lon in LONS]
    for lat in LATS:
        row = [(lat, lon) for lon in LONS]
        if lat == BRIDGE_LAT:
            features.append(_line(row))
        else:
            features.append(_line([p for p in row if p[1] <= WEST_BANK]))
            features.append(_line([p for p in row if p[1] >= EAST_BANK]))
    features.append(
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Point", "coordinates": [100.34, 16.44]},
        }
    )
    return {"type": "FeatureCollection", "features": features}


def _write(tmp_path: Path, data: object, name: str = "roads.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _along(points: list[tuple[float, float]]) -> float:
    return sum(haversine_m(*a, *b) for a, b in itertools.pairwise(points))


@pytest.fixture
def straight_line() -> Iterator[None]:
    """Put the straight-line distance back after a test installs the road distance."""
    yield
    distance.use_distance(haversine_m, at_least_straight_line=True)


@pytest.fixture
def road() -> RoadDistance:
    return RoadDistance(road_graph_from_geojson(_town()))


def test_the_graph_joins_lines_at_shared_vertices() -> None:
    graph = road_graph_from_geojson(_town())
    assert graph.nodes == len(LATS) * len(LONS)
    # Every column, every bank's row segments, and the one bridge.
    columns = len(LONS) * (len(LATS) - 1)
    rows = len(LATS) * (len(LONS) - 2) + 1
    assert graph.edges == columns + rows
    assert graph.components() == 1


def test_distances_follow_the_streets(road: RoadDistance) -> None:
    row = [(LATS[3], lon) for lon in LONS[:5]]
    assert road(*row[0], *row[-1]) == pytest.approx(_along(row), rel=1e-12)
    # Across the river from bank to bank: down to the bridge, over it, and back up.
    west, east = (LATS[3], WEST_BANK), (LATS[3], EAST_BANK)
    route = [west, (BRIDGE_LAT, WEST_BANK), (BRIDGE_LAT, EAST_BANK), east]
    assert road(*west, *east) == pytest.approx(_along(route), rel=1e-9)
    assert road(*west, *east) > 5 * haversine_m(*west, *east)


def test_never_shorter_than_the_straight_line(road: RoadDistance) -> None:
    rnd = random.Random(11)

    def spot() -> tuple[float, float]:
        # In town, and some well outside the streets.
        return rnd.uniform(16.40, 16.48), rnd.uniform(100.30, 100.40)

    for _ in range(500):
        a, b = spot(), spot()
        assert road(*a, *b) >= haversine_m(*a, *b)


def test_snapping_finds_the_nearest_node() -> None:
    # Short roads scattered thinly, so the nearest node is often several grid cells away.
    rnd = random.Random(13)

    def spot(lat: float, lon: float, size: float) -> tuple[float, float]:
        return round(lat + rnd.uniform(-size, size), 6), round(lon + rnd.uniform(-size, size), 6)

    lines = []
    for _ in range(60):
        a = spot(16.45, 100.35, 0.15)
        lines.append([a, spot(*a, 0.003)])
    nodes = [p for line in lines for p in line]
    road = RoadDistance(
        road_graph_from_geojson(
            {"type": "FeatureCollection", "features": [_line(x) for x in lines]}
        )
    )
    for _ in range(300):
        at = (rnd.uniform(16.2, 16.7), rnd.uniform(100.1, 100.6))
        snapped = min(nodes, key=lambda n: haversine_m(*at, *n))
        # Snapped to any other node, the answer would add that node's farther snap and a road.
        assert road(*at, *snapped) == pytest.approx(haversine_m(*at, *snapped), abs=1e-6)


def test_parts_no_road_joins_are_far_but_finite(tmp_path: Path) -> None:
    island = [(16.50, 100.50), (16.50, 100.51)]
    data = _town()
    data["features"].append(_line(island))
    road = RoadDistance(road_graph_from_geojson(data))
    assert road.graph.components() == 2
    a, b = (LATS[0], LONS[0]), island[0]
    assert road(*a, *b) == pytest.approx(UNREACHABLE_FACTOR * haversine_m(*a, *b))


@pytest.mark.parametrize(
    ("content", "english", "thai"),
    [
        ("{not json", "is not JSON", "ไม่ใช่ JSON"),
        ({"type": "Feature"}, "must be a GeoJSON FeatureCollection", "FeatureCollection"),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [100.3, 16.4]}}
                ],
            },
            "no LineString or MultiLineString features",
            "ไม่มีเส้นถนน",
        ),
        (
            {"type": "FeatureCollection", "features": [_line([(16.4, 100.3), (16.4, 100.3)])]},
            "empty graph",
            "ไม่เกิดเป็นโครงข่าย",
        ),
        (
            {"type": "FeatureCollection", "features": [_line([(16.4, 100.3), (95.0, 100.3)])]},
            "feature 0: position [100.3, 95.0] is not a longitude, latitude pair",
            "ไม่ใช่คู่ลองจิจูด ละติจูด",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "MultiLineString",
                            "coordinates": [[[100.3, 16.4], "x"]],
                        },
                    }
                ],
            },
            "feature 0: coordinates must be a list",
            "พิกัดต้องเป็นรายการ",
        ),
    ],
)
def test_bad_files_are_refused_with_a_message(
    tmp_path: Path, content: object, english: str, thai: str
) -> None:
    with pytest.raises(RoadGraphError) as caught:
        load_road_graph(_write(tmp_path, content))
    assert english in caught.value.detail and thai in caught.value.detail_th


def test_a_bad_file_stops_the_app_from_starting(
    tmp_path: Path, settings: Settings, engine: Engine, straight_line: None
) -> None:
    bad = settings.model_copy(update={"road_graph": str(_write(tmp_path, "{not json"))})
    with pytest.raises(ConfigError, match=r"SMARTCITY_ROAD_GRAPH: the road file .* is not JSON"):
        create_app(bad, engine)
    missing = settings.model_copy(update={"road_graph": str(tmp_path / "missing.geojson")})
    with pytest.raises(ConfigError, match="cannot read the road file"):
        create_app(missing, engine)


def test_the_app_installs_the_road_distance_and_puts_the_straight_line_back(
    tmp_path: Path, settings: Settings, engine: Engine, straight_line: None
) -> None:
    create_app(settings.model_copy(update={"road_graph": str(_write(tmp_path, _town()))}), engine)
    assert isinstance(distance.distance_fn(), RoadDistance)
    assert distance.at_least_straight_line()
    create_app(settings, engine)
    assert distance.distance_fn() is haversine_m


def test_help_request_is_offered_to_the_unit_nearest_by_road(
    tmp_path: Path,
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    uow: UnitOfWork,
    sample: ImportReport,
    make_unit: MakeUnit,
    straight_line: None,
) -> None:
    across = make_unit(ACROSS_THE_RIVER)
    up_the_street = make_unit(UP_THE_STREET)
    assert haversine_m(*MARKET, *ACROSS_THE_RIVER) < haversine_m(*MARKET, *UP_THE_STREET)
    with_roads = settings.model_copy(update={"road_graph": str(_write(tmp_path, _town()))})
    app = create_app(with_roads, engine)
    app.state.session_factory = session_factory
    body = {"client_key": "road-0000-0001", "lat": MARKET[0], "lon": MARKET[1], "text": "ล้ม"}
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/api/help", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["offered_unit"] == str(up_the_street.id)
    offer = uow.session.scalars(select(Offer).where(Offer.unit_id == up_the_street.id)).one()
    road = distance.distance_fn()
    assert offer.distance_m == round(road(*MARKET, *UP_THE_STREET), 1)
    assert road(*MARKET, *ACROSS_THE_RIVER) > road(*MARKET, *UP_THE_STREET)
    assert across.status == "available"


def test_roads_check_prints_the_graph(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(cli.app, ["roads", "check", str(_write(tmp_path, _town()))])
    assert good.exit_code == 0, good.output
    graph = road_graph_from_geojson(_town())
    assert good.output.startswith(f"nodes {graph.nodes}, edges {graph.edges}, parts 1, length ")
    bad = runner.invoke(cli.app, ["roads", "check", str(_write(tmp_path, "[]", "bad.geojson"))])
    assert bad.exit_code == 1
    assert "FeatureCollection" in bad.output
