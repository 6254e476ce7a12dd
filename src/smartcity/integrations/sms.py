"""A generic SMS HTTP gateway: JSON POST {to, text, sender} with an API key header.

Thai SMS providers differ in detail; this is the common shape, and a provider with another
body can be adapted here without touching the notify domain.
"""

from __future__ import annotations

from typing import Any

import httpx

from smartcity.integrations.line import DeliveryFailed

__all__ = ["DeliveryFailed", "SmsGateway", "sms_body"]


def sms_body(to: str, text: str, sender: str, reference: str) -> dict[str, Any]:
    """The JSON body the gateway receives."""
    return {"to": to, "text": text, "sender": sender, "reference": reference}


class SmsGateway:
    """Sends SMS through the configured gateway."""

    def __init__(
        self,
        url: str,
        api_key: str,
        sender: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url, self.sender = url, sender
        self._client = httpx.Client(
            timeout=timeout, transport=transport, headers={"X-API-Key": api_key}
        )

    def send(self, to: str, text: str, reference: str) -> None:
        """Send one message; the reference lets the gateway drop a repeat."""
        try:
            response = self._client.post(self.url, json=sms_body(to, text, self.sender, reference))
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"SMS gateway unreachable: {exc}", temporary=True) from exc
        if not response.is_success:
            temporary = response.status_code == 429 or response.status_code >= 500
            raise DeliveryFailed(
                f"SMS gateway answered {response.status_code}", temporary=temporary
            )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
