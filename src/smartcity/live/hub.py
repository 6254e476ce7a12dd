"""The in-process hub: publishers on any thread, subscribers on the event loop.

Publishing never blocks and never waits for a reader: each subscriber has a bounded queue that
drops its oldest message when full, and the reader learns how many it missed. Ingest threads
call ``publish`` from after-commit handlers, so a slow browser can never slow the city down.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final

Message = dict[str, Any]

QUEUE_SIZE: Final = 256  # messages kept per client; a batch of readings is one message
HEARTBEAT_SECONDS: Final = 15.0
# A stream ends after this long and the browser reconnects: bounds how long a server
# shutdown waits for open streams and refreshes the caller's permissions now and then.
STREAM_SECONDS: Final = 600.0


@dataclass
class Batch:
    """What a subscriber takes from its queue at once: messages and how many were dropped."""

    messages: list[Message]
    dropped: int


class Subscriber:
    """One client's bounded queue; ``offer`` is thread-safe and never blocks."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self._loop = loop
        self._queue: deque[Message] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._wake = asyncio.Event()
        self._signalled = False
        self._dropped = 0
        self.closed = False

    def offer(self, message: Message) -> None:
        """Queue a message, dropping the oldest one if the queue is full."""
        with self._lock:
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(message)
            if self._signalled:
                return  # one wake-up per drain is enough
            self._signalled = True
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop has gone: the client went with it
            self.closed = True

    def take(self) -> Batch:
        """Everything queued now, oldest first, and the count dropped since the last take."""
        with self._lock:
            messages, dropped = list(self._queue), self._dropped
            self._queue.clear()
            self._dropped, self._signalled = 0, False
            self._wake.clear()
        return Batch(messages, dropped)

    async def wait(self, timeout: float) -> Batch | None:
        """The next batch, or None if nothing came within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            return None
        return self.take()


@dataclass
class Hub:
    """Fan-out of small JSON messages to every connected client."""

    queue_size: int = QUEUE_SIZE
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    stream_seconds: float = STREAM_SECONDS
    _subscribers: set[Subscriber] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, loop: asyncio.AbstractEventLoop) -> Subscriber:
        """A new client whose wake-ups run on ``loop``."""
        subscriber = Subscriber(loop, self.queue_size)
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a client (its stream ended)."""
        subscriber.closed = True
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, message: Message) -> None:
        """Offer a message to every client; returns at once whatever the clients do."""
        with self._lock:
            targets = list(self._subscribers)
        for subscriber in targets:
            subscriber.offer(message)
            if subscriber.closed:
                self.unsubscribe(subscriber)

    @property
    def client_count(self) -> int:
        """How many clients are connected."""
        with self._lock:
            return len(self._subscribers)
