"""Agencies, users, roles with zone scopes, web sessions and API tokens."""
