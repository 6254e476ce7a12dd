"""Sample rules for Phichit Town: the flood rule the town works by, air quality, device health.

The 9.83 m level is the town's reported practice (close the riverside drains and run eight
pumps when the town gauge reaches it); the other figures are sensible starting points that
operators should tune. Loading twice adds nothing.
"""

from __future__ import annotations

from typing import Final

from smartcity.alerts import repository as repo
from smartcity.alerts import service
from smartcity.alerts.models import AlertRule
from smartcity.alerts.schemas import RuleIn
from smartcity.events import UnitOfWork

FLOOD_LEVEL_M: Final = 9.83

SAMPLE_RULES: Final[tuple[RuleIn, ...]] = (
    RuleIn(
        name_th="ระดับน้ำน่านถึงเกณฑ์ปิดประตูระบายน้ำและเดินเครื่องสูบน้ำ 8 เครื่อง",
        name_en="Nan at 9.83 m: close the riverside drains and run the 8 pumps",
        description=(
            "Town practice: at 9.83 m on the town gauge, close the riverside drains and run "
            "eight pumps. Clears below 9.70 m. Narrow the scope to the town gauge on site."
        ),
        kind="threshold",
        metric="level_m",
        operator=">=",
        threshold=FLOOD_LEVEL_M,
        clear_threshold=9.70,
        scope="kind",
        device_kind="water_level",
        severity="critical",
    ),
    RuleIn(
        name_th="ระดับน้ำน่านสูงขึ้นเร็ว",
        name_en="Nan rising fast",
        description="Water level rising faster than 0.10 m per hour over the last hour.",
        kind="rate_of_change",
        metric="level_m",
        operator=">",
        threshold=0.10,
        clear_threshold=0.02,
        window_minutes=60,
        scope="kind",
        device_kind="water_level",
        severity="warning",
    ),
    RuleIn(
        name_th="ฝุ่น PM2.5 เกิน 50 มคก./ลบ.ม.",
        name_en="PM2.5 above 50 µg/m³",
        kind="threshold",
        metric="pm25",
        operator=">",
        threshold=50,
        clear_threshold=45,
        scope="kind",
        device_kind="air_quality",
        severity="warning",
    ),
    RuleIn(
        name_th="ฝุ่น PM2.5 เกิน 90 มคก./ลบ.ม.",
        name_en="PM2.5 above 90 µg/m³",
        kind="threshold",
        metric="pm25",
        operator=">",
        threshold=90,
        clear_threshold=80,
        scope="kind",
        device_kind="air_quality",
        severity="critical",
    ),
    RuleIn(
        name_th="กล้องวงจรปิดขาดการติดต่อ",
        name_en="Camera offline",
        kind="device_offline",
        scope="kind",
        device_kind="camera",
        severity="warning",
    ),
    RuleIn(
        name_th="ลำโพงเสียงตามสายขาดการติดต่อ",
        name_en="Loudspeaker offline",
        kind="device_offline",
        scope="kind",
        device_kind="speaker",
        severity="warning",
    ),
)


def load_sample_rules(uow: UnitOfWork) -> list[AlertRule]:
    """Add the sample rules not loaded yet; returns the rules added."""
    have = repo.sample_rule_names(uow.session)
    return [
        service.create_rule(uow, rule, is_sample=True)
        for rule in SAMPLE_RULES
        if rule.name_en not in have
    ]
