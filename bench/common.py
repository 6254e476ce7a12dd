"""Pieces shared by the benchmarks: free ports, the app in a subprocess, percentiles."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from smartcity.app import create_app
from smartcity.config import Settings
from smartcity.runtime import freeze_heap


def free_port() -> int:
    """A free local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def app_server(script: str, url: str) -> Iterator[str]:
    """Run ``script --serve URL --port P`` (the real app in uvicorn); yield its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, script, "--serve", url, "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # an overloaded server still draining its queue
            proc.kill()
            proc.wait()


def percentile(values: list[float], q: float) -> float:
    """The q-th quantile (0-1) by nearest rank; NaN for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def serve_app(settings: Settings, port: int) -> None:
    """The subprocess side of ``app_server``: the real app in uvicorn."""
    import uvicorn

    app = create_app(settings)
    freeze_heap()  # as the app does when it starts serving (not in test mode)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def cpu_speed() -> str:
    """Seconds a fixed pure-Python loop takes now: how fast this CPU is at the moment.

    Shared and virtual machines change speed from minute to minute (up to twice as slow here);
    printing this beside each result says which runs can be compared.
    """
    start, total = time.perf_counter(), 0
    for i in range(3_000_000):
        total += i * i
    return f"reference loop {time.perf_counter() - start:.2f} s (lower is faster)"


def machine_line() -> str:
    """Python version, CPU count and the reference loop, for the first line of a bench."""
    import os

    return f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {cpu_speed()}"
