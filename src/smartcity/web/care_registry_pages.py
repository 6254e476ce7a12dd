"""Care registry pages: the care manager's dashboard, the people list, person and household
pages, and a worker's printable visit list. Every figure and row comes from the care, visits,
geo and incidents services; sensitive fields are shown only through the audited service reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import ValidationError

from smartcity.accounts import service as accounts
from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.schemas import FLAGS, ConsentWithdraw, PersonOut
from smartcity.care.views import GROUP_LABELS, adl_out, consent_out, household_out, today
from smartcity.care.visits import service as visits
from smartcity.errors import Forbidden, InvalidInput
from smartcity.geo import service as geo
from smartcity.http import Paging
from smartcity.incidents import service as incidents
from smartcity.kit import thai
from smartcity.kit.pagination import PageParams
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("care.read"))]
Writer = Annotated[View, Depends(page("care.write"))]

GROUPS: Final = tuple(GROUP_LABELS)  # social, homebound, bedbound
OPEN_HELP: Final = ["new", "triaged", "dispatched", "on_scene", "transported"]
ONE: Final = PageParams(1, 1)  # a page of one row: only its total is wanted
ALL_ZONES: Final = PageParams(1, 200)
# The dashboard map draws at most this many homes; larger registries use the people list.
MAP_LIMIT: Final = 2000
MAP_PAGE: Final = 200

# Labels of these pages as (Thai, English) pairs, kept here so the pages stay self-contained.
LABELS: Final[dict[str, tuple[str, str]]] = {
    "dashboard": ("ภาพรวมการดูแล", "Care overview"),
    "people": ("ทะเบียนผู้รับการดูแล", "Care registry"),
    "by_group_zone": ("จำนวนคนตามกลุ่ม ADL และพื้นที่", "People by ADL group and zone"),
    "zone": ("พื้นที่", "Zone"),
    "no_zone": ("นอกพื้นที่ชุมชน", "Outside any community"),
    "not_assessed": ("ยังไม่ประเมิน", "Not assessed"),
    "total": ("รวม", "Total"),
    "flags": ("กลุ่มเปราะบาง", "Vulnerability flags"),
    "overdue": ("การเยี่ยมบ้านที่เลยกำหนด", "Overdue visits"),
    "open_help": ("คำขอความช่วยเหลือที่ยังไม่ปิด", "Open help requests"),
    "map": ("แผนที่ครัวเรือนตามกลุ่ม ADL", "Households by ADL group"),
    "map_capped": ("แสดงไม่เกิน {n} ครัวเรือน", "At most {n} households shown"),
    "disaster": ("โหมดภัยพิบัติ", "Disaster mode"),
    "search_name": ("ค้นหาชื่อ", "Search by name"),
    "search_phone": ("ค้นหาเบอร์โทร", "Search by phone"),
    "all_zones": ("ทุกพื้นที่", "All zones"),
    "all_groups": ("ทุกกลุ่ม", "All groups"),
    "group": ("กลุ่ม ADL", "ADL group"),
    "name": ("ชื่อ", "Name"),
    "age": ("อายุ", "Age"),
    "phones": ("โทรศัพท์", "Phones"),
    "none_found": ("ไม่พบบุคคลตามเงื่อนไข", "Nobody matches"),
    "details": ("ข้อมูลบุคคล", "Details"),
    "birth_date": ("วันเกิด", "Birth date"),
    "sex": ("เพศ", "Sex"),
    "national_id": ("เลขประจำตัวประชาชน", "National ID"),
    "caregiver": ("ผู้ดูแล", "Caregiver"),
    "language_notes": ("การสื่อสาร", "Language notes"),
    "sensitive": ("ข้อมูลสุขภาพ (อ่อนไหว)", "Health data (sensitive)"),
    "disability_type": ("ประเภทความพิการ", "Disability"),
    "chronic_conditions": ("โรคประจำตัว", "Chronic conditions"),
    "hearing_notes": ("การได้ยิน", "Hearing"),
    "care_notes": ("บันทึกการดูแล", "Care notes"),
    "sensitive_hidden": (
        "ข้อมูลสุขภาพ ความพิการ และการเยี่ยมบ้านถูกซ่อนไว้ เพราะบทบาทของคุณไม่มีสิทธิ์ "
        "care.sensitive ในพื้นที่นี้ (ข้อมูลอ่อนไหวตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล มาตรา 26)",
        "Health, disability and visit data are hidden: your role lacks care.sensitive in this "
        "zone (sensitive data under PDPA s.26).",
    ),
    "sensitive_audited": (
        "การเปิดดูข้อมูลนี้ถูกบันทึกในบันทึกการตรวจสอบ",
        "Viewing this data is recorded in the audit log.",
    ),
    "consents": ("ความยินยอม", "Consents"),
    "purpose": ("วัตถุประสงค์", "Purpose"),
    "given_at": ("วันที่ให้", "Given"),
    "in_force": ("มีผล", "In force"),
    "withdrawn": ("ถอนแล้ว", "Withdrawn"),
    "withdraw": ("ถอนความยินยอม", "Withdraw"),
    "withdrawn_by": ("ผู้ขอถอน", "Withdrawn by"),
    "note": ("หมายเหตุ", "Note"),
    "no_consents": ("ยังไม่มีความยินยอม", "No consents recorded"),
    "timeline": ("ลำดับเหตุการณ์", "Timeline"),
    "adl": ("ประเมิน ADL", "ADL assessment"),
    "visit": ("เยี่ยมบ้าน", "Home visit"),
    "abnormal": ("ผิดปกติ", "Abnormal"),
    "no_timeline": ("ยังไม่มีประวัติ", "No history yet"),
    "help_note": ("คำขอความช่วยเหลือดูได้ที่หน้าแจ้งเหตุ", "Help requests are listed on the incidents page"),
    "contacts": ("ผู้ติดต่อฉุกเฉิน", "Emergency contacts"),
    "no_contacts": ("ไม่มีผู้ติดต่อฉุกเฉิน", "No emergency contacts"),
    "household": ("ครัวเรือน", "Household"),
    "members": ("สมาชิก", "Members"),
    "address": ("ที่อยู่", "Address"),
    "no_position": ("ไม่มีพิกัดบนแผนที่", "No map position"),
    "visit_list": ("รายการเยี่ยมบ้าน", "Visit list"),
    "worker": ("เจ้าหน้าที่", "Worker"),
    "order": ("ลำดับ", "Order"),
    "due": ("กำหนด", "Due"),
    "late_days": ("เลย (วัน)", "Late (days)"),
    "leg": ("ระยะ (ม.)", "Leg (m)"),
    "route_km": ("ระยะทางรวม (กม.)", "Route length (km)"),
    "print": ("พิมพ์", "Print"),
    "done": ("เยี่ยมแล้ว", "Done"),
    "no_stops": ("วันนี้ไม่มีงานเยี่ยมบ้าน", "No visits due today"),
    "unplaced": ("ไม่มีพิกัด (เรียงท้าย)", "Without a position (last)"),
    "sex.male": ("ชาย", "Male"),
    "sex.female": ("หญิง", "Female"),
    "sex.other": ("อื่น ๆ", "Other"),
    "sex.unknown": ("ไม่ระบุ", "Unknown"),
    "purpose.care": ("การดูแลระยะยาว", "Long-term care"),
    "purpose.share_health_unit": ("ส่งต่อหน่วยบริการสุขภาพ", "Sharing with a health unit"),
    "purpose.share_emergency": ("ส่งต่อในเหตุฉุกเฉิน", "Sharing in an emergency"),
    "flag.elderly": ("ผู้สูงอายุ", "Elderly"),
    "flag.bed_bound": ("ติดเตียง", "Bed-bound"),
    "flag.disabled": ("ผู้พิการ", "Disabled"),
    "flag.oxygen_dependent": ("ใช้ออกซิเจน", "On oxygen"),
    "flag.dialysis": ("ฟอกไต", "Dialysis"),
    "flag.pregnant": ("ตั้งครรภ์", "Pregnant"),
    "flag.child": ("เด็ก", "Child"),
    "flag.lives_alone": ("อยู่ลำพัง", "Lives alone"),
    **{f"group.{g}": pair for g, pair in GROUP_LABELS.items()},
}


def labels(view: View) -> dict[str, str]:
    """This module's labels in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return {key: pair[index] for key, pair in LABELS.items()}


