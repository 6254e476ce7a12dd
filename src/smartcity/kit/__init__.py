"""Generic helpers with no domain rules."""
