"""Fixtures of the incidents tests: the Phichit sample zones and a few responder units."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from smartcity.incidents import service
from smartcity.incidents.models import Unit
from smartcity.incidents.schemas import UnitIn
from tests.care.conftest import household, person  # noqa: F401 (fixtures used here)
from tests.devices.conftest import agencies, make_device  # noqa: F401 (fixtures used here)

MARKET = (16.4418, 100.3492)  # inside the fresh-market sample community
# Units at growing distances east of the market (about 110 m per 0.001 degree).
NEAR, MIDDLE, FAR = (16.4418, 100.3502), (16.4418, 100.3522), (16.4418, 100.3562)

MakeUnit = Callable[..., Unit]


@pytest.fixture
def sample(uow: UnitOfWork) -> ImportReport:
    """The geography sample pack, committed to the test transaction."""
    report = geo.load_sample(uow)
    uow.commit()
    return report


@pytest.fixture
def make_unit(uow: UnitOfWork) -> MakeUnit:
    """Register an available unit at a point; committed to the test transaction."""
    counter = iter(range(1, 10_000))

    def _make(
        at: tuple[float, float] = NEAR,
        capabilities: list[str] | None = None,
        user_id: int | None = None,
        **extra: object,
    ) -> Unit:
        n = next(counter)
        data = UnitIn.model_validate(
            {
                "code": f"unit-{n}",
                "name": f"หน่วย {n}",
                "kind": "rescue_foundation",
                "capabilities": capabilities if capabilities is not None else ["medical"],
                "status": "available",
                "lat": at[0],
                "lon": at[1],
                "user_id": user_id,
                **extra,
            }
        )
        unit = service.create_unit(uow, data)
        uow.commit()
        return unit

    return _make
