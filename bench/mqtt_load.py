"""A fast MQTT QoS 1 load generator for the benchmarks: pre-built packets on a raw socket.

A Python MQTT client library spends most of a message's cost in its own bookkeeping, so a
library publisher tops out near 5,000 QoS 1 messages/s on two cores and would measure itself,
not the platform. This generator speaks just enough MQTT 3.1.1 to publish: CONNECT, PUBLISH
QoS 1 built as bytes in bulk, PUBACKs counted by a reader thread, DISCONNECT. Devices in the
field are separate clients; one connection carrying all their topics is the same load for the
broker's routing and for the subscriber, which is what is measured.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("!H", len(raw)) + raw


def connect_packet(client_id: str, keepalive: int = 60) -> bytes:
    """CONNECT, MQTT 3.1.1, clean session."""
    body = _string("MQTT") + bytes([4, 0x02]) + struct.pack("!H", keepalive) + _string(client_id)
    return b"\x10" + _varint(len(body)) + body


def publish_packet(topic: bytes, payload: bytes, packet_id: int) -> bytes:
    """PUBLISH with QoS 1."""
    body = struct.pack("!H", len(topic)) + topic + struct.pack("!H", packet_id) + payload
    return b"\x32" + _varint(len(body)) + body


class LoadPublisher:
    """Publishes ``total`` QoS 1 messages at ``rate`` per second; counts the broker's PUBACKs."""

    def __init__(self, host: str, port: int, client_id: str = "bench-load") -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(connect_packet(client_id))
        connack = self.sock.recv(4)
        if len(connack) < 4 or connack[0] != 0x20 or connack[3] != 0:
            raise RuntimeError(f"broker refused the connection: {connack!r}")
        self.acked = 0
        self._reader = threading.Thread(target=self._count_acks, daemon=True)
        self._reader.start()

    def _count_acks(self) -> None:
        pending = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            whole = len(pending) // 4 * 4  # PUBACK is 4 bytes: 0x40 0x02 id id
            self.acked += whole // 4
            pending = pending[whole:]

    def run(
        self,
        total: int,
        rate: float,
        message: Callable[[int], tuple[bytes, bytes]],
        window: int = 20000,
    ) -> float:
        """Send ``message(i)`` = (topic, payload) for i < total, paced; returns seconds taken."""
        started, sent = time.monotonic(), 0
        while sent < total:
            due = min(total, int((time.monotonic() - started) * rate) + 1, self.acked + window)
            if due > sent:
                chunk = [
                    publish_packet(*message(i), packet_id=i % 65535 + 1) for i in range(sent, due)
                ]
                self.sock.sendall(b"".join(chunk))
                sent = due
            else:
                time.sleep(0.0005)
        deadline = time.monotonic() + 120
        while self.acked < total and time.monotonic() < deadline:
            time.sleep(0.001)
        return time.monotonic() - started

    def close(self) -> None:
        """DISCONNECT and close."""
        try:
            self.sock.sendall(b"\xe0\x00")
        finally:
            self.sock.close()
