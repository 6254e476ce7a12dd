"""Events of care plans and visits."""

from __future__ import annotations

from dataclasses import dataclass, field

from smartcity.events import Event


@dataclass(frozen=True, kw_only=True)
class VisitVitalsAbnormal(Event):
    """A visit found vital signs past their thresholds; the care manager should be alerted.

    Carries metric names and zone only, never the values: listeners that need the values read
    the visit through the service, which audits that read.
    """

    visit_id: int
    person_id: int
    zone_id: int | None
    worker_id: int | None
    metrics: tuple[str, ...] = field(default_factory=tuple)
