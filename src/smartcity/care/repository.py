"""All SQL of the care domain."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from smartcity.care.models import AdlAssessment, Consent, Household, Person
from smartcity.kit.pagination import PageParams, paginate

Row = Household | Person | Consent | AdlAssessment


def add(session: Session, row: Row) -> None:
    """Stage a row and flush so it has its id."""
    session.add(row)
    session.flush()


# --- households -------------------------------------------------------------------------------


def get_household(session: Session, household_id: int) -> Household | None:
    """A household by id."""
    return session.get(Household, household_id)


def _zone_filter(
    column: InstrumentedAttribute[int | None], zones: frozenset[int] | None
) -> ColumnElement[bool]:
    """Rows in the given zones; None means every zone."""
    if zones is None:
        return true()
    return column.in_(sorted(zones))


def search_households(
    session: Session,
    params: PageParams,
    *,
    zone_id: int | None,
    zone_scope: frozenset[int] | None,
) -> tuple[list[Household], int]:
    """One page of households, newest first."""
    stmt = select(Household).where(_zone_filter(Household.zone_id, zone_scope))
    if zone_id is not None:
        stmt = stmt.where(Household.zone_id == zone_id)
    return paginate(session, stmt.order_by(Household.id.desc()), params)


def members(session: Session, household_id: int) -> list[Person]:
    """The people registered in a household."""
    stmt = select(Person).where(Person.household_id == household_id).order_by(Person.id)
    return list(session.scalars(stmt))


# --- people -----------------------------------------------------------------------------------


def get_person(session: Session, person_id: int) -> tuple[Person, Household] | None:
    """A person with their household."""
    stmt = select(Person, Household).join(Household).where(Person.id == person_id)
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def like_escape(text: str) -> str:
    """Text made safe to put inside a LIKE pattern (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_people(
    session: Session,
    params: PageParams,
    *,
    tokens: list[str],
    phone_digits: str,
    zone_id: int | None,
    group: str,
    flags: list[str],
    household_id: int | None,
    zone_scope: frozenset[int] | None,
) -> tuple[list[tuple[Person, Household]], int]:
    """One page of people (with households) matching every given filter, by name."""
    conds = [_zone_filter(Household.zone_id, zone_scope)]
    # Each query token must start some stored token: the column has a space before every token.
    conds += [Person.search_tokens.like(f"% {like_escape(t)}%", escape="\\") for t in tokens]
    if phone_digits:
        # Stored numbers end with a space, so this matches the last digits of any number.
        pattern = f"%{like_escape(phone_digits)} %"
        conds.append(Person.phone_index.like(pattern, escape="\\"))
    conds += _person_filters(zone_id, group, flags, household_id)
    stmt: Select[Person, Household] = (
        select(Person, Household)
        .join(Household)
        .where(and_(*conds))
        .order_by(Person.given_name, Person.family_name, Person.id)
    )
    return _page_of_pairs(session, stmt, params)


def _person_filters(
    zone_id: int | None, group: str, flags: list[str], household_id: int | None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if zone_id is not None:
        conds.append(Household.zone_id == zone_id)
    if group:
        conds.append(Person.adl_group == group)
    if household_id is not None:
        conds.append(Person.household_id == household_id)
    conds += [getattr(Person, flag).is_(True) for flag in flags]
    return conds


def _page_of_pairs(
    session: Session, stmt: Select[Person, Household], params: PageParams
) -> tuple[list[tuple[Person, Household]], int]:
    """paginate() for a two-entity select: count the rows, then fetch one page of pairs."""
    ids = stmt.with_only_columns(Person.id).order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    rows = session.execute(stmt.limit(params.per_page).offset(params.offset)).all()
    return [(r[0], r[1]) for r in rows], total


def find_by_id_hash(session: Session, id_hash: str) -> Person | None:
    """The person with this national ID hash."""
    return session.scalar(select(Person).where(Person.national_id_hash == id_hash))


def people_named(
    session: Session, given_name: str, family_name: str, birth_date: date
) -> list[tuple[Person, Household]]:
    """People with exactly this name and birth date (duplicate check)."""
    stmt = (
        select(Person, Household)
        .join(Household)
        .where(
            Person.given_name == given_name,
            Person.family_name == family_name,
            Person.birth_date == birth_date,
        )
    )
    return [(r[0], r[1]) for r in session.execute(stmt).all()]


def people_with_phones(session: Session, phones: list[str]) -> list[tuple[Person, Household]]:
    """People who share any of these (normalised) phone numbers."""
    if not phones:
        return []
    likes = [Person.phone_index.like(f"% {like_escape(p)} %", escape="\\") for p in phones]
    stmt = select(Person, Household).join(Household).where(or_(*likes))
    return [(r[0], r[1]) for r in session.execute(stmt).all()]


# --- consent and ADL --------------------------------------------------------------------------


def get_consent(session: Session, consent_id: int) -> Consent | None:
    """A consent record by id."""
    return session.get(Consent, consent_id)


def consents(session: Session, person_id: int) -> list[Consent]:
    """Every consent record of a person, newest first (withdrawn ones included)."""
    stmt = (
        select(Consent)
        .where(Consent.person_id == person_id)
        .order_by(Consent.given_at.desc(), Consent.id.desc())
    )
    return list(session.scalars(stmt))


def active_consent(session: Session, person_id: int, purpose: str) -> Consent | None:
    """The newest consent in force for a purpose."""
    stmt = (
        select(Consent)
        .where(
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def adl_history(session: Session, person_id: int) -> list[AdlAssessment]:
    """A person's assessments, newest first."""
    stmt = (
        select(AdlAssessment)
        .where(AdlAssessment.person_id == person_id)
        .order_by(AdlAssessment.assessed_at.desc(), AdlAssessment.id.desc())
    )
    return list(session.scalars(stmt))


def latest_adl(session: Session, person_id: int) -> AdlAssessment | None:
    """A person's newest assessment."""
    stmt = (
        select(AdlAssessment)
        .where(AdlAssessment.person_id == person_id)
        .order_by(AdlAssessment.assessed_at.desc(), AdlAssessment.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)
