"""The city's geography: site, zones (polygons) and places (points)."""
