"""The event log runtime shared by every service: the PostgreSQL event store with its outbox,
the relay to Kafka, topic setup, and the projection runner."""
