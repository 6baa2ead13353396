"""Authentication shared by both APIs: access tokens (JWT) and the caller's identity."""
