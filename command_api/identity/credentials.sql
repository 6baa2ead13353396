-- Secrets of the identity context: never in events (the log is kept forever).
CREATE SCHEMA IF NOT EXISTS identity;

CREATE TABLE IF NOT EXISTS identity.credentials (
    user_id       text        PRIMARY KEY,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS credentials_email ON identity.credentials (lower(email));

-- Refresh tokens rotate: each use issues a new token in the same family; using a token twice
-- means it was stolen, and revokes the whole family.
CREATE TABLE IF NOT EXISTS identity.refresh_tokens (
    token_hash bytea       PRIMARY KEY,
    family_id  uuid        NOT NULL,
    user_id    text        NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON identity.refresh_tokens (family_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON identity.refresh_tokens (user_id);

-- Each person's data key, wrapped by the master key from settings (security/personal_data.py).
-- Deleting the row erases the person: their sealed fields in the log can never be read again.
CREATE TABLE IF NOT EXISTS identity.person_keys (
    user_id     text        PRIMARY KEY,
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
