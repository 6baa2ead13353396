"""The identity aggregate: accounts, roles, and sign-in (stream ``user-<id>``)."""