def _access(view: View) -> Access:
    assert view.principal is not None  # page() let only logged-in callers through
    return Access.of(view.principal)


def _render(view: View, name: str, context: dict[str, Any]) -> HTMLResponse:
    """Render with this module's labels and a BE date formatter for plain dates."""
    lang: thai.Lang = "en" if view.lang == "en" else "th"

    def be_date(value: date | datetime | None) -> str:
        return thai.format_date(value, lang, tz=view.settings.timezone) if value else "–"

    return view.render(name, {"L": labels(view), "be_date": be_date, **context})


def _zones(view: View) -> list[Any]:
    """Community zones the caller reads in."""
    zones, _ = geo.list_zones(
        view.uow.session, ALL_ZONES, kind="community", zone_scope=_access(view).read_zones
    )
    return zones


# --- dashboard --------------------------------------------------------------------------------


@dataclass
class ZoneRow:
    """People of one zone counted by ADL group."""

    zone_id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def not_assessed(self) -> int:
        """People in the zone without an assessment yet."""
        return self.total - sum(self.counts.values())


def _count(view: View, **filters: Any) -> int:
    """How many of the caller's people match (the total of a one-row page)."""
    _rows, total = care.list_people(view.uow.session, _access(view), ONE, **filters)
    return total


def _zone_rows(view: View, zones: list[Any]) -> list[ZoneRow]:
    """Counts per community zone and group, plus a row for homes outside every community."""
    rows = []
    for zone in zones:
        row = ZoneRow(zone.id, zone.name_en if view.lang == "en" and zone.name_en else zone.name_th)
        row.counts = {g: _count(view, zone_id=zone.id, group=g) for g in GROUPS}
        row.total = _count(view, zone_id=zone.id)
        rows.append(row)
    everyone = ZoneRow(None, labels(view)["no_zone"], total=_count(view))
    everyone.counts = {g: _count(view, group=g) for g in GROUPS}
    outside = ZoneRow(None, everyone.name, total=everyone.total - sum(r.total for r in rows))
    outside.counts = {g: everyone.counts[g] - sum(r.counts[g] for r in rows) for g in GROUPS}
    return [*rows, outside] if outside.total else rows


