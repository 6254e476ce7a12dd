"""The `smartcity speaker-agent` command (also `python -m smartcity.broadcast.agent`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from smartcity.broadcast.agent.config import DEFAULT_PLAYER, AgentConfig
from smartcity.broadcast.agent.core import SpeakerAgent

ENV = "SMARTCITY_SPEAKER_"


def speaker_agent(
    code: Annotated[str, typer.Option(envvar=f"{ENV}CODE", help="This speaker's device code.")],
    token: Annotated[
        str, typer.Option(envvar=f"{ENV}TOKEN", help="The device token the platform issued.")
    ],
    mqtt_url: Annotated[
        str, typer.Option(envvar=f"{ENV}MQTT_URL", help="Broker, mqtt://host:port.")
    ] = "mqtt://127.0.0.1:1883",
    site: Annotated[str, typer.Option(envvar=f"{ENV}SITE", help="Site code in topics.")] = (
        "phichit"
    ),
    cache_dir: Annotated[
        Path, typer.Option(envvar=f"{ENV}CACHE_DIR", help="Folder for cached audio.")
    ] = Path("./speaker-cache"),
    cache_max_mb: Annotated[
        int, typer.Option(envvar=f"{ENV}CACHE_MAX_MB", min=1, help="Cache size bound (MB).")
    ] = 200,
    player: Annotated[
        str,
        typer.Option(envvar=f"{ENV}PLAYER", help="Player command; {file} is the audio file."),
    ] = DEFAULT_PLAYER,
    late_tolerance: Annotated[
        float,
        typer.Option(
            envvar=f"{ENV}LATE_TOLERANCE", help="Seconds late a start may be and still play."
        ),
    ] = 30.0,
    heartbeat: Annotated[
        float, typer.Option(envvar=f"{ENV}HEARTBEAT", min=1, help="Seconds between heartbeats.")
    ] = 30.0,
    clock_offset: Annotated[
        float,
        typer.Option(envvar=f"{ENV}CLOCK_OFFSET", help="Seconds added to this board's clock."),
    ] = 0.0,
) -> None:
    """Run the reference speaker agent beside an amplifier: download, verify, play, acknowledge."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = AgentConfig(
        code=code,
        token=token,
        mqtt_url=mqtt_url,
        site=site,
        cache_dir=cache_dir,
        cache_max_bytes=cache_max_mb * 1_000_000,
        player=player,
        late_tolerance_s=late_tolerance,
        heartbeat_s=heartbeat,
        clock_offset_s=clock_offset,
    )
    SpeakerAgent(config).run_forever()
