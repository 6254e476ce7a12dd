"""LINE Messaging API push messages (the channel access token is a bearer token).

Only the protocol lives here: who gets what is decided by the notify domain.
"""

from __future__ import annotations

from typing import Any, Final

import httpx

MAX_TEXT: Final = 5000  # LINE's limit for one text message


class DeliveryFailed(Exception):
    """A push did not go through; ``temporary`` says whether a retry may succeed."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


def push_body(to: str, text: str) -> dict[str, Any]:
    """The JSON body of a push with one text message."""
    return {"to": to, "messages": [{"type": "text", "text": text[:MAX_TEXT]}]}


class LineClient:
    """Sends push messages; ``transport`` lets a test answer for LINE at the HTTP boundary."""

    def __init__(
        self,
        token: str,
        url: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        )

    def push(self, to: str, text: str, retry_key: str) -> None:
        """Push one text; the retry key makes LINE drop a repeat of the same delivery."""
        try:
            response = self._client.post(
                self.url, json=push_body(to, text), headers={"X-Line-Retry-Key": retry_key}
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"LINE unreachable: {exc}", temporary=True) from exc
        _check(response)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def _check(response: httpx.Response) -> None:
    if response.status_code == 409:  # a retry of a push LINE already accepted
        return
    if response.is_success:
        return
    temporary = response.status_code == 429 or response.status_code >= 500
    raise DeliveryFailed(f"LINE answered {response.status_code}", temporary=temporary)
