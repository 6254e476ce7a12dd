"""Who needs help first: need weights as data, and the score and order they give.

The weights are powers of two chosen so that each tier outweighs every tier below it put
together: bed-bound first, then life-support (oxygen, dialysis), then living alone, then the
home-bound ADL group, then the remaining flags. Within a score, older people come first.
Operators may pass other weights to the service; docs/care-disaster.md explains the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Protocol

WEIGHTS: Final[Mapping[str, int]] = {
    "bed_bound": 512,
    "oxygen_dependent": 128,
    "dialysis": 128,
    "lives_alone": 64,
    "homebound": 32,  # ADL group ติดบ้าน (bed-bound people score through bed_bound)
    "disabled": 8,
    "elderly": 8,
    "pregnant": 8,
    "child": 4,
}
FLAGS: Final = tuple(k for k in WEIGHTS if k != "homebound")


class Needy(Protocol):
    """What ranking reads from a person."""

    bed_bound: bool
    oxygen_dependent: bool
    dialysis: bool
    lives_alone: bool
    disabled: bool
    elderly: bool
    pregnant: bool
    child: bool
    adl_group: str | None


def need_score(person: Needy, weights: Mapping[str, int] = WEIGHTS) -> int:
    """The sum of the weights of the person's needs."""
    total = sum(weights.get(flag, 0) for flag in FLAGS if getattr(person, flag))
    if person.adl_group == "homebound":
        total += weights.get("homebound", 0)
    if person.adl_group == "bedbound" and not person.bed_bound:
        total += weights.get("bed_bound", 0)
    return total


def reasons(person: Needy) -> list[str]:
    """The needs that gave the score, in weight order (for labels on the list)."""
    found = [flag for flag in FLAGS if getattr(person, flag)]
    if person.adl_group == "homebound":
        found.append("homebound")
    return sorted(found, key=lambda f: -WEIGHTS[f])
