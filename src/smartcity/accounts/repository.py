"""All SQL of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from smartcity.accounts.models import Agency, ApiToken, Membership, User, WebSession
from smartcity.kit.pagination import PageParams, paginate


def get_user(session: Session, user_id: int) -> User | None:
    """A user by id."""
    return session.get(User, user_id)


def find_user(session: Session, username: str) -> User | None:
    """A user by user name (case-insensitive)."""
    return session.scalar(select(User).where(User.username == username.lower()))


def search_users(session: Session, q: str, params: PageParams) -> tuple[list[User], int]:
    """Users whose name, user name or e-mail contains ``q``."""
    stmt = select(User).order_by(User.username)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(User.username.ilike(like), User.full_name.ilike(like), User.email.ilike(like))
        )
    return paginate(session, stmt, params)


def users_with_role(session: Session, role: str) -> list[User]:
    """Active users holding ``role`` in any agency, by id."""
    stmt = (
        select(User)
        .where(
            User.is_active.is_(True),
            User.id.in_(select(Membership.user_id).where(Membership.role == role)),
        )
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def get_agency(session: Session, agency_id: int) -> Agency | None:
    """An agency by id."""
    return session.get(Agency, agency_id)


def find_agency(session: Session, code: str) -> Agency | None:
    """An agency by its code."""
    return session.scalar(select(Agency).where(Agency.code == code))


def search_agencies(session: Session, q: str, params: PageParams) -> tuple[list[Agency], int]:
    """Agencies whose code or names contain ``q``."""
    stmt = select(Agency).order_by(Agency.code)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(Agency.code.ilike(like), Agency.name_th.ilike(like), Agency.name_en.ilike(like))
        )
    return paginate(session, stmt, params)


def find_token(session: Session, token_hash: str) -> ApiToken | None:
    """An API token by its keyed hash."""
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def user_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's API tokens, newest first."""
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def find_web_session(session: Session, token_hash: str) -> WebSession | None:
    """A web session by the keyed hash of its cookie."""
    return session.scalar(select(WebSession).where(WebSession.token_hash == token_hash))


def purge_expired_sessions(session: Session, now: datetime) -> None:
    """Forget web sessions that have expired."""
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
