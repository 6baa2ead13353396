"""The command side: FastAPI routes that validate commands, run each aggregate's pure
`decide`, and append the resulting events with the outbox in one PostgreSQL transaction."""
