"""Fixtures of the geography tests: the Phichit sample pack, loaded and committed."""

from __future__ import annotations

import pytest

from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport


@pytest.fixture
def sample(uow: UnitOfWork) -> ImportReport:
    """The sample pack, committed to the test transaction so API calls see it."""
    report = geo.load_sample(uow)
    uow.commit()
    return report
