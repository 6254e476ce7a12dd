"""Page-number pagination shared by every list API and page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class PageParams:
    """Which page to show and how many rows on it."""

    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.page < 1:
            object.__setattr__(self, "page", 1)
        object.__setattr__(self, "per_page", max(1, min(self.per_page, MAX_PER_PAGE)))

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.per_page


class Page(BaseModel, Generic[T]):
    """One page of results with the totals a pager needs."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))


def paginate(session: Session, stmt: Select[Any], params: PageParams) -> tuple[list[Any], int]:
    """Run a select for one page and count all matching rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(params.per_page).offset(params.offset)))
    return rows, total
