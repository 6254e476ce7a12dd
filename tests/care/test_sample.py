"""The fictitious sample people: marked, spread over the communities, varied, and idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from smartcity.care import service as care
from smartcity.care.models import Consent, Household, Person
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.kit.pagination import PageParams
from tests.care.conftest import EVERYTHING


def test_sample_people(uow: UnitOfWork, settings: Settings, sample: ImportReport) -> None:
    made = care.load_sample_people(uow, settings)
    assert 25 <= made <= 35
    people = list(uow.session.scalars(select(Person)))
    assert len(people) == made
    assert all(p.is_sample and p.family_name.endswith("(บุคคลสมมติ)") for p in people)
    assert all(p.national_id_hash is None for p in people)  # a made-up ID could be real
    homes = list(uow.session.scalars(select(Household)))
    assert all(h.is_sample and h.zone_id is not None and h.postcode == "66000" for h in homes)
    assert len({h.zone_id for h in homes}) == 9  # every sample community
    groups = Counter(p.adl_group for p in people)
    assert {"social", "homebound", "bedbound"} <= set(groups)
    assert all(p.bed_bound == (p.adl_group == "bedbound") for p in people if p.adl_group)
    assert any(p.oxygen_dependent for p in people) or any(p.dialysis for p in people)
    assert any(p.child for p in people) and any(p.lives_alone for p in people)
    purposes = Counter(c.purpose for c in uow.session.scalars(select(Consent)))
    assert set(purposes) == {"care", "share_health_unit", "share_emergency"}
    found, _ = care.list_people(uow.session, EVERYTHING, PageParams(), q="บุคคลสมมติ")
    assert len(found) == min(made, 25)
    assert care.load_sample_people(uow, settings) == 0


def test_no_zones_no_people(uow: UnitOfWork, settings: Settings) -> None:
    assert care.load_sample_people(uow, settings) == 0
