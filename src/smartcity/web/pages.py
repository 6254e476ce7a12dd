"""Web pages of the operations centre: one router that gathers every page module."""

from __future__ import annotations

from fastapi import APIRouter

from smartcity.web import (
    accounts_pages,
    alerts_pages,
    alerts_rules_pages,
    audit_pages,
    auth,
    banner_pages,
    broadcast_pages,
    broadcast_report_pages,
    care_pages,
    care_registry_pages,
    care_visits_pages,
    devices_ops_pages,
    devices_pages,
    geo_pages,
    help_pages,
    hotline_pages,
    incidents_pages,
    responder_pages,
)

router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    banner_pages,
    geo_pages,
    devices_ops_pages,  # before devices_pages: /devices/dead-letters is not a device id
    devices_pages,
    alerts_rules_pages,  # before alerts_pages: /alerts/rules is not an alert id
    alerts_pages,
    accounts_pages,
    audit_pages,
    care_visits_pages,
    care_pages,
    care_registry_pages,
    help_pages,
    incidents_pages,
    hotline_pages,
    responder_pages,
    broadcast_report_pages,  # before broadcast_pages: nothing shared, kept together
    broadcast_pages,
):
    router.include_router(_module.router)
