"""Care registry pages over HTTP: dashboard, people list, person and household pages, print list.

Checks permissions (police and technicians refused), zone scope, hidden sensitive fields, the
audit entry of an opened person page, Thai and English text, and 4xx for bad filters.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.accounts.permissions import ROLE_ACTIONS
from smartcity.audit.models import AuditEntry
from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.schemas import AdlIn, ConsentIn, HouseholdIn, PersonIn
from smartcity.care.visits import service as visits
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.thai import to_local
from tests.care.support import MARKET, WEST, adl_body, consent_body, household_body, person_body

EVERYTHING = Access.everything()


def _person(uow: UnitOfWork, settings: Settings, at: tuple[float, float], **extra: Any) -> int:
    """A person in a new household at ``at``, with a care consent."""
    home = care.create_household(uow, EVERYTHING, HouseholdIn.model_validate(household_body(at)))
    body = person_body(home.id, **extra)
    person, _ = care.create_person(uow, settings, EVERYTHING, PersonIn.model_validate(body))
    care.give_consent(uow, EVERYTHING, person.id, ConsentIn.model_validate(consent_body()))
    return person.id


def _assess(uow: UnitOfWork, person_id: int, total: int, days_ago: int) -> None:
    when = (utcnow() - timedelta(days=days_ago)).isoformat()
    data = AdlIn.model_validate(adl_body(total, assessed_at=when, assessor="พยาบาลทดสอบ"))
    care.assess_adl(uow, EVERYTHING, person_id, data)


@pytest.fixture
def people(uow: UnitOfWork, settings: Settings) -> dict[str, int]:
    """Sample zones; สมศรี (market, bed-bound after two assessments) and บุญมี (west)."""
    geo.load_sample(uow)
    somsri = _person(uow, settings, MARKET, emergency_contacts=[_contact()])
    _assess(uow, somsri, 14, days_ago=60)
    _assess(uow, somsri, 3, days_ago=2)
    boonmee = _person(
        uow, settings, WEST, given_name="บุญมี", family_name="ศรีน่าน", phones=["055-611-234"]
    )
    uow.commit()
    return {"somsri": somsri, "boonmee": boonmee}


def _contact() -> dict[str, str]:
    return {"name": "สมพร มีสุข", "relation": "ลูกสาว", "phone": "089-111-2222"}


def _html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.text[:500]
    return str(response.text)


def _audit(uow: UnitOfWork, action: str) -> list[AuditEntry]:
    uow.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    return list(uow.session.scalars(stmt))


def _zone_of(uow: UnitOfWork, at: tuple[float, float]) -> int:
    zone = geo.zone_at(uow.session, *at)
    assert zone is not None
    return zone.id


@pytest.mark.parametrize("role", ["police", "technician"])
def test_roles_without_care_read_are_refused(
    client: TestClient, as_role, people: dict[str, int], role: str
) -> None:  # type: ignore[no-untyped-def]
    h = as_role(role)
    for path in (
        "/care",
        "/care/people",
        f"/care/people/{people['somsri']}",
        "/care/households.geojson",
        "/care/workers/1/visits/print",
    ):
        assert client.get(path, headers=h).status_code == 403, path


def test_dashboard_counts_groups_flags_and_links(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    page = _html(client.get("/care", headers=as_role("care_manager")))
    assert "ภาพรวมการดูแล" in page and 'href="/care/disaster"' in page
    assert "data-total>2<" in page
    market = _zone_of(uow, MARKET)
    row = page.split(f'data-zone="{market}"')[1].split("</tr>")[0]
    assert 'data-group="bedbound">1<' in row and 'data-group="social">0<' in row
    assert 'data-flag="bed_bound">ติดเตียง <strong>1</strong>' in page
    assert "data-open-help" in page  # care managers read incidents
    homes = client.get("/care/households.geojson", headers=as_role("care_manager")).json()
    groups = sorted(f["properties"]["group"] for f in homes["features"])
    assert groups == ["", "bedbound"]
    assert all(set(f["properties"]) == {"id", "group"} for f in homes["features"])


def test_dashboard_in_english(client: TestClient, as_role, people: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    client.cookies.set("lang", "en")
    page = _html(client.get("/care", headers=as_role("care_manager")))
    assert "Care overview" in page and "Bed-bound" in page and "ภาพรวมการดูแล" not in page


def test_zone_scoped_health_worker_sees_only_their_zone(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("health_worker", zones=[_zone_of(uow, MARKET)])
    listed = _html(client.get("/care/people", headers=h))
    assert f'data-person="{people["somsri"]}"' in listed
    assert f'data-person="{people["boonmee"]}"' not in listed
    assert "data-total>1<" in _html(client.get("/care", headers=h))
    assert client.get(f"/care/people/{people['boonmee']}", headers=h).status_code == 404
    homes = client.get("/care/households.geojson", headers=h).json()["features"]
    assert len(homes) == 1


def test_search_by_thai_name_phone_and_filters(
    client: TestClient, as_role, people: dict[str, int]
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")

    def found(**params: str) -> set[int]:
        page = _html(client.get("/care/people", params=params, headers=h))
        return {int(p.split('"')[0]) for p in page.split('data-person="')[1:]}

    assert found(q="บุญมี") == {people["boonmee"]}
    assert found(q="ศรีน่าน") == {people["boonmee"]}
    assert found(phone="611-234") == {people["boonmee"]}
    assert found(group="bedbound") == {people["somsri"]}
    assert found(flag="bed_bound") == {people["somsri"]}
    assert found() == set(people.values())
    assert found(zone_id="", group="", q="") == set(people.values())  # the form's "all" choices
    fragment = client.get(
        "/care/people",
        params={"q": "สมศรี"},
        headers={**h, "HX-Request": "true", "HX-Target": "results"},
    )
    assert "<html" not in _html(fragment) and f'data-person="{people["somsri"]}"' in fragment.text


@pytest.mark.parametrize(
    "params", [{"group": "flying"}, {"flag": "rich"}, {"phone": "08"}, {"zone_id": "x"}]
)
def test_bad_filters_are_4xx(
    client: TestClient, as_role, people: dict[str, int], params: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/care/people", params=params, headers=as_role("care_manager"))
    assert 400 <= response.status_code < 500


def test_person_page_shows_sensitive_fields_and_audits_the_read(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    before = len(_audit(uow, "care.person.read"))
    page = _html(client.get(f"/care/people/{people['somsri']}", headers=as_role("care_manager")))
    assert "แพ้ยาเพนิซิลลิน" in page and "เบาหวาน" in page and "data-sensitive-hidden" not in page
    assert len(_audit(uow, "care.person.read")) == before + 1
    assert _audit(uow, "care.adl.read")
    timeline = page.split("data-timeline")[1].split("</ol>")[0]
    assert timeline.index("ADL 3/20") < timeline.index("ADL 14/20")  # newest first
    be_year = str(to_local(utcnow() - timedelta(days=2)).year + 543)
    assert "ติดเตียง" in timeline and be_year in timeline  # Buddhist Era years
    assert "สมพร มีสุข" in page and "data-consent=" in page and "/withdraw" in page


def test_person_page_hides_sensitive_fields_without_care_sensitive(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Every shipped role that reads care also holds care.sensitive; a deployment may grant a
    # role care.read alone (e.g. volunteers), so the table entry is narrowed for this test.
    narrowed = ROLE_ACTIONS["health_worker"] - {"care.sensitive"}
    monkeypatch.setitem(ROLE_ACTIONS, "health_worker", narrowed)
    h = as_role("health_worker")
    before = len(_audit(uow, "care.person.read"))
    page = _html(client.get(f"/care/people/{people['somsri']}", headers=h))
    assert "data-sensitive-hidden" in page and "care.sensitive" in page
    # The current group and score are registry fields; the history and notes are health data.
    assert "แพ้ยาเพนิซิลลิน" not in page and "เบาหวาน" not in page and "data-timeline" not in page
    assert "/withdraw" in page  # care.write is kept
    assert len(_audit(uow, "care.person.read")) == before
    assert not _audit(uow, "care.adl.read")


def test_withdraw_consent_from_the_person_page(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    consent = care.list_consents(uow.session, EVERYTHING, people["boonmee"])[0]
    url = f"/care/people/{people['boonmee']}/consents/{consent.id}/withdraw"
    assert client.post(url, data={"withdrawn_by": ""}, headers=h).status_code == 422
    done = client.post(url, data={"withdrawn_by": "บุญมี"}, headers=h, follow_redirects=False)
    assert done.status_code == 303
    page = _html(client.get(f"/care/people/{people['boonmee']}", headers=h))
    assert f'data-consent="{consent.id}" data-active="false"' in page
    assert _audit(uow, "care.consent.withdrawn")


def test_household_page(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("care_manager")
    _person, home = care.get_person(uow.session, EVERYTHING, people["somsri"])
    page = _html(client.get(f"/care/households/{home.id}", headers=h))
    assert "สมศรี มีสุข" in page and "12/3 หมู่ 4" in page and "data-point=" in page
    assert client.get("/care/households/999999", headers=h).status_code == 404


def test_printable_visit_list(
    client: TestClient, as_role, people: dict[str, int], uow: UnitOfWork, make_user
) -> None:  # type: ignore[no-untyped-def]
    worker = make_user("health_worker", [_zone_of(uow, MARKET)])
    visits.generate_tasks(uow)
    uow.commit()
    manager = as_role("care_manager")
    page = _html(client.get(f"/care/workers/{worker.id}/visits/print", headers=manager))
    assert "รายการเยี่ยมบ้าน" in page and worker.full_name in page
    day = visits.worker_day(uow.session, worker.id)
    assert len(day.stops) >= 1  # the market person is due and the worker covers the market
    rows = page.split("data-print-list")[1]
    assert [int(r.split('"')[0]) for r in rows.split('data-stop="')[1:]] == [
        s.task_id for s in day.stops + day.unplaced
    ]
    h = as_role("health_worker")
    assert client.get(f"/care/workers/{worker.id}/visits/print", headers=h).status_code == 403
