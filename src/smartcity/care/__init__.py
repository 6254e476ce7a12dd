"""Smart Help Care: the registry of people cared for, their consent and ADL assessments."""
