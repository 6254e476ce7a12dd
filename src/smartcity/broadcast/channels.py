"""Other channels for a broadcast: LINE, SMS to consenting vulnerable people, a web banner.

When an announcement goes out to the speakers (``delivery.sent``), the same message goes through
notify in the same transaction: a LINE push to the configured group/user ids, an SMS to the
registered vulnerable people living in the PA zones who gave the ``share_emergency`` consent
(checked through the care service), and an in-app notification for everyone allowed
``broadcast.read``, which pages show as a banner while it is unread.
"""

from __future__ import annotations

from typing import Final

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from smartcity.broadcast import delivery, service
from smartcity.broadcast.models import Announcement
from smartcity.care import service as care
from smartcity.care.disaster import service as disaster
from smartcity.care.disaster.schemas import AreaIn
from smartcity.events import EventBus, RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.notify import service as notify

TEMPLATE: Final = "broadcast_announcement"
CONSENT: Final = "share_emergency"
BANNER_AUDIENCE: Final = "broadcast.read"
MAX_TEXT: Final = 300  # an SMS of Thai text is short; the speakers carry the full message


class ChannelSettings(BaseSettings):
    """Which channels repeat a broadcast, and for which priorities."""

    model_config = SettingsConfigDict(
        env_prefix="SMARTCITY_BROADCAST_CHANNELS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    priorities: list[str] = Field(
        default_factory=lambda: ["emergency"],
        description="Priorities repeated on other channels (routine news stays on speakers).",
    )
    line_ids: list[str] = Field(
        default_factory=list, description="LINE group or user ids that receive every broadcast."
    )
    sms: bool = Field(True, description="SMS to consenting vulnerable people in the zones.")
    banner: bool = Field(True, description="An in-app banner for broadcast.read users.")


def get_channel_settings() -> ChannelSettings:
    """Channel settings from the environment."""
    return ChannelSettings()


def register(bus: EventBus, policy: ChannelSettings | None = None) -> None:
    """Repeat each sent broadcast on the other channels, in the sending transaction."""

    def on_change(uow: UnitOfWork, event: RecordChanged) -> None:
        if event.action == "delivery.sent" and event.entity_type == "delivery":
            row = delivery.get(uow.session, int(event.entity_id))
            announce(uow, policy or get_channel_settings(), row.announcement_id, row.zone_ids)

    bus.subscribe(RecordChanged, on_change, "in_transaction")


def announce(
    uow: UnitOfWork, policy: ChannelSettings, announcement_id: int, zone_ids: list[int]
) -> list[str]:
    """Queue the message on the enabled channels; returns the phones that get an SMS."""
    ann = service.get_announcement(uow.session, announcement_id)
    if ann.priority not in policy.priorities:
        return []
    phones = consenting_phones(uow, zone_ids) if policy.sms else []
    message = notify.Message(
        template=TEMPLATE,
        params=params_of(uow, ann, zone_ids),
        audience=BANNER_AUDIENCE if policy.banner else "",
        line_ids=list(policy.line_ids),
        phones=phones,
        link=f"/broadcast/announcements/{ann.id}",
    )
    if message.audience or message.line_ids or message.phones:
        notify.send(uow, message)
    return phones


def consenting_phones(uow: UnitOfWork, zone_ids: list[int]) -> list[str]:
    """Phones of people living in the zones who consented to being contacted in emergencies."""
    everyone = care.Access.everything()  # the system acts, not a user with a zone scope
    phones: list[str] = []
    for zone_id in zone_ids:
        for person in disaster.people_in_area(uow, everyone, AreaIn(zone_id=zone_id)):
            if care.active_consent(uow.session, person.person_id, CONSENT) is not None:
                phones.extend(person.phones)
    return list(dict.fromkeys(phones))


def params_of(uow: UnitOfWork, ann: Announcement, zone_ids: list[int]) -> dict[str, str]:
    """Template parameters: title, zone names in both languages, the text cut short."""
    zones = [geo.get_zone(uow.session, z) for z in zone_ids]
    text = ann.text if len(ann.text) <= MAX_TEXT else ann.text[: MAX_TEXT - 1] + "…"
    return {
        "title": ann.title,
        "text": text,
        "zones_th": ", ".join(z.name_th for z in zones),
        "zones_en": ", ".join(z.name_en or z.name_th for z in zones),
    }
