"""Events the care domain raises for others (care plans, visit scheduling, dashboards)."""

from __future__ import annotations

from dataclasses import dataclass

from smartcity.events import AuditedEvent


@dataclass(frozen=True, kw_only=True)
class AdlGroupChanged(AuditedEvent):
    """A person's ADL group changed (e.g. homebound to bedbound); visit rhythm follows the group.

    Audited because the group decides the care a person gets; ``old_group`` is None for a
    person's first assessment.
    """

    person_id: int
    old_group: str | None
    new_group: str
    score: int
