"""API shapes of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from smartcity.accounts.permissions import ROLES

AgencyKind = Literal["municipality", "police", "health_unit", "telecom", "rescue", "other"]


class AgencyIn(BaseModel):
    """A new agency."""

    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    kind: AgencyKind


class AgencyOut(BaseModel):
    """An agency as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_th: str
    name_en: str
    kind: str
    is_sample: bool
    created_at: datetime


class MembershipIn(BaseModel):
    """A role in an agency, optionally limited to zones."""

    agency_id: int
    role: str
    zone_ids: list[int] = Field(default_factory=list)

    @field_validator("role")
    @classmethod
    def _known_role(cls, v: str) -> str:
        if v not in ROLES:
            raise ValueError(f"unknown role; use one of {', '.join(ROLES)}")
        return v


class MembershipOut(BaseModel):
    """A membership as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    agency_id: int
    role: str
    zone_ids: list[int]


class UserIn(BaseModel):
    """A new user."""

    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-zA-Z0-9._-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    email: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    memberships: list[MembershipIn] = Field(default_factory=list)


class UserOut(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    email: str
    phone: str
    is_active: bool
    is_sample: bool
    last_login_at: datetime | None
    locked_until: datetime | None
    memberships: list[MembershipOut]


class TokenIn(BaseModel):
    """A request for a new API token."""

    name: str = Field(min_length=1, max_length=100)
    days: int | None = Field(None, ge=1, le=3650, description="Lifetime in days; none: no expiry")


class TokenCreated(BaseModel):
    """A new token: the secret is shown this once."""

    id: int
    name: str
    token: str
    expires_at: datetime | None
