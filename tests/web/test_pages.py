"""The web UI through the real HTTP stack: log-in, language, lists, permissions, error pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.web import errors as web_errors
from smartcity.web import i18n
from smartcity.web.view import Pager, safe_next
from tests.conftest import PASSWORD, MakeUser

HTML = {"Accept": "text/html"}


def _form_token(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field in the page"
    return match.group(1)


def login(
    client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/"
) -> Response:
    """Log in through the form, as a browser does (GET the form, then POST it)."""
    page = client.get("/login", params={"next": next_url})
    token = _form_token(page.text, "login_csrf")
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": next_url, "login_csrf": token},
        follow_redirects=False,
    )


def csrf_of(client: TestClient, path: str = "/users") -> str:
    """The session's CSRF token, as the page puts it in the log-out form."""
    return _form_token(client.get(path).text, "csrf_token")


# --- log-in and log-out ---------------------------------------------------------------------


def test_logged_out_visit_redirects_to_login_with_next(client: TestClient) -> None:
    r = client.get("/users?q=som", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/users%3Fq%3Dsom"
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert 'name="next" value="/users?q=som"' in page.text
    assert "เข้าสู่ระบบ" in page.text


def test_htmx_request_without_session_redirects_whole_page(client: TestClient) -> None:
    r = client.get("/users", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 200
    assert r.headers["hx-redirect"].startswith("/login?next=")


def test_login_success_goes_to_next_and_sets_session(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("admin", username="somsri")
    r = login(client, "SomSri", next_url="/users")
    assert r.status_code == 303
    assert r.headers["location"] == "/users"
    assert "sc_session=" in r.headers["set-cookie"]
    page = client.get("/users")
    assert page.status_code == 200
    assert "somsri" in page.text
    assert 'hx-headers=\'{"X-CSRF-Token": "' in page.text


def test_login_refuses_foreign_next(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="kanya")
    r = login(client, "kanya", next_url="https://evil.example/")
    assert r.headers["location"] == "/"


def test_login_failure_shows_bilingual_message(client: TestClient, make_user: MakeUser) -> None:
    make_user("operator", username="malee")
    r = login(client, "malee", "wrong-password")
    assert r.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in r.text
    assert 'value="malee"' in r.text
    client.cookies.set("lang", "en")
    r = login(client, "malee", "wrong-password")
    assert "Wrong user name or password." in r.text


def test_login_lockout_message_and_failures_are_kept(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork
) -> None:
    user = make_user("operator", username="wichai")
    for _ in range(3):  # the settings fixture locks after 3 failures
        assert login(client, "wichai", "nope-nope-nope").status_code == 401
    r = login(client, "wichai")  # the right password is refused while locked
    assert r.status_code == 423
    assert "เข้าสู่ระบบผิดหลายครั้งเกินไป" in r.text and "นาที" in r.text
    uow.session.refresh(user)
    assert user.locked_until is not None and user.locked_until > utcnow()
    user.locked_until = utcnow() - timedelta(seconds=1)
    uow.commit()
    assert login(client, "wichai").status_code == 303


def test_login_form_without_its_token_is_refused(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="anan")
    r = client.post(
        "/login",
        data={"username": "anan", "password": PASSWORD, "login_csrf": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 400
    assert "แบบฟอร์มหมดอายุ" in r.text
    assert "sc_session" not in r.headers.get("set-cookie", "")


def test_logged_in_visitor_skips_login_form(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="pim")
    login(client, "pim")
    r = client.get("/login?next=/agencies", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/agencies"


def test_logout_needs_the_csrf_token(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="niran")
    login(client, "niran")
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "แบบฟอร์มหมดอายุ" in refused.text
    assert client.get("/users", follow_redirects=False).status_code == 200  # still logged in
    token = csrf_of(client)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/users", follow_redirects=False).status_code == 303


def test_logout_with_csrf_header_works_for_htmx(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="dao")
    login(client, "dao")
    token = csrf_of(client)
    r = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert r.status_code == 303


# --- language -------------------------------------------------------------------------------


def test_language_switch_sets_cookie_and_changes_labels(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("admin", username="arun")
    login(client, "arun")
    assert "ผู้ใช้" in client.get("/users").text
    r = client.get("/lang/en?next=/users%3Fq%3Darun", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/users?q=arun"
    assert "lang=en" in r.headers["set-cookie"]
    page = client.get("/users")
    assert '<html lang="en">' in page.text
    assert "Users" in page.text and "Log out" in page.text
    client.get("/lang/th")
    assert "ออกจากระบบ" in client.get("/users").text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_language_switch_never_redirects_off_site(client: TestClient, target: str) -> None:
    r = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_unknown_language_is_ignored(client: TestClient) -> None:
    r = client.get("/lang/xx", follow_redirects=False)
    assert r.status_code == 303 and "set-cookie" not in r.headers


def test_every_label_has_thai_and_english() -> None:
    for key, (th, en) in i18n.MESSAGES.items():
        assert th.strip() and en.strip(), key
    assert i18n.t("en", "nav.users") == "Users"
    assert i18n.t("th", "list.total", total=3) == "ทั้งหมด 3 รายการ"
    assert i18n.t("th", "no.such.key") == "no.such.key"


def test_safe_next() -> None:
    assert safe_next("/zones?kind=community") == "/zones?kind=community"
    for bad in ("", "zones", "//x.example", "https://x.example/", "/\\x", "/a\nb"):
        assert safe_next(bad) == "/"


# --- lists, search, pagination --------------------------------------------------------------


def test_users_search_and_pagination(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="boss")
    for i in range(12):
        make_user("operator", username=f"staff{i:02d}")
    login(client, "boss")
    first = client.get("/users?per_page=10")
    assert "แสดง 1–10 จาก 13" in first.text
    assert 'rel="next" href="/users?per_page=10&amp;page=2"' in first.text
    second = client.get("/users?per_page=10&page=2")
    assert "แสดง 11–13 จาก 13" in second.text
    assert "staff11" in second.text and "staff00" not in second.text
    found = client.get("/users?q=staff07")
    assert "staff07" in found.text and "staff08" not in found.text
    assert "แสดง 1–1 จาก 1" in found.text
    nothing = client.get("/users?q=zzz-nobody")
    assert "ไม่พบรายการ" in nothing.text


def test_htmx_search_returns_only_the_results(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="boss")
    make_user("operator", username="kittipong")
    login(client, "boss")
    headers = {"HX-Request": "true", "HX-Target": "results"}
    r = client.get("/users?q=kitti", headers=headers)
    assert r.status_code == 200
    assert "<html" not in r.text and "kittipong" in r.text and "<table" in r.text
    restore = client.get(
        "/users?q=kitti", headers={**headers, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


def test_bad_page_number_is_a_400_page(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="boss")
    login(client, "boss")
    r = client.get("/users?page=0")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")


def test_user_detail_shows_roles_and_tokens_without_secrets(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork, settings: Settings
) -> None:
    make_user("admin", username="boss")
    user = make_user("police", username="sakda")
    plain, _ = accounts.create_token(uow, settings, user.id, "radio-gateway")
    uow.commit()
    login(client, "boss")
    r = client.get(f"/users/{user.id}")
    assert r.status_code == 200
    assert "ตำรวจ" in r.text  # role label
    assert "radio-gateway" in r.text and plain[:10] in r.text
    assert plain not in r.text
    client.cookies.set("lang", "en")
    assert "Police" in client.get(f"/users/{user.id}").text


def test_agencies_list_and_detail(client: TestClient, make_user: MakeUser, uow: UnitOfWork) -> None:
    make_user("admin", username="boss")
    agency = accounts.create_agency(
        uow,
        AgencyIn(
            code="phichit-police", name_th="สภ.เมืองพิจิตร", name_en="Phichit Police", kind="police"
        ),
    )
    uow.commit()
    login(client, "boss")
    listing = client.get("/agencies?q=police")
    assert "สภ.เมืองพิจิตร" in listing.text and "หน่วยงานทดสอบ" not in listing.text
    detail = client.get(f"/agencies/{agency.id}")
    assert "phichit-police" in detail.text and "ตำรวจ" in detail.text


def test_missing_record_is_a_404_page(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="boss")
    login(client, "boss")
    r = client.get("/users/999999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "ไม่พบผู้ใช้หมายเลข 999999" in r.text


# --- permissions ----------------------------------------------------------------------------


def test_role_without_permission_gets_403_page(client: TestClient, make_user: MakeUser) -> None:
    make_user("police", username="somkiat")
    login(client, "somkiat")
    for path in ("/users", "/agencies", "/audit"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "ไม่มีสิทธิ์" in r.text
    nav = client.get("/users").text
    assert 'href="/audit"' not in nav and 'href="/users"' not in nav


def test_operator_may_read_users_but_not_audit(client: TestClient, make_user: MakeUser) -> None:
    make_user("operator", username="opera")
    login(client, "opera")
    assert client.get("/users").status_code == 200
    assert client.get("/audit").status_code == 403


# --- audit ----------------------------------------------------------------------------------


def test_audit_page_filters_shows_be_dates_and_verifies(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("admin", username="auditor")
    login(client, "auditor")
    page = client.get("/audit?q=login.succeeded")
    assert page.status_code == 200
    assert "login.succeeded" in page.text
    be_year = str(utcnow().year + 543)
    assert be_year in page.text
    by_type = client.get("/audit?entity_type=agency")
    assert "agency.created" in by_type.text and "login.succeeded" not in by_type.text
    today = utcnow().date().isoformat()
    dated = client.get(f"/audit?since=2000-01-01&until={today}&q=user.created")
    assert "user.created" in dated.text
    old = client.get("/audit?until=2000-01-01")
    assert "ไม่พบรายการ" in old.text
    bad = client.get("/audit?since=31/12/2000")
    assert bad.status_code == 200 and "รูปแบบวันที่ไม่ถูกต้อง" in bad.text
    token = csrf_of(client, "/audit")
    refused = client.post("/audit/verify", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    result = client.post("/audit/verify", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert result.status_code == 200
    assert "data-verify-ok" in result.text and "<html" not in result.text


# --- error pages ----------------------------------------------------------------------------


def test_api_errors_stay_problem_json(client: TestClient) -> None:
    r = client.get("/api/users", headers=HTML)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_unknown_page_gets_html_404_when_installed(app: FastAPI) -> None:
    web_errors.install(app)
    with TestClient(app) as c:
        page = c.get("/no-such-page", headers=HTML)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "ไม่พบหน้าที่ต้องการ" in page.text
        api = c.get("/api/no-such-thing", headers=HTML)
        assert api.headers["content-type"].startswith("application/problem+json")


def test_pager_window() -> None:
    assert Pager(1, 10, 0).pages == 1
    assert Pager(1, 10, 0).first == 0
    assert Pager(6, 10, 200).window() == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert Pager(1, 10, 30).window() == [1, 2, 3]
    assert Pager(1, 10, 50).window() == [1, 2, 3, 4, 5]
