"""Rules of the accounts domain: users, agencies, log-in, sessions and tokens."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from smartcity.accounts import repository as repo
from smartcity.accounts.models import Agency, ApiToken, Membership, User, WebSession
from smartcity.accounts.passwords import hash_password, verify_password
from smartcity.accounts.permissions import Grant, Principal
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.config import Settings
from smartcity.errors import AccountLocked, Conflict, InvalidInput, NotFound, Unauthorized
from smartcity.events import LoginAttempted, RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.crypto import keyed_hash, new_token
from smartcity.kit.pagination import PageParams

BAD_LOGIN = ("Wrong user name or password.", "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")


def create_agency(uow: UnitOfWork, data: AgencyIn, *, is_sample: bool = False) -> Agency:
    """Register an agency; codes are unique."""
    if repo.find_agency(uow.session, data.code):
        raise Conflict(
            f"An agency with code {data.code!r} already exists.", f"มีหน่วยงานรหัส {data.code} แล้ว"
        )
    agency = Agency(**data.model_dump(), is_sample=is_sample)
    uow.session.add(agency)
    uow.session.flush()
    _changed(uow, "agency.created", "agency", agency.id, code=agency.code)
    return agency


def get_agency(session: Session, agency_id: int) -> Agency:
    """An agency, or NotFound."""
    agency = repo.get_agency(session, agency_id)
    if agency is None:
        raise NotFound(f"Agency {agency_id} does not exist.", f"ไม่พบหน่วยงานหมายเลข {agency_id}")
    return agency


def find_agency(session: Session, code: str) -> Agency:
    """An agency by code, or NotFound."""
    agency = repo.find_agency(session, code)
    if agency is None:
        raise NotFound(f"Agency {code!r} does not exist.", f"ไม่พบหน่วยงานรหัส {code}")
    return agency


def list_agencies(session: Session, q: str, params: PageParams) -> tuple[list[Agency], int]:
    """Agencies matching a search, one page."""
    return repo.search_agencies(session, q.strip(), params)


def create_user(uow: UnitOfWork, data: UserIn, *, is_sample: bool = False) -> User:
    """Register a user with their memberships."""
    username = data.username.lower()
    if repo.find_user(uow.session, username):
        raise Conflict(
            f"User name {username!r} is taken.",
            f"ชื่อผู้ใช้ {username} มีผู้ใช้แล้ว",
            errors=[{"field": "username", "message": "already taken"}],
        )
    user = User(
        username=username,
        full_name=data.full_name,
        email=data.email,
        phone=data.phone,
        password_hash=hash_password(data.password),
        is_sample=is_sample,
    )
    user.memberships = [_membership(uow.session, m) for m in data.memberships]
    uow.session.add(user)
    uow.session.flush()
    roles = [f"{m.role}@{m.agency_id}" for m in data.memberships]
    _changed(uow, "user.created", "user", user.id, username=username, roles=roles)
    return user


def _membership(session: Session, data: MembershipIn) -> Membership:
    get_agency(session, data.agency_id)
    return Membership(agency_id=data.agency_id, role=data.role, zone_ids=sorted(data.zone_ids))


def get_user(session: Session, user_id: int) -> User:
    """A user, or NotFound."""
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.", f"ไม่พบผู้ใช้หมายเลข {user_id}")
    return user


def find_user(session: Session, username: str) -> User:
    """A user by user name, or NotFound."""
    user = repo.find_user(session, username)
    if user is None:
        raise NotFound(f"User {username!r} does not exist.", f"ไม่พบผู้ใช้ {username}")
    return user


def list_users(session: Session, q: str, params: PageParams) -> tuple[list[User], int]:
    """Users matching a search, one page."""
    return repo.search_users(session, q.strip(), params)


def users_with_role(session: Session, role: str, zone_id: int | None = None) -> list[Principal]:
    """Active users holding ``role``, as principals; with ``zone_id``, those whose grant covers it.

    A grant with no zones covers every zone (see Principal.can).
    """
    out = []
    for user in repo.users_with_role(session, role):
        principal = principal_for(user, via="system")
        if zone_id is None or any(
            g.role == role and (not g.zone_ids or zone_id in g.zone_ids) for g in principal.grants
        ):
            out.append(principal)
    return out


def set_active(uow: UnitOfWork, user_id: int, active: bool) -> User:
    """Enable or disable a user; disabling also ends their web sessions."""
    user = get_user(uow.session, user_id)
    user.is_active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    _changed(uow, "user.enabled" if active else "user.disabled", "user", user.id)
    return user


def principal_for(user: User, via: str = "session") -> Principal:
    """The permission view of a user."""
    grants = tuple(
        Grant(m.agency_id, m.role, frozenset(int(z) for z in m.zone_ids)) for m in user.memberships
    )
    return Principal(user.id, user.username, user.full_name, grants, via)


def authenticate(uow: UnitOfWork, settings: Settings, username: str, password: str) -> User:
    """Check a password with lock-out after repeated failures."""
    now = utcnow()
    user = repo.find_user(uow.session, username.strip().lower())
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        _login(uow, username, None, ok=False, reason="unknown or disabled")
        raise Unauthorized(*BAD_LOGIN)
    if user.locked_until and user.locked_until > now:
        _login(uow, username, user.id, ok=False, reason="locked")
        raise _locked(user.locked_until)
    if not ok:
        _record_failure(uow, settings, user, now)
        raise Unauthorized(*BAD_LOGIN)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    uow.actor = replace(uow.actor, user_id=user.id, username=user.username)
    _login(uow, username, user.id, ok=True)
    return user


def _record_failure(uow: UnitOfWork, settings: Settings, user: User, now: datetime) -> None:
    user.failed_logins += 1
    reason = "wrong password"
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
        user.failed_logins = 0
        reason = "wrong password; account locked"
    _login(uow, user.username, user.id, ok=False, reason=reason)


def _locked(until: datetime) -> AccountLocked:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return AccountLocked(
        f"Too many failed log-ins. Try again in {minutes} minutes.",
        f"เข้าสู่ระบบผิดหลายครั้งเกินไป โปรดลองใหม่ในอีก {minutes} นาที",
    )


def start_session(
    uow: UnitOfWork, settings: Settings, user: User, ip: str, user_agent: str
) -> tuple[str, WebSession]:
    """Open a web session; returns the cookie value (shown once) and the session."""
    token = new_token("scs")
    web = WebSession(
        token_hash=keyed_hash(settings.secret_key.get_secret_value(), token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=settings.session_hours),
        ip=ip[:64],
        user_agent=user_agent[:300],
    )
    uow.session.add(web)
    repo.purge_expired_sessions(uow.session, utcnow())
    uow.session.flush()
    return token, web


def resolve_session(
    session: Session, settings: Settings, token: str
) -> tuple[Principal, WebSession] | None:
    """The principal behind a session cookie, or None if it is unknown or expired."""
    web = repo.find_web_session(session, keyed_hash(settings.secret_key.get_secret_value(), token))
    if web is None or web.expires_at <= utcnow():
        return None
    user = repo.get_user(session, web.user_id)
    if user is None or not user.is_active:
        return None
    return principal_for(user, "session"), web


def end_session(uow: UnitOfWork, settings: Settings, token: str) -> None:
    """Log out: forget the session."""
    web = repo.find_web_session(
        uow.session, keyed_hash(settings.secret_key.get_secret_value(), token)
    )
    if web is not None:
        uow.session.delete(web)
        _changed(uow, "user.logout", "user", web.user_id)


def create_token(
    uow: UnitOfWork, settings: Settings, user_id: int, name: str, days: int | None = None
) -> tuple[str, ApiToken]:
    """Issue an API token; the plain value is returned once and stored only as a keyed hash."""
    user = get_user(uow.session, user_id)
    plain = new_token("sct")
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plain[:10],
        token_hash=keyed_hash(settings.secret_key.get_secret_value(), plain),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    uow.session.add(token)
    uow.session.flush()
    _changed(uow, "token.created", "api_token", token.id, user=user.username, name=name)
    return plain, token


def revoke_token(uow: UnitOfWork, token_id: int) -> None:
    """Revoke an API token at once."""
    token = uow.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"Token {token_id} does not exist.", f"ไม่พบโทเค็นหมายเลข {token_id}")
    token.revoked_at = utcnow()
    _changed(uow, "token.revoked", "api_token", token.id)


def resolve_token(session: Session, settings: Settings, plain: str) -> Principal | None:
    """The principal behind a bearer token, or None if unknown, revoked or expired."""
    token = repo.find_token(session, keyed_hash(settings.secret_key.get_secret_value(), plain))
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    user = repo.get_user(session, token.user_id)
    if user is None or not user.is_active:
        return None
    token.last_used_at = now
    return principal_for(user, "token")


def user_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens (hashes only)."""
    return repo.user_tokens(session, user_id)


def change_password(uow: UnitOfWork, user_id: int, new_password: str) -> None:
    """Set a new password (at least 10 characters)."""
    if len(new_password) < 10:
        raise InvalidInput(
            "The password must have at least 10 characters.",
            "รหัสผ่านต้องมีอย่างน้อย 10 ตัวอักษร",
            errors=[{"field": "password", "message": "at least 10 characters"}],
        )
    user = get_user(uow.session, user_id)
    user.password_hash = hash_password(new_password)
    _changed(uow, "user.password_changed", "user", user.id)


def _changed(uow: UnitOfWork, action: str, entity: str, entity_id: int, **detail: object) -> None:
    uow.emit(
        RecordChanged(action=action, entity_type=entity, entity_id=str(entity_id), detail=detail)
    )


def _login(
    uow: UnitOfWork, username: str, user_id: int | None, *, ok: bool, reason: str = ""
) -> None:
    detail: dict[str, object] = {"username": username[:80], "ok": ok}
    if reason:
        detail["reason"] = reason
    action = "login.succeeded" if ok else "login.failed"
    uow.emit(
        LoginAttempted(
            action=action, entity_type="user", entity_id=str(user_id or ""), detail=detail
        )
    )
