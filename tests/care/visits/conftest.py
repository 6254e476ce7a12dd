"""Fixtures of the visit tests: people with care consent and an ADL group, in sample zones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.models import Person
from smartcity.care.schemas import AdlIn, ConsentIn, HouseholdIn, PersonIn
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from tests.care.support import MARKET, adl_body, consent_body, household_body, person_body

EVERYTHING = Access.everything()
ADL_TOTAL = {"bedbound": 2, "homebound": 8, "social": 15}

MakeCared = Callable[..., Person]


@pytest.fixture
def make_cared(uow: UnitOfWork, settings: Settings, sample: ImportReport) -> MakeCared:
    """Register somebody at a point with care consent and an assessment in ``group``."""

    def _make(
        at: tuple[float, float] = MARKET, group: str | None = "bedbound", consent: bool = True
    ) -> Person:
        household = care.create_household(
            uow, EVERYTHING, HouseholdIn.model_validate(household_body(at))
        )
        body = person_body(household.id, phones=[], given_name=f"ทดสอบ{household.id}")
        person, _ = care.create_person(uow, settings, EVERYTHING, PersonIn.model_validate(body))
        if consent:
            care.give_consent(uow, EVERYTHING, person.id, ConsentIn.model_validate(consent_body()))
            if group:
                adl = AdlIn.model_validate(adl_body(ADL_TOTAL[group]))
                care.assess_adl(uow, EVERYTHING, person.id, adl)
        uow.commit()
        return person

    return _make


def zone_of(uow: UnitOfWork, person: Person) -> int:
    """The community zone a person's household lies in."""
    _p, household = care.get_person(uow.session, EVERYTHING, person.id)
    assert household.zone_id is not None
    return household.zone_id
