"""Incidents: help requests, crimes, hazards and faults; triage, responder units and dispatch."""
