"""Server-sent events: the wire format and the loop that feeds one client."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

from smartcity.live import messages
from smartcity.live.hub import Hub, Message, Subscriber

RETRY_MS = 3000  # how long a browser waits before reconnecting


def frame(event: str, data: object, event_id: int | None = None) -> bytes:
    """One SSE event; JSON data on a single line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {event}\ndata: {body}\n\n".encode()


HEARTBEAT = b": heartbeat\n\n"  # a comment: keeps proxies from closing an idle stream


async def events(
    hub: Hub, subscriber: Subscriber, device_ids: frozenset[int] | None
) -> AsyncIterator[bytes]:
    """Hello, then messages as they come and a heartbeat when idle, until the stream ends."""
    counter = 0
    deadline = time.monotonic() + hub.stream_seconds
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        yield frame("hello", {"heartbeat_seconds": hub.heartbeat_seconds})
        while time.monotonic() < deadline and not subscriber.closed:
            batch = await subscriber.wait(hub.heartbeat_seconds)
            if batch is None:
                yield HEARTBEAT
                continue
            if batch.dropped:
                # The client missed messages: it should reload the state it shows.
                yield frame("dropped", {"count": batch.dropped})
            for message in batch.messages:
                shown = messages.visible(message, device_ids)
                if shown is not None:
                    counter += 1
                    yield frame(_event_name(shown), shown, counter)
    finally:
        hub.unsubscribe(subscriber)


def _event_name(message: Message) -> str:
    return str(message.get("type", "message"))
