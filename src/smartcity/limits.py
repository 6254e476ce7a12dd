"""Refuse request bodies over the configured size before they are read into memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartcity.errors import problem


class BodyTooLarge(Exception):
    """The client sent more than the limit."""


class BodySizeLimit:
    """ASGI middleware: 413 when Content-Length or the streamed body passes ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what actually arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Request too large",
            f"The request body is larger than {self.max_bytes} bytes.",
            title_th="ข้อมูลที่ส่งมีขนาดใหญ่เกินไป",
            detail_th=f"ข้อมูลที่ส่งมีขนาดเกิน {self.max_bytes} ไบต์",
        )
        await response(scope, receive, send)