def _open_help(view: View) -> int | None:
    """Open help requests in the caller's incident zones, or None without incidents.read."""
    if view.principal is None or not view.can("incidents.read"):
        return None
    _rows, total = incidents.list_incidents(
        view.uow.session,
        ONE,
        status=OPEN_HELP,
        kind="help_request",
        zones=view.principal.zone_scope("incidents.read"),
    )
    return total


@router.get("/care")
def dashboard(view: Reader) -> HTMLResponse:
    """The care manager's overview: groups by zone, flags, overdue visits, help requests, map."""
    rows = _zone_rows(view, _zones(view))
    totals = {g: sum(r.counts[g] for r in rows) for g in GROUPS}
    context = {
        "rows": rows,
        "groups": GROUPS,
        "totals": totals,
        "grand_total": sum(r.total for r in rows),
        "flags": [(f, _count(view, flags=[f])) for f in FLAGS],
        "overdue": visits.overdue(view.uow.session, _access(view)),
        "zone_names": {r.zone_id: r.name for r in rows if r.zone_id is not None},
        "open_help": _open_help(view),
        "map_limit": MAP_LIMIT,
    }
    return _render(view, "care/registry/dashboard.html", context)


@router.get("/care/households.geojson")
def households_geojson(view: Reader) -> JSONResponse:
    """The caller's households as points, each with its most dependent member's ADL group."""
    access, session = _access(view), view.uow.session
    worst: dict[int, str] = {}
    for person in _people_for_map(view):
        worst[person.household_id] = _worse(worst.get(person.household_id), person.adl_group)
    features = []
    for number in range(1, MAP_LIMIT // MAP_PAGE + 1):
        homes, total = care.list_households(session, access, PageParams(number, MAP_PAGE))
        features += [_feature(h.id, h.lat, h.lon, worst.get(h.id, "")) for h in homes if h.lat]
        if number * MAP_PAGE >= total:
            break
    return JSONResponse({"type": "FeatureCollection", "features": features})


def _people_for_map(view: View) -> list[PersonOut]:
    """Up to MAP_LIMIT assessed people, a page at a time."""
    out: list[PersonOut] = []
    for group in GROUPS:
        for number in range(1, MAP_LIMIT // MAP_PAGE + 1):
            rows, total = care.list_people(
                view.uow.session, _access(view), PageParams(number, MAP_PAGE), group=group
            )
            out += rows
            if number * MAP_PAGE >= total:
                break
    return out


def _worse(current: str | None, group: str | None) -> str:
    """The more dependent of two groups (bedbound > homebound > social > none)."""
    rank = {"": 0, "social": 1, "homebound": 2, "bedbound": 3}
    a, b = current or "", group or ""
    return a if rank[a] >= rank[b] else b


def _feature(household_id: int, lat: float | None, lon: float | None, group: str) -> dict[str, Any]:
    """A household point; no names or addresses leave in the map layer."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"id": household_id, "group": group},
    }


# --- people list ------------------------------------------------------------------------------


@router.get("/care/people")
def people_list(
    view: Reader,
    paging: Paging,
    q: Annotated[str, Query(max_length=200)] = "",
    phone: Annotated[str, Query(max_length=40)] = "",
    zone_id: Annotated[str, Query(max_length=12)] = "",
    group: Annotated[str, Query(max_length=20)] = "",
    flag: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """The registry: Thai-aware name search, phone search, zone, group and flag filters."""
    chosen = _checked_filters(group, flag or [])
    zone = _zone_id(zone_id)
    people, total = care.list_people(
        view.uow.session,
        _access(view),
        paging,
        q=q,
        phone=phone,
        zone_id=zone,
        group=group,
        flags=chosen,
    )
    context = {
        "people": people,
        "pager": Pager.of(paging, total),
        "q": q,
        "phone": phone,
        "zone_id": zone,
        "group": group,
        "chosen": chosen,
        "zones": _zones(view),
        "groups": GROUPS,
        "flags": FLAGS,
    }
    return view.render_list(
        "care/registry/people.html",
        "care/registry/_people.html",
        {"L": labels(view), **context},
    )


def _zone_id(text: str) -> int | None:
    """The zone filter: empty (a form's "all zones") is no filter; else a zone id or 422."""
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise InvalidInput(
            "The zone must be a zone number.",
            "พื้นที่ต้องเป็นหมายเลขพื้นที่",
            errors=[{"field": "zone_id", "message": "not a number / ไม่ใช่ตัวเลข"}],
        )
    return int(text)


def _checked_filters(group: str, flags: list[str]) -> list[str]:
    """InvalidInput (400, both languages) for an unknown group or flag; the flags, deduplicated."""
    bad = [f for f in flags if f not in FLAGS]
    if (group and group not in GROUPS) or bad:
        raise InvalidInput(
            "Unknown ADL group or flag.",
            "กลุ่ม ADL หรือกลุ่มเปราะบางไม่ถูกต้อง",
            errors=[{"field": "flag" if bad else "group", "message": "unknown / ไม่รู้จัก"}],
        )
    return list(dict.fromkeys(flags))


# --- person -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """One entry of a person's timeline."""

    at: datetime
    kind: str
    title: str
    detail: str
    alert: bool = False


def _timeline(view: View, person_id: int) -> list[Moment]:
    """ADL assessments and visits, newest first (both audited sensitive reads)."""
    access, uow, text = _access(view), view.uow, labels(view)
    moments = [
        Moment(a.assessed_at, "adl", f"{text['adl']} {a.total}/20", text[f"group.{a.group}"])
        for a in (adl_out(row) for row in care.adl_history(uow, access, person_id))
    ]
    moments += [
        Moment(v.visited_at, "visit", text["visit"], v.worker_name, v.abnormal)
        for v in visits.person_visits(uow, view.settings, access, person_id)
    ]
    return sorted(moments, key=lambda m: m.at, reverse=True)


@router.get("/care/people/{person_id}")
def person_page(person_id: int, view: Reader) -> HTMLResponse:
    """A person: details, sensitive fields when allowed (audited), consents, timeline, home."""
    access, session = _access(view), view.uow.session
    _row, home = care.get_person(session, access, person_id)
    allowed = access.can_see_sensitive(home.zone_id)
    person = care.read_person(view.uow, view.settings, access, person_id, include_sensitive=allowed)
    context = {
        "person": person,
        "allowed": allowed,
        "can_withdraw": access.can_write(home.zone_id),
        "consents": [consent_out(c) for c in care.list_consents(session, access, person_id)],
        "timeline": _timeline(view, person_id) if allowed else [],
        "household": household_out(home, care.household_members(session, home.id)),
    }
    return _render(view, "care/registry/person.html", context)


@router.post("/care/people/{person_id}/consents/{consent_id}/withdraw")
def withdraw(
    person_id: int,
    consent_id: int,
    view: Writer,
    withdrawn_by: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Withdraw a consent (PDPA: at any time) and go back to the person page."""
    try:
        data = ConsentWithdraw(withdrawn_by=withdrawn_by, note=note)
    except ValidationError as exc:
        raise InvalidInput(
            "Say who asked to withdraw the consent.",
            "โปรดระบุผู้ขอถอนความยินยอม",
            errors=[{"field": "withdrawn_by", "message": "required / จำเป็น"}],
        ) from exc
    care.withdraw_consent(view.uow, _access(view), person_id, consent_id, data)
    return RedirectResponse(f"/care/people/{person_id}", status_code=303)


# --- household and worker ---------------------------------------------------------------------


@router.get("/care/households/{household_id}")
def household_page(household_id: int, view: Reader) -> HTMLResponse:
    """A household: Thai address, members (no health data) and its place on the map."""
    session = view.uow.session
    home = care.get_household(session, _access(view), household_id)
    context = {"household": household_out(home, care.household_members(session, home.id))}
    return _render(view, "care/registry/household.html", context)


@router.get("/care/workers/{worker_id}/visits/print")
def worker_print(worker_id: int, view: Writer) -> HTMLResponse:
    """A worker's visits due today in route order, to print (own list, or any with care.plan)."""
    assert view.principal is not None
    if view.principal.user_id != worker_id and not view.can("care.plan"):
        raise Forbidden(
            "Only care planners may print another worker's visit list.",
            "เฉพาะผู้วางแผนการดูแลเท่านั้นที่พิมพ์รายการเยี่ยมของผู้อื่นได้",
        )
    worker = accounts.get_user(view.uow.session, worker_id)
    day = visits.worker_day(view.uow.session, worker_id)
    context = {"worker": worker, "day": day, "today": today()}
    return _render(view, "care/registry/print.html", context)
