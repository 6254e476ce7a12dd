"""The permission matrix: role x action -> allowed or denied, written out by hand."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from smartcity.accounts.permissions import ACTIONS, ROLES, Grant, Principal

# The agreed matrix, written independently of the code: Y allowed, . denied.
# Columns follow ACTIONS; a change to who may do what must change this table on purpose.
COLUMNS = [
    "users.read",
    "users.write",
    "agencies.read",
    "agencies.write",
    "geo.read",
    "geo.write",
    "audit.read",
    "devices.read",
    "devices.write",
    "alerts.read",
    "alerts.manage",
    "care.read",
    "care.write",
    "care.sensitive",
    "care.plan",
    "incidents.read",
    "incidents.respond",
    "incidents.dispatch",
    "broadcast.read",
    "broadcast.send",
    "cctv.read",
    "notify.read",
]
MATRIX = {
    #               ur uw ar aw gr gw au dr dw lr lm cr cw cs cp ir ix id br bs cv nr
    "admin":         "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y",
    "operator":      "Y  .  Y  .  Y  Y  .  Y  Y  Y  Y  .  .  .  .  Y  Y  Y  Y  Y  Y  Y",
    "police":        ".  .  .  .  Y  .  .  .  .  Y  .  .  .  .  .  Y  Y  .  .  .  Y  Y",
    "care_manager":  ".  .  .  .  Y  .  .  .  .  Y  .  Y  Y  Y  Y  Y  .  .  .  .  .  Y",
    "health_worker": ".  .  .  .  Y  .  .  .  .  Y  .  Y  Y  Y  .  .  .  .  .  .  .  Y",
    "responder":     ".  .  .  .  Y  .  .  .  .  Y  .  .  .  .  .  Y  Y  .  .  .  .  Y",
    "technician":    ".  .  .  .  Y  .  .  Y  Y  Y  .  .  .  .  .  .  .  .  .  .  .  Y",
}  # fmt: skip

CASES = [
    (role, action, flags.split()[i] == "Y")
    for role, flags in MATRIX.items()
    for i, action in enumerate(COLUMNS)
]


def test_matrix_covers_every_role_and_action() -> None:
    assert tuple(COLUMNS) == ACTIONS
    assert set(MATRIX) == set(ROLES)


@pytest.mark.parametrize(("role", "action", "allowed"), CASES)
def test_role_action(role: str, action: str, allowed: bool) -> None:
    principal = Principal(1, "u", "U", (Grant(1, role),))
    assert principal.can(action) is allowed


def test_zone_scope_limits_to_granted_zones() -> None:
    p = Principal(1, "hw", "HW", (Grant(1, "health_worker", frozenset({3, 4})),))
    assert p.can("care.read", zone_id=3)
    assert not p.can("care.read", zone_id=5)
    assert p.zone_scope("care.read") == frozenset({3, 4})
    assert p.zone_scope("geo.write") == frozenset()


def test_unscoped_grant_wins_over_scoped_one() -> None:
    p = Principal(1, "x", "X", (Grant(1, "operator", frozenset({1})), Grant(2, "operator")))
    assert p.zone_scope("geo.read") is None
    assert p.can("geo.write", zone_id=99)


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        Principal(1, "x", "X", (Grant(1, "admin"),)).can("users.fly")


# The same matrix through real HTTP routes: every route goes through require().
ROUTES = [
    ("GET", "/api/users", "users.read"),
    ("GET", "/api/agencies", "agencies.read"),
    ("GET", "/api/audit", "audit.read"),
    ("GET", "/api/audit/verify", "audit.read"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "action"), ROUTES)
def test_routes_follow_matrix(
    client: TestClient, as_role, role: str, method: str, path: str, action: str
) -> None:  # type: ignore[no-untyped-def]
    allowed = MATRIX[role].split()[COLUMNS.index(action)] == "Y"
    r = client.request(method, path, headers=as_role(role))
    assert r.status_code == (200 if allowed else 403), r.text


@pytest.mark.parametrize("role", ROLES)
def test_create_agency_needs_agencies_write(client: TestClient, as_role, role: str) -> None:  # type: ignore[no-untyped-def]
    body = {"code": f"new-{role.replace('_', '-')}", "name_th": "ใหม่", "kind": "other"}
    r = client.post("/api/agencies", json=body, headers=as_role(role))
    assert r.status_code == (201 if role == "admin" else 403), r.text
