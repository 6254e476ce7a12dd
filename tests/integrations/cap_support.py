"""CAP documents for tests and a local HTTP server that serves them (no internet)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).parent / "data"
PHICHIT_FLOOD = DATA / "phichit-flood-sample.xml"
# The example alert of the CAP 1.2 specification (OASIS), copied from the shared standards.
OASIS_EXAMPLE = DATA / "cap-example-oasis.xml"


@contextmanager
def serve(routes: dict[str, tuple[int, bytes]]) -> Iterator[str]:
    """Serve fixed bodies on 127.0.0.1 in a thread; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = routes.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("content-type", "application/cap+xml")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
