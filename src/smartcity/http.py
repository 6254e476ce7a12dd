"""Request plumbing shared by every route: one unit of work per request, settings, client IP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Query, Request

from smartcity.config import Settings
from smartcity.events import Actor, UnitOfWork
from smartcity.kit.pagination import PageParams


def client_ip(request: Request) -> str:
    """The caller's address as the server saw it (proxies are configured in uvicorn)."""
    return request.client.host if request.client else ""


def app_settings(request: Request) -> Settings:
    """The settings the application was built with."""
    settings: Settings = request.app.state.settings
    return settings


def _unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """Open a transaction; commit when the route returns, roll back if it raises."""
    session = request.app.state.session_factory()
    uow = UnitOfWork(session, request.app.state.bus, Actor(None, "anonymous", client_ip(request)))
    try:
        yield uow
        uow.commit()
    except BaseException:
        uow.rollback()
        raise
    finally:
        session.close()


# "function" scope: the commit happens before the response leaves, so a 2xx means stored.
UoW = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]
AppSettings = Annotated[Settings, Depends(app_settings)]

T = TypeVar("T")


async def work_and_commit(
    uow: UnitOfWork, work: Callable[[], T], limiter: anyio.CapacityLimiter | None = None
) -> T:
    """Run ``work`` and commit its unit of work in one worker thread (for ``async def`` routes).

    A sync route keeps its transaction open (SQLite's write lock, PostgreSQL's row locks) while
    it waits for a second worker thread to validate its answer; in a burst every worker thread
    can be waiting for those locks, and the holder for a thread. Working and committing in one
    thread call never waits for a thread while holding a lock. The ``UoW`` dependency then has
    nothing left to commit, and still rolls back if ``work`` raises.

    ``limiter`` bounds how many such calls run at once; the rest wait their turn in order
    without holding a thread or a connection.
    """

    def _run() -> T:
        result = work()
        uow.commit()
        return result

    return await anyio.to_thread.run_sync(_run, limiter=limiter)


def page_params(
    page: Annotated[int, Query(ge=1)] = 1, per_page: Annotated[int, Query(ge=1, le=200)] = 25
) -> PageParams:
    """Pagination from the query string."""
    return PageParams(page, per_page)


Paging = Annotated[PageParams, Depends(page_params)]
