"""Event contracts: one Avro schema per event type, single-object encoded."""
