"""The care domain's public face: other domains and the web layer call these, nothing else.

The rules live in the modules named below (households, people, consent, adl, share); this
module gathers them so callers need one import.
"""

from __future__ import annotations

from smartcity.care.access import Access as Access
from smartcity.care.adl import adl_group as adl_group
from smartcity.care.adl import assess as assess_adl
from smartcity.care.adl import history as adl_history
from smartcity.care.adl import latest as latest_adl
from smartcity.care.consent import active_consent as active_consent
from smartcity.care.consent import give_consent as give_consent
from smartcity.care.consent import list_consents as list_consents
from smartcity.care.consent import require_consent as require_consent
from smartcity.care.consent import withdraw_consent as withdraw_consent
from smartcity.care.errors import ConsentRequired as ConsentRequired
from smartcity.care.households import create_household as create_household
from smartcity.care.households import get_household as get_household
from smartcity.care.households import list_households as list_households
from smartcity.care.households import members as household_members
from smartcity.care.households import update_household as update_household
from smartcity.care.people import create_person as create_person
from smartcity.care.people import get_person as get_person
from smartcity.care.people import list_people as list_people
from smartcity.care.people import read_person as read_person
from smartcity.care.people import update_person as update_person
from smartcity.care.sample import load_sample_people as load_sample_people
from smartcity.care.share import share_person as share_person

__all__ = [
    "Access",
    "ConsentRequired",
    "active_consent",
    "adl_group",
    "adl_history",
    "assess_adl",
    "create_household",
    "create_person",
    "get_household",
    "get_person",
    "give_consent",
    "household_members",
    "latest_adl",
    "list_consents",
    "list_households",
    "list_people",
    "load_sample_people",
    "read_person",
    "require_consent",
    "share_person",
    "update_household",
    "update_person",
    "withdraw_consent",
]
