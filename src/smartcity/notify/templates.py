"""Message templates in Thai and English; outside channels get Thai first, then English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class Template:
    """A title and body in both languages, with ``{name}`` placeholders."""

    title_th: str
    title_en: str
    body_th: str
    body_en: str


TEMPLATES: Final[dict[str, Template]] = {
    "unit_offered": Template(
        "มีเหตุขอความช่วยเหลือ #{incident_id}",
        "Help request #{incident_id} offered",
        "หน่วย {unit} ได้รับมอบเหตุ #{incident_id} ระดับ {level} ห่าง {distance_km} กม. "
        "โปรดตอบรับภายใน {expires}",
        "Unit {unit}: incident #{incident_id}, level {level}, {distance_km} km away. "
        "Please answer by {expires}.",
    ),
    "dispatch_escalated": Template(
        "เหตุ #{incident_id} ยังไม่มีหน่วยรับ",
        "Incident #{incident_id} needs a supervisor",
        "เหตุ #{incident_id} ระดับ {level} ยังไม่มีหน่วยรับ ({reason_th}) โปรดสั่งการ",
        "Incident #{incident_id}, level {level}: {reason_en}. Please dispatch by hand.",
    ),
    "vitals_abnormal": Template(
        "ค่าสัญญาณชีพผิดปกติจากการเยี่ยมบ้าน",
        "Abnormal vital signs at a home visit",
        "การเยี่ยมบ้าน #{visit_id} พบค่าผิดปกติ: {metrics} โปรดตรวจสอบและติดตาม",
        "Home visit #{visit_id} found abnormal values: {metrics}. Please review and follow up.",
    ),
    "broadcast_announcement": Template(
        "ประกาศเสียงตามสาย: {title}",
        "Public announcement: {title}",
        "{title} ({zones_th}) {text}",
        "{title} ({zones_en}) {text}",
    ),
}
REASONS: Final[dict[str, tuple[str, str]]] = {
    "no_unit_free": ("ไม่มีหน่วยว่าง", "no suitable unit is free"),
    "nobody_accepted": ("ไม่มีหน่วยตอบรับ", "no unit accepted"),
    "no_location": ("ไม่ทราบตำแหน่ง", "the location is unknown"),
}


def render(name: str, params: dict[str, Any]) -> tuple[str, str, str, str]:
    """(title_th, title_en, body_th, body_en) of a template filled with ``params``."""
    t = TEMPLATES[name]
    return (
        t.title_th.format(**params),
        t.title_en.format(**params),
        t.body_th.format(**params),
        t.body_en.format(**params),
    )


def outside_text(name: str, params: dict[str, Any]) -> str:
    """The text for LINE and SMS: the Thai body, then the English one."""
    _, _, body_th, body_en = render(name, params)
    return f"{body_th}\n{body_en}"
