"""The visits domain's public face: the web layer, jobs and other domains call these only."""

from __future__ import annotations

from smartcity.care.visits.plans import DEFAULT_EVERY_DAYS as DEFAULT_EVERY_DAYS
from smartcity.care.visits.plans import DEFAULT_THRESHOLDS as DEFAULT_THRESHOLDS
from smartcity.care.visits.plans import get_plan as get_plan
from smartcity.care.visits.plans import list_frequencies as list_frequencies
from smartcity.care.visits.plans import list_thresholds as list_thresholds
from smartcity.care.visits.plans import set_frequency as set_frequency
from smartcity.care.visits.plans import set_plan as set_plan
from smartcity.care.visits.plans import set_threshold as set_threshold
from smartcity.care.visits.records import attach_photo as attach_photo
from smartcity.care.visits.records import person_visits as person_visits
from smartcity.care.visits.records import read_visit as read_visit
from smartcity.care.visits.records import record_visit as record_visit
from smartcity.care.visits.tasks import generate as generate_tasks
from smartcity.care.visits.tasks import get_task as get_task
from smartcity.care.visits.tasks import overdue as overdue
from smartcity.care.visits.tasks import overdue_list as overdue_list
from smartcity.care.visits.tasks import task_out as task_out
from smartcity.care.visits.tasks import worker_day as worker_day
from smartcity.events import UnitOfWork

__all__ = [
    "DEFAULT_EVERY_DAYS",
    "DEFAULT_THRESHOLDS",
    "attach_photo",
    "generate_tasks",
    "get_plan",
    "get_task",
    "list_frequencies",
    "list_thresholds",
    "overdue",
    "overdue_list",
    "person_visits",
    "read_visit",
    "record_visit",
    "set_frequency",
    "set_plan",
    "set_threshold",
    "sweep_job",
    "task_out",
    "worker_day",
]


def sweep_job(uow: UnitOfWork) -> None:
    """The background sweep: create and assign the visit tasks now due (idempotent)."""
    generate_tasks(uow)
