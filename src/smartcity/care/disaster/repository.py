"""All SQL of disaster mode."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from smartcity.care.disaster.grid import BBox
from smartcity.care.disaster.models import Check, HouseholdCell, Operation
from smartcity.care.models import Household, Person
from smartcity.kit.pagination import PageParams, paginate

CHUNK = 900  # ids per IN list: well under every backend's bound-parameter limit


# --- the area index ---------------------------------------------------------------------------


def put_cell(session: Session, household_id: int, cell: int, lat: float, lon: float) -> None:
    """Insert or move a household's cell row."""
    row = session.get(HouseholdCell, household_id)
    if row is None:
        session.add(HouseholdCell(household_id=household_id, cell=cell, lat=lat, lon=lon))
    else:
        row.cell, row.lat, row.lon = cell, lat, lon
    session.flush()


def drop_cell(session: Session, household_id: int) -> None:
    """Forget a household's cell (it lost its map position)."""
    session.execute(delete(HouseholdCell).where(HouseholdCell.household_id == household_id))


def positioned_households(session: Session) -> list[tuple[int, float, float]]:
    """Every household with a map position (for rebuilding the index)."""
    stmt = select(Household.id, Household.lat, Household.lon).where(
        Household.lat.is_not(None), Household.lon.is_not(None)
    )
    return [(r[0], r[1] or 0.0, r[2] or 0.0) for r in session.execute(stmt)]


def clear_cells(session: Session) -> None:
    """Empty the index (before a rebuild)."""
    session.execute(delete(HouseholdCell))


def cells_in(
    session: Session, ranges: list[tuple[int, int]], bbox: BBox
) -> list[tuple[int, float, float]]:
    """Households in the cell ranges and inside the bounding box: (id, lat, lon)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    c = HouseholdCell
    stmt = select(c.household_id, c.lat, c.lon).where(
        or_(*(c.cell.between(lo, hi) for lo, hi in ranges)),
        c.lat.between(min_lat, max_lat),
        c.lon.between(min_lon, max_lon),
    )
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def people_in_households(
    session: Session, household_ids: list[int], zone_scope: frozenset[int] | None
) -> list[tuple[Person, Household]]:
    """The people of these households, limited to the caller's zones (None: every zone)."""
    out: list[tuple[Person, Household]] = []
    for start in range(0, len(household_ids), CHUNK):
        chunk = household_ids[start : start + CHUNK]
        stmt = select(Person, Household).join(Household).where(Household.id.in_(chunk))
        if zone_scope is not None:
            stmt = stmt.where(Household.zone_id.in_(sorted(zone_scope)))
        out += [(r[0], r[1]) for r in session.execute(stmt)]
    return out


# --- operations -------------------------------------------------------------------------------


def add(session: Session, row: Operation | Check) -> None:
    """Stage a row and flush so it has its id."""
    session.add(row)
    session.flush()


def add_checks(session: Session, checks: Iterable[Check]) -> None:
    """Stage many checks at once."""
    session.add_all(list(checks))
    session.flush()


def get_operation(session: Session, operation_id: int) -> Operation | None:
    """An operation by id."""
    return session.get(Operation, operation_id)


def list_operations(
    session: Session, params: PageParams, status: str
) -> tuple[list[Operation], int]:
    """One page of operations, newest first."""
    stmt = select(Operation)
    if status:
        stmt = stmt.where(Operation.status == status)
    return paginate(session, stmt.order_by(Operation.id.desc()), params)


def _scoped_checks(operation_id: int, zone_scope: frozenset[int] | None) -> list[object]:
    conds: list[object] = [Check.operation_id == operation_id]
    if zone_scope is not None:
        conds.append(Household.zone_id.in_(sorted(zone_scope)))
    return conds


def checks(
    session: Session,
    operation_id: int,
    zone_scope: frozenset[int] | None,
    params: PageParams,
    status: str,
    person_id: int | None = None,
) -> tuple[list[tuple[Check, Person, Household]], int]:
    """One page of an operation's checks in rank order, with each person and household."""
    conds = _scoped_checks(operation_id, zone_scope)
    if status:
        conds.append(Check.status == status)
    if person_id is not None:
        conds.append(Check.person_id == person_id)
    base = (
        select(Check, Person, Household)
        .join(Person, Person.id == Check.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(and_(*conds))  # type: ignore[arg-type]
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = base.order_by(Check.rank, Check.id).limit(params.per_page).offset(params.offset)
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)], total


def check_with_zone(
    session: Session, operation_id: int, person_id: int
) -> tuple[Check, int | None] | None:
    """One person's check in an operation, with the zone their household is in now."""
    stmt = (
        select(Check, Household.zone_id)
        .join(Person, Person.id == Check.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(Check.operation_id == operation_id, Check.person_id == person_id)
    )
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def count_by_status(
    session: Session, operation_id: int, zone_scope: frozenset[int] | None
) -> dict[str, int]:
    """How many checks are in each status (within the caller's zones)."""
    stmt = (
        select(Check.status, func.count())
        .join(Person, Person.id == Check.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(and_(*_scoped_checks(operation_id, zone_scope)))  # type: ignore[arg-type]
        .group_by(Check.status)
    )
    return {str(r[0]): int(r[1]) for r in session.execute(stmt)}
