"""Geography rules on a real database: look-ups, zone edits, GeoJSON import and export, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport, PlaceIn, ZoneIn, ZoneUpdate
from smartcity.geo.shapes import PREPARED
from smartcity.kit.pagination import PageParams
from tests.geo.support import collection, feature, point, site_feature, square

ALL = PageParams(1, 200)


def _import(uow: UnitOfWork, *features: dict[str, object]) -> ImportReport:
    return geo.import_geojson(uow, collection(*features))


def _actions(uow: UnitOfWork) -> list[str]:
    return list(uow.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


# --- point look-ups ---------------------------------------------------------------------------


def test_point_in_a_known_community(uow: UnitOfWork, sample: ImportReport) -> None:
    # The fresh market sits in the market community, inside the safety zone.
    community = geo.zone_at(uow.session, 16.4418, 100.3492)
    assert community is not None and community.code == "comm-e3"
    codes = {z.code for z in geo.zones_at(uow.session, 16.4418, 100.3492)}
    assert codes == {"comm-e3", "pa-east", "ssz-market-station"}
    assert [z.code for z in geo.zones_at(uow.session, 16.4418, 100.3492, "safety_zone")] == [
        "ssz-market-station"
    ]


def test_point_on_each_bank_finds_a_community_of_that_bank(
    uow: UnitOfWork, sample: ImportReport
) -> None:
    west = geo.zone_at(uow.session, 16.443, 100.335)
    east = geo.zone_at(uow.session, 16.443, 100.358)
    assert west is not None and west.properties["bank"] == "west"
    assert east is not None and east.properties["bank"] == "east"


def test_point_outside_the_site_is_in_no_zone(uow: UnitOfWork, sample: ImportReport) -> None:
    assert geo.zone_at(uow.session, 16.50, 100.347) is None
    assert geo.zones_at(uow.session, 13.7563, 100.5018) == []  # Bangkok


def test_lookup_follows_an_edited_zone(uow: UnitOfWork) -> None:
    _import(uow, site_feature())
    zone = geo.create_zone(
        uow, ZoneIn(kind="community", code="c1", name_th="ชุมชน 1", geometry=square(100.0, 15.0))
    )
    assert geo.zone_at(uow.session, 15.005, 100.005) is not None  # now cached
    assert len(PREPARED) >= 1
    geo.update_zone(uow, zone.id, ZoneUpdate(geometry=square(100.05, 15.05)))
    assert geo.zone_at(uow.session, 15.005, 100.005) is None
    moved = geo.zone_at(uow.session, 15.055, 100.055)
    assert moved is not None and moved.id == zone.id


# --- zones and places -------------------------------------------------------------------------


def test_places_follow_community_changes(uow: UnitOfWork) -> None:
    _import(uow, site_feature())
    place = geo.create_place(
        uow, PlaceIn(kind="temple", code="t1", name_th="วัด", lat=15.005, lon=100.005)
    )
    assert place.zone_id is None
    zone = geo.create_zone(
        uow, ZoneIn(kind="community", code="c1", name_th="ชุมชน", geometry=square(100.0, 15.0))
    )
    assert place.zone_id == zone.id
    assert [p.code for p in geo.places_in_zone(uow.session, zone.id)] == ["t1"]
    geo.update_zone(uow, zone.id, ZoneUpdate(geometry=square(100.05, 15.05)))
    assert place.zone_id is None
    geo.update_zone(uow, zone.id, ZoneUpdate(geometry=square(100.0, 15.0)))
    assert place.zone_id == zone.id
    geo.delete_zone(uow, zone.id)
    assert place.zone_id is None
    with pytest.raises(NotFound):
        geo.get_zone(uow.session, zone.id)


def test_zone_rules(uow: UnitOfWork) -> None:
    data = ZoneIn(kind="pa_zone", code="pa1", name_th="เสียงตามสาย", geometry=square(100.0, 15.0))
    with pytest.raises(InvalidInput, match="site"):
        geo.create_zone(uow, data)
    _import(uow, site_feature())
    geo.create_zone(uow, data)
    with pytest.raises(Conflict):
        geo.create_zone(uow, data)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(InvalidInput) as caught:
        geo.create_zone(uow, data.model_copy(update={"code": "pa2", "geometry": bowtie}))
    assert "Self-intersection" in caught.value.detail and caught.value.detail_th
    with pytest.raises(NotFound) as missing:
        geo.get_place(uow.session, 999_999)
    assert "ไม่พบ" in missing.value.detail_th


def test_search_zones_by_name_and_scope(uow: UnitOfWork, sample: ImportReport) -> None:
    rows, total = geo.list_zones(uow.session, ALL, q="ตลาดสด")
    assert {z.code for z in rows} == {"comm-e3", "ssz-market-station"} and total == 2
    rows, total = geo.list_zones(uow.session, PageParams(2, 3), kind="community")
    assert total >= 8 and len(rows) == 3
    first = rows[0].id
    scoped, total = geo.list_zones(uow.session, ALL, zone_scope=frozenset({first}))
    assert [z.id for z in scoped] == [first] and total == 1
    assert geo.list_zones(uow.session, ALL, zone_scope=frozenset()) == ([], 0)
    places, _ = geo.list_places(uow.session, ALL, zone_id=first)
    assert all(p.zone_id == first for p in places)


# --- import and export ------------------------------------------------------------------------


def test_import_keeps_good_features_and_reports_bad_ones(uow: UnitOfWork) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[100, 15], [100.1, 15.1], [100.1, 15], [100, 15.1], [100, 15]]],
    }
    good_zone = feature(
        square(100.0, 15.0), layer="zone", kind="community", code="c1", name_th="ชุมชน", colour="red"
    )
    report = _import(
        uow,
        good_zone,  # 0
        feature(square(100.0, 15.0), layer="zone", kind="volcano", code="x1", name_th="x"),  # 1
        feature(bowtie, layer="zone", kind="community", code="x2", name_th="x"),  # 2
        feature(point(100.0, 15.0), layer="zone", kind="community", code="x3", name_th="x"),  # 3
        feature(point(15.0, 100.0), layer="place", kind="school", code="x4", name_th="x"),  # 4
        feature(point(100.005, 15.005), layer="place", kind="school", code="s1"),  # 5 no name
        feature(
            point(100.005, 15.005), layer="place", kind="school", code="s1", name_th="รร."
        ),  # 6
        {"type": "Feature", "geometry": None, "properties": {"code": "x5"}},  # 7
        "not a feature",  # 8
        site_feature(),  # 9: sites are stored first, so the zones above still find it
        feature(point(100.006, 15.006), layer="place", kind="park", code="s1", name_th="dup"),  # 10
    )
    assert (report.created, report.updated) == (3, 0)
    reasons = {e.index: e for e in report.errors}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 7, 8, 10]
    assert "kind" in reasons[1].message and reasons[1].code == "x1"
    assert "Self-intersection" in reasons[2].message
    assert "Point" in reasons[3].message
    assert "latitude" in reasons[4].message
    assert "name_th" in reasons[5].message
    assert "layer" in reasons[7].message and reasons[7].code == "x5"
    assert "Feature" in reasons[8].message and reasons[8].code == ""
    assert "more than once" in reasons[10].message
    assert all(e.message_th for e in report.errors)
    zone = geo.zone_at(uow.session, 15.005, 100.005)
    assert zone is not None and zone.code == "c1" and zone.properties == {"colour": "red"}
    school, _ = geo.list_places(uow.session, ALL, q="s1")
    assert school[0].zone_id == zone.id and school[0].kind == "school"


def test_import_without_any_site_refuses_zones(uow: UnitOfWork) -> None:
    report = _import(
        uow, feature(square(100, 15), layer="zone", kind="community", code="c1", name_th="x")
    )
    assert report.created == 0 and "site" in report.errors[0].message


def test_import_refuses_documents_that_are_not_feature_collections(uow: UnitOfWork) -> None:
    for bad in ({"type": "Feature"}, {"type": "FeatureCollection"}, {"features": []}):
        with pytest.raises(InvalidInput):
            geo.import_geojson(uow, bad)
    assert geo.import_geojson(uow, collection()) == ImportReport()


def test_reimport_updates_rather_than_duplicates(uow: UnitOfWork) -> None:
    zone = feature(square(100, 15), layer="zone", kind="community", code="c1", name_th="เดิม")
    assert _import(uow, site_feature(), zone).created == 2
    zone["properties"]["name_th"] = "ใหม่"  # type: ignore[index]
    zone["geometry"] = square(100.02, 15.02)
    report = _import(uow, site_feature(), zone)
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    rows, total = geo.list_zones(uow.session, ALL)
    assert total == 1 and rows[0].name_th == "ใหม่" and rows[0].min_lon == pytest.approx(100.02)


def test_export_round_trips_through_import(uow: UnitOfWork, sample: ImportReport) -> None:
    exported = geo.export_geojson(uow.session)
    assert len(exported["features"]) == sample.created
    report = geo.import_geojson(uow, exported)
    assert (report.created, report.updated, report.errors) == (0, sample.created, [])
    assert geo.export_geojson(uow.session) == exported
    zones_only = geo.export_geojson(uow.session, layer="zone", kind="hazard_area")
    assert [f["properties"]["code"] for f in zones_only["features"]] == ["flood-nan-riverside"]
    site = geo.export_geojson(uow.session, layer="site")["features"][0]
    assert site["properties"]["postcode"] == "66000" and site["properties"]["sample"] is True
    with pytest.raises(InvalidInput):
        geo.export_geojson(uow.session, layer="rivers")


def test_site_without_boundary_round_trips_as_a_point(uow: UnitOfWork) -> None:
    centre = feature(point(100.347, 16.443), layer="site", code="s", name_th="เมือง")
    assert _import(uow, centre).created == 1
    site = geo.get_site(uow.session)
    assert site is not None and site.geometry is None and site.center_lat == 16.443
    exported = geo.export_geojson(uow.session)
    assert exported["features"][0]["geometry"]["type"] == "Point"
    assert geo.import_geojson(uow, exported).updated == 1


# --- audit ------------------------------------------------------------------------------------


def test_every_write_leaves_an_audit_entry(uow: UnitOfWork) -> None:
    _import(uow, site_feature())
    zone = geo.create_zone(
        uow, ZoneIn(kind="hazard_area", code="h1", name_th="น้ำท่วม", geometry=square(100, 15))
    )
    geo.update_zone(uow, zone.id, ZoneUpdate(name_en="Flood"))
    geo.create_place(
        uow, PlaceIn(kind="shelter", code="p1", name_th="ศูนย์พักพิง", lat=15.5, lon=100.5)
    )
    geo.delete_zone(uow, zone.id)
    uow.session.flush()
    assert _actions(uow) == [
        "site.created",
        "geo.imported",
        "zone.created",
        "zone.updated",
        "place.created",
        "zone.deleted",
    ]
    entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "zone.updated")).one()
    assert entry.entity_type == "zone" and entry.entity_id == str(zone.id)
    assert '"fields":["name_en"]' in entry.detail


def test_prepared_cache_is_bounded_and_keyed_by_version() -> None:
    from datetime import UTC, datetime, timedelta

    from smartcity.geo.shapes import PreparedCache

    cache = PreparedCache(max_entries=2)
    text = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}'
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    first = cache.get(1, t0, text)
    assert cache.get(1, t0, text) is first
    assert cache.get(1, t0 + timedelta(seconds=1), text) is not first  # edited: re-read
    cache.get(2, t0, text)
    cache.get(3, t0, text)
    assert len(cache) == 2
    cache.forget(3)
    assert len(cache) == 1
