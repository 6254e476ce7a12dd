"""Fixtures of the broadcast tests: the Phichit sample site, settings and real audio files."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcity.broadcast.policy import BroadcastSettings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from smartcity.kit.pagination import PageParams
from tests.integrations.audio_support import need_tools


@pytest.fixture
def sample(uow: UnitOfWork) -> ImportReport:
    """The geography sample pack (PA zones pa-west and pa-east), committed."""
    report = geo.load_sample(uow)
    uow.commit()
    return report


@pytest.fixture
def pa(uow: UnitOfWork, sample: ImportReport) -> dict[str, int]:
    """Ids of the sample's zones by code."""
    rows, _ = geo.list_zones(uow.session, PageParams(1, 200))
    return {z.code: z.id for z in rows}


@pytest.fixture
def policy() -> BroadcastSettings:
    """Broadcast settings as shipped."""
    return BroadcastSettings()


@pytest.fixture
def tools() -> None:
    """ffmpeg, ffprobe and sox must be there."""
    need_tools("ffmpeg", "ffprobe", "sox")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The platform's data folder for this test."""
    path = tmp_path / "data"
    path.mkdir()
    return path
