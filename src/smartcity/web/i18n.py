"""Thai and English labels of the web UI, and the visitor's language.

Every visible label lives in ``MESSAGES`` as a (Thai, English) pair so that the two languages
cannot drift apart: a key without both texts fails the tests.
"""

from __future__ import annotations

from typing import Final, Literal

from fastapi import Request

from smartcity.accounts.permissions import ROLE_LABELS

Lang = Literal["th", "en"]
LANGS: Final[tuple[Lang, ...]] = ("th", "en")
LANG_COOKIE: Final = "lang"

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # Frame
    "app.name": ("ศูนย์ปฏิบัติการเมืองอัจฉริยะ", "Smart City Operations Centre"),
    "app.short": ("เมืองอัจฉริยะ", "Smart City"),
    "app.skip": ("ข้ามไปยังเนื้อหา", "Skip to content"),
    "lang.th": ("ไทย", "ไทย"),
    "lang.en": ("English", "English"),
    "lang.switch": ("เปลี่ยนภาษา", "Change language"),
    "nav.menu": ("เมนู", "Menu"),
    "nav.dashboard": ("ภาพรวม", "Dashboard"),
    "nav.zones": ("พื้นที่", "Zones"),
    "nav.places": ("สถานที่", "Places"),
    "nav.users": ("ผู้ใช้", "Users"),
    "nav.agencies": ("หน่วยงาน", "Agencies"),
    "nav.audit": ("บันทึกการตรวจสอบ", "Audit log"),
    "nav.devices": ("อุปกรณ์", "Devices"),
    "nav.incidents": ("แจ้งเหตุ", "Incidents"),
    "nav.alerts": ("การแจ้งเตือน", "Alerts"),
    "nav.broadcast": ("เสียงตามสาย", "Broadcast"),
    "nav.dead_letters": ("ข้อมูลที่ถูกปฏิเสธ", "Refused messages"),
    "sample.badge": ("ข้อมูลตัวอย่าง", "Sample data"),
    "sample.note": (
        "ข้อมูลนี้เป็นข้อมูลตัวอย่างเพื่อการสาธิต ไม่ใช่ข้อมูลจริงของเทศบาล",
        "This is sample data for demonstration, not the municipality's real data.",
    ),
    # Log-in
    "login.title": ("เข้าสู่ระบบ", "Log in"),
    "login.username": ("ชื่อผู้ใช้", "User name"),
    "login.password": ("รหัสผ่าน", "Password"),
    "login.submit": ("เข้าสู่ระบบ", "Log in"),
    "login.expired": (
        "แบบฟอร์มหมดอายุ โปรดลองอีกครั้ง",
        "The form has expired. Please try again.",
    ),
    "login.hint": (
        "ใช้บัญชีที่ผู้ดูแลระบบของหน่วยงานออกให้",
        "Use the account your agency's administrator gave you.",
    ),
    "logout": ("ออกจากระบบ", "Log out"),
    "logged_in_as": ("ผู้ใช้งาน", "Signed in as"),
    # Dashboard
    "dash.title": ("ภาพรวมเมือง", "City overview"),
    "dash.map": ("แผนที่เมือง", "City map"),
    "dash.zones": ("พื้นที่", "Zones"),
    "dash.places": ("สถานที่", "Places"),
    "dash.users": ("ผู้ใช้", "Users"),
    "dash.agencies": ("หน่วยงาน", "Agencies"),
    "dash.no_site": (
        "ยังไม่มีข้อมูลพื้นที่เมือง นำเข้าข้อมูลพื้นที่ก่อนใช้งานแผนที่",
        "No site has been set up yet. Import the city's geography to use the map.",
    ),
    "map.legend": ("คำอธิบายสัญลักษณ์", "Legend"),
    "map.layers": ("ชั้นข้อมูล", "Layers"),
    "map.zone_layers": ("พื้นที่ตามประเภท", "Zones by kind"),
    "map.place_layer": ("สถานที่", "Places"),
    "map.no_base": ("ไม่มีแผนที่ฐาน", "No base map"),
    "map.loading": ("กำลังโหลดแผนที่…", "Loading the map…"),
    "map.load_failed": ("โหลดข้อมูลแผนที่ไม่สำเร็จ", "Could not load the map data"),
    "map.open": ("ดูรายละเอียด", "Details"),
    # Lists
    "list.search": ("ค้นหา", "Search"),
    "list.search_placeholder": ("พิมพ์เพื่อค้นหา…", "Type to search…"),
    "list.kind": ("ประเภท", "Kind"),
    "list.all_kinds": ("ทุกประเภท", "All kinds"),
    "list.filter": ("กรอง", "Filter"),
    "list.clear": ("ล้างตัวกรอง", "Clear"),
    "list.empty": ("ไม่พบรายการ", "Nothing found"),
    "list.total": ("ทั้งหมด {total} รายการ", "{total} in total"),
    "list.showing": ("แสดง {first}–{last} จาก {total}", "Showing {first}–{last} of {total}"),
    "list.per_page": ("ต่อหน้า", "Per page"),
    "list.page_of": ("หน้า {page} จาก {pages}", "Page {page} of {pages}"),
    "list.prev": ("ก่อนหน้า", "Previous"),
    "list.next": ("ถัดไป", "Next"),
    "list.pages": ("เลขหน้า", "Pages"),
    "back": ("กลับ", "Back"),
    # Fields
    "f.id": ("รหัส", "ID"),
    "f.code": ("รหัส", "Code"),
    "f.name": ("ชื่อ", "Name"),
    "f.name_th": ("ชื่อภาษาไทย", "Thai name"),
    "f.name_en": ("ชื่อภาษาอังกฤษ", "English name"),
    "f.kind": ("ประเภท", "Kind"),
    "f.username": ("ชื่อผู้ใช้", "User name"),
    "f.full_name": ("ชื่อ-นามสกุล", "Full name"),
    "f.email": ("อีเมล", "E-mail"),
    "f.phone": ("โทรศัพท์", "Phone"),
    "f.status": ("สถานะ", "Status"),
    "f.active": ("ใช้งานอยู่", "Active"),
    "f.disabled": ("ปิดใช้งาน", "Disabled"),
    "f.locked": ("ถูกล็อกถึง", "Locked until"),
    "f.last_login": ("เข้าระบบล่าสุด", "Last log-in"),
    "f.created": ("สร้างเมื่อ", "Created"),
    "f.roles": ("บทบาท", "Roles"),
    "f.role": ("บทบาท", "Role"),
    "f.agency": ("หน่วยงาน", "Agency"),
    "f.zones": ("พื้นที่ที่รับผิดชอบ", "Zones"),
    "f.all_zones": ("ทุกพื้นที่", "All zones"),
    "f.zone": ("พื้นที่", "Zone"),
    "f.location": ("พิกัด", "Location"),
    "f.places": ("สถานที่ในพื้นที่", "Places in this zone"),
    "f.sample": ("ข้อมูลตัวอย่าง", "Sample"),
    "f.yes": ("ใช่", "Yes"),
    "f.no": ("ไม่ใช่", "No"),
    # Users and agencies
    "users.title": ("ผู้ใช้", "Users"),
    "users.memberships": ("สังกัดและบทบาท", "Memberships and roles"),
    "users.no_memberships": ("ยังไม่มีบทบาทในหน่วยงานใด", "No role in any agency yet"),
    "users.tokens": ("โทเค็น API", "API tokens"),
    "users.no_tokens": ("ไม่มีโทเค็น", "No tokens"),
    "users.token_name": ("ชื่อโทเค็น", "Token name"),
    "users.token_prefix": ("ขึ้นต้นด้วย", "Starts with"),
    "users.token_last_used": ("ใช้ล่าสุด", "Last used"),
    "users.token_expires": ("หมดอายุ", "Expires"),
    "users.token_revoked": ("ยกเลิกแล้ว", "Revoked"),
    "users.token_valid": ("ใช้ได้", "Valid"),
    "users.token_never": ("ไม่หมดอายุ", "Never"),
    "users.secrets_note": (
        "ระบบเก็บเฉพาะค่าแฮชของโทเค็น จึงแสดงได้เพียงอักษรขึ้นต้น",
        "Only a keyed hash of each token is stored, so only its first characters are shown.",
    ),
    "agencies.title": ("หน่วยงาน", "Agencies"),
    # Geography
    "zones.title": ("พื้นที่", "Zones"),
    "zones.map": ("แผนที่พื้นที่", "Zone map"),
    "zones.no_places": ("ไม่มีสถานที่ในพื้นที่นี้", "No places in this zone"),
    "places.title": ("สถานที่", "Places"),
    "places.map": ("ตำแหน่งบนแผนที่", "On the map"),
    "geo.pending": (
        "ส่วนข้อมูลภูมิศาสตร์ยังไม่พร้อมใช้งาน",
        "The geography module is not available yet.",
    ),
    # Devices and the live map
    "devices.title": ("อุปกรณ์", "Devices"),
    "devices.status": ("สถานะ", "Status"),
    "devices.all_statuses": ("ทุกสถานะ", "All statuses"),
    "devices.zone": ("พื้นที่", "Zone"),
    "devices.all_zones": ("ทุกพื้นที่", "All zones"),
    "devices.last_seen": ("ติดต่อล่าสุด", "Last heard"),
    "devices.never": ("ยังไม่เคยติดต่อ", "Never"),
    "devices.battery": ("แบตเตอรี่", "Battery"),
    "devices.signal": ("สัญญาณ", "Signal"),
    "devices.enabled": ("เปิดใช้งาน", "Enabled"),
    "devices.latest": ("ค่าล่าสุด", "Latest values"),
    "devices.metric": ("ค่าที่วัด", "Metric"),
    "devices.value": ("ค่า", "Value"),
    "devices.at": ("เวลา", "Time"),
    "devices.no_values": ("ยังไม่มีข้อมูลจากอุปกรณ์นี้", "No readings from this device yet"),
    "devices.chart": ("ค่าที่วัดได้ 24 ชั่วโมงล่าสุด", "Readings, last 24 hours"),
    "devices.no_chart": ("ไม่มีข้อมูลในช่วง 24 ชั่วโมงล่าสุด", "No readings in the last 24 hours"),
    "devices.live": ("อัปเดตสด", "Live"),
    "devices.layer": ("อุปกรณ์ตามสถานะ", "Devices by status"),
    "device_status.online": ("ออนไลน์", "Online"),
    "device_status.degraded": ("ทำงานบกพร่อง", "Degraded"),
    "device_status.offline": ("ออฟไลน์", "Offline"),
    "device_status.unknown": ("ไม่ทราบสถานะ", "Unknown"),
    "device_kind.camera": ("กล้อง CCTV", "Camera"),
    "device_kind.speaker": ("หอกระจายข่าว", "Loudspeaker"),
    "device_kind.wifi_ap": ("Wi-Fi สาธารณะ", "Public Wi-Fi"),
    "device_kind.water_level": ("วัดระดับน้ำ", "Water level"),
    "device_kind.air_quality": ("วัดคุณภาพอากาศ", "Air quality"),
    "device_kind.rain_gauge": ("วัดน้ำฝน", "Rain gauge"),
    "device_kind.sos_button": ("ปุ่ม SOS", "SOS button"),
    "device_kind.generic": ("อุปกรณ์ทั่วไป", "Other device"),
    # Audit
    "audit.title": ("บันทึกการตรวจสอบ", "Audit log"),
    "audit.entity_type": ("ประเภทข้อมูล", "Record type"),
    "audit.all_types": ("ทุกประเภท", "All types"),
    "audit.since": ("ตั้งแต่วันที่", "From"),
    "audit.until": ("ถึงวันที่", "To"),
    "audit.at": ("เวลา", "Time"),
    "audit.seq": ("ลำดับ", "No."),
    "audit.actor": ("ผู้กระทำ", "Actor"),
    "audit.action": ("การกระทำ", "Action"),
    "audit.entity": ("ข้อมูล", "Record"),
    "audit.detail": ("รายละเอียด", "Detail"),
    "audit.verify": ("ตรวจสอบความถูกต้องของห่วงโซ่", "Verify the chain"),
    "audit.verify_ok": (
        "ห่วงโซ่บันทึกถูกต้อง ตรวจแล้ว {checked} รายการ",
        "The chain is intact: {checked} entries checked.",
    ),
    "audit.verify_broken": (
        "ห่วงโซ่บันทึกเสียหายที่รายการลำดับ {seq}: {reason} (ตรวจแล้ว {checked} รายการ)",
        "The chain is broken at entry {seq}: {reason} ({checked} entries checked).",
    ),
    "audit.bad_date": ("รูปแบบวันที่ไม่ถูกต้อง", "The date is not valid"),
    "audit.dates_note": (
        "วันที่แสดงเป็นปีพุทธศักราช ตามเวลาประเทศไทย",
        "Times are shown in Thailand time.",
    ),
    # Errors
    "error.title": ("เกิดข้อผิดพลาด", "Something went wrong"),
    "error.403": ("ไม่มีสิทธิ์เข้าถึง", "Not allowed"),
    "error.403.detail": (
        "บทบาทของคุณไม่มีสิทธิ์ดูหน้านี้ หากต้องใช้งาน โปรดติดต่อผู้ดูแลระบบ",
        "Your role does not allow this page. Ask your administrator if you need it.",
    ),
    "error.404": ("ไม่พบหน้าที่ต้องการ", "Page not found"),
    "error.404.detail": (
        "หน้าหรือข้อมูลนี้ไม่มีอยู่ หรืออยู่นอกพื้นที่ที่คุณรับผิดชอบ",
        "This page or record does not exist, or is outside your zones.",
    ),
    "error.400": ("คำขอไม่ถูกต้อง", "Bad request"),
    "error.400.detail": (
        "ข้อมูลในลิงก์หรือแบบฟอร์มไม่ถูกต้อง",
        "Something in the link or the form is not valid.",
    ),
    "error.500": ("ระบบขัดข้อง", "Internal error"),
    "error.500.detail": (
        "ระบบเกิดข้อผิดพลาดภายใน ได้บันทึกไว้แล้ว",
        "Something went wrong on our side; the error was logged.",
    ),
    "error.home": ("กลับหน้าหลัก", "Back to the dashboard"),
    # Kinds of agencies (accounts.schemas.AgencyKind)
    "agency_kind.municipality": ("เทศบาล", "Municipality"),
    "agency_kind.police": ("ตำรวจ", "Police"),
    "agency_kind.health_unit": ("หน่วยบริการสุขภาพ", "Health unit"),
    "agency_kind.telecom": ("ผู้ให้บริการโทรคมนาคม", "Telecom partner"),
    "agency_kind.rescue": ("กู้ภัย / กู้ชีพ", "Rescue / EMS"),
    "agency_kind.other": ("อื่น ๆ", "Other"),
    # Kinds of zones and places; unknown kinds fall back to the raw code.
    "zone_kind.community": ("ชุมชน", "Community"),
    "zone_kind.pa_zone": ("เขตเสียงตามสาย", "Public-address zone"),
    "zone_kind.safety_zone": ("เขตปลอดภัย (Safety Zone)", "Safety zone"),
    "zone_kind.hazard_area": ("พื้นที่เสี่ยงภัย", "Hazard area"),
    "place_kind.market": ("ตลาด", "Market"),
    "place_kind.park": ("สวนสาธารณะ", "Park"),
    "place_kind.school": ("โรงเรียน", "School"),
    "place_kind.temple": ("วัด", "Temple"),
    "place_kind.hospital": ("โรงพยาบาล", "Hospital"),
    "place_kind.health_unit": ("หน่วยบริการสุขภาพ", "Health unit"),
    "place_kind.shelter": ("ศูนย์พักพิง", "Shelter"),
    "place_kind.police": ("สถานีตำรวจ", "Police"),
    "place_kind.government": ("หน่วยงานราชการ", "Government office"),
    "place_kind.other": ("อื่น ๆ", "Other"),
    # Care: disaster mode
    "nav.care_disaster": ("ภัยพิบัติ", "Disaster"),
    "nav.care": ("การดูแล", "Care"),
    "care.disaster.title": (
        "โหมดภัยพิบัติ: ตรวจเยี่ยมกลุ่มเปราะบาง",
        "Disaster mode: check on vulnerable people",
    ),
    "care.disaster.intro": (
        "เลือกพื้นที่เสี่ยงหรือวาดพื้นที่บนแผนที่ เพื่อดูรายชื่อกลุ่มเปราะบางเรียงตามความจำเป็น",
        "Pick a hazard area or draw one on the map to list vulnerable people, most in need first.",
    ),
    "care.disaster.zone": ("พื้นที่", "Area"),
    "care.disaster.drawn": ("— พื้นที่ที่วาดบนแผนที่ —", "— the area drawn on the map —"),
    "care.disaster.draw_help": (
        "คลิกบนแผนที่ทีละจุดเพื่อวาดพื้นที่ แล้วกด “วาดเสร็จ”",
        "Click points on the map to draw an area, then press “Finish drawing”.",
    ),
    "care.disaster.finish": ("วาดเสร็จ", "Finish drawing"),
    "care.disaster.clear": ("ล้าง", "Clear"),
    "care.disaster.show": ("แสดงรายชื่อ", "Show people"),
    "care.disaster.map": ("แผนที่พื้นที่ภัยพิบัติ", "Disaster area map"),
    "care.disaster.inside": ("พบ {n} คนในพื้นที่", "{n} people inside the area"),
    "care.disaster.name": ("ชื่อปฏิบัติการ", "Operation name"),
    "care.disaster.create": ("เปิดปฏิบัติการตรวจเยี่ยม", "Open a check-on operation"),
    "care.disaster.operations": ("ปฏิบัติการล่าสุด", "Recent operations"),
    "care.disaster.no_operations": ("ยังไม่มีปฏิบัติการ", "No operations yet"),
    "care.disaster.opened": ("เปิดเมื่อ", "Opened"),
    "care.disaster.opened_by": ("เปิดโดย {who}", "Opened by {who}"),
    "care.disaster.closed": ("ปิดแล้ว", "Closed"),
    "care.disaster.total": ("ทั้งหมด", "Total"),
    "care.disaster.print": ("พิมพ์รายชื่อ", "Print the list"),
    "care.disaster.print_more": (
        "แสดง {shown} จาก {total} คน",
        "Showing {shown} of {total} people",
    ),
    "care.disaster.note": ("บันทึก", "Note"),
    "care.disaster.vital_interest": (
        "การดูรายชื่อนี้บันทึกในบันทึกการตรวจสอบ (เพื่อป้องกันอันตรายต่อชีวิต พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล ม.26(1))",
        "Viewing this list is audited (vital interest, PDPA s.26(1)).",
    ),
    "care.status": ("สถานะ", "Status"),
    "care.status.pending": ("ยังไม่ได้ตรวจ", "Not yet checked"),
    "care.status.safe": ("ปลอดภัย", "Safe"),
    "care.status.needs_help": ("ต้องการความช่วยเหลือ", "Needs help"),
    "care.status.evacuated": ("อพยพแล้ว", "Evacuated"),
    "care.status.not_reached": ("ติดต่อไม่ได้", "Not reached"),
    "care.person": ("บุคคล", "Person"),
    "care.needs": ("ความจำเป็น", "Needs"),
    "care.address": ("ที่อยู่", "Address"),
    "care.age": ("อายุ {n} ปี", "{n} years"),
    "care.need.bed_bound": ("ติดเตียง", "Bed-bound"),
    "care.need.oxygen_dependent": ("ใช้ออกซิเจน", "On oxygen"),
    "care.need.dialysis": ("ฟอกไต", "Dialysis"),
    "care.need.lives_alone": ("อยู่ลำพัง", "Lives alone"),
    "care.need.homebound": ("ติดบ้าน", "Home-bound"),
    "care.need.disabled": ("ผู้พิการ", "Disabled"),
    "care.need.elderly": ("ผู้สูงอายุ", "Elderly"),
    "care.need.pregnant": ("ตั้งครรภ์", "Pregnant"),
    "care.need.child": ("เด็ก", "Child"),
}


def t(lang: str, key: str, **values: object) -> str:
    """The label for ``key`` in ``lang``, with ``{name}`` placeholders filled in.

    An unknown key shows itself, which is easy to spot on a page and never crashes it.
    """
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def kind_label(lang: str, family: str, kind: str) -> str:
    """A readable label for a kind code (``family`` is zone_kind, place_kind or agency_kind)."""
    key = f"{family}.{kind}"
    return t(lang, key) if key in MESSAGES else kind.replace("_", " ")


def role_label(lang: str, role: str) -> str:
    """The label of an accounts role in the visitor's language."""
    pair = ROLE_LABELS.get(role)
    if pair is None:
        return role
    return pair[1] if lang == "en" else pair[0]


def labels_for(lang: str, prefix: str) -> dict[str, str]:
    """Every label under ``prefix.`` keyed by the rest of its key (for the map script)."""
    start = f"{prefix}."
    return {k[len(start) :]: t(lang, k) for k in MESSAGES if k.startswith(start)}


def language_of(request: Request, default: str) -> Lang:
    """The visitor's language: the ``lang`` cookie if it is a known one, else the default."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    for lang in LANGS:
        if chosen == lang:
            return lang
    return "en" if default == "en" else "th"
