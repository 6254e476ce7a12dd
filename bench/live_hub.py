"""The live hub: what publishing costs the ingest thread, and how fast readers hear about it.

    python bench/live_hub.py [--messages 20000] [--clients 0,1,10,100]

1. Publish cost: an ingest-like thread publishes N status messages while C clients are
   connected and never read (the worst case: every queue is full and drops its oldest). The
   reference is the same loop appending to one bounded deque, i.e. the cheapest possible hand-off.
2. Delivery latency: 100 clients on one event loop wait on the hub; a separate thread publishes
   one message every millisecond; each client notes when it woke. Figures are p50/p99 of the
   time from publish to a client holding the message.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from collections import deque

from smartcity.live.hub import Hub


def _publish_cost(messages: int, clients: int) -> float:
    """Messages per second published with ``clients`` clients that never read."""
    loop = asyncio.new_event_loop()
    hub = Hub()
    for _ in range(clients):
        hub.subscribe(loop)
    message = {"type": "status", "id": 1, "new": "online"}
    start = time.perf_counter()
    for _ in range(messages):
        hub.publish(message)
    elapsed = time.perf_counter() - start
    loop.close()
    return messages / elapsed


def _reference(messages: int) -> float:
    queue: deque[dict[str, object]] = deque(maxlen=256)
    message = {"type": "status", "id": 1}
    start = time.perf_counter()
    for _ in range(messages):
        queue.append(message)
    return messages / (time.perf_counter() - start)


async def _latency(clients: int, messages: int) -> list[float]:
    hub = Hub()
    loop = asyncio.get_running_loop()
    delays: list[float] = []

    async def client() -> None:
        subscriber = hub.subscribe(loop)
        seen = 0
        while seen < messages:
            batch = await subscriber.wait(5.0)
            if batch is None:
                return
            now = time.perf_counter()
            delays.extend(now - float(m["t"]) for m in batch.messages)
            seen += len(batch.messages) + batch.dropped

    def publisher() -> None:
        for n in range(messages):
            hub.publish({"type": "status", "id": n, "t": time.perf_counter()})
            time.sleep(0.001)

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.sleep(0.05)
    thread = threading.Thread(target=publisher)
    thread.start()
    await asyncio.gather(*tasks)
    thread.join()
    return delays


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--clients", default="0,1,10,100")
    args = parser.parse_args()
    ref = _reference(args.messages)
    print(f"reference: bounded deque append    {ref:>12,.0f} msg/s")
    for clients in (int(c) for c in args.clients.split(",")):
        rate = _publish_cost(args.messages, clients)
        print(f"publish, {clients:>3} idle clients        {rate:>12,.0f} msg/s ({rate / ref:.1%})")
    delays = sorted(asyncio.run(_latency(100, 500)))
    p50 = statistics.median(delays) * 1000
    p99 = delays[int(len(delays) * 0.99) - 1] * 1000
    print(f"delivery to 100 clients: p50 {p50:.2f} ms, p99 {p99:.2f} ms ({len(delays)} deliveries)")


if __name__ == "__main__":
    main()
