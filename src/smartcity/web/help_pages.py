"""The resident's help app (/help): a public, installable page with one large help button.

Residents are not users, so the page needs no log-in; the request itself goes to the public,
rate-limited POST /api/help. The page works offline: its service worker keeps the page and its
assets, and the request waits in the phone's IndexedDB with its client key until it is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from smartcity.geo import service as geo
from smartcity.web.errors import PageRoute
from smartcity.web.view import AnyView, View

router = APIRouter(route_class=PageRoute)
STATIC: Final = Path(__file__).parent / "static"
PHICHIT: Final = (16.443, 100.347)  # the town centre, when no site is loaded
EMERGENCY_NUMBERS: Final = (
    ("1669", "เจ็บป่วยฉุกเฉิน", "Medical emergency"),
    ("191", "ตำรวจ", "Police"),
    ("199", "ดับเพลิง", "Fire"),
)

# Labels of the help app as (Thai, English) pairs; the page stays self-contained.
LABELS: Final[dict[str, tuple[str, str]]] = {
    "title": ("ขอความช่วยเหลือ", "Ask for help"),
    "button": ("ขอความช่วยเหลือ", "Ask for help"),
    "button_hint": ("กดปุ่มเดียว เจ้าหน้าที่จะได้รับทันที", "One press reaches the help centre"),
    "where": ("ตำแหน่งของคุณ", "Where you are"),
    "locating": ("กำลังหาตำแหน่ง…", "Finding your position…"),
    "located": ("ได้ตำแหน่งจากโทรศัพท์แล้ว", "Position from your phone"),
    "tap_map": ("หาตำแหน่งไม่ได้ แตะแผนที่ตรงที่คุณอยู่", "No position: tap the map where you are"),
    "tapped": ("ใช้ตำแหน่งที่แตะบนแผนที่", "Using the spot you tapped"),
    "details": ("รายละเอียด (ไม่บังคับ)", "Details (optional)"),
    "text": ("เกิดอะไรขึ้น", "What happened"),
    "phone": ("เบอร์โทรกลับ", "Call-back number"),
    "photo": ("รูปถ่าย", "Photo"),
    "queued": ("บันทึกไว้ในเครื่อง จะส่งทันทีที่มีสัญญาณ", "Saved on this phone; it will be sent when online"),
    "sending": ("กำลังส่ง…", "Sending…"),
    "sent": ("ส่งถึงศูนย์แล้ว", "Received by the help centre"),
    "rejected": ("ส่งไม่สำเร็จ โปรดโทร 1669", "Could not be sent; please call 1669"),
    "offline": ("ไม่มีสัญญาณอินเทอร์เน็ต", "No internet connection"),
    "online": ("ออนไลน์", "Online"),
    "requests": ("คำขอของคุณ", "Your requests"),
    "numbers": ("โทรฉุกเฉิน", "Emergency numbers"),
    "privacy": (
        "ตำแหน่ง ข้อความ และรูปที่ส่ง ใช้เพื่อช่วยเหลือคุณเท่านั้น",
        "Your position, text and photo are used only to help you.",
    ),
}


def labels(view: View) -> dict[str, str]:
    """This page's labels in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return {key: pair[index] for key, pair in LABELS.items()}


@router.get("/help")
def help_app(view: AnyView) -> HTMLResponse:
    """The help button page (public)."""
    site = geo.get_site(view.uow.session)
    centre = [site.center_lat, site.center_lon] if site else list(PHICHIT)
    numbers = [(n, en if view.lang == "en" else th) for n, th, en in EMERGENCY_NUMBERS]
    context = {
        "L": labels(view),
        "numbers": numbers,
        "centre": centre,
        "tiles": view.settings.map_tile_url,
    }
    return view.render("help/index.html", context)


@router.get("/help-sw.js")
def service_worker() -> FileResponse:
    """The help app's service worker, served at the root so that its scope can be /help."""
    return FileResponse(
        STATIC / "help-sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )


@router.get("/help/manifest.webmanifest")
def manifest() -> FileResponse:
    """The web app manifest that makes /help installable."""
    return FileResponse(
        STATIC / "help-manifest.webmanifest", media_type="application/manifest+json"
    )
