"""Route planning: known small cases and 2-opt never longer than nearest neighbour."""

from __future__ import annotations

import random

import pytest

from smartcity.care.visits import routing


def test_haversine_one_degree_of_latitude_is_about_111_km() -> None:
    d = routing.haversine_m((16.0, 100.0), (17.0, 100.0))
    assert 110_500 < d < 111_500


def test_stops_on_a_line_are_visited_in_order() -> None:
    stops = [(16.0, 100.03), (16.0, 100.01), (16.0, 100.04), (16.0, 100.02)]
    order, length = routing.plan_route((16.0, 100.0), stops)
    assert order == [1, 3, 0, 2]
    assert length == pytest.approx(routing.haversine_m((16.0, 100.0), (16.0, 100.04)), rel=1e-6)


def test_two_opt_fixes_a_detour_that_nearest_neighbour_makes() -> None:
    # Nearest neighbour goes 4, 3, 5 and then doubles back to 2; 2-opt visits 2 on the way.
    points = [(0.0, 0.0), (0.003, 0.044), (0.028, 0.01), (0.025, 0.024), (0.018, 0.017)]
    points.append((0.027, 0.031))
    d = routing.distance_matrix(points)
    nn = routing.nearest_neighbour(d)
    assert nn == [4, 3, 5, 2, 1]
    better = routing.two_opt(list(nn), d)
    assert better == [4, 2, 3, 5, 1]
    assert routing.path_length(better, d) < 0.9 * routing.path_length(nn, d)


def test_empty_and_single_stop() -> None:
    assert routing.plan_route((16.0, 100.0), []) == ([], 0.0)
    order, length = routing.plan_route((16.0, 100.0), [(16.01, 100.0)])
    assert order == [0]
    assert length > 0


@pytest.mark.parametrize("seed", range(20))
def test_two_opt_is_never_longer_than_nearest_neighbour(seed: int) -> None:
    rng = random.Random(seed)
    points = [(16.43 + rng.random() * 0.03, 100.33 + rng.random() * 0.03) for _ in range(31)]
    d = routing.distance_matrix(points)
    nn = routing.nearest_neighbour(d)
    opt = routing.two_opt(list(nn), d)
    assert sorted(opt) == list(range(1, 31))
    assert routing.path_length(opt, d) <= routing.path_length(nn, d) + 1e-6
