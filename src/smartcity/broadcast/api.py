"""REST routes of announcements and CAP under /api/broadcast (thin: parse, check, call)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.broadcast import capflow, scheduling, service
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings, get_broadcast_settings
from smartcity.broadcast.schemas import (
    AnnouncementMeta,
    AnnouncementOut,
    CapComposeIn,
    CapIngestOut,
    CapUrlIn,
    Category,
    EngineOut,
    Language,
    Priority,
    TtsAnnouncementIn,
)
from smartcity.errors import InvalidInput
from smartcity.http import AppSettings, Paging, UoW
from smartcity.integrations import audio
from smartcity.integrations.cap import MAX_BYTES as CAP_MAX_BYTES
from smartcity.integrations.cap import MIME as CAP_MIME
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/broadcast", tags=["broadcast"])
Reader = Annotated[Principal, Depends(require("broadcast.read"))]
Sender = Annotated[Principal, Depends(require("broadcast.send"))]
Policy = Annotated[BroadcastSettings, Depends(get_broadcast_settings)]


@lru_cache(maxsize=1)
def _registry() -> audio.SpeechRegistry:
    return audio.default_registry()


def speech_registry(request: Request) -> audio.SpeechRegistry:
    """The speech engines of this installation (the app may hold its own registry)."""
    found = getattr(request.app.state, "speech_registry", None)
    return found if isinstance(found, audio.SpeechRegistry) else _registry()


Registry = Annotated[audio.SpeechRegistry, Depends(speech_registry)]


def _languages(raw: str) -> list[Language]:
    """'th,en' from a form field as a checked list."""
    items = [p.strip() for p in raw.split(",") if p.strip()] or ["th"]
    bad = [p for p in items if p not in ("th", "en")]
    if bad:
        raise InvalidInput(
            f"Unknown languages {bad}; use th and/or en.",
            f"ไม่รู้จักภาษา {bad} ใช้ th และ/หรือ en",
            errors=[{"field": "languages", "message": "use th and/or en"}],
        )
    return [p for p in items if p in ("th", "en")]  # type: ignore[misc]


@router.post("/announcements/upload", status_code=201, summary="Announcement from a recording")
def upload(
    uow: UoW,
    settings: AppSettings,
    policy: Policy,
    _: Sender,
    file: Annotated[UploadFile, File(description="WAV, MP3, Ogg, M4A or FLAC")],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    category: Annotated[Category, Form()] = "other",
    priority: Annotated[Priority, Form()] = "routine",
    languages: Annotated[str, Form()] = "th",
    chime: Annotated[bool, Form()] = False,
    zone_ids: Annotated[str, Form(description="Comma-separated PA zone ids")] = "",
) -> AnnouncementOut:
    """Check, loudness-normalise and store a recording as a draft announcement."""
    meta = AnnouncementMeta(
        title=title,
        category=category,
        priority=priority,
        languages=_languages(languages),
        chime=chime,
        zone_ids=_ids(zone_ids),
    )
    row = service.create_from_upload(uow, settings.data_dir, policy, meta, file.file)
    return AnnouncementOut.model_validate(row)


def _ids(raw: str) -> list[int]:
    try:
        return [int(p) for p in raw.split(",") if p.strip()]
    except ValueError as exc:
        raise InvalidInput(
            "zone_ids must be numbers separated by commas.",
            "zone_ids ต้องเป็นตัวเลขคั่นด้วยจุลภาค",
            errors=[{"field": "zone_ids", "message": "not a list of numbers"}],
        ) from exc


@router.post("/announcements/tts", status_code=201, summary="Announcement from text")
def tts(
    body: TtsAnnouncementIn,
    uow: UoW,
    settings: AppSettings,
    policy: Policy,
    registry: Registry,
    _: Sender,
) -> AnnouncementOut:
    """Speak the text with an installed engine and store it as a draft announcement."""
    row = service.create_from_text(uow, settings.data_dir, policy, registry, body)
    return AnnouncementOut.model_validate(row)


@router.get("/tts/engines", summary="Speech engines")
def engines(registry: Registry, _: Reader) -> list[EngineOut]:
    """Every known engine, whether it is installed and how good its Thai is."""
    installed = {e.info.name for e in registry.installed()}
    return [
        EngineOut(
            name=e.info.name,
            label=e.info.label,
            label_th=e.info.label_th,
            quality=e.info.quality,
            languages=list(e.info.languages),
            installed=e.info.name in installed,
        )
        for e in registry.all()
    ]


@router.get("/announcements", summary="Search announcements")
def list_announcements(
    uow: UoW,
    paging: Paging,
    _: Reader,
    q: str = "",
    status: str = "",
    category: str = "",
    priority: str = "",
) -> Page[AnnouncementOut]:
    """Announcements matching ``q`` (title or text) and filters, newest first."""
    rows, total = service.list_announcements(
        uow.session, paging, q=q, status=status, category=category, priority=priority
    )
    items = [AnnouncementOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/announcements/{announcement_id}", summary="One announcement")
def get_announcement(announcement_id: int, uow: UoW, _: Reader) -> AnnouncementOut:
    """An announcement with its audio checksum and approval."""
    return AnnouncementOut.model_validate(service.get_announcement(uow.session, announcement_id))


@router.get("/announcements/{announcement_id}/audio", summary="Listen to an announcement")
def get_audio(announcement_id: int, uow: UoW, settings: AppSettings, _: Reader) -> FileResponse:
    """The delivered audio file (MP3), for preview and for speakers."""
    row = service.get_announcement(uow.session, announcement_id)
    path = service.audio_path(settings.data_dir, row)
    headers = {"x-checksum-sha256": row.checksum}
    return FileResponse(path, media_type=audio.DELIVERY_MIME, headers=headers)


@router.post("/announcements/{announcement_id}/approve", summary="Approve a draft")
def approve(announcement_id: int, uow: UoW, policy: Policy, _: Sender) -> AnnouncementOut:
    """Approve; emergencies need a second person when so configured."""
    return AnnouncementOut.model_validate(service.approve(uow, policy, announcement_id))


@router.post("/announcements/{announcement_id}/cancel", summary="Cancel an announcement")
def cancel(announcement_id: int, uow: UoW, _: Sender) -> AnnouncementOut:
    """Cancel it and its schedules; pending slots are reported as cancelled."""
    return AnnouncementOut.model_validate(scheduling.cancel_announcement(uow, announcement_id))


@router.get("/announcements/{announcement_id}/cap", summary="Announcement as CAP 1.2")
def export_cap(announcement_id: int, uow: UoW, policy: Policy, _: Reader) -> Response:
    """CAP XML, valid against the OASIS schema."""
    row = service.get_announcement(uow.session, announcement_id)
    return Response(capflow.export(uow.session, policy, row), media_type=CAP_MIME)


@router.post("/cap/compose", summary="Compose a CAP 1.2 alert")
def compose_cap(body: CapComposeIn, uow: UoW, policy: Policy, _: Sender) -> Response:
    """CAP XML with Thai and English info blocks and an area from zones or a polygon."""
    return Response(capflow.compose(uow.session, policy, body), media_type=CAP_MIME)


@router.post("/cap/ingest", status_code=201, summary="Ingest a CAP alert file")
def ingest_cap(
    uow: UoW,
    settings: AppSettings,
    policy: Policy,
    registry: Registry,
    _: Sender,
    file: Annotated[UploadFile, File(description="A CAP 1.2 XML document")],
) -> CapIngestOut:
    """Turn an uploaded CAP alert into a draft emergency announcement for its PA zones."""
    data = file.file.read(CAP_MAX_BYTES + 1)
    return _ingested(*capflow.ingest(uow, settings.data_dir, policy, registry, data))


@router.post("/cap/ingest-url", status_code=201, summary="Ingest a CAP alert from a URL")
def ingest_cap_url(
    body: CapUrlIn,
    uow: UoW,
    settings: AppSettings,
    policy: Policy,
    registry: Registry,
    _: Sender,
) -> CapIngestOut:
    """Fetch a CAP alert (timeout and size limit) and turn it into a draft announcement."""
    data = capflow.fetch(body.url)
    return _ingested(*capflow.ingest(uow, settings.data_dir, policy, registry, data))


def _ingested(row: Announcement, zones: list[capflow.ZoneLike]) -> CapIngestOut:
    return CapIngestOut(
        announcement=AnnouncementOut.model_validate(row),
        zone_ids=[z.id for z in zones],
        zone_codes=[z.code for z in zones],
    )
