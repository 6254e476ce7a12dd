"""What a caller may see in the registry: the zones they read in, and where they see health data."""

from __future__ import annotations

from dataclasses import dataclass

from smartcity.accounts.permissions import Principal


@dataclass(frozen=True)
class Access:
    """Zones a caller may read and see sensitive fields in (None: every zone; empty: none).

    Zone-scoped callers see only people whose household lies in one of their zones: a household
    outside every community is visible to unscoped callers only, because care data is personal.
    """

    read_zones: frozenset[int] | None
    sensitive_zones: frozenset[int] | None
    write_zones: frozenset[int] | None = frozenset()

    @classmethod
    def of(cls, principal: Principal) -> Access:
        """The access a principal's grants give."""
        return cls(
            read_zones=principal.zone_scope("care.read"),
            sensitive_zones=principal.zone_scope("care.sensitive"),
            write_zones=principal.zone_scope("care.write"),
        )

    @classmethod
    def everything(cls) -> Access:
        """Full access, for the system itself (sample data, jobs)."""
        return cls(read_zones=None, sensitive_zones=None, write_zones=None)

    def can_read(self, zone_id: int | None) -> bool:
        """May the caller see a record in this zone?"""
        return _allows(self.read_zones, zone_id)

    def can_see_sensitive(self, zone_id: int | None) -> bool:
        """May the caller see health, disability and identity fields in this zone?"""
        return self.can_read(zone_id) and _allows(self.sensitive_zones, zone_id)

    def can_write(self, zone_id: int | None) -> bool:
        """May the caller change records in this zone?"""
        return _allows(self.write_zones, zone_id)


def _allows(zones: frozenset[int] | None, zone_id: int | None) -> bool:
    if zones is None:
        return True
    return zone_id is not None and zone_id in zones
