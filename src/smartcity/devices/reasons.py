"""Why telemetry is refused: reason codes with their English and Thai text."""

from __future__ import annotations

from typing import Final

MAX_READINGS: Final = 10_000

# reason code -> (English, Thai)
REASONS: Final[dict[str, tuple[str, str]]] = {
    "unauthorised": ("unknown, revoked or disabled credential", "ข้อมูลรับรองไม่ถูกต้องหรือถูกปิดใช้"),
    "malformed_json": ("the body is not valid JSON", "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง"),
    "invalid_batch": (
        "expected an object with a 'readings' list",
        "ต้องเป็นออบเจ็กต์ที่มีรายการ readings",
    ),
    "too_many_readings": (
        f"more than {MAX_READINGS} readings in one batch",
        f"ส่งข้อมูลเกิน {MAX_READINGS} รายการในครั้งเดียว",
    ),
    "invalid_reading": (
        "a reading must be an object with a 'device' code and a 'values' object",
        "แต่ละรายการต้องเป็นออบเจ็กต์ที่มีรหัสอุปกรณ์ (device) และค่า (values)",
    ),
    "unknown_device": ("unknown device", "ไม่พบอุปกรณ์"),
    "not_allowed": (
        "this credential may not post for this device",
        "ข้อมูลรับรองนี้ส่งข้อมูลแทนอุปกรณ์นี้ไม่ได้",
    ),
    "disabled": ("the device is disabled", "อุปกรณ์ถูกปิดใช้งาน"),
    "invalid_timestamp": (
        "ts must be an ISO 8601 time with a time zone, after 2000",
        "ts ต้องเป็นเวลาแบบ ISO 8601 ที่ระบุเขตเวลา และหลังปี 2000",
    ),
    "future_timestamp": (
        "ts is more than 10 minutes in the future",
        "ts เป็นเวลาในอนาคตเกิน 10 นาที",
    ),
    "invalid_values": ("the values do not fit the device kind", "ค่าที่ส่งมาไม่ตรงกับชนิดอุปกรณ์"),
    "invalid_ack": (
        "a command answer needs the command 'id' and a status: received, started, succeeded "
        "or failed",
        "คำตอบคำสั่งต้องมีรหัสคำสั่ง (id) และสถานะ received, started, succeeded หรือ failed",
    ),
}
