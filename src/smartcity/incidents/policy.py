"""Dispatch settings and the table of which units suit which incidents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from smartcity.config import Settings

# Capabilities a unit needs, by (incident kind, triage level); "*" matches any level.
# A help request not yet triaged takes the nearest free unit of any kind: minutes count more
# than the perfect match, and the operator can re-dispatch after triage.
REQUIRED: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("help_request", "red"): frozenset({"medical"}),
    ("help_request", "yellow"): frozenset({"medical"}),
    ("crime", "*"): frozenset({"police"}),
    ("hazard", "*"): frozenset({"rescue"}),
    ("fault", "*"): frozenset({"technical"}),
}
NO_DISPATCH_LEVELS: Final = frozenset({"black"})  # other services: the operator refers it on


@dataclass(frozen=True)
class Policy:
    """How long an offer waits and how many offers are made before escalation."""

    offer_seconds: int = 60
    max_offers: int = 5

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        """The policy the settings give."""
        return cls(settings.dispatch_offer_seconds, settings.dispatch_max_offers)


def required(kind: str, level: str | None) -> frozenset[str]:
    """Capabilities a unit must have for this incident."""
    return REQUIRED.get((kind, level or ""), REQUIRED.get((kind, "*"), frozenset()))
