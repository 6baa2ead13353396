"""Read-model builders: Kafka consumers that keep PostgreSQL and MongoDB views up to date."""
