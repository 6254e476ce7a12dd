"""Alerts: rules over telemetry and device health, and the alert lifecycle."""
