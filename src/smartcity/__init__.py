"""Smart City Platform: city operations for Thai municipalities, first built for Phichit Town."""

__version__ = "0.1.0"
