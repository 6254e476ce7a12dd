"""Barthel ADL: item ranges, totals, group boundaries, history and the group-change event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.care import service as care
from smartcity.care.events import AdlGroupChanged
from smartcity.care.models import Person
from smartcity.care.schemas import AdlIn, ConsentIn, PersonUpdate
from smartcity.config import Settings
from smartcity.errors import Forbidden, InvalidInput
from smartcity.events import Event, UnitOfWork
from smartcity.kit.clock import utcnow
from tests.care.conftest import EVERYTHING
from tests.care.support import adl_body, consent_body


@pytest.fixture
def consented(uow: UnitOfWork, person: Person) -> Person:
    """The person, with consent for care."""
    care.give_consent(uow, EVERYTHING, person.id, ConsentIn.model_validate(consent_body("care")))
    return person


@pytest.fixture
def seen(uow: UnitOfWork) -> list[Event]:
    """Group-change events raised during the test, caught on the real bus."""
    events: list[Event] = []
    uow.bus.subscribe(AdlGroupChanged, lambda _uow, e: events.append(e), "in_transaction")
    return events


@pytest.mark.parametrize(
    ("total", "group"),
    [
        (0, "bedbound"),
        (4, "bedbound"),
        (5, "homebound"),
        (11, "homebound"),
        (12, "social"),
        (20, "social"),
    ],
)
def test_group_boundaries(total: int, group: str) -> None:
    assert care.adl_group(total) == group


def test_totals_outside_0_20_are_refused() -> None:
    for total in (-1, 21):
        with pytest.raises(ValueError):
            care.adl_group(total)


@pytest.mark.parametrize(
    ("item", "value"), [("feeding", 3), ("grooming", 2), ("transfer", 4), ("bathing", -1)]
)
def test_item_ranges(item: str, value: int) -> None:
    with pytest.raises(ValidationError):
        AdlIn.model_validate({**adl_body(10), item: value})


def test_assessment_sets_total_group_and_bed_bound(
    uow: UnitOfWork, consented: Person, seen: list[Event]
) -> None:
    row = care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(adl_body(4)))
    assert (row.total, row.group) == (4, "bedbound")
    assert consented.adl_group == "bedbound" and consented.adl_score == 4 and consented.bed_bound
    [event] = seen
    assert isinstance(event, AdlGroupChanged)
    assert (event.old_group, event.new_group, event.score) == (None, "bedbound", 4)


def test_crossing_each_boundary_raises_one_event(
    uow: UnitOfWork, consented: Person, seen: list[Event]
) -> None:
    start = utcnow() - timedelta(days=10)
    for i, total in enumerate((4, 5, 11, 12, 20)):
        body = adl_body(total, assessed_at=(start + timedelta(days=i)).isoformat())
        care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(body))
    changes = [(e.old_group, e.new_group) for e in seen if isinstance(e, AdlGroupChanged)]
    assert changes == [(None, "bedbound"), ("bedbound", "homebound"), ("homebound", "social")]
    assert consented.adl_group == "social" and not consented.bed_bound
    audited = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "care.adl.group_changed")
    ).all()
    assert len(audited) == 3


def test_an_older_assessment_entered_late_does_not_move_the_group(
    uow: UnitOfWork, consented: Person, seen: list[Event]
) -> None:
    care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(adl_body(15)))
    old = adl_body(3, assessed_at=(utcnow() - timedelta(days=90)).isoformat())
    care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(old))
    assert consented.adl_group == "social" and len(seen) == 1
    history = care.adl_history(uow, EVERYTHING, consented.id)
    assert [a.total for a in history] == [15, 3]


def test_history_read_is_audited(uow: UnitOfWork, consented: Person) -> None:
    care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(adl_body(15)))
    care.adl_history(uow, EVERYTHING, consented.id)
    entry = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "care.adl.read")
    ).one()
    assert entry.entity_id == str(consented.id)


def test_assessment_needs_consent_for_care(uow: UnitOfWork, person: Person) -> None:
    with pytest.raises(care.ConsentRequired) as err:
        care.assess_adl(uow, EVERYTHING, person.id, AdlIn.model_validate(adl_body(10)))
    assert (
        err.value.status == 403 and "PDPA" in err.value.detail and "มาตรา 26" in err.value.detail_th
    )


def test_future_assessment_is_refused(uow: UnitOfWork, consented: Person) -> None:
    body = adl_body(10, assessed_at=(utcnow() + timedelta(days=1)).isoformat())
    with pytest.raises(InvalidInput):
        care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(body))


def test_bed_bound_follows_adl_once_assessed(
    uow: UnitOfWork, settings: Settings, consented: Person
) -> None:
    care.update_person(uow, settings, EVERYTHING, consented.id, PersonUpdate(bed_bound=True))
    assert consented.bed_bound  # no assessment yet: set by hand
    care.assess_adl(uow, EVERYTHING, consented.id, AdlIn.model_validate(adl_body(16)))
    assert not consented.bed_bound
    with pytest.raises(InvalidInput):
        care.update_person(uow, settings, EVERYTHING, consented.id, PersonUpdate(bed_bound=True))
    care.update_person(uow, settings, EVERYTHING, consented.id, PersonUpdate(bed_bound=False))


def test_adl_needs_care_sensitive(uow: UnitOfWork, consented: Person) -> None:
    writer = care.Access(read_zones=None, sensitive_zones=frozenset(), write_zones=None)
    with pytest.raises(Forbidden):
        care.assess_adl(uow, writer, consented.id, AdlIn.model_validate(adl_body(10)))
    with pytest.raises(Forbidden):
        care.adl_history(uow, writer, consented.id)
