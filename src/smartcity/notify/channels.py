"""Outside channels behind one small interface; each adapter wraps an integration."""

from __future__ import annotations

from typing import Protocol

import httpx

from smartcity.config import Settings
from smartcity.integrations.line import DeliveryFailed, LineClient
from smartcity.integrations.sms import SmsGateway

__all__ = ["Channel", "DeliveryFailed", "LineChannel", "SmsChannel", "configured_channels"]


class Channel(Protocol):
    """Sends one text to one recipient or raises DeliveryFailed."""

    name: str

    def send(self, recipient: str, text: str, reference: str) -> None:
        """Deliver the text."""

    def close(self) -> None:
        """Release connections."""


class LineChannel:
    """LINE Messaging API push."""

    name = "line"

    def __init__(self, client: LineClient) -> None:
        self._client = client

    def send(self, recipient: str, text: str, reference: str) -> None:
        """Push the text to a LINE user id."""
        self._client.push(recipient, text, reference)

    def close(self) -> None:
        """Release connections."""
        self._client.close()


class SmsChannel:
    """An SMS HTTP gateway."""

    name = "sms"

    def __init__(self, gateway: SmsGateway) -> None:
        self._gateway = gateway

    def send(self, recipient: str, text: str, reference: str) -> None:
        """Send the text to a phone number."""
        self._gateway.send(recipient, text, reference)

    def close(self) -> None:
        """Release connections."""
        self._gateway.close()


def configured_channels(
    settings: Settings, transport: httpx.BaseTransport | None = None
) -> dict[str, Channel]:
    """The channels the settings turn on (LINE with a token, SMS with a gateway URL)."""
    out: dict[str, Channel] = {}
    token = settings.line_channel_access_token.get_secret_value()
    if token:
        out["line"] = LineChannel(LineClient(token, settings.line_api_url, transport=transport))
    if settings.sms_gateway_url:
        key = settings.sms_api_key.get_secret_value()
        gateway = SmsGateway(
            settings.sms_gateway_url, key, settings.sms_sender, transport=transport
        )
        out["sms"] = SmsChannel(gateway)
    return out
