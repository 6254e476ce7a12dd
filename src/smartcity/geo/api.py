"""REST routes of the geography domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/geo", tags=["geo"])
