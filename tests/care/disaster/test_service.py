"""Disaster mode's rules: who is inside an area, in what order, and the check-on statuses."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.disaster import grid
from smartcity.care.disaster import service as disaster
from smartcity.care.disaster.models import HouseholdCell
from smartcity.care.disaster.ranking import need_score
from smartcity.care.disaster.schemas import AreaIn, OperationIn, StatusIn
from smartcity.care.schemas import HouseholdUpdate
from smartcity.config import Settings
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from tests.care.disaster.support import EVERYTHING, polygon, resident, square
from tests.care.support import MARKET, WEST

pytestmark = pytest.mark.usefixtures("sample")


def _area(ring: list[list[float]], *holes: list[list[float]]) -> AreaIn:
    return AreaIn(geometry=polygon(ring, *holes))


def _ids(found: list[object]) -> list[int]:
    return [p.person_id for p in found]  # type: ignore[attr-defined]


def test_ranked_by_need_bed_bound_first(uow: UnitOfWork, settings: Settings) -> None:
    lat, lon = MARKET
    plain = resident(uow, settings, (lat, lon), "ธรรมดา")
    elder = resident(uow, settings, (lat + 0.0001, lon), "ผู้สูงอายุ", birth="1940-01-01")
    alone = resident(uow, settings, (lat, lon + 0.0001), "อยู่คนเดียว", lives_alone=True)
    oxygen = resident(uow, settings, (lat - 0.0001, lon), "ออกซิเจน", oxygen_dependent=True)
    both = resident(
        uow, settings, (lat, lon - 0.0001), "ล้างไต", dialysis=True, oxygen_dependent=True,
        lives_alone=True,
    )  # fmt: skip
    bed = resident(uow, settings, (lat + 0.0002, lon), "ติดเตียง", bed_bound=True)
    found = disaster.people_in_area(uow, EVERYTHING, _area(square(lat, lon)))
    assert _ids(found) == [bed.id, both.id, oxygen.id, alone.id, elder.id, plain.id]
    assert [p.rank for p in found] == [1, 2, 3, 4, 5, 6]
    assert found[0].reasons == ["bed_bound"]
    assert found[1].reasons == ["oxygen_dependent", "dialysis", "lives_alone"]


def test_each_tier_outweighs_everything_below_it() -> None:
    def person(**flags: object) -> SimpleNamespace:
        base = dict.fromkeys(
            ("bed_bound", "oxygen_dependent", "dialysis", "lives_alone", "disabled", "elderly",
             "pregnant", "child"), False,
        )  # fmt: skip
        return SimpleNamespace(**{**base, "adl_group": None, **flags})

    everything_but_bed = person(
        oxygen_dependent=True, dialysis=True, lives_alone=True, disabled=True, elderly=True,
        pregnant=True, child=True, adl_group="homebound",
    )  # fmt: skip
    assert need_score(person(bed_bound=True)) > need_score(everything_but_bed)
    below_alone = person(
        disabled=True, elderly=True, pregnant=True, child=True, adl_group="homebound"
    )
    assert need_score(person(lives_alone=True)) > need_score(below_alone)
    assert need_score(person(adl_group="homebound")) > need_score(
        person(disabled=True, elderly=True, pregnant=True, child=True)
    )
    # A bed-bound ADL group counts as bed-bound even if the flag was never set.
    assert need_score(person(adl_group="bedbound")) == need_score(person(bed_bound=True))


def test_inside_outside_holes_and_edges(uow: UnitOfWork, settings: Settings) -> None:
    lat, lon = MARKET
    inside = resident(uow, settings, (lat + 0.0015, lon), "ข้างใน")
    in_hole = resident(uow, settings, (lat, lon), "ในรู")
    outside = resident(uow, settings, (lat + 0.0030, lon), "ข้างนอก")
    on_edge = resident(uow, settings, (lat, lon + 0.002), "บนขอบ")
    area = _area(square(lat, lon, 0.002), square(lat, lon, 0.0005))
    found = set(_ids(disaster.people_in_area(uow, EVERYTHING, area)))
    assert inside.id in found and on_edge.id in found
    assert in_hole.id not in found and outside.id not in found


def test_multipolygon_takes_every_part(uow: UnitOfWork, settings: Settings) -> None:
    a = resident(uow, settings, MARKET, "ตลาด")
    b = resident(uow, settings, WEST, "ตะวันตก")
    between = resident(
        uow, settings, ((MARKET[0] + WEST[0]) / 2, (MARKET[1] + WEST[1]) / 2), "กลาง"
    )
    multi = {"type": "MultiPolygon", "coordinates": [[square(*MARKET)], [square(*WEST)]]}
    found = set(_ids(disaster.people_in_area(uow, EVERYTHING, AreaIn(geometry=multi))))
    assert {a.id, b.id} <= found and between.id not in found


def test_brute_force_agrees_with_the_index(uow: UnitOfWork, settings: Settings) -> None:
    """Points spread across cell borders: the indexed answer equals a plain scan."""
    from shapely.geometry import Point, shape

    lat0, lon0 = MARKET
    people = [
        resident(
            uow,
            settings,
            (lat0 + i * 0.0013 - 0.006, lon0 + (i * 7 % 11) * 0.0011 - 0.006),
            f"จุด{i}",
        )
        for i in range(12)
    ]
    ring = [[lon0 - 0.004, lat0 - 0.005], [lon0 + 0.003, lat0 - 0.002], [lon0, lat0 + 0.004],
            [lon0 - 0.004, lat0 - 0.005]]  # fmt: skip
    shp = shape(polygon(ring))
    expected = set()
    for p in people:
        home = care.get_household(uow.session, EVERYTHING, p.household_id)
        if shp.covers(Point(home.lon, home.lat)):
            expected.add(p.id)
    found = set(_ids(disaster.people_in_area(uow, EVERYTHING, _area(ring)))) & {
        p.id for p in people
    }
    assert found == expected and 0 < len(expected) < len(people)


def test_zone_scope_hides_other_zones(uow: UnitOfWork, settings: Settings) -> None:
    here = resident(uow, settings, MARKET, "ในเขต")
    there = resident(uow, settings, WEST, "นอกเขต")
    market = geo.zone_at(uow.session, *MARKET)
    assert market is not None
    scoped = Access(read_zones=frozenset({market.id}), sensitive_zones=frozenset({market.id}))
    multi = {"type": "MultiPolygon", "coordinates": [[square(*MARKET)], [square(*WEST)]]}
    found = _ids(disaster.people_in_area(uow, scoped, AreaIn(geometry=multi)))
    assert here.id in found and there.id not in found


def test_listing_is_an_audited_vital_interest_read(uow: UnitOfWork, settings: Settings) -> None:
    person = resident(uow, settings, MARKET, "ตรวจสอบ", bed_bound=True)
    disaster.people_in_area(uow, EVERYTHING, _area(square(*MARKET)))
    uow.session.flush()
    entry = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "care.disaster.area_listed")
    ).one()
    detail = json.loads(entry.detail)
    assert "s.26(1)" in detail["reason"]
    assert person.id in detail["person_ids"] and detail["people"] >= 1


def test_zone_by_code_uses_the_hazard_area(
    uow: UnitOfWork, settings: Settings, sample: ImportReport
) -> None:
    zone = next(
        z
        for z in geo.list_zones(uow.session, _params(), q="flood-nan-riverside")[0]
        if z.code == "flood-nan-riverside"
    )
    from shapely.geometry import shape

    point = shape(json.loads(zone.geometry)).representative_point()
    person = resident(uow, settings, (point.y, point.x), "ริมน่าน", oxygen_dependent=True)
    by_code = _ids(
        disaster.people_in_area(uow, EVERYTHING, AreaIn(zone_code="flood-nan-riverside"))
    )
    by_id = _ids(disaster.people_in_area(uow, EVERYTHING, AreaIn(zone_id=zone.id)))
    assert person.id in by_code and by_code == by_id
    with pytest.raises(NotFound):
        disaster.people_in_area(uow, EVERYTHING, AreaIn(zone_code="no-such-zone"))


def _params():  # type: ignore[no-untyped-def]
    from smartcity.kit.pagination import PageParams

    return PageParams(1, 50)


def test_bad_shapes_are_refused(uow: UnitOfWork) -> None:
    bow_tie = [[100.0, 16.0], [100.01, 16.01], [100.01, 16.0], [100.0, 16.01], [100.0, 16.0]]
    with pytest.raises(InvalidInput):
        disaster.people_in_area(uow, EVERYTHING, _area(bow_tie))
    with pytest.raises(InvalidInput):
        disaster.people_in_area(
            uow, EVERYTHING, AreaIn(geometry={"type": "Point", "coordinates": [100, 16]})
        )
    with pytest.raises(InvalidInput):
        disaster.people_in_area(
            uow, EVERYTHING, AreaIn(geometry={"type": "Polygon", "coordinates": "x"})
        )


def test_the_index_follows_households(uow: UnitOfWork, settings: Settings) -> None:
    person = resident(uow, settings, MARKET, "ย้ายบ้าน")
    cell = uow.session.get(HouseholdCell, person.household_id)
    assert cell is not None and cell.cell == grid.cell_of(*MARKET)
    care.update_household(
        uow, EVERYTHING, person.household_id, HouseholdUpdate(lat=WEST[0], lon=WEST[1])
    )
    assert uow.session.get(HouseholdCell, person.household_id).cell == grid.cell_of(*WEST)  # type: ignore[union-attr]
    assert person.id not in _ids(disaster.people_in_area(uow, EVERYTHING, _area(square(*MARKET))))
    assert person.id in _ids(disaster.people_in_area(uow, EVERYTHING, _area(square(*WEST))))
    assert disaster.reindex(uow.session) >= 1
    assert uow.session.get(HouseholdCell, person.household_id) is not None


def test_operation_checks_statuses_and_counts(uow: UnitOfWork, settings: Settings) -> None:
    bed = resident(uow, settings, MARKET, "ติดเตียง", bed_bound=True)
    plain = resident(uow, settings, (MARKET[0] + 0.0001, MARKET[1]), "ธรรมดา")
    op = disaster.create_operation(
        uow, EVERYTHING, OperationIn(name="  น้ำท่วม   2569 ", area=_area(square(*MARKET)))
    )
    assert op.name == "น้ำท่วม 2569" and op.created_by == "test"
    counts = disaster.counts(uow.session, EVERYTHING, op.id)
    assert counts.total == counts.pending == 2
    items, total = disaster.list_checks(uow, EVERYTHING, op.id, _params())
    assert total == 2 and [i.person_id for i in items] == [bed.id, plain.id]
    disaster.mark(uow, EVERYTHING, op.id, bed.id, StatusIn(status="evacuated", note="ไปศูนย์พักพิง"))
    disaster.mark(uow, EVERYTHING, op.id, plain.id, StatusIn(status="safe"))
    disaster.mark(uow, EVERYTHING, op.id, plain.id, StatusIn(status="needs_help"))
    counts = disaster.counts(uow.session, EVERYTHING, op.id)
    assert (counts.pending, counts.evacuated, counts.needs_help, counts.safe) == (0, 1, 1, 0)
    items, _ = disaster.list_checks(uow, EVERYTHING, op.id, _params(), status="evacuated")
    assert [(i.person_id, i.note, i.updated_by) for i in items] == [(bed.id, "ไปศูนย์พักพิง", "test")]
    assert items[0].updated_at is not None
    with pytest.raises(NotFound):
        disaster.mark(uow, EVERYTHING, op.id, 999_999, StatusIn(status="safe"))
    disaster.close_operation(uow, op.id)
    with pytest.raises(Conflict):
        disaster.mark(uow, EVERYTHING, op.id, bed.id, StatusIn(status="safe"))
    with pytest.raises(Conflict):
        disaster.close_operation(uow, op.id)


def test_scoped_checker_cannot_touch_other_zones(uow: UnitOfWork, settings: Settings) -> None:
    here = resident(uow, settings, MARKET, "ในเขต")
    there = resident(uow, settings, WEST, "นอกเขต")
    multi = {"type": "MultiPolygon", "coordinates": [[square(*MARKET)], [square(*WEST)]]}
    op = disaster.create_operation(
        uow, EVERYTHING, OperationIn(name="ท่วม", area=AreaIn(geometry=multi))
    )
    market = geo.zone_at(uow.session, *MARKET)
    assert market is not None
    zones = frozenset({market.id})
    reader = Access(read_zones=zones, sensitive_zones=zones, write_zones=frozenset())
    writer = Access(read_zones=zones, sensitive_zones=zones, write_zones=zones)
    assert disaster.counts(uow.session, reader, op.id).total == 1
    assert disaster.counts(uow.session, EVERYTHING, op.id).total == 2
    with pytest.raises(NotFound):
        disaster.mark(uow, writer, op.id, there.id, StatusIn(status="safe"))
    with pytest.raises(Forbidden):
        disaster.mark(uow, reader, op.id, here.id, StatusIn(status="safe"))
    disaster.mark(uow, writer, op.id, here.id, StatusIn(status="safe"))
    assert disaster.counts(uow.session, writer, op.id).safe == 1
