"""The packaged Phichit sample pack: complete, clearly marked, geometrically sound."""

from __future__ import annotations

import itertools
import json

from shapely.geometry import Point, shape

from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.models import Place, Zone
from smartcity.geo.schemas import ImportReport
from smartcity.kit.pagination import PageParams

ALL = PageParams(1, 200)


def test_sample_loads_every_feature_without_errors(uow: UnitOfWork, sample: ImportReport) -> None:
    assert sample.errors == []
    summary = geo.site_summary(uow.session)
    assert summary["zones"]["community"] >= 8
    assert summary["zones"]["pa_zone"] == 2
    assert summary["zones"]["safety_zone"] == 1
    assert summary["zones"]["hazard_area"] == 1
    assert summary["places"]["shelter"] >= 2
    assert summary["place_total"] >= 12
    assert sample.created == 1 + summary["zone_total"] + summary["place_total"]


def test_sample_records_are_all_marked_as_samples(uow: UnitOfWork, sample: ImportReport) -> None:
    site = geo.get_site(uow.session)
    assert site is not None and site.is_sample and site.name_en.endswith("(sample)")
    zones, _ = geo.list_zones(uow.session, ALL)
    places, _ = geo.list_places(uow.session, ALL)
    for row in [*zones, *places]:
        assert row.is_sample, row.code
        assert row.name_th.endswith(" (ตัวอย่าง)") and row.name_en.endswith(" (sample)"), row.code


def test_sample_polygons_are_valid_and_communities_tile_the_site(
    uow: UnitOfWork, sample: ImportReport
) -> None:
    site = geo.get_site(uow.session)
    assert site is not None and site.geometry is not None
    boundary = shape(json.loads(site.geometry))
    assert boundary.is_valid
    zones, _ = geo.list_zones(uow.session, ALL)
    shapes = {z.code: shape(json.loads(z.geometry)) for z in zones}
    assert all(s.is_valid for s in shapes.values())
    communities = [shapes[z.code] for z in zones if z.kind == "community"]
    for a, b in itertools.combinations(communities, 2):
        assert a.intersection(b).area < 1e-12
    assert abs(sum(c.area for c in communities) - boundary.area) < 1e-9


def test_sample_centre_and_places_lie_inside_the_site(
    uow: UnitOfWork, sample: ImportReport
) -> None:
    site = geo.get_site(uow.session)
    assert site is not None and site.geometry is not None
    boundary = shape(json.loads(site.geometry))
    assert boundary.contains(Point(site.center_lon, site.center_lat))
    assert (round(site.center_lat, 3), round(site.center_lon, 3)) == (16.443, 100.347)
    places, _ = geo.list_places(uow.session, ALL)
    assert all(boundary.contains(Point(p.lon, p.lat)) for p in places)
    # Every place has a community, because the communities cover the whole site.
    assert all(p.zone_id is not None for p in places)


def test_sample_communities_lie_on_both_banks(uow: UnitOfWork, sample: ImportReport) -> None:
    zones, _ = geo.list_zones(uow.session, ALL, kind="community")
    banks = {z.properties.get("bank") for z in zones}
    assert banks == {"west", "east"}


def test_shelters_are_outside_the_flood_prone_area(uow: UnitOfWork, sample: ImportReport) -> None:
    hazard = _only(uow, "hazard_area")
    inside = {p.kind for p in geo.places_in_zone(uow.session, hazard.id)}
    assert "shelter" not in inside
    market = _place(uow, "market-fresh")
    safety = _only(uow, "safety_zone")
    assert market.id in {p.id for p in geo.places_in_zone(uow.session, safety.id)}


def test_loading_the_sample_twice_updates_instead_of_duplicating(
    uow: UnitOfWork, sample: ImportReport
) -> None:
    again = geo.load_sample(uow)
    assert again.created == 0 and again.updated == sample.created and again.errors == []
    assert (
        geo.site_summary(uow.session)["zone_total"]
        + 1
        + geo.site_summary(uow.session)["place_total"]
        == sample.created
    )


def _only(uow: UnitOfWork, kind: str) -> Zone:
    zones, total = geo.list_zones(uow.session, ALL, kind=kind)
    assert total == 1
    return zones[0]


def _place(uow: UnitOfWork, code: str) -> Place:
    places, _ = geo.list_places(uow.session, ALL, q=code)
    return places[0]
