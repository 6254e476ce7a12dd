"""Server-rendered operations-centre UI (Jinja2 + HTMX + Leaflet)."""
