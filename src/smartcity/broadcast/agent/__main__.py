"""Run the speaker agent without the rest of the platform's command line."""

import typer

from smartcity.broadcast.agent.cli import speaker_agent

typer.run(speaker_agent)
