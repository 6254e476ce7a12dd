"""Builders for the disaster tests: households at points, people with need flags, squares."""

from __future__ import annotations

from typing import Any

from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.models import Person
from smartcity.care.schemas import HouseholdIn, PersonIn
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from tests.care.support import household_body

EVERYTHING = Access.everything()


def square(lat: float, lon: float, half: float = 0.001) -> list[list[float]]:
    """A closed ring (GeoJSON order) of a square around a point."""
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    """A GeoJSON Polygon from an outer ring and holes."""
    return {"type": "Polygon", "coordinates": list(rings)}


def resident(
    uow: UnitOfWork,
    settings: Settings,
    at: tuple[float, float],
    name: str,
    birth: str = "1980-01-01",
    **flags: Any,
) -> Person:
    """A person in a new household at a point, with the given flags."""
    home = care.create_household(uow, EVERYTHING, HouseholdIn.model_validate(household_body(at)))
    data = PersonIn.model_validate(
        {
            "household_id": home.id,
            "given_name": name,
            "family_name": "ทดสอบ",
            "birth_date": birth,
            **flags,
        }
    )
    person, _ = care.create_person(uow, settings, EVERYTHING, data, force=True)
    return person
