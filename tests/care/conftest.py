"""Fixtures of the care tests: the Phichit sample zones and a registered household and person."""

from __future__ import annotations

import pytest

from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.models import Household, Person
from smartcity.care.schemas import HouseholdIn, PersonIn
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from tests.care.support import MARKET, household_body, national_id, person_body

EVERYTHING = Access.everything()


@pytest.fixture
def sample(uow: UnitOfWork) -> ImportReport:
    """The geography sample pack, committed to the test transaction."""
    report = geo.load_sample(uow)
    uow.commit()
    return report


@pytest.fixture
def household(uow: UnitOfWork, sample: ImportReport) -> Household:
    """A household in the fresh market community."""
    row = care.create_household(uow, EVERYTHING, HouseholdIn.model_validate(household_body(MARKET)))
    uow.commit()
    return row


@pytest.fixture
def person(uow: UnitOfWork, settings: Settings, household: Household) -> Person:
    """สมศรี มีสุข, with a national ID, conditions and care notes."""
    data = PersonIn.model_validate(person_body(household.id, national_id=national_id()))
    row, _ = care.create_person(uow, settings, EVERYTHING, data)
    uow.commit()
    return row
