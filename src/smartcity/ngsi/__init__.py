"""NGSI-LD read subset: the city's devices and their observations as FIWARE entities."""
