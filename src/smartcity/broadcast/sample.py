"""Demo broadcasting: a sample news jingle on a daily schedule, plus one slot a few minutes
after start so a newcomer sees the speakers play. Needs ffmpeg; skipped without it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from smartcity.broadcast import scheduling, service
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.schemas import AnnouncementMeta, ScheduleIn
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

FFMPEG_SECONDS = 60


def _tone(folder: Path) -> Path:
    """Twenty seconds of a soft two-tone jingle, made here (never downloaded)."""
    out = folder / "sample-news.wav"
    source = "sine=frequency=523:duration=10,aformat=channel_layouts=mono"
    cmd = [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", source,
        "-f", "lavfi", "-i", "sine=frequency=659:duration=10",
        "-filter_complex", "[0][1]concat=n=2:v=0:a=1,volume=0.3", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=FFMPEG_SECONDS)  # noqa: S603 (fixed arguments)
    return out


def load_sample_broadcasts(
    uow: UnitOfWork, settings: Settings, policy: BroadcastSettings
) -> Announcement | None:
    """A sample news announcement on the PA zones: daily at 07:00, and once in three minutes."""
    if shutil.which("ffmpeg") is None:
        return None
    zones, _ = geo.list_zones(uow.session, PageParams(1, 50), kind="pa_zone")
    zone_ids = [z.id for z in zones]
    if not zone_ids:
        return None
    meta = AnnouncementMeta(
        title="ข่าวเทศบาลประจำวัน (ตัวอย่าง) / Daily municipal news (sample)",
        category="news",
        languages=["th"],
        zone_ids=zone_ids,
    )
    with tempfile.TemporaryDirectory() as tmp, _tone(Path(tmp)).open("rb") as stream:
        row = service.create_from_upload(uow, settings.data_dir, policy, meta, stream)
    service.approve(uow, policy, row.id)
    local = ZoneInfo(settings.timezone)
    soon = (utcnow() + timedelta(minutes=3)).astimezone(local)
    for kind, when in (("daily", soon.replace(hour=7, minute=0)), ("once", soon)):
        data = ScheduleIn(
            announcement_id=row.id,
            kind=kind,
            start_date=when.date(),
            time_of_day=when.time().replace(second=0, microsecond=0, tzinfo=None),
            zone_ids=zone_ids,
        )
        scheduling.save_schedule(uow, policy, data, force=True)
    return row
