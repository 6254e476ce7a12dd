"""Fixtures of the device tests: agencies, devices with their tokens, a gateway, the geo sample."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from smartcity.accounts import service as accounts
from smartcity.accounts.models import Agency
from smartcity.accounts.schemas import AgencyIn
from smartcity.config import Settings
from smartcity.devices import service as devices
from smartcity.devices.models import Device
from smartcity.devices.schemas import DeviceIn, GatewayIn
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport


@dataclass(frozen=True)
class Issued:
    """A device and its bearer token."""

    device: Device
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header for ingest."""
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def geo_sample(uow: UnitOfWork) -> ImportReport:
    """The Phichit sample zones, committed so API calls see them."""
    report = geo.load_sample(uow)
    uow.commit()
    return report


@pytest.fixture
def agencies(uow: UnitOfWork) -> dict[str, Agency]:
    """Two agencies: the device owner and another one."""
    out = {
        code: accounts.create_agency(uow, AgencyIn(code=code, name_th=code, kind=kind))
        for code, kind in (("owner", "municipality"), ("other", "telecom"))
    }
    uow.commit()
    return out


MakeDevice = Callable[..., Issued]


@pytest.fixture
def make_device(uow: UnitOfWork, settings: Settings, agencies: dict[str, Agency]) -> MakeDevice:
    """Register a device (committed) and return it with its token."""

    def _make(
        code: str,
        kind: str = "water_level",
        *,
        agency: str = "owner",
        lat: float = 16.448,
        lon: float = 100.3448,
        enabled: bool = True,
    ) -> Issued:
        data = DeviceIn(
            code=code,
            kind=kind,  # type: ignore[arg-type]
            name_th=f"อุปกรณ์ {code}",
            name_en=f"Device {code}",
            lat=lat,
            lon=lon,
            agency_id=agencies[agency].id,
            enabled=enabled,
        )
        device, credential = devices.create_device(uow, settings, data)
        uow.commit()
        return Issued(device, credential.token)

    return _make


@pytest.fixture
def gateway_token(uow: UnitOfWork, settings: Settings, agencies: dict[str, Agency]) -> str:
    """Bearer token of a gateway of the owner agency."""
    _gw, token = devices.create_gateway(
        uow, settings, GatewayIn(code="gw-1", name="Gateway 1", agency_id=agencies["owner"].id)
    )
    uow.commit()
    return token
