"""A device simulator: realistic readings over MQTT, so a newcomer sees a living city."""
