"""Disaster mode: vulnerable people inside an area, ranked by need, and check-on operations."""
