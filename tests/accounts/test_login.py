"""Log-in, lock-out, sessions, tokens and CSRF through the real HTTP stack."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.accounts import service
from smartcity.accounts.models import ApiToken, User
from smartcity.audit.models import AuditEntry
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from tests.conftest import PASSWORD, MakeUser


def _login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/session", json={"username": username, "password": password})


def test_login_sets_secure_attributes_and_me_works(client: TestClient, make_user: MakeUser) -> None:
    make_user("operator", username="somchai")
    r = _login(client, "SomChai")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert client.get("/api/me").json()["roles"] == ["operator"]


def test_wrong_password_is_401_with_thai_message(client: TestClient, make_user: MakeUser) -> None:
    make_user("operator", username="malee")
    r = _login(client, "malee", "wrong-password")
    assert r.status_code == 401
    assert r.json()["detail_th"] == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"


def test_lockout_after_repeated_failures_then_unlock(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork
) -> None:
    user = make_user("operator", username="wichai")
    for _ in range(3):  # settings fixture: 3 failures lock
        assert _login(client, "wichai", "nope-nope-nope").status_code == 401
    locked = _login(client, "wichai")  # even the right password is refused while locked
    assert locked.status_code == 423
    assert "นาที" in locked.json()["detail_th"]
    uow.session.refresh(user)
    assert user.locked_until is not None
    user.locked_until = utcnow() - timedelta(seconds=1)
    uow.commit()
    assert _login(client, "wichai").status_code == 200


def test_failed_logins_are_audited(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork
) -> None:
    make_user("operator", username="prasit")
    _login(client, "prasit", "bad-password-1")
    _login(client, "nobody-here", "bad-password-1")
    actions = uow.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions.count("login.failed") == 2


def test_cookie_write_without_csrf_is_refused(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="boss")
    csrf = _login(client, "boss").json()["csrf_token"]
    body = {"code": "csrf-test", "name_th": "ทดสอบ", "kind": "other"}
    refused = client.post("/api/agencies", json=body)
    assert refused.status_code == 403
    assert "แบบฟอร์ม" in refused.json()["detail_th"]
    ok = client.post("/api/agencies", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_token_is_shown_once_and_stored_hashed(
    client: TestClient, as_role, uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    headers = as_role("admin")
    me = client.get("/api/me", headers=headers).json()
    r = client.post(f"/api/users/{me['user_id']}/tokens", json={"name": "gateway"}, headers=headers)
    assert r.status_code == 201
    plain = r.json()["token"]
    stored = uow.session.scalars(select(ApiToken.token_hash)).all()
    assert plain not in stored and all(len(h) == 64 for h in stored)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_revoked_and_unknown_tokens_are_refused(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork, settings: Settings
) -> None:
    user = make_user("operator")
    plain, token = service.create_token(uow, settings, user.id, "t")
    uow.commit()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    service.revoke_token(uow, token.id)
    uow.commit()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer sct_nope"}).status_code == 401


def test_disabled_user_loses_access(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork
) -> None:
    user = make_user("operator", username="leaving")
    assert _login(client, "leaving").status_code == 200
    service.set_active(uow, user.id, False)
    uow.commit()
    assert client.get("/api/me").status_code == 401


def test_passwords_are_argon2(make_user: MakeUser, uow: UnitOfWork) -> None:
    user = make_user("operator")
    row = uow.session.get(User, user.id)
    assert row is not None and row.password_hash.startswith("$argon2id$")


def test_me_without_credentials_is_401(client: TestClient) -> None:
    r = client.get("/api/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_successful_login_is_audited_as_the_user(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork
) -> None:
    make_user("operator", username="anong")
    assert _login(client, "anong").status_code == 200
    entry = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "login.succeeded")
    ).one()
    assert entry.actor_name == "anong" and entry.actor_user_id is not None
