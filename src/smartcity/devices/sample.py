"""Sample devices across the Phichit sample zones, for the demo. Never load into production."""

from __future__ import annotations

from typing import Final

from smartcity.accounts import service as accounts
from smartcity.config import Settings
from smartcity.devices import service
from smartcity.devices.schemas import DeviceIn
from smartcity.events import UnitOfWork

SAMPLE_MARK: Final = " (ตัวอย่าง)"

# code, kind, Thai name, English name, lat, lon. The Nan runs north-south near 100.345 E.
SAMPLE_DEVICES: Final = (
    (
        "wl-nan-01",
        "water_level",
        "สถานีวัดระดับน้ำน่าน เหนือเมือง",
        "Nan gauge, upstream",
        16.4570,
        100.3450,
    ),
    ("wl-nan-02", "water_level", "สถานีวัดระดับน้ำน่าน ท่าน้ำ", "Nan gauge, town pier", 16.4480, 100.3448),
    (
        "wl-nan-03",
        "water_level",
        "สถานีวัดระดับน้ำน่าน ใต้เมือง",
        "Nan gauge, downstream",
        16.4300,
        100.3455,
    ),
    (
        "rain-01",
        "rain_gauge",
        "เครื่องวัดน้ำฝน สำนักงานเทศบาล",
        "Rain gauge, town hall",
        16.4420,
        100.3410,
    ),
    ("rain-02", "rain_gauge", "เครื่องวัดน้ำฝน ฝั่งตะวันออก", "Rain gauge, east bank", 16.4500, 100.3560),
    (
        "aq-market",
        "air_quality",
        "เครื่องวัดฝุ่น ตลาดสด",
        "Air quality, fresh market",
        16.4420,
        100.3490,
    ),
    (
        "aq-school-1",
        "air_quality",
        "เครื่องวัดฝุ่น โรงเรียนเทศบาล 1",
        "Air quality, school 1",
        16.4397,
        100.3397,
    ),
    (
        "aq-hospital",
        "air_quality",
        "เครื่องวัดฝุ่น โรงพยาบาล",
        "Air quality, hospital",
        16.4442,
        100.3557,
    ),
    ("spk-west-01", "speaker", "หอกระจายข่าว ฝั่งตะวันตก 1", "Loudspeaker, west 1", 16.4500, 100.3380),
    ("spk-west-02", "speaker", "หอกระจายข่าว ฝั่งตะวันตก 2", "Loudspeaker, west 2", 16.4440, 100.3420),
    ("spk-east-01", "speaker", "หอกระจายข่าว ฝั่งตะวันออก 1", "Loudspeaker, east 1", 16.4430, 100.3500),
    ("spk-east-02", "speaker", "หอกระจายข่าว ฝั่งตะวันออก 2", "Loudspeaker, east 2", 16.4380, 100.3560),
    (
        "wifi-market",
        "wifi_ap",
        "Wi-Fi สาธารณะ ตลาดสด",
        "Public Wi-Fi, fresh market",
        16.4416,
        100.3494,
    ),
    ("wifi-park", "wifi_ap", "Wi-Fi สาธารณะ สวนสาธารณะ", "Public Wi-Fi, park", 16.4470, 100.3390),
    (
        "wifi-station",
        "wifi_ap",
        "Wi-Fi สาธารณะ สถานีรถไฟ",
        "Public Wi-Fi, station",
        16.4400,
        100.3520,
    ),
    ("cam-market-01", "camera", "กล้อง CCTV ตลาดสด", "CCTV, fresh market", 16.4419, 100.3488),
    ("cam-station-01", "camera", "กล้อง CCTV สถานีรถไฟ", "CCTV, railway station", 16.4403, 100.3525),
    ("cam-bridge-01", "camera", "กล้อง CCTV สะพานข้ามน่าน", "CCTV, Nan bridge", 16.4460, 100.3450),
    ("sos-market", "sos_button", "ปุ่ม SOS ตลาดสด", "SOS button, fresh market", 16.4417, 100.3491),
    ("sos-park", "sos_button", "ปุ่ม SOS สวนสาธารณะ", "SOS button, park", 16.4468, 100.3386),
)


def load_sample_devices(
    uow: UnitOfWork, settings: Settings, agency_code: str = "phichit-muni"
) -> dict[str, str]:
    """Create the sample devices that do not exist yet; returns their tokens by code (once).

    The agency must exist (the demo seeds it); devices outside any community keep no zone.
    """
    agency = accounts.find_agency(uow.session, agency_code)
    tokens: dict[str, str] = {}
    for code, kind, name_th, name_en, lat, lon in SAMPLE_DEVICES:
        if service.find_device(uow.session, code):
            continue
        data = DeviceIn(
            code=code,
            kind=kind,
            name_th=name_th + SAMPLE_MARK,
            name_en=f"{name_en} (sample)",
            lat=lat,
            lon=lon,
            agency_id=agency.id,
            metadata={"sample": True},
        )
        _device, credential = service.create_device(uow, settings, data, is_sample=True)
        tokens[code] = credential.token
    return tokens
