"""Simulated devices in the database: created once, their tokens re-issued for each run."""

from __future__ import annotations

import math
from typing import Final

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.config import Settings
from smartcity.devices import service as devices
from smartcity.devices.schemas import DeviceIn
from smartcity.errors import NotFound
from smartcity.events import UnitOfWork
from smartcity.sim.models import SimDevice

SIM_AGENCY: Final = "simulator"
# Share of each kind in a simulated fleet, in the order devices are numbered.
MIX: Final = (
    ("water_level", 0.10),
    ("air_quality", 0.20),
    ("rain_gauge", 0.10),
    ("wifi_ap", 0.20),
    ("camera", 0.20),
    ("speaker", 0.15),
    ("sos_button", 0.05),
)
CENTRE: Final = (16.443, 100.347)


def kind_of(index: int, total: int) -> str:
    """The kind of device number ``index`` in a fleet of ``total``, following MIX."""
    edge = 0.0
    for kind, share in MIX:
        edge += share
        if index < round(edge * total):
            return kind
    return MIX[-1][0]


def position(index: int) -> tuple[float, float]:
    """A spot on a spiral around the town centre (about 1.5 km out at most)."""
    angle, radius = index * 2.399963, 0.0135 * math.sqrt((index % 400) / 400)
    return CENTRE[0] + radius * math.sin(angle), CENTRE[1] + radius * math.cos(angle)


def ensure_fleet(uow: UnitOfWork, settings: Settings, count: int) -> list[SimDevice]:
    """Create missing simulated devices and re-issue every token (shown only to the simulator)."""
    agency = _agency(uow)
    out = []
    for i in range(count):
        code = f"sim-{i:05d}"
        device = devices.find_device(uow.session, code)
        kind = kind_of(i, count) if device is None else device.kind
        if device is None:
            lat, lon = position(i)
            data = DeviceIn(
                code=code,
                kind=kind,
                name_th=f"อุปกรณ์จำลอง {i} (ตัวอย่าง)",
                name_en=f"Simulated device {i} (sample)",
                lat=lat,
                lon=lon,
                agency_id=agency,
                metadata={"simulated": True},
            )
            device, credential = devices.create_device(uow, settings, data, is_sample=True)
        else:
            credential = devices.rotate_credential(uow, settings, device.id)
        silent = 2 * 3600.0 + i * 60 if i % 20 == 19 else None  # a few go quiet mid-run
        out.append(SimDevice(code, kind, credential.token, i, silent))
    return out


def _agency(uow: UnitOfWork) -> int:
    try:
        return accounts.find_agency(uow.session, SIM_AGENCY).id
    except NotFound:
        data = AgencyIn(code=SIM_AGENCY, name_th="อุปกรณ์จำลอง", name_en="Simulator", kind="other")
        return accounts.create_agency(uow, data, is_sample=True).id
