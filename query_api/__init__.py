"""The query side: REST and WebSocket reads served only from read models and Redis."""
