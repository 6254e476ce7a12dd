"""Demo data for Phichit: sample agencies and fictitious users. Never load into production."""

from __future__ import annotations

from dataclasses import dataclass

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.alerts.sample import load_sample_rules
from smartcity.broadcast.policy import get_broadcast_settings
from smartcity.broadcast.sample import load_sample_broadcasts
from smartcity.care.sample import load_sample_people
from smartcity.config import Settings
from smartcity.devices import service as devices
from smartcity.devices.sample import SAMPLE_DEVICES, load_sample_devices
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.incidents.policy import Policy
from smartcity.incidents.sample import load_sample_incidents, load_sample_units
from smartcity.sim.models import SimDevice

SAMPLE_AGENCIES = (
    AgencyIn(
        code="phichit-muni",
        name_th="เทศบาลเมืองพิจิตร",
        name_en="Phichit Town Municipality",
        kind="municipality",
    ),
    AgencyIn(
        code="phichit-police",
        name_th="สถานีตำรวจภูธรเมืองพิจิตร",
        name_en="Mueang Phichit Police Station",
        kind="police",
    ),
    AgencyIn(
        code="sample-phc",
        name_th="รพ.สต. ตัวอย่าง (ข้อมูลตัวอย่าง)",
        name_en="Sample sub-district health promoting hospital (sample)",
        kind="health_unit",
    ),
    AgencyIn(code="nt", name_th="บริษัท โทรคมนาคมแห่งชาติ", name_en="National Telecom", kind="telecom"),
    AgencyIn(
        code="sample-rescue",
        name_th="มูลนิธิกู้ภัยตัวอย่าง (ข้อมูลตัวอย่าง)",
        name_en="Sample rescue foundation (sample)",
        kind="rescue",
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print for the newcomer."""

    username: str
    password: str
    role: str
    agency: str


# (username, role, agency code, fictitious full name). Passwords are published: demo only.
_DEMO_USERS = (
    ("admin", "admin", "phichit-muni", "ผู้ดูแลระบบ ตัวอย่าง (บุคคลสมมติ)"),
    ("operator", "operator", "phichit-muni", "สมชาย ใจดี (บุคคลสมมติ)"),
    ("police", "police", "phichit-police", "ร.ต.อ. สมศักดิ์ รักษาดี (บุคคลสมมติ)"),
    ("caremanager", "care_manager", "sample-phc", "สมหญิง ดูแลดี (บุคคลสมมติ)"),
    ("healthworker", "health_worker", "sample-phc", "มาลี อาสาดี (บุคคลสมมติ, อสม.)"),
    ("responder", "responder", "sample-rescue", "ประสิทธิ์ กู้ภัย (บุคคลสมมติ)"),
    ("technician", "technician", "nt", "วิชัย ช่างดี (บุคคลสมมติ)"),
)


SILENT_DEVICE = "cam-market-01"


def demo_password(username: str) -> str:
    """The published demo password of a demo user."""
    return f"{username}-demo-2569"


def seed_demo(uow: UnitOfWork) -> list[DemoLogin]:
    """Load the Phichit sample site, sample agencies and fictitious users; returns the log-ins."""
    agencies = {a.code: accounts.create_agency(uow, a, is_sample=True) for a in SAMPLE_AGENCIES}
    logins = []
    for username, role, code, full_name in _DEMO_USERS:
        membership = MembershipIn(agency_id=agencies[code].id, role=role)
        password = demo_password(username)
        data = UserIn(
            username=username, full_name=full_name, password=password, memberships=[membership]
        )
        accounts.create_user(uow, data, is_sample=True)
        logins.append(DemoLogin(username, password, role, code))
    geo.load_sample(uow)
    return logins


def seed_city(uow: UnitOfWork, settings: Settings) -> None:
    """The living demo: devices, rules, fictitious people, a schedule, units and incidents."""
    load_sample_devices(uow, settings)
    load_sample_rules(uow)
    load_sample_people(uow, settings)
    load_sample_broadcasts(uow, settings, get_broadcast_settings())
    load_sample_units(uow, settings)
    load_sample_incidents(uow, Policy.of(settings))


def demo_fleet(uow: UnitOfWork, settings: Settings) -> list[SimDevice]:
    """The sample devices as the simulator drives them (their tokens re-issued for this run)."""
    fleet = []
    for index, (code, kind, *_rest) in enumerate(SAMPLE_DEVICES):
        device = devices.find_device(uow.session, code)
        if device is None:
            continue
        token = devices.rotate_credential(uow, settings, device.id).token
        # One camera falls silent an hour into the scenario, so the map shows it going offline.
        silent = 3600.0 + 4 * 3600.0 if code == SILENT_DEVICE else None
        fleet.append(SimDevice(code, kind, token, index, silent))
    return fleet
