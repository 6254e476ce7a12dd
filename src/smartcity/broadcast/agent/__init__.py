"""The reference speaker agent: plays the platform's announcements on a board by an amplifier.

It imports no database, domain or web code: only the MQTT topic scheme and the standard library,
so it installs on a small board beside the amplifier.
"""
