"""Protocol adapters (MQTT, CAP, audio tools...): they speak protocols, never city rules."""
