"""Public address: announcements, schedules, slot outcomes and CAP alerts."""
