"""Devices: registry, credentials, telemetry ingest, latest state and health."""
