"""Rules of announcements: audio in the delivery format, text-to-speech, search and approval."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from smartcity.broadcast import repository as repo
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.schemas import AnnouncementMeta, TtsAnnouncementIn
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.integrations import audio
from smartcity.integrations.audio import AudioProblem, RenderedAudio, SpeechRegistry
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

AUDIO_DIR = "audio"
CHUNK = 1 << 16


def audio_dir(data_dir: Path) -> Path:
    """Where delivered audio files live (created on first use)."""
    path = data_dir / AUDIO_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def audio_path(data_dir: Path, announcement: Announcement) -> Path:
    """The delivered audio file of an announcement, or NotFound when it has none."""
    path = audio_dir(data_dir) / announcement.audio_file
    if not announcement.audio_file or not path.is_file():
        raise NotFound(
            f"Announcement {announcement.id} has no audio.",
            f"ประกาศหมายเลข {announcement.id} ยังไม่มีไฟล์เสียง",
        )
    return path


def invalid_audio(problem: AudioProblem) -> InvalidInput:
    """An audio problem as a 422 with both languages."""
    return InvalidInput(
        problem.message,
        problem.message_th,
        errors=[{"field": "file", "message": problem.message, "code": problem.code}],
    )


def _store(data_dir: Path, src: Path, policy: BroadcastSettings, chime: bool) -> RenderedAudio:
    """Render ``src`` into the audio folder under its checksum; bad audio is a 422."""
    folder = audio_dir(data_dir)
    work = folder / f".render-{uuid.uuid4().hex}.mp3"
    try:
        rendered = audio.render(
            src, work, chime_before=chime, chime_after=chime, limits=policy.audio_limits()
        )
    except AudioProblem as exc:
        work.unlink(missing_ok=True)
        raise invalid_audio(exc) from exc
    final = folder / f"{rendered.sha256}.{audio.DELIVERY_EXT}"
    work.replace(final)
    return RenderedAudio(
        final,
        rendered.sha256,
        rendered.size_bytes,
        rendered.duration_s,
        rendered.input_lufs,
        rendered.info,
    )


def _copy_limited(stream: BinaryIO, dest: Path, max_bytes: int) -> None:
    size = 0
    with dest.open("wb") as out:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            size += len(chunk)
            if size > max_bytes:
                raise InvalidInput(
                    f"The file is larger than {max_bytes} bytes.",
                    f"ไฟล์มีขนาดเกิน {max_bytes} ไบต์",
                    errors=[{"field": "file", "message": "too large", "code": "too-large"}],
                )
            out.write(chunk)
    if size == 0:
        raise InvalidInput(
            "The uploaded file is empty.",
            "ไฟล์ที่อัปโหลดว่างเปล่า",
            errors=[{"field": "file", "message": "empty", "code": "empty"}],
        )


def check_zones(session: Any, zone_ids: list[int]) -> list[int]:
    """The ids, de-duplicated, if every one is a PA zone; otherwise a 422 naming the others."""
    bad = []
    for zone_id in dict.fromkeys(zone_ids):
        try:
            if geo.get_zone(session, zone_id).kind != "pa_zone":
                bad.append(zone_id)
        except NotFound:
            bad.append(zone_id)
    if bad:
        raise InvalidInput(
            f"These are not loudspeaker (PA) zones: {bad}.",
            f"รหัสต่อไปนี้ไม่ใช่เขตเสียงตามสาย: {bad}",
            errors=[{"field": "zone_ids", "message": f"not PA zones: {bad}"}],
        )
    return list(dict.fromkeys(zone_ids))


def create_from_upload(
    uow: UnitOfWork,
    data_dir: Path,
    policy: BroadcastSettings,
    meta: AnnouncementMeta,
    stream: BinaryIO,
) -> Announcement:
    """An announcement from an uploaded recording, checked and normalised."""
    zone_ids = check_zones(uow.session, meta.zone_ids)
    with tempfile.TemporaryDirectory(dir=audio_dir(data_dir)) as tmp:
        src = Path(tmp) / "upload"
        _copy_limited(stream, src, policy.max_upload_bytes)
        rendered = _store(data_dir, src, policy, meta.chime)
    return _insert(uow, meta, zone_ids, rendered, source="upload")


def create_from_text(
    uow: UnitOfWork,
    data_dir: Path,
    policy: BroadcastSettings,
    registry: SpeechRegistry,
    body: TtsAnnouncementIn,
) -> Announcement:
    """An announcement spoken by a speech engine installed on this server."""
    zone_ids = check_zones(uow.session, body.zone_ids)
    engine = registry.get(body.engine)
    if engine is None:
        names = [e.info.name for e in registry.installed()] or ["none"]
        raise InvalidInput(
            f"No installed speech engine {body.engine!r}; installed: {', '.join(names)}.",
            f"ไม่มีเครื่องมือสังเคราะห์เสียง {body.engine!r} ที่ติดตั้งไว้",
            errors=[{"field": "engine", "message": "not installed"}],
        )
    rendered = speak(data_dir, policy, engine, body.text, body.language, body.chime)
    row = create_draft(uow, body.model_copy(update={"zone_ids": zone_ids}), source="tts")
    row.text, row.tts_engine = body.text, engine.info.name
    attach_audio(row, rendered)
    changed(uow, "announcement.created", row)
    return row


def speak(
    data_dir: Path,
    policy: BroadcastSettings,
    engine: audio.SpeechEngine,
    text: str,
    language: str,
    chime: bool,
) -> RenderedAudio:
    """Synthesise text and store it in the delivery format."""
    with tempfile.TemporaryDirectory(dir=audio_dir(data_dir)) as tmp:
        wav = Path(tmp) / "speech.wav"
        try:
            engine.synthesize(text, language, wav, timeout_s=policy.tool_timeout_s)
        except AudioProblem as exc:
            raise invalid_audio(exc) from exc
        return _store(data_dir, wav, policy, chime)


def _insert(
    uow: UnitOfWork,
    meta: AnnouncementMeta,
    zone_ids: list[int],
    rendered: RenderedAudio | None,
    *,
    source: str,
) -> Announcement:
    row = create_draft(uow, meta.model_copy(update={"zone_ids": zone_ids}), source=source)
    if rendered is not None:
        attach_audio(row, rendered)
    changed(uow, "announcement.created", row)
    return row


def create_draft(
    uow: UnitOfWork, meta: AnnouncementMeta, *, source: str, text: str = ""
) -> Announcement:
    """A draft row owned by the acting user; the caller adds audio and emits the event."""
    row = Announcement(
        title=meta.title.strip(),
        category=meta.category,
        languages=list(meta.languages),
        source=source,
        chime=meta.chime,
        priority=meta.priority,
        status="draft",
        zone_ids=list(meta.zone_ids),
        text=text,
        created_by=uow.actor.user_id,
        created_by_name=uow.actor.username,
    )
    repo.add(uow.session, row)
    return row


def attach_audio(row: Announcement, rendered: RenderedAudio) -> None:
    """Point an announcement at a stored, rendered file."""
    row.audio_file = rendered.path.name
    row.checksum = rendered.sha256
    row.duration_s = round(rendered.duration_s, 3)
    row.size_bytes = rendered.size_bytes


def get_announcement(session: Any, announcement_id: int) -> Announcement:
    """An announcement, or NotFound."""
    row = repo.get_announcement(session, announcement_id)
    if row is None:
        raise NotFound(
            f"Announcement {announcement_id} does not exist.",
            f"ไม่พบประกาศหมายเลข {announcement_id}",
        )
    return row


def list_announcements(
    session: Any, params: PageParams, **filters: str
) -> tuple[list[Announcement], int]:
    """One page of announcements matching a search on title and text."""
    cleaned = {k: v.strip() for k, v in filters.items()}
    return repo.search_announcements(session, params, **cleaned)


def approve(uow: UnitOfWork, policy: BroadcastSettings, announcement_id: int) -> Announcement:
    """Approve a draft; an emergency needs someone other than its creator when so configured."""
    row = get_announcement(uow.session, announcement_id)
    if row.status != "draft":
        raise Conflict(
            f"Only drafts can be approved; this announcement is {row.status}.",
            f"อนุมัติได้เฉพาะฉบับร่าง ประกาศนี้มีสถานะ {row.status}",
        )
    if not row.audio_file:
        raise InvalidInput(
            "The announcement has no audio yet; add a recording or speech first.",
            "ประกาศนี้ยังไม่มีไฟล์เสียง โปรดเพิ่มไฟล์เสียงก่อน",
        )
    approver = uow.actor.user_id
    second_needed = row.priority == "emergency" and policy.emergency_second_approver
    if second_needed and (approver is None or approver == row.created_by):
        raise Forbidden(
            "An emergency announcement must be approved by a second person, "
            "not by the one who created it.",
            "ประกาศฉุกเฉินต้องได้รับการอนุมัติจากบุคคลที่สอง ไม่ใช่ผู้สร้างประกาศ",
        )
    row.status, row.approved_by = "approved", approver
    row.approved_by_name, row.approved_at = uow.actor.username, utcnow()
    row.updated_at = utcnow()
    changed(uow, "announcement.approved", row)
    return row


def changed(uow: UnitOfWork, action: str, row: Announcement, **extra: Any) -> None:
    """Tell the audit log (and other listeners) about a write."""
    detail = {"title": row.title, "priority": row.priority, "status": row.status, **extra}
    uow.emit(
        RecordChanged(
            action=action, entity_type="announcement", entity_id=str(row.id), detail=detail
        )
    )
