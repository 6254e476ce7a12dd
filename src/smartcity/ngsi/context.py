"""The JSON-LD @context the platform serves for its entities (no fetching at run time).

Short names expand to the FIWARE Smart Data Models vocabulary; the NGSI-LD core context is
referenced by URL as the specification requires (clients that expand it bring their own copy).
Platform metrics that no data model names (``level_m``, ``clients``...) fall to the core
context's default vocabulary, as NGSI-LD intends for unmapped terms.
"""

from __future__ import annotations

from typing import Any, Final

CORE_CONTEXT: Final = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
SDM: Final = "https://smartdatamodels.org/"
CONTEXT_PATH: Final = "/ngsi-ld/v1/context.jsonld"

_TERMS: Final = {
    "Device": f"{SDM}dataModel.Device/Device",
    "WaterObserved": f"{SDM}dataModel.Environment/WaterObserved",
    "AirQualityObserved": f"{SDM}dataModel.Environment/AirQualityObserved",
    "WeatherObserved": f"{SDM}dataModel.Weather/WeatherObserved",
}
_ATTRIBUTES: Final = (
    "name",
    "alternateName",
    "deviceCategory",
    "deviceState",
    "controlledProperty",
    "dateLastValueReported",
    "batteryLevel",
    "rssi",
    "dateObserved",
    "height",
    "pm25",
    "pm10",
    "airQualityIndex",
    "temperature",
    "relativeHumidity",
    "precipitation",
)
_RELATIONSHIPS: Final = ("refDevice", "refZone")


def document() -> dict[str, Any]:
    """The served context: our terms, then the NGSI-LD core context."""
    terms: dict[str, Any] = dict(_TERMS)
    terms.update({name: f"{SDM}{name}" for name in _ATTRIBUTES})
    terms.update({name: {"@id": f"{SDM}{name}", "@type": "@id"} for name in _RELATIONSHIPS})
    return {"@context": [terms, CORE_CONTEXT]}
