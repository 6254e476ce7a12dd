"""Live updates: an in-process hub that streams device and alert changes to browsers (SSE)."""
