"""Import every domain's tables so the metadata is complete (for migrations and checks)."""

from __future__ import annotations

import importlib

DOMAIN_MODELS = (
    "smartcity.accounts.models",
    "smartcity.audit.models",
    "smartcity.geo.models",
    "smartcity.devices.models",
    "smartcity.alerts.models",
    "smartcity.care.models",
    "smartcity.care.visits.models",
    "smartcity.care.disaster.models",
    "smartcity.broadcast.models",
    "smartcity.incidents.models",
    "smartcity.notify.models",
)


def load_all() -> None:
    """Import each domain's models module that exists."""
    for name in DOMAIN_MODELS:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
