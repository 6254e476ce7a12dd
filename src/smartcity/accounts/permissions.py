"""Roles, actions and the one permission check that every route uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

ROLES: Final = (
    "admin",
    "operator",
    "police",
    "care_manager",
    "health_worker",
    "responder",
    "technician",
)

ROLE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "admin": ("ผู้ดูแลระบบ", "Administrator"),
    "operator": ("เจ้าหน้าที่ศูนย์ปฏิบัติการ", "Operations operator"),
    "police": ("ตำรวจ", "Police"),
    "care_manager": ("ผู้จัดการการดูแล (CM)", "Care manager"),
    "health_worker": ("เจ้าหน้าที่สาธารณสุข / อสม.", "Health worker / village volunteer"),
    "responder": ("หน่วยกู้ภัย / กู้ชีพ", "Responder"),
    "technician": ("ช่างเทคนิค", "Technician"),
}

# Every action a route may check. Domains add theirs here so the matrix stays in one place.
ACTIONS: Final = (
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
    # Care plans: visit rhythms, thresholds, task generation (the care manager's settings).
    "care.plan",
    "incidents.read",
    "incidents.respond",
    "incidents.dispatch",
    "broadcast.read",
    "broadcast.send",
    "cctv.read",
    "notify.read",
)

_READ_COMMON = {"geo.read", "alerts.read", "notify.read"}

ROLE_ACTIONS: Final[dict[str, frozenset[str]]] = {
    "admin": frozenset(ACTIONS),
    "operator": frozenset(
        _READ_COMMON
        | {"geo.write", "users.read", "agencies.read", "devices.read", "devices.write"}
        | {"alerts.manage", "incidents.read", "incidents.respond", "incidents.dispatch"}
        | {"broadcast.read"}
        | {"broadcast.send", "cctv.read"}
    ),
    "police": frozenset(_READ_COMMON | {"incidents.read", "incidents.respond", "cctv.read"}),
    "care_manager": frozenset(
        _READ_COMMON | {"care.read", "care.write", "care.sensitive", "care.plan", "incidents.read"}
    ),
    "health_worker": frozenset(_READ_COMMON | {"care.read", "care.write", "care.sensitive"}),
    "responder": frozenset(_READ_COMMON | {"incidents.read", "incidents.respond"}),
    "technician": frozenset(_READ_COMMON | {"devices.read", "devices.write"}),
}


@dataclass(frozen=True)
class Grant:
    """One membership reduced to what the permission check needs."""

    agency_id: int
    role: str
    zone_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller with their grants."""

    user_id: int
    username: str
    full_name: str
    grants: tuple[Grant, ...]
    via: str = "session"

    @property
    def roles(self) -> frozenset[str]:
        """All roles this caller holds."""
        return frozenset(g.role for g in self.grants)

    @property
    def is_admin(self) -> bool:
        """True for administrators."""
        return "admin" in self.roles

    def can(self, action: str, zone_id: int | None = None) -> bool:
        """May this caller do ``action`` (in ``zone_id``, when the record has a zone)?"""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        for grant in self.grants:
            if action not in ROLE_ACTIONS.get(grant.role, frozenset()):
                continue
            if not grant.zone_ids or zone_id is None or zone_id in grant.zone_ids:
                return True
        return False

    def zone_scope(self, action: str) -> frozenset[int] | None:
        """Zones this caller may act in for ``action``; None means every zone."""
        zones: set[int] = set()
        for grant in self.grants:
            if action in ROLE_ACTIONS.get(grant.role, frozenset()):
                if not grant.zone_ids:
                    return None
                zones |= grant.zone_ids
        return frozenset(zones)
