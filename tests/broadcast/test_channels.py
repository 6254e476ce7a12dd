"""Other channels of a broadcast: LINE, SMS only to consenting people in the zones, a banner."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smartcity.broadcast import channels, delivery
from smartcity.broadcast.delivery_policy import DeliverySettings
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.care import service as care
from smartcity.care.schemas import ConsentIn, ConsentWithdraw, HouseholdIn, PersonIn
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.notify.models import Delivery as Outbound
from smartcity.notify.models import Notification
from tests.broadcast.delivery.harness import WEST
from tests.broadcast.delivery.test_delivery import _devices
from tests.broadcast.support import announcement
from tests.care.support import consent_body, household_body, person_body

EAST = (16.4399, 100.3525)  # inside pa-east, outside pa-west
POLICY = DeliverySettings(lead_s=1, retries=0)
pytestmark = pytest.mark.usefixtures("tools")


def _person(
    uow: UnitOfWork, settings: Settings, at: tuple[float, float], phone: str, *purposes: str
) -> int:
    everyone = care.Access.everything()
    home = care.create_household(uow, everyone, HouseholdIn(**household_body(at)))
    body = person_body(home.id, phones=[phone], given_name=f"ทดสอบ{phone[-4:]}")
    person = care.create_person(uow, settings, everyone, PersonIn(**body))[0]
    for purpose in purposes:
        care.give_consent(uow, everyone, person.id, ConsentIn(**consent_body(purpose)))
    return person.id


@pytest.fixture
def people(uow: UnitOfWork, settings: Settings, pa: dict[str, int]) -> None:
    """Three people: in pa-west with and without emergency consent, and one in pa-east."""
    _person(uow, settings, WEST, "081-111-1111", "care", "share_emergency")
    _person(uow, settings, WEST, "081-222-2222", "care")  # no share_emergency: no SMS
    _person(uow, settings, EAST, "081-333-3333", "share_emergency")  # another zone


def _rows(uow: UnitOfWork) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    out = uow.session.scalars(select(Outbound).order_by(Outbound.channel, Outbound.recipient))
    notes = uow.session.scalars(select(Notification))
    return (
        [(d.channel, d.recipient, d.template) for d in out],
        [(n.audience, n.template, n.link) for n in notes],
    )


def test_an_emergency_goes_to_line_consenting_phones_and_the_banner(
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],
    people: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTCITY_BROADCAST_CHANNELS_LINE_IDS", '["Cgroup-phichit"]')
    ann = announcement(
        uow,
        settings.data_dir,
        BroadcastSettings(),
        title="น้ำล้นตลิ่ง",
        priority="emergency",
        seconds=1.0,
    )
    _devices(uow, settings, sw=WEST)
    delivery.send(uow, settings, POLICY, ann.id, [pa["pa-west"]])
    outbound, notes = _rows(uow)
    assert outbound == [
        ("line", "Cgroup-phichit", "broadcast_announcement"),
        ("sms", "+66811111111", "broadcast_announcement"),
    ]
    assert notes == [
        ("broadcast.read", "broadcast_announcement", f"/broadcast/announcements/{ann.id}")
    ]
    sms = uow.session.scalars(select(Outbound).where(Outbound.channel == "sms")).one()
    assert "น้ำล้นตลิ่ง" in sms.text and "เขตเสียงตามสายฝั่งตะวันตก" in sms.text


def test_routine_news_stays_on_the_speakers(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], people: None
) -> None:
    ann = announcement(uow, settings.data_dir, BroadcastSettings(), seconds=1.0)
    _devices(uow, settings, sw=WEST)
    delivery.send(uow, settings, POLICY, ann.id, [pa["pa-west"]])
    assert _rows(uow) == ([], [])


def test_withdrawn_consent_means_no_sms(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int]
) -> None:
    person = _person(uow, settings, WEST, "081-444-4444", "share_emergency")
    policy = channels.ChannelSettings(line_ids=[], banner=False)
    ann = announcement(
        uow, settings.data_dir, BroadcastSettings(), priority="emergency", seconds=1.0
    )
    assert channels.announce(uow, policy, ann.id, [pa["pa-west"]]) == [
        "+66811111111"[:0] + "+66814444444"
    ]
    consent = care.active_consent(uow.session, person, "share_emergency")
    assert consent is not None
    care.withdraw_consent(
        uow, care.Access.everything(), person, consent.id, ConsentWithdraw(withdrawn_by="ตนเอง")
    )
    assert channels.announce(uow, policy, ann.id, [pa["pa-west"]]) == []
